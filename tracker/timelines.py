"""How positions move: per-day series, shifts, party roll-ups, the positions matrix, gaps.

Counting rules, the same in every view, chart and report:

* Only stances that pass the filter count (accepted only, by default; a confidence floor).
* A story counts once: of a source and its rewrites (``duplicate_of``), one source counts
  for an actor, issue and day, with every stance of that day it carries (two passages of
  one article are two stances; the same passage again in a rewrite is not another): the
  original when it carries any, else the rewrite whose stance was recorded first.
* One position per actor, issue and day: the mean of that day's stances. The stance shown
  for the day (tooltip, quotes) is the one closest to that mean (then higher confidence,
  then the earlier recorded).
* A position holds until the actor's next stance on the issue.
* A shift is a change between consecutive days with a position: from support to
  opposition or back (the sign flips as the scale's points read a day's mean, halves
  away from 0: -0.5 leans against, -0.4 is neutral), or a move of two or more points.

Everything up to the per-day positions is computed in SQL with window functions, so a
chart reads only the rows it draws. The default counting (accepted stances, any
confidence) is kept ready in the ``position_day`` table (:mod:`tracker.position_days`
refreshes it on every write); other filters compute the same rows on the fly. A day's
evidence (its stance's quote, source and attribution) is read with it, or afterwards for
the days a view shows (:func:`with_evidence`): a long series draws a few thousand of them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Select,
    Subquery,
    and_,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.orm import Session, aliased

from tracker.actors import get_actor
from tracker.blinding import counted
from tracker.corroboration import corroboration
from tracker.errors import TrackerError
from tracker.gc_pause import collector_paused
from tracker.issues import get_issue
from tracker.models import (
    Actor,
    ActorAlias,
    Issue,
    PositionDay,
    Source,
    Stance,
    StanceStatus,
    scale_point,
)
from tracker.sql_hints import any_of, listed_ids, status_in
from tracker.text import name_key, name_order

DEFAULT_ROLLUP_DAYS = 90
T = TypeVar("T")


@dataclass
class SeriesFilter:
    """Which stances feed a series. Names go through alias matching."""

    issue: str | None = None
    actors: Sequence[str] = ()
    parties: Sequence[str] = ()  # a party brings its members along
    since: dt.date | None = None
    until: dt.date | None = None
    statuses: Sequence[str] = (StanceStatus.ACCEPTED.value,)
    min_confidence: float = 0.0
    actor_ids: Sequence[int] | None = None  # already resolved ids (reports), added to names
    # Only stances with these attributions (e.g. leave out anonymous sources and other
    # actors' reports); None counts every stance, those whose attribution is not recorded too.
    attributions: Sequence[str] | None = None


class Evidence(NamedTuple):
    """What a day's representative stance shows in a tooltip or a report: its quote, its
    source and how it was attributed. A named tuple: a series reads thousands, and a
    frozen dataclass's __init__ cost more than the lookups that found them."""

    quote: str
    source_id: int
    source_title: str
    source_outlet: str
    source_url: str
    annotator: str
    confidence: float
    attribution: str | None = None
    conditional: bool = False
    condition: str = ""
    reported_by: str | None = None  # the actor who reported it (reported_by_other)


class EvidenceNotRead(LookupError):
    """A day's evidence was asked for but never read: a programming error, not bad input."""


