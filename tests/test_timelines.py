"""Series, shifts, roll-ups, matrix and gaps on hand-built cases, on both databases."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.factories import make_actor, make_issue, make_source
from tracker.analysis import cell_stances
from tracker.cli import app
from tracker.errors import TrackerError
from tracker.models import Stance
from tracker.sources import mark_duplicate
from tracker.stances import record_stance
from tracker.timelines import (
    EvidenceNotRead,
    SeriesFilter,
    busiest_actors,
    day_positions,
    find_shifts,
    gap_between,
    is_shift,
    party_rollup,
    positions_matrix,
    series,
    shifts,
    shifts_with_evidence,
    with_evidence,
)

TEXT = " ".join(f"Sentence {n}." for n in range(1, 200))
D = dt.date(2025, 8, 1)
Add = Callable[..., Stance]


@pytest.fixture
def world(session: Session) -> dict[str, object]:
    ukraine = make_actor(session, "Ukraine", kind="state")
    russia = make_actor(session, "Russia", kind="state")
    return {
        "ukraine": ukraine,
        "russia": russia,
        "zelenskyy": make_actor(session, "Zelenskyy", party=ukraine),
        "office": make_actor(session, "President's office", kind="government", party=ukraine),
        "issue": make_issue(session, "ceasefire-first"),
        "source": make_source(session, TEXT, title="Original"),
        "rewrite": make_source(session, TEXT + " Rewritten.", title="Rewrite"),
        "other": make_source(session, TEXT + " Other story.", title="Other"),
    }


@pytest.fixture
def add(session: Session, world: dict[str, object]) -> Add:
    counter = iter(range(1, 199))

    def add(
        actor: str,
        day: int,
        position: int,
        *,
        source: str = "source",
        status: str = "accepted",
        confidence: float = 1.0,
    ) -> Stance:
        return record_stance(
            session,
            actor=world[actor],
            issue=world["issue"],
            source=world[source],  # type: ignore[arg-type]
            position=position,
            quote=f"Sentence {next(counter)}.",
            annotator="ana",
            stated_on=D + dt.timedelta(days=day),
            status=status,
            confidence=confidence,
        )

    return add


def positions(session: Session, actor: str | None = None) -> list[tuple[int, float, int]]:
    flt = SeriesFilter(issue="ceasefire-first", actors=(actor,) if actor else ())
    return [((p.day - D).days, p.position, p.stances) for p in day_positions(session, flt)]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (1, -1, True),
        (2, 0, True),
        (-2, 0, True),
        (1, 0, False),
        (0, -1, False),
        (-1, 1, True),
        (2, 1, False),
        (0.5, -0.5, True),
        (0.4, -0.4, False),  # neutral both days, as the labels read them
        (-1 / 3, 1 / 3, False),
        (0, 0, False),
    ],
)
def test_what_counts_as_a_shift(before: float, after: float, expected: bool) -> None:
    assert is_shift(before, after) is expected


def test_a_shift_between_means_is_named_by_labels_that_differ(
    session: Session, add: Add, world: dict[str, object]
) -> None:
    """Two stances a day: means of -0.5 then +0.5. The report's headline named both
    "neutral", because round() took halves to 0."""
    from tracker.report import build_report, span_period

    add("zelenskyy", 0, -1)
    add("zelenskyy", 0, 0, source="other")
    add("zelenskyy", 1, 1)
    add("zelenskyy", 1, 0, source="other")
    report = build_report(session, span_period(D, D + dt.timedelta(days=1)), charts=False)
    (shift,) = report.shifts
    assert (shift.from_position, shift.to_position) == (-0.5, 0.5)
    assert shift.from_label != shift.to_label
    assert (shift.from_label, shift.to_label) == (
        world["issue"].label(-1),  # type: ignore[attr-defined]
        world["issue"].label(1),  # type: ignore[attr-defined]
    )
    from tracker.cli.timelines import _record  # what `tracker shifts` prints

    record = _record(session, report.found_shifts[0])
    assert (record["from"]["label"], record["to"]["label"]) == (
        shift.from_label,
        shift.to_label,
    )


def test_a_position_per_day_and_shifts_between_days(session: Session, add: Add) -> None:
    add("zelenskyy", 0, 2)
    add("zelenskyy", 5, 1)
    add("zelenskyy", 9, -1)
    assert positions(session) == [(0, 2.0, 1), (5, 1.0, 1), (9, -1.0, 1)]
    found = shifts(session, SeriesFilter(issue="ceasefire-first"))
    assert [((s.before.day - D).days, (s.day - D).days) for s in found] == [(5, 9)]
    assert found[0].before.quote and found[0].after.quote != found[0].before.quote


def test_ties_on_the_same_day_are_averaged(session: Session, add: Add) -> None:
    first = add("zelenskyy", 0, 2, confidence=0.6)
    add("zelenskyy", 0, -1, source="other", confidence=0.9)
    add("zelenskyy", 3, -2)
    (day0, day3) = day_positions(session, SeriesFilter(issue="ceasefire-first"))
    assert (day0.position, day0.stances) == (0.5, 2)
    # Both are 1.5 from the mean: the more confident one represents the day.
    assert day0.stance_id != first.id and day0.confidence == 0.9
    (shift,) = find_shifts([day0, day3])
    assert (shift.before.position, shift.after.position) == (0.5, -2.0)


def test_retracted_and_unconfident_stances_do_not_count(session: Session, add: Add) -> None:
    add("zelenskyy", 0, 2)
    add("zelenskyy", 1, -2, status="rejected")
    add("zelenskyy", 2, -2, status="suggested")
    add("zelenskyy", 3, -2, confidence=0.2)
    add("zelenskyy", 4, 2)
    assert positions(session) == [(0, 2.0, 1), (3, -2.0, 1), (4, 2.0, 1)]
    confident = SeriesFilter(issue="ceasefire-first", min_confidence=0.5)
    assert [p.position for p in day_positions(session, confident)] == [2.0, 2.0]
    assert shifts(session, confident) == []
    with_suggested = SeriesFilter(
        issue="ceasefire-first", statuses=("accepted", "suggested"), min_confidence=0.5
    )
    assert [p.position for p in day_positions(session, with_suggested)] == [2.0, -2.0, 2.0]


def test_a_story_and_its_rewrite_count_once(
    session: Session, add: Add, world: dict[str, object]
) -> None:
    mark_duplicate(session, world["rewrite"], world["source"])  # type: ignore[arg-type]
    original = add("zelenskyy", 0, 2)
    add("zelenskyy", 0, -2, source="rewrite")  # the rewrite read differently: still one story
    add("zelenskyy", 0, 1, source="other")  # an independent source counts
    (day,) = day_positions(session, SeriesFilter(issue="ceasefire-first"))
    assert day.stances == 2 and day.position == 1.5
    assert original.source_id != world["rewrite"].id  # type: ignore[attr-defined]


def test_two_passages_of_one_article_both_count(
    session: Session, add: Add, world: dict[str, object]
) -> None:
    """One article quoting the actor twice on a day gives the mean of both stances; the
    rewrite carrying the same passages again adds nothing."""
    mark_duplicate(session, world["rewrite"], world["source"])  # type: ignore[arg-type]
    add("zelenskyy", 0, -1)
    add("zelenskyy", 0, 0)
    add("zelenskyy", 0, -1, source="rewrite")
    (day,) = day_positions(session, SeriesFilter(issue="ceasefire-first"))
    assert day.stances == 2 and day.position == -0.5


def test_a_rewrite_coded_first_does_not_hide_the_originals_passages(
    session: Session, add: Add, world: dict[str, object]
) -> None:
    """The rewrite's passage recorded before the original's two: the original still counts
    (it stood aside for the rewrite, and its second passage vanished)."""
    mark_duplicate(session, world["rewrite"], world["source"])  # type: ignore[arg-type]
    add("zelenskyy", 0, -1, source="rewrite")
    add("zelenskyy", 0, -1)
    add("zelenskyy", 0, 1)
    (day,) = day_positions(session, SeriesFilter(issue="ceasefire-first"))
    assert day.stances == 2 and day.position == 0


def test_shifts_filtered_by_dates_party_and_actor(session: Session, add: Add) -> None:
    add("zelenskyy", 0, 2)
    add("zelenskyy", 10, -2)
    add("russia", 0, -2)
    add("russia", 20, 1)
    every = shifts(session, SeriesFilter())
    assert [(s.actor, (s.day - D).days) for s in every] == [("Zelenskyy", 10), ("Russia", 20)]
    later = SeriesFilter(since=D + dt.timedelta(days=5))  # the earlier day may be before it
    assert len(shifts(session, later)) == 2
    assert [s.actor for s in shifts(session, SeriesFilter(parties=("Ukraine",)))] == ["Zelenskyy"]
    assert [s.actor for s in shifts(session, SeriesFilter(actors=("Russia",)))] == ["Russia"]
    until = SeriesFilter(until=D + dt.timedelta(days=15))
    assert [s.actor for s in shifts(session, until)] == ["Zelenskyy"]


def test_party_rollup_shows_how_it_was_derived(session: Session, add: Add) -> None:
    add("zelenskyy", 0, 2)
    add("office", 2, 0)
    add("ukraine", 3, 1)
    add("office", 120, -2)
    rollup = party_rollup(session, "Ukraine", "ceasefire-first", window_days=90)
    summary = [
        ((p.day - D).days, p.position, sorted(d.actor for d in p.derived_from)) for p in rollup
    ]
    assert summary == [
        (0, 2.0, ["Zelenskyy"]),
        (2, 1.0, ["President's office", "Zelenskyy"]),
        (3, 1.0, ["President's office", "Ukraine", "Zelenskyy"]),
        (120, -2.0, ["President's office"]),  # the others fell out of the 90-day window
    ]
    wide = party_rollup(session, "Ukraine", "ceasefire-first", window_days=365)
    assert wide[-1].position == pytest.approx((2 + 1 - 2) / 3, abs=1e-4)


def test_matrix_as_of_a_date_with_changes(session: Session, add: Add) -> None:
    add("zelenskyy", 0, 2)
    add("zelenskyy", 40, -1)
    add("russia", 0, -2)
    cells = {
        (c.actor, c.issue): c
        for c in positions_matrix(session, D + dt.timedelta(days=45), change_days=30)
    }
    z = cells[("Zelenskyy", "ceasefire-first")]
    assert (z.position, z.previous, z.change) == (-1.0, 2.0, -3.0)
    r = cells[("Russia", "ceasefire-first")]
    assert (r.position, r.change) == (-2.0, 0.0)
    early = positions_matrix(session, D + dt.timedelta(days=10))
    assert {c.actor: c.position for c in early} == {"Zelenskyy": 2.0, "Russia": -2.0}


def test_a_pair_first_seen_in_the_window_still_shows_its_move(session: Session, add: Add) -> None:
    """Russia -2 then +2, both inside the 30-day window: the flip had no arrow, the cell
    only said "new in the window"."""
    add("russia", 20, -2)
    add("russia", 24, 2)
    add("zelenskyy", 22, 1)
    cells = {c.actor: c for c in positions_matrix(session, D + dt.timedelta(days=40))}
    russia, zelenskyy = cells["Russia"], cells["Zelenskyy"]
    assert (russia.previous, russia.change, russia.new_in_window) == (-2.0, 4.0, True)
    assert (zelenskyy.change, zelenskyy.new_in_window) == (None, True)  # one position: new
    from tracker.charts import change_text

    assert change_text(russia) == "new in the window, then +4"
    assert change_text(zelenskyy) == "new in the window"


def test_an_actor_on_both_sides_of_a_gap_is_refused(session: Session, add: Add) -> None:
    add("zelenskyy", 0, 2)
    with pytest.raises(TrackerError, match="Ukraine is on both sides"):
        gap_between(session, "ceasefire-first", ["Ukraine", "Russia"], ["ukraine"])
    # A member counts with its party: Zelenskyy on side B would be compared with himself.
    with pytest.raises(
        TrackerError, match=r"Zelenskyy is counted on both sides \(side A through Ukraine"
    ):
        gap_between(session, "ceasefire-first", ["Ukraine"], ["Russia", "Zelenskyy"])


def test_stances_behind_a_matrix_cell_follow_the_matrix_filters(
    session: Session, world: dict[str, object], add: Add
) -> None:
    add("zelenskyy", 0, 2)
    add("zelenskyy", 5, -1, confidence=0.3)
    add("zelenskyy", 6, 1, status="suggested")
    add("office", 7, 1)
    anonymous = record_stance(
        session,
        actor=world["zelenskyy"],  # type: ignore[arg-type]
        issue=world["issue"],  # type: ignore[arg-type]
        source=world["other"],  # type: ignore[arg-type]
        position=2,
        quote="Other story.",
        annotator="ana",
        stated_on=D + dt.timedelta(days=8),
        attribution="anonymous_source",
    )
    as_of = D + dt.timedelta(days=30)

    def behind(row: str, flt: SeriesFilter, *, parties: bool = False, day: dt.date = as_of):
        return [
            ((dt.date.fromisoformat(r["stated_on"]) - D).days, r["actor"])
            for r in cell_stances(
                session, row, "ceasefire-first", parties=parties, as_of=day, flt=flt
            )
        ]

    accepted = SeriesFilter()
    assert behind("Zelenskyy", accepted) == [(0, "Zelenskyy"), (5, "Zelenskyy"), (8, "Zelenskyy")]
    assert behind("Zelenskyy", SeriesFilter(min_confidence=0.5)) == [
        (0, "Zelenskyy"),
        (8, "Zelenskyy"),
    ]
    both = SeriesFilter(statuses=("accepted", "suggested"))
    assert [d for d, _ in behind("Zelenskyy", both)] == [0, 5, 6, 8]
    only_anonymous = SeriesFilter(attributions=("anonymous_source",))
    assert behind("Zelenskyy", only_anonymous) == [(8, "Zelenskyy")]
    assert anonymous.attribution == "anonymous_source"
    assert behind("Ukraine", accepted, parties=True) == [
        (0, "Zelenskyy"),
        (5, "Zelenskyy"),
        (7, "President's office"),
        (8, "Zelenskyy"),
    ]
    assert behind("Zelenskyy", accepted, day=D + dt.timedelta(days=4)) == [(0, "Zelenskyy")]


def test_gap_between_two_sides(session: Session, add: Add) -> None:
    add("zelenskyy", 0, 2)
    add("russia", 1, -2)
    add("russia", 10, 0)
    gap = gap_between(session, "ceasefire-first", ["Ukraine"], ["Russia"])
    assert [((g.day - D).days, g.side_a, g.side_b, g.gap) for g in gap] == [
        (0, 2.0, None, None),
        (1, 2.0, -2.0, 4.0),
        (10, 2.0, 0.0, 2.0),
    ]


def test_shifts_command_on_the_demo(demo_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["--db", demo_url, "shifts", "--issue", "ceasefire-first", "--json"]
    )
    assert result.exit_code == 0, result.output
    (trump,) = [s for s in json.loads(result.stdout) if s["actor"] == "Donald Trump"]
    assert (trump["from"]["date"], trump["to"]["date"]) == ("2025-08-13", "2025-08-18")
    assert "expressed his support for that" in trump["from"]["quote"]
    assert "while the fighting continued" in trump["to"]["quote"]
    assert trump["to"]["label"].startswith("Talks while fighting continues")
    text = runner.invoke(app, ["--db", demo_url, "shifts", "--actor", "Trump"])
    assert "Donald Trump on ceasefire-first" in text.output
    none = runner.invoke(app, ["--db", demo_url, "shifts", "--until", "2020-01-01"])
    assert "No shifts" in none.output
    bad = runner.invoke(app, ["--db", demo_url, "shifts", "--party", "Atlantis"])
    assert bad.exit_code == 2 and "unknown actor 'Atlantis'" in bad.stderr


def test_a_series_reads_its_days_and_shifts_once(session: Session) -> None:
    """`series` gives what day_positions and shifts give separately, from one read; a
    shift at the start of the dates moves from the day before them."""
    actor, issue = make_actor(session, "Speaker"), make_issue(session, "one-issue")
    for day, position in ((1, 2), (5, -2), (9, -1)):
        record_stance(
            session,
            actor=actor,
            issue=issue,
            source=make_source(session, published_on=dt.date(2025, 8, day)),
            position=position,
            quote="there should be a ceasefire first",
            annotator="ana",
        )
    for since in (None, dt.date(2025, 8, 4)):
        flt = SeriesFilter(issue="one-issue", since=since)
        points, found = series(session, flt)
        assert points == day_positions(session, flt)
        assert found == shifts(session, flt)
    points, found = series(session, SeriesFilter(issue="one-issue", since=dt.date(2025, 8, 4)))
    assert [p.day.day for p in points] == [5, 9]
    assert [(s.before.day.day, s.after.day.day) for s in found] == [(1, 5)]


def test_busiest_actors_most_days_first(session: Session) -> None:
    issue = make_issue(session, "busy")
    actors = [make_actor(session, f"Voice {n}") for n in range(4)]
    for n, actor in enumerate(actors):
        for day in range(1, n + 2):  # Voice 3 speaks on 4 days, Voice 0 on 1
            record_stance(
                session,
                actor=actor,
                issue=issue,
                source=make_source(session, published_on=dt.date(2025, 8, day)),
                position=1,
                quote="there should be a ceasefire first",
                annotator="ana",
            )
    top, speakers = busiest_actors(session, SeriesFilter(issue="busy"), 2)
    assert top == [actors[3].id, actors[2].id] and speakers == 4


def test_positions_first_and_the_evidence_of_the_days_asked_for(
    session: Session, add: Add, world: dict[str, object]
) -> None:
    """A chart reads positions alone and then the quotes of the days it draws: the same
    days and the same evidence as reading everything at once. An unread day refuses to
    show a quote rather than show an empty one."""
    add("zelenskyy", 0, 2)
    add("zelenskyy", 3, -1, source="other")
    add("russia", 1, -2)
    flt = SeriesFilter(issue="ceasefire-first")
    full = day_positions(session, flt)
    bare = day_positions(session, flt, evidence=False)
    assert [(p.actor, p.day, p.position, p.stance_id) for p in bare] == [
        (p.actor, p.day, p.position, p.stance_id) for p in full
    ]
    assert all(p.evidence is None for p in bare)
    with pytest.raises(EvidenceNotRead, match="Zelenskyy's day 2025-08-01"):
        print(bare[-2].quote)
    assert with_evidence(session, bare) == full
    assert with_evidence(session, bare[1:2]) == full[1:2]  # only the days asked for
    assert full[-1].source_title == "Other" and full[-1].quote == "Sentence 2."
    points, found = series(session, flt, evidence=False)
    (shift,) = shifts_with_evidence(session, found)
    assert (shift.before.quote, shift.after.quote) == ("Sentence 1.", "Sentence 2.")
    assert shift.after.corroboration == 1
    assert shifts(session, flt) == shifts_with_evidence(session, found, corroboration=False)
