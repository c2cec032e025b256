"""Stances out to CSV: the documented columns, streamed, spreadsheet-safe.

Export streams the cells of the shared flat query (tracker.stance_query's records_query,
same filters and columns) already written as CSV text by the database (tracker.csv_sql):
Python writes the confidence (``repr``), counts corroboration and joins finished lines, so
memory stays flat. Python's ``csv.writer`` alone took twice as long as the ``sqlite3``
tool's whole dump; this way one process dumps a million stances in about 2.5 times the
tool's time, and tracker.export_parts shares a big export among the machine's cores
(docs/benchmarks.md). Rows holding a NUL, which SQLite's string functions stop at, go
through ``csv.writer`` instead, with the same result. Importing lives in
tracker.stance_import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from sqlalchemy import CTE, CursorResult, Select, String, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import ColumnElement

from tracker.corroboration import (
    CorroborationWindow,
    Neighbour,
    check_window_keys,
    shift_days,
    window_days,
    window_key,
)
from tracker.csv_io import neutralise
from tracker.csv_sql import (
    csv_cells,
    csv_line,
    csv_plain,
    csv_text,
    iso_date,
    iso_timestamp,
    nul_in,
)
from tracker.models import Actor, Issue, Proposal, Source, Stance, StanceStatus
from tracker.stance_query import COLUMNS, StanceFilter, filter_conditions, records_query

_DATES = ("stated_on", "published_on")
_TIMESTAMPS = ("created_at", "updated_at")
_ACCEPTED = StanceStatus.ACCEPTED.value
# Rows fetched and lines joined at a time: at 1M stances, batches of 5,000 held ~18 MiB
# more at the peak than batches of 1,000, for no measurable speed.
_STREAM = 1000
_HEADER = ",".join(COLUMNS) + "\r\n"  # plain names: csv.writer quotes none of them


def export_stances(session: Session, flt: StanceFilter, out: TextIO, *, header: bool = True) -> int:
    """Write the matching stances as CSV (after the header line unless ``header`` is
    False); returns the number of rows. To a file: tracker.export_parts.

    The cells :func:`tracker.csv_io.write_csv` would write for these records (the columns
    of :func:`records_query`). Corroboration is counted alongside
    (:class:`tracker.corroboration.CorroborationWindow`), not by a subquery per row, which
    doubled the export's time."""
    days = window_days()
    check_window_keys(session)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if header:
        out.write(_HEADER)
    count = 0
    connection = session.connection().execution_options(yield_per=_STREAM)
    batches = _batches(connection.execute(_lines_query(session, flt)))
    count_of = CorroborationWindow(_accepted_around(session, flt, days), days).count
    for batch in batches:
        # repr() is how csv.writer writes a float, and cheaper here than in SQL.
        lines = [
            f"{first},{confidence!r},{second},{count_of(key, day, story, accepted)},{tail}\r\n"
            for first, confidence, second, key, day, story, accepted, tail in batch
        ]
        text = "".join(lines)
        if sqlite and "\x00" in text:  # SQLite's string functions stop at a NUL
            text = "".join(_without_nul(session, batch, lines))
        out.write(text)
        count += len(batch)
    return count


def _batches(result: CursorResult[Any]) -> Iterator[Sequence[Any]]:
    """The result's rows as the driver's plain tuples, a batch at a time.

    SQLAlchemy's Row objects cost about 2 us a row, a fifth of the whole export's budget.
    The first row goes through SQLAlchemy (which may have buffered it already, as it does
    for PostgreSQL's server-side cursors); the rest are read from the driver's cursor."""
    first = result.fetchmany(1)
    if not first:
        return
    yield [tuple(first[0])]
    cursor = result.cursor
    while rows := cursor.fetchmany(_STREAM):
        yield rows
    result.close()


