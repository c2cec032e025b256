"""Every dashboard page runs for real (Streamlit AppTest) on a real database."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import make_source, sign_in
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction
from tracker.models import Source
from tracker.stance_csv import export_stances_bytes
from tracker.stance_query import StanceFilter

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
PAGES = ["views/stances.py", "views/sources.py", "views/taxonomy.py"]


def run_page(
    page: str, url: str, monkeypatch: pytest.MonkeyPatch, *, signed_in: bool = True
) -> AppTest:
    monkeypatch.setenv(ENV_VAR, url)
    at = AppTest.from_file(APP, default_timeout=30)
    if signed_in:
        sign_in(at, url)
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_the_demo(
    page: str, demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(page, demo_url, monkeypatch)
    assert not at.error
    assert at.dataframe, "each page shows its data as a table"


@pytest.mark.usefixtures("dashboard_env")
def test_stances_page_filters_in_the_database(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(PAGES[0], demo_url, monkeypatch)
    assert "43 stances" in [c.value for c in at.caption]  # under the import form's own
    at.selectbox(key="f_issue").select("ceasefire-first").run()
    at.selectbox(key="f_actor").select("Donald Trump").run()
    frame = at.dataframe[0].value
    assert list(frame["stated_on"]) == ["2024-12-07", "2025-08-13", "2025-08-18"]
    assert list(frame["position"]) == [1, 2, -2]
    at.date_input(key="f_dates").set_value((dt.date(2025, 8, 14),)).run()  # a start alone
    assert list(at.dataframe[0].value["stated_on"]) == ["2025-08-18"]
    at.date_input(key="f_dates").set_value(()).run()
    at.selectbox(key="f_party").select("Russia").run()
    assert "No stances match these filters" in at.info[0].value


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize("page", PAGES)
def test_empty_database_gets_a_helpful_message(
    page: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(page, db_url, monkeypatch)
    messages = " ".join(m.value for m in at.info)
    assert "tracker demo" in messages or "tracker issues import" in messages


@pytest.mark.usefixtures("dashboard_env")
def test_unmigrated_database_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGES[0], f"sqlite:///{tmp_path / 'new.db'}", monkeypatch, signed_in=False)
    assert "tracker db upgrade" in at.error[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_source_text_is_shown_as_text_not_markup(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = "<script>alert(1)</script> **bold** [link](javascript:alert(1))"
    engine = make_engine(db_url)
    with transaction(engine) as session:
        make_source(session, hostile, title="<b>Title</b>")
    engine.dispose()
    at = run_page(PAGES[1], db_url, monkeypatch)
    assert at.text[0].value == hostile  # st.text: rendered verbatim, never as HTML/Markdown
    assert at.subheader[0].value == r"\<b\>Title\<\/b\>"  # escaped: shown literally


@pytest.mark.usefixtures("dashboard_env")
def test_sources_page_searches_the_text(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGES[1], demo_url, monkeypatch)
    at.text_input(key="source_query").input("emphatically opposed").run()
    frame = at.dataframe[0].value
    assert len(frame) == 1 and "[emphatically]" in frame["snippet"][0].lower()
    assert "Coalition of the willing" in frame["title"][0]
    at.text_input(key="source_query").input("zzzyzzy").run()
    assert "No source contains" in at.info[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_sources_page_shows_rewrite_links(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_page(PAGES[1], demo_url, monkeypatch)
    frame = at.dataframe[0].value
    rewrite = frame[frame["rewrite_of"].notna()]
    assert len(rewrite) == 1
    at.selectbox(key="read_source").select(int(rewrite["id"].iloc[0])).run()
    captions = " ".join(c.value for c in at.caption)
    assert "Rewrite of source" in captions and "similarity" in captions


@pytest.mark.usefixtures("dashboard_env")
def test_an_undated_source_gets_its_date_on_the_sources_page(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        source = make_source(session, "Zelensky said a ceasefire must come first.", title="Undated")
        source.published_on = None
        undated = source.id
    at = run_page(PAGES[1], demo_url, monkeypatch)
    at.selectbox(key="read_source").select(undated).run()
    shown = lambda: " ".join(c.value for c in at.caption).replace("\\", "")  # noqa: E731
    assert "No publication date: set it below" in shown()
    at.date_input(key=f"src_date_{undated}").set_value(dt.date(2031, 1, 1)).run()
    at.button(key=f"src_date_set_{undated}").click().run()
    assert "is in the future" in at.error[0].value
    at.date_input(key=f"src_date_{undated}").set_value(dt.date(2025, 8, 20)).run()
    at.button(key=f"src_date_set_{undated}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "published on 2025-08-20" in at.success[0].value.replace("\\", "")
    assert "Published 2025-08-20 (set by ana)" in shown()
    with transaction(engine) as session:
        assert session.get_one(Source, undated).published_on == dt.date(2025, 8, 20)
    # Its title and outlet, for the reports' citations.
    at.text_input(key=f"src_title_{undated}").input("Zelensky: ceasefire first")
    at.text_input(key=f"src_outlet_{undated}").input("Kyiv Independent")
    at.button(key=f"src_title_save_{undated}").click().run()  # a form: sent together
    assert not at.exception and not at.error, [e.value for e in at.error]
    with transaction(engine) as session:
        saved = session.get_one(Source, undated)
        assert (saved.title, saved.outlet) == ("Zelensky: ceasefire first", "Kyiv Independent")
    engine.dispose()


@pytest.mark.usefixtures("dashboard_env")
def test_stances_page_offers_the_filtered_csv(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(PAGES[0], demo_url, monkeypatch)
    at.selectbox(key="f_actor").select("Donald Trump").run()
    (button,) = at.get("download_button")
    assert "Download" in button.proto.label
    # The button calls the same export service the CLI uses, with the page's filters.
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        data = export_stances_bytes(session, StanceFilter(actor="Donald Trump"), excel=True)
    engine.dispose()
    assert data.startswith(b"\xef\xbb\xbfstance_id,actor")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 9 and {r["actor"] for r in rows} == {"Donald Trump"}


@pytest.mark.usefixtures("dashboard_env")
def test_sources_page_adds_pasted_text_and_filters(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = run_page(PAGES[1], demo_url, monkeypatch)
    at.text_area(key="add_text").input("Rutte said NATO membership was not under discussion.")
    at.text_input(key="add_title").input("Rutte on NATO")
    at.text_input(key="add_outlet").input("Wire")
    at.button(key="add_source").click().run()
    assert "stored as source" in at.success[0].value
    # The form is empty again: a title left in it would go to the next article added.
    assert at.text_area(key="add_text").value == ""
    assert at.text_input(key="add_title").value == ""
    assert at.text_input(key="add_outlet").value == ""
    at.text_area(key="add_text").input("Rutte said NATO membership was not under discussion.")
    at.button(key="add_source").click().run()  # the same text again: refused, named
    assert "already stored as source" in at.info[0].value
    at.selectbox(key="source_outlet").select("Wire").run()
    frame = at.dataframe[0].value
    assert list(frame["title"]) == ["Rutte on NATO"]


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize(("role", "offered"), [("analyst", False), ("reviewer", True)])
def test_the_stance_import_is_offered_to_reviewers(
    demo_url: str, monkeypatch: pytest.MonkeyPatch, role: str, offered: bool
) -> None:
    """An import may change anyone's stances: reviewers and admins only (as in the CLI).
    The upload itself runs in Chromium (tests/test_browser_import.py): AppTest has no
    file uploader."""
    monkeypatch.setenv(ENV_VAR, demo_url)
    at = AppTest.from_file(APP, default_timeout=30)
    sign_in(at, demo_url, name=role, role=role)
    at.run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert ("Import stances from a CSV file" in labels) is offered
