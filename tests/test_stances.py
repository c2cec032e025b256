"""Recording, correcting and reviewing stances through the service every UI uses."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from tests.conftest import BACKEND
from tests.factories import ARTICLE, make_actor, make_issue, make_source, make_stance
from tracker.db import transaction
from tracker.errors import ConflictError, TrackerError
from tracker.models import Actor, Issue, Stance, StanceEvent
from tracker.stance_query import StanceFilter, records_query
from tracker.stances import (
    StanceChanges,
    accept_stance,
    delete_stance,
    list_stances,
    record_stance,
    review_stance,
    stance_history,
    update_stance,
)
from tracker.text import signed


def test_offsets_are_computed_from_the_text(session: Session) -> None:
    source = make_source(session, ARTICLE)
    stance = make_stance(session, source=source, quote="ceasefire first")
    assert ARTICLE[stance.quote_start : stance.quote_end] == "ceasefire first"
    assert stance.stated_on == source.published_on  # defaults to publication date


def test_quote_not_in_the_text_is_refused(session: Session) -> None:
    source = make_source(session, ARTICLE)
    with pytest.raises(TrackerError, match="quote is not in the text of source"):
        make_stance(session, source=source, quote="Putin agreed to everything")
    assert session.scalars(select(Stance)).all() == []


def test_offsets_that_do_not_match_the_quote_are_refused(session: Session) -> None:
    source = make_source(session, ARTICLE)
    with pytest.raises(TrackerError, match="does not match source .* at offset 3"):
        make_stance(session, source=source, quote="ceasefire first", quote_start=3)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("position", 3, "outside the scale"),
        ("position", "strong", "not a number"),
        ("position", 1.5, "whole number"),
        ("confidence", 2, "outside 0..1"),
        ("confidence", float("nan"), "outside 0..1"),
        ("annotator", "  ", "analyst's name"),
        ("status", "maybe", "unknown status"),
    ],
)
def test_bad_values_are_refused_with_a_message(
    session: Session, field: str, value: object, message: str
) -> None:
    with pytest.raises(TrackerError, match=message):
        make_stance(session, **{field: value})


def test_accepting_unchanged_is_one_event_and_corrections_are_two(engine: Engine) -> None:
    with transaction(engine) as session:
        plain = make_stance(session, status="suggested", origin="suggestion", annotator="bot")
        fixed = make_stance(
            session, status="suggested", origin="suggestion", annotator="bot", quote="first"
        )
        ids = plain.id, fixed.id
    with transaction(engine) as session:
        # The review form sends every field back; unchanged values are no correction.
        same = StanceChanges(position=2, attribution="", conditional=False, condition="")
        _, corrected = accept_stance(session, ids[0], same, annotator="bo", expected_version=1)
        assert not corrected
        _, corrected = accept_stance(
            session, ids[1], StanceChanges(position=-1), annotator="bo", expected_version=1
        )
        assert corrected
    with transaction(engine) as session:
        assert [e.action for e in stance_history(session, ids[0])] == ["create", "accept"]
        events = stance_history(session, ids[1])
        assert [(e.action, e.annotator) for e in events] == [
            ("create", "bot"),
            ("update", "bo"),
            ("accept", "bo"),
        ]
        stance = session.get(Stance, ids[1])
        assert stance is not None and (stance.position, stance.status) == (-1, "accepted")


def test_accepting_a_version_someone_changed_writes_nothing(engine: Engine) -> None:
    with transaction(engine) as session:
        stance_id = make_stance(session, status="suggested", origin="suggestion").id
    with transaction(engine) as session:
        update_stance(
            session, stance_id, StanceChanges(note="seen"), annotator="ana", expected_version=1
        )
    with pytest.raises(ConflictError), transaction(engine) as session:
        accept_stance(
            session, stance_id, StanceChanges(position=1), annotator="bo", expected_version=1
        )
    with transaction(engine) as session:
        stance = session.get(Stance, stance_id)
        assert stance is not None and (stance.position, stance.status) == (2, "suggested")


def test_stated_on_is_required_when_source_has_no_date(session: Session) -> None:
    source = make_source(session, published_on=None)
    with pytest.raises(TrackerError, match="no publication date"):
        make_stance(session, source=source)


def test_a_date_in_the_future_is_refused(session: Session) -> None:
    """A mistyped year (2031 for 2025) would stretch every timeline to it."""
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    later = tomorrow + dt.timedelta(days=1)
    with pytest.raises(TrackerError, match=f"the date {later} is in the future"):
        make_stance(session, stated_on=later)
    stance = make_stance(session, stated_on=tomorrow)  # already today east of UTC
    corrected = dt.date(2025, 8, 18)
    with pytest.raises(TrackerError, match="in the future"):
        update_stance(
            session, stance.id, StanceChanges(stated_on=later), annotator="ana", expected_version=1
        )
    update_stance(
        session, stance.id, StanceChanges(stated_on=corrected), annotator="ana", expected_version=1
    )
    assert session.get_one(Stance, stance.id).stated_on == corrected


def test_every_change_is_in_the_history(engine: Engine) -> None:
    with transaction(engine) as session:
        stance = make_stance(session, status="suggested", origin="suggestion", annotator="bot")
        stance_id = stance.id
    with transaction(engine) as session:
        update_stance(
            session,
            stance_id,
            StanceChanges(position=-1, note="misread"),
            annotator="ana",
            expected_version=1,
        )
    with transaction(engine) as session:
        review_stance(session, stance_id, accept=True, annotator="bo", expected_version=2)
    with transaction(engine) as session:
        delete_stance(session, stance_id, annotator="ana", expected_version=3)
    with transaction(engine) as session:
        events = stance_history(session, stance_id)
        assert [(e.action, e.annotator) for e in events] == [
            ("create", "bot"),
            ("update", "ana"),
            ("accept", "bo"),
            ("delete", "ana"),
        ]
        update = events[1]
        assert update.before is not None and update.after is not None
        assert (update.before["position"], update.after["position"]) == (2, -1)
        assert update.after["note"] == "misread"
        assert events[3].after is None and events[3].before is not None
        # The stance is gone, its history stays.
        assert session.get(Stance, stance_id) is None


def test_a_stale_edit_is_refused_with_the_newer_version(engine: Engine) -> None:
    with transaction(engine) as session:
        stance_id = make_stance(session).id
    with transaction(engine) as session:
        update_stance(
            session, stance_id, StanceChanges(position=1), annotator="ana", expected_version=1
        )
    with pytest.raises(ConflictError, match=r"changed by ana .* \(now version 2: position \+1"):
        with transaction(engine) as session:
            update_stance(
                session, stance_id, StanceChanges(position=-2), annotator="bo", expected_version=1
            )
    with transaction(engine) as session:
        stance = session.get(Stance, stance_id)
        assert stance is not None and stance.position == 1


def test_concurrent_edits_never_overwrite_silently(engine: Engine) -> None:
    """Two sessions load version 1; the second flush is refused by the version column."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs one write transaction at a time (BEGIN IMMEDIATE)")
    with transaction(engine) as session:
        stance_id = make_stance(session).id
    first = transaction(engine)
    s1 = first.__enter__()
    s1.get(Stance, stance_id)  # loaded before the other analyst commits
    with transaction(engine) as s2:
        update_stance(s2, stance_id, StanceChanges(note="bo's"), annotator="bo", expected_version=1)
    with pytest.raises(ConflictError):
        try:
            update_stance(
                s1, stance_id, StanceChanges(note="ana's"), annotator="ana", expected_version=1
            )
        finally:
            first.__exit__(None, None, None)
    with transaction(engine) as session:
        assert session.get(Stance, stance_id).note == "bo's"  # type: ignore[union-attr]


