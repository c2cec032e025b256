"""Tagging in the real Streamlit app (AppTest): paste a passage, pick who and what, save."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from tests.factories import make_source, sign_in
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction
from tracker.models import Source, Stance, StanceEvent

PAGE = str(Path(__file__).resolve().parents[1] / "dashboard" / "views" / "tag.py")
REVERSAL = (
    "Trump told reporters in the Oval Office that he liked the concept of a ceasefire "
    "but the two sides could work on a peace deal while the fighting continued."
)


def open_page(
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    source_id: int | None = None,
    analyst: str = "ana",
    role: str = "admin",
) -> AppTest:
    monkeypatch.setenv(ENV_VAR, url)
    at = AppTest.from_file(PAGE, default_timeout=30)
    if analyst:
        sign_in(at, url, analyst, role)
    if source_id is not None:
        at.session_state["tag_source"] = source_id
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def source_id_of(url: str, title_start: str) -> int:
    engine = make_engine(url)
    with transaction(engine) as session:
        found = session.scalar(select(Source.id).where(Source.title.startswith(title_start)))
    engine.dispose()
    assert found is not None
    return found


def stances_quoting(url: str, fragment: str) -> list[Stance]:
    engine = make_engine(url)
    with transaction(engine) as session:
        rows = list(session.scalars(select(Stance).where(Stance.quote.contains(fragment))))
        session.expunge_all()
    engine.dispose()
    return rows


@pytest.mark.usefixtures("dashboard_env")
def test_tagging_the_trump_reversal_writes_a_stance(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.demo import load_demo

    load_demo(make_engine(db_url), with_stances=False)
    source = source_id_of(db_url, "US would help assure")
    at = open_page(db_url, monkeypatch, source)
    # Pasted from a browser: line breaks and straight quotes where the source differs.
    at.text_area(key="tag_quote").input(REVERSAL.replace(" a ceasefire", "\na ceasefire")).run()
    at.selectbox(key="tag_actor").select("Donald Trump").run()
    at.selectbox(key="tag_issue").select("ceasefire-first").run()
    at.select_slider(key="tag_position").set_value(-2).run()
    at.button(key="tag_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (stance,) = stances_quoting(db_url, "while the fighting continued")
    assert stance.position == -2 and stance.annotator == "ana"
    assert stance.quote == REVERSAL  # the source's own characters, offsets computed
    assert str(stance.stated_on) == "2025-08-18"  # defaults to the publication date
    assert "Saved stance" in at.success[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_a_passage_not_in_the_text_is_refused(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(demo_url, monkeypatch)
    at.text_area(key="tag_quote").input("Putin agreed to a ceasefire.").run()
    assert "not in the source text" in at.error[0].value
    assert at.button(key="tag_save").disabled


@pytest.mark.usefixtures("dashboard_env")
def test_a_viewer_reads_but_gets_no_tagging_form(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = source_id_of(demo_url, "US would help assure")
    at = open_page(demo_url, monkeypatch, source, analyst="vic", role="viewer")
    assert any("takes the analyst role" in i.value for i in at.info)
    assert not [b for b in at.button if b.key and b.key.endswith(("_save", "_delete"))]
    assert not at.text_area  # no quote box, no note
    assert at.get("html")  # the article is still readable
    assert at.expander  # and the stances already recorded from it


@pytest.mark.usefixtures("dashboard_env")
def test_editing_and_a_stale_edit(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = source_id_of(demo_url, "US would help assure")
    at = open_page(demo_url, monkeypatch, source)
    (trump,) = list(stances_quoting(demo_url, "while the fighting continued"))
    key = f"edit_{trump.id}"
    # Someone else saves first: this page still holds version 1.
    from tracker.stances import StanceChanges, update_stance

    engine = make_engine(demo_url)
    with transaction(engine) as session:
        update_stance(
            session,
            trump.id,
            StanceChanges(note="bo's reading"),
            annotator="bo",
            expected_version=1,
        )
    at.select_slider(key=f"{key}_pos").set_value(-1).run()
    at.button(key=f"{key}_save").click().run()
    assert any("was changed by bo" in e.value for e in at.error)
    with transaction(engine) as session:
        current = session.get(Stance, trump.id)
        assert current is not None and current.position == -2 and current.note == "bo's reading"
        events = session.scalars(select(StanceEvent).where(StanceEvent.stance_id == trump.id))
        assert [e.annotator for e in events] == ["seed data", "bo"]
    engine.dispose()


@pytest.mark.usefixtures("dashboard_env")
def test_a_stale_edit_offers_the_newer_version_until_it_is_loaded(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.stances import StanceChanges, update_stance

    source = source_id_of(demo_url, "US would help assure")
    at = open_page(demo_url, monkeypatch, source)
    (trump,) = stances_quoting(demo_url, "while the fighting continued")
    key = f"edit_{trump.id}"
    engine = make_engine(demo_url)
    with transaction(engine) as session:  # bo saves first: this page still holds version 1
        update_stance(
            session,
            trump.id,
            StanceChanges(position=-1, note="bo's reading"),
            annotator="bo",
            expected_version=1,
        )
    at.select_slider(key=f"{key}_pos").set_value(1)
    at.text_input(key=f"{key}_note").input("ana's reading")
    at.button(key=f"{key}_save").click().run()
    assert any("was changed by bo" in e.value for e in at.error)
    # The button survives reruns (here: another edit, refused again as stale).
    at.select_slider(key=f"{key}_pos").set_value(2).run()
    at.button(key=f"{key}_save").click().run()
    assert any("was changed by bo" in e.value for e in at.error)
    assert at.select_slider(key=f"{key}_pos").value == 2  # the analyst's edit is kept
    at.button(key=f"{key}_reload").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.select_slider(key=f"{key}_pos").value == -1  # bo's stance, now in the form
    assert at.text_input(key=f"{key}_note").value == "bo's reading"
    assert f"{key}_reload" not in [b.key for b in at.button]
    # Saved on top of bo's version, nobody's change is lost.
    at.select_slider(key=f"{key}_pos").set_value(-2)
    at.button(key=f"{key}_save").click().run()
    assert not at.error, [e.value for e in at.error]
    with transaction(engine) as session:
        current = session.get(Stance, trump.id)
        assert current is not None
        assert (current.position, current.note, current.version) == (-2, "bo's reading", 3)
        events = session.scalars(
            select(StanceEvent).where(StanceEvent.stance_id == trump.id).order_by(StanceEvent.id)
        )
        assert [e.annotator for e in events] == ["seed data", "bo", "ana"]
    engine.dispose()
    assert at.select_slider(key=f"{key}_pos").value == -2  # the form shows the saved stance


@pytest.mark.usefixtures("dashboard_env")
def test_source_markup_is_escaped(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.factories import make_source

    engine = make_engine(db_url)
    with transaction(engine) as session:
        make_source(session, "<script>alert(1)</script> ![x](http://evil/x.png) **bold**")
        from tracker.issues import IssueRow, save_issue

        save_issue(session, IssueRow("ceasefire-first", "Ceasefire first"))
    engine.dispose()
    at = open_page(db_url, monkeypatch)
    (html,) = at.get("html")
    body = html.proto.body
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert "![x](http://evil/x.png)" in body  # shown literally, not loaded


REVIEW = str(Path(__file__).resolve().parents[1] / "dashboard" / "views" / "review.py")
REPORTS = str(Path(__file__).resolve().parents[1] / "dashboard" / "views" / "reports.py")


def _suggest(url: str) -> list[int]:
    """Two suggested stances on the demo, as the suggester or an import would leave them."""
    from tracker.actors import get_actor
    from tracker.issues import get_issue
    from tracker.stances import record_stance

    engine = make_engine(url)
    with transaction(engine) as session:
        source = session.scalars(
            select(Source).where(Source.title.startswith("Coalition of the willing"))
        ).one()
        ids = [
            record_stance(
                session,
                actor=get_actor(session, "Mark Rutte"),
                issue=get_issue(session, "troop-deployments"),
                source=source,
                position=1,
                quote="Russia has nothing to do with this",
                annotator="suggester",
                status="suggested",
                origin="suggestion",
            ).id,
            record_stance(
                session,
                actor=get_actor(session, "Vladimir Putin"),
                issue=get_issue(session, "ceasefire-first"),
                source=source,
                position=1,
                quote="if common sense prevails",
                annotator="suggester",
                status="suggested",
                origin="suggestion",
            ).id,
        ]
    engine.dispose()
    return ids


def _run(page: str, url: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(ENV_VAR, url)
    at = AppTest.from_file(page, default_timeout=60)
    sign_in(at, url, "rev", "reviewer")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("dashboard_env")
def test_review_queue_accepts_with_a_correction_then_rejects(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _suggest(demo_url)
    at = _run(REVIEW, demo_url, monkeypatch)
    assert "2 suggestion(s) waiting" in at.caption[0].value
    assert "[[ Russia has nothing to do with this ]]" in at.text[0].value  # quote in context
    at.select_slider(key=f"review_{first}_position").set_value(2).run()
    at.date_input(key=f"review_{first}_date").set_value(dt.date(2031, 1, 1)).run()
    at.button(key=f"review_{first}_accept").click().run()
    assert "is in the future" in at.error[0].value  # nothing accepted
    at.date_input(key=f"review_{first}_date").set_value(dt.date(2025, 8, 17)).run()
    at.button(key=f"review_{first}_accept").click().run()
    assert "with corrections" in at.success[0].value
    at.button(key=f"review_{second}_reject").click().run()
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        accepted, rejected = session.get(Stance, first), session.get(Stance, second)
        assert accepted is not None and (accepted.status, accepted.position) == ("accepted", 2)
        assert accepted.stated_on == dt.date(2025, 8, 17)
        assert rejected is not None and rejected.status == "rejected"
        actions = [
            e.action
            for e in session.scalars(
                select(StanceEvent).where(StanceEvent.stance_id == first).order_by(StanceEvent.id)
            )
        ]
        assert actions == ["create", "update", "accept"]
    engine.dispose()
    assert "Nothing waiting" in at.info[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_empty_review_queue(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(REVIEW, db_url, monkeypatch)
    assert "Nothing waiting for review" in at.info[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_report_page_previews_week_34(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(REPORTS, demo_url, monkeypatch)
    at.text_input(key="report_week").input("2025-W34").run()
    preview = " ".join(m.value for m in at.markdown)
    assert "Donald Trump moved from" in preview
    assert len(at.get("download_button")) == 3
    at.text_input(key="report_week").input("2025-W99").run()
    assert "2025 has no week 99" in at.error[0].value
    at.text_input(key="report_week").input("2025-W40").run()
    assert "No recorded changes" in at.info[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_a_date_in_the_future_is_refused_and_a_wrong_date_corrected(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped year is refused when tagging; a stored date is corrected in the editor."""
    source = source_id_of(demo_url, "US would help assure")
    at = open_page(demo_url, monkeypatch, source)
    at.text_area(key="tag_quote").input(REVERSAL).run()
    at.selectbox(key="tag_actor").select("Volodymyr Zelenskyy").run()
    at.selectbox(key="tag_issue").select("ceasefire-first").run()
    at.date_input(key=f"tag_date_{source}").set_value(dt.date(2031, 8, 18)).run()
    at.button(key="tag_save").click().run()
    assert "is in the future" in at.error[0].value and "2031" in at.error[0].value
    assert len(stances_quoting(demo_url, "while the fighting continued")) == 1  # Trump's only

    (trump,) = stances_quoting(demo_url, "while the fighting continued")
    key = f"edit_{trump.id}"
    assert at.date_input(key=f"{key}_date").value == trump.stated_on
    at.date_input(key=f"{key}_date").set_value(dt.date(2025, 8, 17)).run()
    at.button(key=f"{key}_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (trump,) = stances_quoting(demo_url, "while the fighting continued")
    assert trump.stated_on == dt.date(2025, 8, 17)
    assert at.date_input(key=f"{key}_date").value == dt.date(2025, 8, 17)


@pytest.mark.usefixtures("dashboard_env")
def test_an_undated_source_gets_no_guessed_date(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.demo import load_demo

    engine = make_engine(db_url)
    load_demo(engine, with_stances=False)
    with transaction(engine) as session:
        undated = make_source(
            session, "Zelensky said a ceasefire must come first.", published_on=None
        )
        source = undated.id
    engine.dispose()
    at = open_page(db_url, monkeypatch, source)
    assert at.date_input(key=f"tag_date_{source}").value is None
    at.text_area(key="tag_quote").input("a ceasefire must come first").run()
    at.selectbox(key="tag_actor").select("Volodymyr Zelenskyy").run()
    at.button(key="tag_save").click().run()
    assert "has no publication date; give the date" in at.error[0].value
    assert stances_quoting(db_url, "a ceasefire must come first") == []


@pytest.mark.usefixtures("dashboard_env")
def test_an_actor_added_while_tagging_stays_picked_for_the_next_stance(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After saving a stance for a new actor, the Actor box holds that actor (it stayed on
    "(new actor…)" with the name filled in, so the next save tried to add it again)."""
    source = source_id_of(demo_url, "US would help assure")
    at = open_page(demo_url, monkeypatch, source)
    at.text_area(key="tag_quote").input(REVERSAL).run()
    at.selectbox(key="tag_actor").select("(new actor…)").run()
    at.text_input(key="tag_new_name").input("Oval Office pool").run()
    at.selectbox(key="tag_issue").select("ceasefire-first").run()
    at.button(key="tag_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.selectbox(key="tag_actor").value == "Oval Office pool"
    assert at.text_area(key="tag_quote").value == ""
    at.text_area(key="tag_quote").input("I wish they could stop").run()
    at.button(key="tag_save").click().run()
    assert not at.error, [e.value for e in at.error]
    assert len(stances_quoting(demo_url, "I wish they could stop")) == 1


@pytest.mark.usefixtures("dashboard_env")
def test_a_suggestion_a_colleague_handled_first_is_not_silently_lost(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reviewers on one suggestion: the second click (and its correction) used to
    vanish, the page simply showing the next suggestion; now it says what happened."""
    from tracker.stances import review_stance

    first, second = _suggest(demo_url)
    at = _run(REVIEW, demo_url, monkeypatch)
    at.select_slider(key=f"review_{first}_position").set_value(2).run()
    engine = make_engine(demo_url)
    with transaction(engine) as session:  # a colleague rejects it meanwhile
        stance = session.get_one(Stance, first)
        review_stance(
            session, first, accept=False, annotator="boss", expected_version=stance.version
        )
    at.button(key=f"review_{first}_accept").click().run()
    assert not at.exception
    (warning,) = at.warning
    assert f"#{first} was already rejected by boss" in warning.value.replace("\\", "")
    assert "not applied" in warning.value
    with transaction(engine) as session:
        assert session.get_one(Stance, first).status == "rejected"  # not overwritten
    engine.dispose()
    assert at.button(key=f"review_{second}_accept")  # the queue moved on


@pytest.mark.usefixtures("dashboard_env")
def test_deleting_a_stance_asks_first(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Delete acted at the first click, with no undo: it now asks, and "Keep it" keeps it."""
    at = open_page(demo_url, monkeypatch, source_id_of(demo_url, "US would help assure"))
    (trump,) = stances_quoting(demo_url, "while the fighting continued")
    key = f"edit_{trump.id}"
    at.button(key=f"{key}_delete").click().run()
    assert f"Delete stance #{trump.id}?" in at.warning[0].value
    assert stances_quoting(demo_url, "while the fighting continued")  # not yet
    at.button(key=f"{key}_delete_no").click().run()
    assert not at.warning and stances_quoting(demo_url, "while the fighting continued")
    at.button(key=f"{key}_delete").click().run()
    at.button(key=f"{key}_delete_yes").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert stances_quoting(demo_url, "while the fighting continued") == []


@pytest.mark.usefixtures("dashboard_env")
def test_a_click_after_the_queue_moved_says_so(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Skipped to the second suggestion; a colleague handles the first; the queue shifts
    under the skip. The click is not applied, and the notice does not claim the second was
    handled ("already suggested by …")."""
    from tracker.stances import review_stance

    first, second = _suggest(demo_url)
    at = _run(REVIEW, demo_url, monkeypatch)
    at.button(key=f"review_{first}_skip").click().run()
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        stance = session.get_one(Stance, first)
        review_stance(
            session, first, accept=True, annotator="boss", expected_version=stance.version
        )
    at.button(key=f"review_{second}_accept").click().run()
    (warning,) = at.warning
    assert "moved in the queue" in warning.value and "not applied" in warning.value
    with transaction(engine) as session:
        assert session.get_one(Stance, second).status == "suggested"
    engine.dispose()


@pytest.mark.usefixtures("dashboard_env")
def test_the_address_names_the_source_being_tagged(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link (tag?source=N) opens that source; choosing another puts it in the address,
    so a reload or a bookmark comes back to it, and the address wins on every run."""
    trump = source_id_of(demo_url, "US would help assure")
    monkeypatch.setenv(ENV_VAR, demo_url)
    at = AppTest.from_file(PAGE, default_timeout=30)
    sign_in(at, demo_url, "ana", "admin")
    at.query_params["source"] = str(trump)
    at.run()
    assert at.selectbox(key="tag_source").value == trump
    other = next(
        o for o in at.selectbox(key="tag_source").options if not o.startswith(f"#{trump} ")
    )
    other_id = int(other.split()[0].lstrip("#"))
    at.selectbox(key="tag_source").select(other_id).run()
    assert at.query_params["source"] == str(other_id)
    at.run()  # a later run keeps it
    assert at.selectbox(key="tag_source").value == other_id
    assert not at.exception