class _FromEvidence(Generic[T]):
    """A field of a day's :class:`Evidence`, read from the day (``point.quote``)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, point: DayPosition | None, owner: type | None = None) -> T:
        if point is None:  # on the class: not a field, nothing to show
            raise AttributeError(self.name)
        value: T = getattr(point.read(), self.name)
        return value


@dataclass(frozen=True)
class DayPosition:
    """An actor's position on an issue on one day, and the stance that shows it.

    The stance's evidence (quote, source, attribution) is read with the position by
    default; a chart of thousands of days reads positions alone and then the evidence of
    the days it draws (:func:`with_evidence`). Asking an unread day for its quote raises
    :class:`EvidenceNotRead` rather than showing an empty quote."""

    actor_id: int
    actor: str
    issue: str
    day: dt.date
    position: float
    stances: int  # how many stances (stories counted once) made the day
    stance_id: int
    evidence: Evidence | None = None  # None until read
    # Independent sources within the window (tracker.corroboration); None until counted by
    # with_corroboration, for the points a view shows: a count per stance is too dear
    # for every day a series reads.
    corroboration: int | None = None

    def read(self) -> Evidence:
        if self.evidence is None:
            raise EvidenceNotRead(
                f"the evidence of {self.actor}'s day {self.day} (stance {self.stance_id}) "
                "was not read: pass the points through with_evidence first"
            )
        return self.evidence

    # The evidence's fields, read through :meth:`read` (class attributes, not fields).
    quote = _FromEvidence[str]()
    source_id = _FromEvidence[int]()
    source_title = _FromEvidence[str]()
    source_outlet = _FromEvidence[str]()
    source_url = _FromEvidence[str]()
    annotator = _FromEvidence[str]()
    confidence = _FromEvidence[float]()
    attribution = _FromEvidence[str | None]()
    conditional = _FromEvidence[bool]()
    condition = _FromEvidence[str]()
    reported_by = _FromEvidence[str | None]()


@dataclass(frozen=True)
class Shift:
    actor: str
    issue: str
    before: DayPosition
    after: DayPosition

    @property
    def day(self) -> dt.date:
        return self.after.day


def _actor_ids(session: Session, flt: SeriesFilter) -> list[int] | None:
    """The actors a filter names (parties with their members); None means everyone."""
    if not flt.actors and not flt.parties and flt.actor_ids is None:
        return None
    ids = set(_named_actor_ids(session, flt.actors)) | set(flt.actor_ids or ())
    for name in flt.parties:
        party = get_actor(session, name)
        ids |= set(
            session.scalars(
                select(Actor.id).where(or_(Actor.id == party.id, Actor.party_id == party.id))
            )
        )
    return sorted(ids)


def _named_actor_ids(session: Session, names: Sequence[str]) -> list[int]:
    """The ids of the actors known by these names (or aliases, any case), in one read
    rather than one per name; an unknown name is the error :func:`get_actor` gives."""
    keys = {name_key(name): name for name in names}
    # A comprehension, not dict(result): a Result has keys() and would be read as a mapping.
    found: dict[str, int] = {
        row.alias_key: row.actor_id
        for row in session.execute(
            select(ActorAlias.alias_key, ActorAlias.actor_id).where(
                ActorAlias.alias_key.in_(sorted(keys))
            )
        )
    }
    return [found[key] if key in found else get_actor(session, keys[key]).id for key in keys]


def _counted_stances(
    session: Session, flt: SeriesFilter, where: ColumnElement[bool] | None = None
) -> Select[Any]:
    """Stances that count, one source per story: the first rule of the module docstring.
    A row counts when its ``source_id`` equals its ``story_source``."""
    story = func.coalesce(Source.duplicate_of, Source.id)
    conditions = [
        status_in(flt.statuses),
        Stance.confidence >= flt.min_confidence,
        counted(),  # not while the source is in double coding
        *_scope(session, flt, Stance.issue_id, Stance.actor_id, Stance.stated_on),
    ]
    if where is not None:
        conditions.append(where)
    if flt.attributions is not None:
        conditions.append(Stance.attribution.in_(list(flt.attributions)))
    # Issue first, as position_day's key: the windows' sorts then leave the days in key
    # order and a rebuild appends to that B-tree instead of inserting all over it.
    story_source = func.first_value(Stance.source_id).over(
        partition_by=(Stance.issue_id, Stance.actor_id, Stance.stated_on, story),
        # The original first: coding a rewrite before it must not hide its other passages.
        order_by=(Source.duplicate_of.is_not(None), Stance.id),
    )
    return (
        select(
            Stance.id,
            Stance.actor_id,
            Stance.issue_id,
            Stance.stated_on,
            Stance.position,
            Stance.confidence,
            Stance.source_id,
            story_source.label("story_source"),
        )
        .join(Source, Source.id == Stance.source_id)
        .where(and_(*conditions))
    )


def _scope(
    session: Session, flt: SeriesFilter, issue_id: Any, actor_id: Any, day: Any
) -> list[ColumnElement[bool]]:
    """The filter's issue, actors and dates as conditions on these columns (of ``stance``
    or of ``position_day``)."""
    if flt.since and flt.until and flt.since > flt.until:
        raise TrackerError(f"the start date {flt.since} is after the end date {flt.until}")
    conditions: list[ColumnElement[bool]] = []
    if flt.issue:
        conditions.append(issue_id == get_issue(session, flt.issue).id)
    actor_ids = _actor_ids(session, flt)
    if actor_ids is not None:
        conditions.append(actor_id.in_(actor_ids))
    if flt.since:
        conditions.append(day >= flt.since)
    if flt.until:
        conditions.append(day <= flt.until)
    return conditions


def counted_stances(session: Session, flt: SeriesFilter) -> Subquery:
    """The stances that count, one source per story: id, actor_id, issue_id, stated_on,
    position, confidence. A subquery, not a list, so a busy week never exceeds a driver's parameter
    limit."""
    counted = _counted_stances(session, flt).subquery("counted")
    return (
        select(
            counted.c.id,
            counted.c.actor_id,
            counted.c.issue_id,
            counted.c.stated_on,
            counted.c.position,
            counted.c.confidence,
        )
        .where(counted.c.source_id == counted.c.story_source)
        .subquery("once")
    )


def computed_days(
    session: Session, flt: SeriesFilter, where: ColumnElement[bool] | None = None
) -> Select[Any]:
    """Per-day rows computed from the stances (the rules above): actor_id, issue_id, day,
    position, stances, stance_id. ``where`` narrows the stances read (refreshes)."""
    counted = _counted_stances(session, flt, where).subquery("counted")
    once = select(counted).where(counted.c.source_id == counted.c.story_source).subquery("once")
    day = (once.c.issue_id, once.c.actor_id, once.c.stated_on)
    ranked = select(
        once,
        func.avg(once.c.position).over(partition_by=day).label("day_mean"),
        func.count().over(partition_by=day).label("day_count"),
    ).subquery("ranked")
    closest = func.row_number().over(
        partition_by=(ranked.c.issue_id, ranked.c.actor_id, ranked.c.stated_on),
        order_by=(
            func.abs(ranked.c.position - ranked.c.day_mean),
            ranked.c.confidence.desc(),
            ranked.c.id,
        ),
    )
    picked = select(ranked, closest.label("pick")).subquery("picked")
    return select(
        picked.c.actor_id,
        picked.c.issue_id,
        picked.c.stated_on.label("day"),
        picked.c.day_mean.label("position"),
        picked.c.day_count.label("stances"),
        picked.c.id.label("stance_id"),
    ).where(picked.c.pick == 1)


def is_stored(flt: SeriesFilter) -> bool:
    """Whether ``position_day`` holds this filter's days: the default counting
    (accepted stances, no confidence floor, any attribution). Other filters are computed
    on the fly."""
    return (
        tuple(flt.statuses) == (StanceStatus.ACCEPTED.value,)
        and flt.min_confidence <= 0
        and flt.attributions is None
    )


# A stored day's columns, in the order every reader of position_day selects them.
_DAY_COLUMNS = (
    PositionDay.actor_id,
    PositionDay.issue_id,
    PositionDay.day,
    PositionDay.position,
    PositionDay.stances,
    PositionDay.stance_id,
)


def _days(session: Session, flt: SeriesFilter, *, since: bool = True) -> Subquery:
    """The filter's per-day rows, from ``position_day`` when it holds them; ``since=False``
    ignores the filter's start date."""
    if not since:
        flt = replace(flt, since=None)
    if not is_stored(flt):
        return computed_days(session, flt).subquery("days")
    conditions = _scope(session, flt, PositionDay.issue_id, PositionDay.actor_id, PositionDay.day)
    return select(*_DAY_COLUMNS).where(and_(true(), *conditions)).subquery("days")