def _lines_query(session: Session, flt: StanceFilter) -> Select[Any]:
    """Per stance: the CSV text of :data:`COLUMNS` before ``confidence`` (``first``), the
    confidence, the text from ``status`` to before ``corroboration`` (``second``), what the
    corroboration window needs, and the text after it (``tail``).

    The same cells as :func:`records_query`'s columns. The cells of actors, issues,
    sources and proposals are written once each, in materialised CTEs, not once per
    stance: quoting in SQL costs about as much as the rest of the query."""
    actors, issues, sources, proposals = _entity_cells()
    reporters = actors.alias("reporter_cells")
    label = case(
        *((Stance.position == p, issues.c[f"label{i}"]) for i, p in enumerate(range(-2, 2))),
        else_=issues.c.label4,
    )
    first: ColumnElement[str] = csv_line(
        csv_plain(Stance.id),
        actors.c.cells,
        issues.c.slug,
        csv_plain(iso_date(Stance.stated_on)),
        csv_plain(Stance.position),
        label,
    )
    second = csv_line(
        csv_plain(Stance.status),  # status, origin, attribution: CHECK-constrained words
        csv_plain(Stance.origin),
        csv_text(Stance.quote),
        csv_plain(Stance.quote_start),
        csv_plain(Stance.quote_end),
        csv_plain(Stance.source_id),
        sources.c.cells,
        csv_text(Stance.annotator),
        csv_text(Stance.note),
        csv_plain(iso_timestamp(Stance.created_at)),
        csv_plain(iso_timestamp(Stance.updated_at)),
        csv_plain(Stance.attribution),
        func.coalesce(reporters.c.name, ""),
        case((Stance.conditional, "true"), else_="false"),
        csv_text(Stance.condition),
    )
    if session.get_bind().dialect.name == "sqlite":
        # A NUL anywhere in the row's text: its first cell becomes a NUL and the stance's
        # id, which the caller finds and writes that row in Python (csv_line stops at a
        # NUL). PostgreSQL stores no NUL in text.
        nul = or_(
            nul_in(Stance.quote, Stance.annotator, Stance.note, Stance.condition),
            actors.c.nul,
            issues.c.nul,
            sources.c.nul,
            reporters.c.nul.is_(True),
        )
        first = case((nul, literal("\x00") + cast(Stance.id, String)), else_=first)
    return (
        select(
            first.label("first"),
            Stance.confidence,
            second.label("second"),
            window_key(Stance.actor_id, Stance.issue_id, Stance.position).label("key"),
            iso_date(Stance.stated_on).label("day"),
            sources.c.story,
            case((Stance.status == _ACCEPTED, 1), else_=0).label("accepted"),
            func.coalesce(proposals.c.name, "").label("tail"),
        )
        .join(actors, actors.c.id == Stance.actor_id)
        .outerjoin(reporters, reporters.c.id == Stance.reported_by_id)
        .outerjoin(proposals, proposals.c.id == Stance.proposal_id)
        .join(issues, issues.c.id == Stance.issue_id)
        .join(sources, sources.c.id == Stance.source_id)
        .where(*filter_conditions(session, flt))
        .order_by(Stance.stated_on, Stance.id)
    )


def _entity_cells() -> tuple[CTE, CTE, CTE, CTE]:
    """The cells of every actor (with its party), issue (slug and the five labels),
    source (title to duplicate_of) and proposal."""
    party = aliased(Actor)
    both = (csv_text(Actor.name), csv_text(func.coalesce(party.name, Actor.name)))
    actors = select(
        Actor.id,
        csv_cells(*both).label("cells"),
        csv_text(Actor.name).label("name"),
        nul_in(Actor.name, party.name).label("nul"),
    )
    labels = (Issue.label_neg2, Issue.label_neg1, Issue.label_zero, Issue.label_pos1)
    issues = select(
        Issue.id,
        csv_text(Issue.slug).label("slug"),
        *(csv_text(label).label(f"label{i}") for i, label in enumerate(labels)),
        csv_text(Issue.label_pos2).label("label4"),
        nul_in(Issue.slug, *labels, Issue.label_pos2).label("nul"),
    )
    sources = select(
        Source.id,
        csv_cells(
            *(csv_text(c) for c in (Source.title, Source.outlet, Source.url)),
            csv_plain(iso_date(Source.published_on)),
            csv_plain(Source.duplicate_of),
        ).label("cells"),
        func.coalesce(Source.duplicate_of, Source.id).label("story"),
        nul_in(Source.title, Source.outlet, Source.url).label("nul"),
    )
    proposals = select(Proposal.id, csv_text(Proposal.name).label("name"))
    return (
        _materialised(actors.outerjoin(party, party.id == Actor.party_id), "actor_cells"),
        _materialised(issues, "issue_cells"),
        _materialised(sources, "source_cells"),
        _materialised(proposals, "proposal_cells"),
    )


