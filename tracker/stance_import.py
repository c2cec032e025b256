"""Importing stances from CSV: all or nothing, idempotent, with a report of what happened.

One streaming pass, in one transaction: each chunk of rows is checked
(tracker.stance_validation), matched and written; a problem stops the writing, the
checking goes on to list every problem, and the transaction rolls back. Rows are matched
to stored stances by ``stance_id`` or, without one, by actor, issue and passage, so
importing the same file twice creates nothing new. A large import into a small table
builds the indexes once at the end (tracker.bulk_load) and has the database write the
history events (tracker.bulk_history).
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any, TextIO, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Engine,
    MetaData,
    Table,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from tracker.access import Principal, principal_of, require
from tracker.access import annotator as acting_name
from tracker.bulk_history import log_created
from tracker.bulk_load import DeferredIndexes
from tracker.cell_dates import DAY_FIRST, MONTH_FIRST, Ambiguous, order_in, read_date
from tracker.csv_io import (
    CsvRow,
    Place,
    atomic_output,
    delimiter_of,
    stream_csv,
    write_csv,
)
from tracker.db import WriteLock, transaction, wait_for
from tracker.errors import TrackerError
from tracker.gc_pause import collector_paused
from tracker.models import (
    DoubleCoding,
    Role,
    Stance,
    StanceAction,
    StanceEvent,
    UTCDateTime,
    utcnow,
)
from tracker.position_days import REBUILD_ABOVE, DayKey, day_key, rebuild_days, refresh_days
from tracker.stance_validation import (
    COMPARED,
    EVIDENCE,
    OPTIONAL,
    REQUIRED,
    CheckedRow,
    ImportProblems,
    Problem,
    Refused,
    RowChecker,
    chunks,
    unsettled,
)
from tracker.stances import coder_of, snapshot
from tracker.text import signed

# Files of at least this many rows (estimated), into a table holding fewer stances, are
# written with the stance and history indexes built at the end (tracker.bulk_load).
BULK_ABOVE = 50_000
# Chunks between two collections of reference cycles while the collector is paused.
COLLECT_EVERY = 50
# Kept while importing: _plan looks stored stances up by source.
_LOOKED_UP = {"ix_stance_source_id"}
# Rejected rows keep "-0.5" in these as a number, as the export writes them.
_NUMBER_COLUMNS = ("stance_id", "position", "confidence", "quote_start", "quote_end", "source_id")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    # Rows that repeat an earlier row of the file exactly (a file pasted twice): counted
    # once, as that row is; not as stances.
    repeated: int = 0
    # Rows matched to a stored suggestion that gave no status (no column, or an empty
    # cell): the file said nothing about accepting them, so they are still suggestions.
    still_suggested: int = 0
    # Rows exported before their stance's last change that leave the stance as they found
    # it: the newer stored values are kept (counted as unchanged too).
    kept_newer: int = 0

    def counts(self) -> str:
        return f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged stances"

    def summary(self) -> str:
        pending = (
            f"; {self.still_suggested} of the rows matched stored suggestions and gave no "
            "status: they stay suggested (review them on the Review queue page, or give "
            "them the status accepted)"
            if self.still_suggested
            else ""
        )
        if self.dry_run:
            rows_verb = "row would be" if self.rejected == 1 else "rows would be"
        else:
            rows_verb = "row was" if self.rejected == 1 else "rows were"
        repeats = "row repeats an earlier one" if self.repeated == 1 else "rows repeat earlier ones"
        return (
            f"{self.counts()} {'(dry run: nothing written)' if self.dry_run else ''}".rstrip()
            + (f"; {self.rejected} {rows_verb} rejected" if self.rejected else "")
            + (f"; {self.repeated} {repeats} exactly (counted once)" if self.repeated else "")
            + (f"; {self.kept_newer_text()}" if self.kept_newer else "")
            + pending
        )

    def kept_newer_text(self) -> str:
        if self.kept_newer == 1:
            return "1 row was exported before a later change to its stance, and leaves it as is"
        return (
            f"{self.kept_newer} rows were exported before later changes to their stances, and "
            "leave them as they are"
        )


def import_stances(
    engine: Engine,
    path: str | Path,
    *,
    dry_run: bool = False,
    rejects: str | Path | None = None,
    annotator: str = "import",
    text: str | None = None,
    principal: Principal | None = None,
    on_progress: Callable[[int | None], None] | None = None,
    skip_invalid: bool = False,
) -> ImportReport:
    """Check every row and write the valid ones, in one pass and one transaction.

    ``on_progress`` hears the file's line number reached after each chunk of rows, then
    None when the rows are written and the indexes and stored days are being rebuilt (a
    third of a big import's time). It hears 0 when the file is read again from the start:
    a row put an earlier one in doubt (two rows giving one stance different values), and
    the pass starts again to reject both.

    Without ``rejects``, a file with any problem changes nothing: writing stops at the
    first problem, checking goes on to list them all, and the transaction rolls back.
    With ``rejects``, the valid rows are written and the others go to that file; with
    ``skip_invalid`` alone too, the problems staying in the report (the dashboard offers
    them as a download, :func:`write_rejects`). Writing takes the reviewer role (an
    import may change anyone's stances); a dry run does not."""
    name = str(path)
    skip_invalid = skip_invalid or rejects is not None
    if rejects is not None and text is None and _same_file(path, rejects):
        raise TrackerError(
            f"{rejects} is the file being imported: give the rejected rows another file name"
        )
    with transaction(engine, principal) as session:
        if not dry_run:
            require(session, Role.REVIEWER, "import stances")
            _one_import_at_a_time(session)
        annotator = acting_name(session, annotator)
        with collector_paused():  # a million rows' dicts: see tracker.gc_pause
            first_pass = session.begin_nested()
            one_pass = partial(
                _import_rows,
                session,
                path,
                annotator,
                text,
                write=not dry_run,
                skip_invalid=skip_invalid,
                on_progress=on_progress or _ignore,
            )
            report, doubted = one_pass()
            if doubted:
                # Two rows gave one stance different values (or one had problems). Which
                # was meant is the analyst's call, but the first had already been written
                # (or counted) when the second came: the pass starts again with both
                # rejected. Rare, so such a file costs two passes and every other one.
                first_pass.rollback()
                (on_progress or _ignore)(0)
                report, _ = one_pass(doubted=doubted)
            else:
                first_pass.commit()  # releases the savepoint; the transaction goes on
        # In row order: a row's own problems are found before those that need the rows
        # around it (repeats) or the stored stance (dates, labels). Stable: a row's keep
        # their order.
        report.problems.sort(key=lambda problem: problem.at)
        if report.problems and not skip_invalid:
            raise ImportProblems(name, report.problems, report.counts())  # rolls back all
        report.rejected = len({p.at for p in report.problems})
        if dry_run:
            report.dry_run = True
            session.rollback()
            return report
        if rejects is not None:
            # With a byte-order mark, as --excel exports: the file is for a spreadsheet,
            # which reads UTF-8 without one as Windows-1252 (and garbles quotes).
            with atomic_output(rejects, excel=True) as out:
                write_rejects(out, path, text, report.problems)
        return report


def _import_rows(
    session: Session,
    path: str | Path,
    annotator: str,
    text: str | None,
    *,
    write: bool,
    skip_invalid: bool,
    on_progress: Callable[[int | None], None],
    doubted: Doubts | None = None,
) -> tuple[ImportReport, Doubts]:
    """Check the rows chunk by chunk and write each chunk's valid rows (when ``write``,
    and only while the file is clean unless ``skip_invalid``).

    Also returns the rows a later row for the same stance put in doubt (other values, or
    problems of its own), when not already known as such (``doubted``, from an earlier
    pass): such a row was taken before its twin came. Then the pass stops short of
    rebuilding indexes and days: it is undone and made again."""
    report = ImportReport()
    validator = RowChecker(session, annotator, lambda: _date_order(path, text))
    # Memory stays near flat on a million rows: the stances met are kept as 64-bit hashes
    # in temporary tables (a collision among 10**6 is ~1 in 10**7), and the days touched
    # only until there are so many that the stored days are recomputed in one pass anyway.
    seen = _Repeats(session, doubted or {})
    touched: set[DayKey] | None = set()
    tables = [cast(Table, Stance.__table__), cast(Table, StanceEvent.__table__)]
    indexes = DeferredIndexes(session, tables, keep=_LOOKED_UP)
    # ragged: a row with too few or too many cells is one more problem (or reject).
    reading = stream_csv(path, required=REQUIRED, optional=OPTIONAL, text=text, ragged=True)
    with reading as (_, rows):
        for number, chunk in enumerate(chunks(rows), start=1):
            if number % COLLECT_EVERY == 0:
                # The collector is paused (import_stances), but the database layer makes
                # a few reference cycles per chunk: collected now and then, they cannot
                # pile up with the rows (a million rows held ~70 MiB more without this).
                gc.collect()
            if write and not report.created and _large(session, path, text, chunk):
                indexes.defer()
            validator.load_sources(chunk)
            checked = [validator.check(row) for row in chunk]
            for result in checked:
                if isinstance(result, Refused):
                    report.problems += result.problems
            good = seen.first_times(checked, report)
            listed = len(report.problems)
            plan = _plan(session, good, report.problems, seen.double_coded)
            # Rows refused against the stored stance were not taken: a later twin puts
            # nothing in doubt that a second pass would have to undo.
            seen.refused_later([p.at for p in report.problems[listed:]], report)
            report.created += len(plan.new)
            report.updated += len(plan.changed)
            report.unchanged += plan.unchanged
            report.still_suggested += plan.still_suggested
            report.kept_newer += plan.kept_newer
            if write and (skip_invalid or not report.problems):
                if touched is not None:
                    touched.update(_day(r.values) for r in plan.new)
                    touched.update(_day(r.values) for r, _ in plan.changed)
                    touched.update(day_key(stored) for _, stored in plan.changed)
                    if len(touched) > REBUILD_ABOVE:
                        touched = None
                _insert(session, plan.new)
                _update(session, plan.changed, annotator)
            on_progress(chunk[-1].line)
    seen.close()
    doubted = {at: problem for at, problem in seen.found.items() if at not in seen.rejected}
    if doubted:
        return report, doubted  # read again (import_stances): what was written is undone
    if write and (skip_invalid or not report.problems):
        on_progress(None)
        if touched is None:
            rebuild_days(session)  # first: it reads every stance, faster without their indexes
        indexes.restore()
        if touched is not None:
            refresh_days(session, touched)
    return report, {}


def _date_order(path: str | Path, text: str | None) -> str | None:
    """The order (day or month first) the file's stated_on cells show, if one: read in a
    pass of its own, made only for a file with a date that reads either way round. Else
    the order a rejects file's reasons say its own file showed (:func:`_rejected`): a
    spreadsheet saving the fixed rejects file writes its ISO dates back in its region's
    form, and one row shows no order."""
    said: set[str] = set()

    def dates(rows: Iterable[CsvRow]) -> Iterator[str]:
        for row in rows:
            if _ORDER_SHOWN in (reason := row.cells.get("reason", "")):
                said.add(DAY_FIRST if f"(day{_ORDER_SHOWN}" in reason else MONTH_FIRST)
            yield row.cells.get("stated_on", "")

    reading = stream_csv(path, required=REQUIRED, optional=OPTIONAL, text=text, ragged=True)
    with reading as (_, rows):
        shown = order_in(dates(rows))
    return shown or (said.pop() if len(said) == 1 else None)


def _one_import_at_a_time(session: Session) -> None:
    """Wait for any other import to commit before reading what is stored. SQLite's
    BEGIN IMMEDIATE already does; on PostgreSQL two imports of overlapping files each
    missed the other's uncommitted stances and the second failed on the passage's unique
    constraint. (Dashboard saves do not take this lock: they are one stance each.)"""
    wait_for(session, WriteLock.IMPORT)


def _same_file(one: str | Path, other: str | Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them does not exist (yet)
        return False


def _ignore(_line: int | None) -> None:
    pass


def _large(session: Session, path: str | Path, text: str | None, chunk: list[CsvRow]) -> bool:
    """Whether the file looks like many rows, more than the stances stored (from its size
    and the length of its first rows): then building the indexes once beats keeping them
    in step row by row (tracker.bulk_load)."""
    size = len(text) if text is not None else os.path.getsize(path)
    per_row = sum(len(c) + 1 for row in chunk for c in row.cells.values()) / max(len(chunk), 1)
    expected = size / max(per_row, 1.0)
    if expected < BULK_ABOVE:
        return False
    return expected > (session.scalar(select(func.count()).select_from(Stance)) or 0)


class _Repeats:
    """Rows that give again a stance met earlier in the file: the same actor, issue and
    passage (one stance in the database; on a source that is or was double-coded, one per
    coder), or the same ``stance_id``.

    An exact repeat (a file pasted twice) is counted as repeated. Two rows for one stance
    that disagree, or one of which has problems of its own, are both rejected, each naming
    the other: which of the two was meant is the analyst's call. The earlier row is known
    to be in doubt only when the later one comes (``found``); a second pass rejects it
    (``known``)."""

    def __init__(self, session: Session, known: Doubts) -> None:
        self.session = session
        self.passages = _FirstRows(session, "passages")  # passage and coder -> row's values
        self.ids = _FirstRows(session, "ids")  # stance_id -> the row's passage and coder
        self.coders: dict[tuple[str, str], str] = {}
        # Sources whose passages may hold one stance per coder: few, read once.
        self.double_coded = set(session.scalars(select(DoubleCoding.source_id)))
        self.known = known
        self.found: Doubts = {}
        # Rows known to be rejected by now, which were not taken: their exact repeats are
        # rejected too, and a later twin puts nothing in doubt a second pass must undo.
        self.rejected: set[Place] = set(known)
        self.repeats: list[tuple[Place, Place]] = []  # the chunk's: (row, row it repeats)

    def close(self) -> None:
        self.passages.close()
        self.ids.close()

    def first_times(
        self, results: list[CheckedRow | Refused], report: ImportReport
    ) -> list[CheckedRow]:
        """The rows that give a stance for the first time in the file, in their order.
        ``results``: the chunk's rows as checked, those with problems included."""
        rows = [r for r in results if isinstance(r, CheckedRow) or self._stance_of(r)]
        coders = self._stored_coders(rows)
        keys = [self._key(r, coders) for r in rows]
        contents, digests = [], []
        for r in rows:
            if isinstance(r, Refused):
                contents.append(_REFUSED)
                digests.append(0)
            else:
                content, digest = _fingerprint(r, _compared(r))
                contents.append(content)
                digests.append(digest)
        places = [r.at for r in rows]
        same_passage = self.passages.earlier(keys, contents, places, digests)
        with_id = [i for i, r in enumerate(rows) if isinstance(r, CheckedRow) and r.stance_id]
        same_id = self.ids.earlier(
            [cast(CheckedRow, rows[i]).stance_id or 0 for i in with_id],
            [keys[i] for i in with_id],
            [places[i] for i in with_id],
            [0] * len(with_id),
        )
        by_id = dict(zip(with_id, same_id, strict=True))
        fresh = []

        def reject(problem: Problem) -> None:
            report.problems.append(problem)
            self.rejected.add(problem.at)

        for i, row in enumerate(rows):
            earlier_id, earlier = by_id.get(i), same_passage[i]
            if isinstance(row, Refused):
                if earlier is not None and earlier[1] != _REFUSED:  # a good row, taken
                    twin = _refused_twin(earlier[0], row.at, self._what(row))
                    self.found.setdefault(earlier[0], twin)
            elif earlier_id is not None and earlier_id[1] != keys[i]:
                what = self._what(row)
                reject(_other_id(row.at, earlier_id[0], row.stance_id, what))
                self.found.setdefault(
                    earlier_id[0], _other_id(earlier_id[0], row.at, row.stance_id, what)
                )
            elif earlier is None:
                doubt = self.known.get(row.at)
                if doubt is None:
                    fresh.append(row)
                else:
                    reject(doubt)
            elif earlier[1] == _REFUSED:
                reject(_refused_twin(row.at, earlier[0], self._what(row)))
            elif earlier[1] == contents[i] and earlier[0] in self.rejected:
                reject(_repeat_of_rejected(row.at, earlier[0]))
            elif earlier[1] == contents[i]:
                report.repeated += 1  # the same row again
                self.repeats.append((row.at, earlier[0]))
            else:
                differ, what = _differing(earlier[2], digests[i]), self._what(row)
                reject(_disagreement(row.at, earlier[0], differ, what))
                self.found.setdefault(earlier[0], _disagreement(earlier[0], row.at, differ, what))
        return fresh

    def refused_later(self, places: Iterable[Place], report: ImportReport) -> None:
        """Rows of the chunk refused after first_times (against the stored stance): their
        exact repeats in the same chunk, counted once as repeats, are rejected too."""
        self.rejected.update(places)
        for at, first in self.repeats:
            if first in self.rejected:
                report.repeated -= 1
                report.problems.append(_repeat_of_rejected(at, first))
                self.rejected.add(at)
        self.repeats.clear()

    def _stance_of(self, row: Refused) -> bool:
        """Whether a row with problems names its stance well enough to be matched."""
        passage = row.passage
        if passage is None:
            return False
        return passage[2] not in self.double_coded or {"annotator", "origin"} <= row.values.keys()

    def _stored_coders(self, rows: list[CheckedRow | Refused]) -> dict[int, str]:
        """The coders of the stored stances that rows on double-coded sources name by id:
        such a row is that coder's, whoever imports it (a reviewer importing the export
        of two analysts' codings of one passage)."""
        ids = [
            r.stance_id
            for r in rows
            if isinstance(r, CheckedRow)
            and r.stance_id
            and r.values["source_id"] in self.double_coded
        ]
        if not ids:
            return {}
        found = self.session.execute(select(Stance.id, Stance.coder).where(Stance.id.in_(ids)))
        return dict(found.tuples().all())  # a list: dict() takes a Result for a mapping

    def _key(self, row: CheckedRow | Refused, stored: dict[int, str]) -> int:
        passage = cast(tuple[int, int, int, int, int], row.passage)
        if passage[2] not in self.double_coded:
            coder = ""
        elif isinstance(row, CheckedRow) and row.stance_id in stored:
            coder = stored[row.stance_id]
        else:
            coder = self._coder(row)
        return hash((*passage, coder))

    def _what(self, row: CheckedRow | Refused) -> str:
        """What makes two rows one stance, for the problems naming both."""
        if row.values.get("source_id") in self.double_coded:
            return "actor, issue, passage and coder"
        return "actor, issue and passage"

    def _coder(self, row: CheckedRow | Refused) -> str:
        who = (row.values["annotator"], row.values["origin"])
        if who not in self.coders:
            self.coders[who] = _coder(self.session, row)
        return self.coders[who]


# Rows whose stance a later row of the file puts in doubt (it gives other values, or has
# problems of its own): each row's place, with the problem the row is rejected for.
Doubts = dict[Place, Problem]
# The value kept for a row with problems met for a stance: no hash() is -1 in CPython.
_REFUSED = -1


def _disagreement(at: Place, other: Place, differ: list[str], what: str) -> Problem:
    values = f"another {' and '.join(differ)}" if differ else "other values"
    return Problem(
        at,
        differ[0] if differ else "",
        f"the same stance as {other} ({what}) with {values}; keep the row you mean",
    )


def _repeat_of_rejected(at: Place, other: Place) -> Problem:
    return Problem(
        at, "", f"repeats {other}, which is rejected: settle that row, then delete this one"
    )


def _refused_twin(at: Place, other: Place, what: str) -> Problem:
    return Problem(
        at,
        "",
        f"the same stance as {other} ({what}), which has problems of its own: fix that row, "
        "then keep the row you mean",
    )


def _other_id(at: Place, other: Place, stance_id: int | None, what: str) -> Problem:
    return Problem(
        at,
        "stance_id",
        f"stance_id {stance_id} is also on {other}, for another "
        f"{what.replace(' and ', ' or ')}; one stance_id names one stance",
    )


# The columns a repeated row is compared on, each with a 5-bit hash in one 64-bit digest
# (11 columns and the label's reading): enough to name the cells two rows differ in.
# Whether they differ at all is decided by the whole row's 64-bit hash (a 5-bit one misses
# one difference in 32).
_DIGESTED = (*COMPARED, *EVIDENCE, "position_label")
_BITS = 5
_MASK = (1 << _BITS) - 1
_SLOTS = tuple((key, _BITS * i) for i, key in enumerate(_DIGESTED) if key != "position_label")
_LABEL_SLOT = _BITS * _DIGESTED.index("position_label")


def _fingerprint(row: CheckedRow, compared: tuple[str, ...]) -> tuple[int, int]:
    """What a row says about its stance, hashed: two rows for one stance with the same
    content hash are an exact repeat; their digests name the columns they differ in.

    One pass over the row's values, text hashed inline: done for every row of a file.
    With a call per cell, hashing took 1.9-2.4 s of an import of 100k rows; now 1.2 s."""
    values = row.values
    points = _points(row.label_points)  # the label's reading, not the label as written
    given = [values[key] for key in compared]
    if -1 in given:
        # CPython hashes -1 as -2 (-1 marks an error in its C API): a row at -1 (oppose)
        # and its twin at -2 (strongly oppose) hashed alike, and the second was dropped
        # as an exact repeat of the first.
        given = [
            "-1" if value == -1 and isinstance(value, int | float) else value for value in given
        ]
    content = hash((tuple(given), points))
    digest = points << _LABEL_SLOT  # five points, five bits: the label's slot, whole
    for key, shift in _SLOTS:
        if key in compared:
            value = values[key]
            if type(value) is str:  # half the columns: text
                value_hash = zlib.crc32(value.encode("utf-8", "surrogatepass"))
            else:
                value_hash = _stable_hash(value)
            digest |= (value_hash & _MASK) << shift
    return content, digest


def _stable_hash(value: Any) -> int:
    """A hash of a value other than text (crc32'd in :func:`_fingerprint`) that is the
    same in every process, so that one file's problems name the same columns on every
    run (Python's hash of dates is salted per process)."""
    if isinstance(value, dt.date):  # stated_on: no timestamp is compared
        return value.toordinal()
    if isinstance(value, int):
        return value  # not hash(): it gives -1 as -2
    return hash(value)  # floats (confidence, 0..1), None: never salted


def _points(points: frozenset[int]) -> int:
    """Points of the scale (-2..+2) as five bits: a set's hash() mixes -1 and -2 too."""
    return sum(1 << (point + 2) for point in points)


def _differing(one: int, other: int) -> list[str]:
    """The columns whose hashes differ in two digests (may miss one in 32). A label left
    as exported on a row whose position was edited reads as another point: the position
    is named, not the label."""
    differ = [
        key
        for i, key in enumerate(_DIGESTED)
        if (one >> (_BITS * i)) & _MASK != (other >> (_BITS * i)) & _MASK
    ]
    if "position" in differ and "position_label" in differ:
        differ.remove("position_label")
    return differ


class _FirstRows:
    """Keys (hashes) met so far in a file, each with the place of the row that first gave
    it and a value (a hash) of that row, in a temporary table of the import's transaction:
    memory stays flat however long the file (held in Python, it grew with every row)."""

    def __init__(self, session: Session, name: str) -> None:
        self.session = session
        self.table = Table(
            f"tracker_import_{name}",
            MetaData(),
            Column("key", BigInteger, primary_key=True, autoincrement=False),
            Column("row", BigInteger, nullable=False),
            Column("line", BigInteger, nullable=False),
            Column("value", BigInteger, nullable=False),
            Column("digest", BigInteger, nullable=False),
            prefixes=["TEMPORARY"],
            postgresql_on_commit="DROP",  # and gone on rollback everywhere
        )
        self.table.create(session.connection())

    def earlier(
        self, keys: list[int], values: list[int], places: list[Place], digests: list[int]
    ) -> list[tuple[Place, int, int] | None]:
        """For each row: (place, value, digest) of the first row with its key, or None
        when the key is new (it counts as met from now on, with this row's)."""
        if not keys:
            return []
        c = self.table.c
        met: dict[int, tuple[Place, int, int]] = {
            key: (Place(row, line), value, digest)
            for key, row, line, value, digest in self.session.execute(
                select(c.key, c.row, c.line, c.value, c.digest).where(c.key.in_(set(keys)))
            )
        }
        added: dict[int, tuple[Place, int, int]] = {}
        result: list[tuple[Place, int, int] | None] = []
        for key, at, value, digest in zip(keys, places, values, digests, strict=True):
            first = met.get(key) or added.get(key)
            if first is None:
                added[key] = (at, value, digest)
            result.append(first)
        if added:
            _executemany(
                self.session,
                self.table,
                [
                    {"key": k, "row": at.row, "line": at.line, "value": v, "digest": d}
                    for k, (at, v, d) in added.items()
                ],
            )
        return result

    def close(self) -> None:
        """Drop the table (SQLite keeps it on the connection after a commit)."""
        self.table.drop(self.session.connection())


def _day(values: dict[str, Any]) -> DayKey:
    return (values["actor_id"], values["issue_id"], values["stated_on"])


@dataclass
class _Plan:
    new: list[CheckedRow] = field(default_factory=list)
    changed: list[tuple[CheckedRow, Any]] = field(default_factory=list)  # (row, stored row)
    unchanged: int = 0
    still_suggested: int = 0  # matched a stored suggestion and gave no status
    kept_newer: int = 0  # exported before the stance's last change, and not edited since


# What matching and comparing need of a stored stance: read as plain rows, not ORM objects
# (loading those for every stance of a chunk's sources took a tenth of a large import).
_STORED = (
    Stance.id,
    Stance.actor_id,
    Stance.issue_id,
    Stance.source_id,
    Stance.quote_start,
    Stance.quote_end,
    Stance.coder,
    Stance.annotator,
    Stance.updated_at,
    *(getattr(Stance, k) for k in COMPARED + EVIDENCE),
)


def _plan(
    session: Session, rows: list[CheckedRow], problems: list[Problem], coded_apart: set[int]
) -> _Plan:
    """Match rows to stored stances: by id when given, else by actor, issue and passage
    (and coder, on ``coded_apart``: the sources that are or were double-coded, the same
    set the file's rows are told apart by, :class:`_Repeats`)."""
    plan = _Plan()
    if not rows:
        return plan
    given_ids = sorted({r.stance_id for r in rows if r.stance_id})
    by_id = (
        {s.id: s for s in session.execute(select(*_STORED).where(Stance.id.in_(given_ids)))}
        if given_ids
        else {}
    )
    # Stored stances of the chunk's sources (an indexed read), matched by passage here:
    # a row-value IN over five columns is slow to compile and, on SQLite, scans the table.
    source_ids = sorted({r.values["source_id"] for r in rows})
    by_passage: dict[tuple[int, int, int, int, int], list[Any]] = {}
    for s in session.execute(
        select(*_STORED).where(Stance.source_id.in_(source_ids)).order_by(Stance.id)
    ):
        by_passage.setdefault(_passage(s), []).append(s)
    for row in rows:
        same = by_passage.get(row.passage)
        stored = _same_passage(session, row, same, coded_apart) if same else None
        if row.stance_id is not None and row.stance_id in by_id:
            if _passage(by_id[row.stance_id]) != row.passage:
                problems.append(
                    Problem(
                        row.at,
                        "stance_id",
                        f"stance {row.stance_id} has another actor, issue or passage than this "
                        "row, and an import never changes those of a stored stance: for a new "
                        "stance leave stance_id empty; to correct stance "
                        f"{row.stance_id}, delete it (Read & tag page) and import this row "
                        "with stance_id empty",
                    )
                )
                continue
            stored = by_id[row.stance_id]
        left = unsettled(row, stored)  # a date either way round, an unread timestamp
        if left:
            problems += left
            continue
        if (
            stored is not None
            and row.label_points
            and stored.position not in row.label_points
            # Only on a row that shows the stance as stored (its updated_at): once this
            # file's own edit of the position is imported, the label it left as exported
            # is out of date, and importing the file again must change nothing.
            and row.values.get("updated_at") == stored.updated_at
        ):
            named = " or ".join(signed(p) for p in sorted(row.label_points))
            given = signed(row.values["position"])
            problems.append(
                Problem(
                    row.at,
                    "position_label",
                    f"the label of {named}, but position is {given} (as stored): to move the "
                    f"stance, change position to {named} (the label is written on export, "
                    "not read on import)",
                )
            )
            continue
        if stored is not None and "status" in row.kept and stored.status == "suggested":
            plan.still_suggested += 1
        if stored is None:
            plan.new.append(row)
        elif not any(_differs(getattr(stored, k), row.values[k]) for k in _compared(row)):
            plan.unchanged += 1
        elif not _exported_before_change(row, stored):
            plan.changed.append((row, stored))
        elif _edited_since_export(session, row, stored):
            problems.append(_changed_since_export(row, stored))
        else:
            plan.unchanged += 1
            plan.kept_newer += 1
    return plan


def _exported_before_change(row: CheckedRow, stored: Any) -> bool:
    """Whether the row shows an older version of its stance than the stored one (its
    updated_at is older): someone changed the stance after the file was exported. An
    empty updated_at (now) or one a spreadsheet rewrote (unread) says nothing."""
    given = row.values.get("updated_at")
    return isinstance(given, dt.datetime) and given < stored.updated_at


def _edited_since_export(session: Session, row: CheckedRow, stored: Any) -> bool:
    """Whether the row differs from its stance as it was when the file was exported: then
    the file and the later change both edit the stance. A row as exported differs from
    the stored stance only by that later change, which importing it must not undo (it
    did, without a word).

    The exported version is the first in the history whose event is not older than the
    row's updated_at: each save sets updated_at, then writes its event (at the same time
    or a moment later), before the next save begins; an import's new stance keeps the
    file's older updated_at, and its event is the first."""
    exported = session.scalar(
        select(StanceEvent.after)
        .where(StanceEvent.stance_id == stored.id, StanceEvent.at >= row.values["updated_at"])
        .order_by(StanceEvent.at, StanceEvent.id)
        .limit(1)
    )
    if not exported:
        return True  # no version to compare with: the analyst decides
    for key in _compared(row):
        if key not in exported:  # a history event from before the column existed
            return True
        then = exported[key]
        if key == "stated_on" and then is not None:
            then = dt.date.fromisoformat(then)
        if _differs(then, row.values[key]):
            return True
    return False


def _changed_since_export(row: CheckedRow, stored: Any) -> Problem:
    exported = row.values["updated_at"]
    return Problem(
        row.at,
        "updated_at",
        f"stance {stored.id} was changed by {stored.annotator or 'someone'} at "
        f"{stored.updated_at:%Y-%m-%d %H:%M} UTC, after this row was exported "
        f"({exported:%Y-%m-%d %H:%M} UTC), and this row changes it too: export the stance "
        "again and redo your edit on the newer version, or empty this row's updated_at to "
        "overwrite that change",
    )


def _same_passage(
    session: Session, row: CheckedRow, stored: list[Any], coded_apart: set[int]
) -> Any:
    """The stored stance a row without a matching id stands for: the same coder's on this
    passage; else, on a source never double-coded, whoever's (one stance per passage). On
    a source that is or was, another coder's row is a stance of its own, as the rows of a
    file are told apart (:class:`_Repeats`): matched to whoever's, it overwrote another
    analyst's coding."""
    coder = _coder(session, row)
    mine = [s for s in stored if s.coder == coder]
    if mine or row.values["source_id"] in coded_apart:
        return mine[0] if mine else None
    return stored[0] if stored else None


def _coder(session: Session, row: CheckedRow | Refused) -> str:
    """Who codes an imported row: the signed-in importer, else the file's annotator."""
    principal = principal_of(session)
    name = principal.name if principal.is_account else row.values["annotator"]
    return coder_of(name, row.values["origin"])


def _compared(row: CheckedRow) -> tuple[str, ...]:
    """What the row may change on a stored stance: the values its file has columns for."""
    given = tuple(k for k in COMPARED if k not in row.kept)
    return given + tuple(k for k in EVIDENCE if k in row.values)


def _passage(stance: Any) -> tuple[int, int, int, int, int]:
    return (
        stance.actor_id,
        stance.issue_id,
        stance.source_id,
        stance.quote_start,
        stance.quote_end,
    )


def _differs(stored: Any, given: Any) -> bool:
    if isinstance(stored, float) or isinstance(given, float):
        return abs(float(stored) - float(given)) > 1e-12
    return bool(stored != given)


def _move_sequence_past_ids(session: Session) -> None:
    """Rows kept their ids: on PostgreSQL, move the id sequence past them."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            sql_text(
                "SELECT setval(pg_get_serial_sequence('stance', 'id'), "
                "(SELECT max(id) FROM stance))"
            )
        )


def _record(row: CheckedRow) -> dict[str, Any]:
    values = {**row.values, "version": 1}
    if row.stance_id is not None:
        values["id"] = row.stance_id
    return values


def _insert(session: Session, rows: list[CheckedRow]) -> None:
    """Bulk insert (executemany), then one 'create' history event per stance (made by
    the database, tracker.bulk_history)."""
    if not rows:
        return
    with_ids = [_record(r) for r in rows if r.stance_id is not None]
    without = [_record(r) for r in rows if r.stance_id is None]
    if principal_of(session).is_account:  # the signed-in importer, not the file's names
        for values in with_ids + without:
            values["annotator"] = principal_of(session).name
    coders: dict[tuple[str, str], str] = {}  # a file names a few annotators, many times
    for values in with_ids + without:
        who = (values["annotator"], values["origin"])
        if who not in coders:
            coders[who] = coder_of(*who)
        values["coder"] = coders[who]
    ids: list[int] = [v["id"] for v in with_ids]
    # Core inserts on the tables: the ORM's bulk path adds per-row bookkeeping we don't use.
    stance = cast(Table, Stance.__table__)
    if with_ids:
        _executemany(session, stance, with_ids)
        _move_sequence_past_ids(session)  # before rows that take ids from the sequence
    if without:
        ids += list(
            session.scalars(
                insert(stance).returning(stance.c.id, sort_by_parameter_order=True), without
            )
        )
    log_created(session, ids, utcnow())


def _executemany(session: Session, table: Table, records: list[dict[str, Any]]) -> None:
    """Insert rows through the driver's ``executemany``.

    What a Core insert would send: the statement SQLAlchemy compiles and each column
    type's own bind processor (dates, UTC timestamps, JSON), without SQLAlchemy's
    per-row parameter handling, which cost more than the database's work here."""
    keys = records[0].keys()
    if any(record.keys() != keys for record in records):
        session.execute(insert(table), records)  # not one shape: let SQLAlchemy sort it out
        return
    connection = session.connection()
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys), for_executemany=True)
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
    defaults = {name: _scalar_default(table, name) for name in names if name not in keys}
    columns: list[list[Any]] = []
    for name in names:
        if name in keys:
            column = [record[name] for record in records]
        else:
            column = [defaults[name]] * len(records)
        type_ = table.c[name].type
        process = type_.dialect_impl(dialect).bind_processor(dialect)
        if isinstance(type_, UTCDateTime) and dialect.name == "sqlite":
            # Timestamps are all different (no remembering): the one-call path, tested
            # equal to the processors in tests/test_models.py.
            column = [None if v is None else UTCDateTime.sqlite_text(v) for v in column]
        elif process is not None:
            column = _processed(column, process, remember=not isinstance(type_, JSON))
        columns.append(column)
    # Column by column: a processor runs once per distinct date or timestamp of the chunk
    # (days and the history's "at" repeat), not once per cell.
    rows = zip(*columns, strict=True)
    params: list[Any] = (
        list(rows) if compiled.positional else [dict(zip(names, row, strict=True)) for row in rows]
    )
    connection.exec_driver_sql(str(compiled), params)


def _processed(column: list[Any], process: Any, *, remember: bool) -> list[Any]:
    if not remember:  # JSON documents: unhashable, and each one different
        return [process(value) for value in column]
    done: dict[Any, Any] = {}
    return [done[v] if v in done else done.setdefault(v, process(v)) for v in column]


def _scalar_default(table: Table, name: str) -> Any:
    """The Python-side default of a column the rows leave out (conditional, condition)."""
    default = table.c[name].default
    if default is None or not default.is_scalar:
        raise TypeError(f"{table.name}.{name} needs a value in every row")
    return default.arg  # type: ignore[attr-defined]


def _update(session: Session, changed: list[tuple[CheckedRow, Any]], importer: str) -> None:
    """Apply changed values; the change is the importing analyst's, made now."""
    now = utcnow()
    for row, found in changed:
        stored = session.get_one(Stance, found.id)
        before = snapshot(stored)
        new_values = {k: row.values[k] for k in _compared(row)}
        new_values["annotator"] = importer
        session.execute(
            update(Stance)
            .where(Stance.id == stored.id)
            .values(**new_values, updated_at=now, version=Stance.version + 1)
        )
        after = {**before, **_jsonable(new_values), "version": before["version"] + 1}
        if "reported_by_id" in new_values:
            after["reported_by"] = row.reporter
        if "proposal_id" in new_values:
            after["proposal"] = row.proposal
        session.add(
            StanceEvent(
                stance_id=stored.id,
                action=StanceAction.UPDATE.value,
                annotator=importer,
                at=now,
                before=before,
                after=after,
            )
        )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def write_rejects(out: TextIO, path: str | Path, text: str | None, problems: list[Problem]) -> int:
    """The rows with problems as they were in the file, plus a ``reason`` column; returns
    how many. A row with more cells than the header keeps the extra ones in its reason,
    so that nothing of it is lost."""
    reasons: dict[Place, list[str]] = {}
    for problem in problems:
        said = f"{problem.column}: {problem.message}" if problem.column else problem.message
        reasons.setdefault(problem.at, []).append(said)
    order = cache(lambda: _date_order(path, text))
    reading = stream_csv(path, required=REQUIRED, optional=OPTIONAL, text=text, ragged=True)
    with reading as (header, rows):
        header = [c for c in header if c != "reason"]  # a rejects file imported again
        bad = (
            _rejected(row, reasons[row.at] + _reshaped(row), order)
            for row in rows
            if row.at in reasons
        )
        # Back in the file's own ";" (a spreadsheet in a decimal-comma region wrote it so
        # and reads a comma-separated file as one column); tabs are the export's commas.
        between = ";" if delimiter_of(path, text) == ";" else ","
        return write_csv(out, [*header, "reason"], bad, numbers=_NUMBER_COLUMNS, delimiter=between)


def _rejected(row: CsvRow, reasons: list[str], order: Callable[[], str | None]) -> dict[str, str]:
    """A rejects file's row: the row's cells and its reasons. A date that reads either way
    round (04/08/2025) is written as the file's other dates showed it: the rejects file
    alone may show no order, and would read it otherwise (or not at all)."""
    cells = dict(row.cells)
    stated = cells.get("stated_on", "")
    try:
        either = isinstance(read_date(stated, _as_is), Ambiguous) and row.shape is None
    except TrackerError:
        either = False
    if either and (shown := order()) is not None:
        day = cast(dt.date, read_date(stated, _as_is, shown))
        cells["stated_on"] = day.isoformat()
        first = "day" if shown == DAY_FIRST else "month"
        reasons = [
            *reasons,
            f"stated_on {stated!r} is written as {day.isoformat()} ({first}{_ORDER_SHOWN}",
        ]
    return {**cells, "reason": "; ".join(reasons)}


# How a rejects file's reason says the order its file showed: read back as that order
# when the file shows none (_date_order).
_ORDER_SHOWN = " first, as the file's other dates show)"


def _as_is(day: dt.date) -> dt.date:
    return day


def rejects_bytes(path: str | Path, text: str | None, problems: list[Problem]) -> bytes:
    """:func:`write_rejects` as one file in memory, for a download button: with a
    byte-order mark, as ``--skip-invalid`` writes it (a spreadsheet reads UTF-8 without
    one as Windows-1252 and garbles the quotes)."""
    out = io.StringIO(newline="")
    out.write("\ufeff")
    write_rejects(out, path, text, problems)
    return out.getvalue().encode("utf-8")


def _reshaped(row: CsvRow) -> list[str]:
    """What a row that did not fit the header needs before it is imported again."""
    if row.shape is None:
        return []
    extra = " | ".join(row.extra)
    cut = f"; its cells after the last column were: {extra}" if extra.strip(" |") else ""
    return [
        f"the row was padded or cut to fit the columns{cut}; check every cell, then empty "
        "this reason cell to import it"
    ]
