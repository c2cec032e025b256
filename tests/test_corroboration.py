"""The export's set-based corroboration gives the per-stance definition's numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_issue, make_source, make_stance
from tracker import stance_csv
from tracker.corroboration import corroboration_counts
from tracker.errors import TrackerError
from tracker.models import Issue, Source, Stance
from tracker.sources import mark_duplicate
from tracker.stance_csv import export_stances
from tracker.stance_query import StanceFilter, stance_records

DAY = dt.date(2025, 8, 13)


def _exported(session: Session, flt: StanceFilter) -> dict[int, int]:
    out = io.StringIO(newline="")
    export_stances(session, flt, out)
    rows = csv.DictReader(io.StringIO(out.getvalue()))
    return {int(r["stance_id"]): int(r["corroboration"]) for r in rows}


def _per_stance(session: Session, flt: StanceFilter) -> dict[int, int]:
    """The definition: a correlated subquery for each stance (tracker.corroboration)."""
    return {r["stance_id"]: r["corroboration"] for r in stance_records(session, flt)}


def _neighbourhood(session: Session) -> dict[str, int]:
    """Stances around DAY: rewrites, both window edges, other signs, statuses and actors."""
    actor, other_actor, issue = make_actor(session), make_actor(session), make_issue(session)
    story = make_source(session, published_on=DAY)
    rewrite = make_source(session, published_on=DAY)
    mark_duplicate(session, rewrite, story)
    ids: dict[str, int] = {}

    def add(name: str, offset: int, position: int = 2, **kwargs: object) -> None:
        source = kwargs.pop("source", None) or make_source(session)
        stance = make_stance(
            session,
            actor=kwargs.pop("actor", actor),
            issue=issue,
            source=source,
            position=position,
            stated_on=DAY + dt.timedelta(days=offset),
            **kwargs,
        )
        ids[name] = stance.id

    add("base", 0, source=story)
    add("rewrite same day", 0, 1, source=rewrite)  # the same story: counts once
    add("rewrite a week on", 7, 1, source=rewrite, quote="ceasefire first")
    add("edge before", -7)
    add("outside before", -8)
    add("edge after", 7)
    add("outside after", 8)
    add("other sign", 1, -1)
    add("neutral", 2, 0)
    add("neutral too", 3, 0)
    add("suggested", 1, status="suggested")  # counts itself only
    add("suggested on the story", 2, source=story, quote="ceasefire first", status="suggested")
    add("rejected alone", 30, status="rejected")
    add("another actor", 0, actor=other_actor)
    add("two in one source", 5, quote="there should be")
    return ids


@pytest.mark.parametrize(
    "flt",
    [
        StanceFilter(),
        StanceFilter(status="suggested"),
        StanceFilter(status="accepted"),
        StanceFilter(since=DAY, until=DAY + dt.timedelta(days=2)),
        StanceFilter(since=DAY + dt.timedelta(days=7)),
        StanceFilter(until=DAY - dt.timedelta(days=7)),
    ],
    ids=["all", "suggested", "accepted", "three days", "since the edge", "until the edge"],
)
def test_export_counts_what_the_per_stance_definition_counts(
    session: Session, flt: StanceFilter
) -> None:
    ids = _neighbourhood(session)
    expected = _per_stance(session, flt)
    assert _exported(session, flt) == expected
    if flt == StanceFilter():
        # Hand-checked: base, its rewrite, both edges and the stance 5 days on.
        assert expected[ids["base"]] == 4
        assert expected[ids["outside before"]] == 2  # itself and the edge before
        assert expected[ids["suggested"]] == 5
        assert expected[ids["suggested on the story"]] == 4
        assert expected[ids["rejected alone"]] == 1
        assert expected[ids["neutral"]] == 2


@pytest.mark.parametrize(
    "flt",
    [
        StanceFilter(statuses=["suggested"]),
        StanceFilter(min_confidence=0.9),
        StanceFilter(attributions=["paraphrase"]),
    ],
    ids=["statuses", "confidence", "attribution"],
)
def test_a_narrower_view_counts_every_neighbour(session: Session, flt: StanceFilter) -> None:
    """The dashboard's download passes its page's filters: they choose the rows, not the
    stances that corroborate them (a low-confidence or paraphrased stance still counts)."""
    _neighbourhood(session)
    session.execute(update(Stance).where(Stance.id % 2 == 0).values(confidence=0.5))
    session.execute(
        update(Stance).values(
            attribution=case((Stance.id % 2 == 1, "paraphrase"), else_="on_record")
        )
    )
    expected = _per_stance(session, flt)
    assert expected and any(count > 1 for count in expected.values())
    assert _exported(session, flt) == expected


@pytest.mark.parametrize("flt", [StanceFilter(), StanceFilter(since=DAY)], ids=["all", "since"])
def test_export_counts_across_batches(
    session: Session, monkeypatch: pytest.MonkeyPatch, flt: StanceFilter
) -> None:
    """Rows come in batches and the window reads its neighbours a week ahead of the lines
    written: with batches of two rows, the lookahead crosses many of them."""
    _neighbourhood(session)
    monkeypatch.setattr(stance_csv, "_STREAM", 2)
    assert _exported(session, flt) == _per_stance(session, flt)


@pytest.mark.parametrize("days", ["0", "1", "8", "366"])
def test_export_follows_the_configured_window(
    session: Session, monkeypatch: pytest.MonkeyPatch, days: str
) -> None:
    _neighbourhood(session)
    monkeypatch.setenv("TRACKER_CORROBORATION_DAYS", days)
    assert _exported(session, StanceFilter()) == _per_stance(session, StanceFilter())


def test_export_of_an_actor_counts_its_neighbours_only(session: Session) -> None:
    _neighbourhood(session)
    actor = make_actor(session, "Lone actor")
    make_stance(session, actor=actor, stated_on=DAY)
    flt = StanceFilter(actor="Lone actor")
    assert _exported(session, flt) == _per_stance(session, flt)
    assert list(_exported(session, flt).values()) == [1]


@pytest.mark.parametrize("days", ["0", "7", "366"])
def test_a_batch_of_listed_stances_counts_what_the_definition_counts(
    session: Session, monkeypatch: pytest.MonkeyPatch, days: str
) -> None:
    """The report's count for the stances it shows (corroboration_counts), any subset."""
    _neighbourhood(session)
    monkeypatch.setenv("TRACKER_CORROBORATION_DAYS", days)
    rows = [
        dict(r._mapping)
        for r in session.execute(
            select(
                Stance.id.label("stance_id"),
                Stance.actor_id,
                Stance.issue_id,
                Stance.stated_on,
                Stance.position,
                Stance.source_id,
                Source.duplicate_of,
            ).join(Source, Source.id == Stance.source_id)
        )
    ]
    expected = _per_stance(session, StanceFilter())
    assert corroboration_counts(session, rows) == expected
    some = rows[::3]
    assert corroboration_counts(session, some) == {
        r["stance_id"]: expected[r["stance_id"]] for r in some
    }


def test_an_export_refuses_issue_ids_its_window_cannot_tell_apart(session: Session) -> None:
    """The window counts by one integer per actor, issue and sign; an issue id that could
    share one with another pair stops the export instead of miscounting."""
    issue = make_issue(session, "far-issue")
    session.execute(update(Issue).where(Issue.id == issue.id).values(id=1 << 21))
    session.expire_all()
    with pytest.raises(TrackerError, match="issue id 2097152 is too large"):
        _exported(session, StanceFilter())
