"""The weekly stance report: what moved, what was said, where each party stands.

This module gathers the facts (every sentence of the report traces to stances in the
database); tracker.report_render turns them into Markdown, HTML and PDF. Only accepted
stances count, and a story and its rewrites count once (the rules of tracker.timelines).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from tracker.corroboration import corroboration_counts
from tracker.errors import TrackerError
from tracker.evidence import evidence_line, evidence_text
from tracker.gc_pause import collector_paused
from tracker.models import Actor, Issue, PositionDay, Source, Stance, StanceStatus, scale_point
from tracker.stance_query import StanceFilter, records_query
from tracker.text import name_order
from tracker.timelines import (
    DEFAULT_ROLLUP_DAYS,
    DayPosition,
    SeriesFilter,
    Shift,
    counted_stances,
    day_positions,
    find_shifts,
    latest_days,
    shifts_with_evidence,
)

QUIET_AFTER_DAYS = 60
NEW_STANCES_PER_PARTY = 8  # per issue; the rest are counted, and are in the CSV export
SOURCES_LISTED = 30
CHART_ACTORS = 8  # lines per chart: more is a tangle nobody reads
# The charts show the quarter before the period's end (the matrix's roll-up looks back 90
# days): over a year, the week's shifts were the last few pixels of the image.
CHART_DAYS = 91
_WEEK = re.compile(r"^(\d{4})-W(\d{1,2})$")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    label: str

    @property
    def is_week(self) -> bool:
        return _WEEK.match(self.label.removesuffix(" so far")) is not None

    @property
    def title(self) -> str:
        dates = f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"
        return f"{self.label}: {dates}" if self.is_week else dates  # a span's label is dates

    @property
    def heading(self) -> str:
        return "Weekly stance report" if self.is_week else "Stance report"

    @property
    def noun(self) -> str:
        """What the report's sentences call the period: "this week", "this period"."""
        return "week" if self.is_week else "period"


def week_period(week: str, *, today: dt.date | None = None) -> Period:
    """An ISO week (``2025-W34``), ``last`` (the last full week before today) or ``this``
    (this week so far, Monday to today: Friday's report). A week that has not begun is
    refused: it has nothing to report."""
    today = today or dt.date.today()
    if week.strip().lower() in ("last", "this"):
        back = 7 if week.strip().lower() == "last" else 0
        monday = today - dt.timedelta(days=today.isoweekday() - 1 + back)
        year, number, _ = monday.isocalendar()
        period = week_period(f"{year}-W{number:02d}", today=today)
        if back:
            return period
        return Period(monday, today, f"{period.label} so far")
    match = _WEEK.match(week.strip().upper())
    if not match:
        # Worded for both the dashboard's Week box and the command's --week.
        raise TrackerError(
            f"week {week!r}: use an ISO week such as 2025-W34, 'last' or 'this' (so far)"
        )
    year, number = int(match[1]), int(match[2])
    if not _YEARS[0] <= year <= _YEARS[1]:
        raise TrackerError(f"week {week!r}: choose a year from {_YEARS[0]} to {_YEARS[1]}")
    try:
        monday = dt.date.fromisocalendar(year, number, 1)
    except ValueError:
        raise TrackerError(f"week {week!r}: {year} has no week {number}") from None
    period = Period(monday, monday + dt.timedelta(days=6), f"{year}-W{number:02d}")
    _check_reportable(period, today)
    return period