def day_positions(
    session: Session, flt: SeriesFilter, *, previous: bool = False, evidence: bool = True
) -> list[DayPosition]:
    """Per-day positions (rules above), ordered by issue slug, actor name and day, with
    each day's representative stance and, unless ``evidence`` is False, its evidence.

    ``previous`` adds, for each actor and issue with a day in the filter's dates, its last
    day before them: what a shift on the first day moved from."""
    days = _days(session, flt)
    rows = _read_days(session, select(days), evidence=evidence)
    if previous and flt.since is not None:
        earlier = _before(session, flt, days, evidence=evidence)
        rows = sorted(earlier + rows, key=lambda p: (p.issue, p.actor, p.day))
    return rows


def series(
    session: Session, flt: SeriesFilter, *, evidence: bool = True
) -> tuple[list[DayPosition], list[Shift]]:
    """What a timeline draws, in one read: the filter's days, and the shifts among them
    (the first may start from a day before the filter's start). A chart of thousands of
    days passes ``evidence=False`` and reads the evidence of the days it keeps."""
    points = day_positions(session, flt, previous=True, evidence=evidence)
    found = [s for s in find_shifts(points) if flt.since is None or s.day >= flt.since]
    return [p for p in points if flt.since is None or p.day >= flt.since], found


def busiest_actors(session: Session, flt: SeriesFilter, limit: int) -> tuple[list[int], int]:
    """The ids of the ``limit`` actors with the most days in the filter, most first, and
    how many actors have any: a chart of everyone on a busy issue is a tangle."""
    days = _days(session, flt)
    counts = session.execute(
        select(days.c.actor_id, func.count().label("days"))
        .group_by(days.c.actor_id)
        .order_by(func.count().desc(), days.c.actor_id)
    ).all()
    return [actor_id for actor_id, _ in counts[:limit]], len(counts)