def test_editing_the_quote_relocates_it(session: Session) -> None:
    stance = make_stance(session, source=make_source(session, ARTICLE))
    update_stance(
        session,
        stance.id,
        StanceChanges(quote="ruled out the deployment"),
        annotator="ana",
        expected_version=1,
    )
    assert ARTICLE[stance.quote_start : stance.quote_end] == "ruled out the deployment"
    with pytest.raises(TrackerError, match="not in the text"):
        update_stance(
            session,
            stance.id,
            StanceChanges(quote="invented words"),
            annotator="ana",
            expected_version=2,
        )


def test_an_edit_that_changes_nothing_adds_no_event(session: Session) -> None:
    stance = make_stance(session, annotator="ana")
    update_stance(session, stance.id, StanceChanges(), annotator="ana", expected_version=1)
    events = session.scalars(select(StanceEvent).where(StanceEvent.stance_id == stance.id)).all()
    assert [e.action for e in events] == ["create"]


@pytest.fixture
def populated(session: Session) -> Session:
    ukraine = make_actor(session, "Ukraine", kind="state")
    russia = make_actor(session, "Russia", kind="state", aliases=["Moscow", "the Kremlin"])
    zelensky = make_actor(session, "Volodymyr Zelenskyy", party=ukraine, aliases=["Zelensky"])
    ceasefire = make_issue(session, "ceasefire-first")
    troops = make_issue(session, "troop-deployments")
    source = make_source(session, ARTICLE)

    def add(actor: Actor, issue: Issue, day: int, status: str = "accepted") -> Stance:
        return record_stance(
            session,
            actor=actor,
            issue=issue,
            source=source,
            position=1,
            quote="Kyiv",
            annotator="ana",
            stated_on=dt.date(2025, 8, day),
            status=status,
        )

    add(zelensky, ceasefire, 13)
    add(ukraine, troops, 14)
    add(russia, troops, 18)
    add(zelensky, troops, 20, status="suggested")
    return session


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (StanceFilter(), 4),
        (StanceFilter(actor="zelensky"), 2),  # alias, any case
        (StanceFilter(actor="the kremlin"), 1),
        (StanceFilter(party="Ukraine"), 3),  # the party's own and its members' stances
        (StanceFilter(issue="troop-deployments"), 3),
        (StanceFilter(status="suggested"), 1),
        (StanceFilter(since=dt.date(2025, 8, 14), until=dt.date(2025, 8, 18)), 2),
        (StanceFilter(party="Ukraine", issue="troop-deployments", status="accepted"), 1),
    ],
)
def test_list_filters(populated: Session, flt: StanceFilter, expected: int) -> None:
    assert len(list_stances(populated, flt)) == expected