def _materialised(query: Select[Any], name: str) -> CTE:
    # Both databases would otherwise fold the CTE into the main query and write an
    # actor's cells again for each of its stances.
    return query.cte(name).prefix_with("MATERIALIZED")


def _python_line(session: Session, stance_id: int, corroboration: int) -> str:
    """One stance's line written by ``csv.writer``, as :func:`tracker.csv_io.write_csv`
    writes the flat records."""
    query = records_query(session, _NO_FILTER, with_corroboration=False)
    row = session.execute(query.where(Stance.id == stance_id)).one()._mapping
    cells: list[Any] = []
    for name in COLUMNS:
        value: Any = corroboration if name == "corroboration" else row[name]
        if name in _DATES or name in _TIMESTAMPS:
            value = None if value is None else value.isoformat()
        elif name == "conditional":
            value = "true" if value else "false"
        cells.append(neutralise(value))
    line = io.StringIO(newline="")
    csv.writer(line, lineterminator="\r\n").writerow(cells)
    return line.getvalue()


_NO_FILTER = StanceFilter()


def _without_nul(session: Session, rows: Sequence[Any], lines: list[str]) -> Iterator[str]:
    """The batch's lines, those holding a NUL written again by Python."""
    for row, line in zip(rows, lines, strict=True):
        if "\x00" in line:
            first, confidence, second, tail = row[0], row[1], row[2], row[-1]
            stance_id = int(first.lstrip("\x00").split(",", 1)[0])  # the line's first cell
            start = len(first) + len(repr(confidence)) + len(second) + 3
            corroboration = int(line[start : len(line) - len(tail) - 3])
            yield _python_line(session, stance_id, corroboration)
        else:
            yield line


def _accepted_around(session: Session, flt: StanceFilter, days: int) -> Iterator[Neighbour]:
    """Every accepted stance that can corroborate an exported one, in ``stated_on`` order:
    the filter's actors and issue over its dates widened by the window. Only those fields
    limit who corroborates: a stance counts whatever its status, confidence or attribution
    (tracker.corroboration's definition), so a narrower view's conditions are left out."""
    around = StanceFilter(
        actor=flt.actor,
        party=flt.party,
        issue=flt.issue,
        since=None if flt.since is None else shift_days(flt.since, -days),
        until=None if flt.until is None else shift_days(flt.until, days),
    )
    query = (
        select(
            window_key(Stance.actor_id, Stance.issue_id, Stance.position),
            iso_date(Stance.stated_on),
            func.coalesce(Source.duplicate_of, Source.id),
        )
        .join(Source, Source.id == Stance.source_id)
        .where(Stance.status == _ACCEPTED, *filter_conditions(session, around))
        .order_by(Stance.stated_on)
    )
    connection = session.connection().execution_options(yield_per=_STREAM)
    for rows in _batches(connection.execute(query)):
        yield from rows


def export_stances_bytes(session: Session, flt: StanceFilter, *, excel: bool = False) -> bytes:
    """The export as one UTF-8 file in memory, for a download button."""
    out = io.StringIO(newline="")
    export_stances(session, flt, out)
    return ("\ufeff" if excel else "").encode() + out.getvalue().encode("utf-8")