def spoken_issues(session: Session, flt: SeriesFilter) -> list[str]:
    """The slugs of the issues with a day in the filter, in order: counted in SQL, not by
    reading every day."""
    days = _days(session, flt)
    return list(
        session.scalars(
            select(Issue.slug)
            .where(Issue.id.in_(select(days.c.issue_id).distinct()))
            .order_by(Issue.slug)
        )
    )


def with_corroboration(session: Session, points: Sequence[DayPosition]) -> list[DayPosition]:
    """The points with their representative stances' corroboration counted."""
    wanted = sorted({p.stance_id for p in points if p.corroboration is None})
    counts: dict[int, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        counts.update(
            session.execute(select(Stance.id, corroboration()).where(Stance.id.in_(chunk)))
            .tuples()
            .all()
        )
    return [
        p if p.corroboration is not None else replace(p, corroboration=counts.get(p.stance_id, 1))
        for p in points
    ]


def shifts_with_evidence(
    session: Session, found: Sequence[Shift], *, corroboration: bool = True
) -> list[Shift]:
    """The shifts with both sides' evidence read (:func:`with_evidence`) and, unless told
    otherwise, their corroboration counted (:func:`with_corroboration`)."""
    sides = {id(p): p for s in found for p in (s.before, s.after)}
    read = with_evidence(session, list(sides.values()))
    if corroboration:
        read = with_corroboration(session, read)
    done = dict(zip(sides, read, strict=True))
    return [replace(s, before=done[id(s.before)], after=done[id(s.after)]) for s in found]


def _before(
    session: Session, flt: SeriesFilter, days: Subquery, *, evidence: bool = True
) -> list[DayPosition]:
    """Each (actor, issue) pair of ``days``: its last day before the filter's start."""
    assert flt.since is not None
    pairs = select(days.c.actor_id, days.c.issue_id).distinct().subquery("pairs")
    earlier = replace(flt, since=None, until=flt.since - dt.timedelta(days=1))
    return _last_days(session, earlier, pairs, evidence=evidence)


def latest_days(
    session: Session, flt: SeriesFilter, on: dt.date, *, evidence: bool = True
) -> list[DayPosition]:
    """Each actor's last day on each issue on or before ``on``: positions as of that date
    (only days from the filter's start on, when it has one)."""
    flt = replace(flt, until=on)
    if not is_stored(flt):
        return _last_days(session, flt, None, evidence=evidence)
    # Every actor and issue in the filter's scope: those with a day are found below.
    scope = _scope(session, replace(flt, since=None, until=None), Issue.id, Actor.id, None)
    pairs = (
        select(Actor.id.label("actor_id"), Issue.id.label("issue_id"))
        .join(Issue, true())
        .where(and_(true(), *scope))
        .subquery("pairs")
    )
    return _last_days(session, flt, pairs, evidence=evidence)


def _last_days(
    session: Session, flt: SeriesFilter, pairs: Subquery | None, *, evidence: bool = True
) -> list[DayPosition]:
    """Each pair's last day within the filter's dates (every pair with one, for None).

    Stored days: one index seek per pair for its last day in the dates, then its row by
    primary key, rather than grouping every stored day of the span (a weekly report asks
    this of a year of days)."""
    if pairs is not None and is_stored(flt):
        in_dates = [
            PositionDay.actor_id == pairs.c.actor_id,
            PositionDay.issue_id == pairs.c.issue_id,
        ]
        if flt.since is not None:
            in_dates.append(PositionDay.day >= flt.since)
        if flt.until is not None:
            in_dates.append(PositionDay.day <= flt.until)
        last_day = select(func.max(PositionDay.day)).where(*in_dates).scalar_subquery()
        # Materialized: inlined, SQLite ran the seek for every stored day, not every pair.
        last = (
            select(pairs.c.actor_id, pairs.c.issue_id, last_day.label("day"))
            .cte("last")
            .prefix_with("MATERIALIZED")
        )
        # The pairs are in the filter's scope and the day in its dates: no other condition.
        return _read_days(
            session,
            select(*_DAY_COLUMNS).join(
                last,
                and_(
                    last.c.actor_id == PositionDay.actor_id,
                    last.c.issue_id == PositionDay.issue_id,
                    last.c.day == PositionDay.day,
                ),
            ),
            materialize=True,
            evidence=evidence,
        )
    days = _days(session, flt)
    grouped = select(days.c.actor_id, days.c.issue_id, func.max(days.c.day).label("day"))
    if pairs is not None:
        grouped = grouped.join(
            pairs,
            and_(pairs.c.actor_id == days.c.actor_id, pairs.c.issue_id == days.c.issue_id),
        )
    grouped_last = grouped.group_by(days.c.actor_id, days.c.issue_id).subquery("last")
    again = _days(session, flt)
    return _read_days(
        session,
        select(again).join(
            grouped_last,
            and_(
                grouped_last.c.actor_id == again.c.actor_id,
                grouped_last.c.issue_id == again.c.issue_id,
                grouped_last.c.day == again.c.day,
            ),
        ),
        evidence=evidence,
    )


def _read_days(
    session: Session,
    days_select: Select[Any],
    *,
    materialize: bool = False,
    evidence: bool = True,
) -> list[DayPosition]:
    """Per-day rows with their actor and issue names (and, with ``evidence``, their
    representative stances' evidence), ordered by issue slug, actor name and day.
    ``materialize`` has SQLite pick the days first, for a select joining several reads
    (inlined, its planner let the ORDER BY choose the join order and read every stored day
    of an issue to keep the few chosen)."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    chosen: Subquery | CTE = (
        days_select.cte("chosen").prefix_with("MATERIALIZED")
        if materialize and sqlite
        else days_select.subquery("chosen")
    )
    with collector_paused():
        return _positions(connection, chosen, evidence)


def _positions(connection: Connection, days: Subquery | CTE, evidence: bool) -> list[DayPosition]:
    """The days, then the names of their actors and issues in a second read (and their
    evidence in a third). In the order the (issue, actor, day) index gives them, then
    sorted by slug and name in Python: ordered by names in SQL, SQLite sorted every row in
    a temporary b-tree and PostgreSQL sorted 20k rows under a UTF-8 collation, each as
    dear as reading them."""
    rows = connection.execute(
        select(
            days.c.issue_id,
            days.c.actor_id,
            days.c.day,
            days.c.position,
            days.c.stances,
            days.c.stance_id,
        ).order_by(days.c.issue_id, days.c.actor_id, days.c.day)
    ).all()
    if not rows:
        return []
    # (issue_id, actor_id) -> (rank in slug and name order, actor name, slug).
    pairs = connection.execute(
        select(Issue.id, Actor.id, Issue.slug, Actor.name)
        .join(Actor, true())
        .where(
            Issue.id.in_(sorted({row[0] for row in rows})),
            Actor.id.in_(sorted({row[1] for row in rows})),
        )
    ).all()
    names = {
        (issue_id, actor_id): (rank, actor, issue)
        for rank, (issue_id, actor_id, issue, actor) in enumerate(
            sorted(pairs, key=lambda pair: (pair[2], name_order(pair[3])))
        )
    }
    read = _evidence_by_id(connection, sorted({row[5] for row in rows})) if evidence else {}
    points = []
    # A stable sort: each actor's days stay together and in order.
    for issue_id, actor_id, day, position, count, stance_id in sorted(
        rows, key=lambda row: names[(row[0], row[1])][0]
    ):
        _, actor, issue = names[(issue_id, actor_id)]
        point = object.__new__(DayPosition)
        # Set directly, not through the frozen dataclass's __init__ (object.__setattr__
        # per field): a 20-actor series at a million stances is ~20k rows, and that was a
        # quarter of the read. The instance is the same (equal, hashable, still frozen).
        point.__dict__.update(
            actor_id=actor_id,
            actor=actor,
            issue=issue,
            day=_as_date(day),
            position=round(float(position), 4),
            stances=int(count),
            stance_id=stance_id,
            evidence=read.get(stance_id),
            corroboration=None,
        )
        points.append(point)
    return points


def with_evidence(session: Session, points: Sequence[DayPosition]) -> list[DayPosition]:
    """The points with their representative stances' evidence read (those that lack it)."""
    with collector_paused():
        return _evidence_for(session.connection(), points)


def _evidence_for(connection: Connection, points: Sequence[DayPosition]) -> list[DayPosition]:
    """The points, those without evidence given theirs, read by stance id."""
    wanted = sorted({p.stance_id for p in points if p.evidence is None})
    if not wanted:
        return list(points)
    read = _evidence_by_id(connection, wanted)
    return [p if p.evidence is not None else _with(p, read[p.stance_id]) for p in points]


def _evidence_by_id(connection: Connection, ids: list[int]) -> dict[int, Evidence]:
    """Stance id -> the evidence of that stance, for these ids (sorted). The columns come
    typed (SQLAlchemy's Boolean and Float), in the order of Evidence's fields."""
    return {row[0]: Evidence._make(row[1:]) for row in _evidence_rows(connection, ids)}


def _evidence_rows(connection: Connection, ids: list[int]) -> Sequence[Any]:
    """(stance id, *Evidence fields) for these stance ids (sorted), looked up by primary
    key in id order from one bound parameter (the same statement whatever the ids, and
    not 20k parameters, which cost more to render and bind than the lookups they make).

    SQLite joins stance to source in one statement. PostgreSQL reads the stances, then
    their sources: joined, its planner scanned the whole stance table rather than make
    20k index lookups (costed for disks, it took twice as long)."""
    reporter = aliased(Actor)
    stance_columns = (
        Stance.id,
        Stance.quote,
        Stance.source_id,
        Stance.annotator,
        Stance.confidence,
        Stance.attribution,
        Stance.conditional,
        Stance.condition,
        reporter.name,
    )
    if connection.dialect.name == "sqlite":
        listed = listed_ids(ids)
        return connection.execute(
            select(
                Stance.id,
                Stance.quote,
                Stance.source_id,
                Source.title,
                Source.outlet,
                Source.url,
                *stance_columns[3:],
            )
            .select_from(listed)
            .join(Stance, Stance.id == listed.c.value)
            .join(Source, Source.id == Stance.source_id)
            .outerjoin(reporter, reporter.id == Stance.reported_by_id)
        ).all()
    stances = connection.execute(
        select(*stance_columns)
        .outerjoin(reporter, reporter.id == Stance.reported_by_id)
        .where(Stance.id == any_of(ids))
    ).all()
    sources = {
        row[0]: row[1:]
        for row in connection.execute(
            select(Source.id, Source.title, Source.outlet, Source.url).where(
                Source.id == any_of(sorted({stance[2] for stance in stances}))
            )
        )
    }
    return [(*stance[:3], *sources[stance[2]], *stance[3:]) for stance in stances]


def _with(point: DayPosition, evidence: Evidence) -> DayPosition:
    """The point with its evidence: a copy made as :func:`_positions` makes points."""
    copy = object.__new__(DayPosition)
    copy.__dict__.update(point.__dict__, evidence=evidence)
    return copy


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def is_shift(before: float, after: float) -> bool:
    """Support to opposition (or back), as the scale's points read (:func:`scale_point`:
    -0.4 to +0.4 is neutral both times), or a move of two points or more."""
    return scale_point(before) * scale_point(after) < 0 or abs(after - before) >= 2


def find_shifts(points: Iterable[DayPosition]) -> list[Shift]:
    """Shifts between consecutive days of each actor on each issue, oldest first."""
    previous: dict[tuple[int, str], DayPosition] = {}
    shifts = []
    for point in sorted(points, key=lambda p: (p.issue, p.actor_id, p.day)):
        key = (point.actor_id, point.issue)
        before = previous.get(key)
        if before is not None and is_shift(before.position, point.position):
            shifts.append(Shift(point.actor, point.issue, before, point))
        previous[key] = point
    return sorted(shifts, key=lambda s: (s.day, s.issue, s.actor))


def shifts(session: Session, flt: SeriesFilter) -> list[Shift]:
    """Shifts whose later day falls in the filter's dates (the earlier may be before it),
    with both sides' evidence."""
    found = find_shifts(day_positions(session, flt, previous=True, evidence=False))
    in_dates = [s for s in found if flt.since is None or s.day >= flt.since]
    return shifts_with_evidence(session, in_dates, corroboration=False)


# --- party roll-up -----------------------------------------------------------------------


@dataclass(frozen=True)
class RollupPoint:
    """A party's position on a date, derived from its own and its members' latest days."""

    party: str
    issue: str
    day: dt.date
    position: float
    derived_from: tuple[DayPosition, ...]  # each member's latest day within the window


def party_rollup(
    session: Session,
    party: str,
    issue: str,
    *,
    window_days: int = DEFAULT_ROLLUP_DAYS,
    flt: SeriesFilter | None = None,
) -> list[RollupPoint]:
    """The party's position at each date a member spoke: the mean of the latest position
    of each member (the party included) stated within ``window_days`` before that date."""
    if window_days < 1:
        raise TrackerError("the roll-up window must be at least one day")
    base = flt or SeriesFilter()
    points = day_positions(
        session,
        replace(base, issue=issue, actors=(), parties=(party,), actor_ids=None),
        previous=True,  # members' positions from before the start still count at the start
    )
    name = get_actor(session, party).name
    rollup = _rollup(name, issue, points, dt.timedelta(days=window_days))
    return [p for p in rollup if base.since is None or p.day >= base.since]


def _rollup(
    party: str, issue: str, points: list[DayPosition], window: dt.timedelta
) -> list[RollupPoint]:
    latest: dict[int, DayPosition] = {}
    result = []
    by_day: dict[dt.date, list[DayPosition]] = defaultdict(list)
    for point in points:
        by_day[point.day].append(point)
    for day in sorted(by_day):
        for point in by_day[day]:
            latest[point.actor_id] = point
        recent = tuple(p for p in latest.values() if day - p.day <= window)
        mean = sum(p.position for p in recent) / len(recent)
        result.append(RollupPoint(party, issue, day, round(mean, 4), recent))
    return result


# --- positions matrix and gaps ----------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    actor: str
    issue: str
    position: float  # as of the date
    since: dt.date  # the day of that position
    previous: float | None  # what the change is measured from: see change_base
    stance_ids: tuple[int, ...] = field(default=())
    new_in_window: bool = False  # no position before the window

    @property
    def change(self) -> float | None:
        return None if self.previous is None else round(self.position - self.previous, 4)


def change_base(at_start: float | None, in_window: Sequence[float]) -> float | None:
    """What a matrix cell's change is measured from: the position at the window's start;
    for a pair first seen inside the window, its first position there (so a move within
    the window gets its arrow); None when the window holds its only position."""
    if at_start is not None:
        return at_start
    return in_window[0] if len(in_window) > 1 else None


def positions_matrix(
    session: Session,
    as_of: dt.date,
    *,
    change_days: int = 30,
    flt: SeriesFilter | None = None,
) -> list[MatrixCell]:
    """Each actor's position on each issue as of ``as_of``, and what it was
    ``change_days`` earlier (for the arrows)."""
    if change_days < 0:
        raise TrackerError("the change window cannot be negative")
    base = replace(flt or SeriesFilter(), since=None, until=as_of)
    start = as_of - dt.timedelta(days=change_days)
    # Two small reads, not every day of every actor: each pair's position as of the
    # window's start, and the days inside the window. A cell shows positions and links
    # to its stances by id: no quotes are read.
    at_start = {(p.actor, p.issue): p for p in latest_days(session, base, start, evidence=False)}
    in_window: dict[tuple[str, str], list[DayPosition]] = defaultdict(list)
    if start < as_of:
        since = replace(base, since=start + dt.timedelta(days=1))
        for point in day_positions(session, since, evidence=False):
            in_window[(point.actor, point.issue)].append(point)
    cells = []
    for actor, issue in sorted(at_start.keys() | in_window.keys()):
        before, moves = at_start.get((actor, issue)), in_window.get((actor, issue), [])
        latest = moves[-1] if moves else before
        assert latest is not None
        cells.append(
            MatrixCell(
                actor,
                issue,
                latest.position,
                latest.day,
                change_base(before.position if before else None, [p.position for p in moves]),
                tuple(p.stance_id for p in moves) or (latest.stance_id,),
                new_in_window=before is None,
            )
        )
    return cells


@dataclass(frozen=True)
class GapPoint:
    day: dt.date
    side_a: float | None
    side_b: float | None

    @property
    def gap(self) -> float | None:
        if self.side_a is None or self.side_b is None:
            return None
        return round(abs(self.side_a - self.side_b), 4)


def _side_members(session: Session, names: Sequence[str]) -> dict[int, tuple[str, str]]:
    """Every actor a side's roll-ups read: id -> (its name, the name on the side)."""
    members: dict[int, tuple[str, str]] = {}
    for name in names:
        actor = get_actor(session, name)
        rows = session.execute(
            select(Actor.id, Actor.name).where(
                or_(Actor.id == actor.id, Actor.party_id == actor.id)
            )
        )
        for actor_id, member in rows:
            members.setdefault(actor_id, (member, actor.name))
    return members


def _check_sides_apart(session: Session, side_a: Sequence[str], side_b: Sequence[str]) -> None:
    """Refuse an actor counted on both sides (named twice, by an alias, or as a member of
    a party on the other side): the gap would compare it with itself."""
    a, b = _side_members(session, side_a), _side_members(session, side_b)
    shared = sorted(a.keys() & b.keys(), key=lambda i: a[i][0].casefold())
    named_twice = [i for i in shared if a[i][0] == a[i][1] == b[i][1]]
    if named_twice:
        raise TrackerError(f"{a[named_twice[0]][0]} is on both sides: put it on one side only")
    if not shared:
        return
    member, via_a = a[shared[0]]
    via_b = b[shared[0]][1]
    raise TrackerError(
        f"{member} is counted on both sides (side A through {via_a}, side B through "
        f"{via_b}): take it off one side"
    )


def gap_between(
    session: Session,
    issue: str,
    side_a: Sequence[str],
    side_b: Sequence[str],
    *,
    window_days: int = DEFAULT_ROLLUP_DAYS,
    flt: SeriesFilter | None = None,
) -> list[GapPoint]:
    """Distance between two groups of parties over time: each side's position is the mean
    of its parties' roll-ups (the same window rule), at every date either side spoke."""
    if not side_a or not side_b:
        raise TrackerError("choose at least one party or actor on each side")
    _check_sides_apart(session, side_a, side_b)
    window = dt.timedelta(days=window_days)
    sides = []
    for names in (side_a, side_b):
        rollups = [party_rollup(session, n, issue, window_days=window_days, flt=flt) for n in names]
        sides.append(rollups)
    days = sorted({p.day for side in sides for rollup in side for p in rollup})
    return [
        GapPoint(day, _side_at(sides[0], day, window), _side_at(sides[1], day, window))
        for day in days
    ]


def _side_at(rollups: list[list[RollupPoint]], day: dt.date, window: dt.timedelta) -> float | None:
    values = []
    for rollup in rollups:
        known = [p for p in rollup if p.day <= day and day - p.day <= window]
        if known:
            values.append(known[-1].position)
    return round(sum(values) / len(values), 4) if values else None


# --- actor profile ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileChoices:
    """Who the Actor profile offers, by name, with how many accepted stances each has."""

    actors: dict[str, int]  # every actor: its own stances
    parties: dict[str, int]  # parties with members: their own and their members'


def profile_choices(session: Session) -> ProfileChoices:
    """The Actor profile's choices and their weights (accepted stances, a story and its
    rewrites once, as every view counts them). Summed from ``position_day`` rather than by
    counting every stance: at a million stances that count was most of the page."""
    own = dict(
        session.execute(
            select(PositionDay.actor_id, func.sum(PositionDay.stances)).group_by(
                PositionDay.actor_id
            )
        )
        .tuples()
        .all()
    )
    actors = session.execute(select(Actor.id, Actor.name, Actor.party_id)).tuples().all()
    names = {actor_id: name for actor_id, name, _ in actors}
    parties: dict[str, int] = {}
    for actor_id, _, party_id in actors:
        if party_id is not None:  # a member: its party is a choice, with its own stances
            party = names[party_id]
            parties.setdefault(party, int(own.get(party_id, 0)))
            parties[party] += int(own.get(actor_id, 0))
    return ProfileChoices(
        actors={name: int(own.get(actor_id, 0)) for actor_id, name, _ in actors},
        parties=parties,
    )