def test_list_is_ordered_by_date_and_unknown_names_are_errors(populated: Session) -> None:
    dates = [s.stated_on for s in list_stances(populated, StanceFilter())]
    assert dates == sorted(dates)
    with pytest.raises(TrackerError, match="unknown actor 'Zelenskyyy'; did you mean"):
        list_stances(populated, StanceFilter(actor="Zelenskyyy"))
    with pytest.raises(TrackerError, match="is after"):
        list_stances(populated, StanceFilter(since=dt.date(2025, 9, 1), until=dt.date(2025, 8, 1)))


def test_one_stance_per_actor_issue_and_passage(session: Session) -> None:
    source = make_source(session, ARTICLE)
    first = make_stance(session, source=source, quote="ceasefire first")
    with pytest.raises(TrackerError, match=f"stance #{first.id} already records"):
        make_stance(
            session,
            source=source,
            quote="ceasefire first",
            actor=first.actor,
            issue=first.issue,
            position=-1,
        )
    other = make_stance(
        session, source=source, quote="ruled out", actor=first.actor, issue=first.issue
    )
    with pytest.raises(TrackerError, match="already records"):
        update_stance(
            session,
            other.id,
            StanceChanges(quote="ceasefire first"),
            annotator="ana",
            expected_version=1,
        )


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's planner has no statistics")
def test_a_page_of_stances_walks_a_date_index(session: Session) -> None:
    """The Stances page opens on accepted stances, oldest first, a page at a time. Nine
    stances in ten are accepted: found through the status index and then sorted, a page
    took ~1 s at a million stances; walked in date order it stops after one page. The few
    suggested or rejected stances are still found through the status index."""

    make_issue(session, "ceasefire-first")

    def plan(status: str, issue: str | None = None) -> str:
        flt = StanceFilter(status=status, issue=issue)
        query = records_query(session, flt).limit(201)
        sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        return " | ".join(row[3] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql)))

    accepted = plan("accepted")
    assert "ix_stance_stated_on" in accepted and "ix_stance_status" not in accepted
    assert "TEMP B-TREE FOR ORDER BY" not in accepted
    assert "ix_stance_status" in plan("suggested")
    # Filtered to one issue (a fifth of the stances, or more): that issue's stances in date
    # order, not all of them sorted (~2 s a page at a million stances).
    for status in ("accepted", "suggested"):
        one_issue = plan(status, "ceasefire-first")
        assert "ix_stance_issue_stated" in one_issue, one_issue
        assert "TEMP B-TREE FOR ORDER BY" not in one_issue


def test_positions_are_written_as_analysts_write_them() -> None:
    """Headers and lists say -2 … +2, and a neutral stance 0, never "+0"."""
    assert [signed(p) for p in (-2, -1, 0, 1, 2)] == ["-2", "-1", "0", "+1", "+2"]
