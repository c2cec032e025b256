"""The analysis pages (timeline, profile, matrix, gap) run for real (AppTest) on the demo."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import make_actor, make_issue, make_source, sign_in
from tracker import chart_data
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction
from tracker.stances import record_stance

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PAGES = ["views/timeline.py", "views/profile.py", "views/matrix.py", "views/gap.py"]


def run_page(page: str, url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(ENV_VAR, url)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), url)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[dict[str, Any]]:
    """The Vega-Lite specs on the page (AppTest shows charts but cannot interact)."""
    return [json.loads(el.proto.spec) for el in at.main if el.type == "vega_lite_chart"]


def captions(at: AppTest) -> str:
    """The captions as the reader sees them: names are Markdown-escaped on the page."""
    return re.sub(r"\\(.)", r"\1", " ".join(c.value for c in at.caption))


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize("page", PAGES)
def test_each_page_charts_the_demo(
    page: str, demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(page, demo_url, monkeypatch)
    assert not at.error and not at.info, [m.value for m in (*at.error, *at.info)]
    assert len(charts(at)) == 1
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download PNG", "Download SVG"]


@pytest.mark.usefixtures("dashboard_env")
def test_the_timeline_zooms_dates_and_fits_the_page(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dates zoom with the wheel and pan by dragging (the position axis stays put), and the
    chart fits the page's width; the stacked profile keeps its own size."""
    (timeline,) = charts(run_page(PAGES[0], demo_url, monkeypatch))
    assert timeline["autosize"] == {"type": "fit-x", "contains": "padding"}
    zoom = [(p["bind"], p["select"]["encodings"]) for p in timeline["params"]]
    assert zoom == [("scales", ["x"])]
    (profile,) = charts(run_page(PAGES[1], demo_url, monkeypatch))
    assert profile["autosize"] == {"type": "pad"} and "params" not in json.dumps(profile)


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize("page", PAGES)
def test_empty_database_says_what_to_do(
    page: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(page, db_url, monkeypatch)
    assert "tracker demo" in " ".join(m.value for m in at.info)
    assert not charts(at)


@pytest.mark.usefixtures("dashboard_env")
def test_timeline_lists_trumps_shift_on_ceasefire_first(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(PAGES[0], demo_url, monkeypatch)
    at.selectbox(key="tl_issue").select("ceasefire-first").run()
    (spec,) = charts(at)
    assert spec["title"]["text"] == "Ceasefire before peace talks"
    assert "Ceasefire must come first" in json.dumps(spec)  # the issue's labels on the axis
    table = at.dataframe[0].value
    trump = table[table["actor"] == "Donald Trump"].iloc[0]
    assert trump["date"] == "2025-08-18" and trump["before_date"] == "2025-08-13"
    assert trump["from"].startswith("+2") and trump["to"].startswith("-2")
    assert trump["before_quote"] and trump["after_quote"]


@pytest.mark.usefixtures("dashboard_env")
def test_timeline_filters_say_what_to_do_when_nothing_matches(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(PAGES[0], demo_url, monkeypatch)
    at.multiselect(key="tl_actors").set_value(["Russia"]).run()
    assert "No shifts in this selection" in at.info[0].value
    at.multiselect(key="tl_status").set_value(["suggested"]).run()
    assert not charts(at)
    message = at.info[0].value
    assert "No suggested stances" in message and "widen the filters" in message


@pytest.mark.usefixtures("dashboard_env")
def test_party_profile_shows_how_the_roll_up_was_derived(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(PAGES[1], demo_url, monkeypatch)
    at.radio(key="pr_kind").set_value("Party").run()
    at.selectbox(key="pr_party").select("Ukraine").run()
    assert "How the party's position was derived" in [h.value for h in at.subheader]
    derived = at.dataframe[0].value
    assert {"Volodymyr Zelenskyy", "Ukraine"} <= set(derived["member"])
    assert "within the 90 days" in captions(at)
    (spec,) = charts(at)
    assert "Ukraine (roll-up)" in json.dumps(spec)


@pytest.mark.usefixtures("dashboard_env")
def test_matrix_click_through_shows_trumps_stances(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(PAGES[2], demo_url, monkeypatch)
    at.selectbox(key="mx_cell").select("Donald Trump × Ceasefire before peace talks").run()
    stances = at.dataframe[0].value
    assert set(stances["actor"]) == {"Donald Trump"}
    assert list(stances["stated_on"]) == ["2024-12-07", "2025-08-13", "2025-08-18"]
    assert list(stances["position"]) == [1, 2, -2]
    assert "Donald Trump on Ceasefire before peace talks: -2" in captions(at)


@pytest.mark.usefixtures("dashboard_env")
def test_matrix_by_party(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGES[2], demo_url, monkeypatch)
    at.radio(key="mx_rows").set_value("Parties").run()
    assert not at.exception
    at.selectbox(key="mx_cell").select("United States × Ceasefire before peace talks").run()
    stances = at.dataframe[0].value
    assert set(stances["actor"]) == {"Donald Trump"}  # the party's members' stances


@pytest.mark.usefixtures("dashboard_env")
def test_gap_says_whether_the_space_for_a_deal_opened_or_closed(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(PAGES[3], demo_url, monkeypatch)
    assert at.multiselect(key="gp_side_a").value == ["Ukraine", "European leaders"]
    assert at.multiselect(key="gp_side_b").value == ["Russia"]
    text = captions(at)
    assert "The space for a deal closed" in text and "widened from 3.5 to 4 points" in text
    table = at.dataframe[0].value
    assert all(table[c].dtype == float for c in ("side_a", "side_b", "gap"))  # never "None"
    at.multiselect(key="gp_side_b").set_value(["Ukraine"]).run()
    assert "Ukraine is on both sides" in at.warning[0].value
    at.multiselect(key="gp_side_b").set_value([]).run()
    assert "at least one party or actor on each side" in at.info[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_timeline_of_a_busy_issue_starts_from_the_most_active(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everyone on a busy issue would be a tangle of lines: the page opens on the 12 most
    active actors and says so."""
    engine = make_engine(db_url)
    with transaction(engine) as session:
        issue = make_issue(session, "crowded")
        for n in range(14):
            actor = make_actor(session, f"Voice {n:02d}")
            for day in range(1, 2 + n % 3):
                record_stance(
                    session,
                    actor=actor,
                    issue=issue,
                    source=make_source(session, published_on=dt.date(2025, 8, day)),
                    position=1,
                    quote="there should be a ceasefire first",
                    annotator="ana",
                )
    engine.dispose()
    at = run_page(PAGES[0], db_url, monkeypatch)
    assert "Showing the 12 of 14 actors with the most positions" in captions(at)
    assert "12 actors" in captions(at)
    at.multiselect(key="tl_actors").select("Voice 00").run()
    assert "Showing the" not in captions(at) and "1 actor," in captions(at)


@pytest.mark.usefixtures("dashboard_env")
def test_a_thinned_timeline_reads_the_quotes_of_the_days_it_draws(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A series longer than a chart draws is thinned before its quotes are read: the chart
    says how many days it left out, the caption counts them all, and every point drawn
    and both sides of the shift carry their quotes."""
    engine = make_engine(db_url)
    with transaction(engine) as session:
        issue, actor = make_issue(session, "long"), make_actor(session, "Speaker")
        for day in range(1, 10):
            record_stance(
                session,
                actor=actor,
                issue=issue,
                source=make_source(
                    session, f"Quote for day {day}. More words.", published_on=dt.date(2025, 8, day)
                ),
                position=1 if day < 5 else -1,  # a shift on day 5
                quote=f"Quote for day {day}.",
                annotator="ana",
            )
    engine.dispose()
    monkeypatch.setattr(chart_data, "MAX_ROWS", 6)  # five days and the actor's line
    at = run_page(PAGES[0], db_url, monkeypatch)
    (spec,) = charts(at)
    assert "Showing 5 of 9 days" in " ".join(spec["title"]["subtitle"])
    assert "1 actor, 9 days with a position, 1 shift." in captions(at)
    drawn = _chart_data(at)
    quoted = [day for day in range(1, 10) if f"Quote for day {day}." in drawn]
    assert len(quoted) == 5 and {1, 4, 5, 9} <= set(quoted)  # the ends and the shift
    shift = at.dataframe[0].value.iloc[0]
    assert (shift["before_quote"], shift["after_quote"]) == ("Quote for day 4.", "Quote for day 5.")


def _chart_data(at: AppTest) -> str:
    """The text inside the chart's datasets (Arrow tables, where tooltips read from)."""
    chart = next(el for el in at.main if el.type == "vega_lite_chart")
    return b"".join(d.data.data for d in chart.proto.datasets).decode("utf-8", "replace")


@pytest.mark.usefixtures("dashboard_env")
def test_timeline_can_leave_out_weaker_attributions(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page("views/timeline.py", demo_url, monkeypatch)
    at.selectbox(key="tl_issue").set_value("ceasefire-first").run()
    every = _chart_data(at)
    assert "reported by Volodymyr Zelenskyy" in every and "anonymous source" in every
    at.selectbox(key="tl_attribution").set_value("On the record only (the actor's own words)").run()
    assert not at.exception
    strong = _chart_data(at)
    assert "reported by" not in strong and "anonymous source" not in strong
    assert "on record" in strong


@pytest.mark.usefixtures("dashboard_env")
def test_the_proposals_page_shows_dates_as_dates(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its table showed "Stated on" as epoch milliseconds (1755216000000)."""
    at = run_page("views/proposals.py", demo_url, monkeypatch)
    frame = at.dataframe[0].value
    assert "2025-08-15" in list(frame["stated_on"]), frame["stated_on"]


@pytest.mark.usefixtures("dashboard_env")
def test_gap_starts_from_the_two_busiest_parties_of_any_negotiation(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On another negotiation's database both sides started empty (the defaults named the
    demo's Ukraine and Russia): they are now its two parties with most stances, members'
    included."""
    engine = make_engine(db_url)
    with transaction(engine) as s:
        saf = make_actor(s, "Sudanese Armed Forces", kind="organisation")
        rsf = make_actor(s, "Rapid Support Forces", kind="organisation")
        burhan = make_actor(s, "Abdel Fattah al-Burhan", party=saf)
        usa = make_actor(s, "United States", kind="state")
        truce = make_issue(s, "truce")
        for actor, count in ((burhan, 3), (rsf, 2), (usa, 1)):
            for i in range(count):
                record_stance(
                    s,
                    actor=actor,
                    issue=truce,
                    source=make_source(s, published_on=dt.date(2024, 8, 10 + i)),
                    position=1,
                    quote="there should be a ceasefire first",
                    annotator="ana",
                )
    engine.dispose()
    at = run_page(PAGES[3], db_url, monkeypatch)
    assert at.multiselect(key="gp_side_a").value == ["Sudanese Armed Forces"]
    assert at.multiselect(key="gp_side_b").value == ["Rapid Support Forces"]