def span_period(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> Period:
    if start > end:
        raise TrackerError(f"the period's start {start} is after its end {end}")
    period = Period(start, end, f"{start.isoformat()} to {end.isoformat()}")
    _check_reportable(period, today or dt.date.today())
    return period


# Reports look back a year (charts) before the period: years far outside the news
# overflowed Python's dates (a traceback for 9999-W52 and 0001-W01).
_YEARS = (1900, 2999)


def _check_reportable(period: Period, today: dt.date) -> None:
    if not (_YEARS[0] <= period.start.year and period.end.year <= _YEARS[1]):
        raise TrackerError(
            f"the period {period.label}: choose dates from {_YEARS[0]} to {_YEARS[1]}"
        )
    if period.start > today:
        raise TrackerError(
            f"the period {period.label} starts on {period.start}, after today ({today}): "
            "it has nothing to report yet"
        )


@dataclass
class ShiftItem:
    actor: str
    party: str
    issue: str
    issue_name: str
    day: dt.date
    from_label: str
    to_label: str
    from_position: float
    to_position: float
    headline: str
    before: dict[str, Any]
    after: dict[str, Any]


@dataclass
class MatrixRow:
    party: str
    cells: list[dict[str, Any]]  # per issue: position, label, arrow, members


@dataclass
class Report:
    period: Period
    generated_at: dt.datetime
    issues: list[dict[str, Any]]  # slug, name, labels, in taxonomy order
    shifts: list[ShiftItem] = field(default_factory=list)
    new_stances: list[dict[str, Any]] = field(default_factory=list)  # per issue, per party
    matrix: list[MatrixRow] = field(default_factory=list)
    series: dict[str, tuple[list[DayPosition], list[Shift]]] = field(default_factory=dict)
    sources_published: list[dict[str, Any]] = field(default_factory=list)  # the first few
    sources_published_total: int = 0
    sources_ingested: int = 0
    review_queue: int = 0
    quiet_actors: list[dict[str, Any]] = field(default_factory=list)
    unheard_actors: list[str] = field(default_factory=list)  # no accepted stance yet
    stance_count: int = 0
    found_shifts: list[Shift] = field(default_factory=list)  # the shifts behind ``shifts``
    charted: bool = False  # series read: the report can be drawn with its charts

    @property
    def empty(self) -> bool:
        return not self.shifts and not self.stance_count

    @property
    def moved_issues(self) -> list[str]:
        return sorted({s.issue for s in self.found_shifts})


def build_report(
    session: Session, period: Period, *, now: dt.datetime | None = None, charts: bool = True
) -> Report:
    """The report of ``period``. ``charts=False`` leaves out the timelines its images draw
    (a quarter of days of each issue that moved; the Markdown has no images):
    :func:`add_charts` reads them later."""
    # A busy week builds ~100k rows and records; in the dashboard's process, full of
    # objects, the collector's passes over them took 0.2-0.5 s of the page's run.
    with collector_paused():
        return _build_report(session, period, now=now, charts=charts)


def _build_report(
    session: Session, period: Period, *, now: dt.datetime | None, charts: bool
) -> Report:
    issues = session.scalars(select(Issue).order_by(Issue.slug)).all()
    report = Report(
        period=period,
        generated_at=now or dt.datetime.now(dt.UTC),
        issues=[{"slug": i.slug, "name": i.name, "labels": i.labels()} for i in issues],
    )
    by_slug = {i.slug: i for i in issues}
    parties = _party_of(session)
    _add_shifts(session, report, by_slug, parties)
    _add_new_stances(session, report, parties)
    _add_matrix(session, report, by_slug, parties)
    _add_coverage(session, report, parties)
    if charts:
        add_charts(session, report)
    return report


def add_charts(session: Session, report: Report) -> None:
    """Read the timelines the report's images draw (once): for each issue that moved, its
    shifts' actors over the quarter before the period's end."""
    if report.charted:
        return
    for slug in report.moved_issues:
        moved_here = [s for s in report.found_shifts if s.issue == slug]
        report.series[slug] = (_chart_points(session, slug, moved_here, report.period), moved_here)
    report.charted = True


def _party_of(session: Session) -> dict[str, str]:
    """Actor name -> the name of the party it speaks for (itself for a party)."""
    rows = session.execute(select(Actor.name, Actor.party_id, Actor.id)).all()
    names = {actor_id: name for name, _, actor_id in rows}
    return {name: names.get(party_id, name) if party_id else name for name, party_id, _ in rows}


def _label(issue: Issue, position: float) -> str:
    return issue.label(scale_point(position))


def _add_shifts(
    session: Session, report: Report, issues: dict[str, Issue], parties: dict[str, str]
) -> None:
    period = report.period
    # The period's days, each pair's last day before it (what a shift moved from):
    # never the whole archive. Evidence only for the shifts' two sides, not every day.
    week = SeriesFilter(since=period.start, until=period.end)
    points = day_positions(session, week, previous=True, evidence=False)
    in_week = [s for s in find_shifts(points) if period.start <= s.day <= period.end]
    in_week = shifts_with_evidence(session, in_week)
    # "7 Dec" is ambiguous in a span across a new year.
    day_format = "%-d %b" if period.start.year == period.end.year else "%-d %b %Y"
    for shift in in_week:
        issue = issues[shift.issue]
        before, after = shift.before, shift.after
        from_label, to_label = _label(issue, before.position), _label(issue, after.position)
        report.shifts.append(
            ShiftItem(
                actor=shift.actor,
                party=parties.get(shift.actor, shift.actor),
                issue=issue.slug,
                issue_name=issue.name,
                day=shift.day,
                from_label=from_label,
                to_label=to_label,
                from_position=before.position,
                to_position=after.position,
                headline=(
                    f"{shift.actor} moved from “{_lower_first(from_label)}” to "
                    f"“{_lower_first(to_label)}” on {issue.name} ({shift.day:{day_format}})"
                    + (f", conditional: {after.condition}." if after.conditional else ".")
                ),
                before=_evidence(before),
                after=_evidence(after),
            )
        )
    report.found_shifts = in_week


def chart_start(period: Period) -> dt.date:
    """The first day the report's charts draw: a quarter before the period's end, or the
    period's start for a longer span."""
    return min(period.start, period.end - dt.timedelta(days=CHART_DAYS))


def _chart_points(
    session: Session, slug: str, moved: list[Shift], period: Period
) -> list[DayPosition]:
    """A chart a reader can follow: the quarter before the period's end (chart_start), for
    the actors who moved (the largest moves first, at most CHART_ACTORS), with the
    position each held when it began."""
    biggest: dict[int, float] = {}
    for shift in moved:
        size = abs(shift.after.position - shift.before.position)
        biggest[shift.after.actor_id] = max(size, biggest.get(shift.after.actor_id, 0.0))
    actors = sorted(biggest, key=lambda a: -biggest[a])[:CHART_ACTORS]
    since = chart_start(period)
    return day_positions(
        session,
        SeriesFilter(issue=slug, since=since, until=period.end, actor_ids=actors),
        previous=True,
    )


def _lower_first(label: str) -> str:
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _source_name(title: str | None, source_id: int) -> str:
    """A source as the report cites it: an article stored without a title is not a blank."""
    return title or f"untitled source #{source_id}"


def _evidence(point: DayPosition) -> dict[str, Any]:
    return {
        "date": point.day,
        "quote": point.quote,
        "source_title": _source_name(point.source_title, point.source_id),
        "source_outlet": point.source_outlet,
        "source_url": point.source_url,
        "annotator": point.annotator,
        "stance_id": point.stance_id,
        "evidence": evidence_text(point),
        "conditional": point.conditional,
        "condition": point.condition,
    }


def _add_new_stances(session: Session, report: Report, parties: dict[str, str]) -> None:
    """The period's stances by issue and party: the latest few of each party in full, and
    how many more there were (a busy week has thousands; the CSV export has them all)."""
    period = report.period
    counted = counted_stances(session, SeriesFilter(since=period.start, until=period.end))
    party_id = func.coalesce(Actor.party_id, Actor.id)
    per_party = (counted.c.issue_id, party_id)
    # One pass ranks each party's stances and counts them: the window over the week's
    # counted stances is the dear part, and it was run twice (once for the counts).
    ranked = (
        select(
            counted.c.id,
            counted.c.issue_id,
            party_id.label("party_id"),
            func.row_number()
            .over(
                partition_by=per_party,
                order_by=(
                    counted.c.stated_on.desc(),
                    counted.c.confidence.desc(),
                    counted.c.id.desc(),
                ),
            )
            .label("nth"),
            func.count().over(partition_by=per_party).label("total"),
        )
        .join(Actor, Actor.id == counted.c.actor_id)
        .subquery("ranked")
    )
    shown = session.execute(
        select(ranked.c.id, ranked.c.issue_id, ranked.c.party_id, ranked.c.total).where(
            ranked.c.nth <= NEW_STANCES_PER_PARTY
        )
    ).all()
    # Every party's latest stance is shown, so the counts cover every party.
    totals = {(issue_id, pid): total for _, issue_id, pid, total in shown}
    report.stance_count = sum(totals.values())
    if not shown:
        return
    rows = [
        dict(row)
        for row in session.execute(
            records_query(session, StanceFilter(), with_corroboration=False)
            .add_columns(Stance.issue_id, Stance.actor_id, party_id.label("party_id"))
            .where(Stance.id.in_(sorted(row.id for row in shown)))
        ).mappings()
    ]
    counts = corroboration_counts(session, rows)
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    more: dict[tuple[str, str], int] = {}
    for record in rows:
        record["source_title"] = _source_name(record["source_title"], record["source_id"])
        record["corroboration"] = counts[record["stance_id"]]
        record["evidence"] = evidence_line(
            record["attribution"],
            record["reported_by"],
            bool(record["conditional"]),
            record["condition"],
            record["corroboration"],
        )
        grouped[record["issue"]][record["party"]].append(record)
        more[(record["issue"], record["party"])] = totals[(record["issue_id"], record["party_id"])]
    for issue in report.issues:
        by_party = grouped.get(issue["slug"])
        if by_party:
            report.new_stances.append(
                {
                    "issue": issue,
                    "parties": [
                        {
                            "party": p,
                            # Oldest first to read as a story; the latest were kept.
                            "stances": sorted(
                                by_party[p], key=lambda r: (r["stated_on"], r["stance_id"])
                            ),
                            "more": more[(issue["slug"], p)] - len(by_party[p]),
                        }
                        for p in sorted(by_party, key=name_order)
                    ],
                }
            )


def _add_matrix(
    session: Session, report: Report, issues: dict[str, Issue], parties: dict[str, str]
) -> None:
    """Each party's roll-up per issue as of the period's end, with the period's change."""
    end, start = report.period.end, report.period.start
    now = _rollups(session, parties, end)
    before = _rollups(session, parties, start - dt.timedelta(days=1))
    # A party with no position within the window before the period may have had an
    # older one: it restated a position then, it did not take a new one. (Read only when
    # some cell would say "new": it goes through the whole archive.)
    ever = (
        _rollups(session, parties, start - dt.timedelta(days=1), days=None)
        if now.keys() - before.keys()
        else {}
    )
    for party in sorted({party for party, _ in now}, key=name_order):
        cells = []
        for issue in report.issues:
            now_value, members = now.get((party, issue["slug"]), (None, []))
            before_value, _ = before.get((party, issue["slug"]), (None, []))
            arrow = _arrow(before_value, now_value)
            if arrow == "new" and (party, issue["slug"]) in ever:
                arrow = "restated"
            cells.append(
                {
                    "issue": issue["slug"],
                    "position": now_value,
                    "label": _label(issues[issue["slug"]], now_value)
                    if now_value is not None
                    else "",
                    "arrow": arrow,
                    "members": members,
                }
            )
        report.matrix.append(MatrixRow(party, cells))


def _rollups(
    session: Session,
    parties: dict[str, str],
    when: dt.date,
    days: int | None = DEFAULT_ROLLUP_DAYS,
) -> dict[tuple[str, str], tuple[float, list[str]]]:
    """(party, issue) -> the mean of each member's latest position within the roll-up
    window (``days``; None: ever) before ``when``, and the members it came from."""
    window = SeriesFilter(since=None if days is None else when - dt.timedelta(days=days))
    grouped: dict[tuple[str, str], list[DayPosition]] = defaultdict(list)
    for point in latest_days(session, window, when, evidence=False):
        grouped[(parties.get(point.actor, point.actor), point.issue)].append(point)
    return {
        key: (
            round(sum(p.position for p in points) / len(points), 2),
            sorted(p.actor for p in points),
        )
        for key, points in grouped.items()
    }


def _arrow(before: float | None, after: float | None) -> str:
    if before is None or after is None or before == after:
        return "new" if before is None and after is not None else ""
    return "↑" if after > before else "↓"


def _add_coverage(session: Session, report: Report, party_of: dict[str, str]) -> None:
    period = report.period
    in_period = Source.published_on.between(period.start, period.end)
    report.sources_published_total = (
        session.scalar(select(func.count()).select_from(Source).where(in_period)) or 0
    )
    report.sources_published = [
        {"id": sid, "title": _source_name(title, sid), "outlet": outlet, "published_on": published}
        for sid, title, outlet, published in session.execute(
            select(Source.id, Source.title, Source.outlet, Source.published_on)
            .where(in_period)
            .order_by(Source.published_on, Source.id)
            .limit(SOURCES_LISTED)
        )
    ]
    start = dt.datetime.combine(period.start, dt.time(), dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), dt.UTC)
    report.sources_ingested = (
        session.scalar(
            select(func.count())
            .select_from(Source)
            .where(Source.ingested_at >= start, Source.ingested_at < end)
        )
        or 0
    )
    report.review_queue = (
        session.scalar(
            select(func.count())
            .select_from(Stance)
            .where(Stance.status == StanceStatus.SUGGESTED.value)
        )
        or 0
    )
    # Accepted stances' days are kept in position_day: one seek on its (actor, issue, day)
    # index per actor and issue answers "last said", where grouping read every stored day.
    last_on_issue = (
        select(func.max(PositionDay.day))
        .where(
            PositionDay.actor_id == Actor.id,
            PositionDay.issue_id == Issue.id,
            PositionDay.day <= period.end,
        )
        .scalar_subquery()
    )
    per_issue = (
        select(Actor.id.label("actor_id"), last_on_issue.label("day"))
        .join(Issue, true())
        .cte("last_on_issue")
        .prefix_with("MATERIALIZED")  # the seeks once per pair, not per row of the grouping
    )
    last_said = func.max(per_issue.c.day)
    cutoff = period.end - dt.timedelta(days=QUIET_AFTER_DAYS)
    quiet, never = [], []
    for name, last in session.execute(
        select(Actor.name, last_said)
        .join(per_issue, per_issue.c.actor_id == Actor.id)
        .group_by(Actor.id, Actor.name)
        .having(or_(last_said < cutoff, last_said.is_(None)))
    ):
        if last is None:  # no accepted stance at all by the period's end
            never.append(name)
        else:
            last = last if isinstance(last, dt.date) else dt.date.fromisoformat(last)
            quiet.append({"actor": name, "last": last})
    report.quiet_actors = sorted(quiet, key=lambda a: (a["last"], name_order(a["actor"])))
    # A party whose members spoke for it has been heard (France, through its president).
    unheard = set(never)
    heard = {party_of[name] for name in party_of if name not in unheard}
    report.unheard_actors = sorted((n for n in never if n not in heard), key=name_order)
