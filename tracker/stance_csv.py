"""Stances to and from CSV: lossless, spreadsheet-safe, all-or-nothing.

Export streams the shared flat query (tracker.stance_query) through the neutralising
CSV writer. Import reads the same columns in two streaming passes: the first
validates every row and touches nothing; the second writes, in one transaction.
Rows are matched to stored stances by ``stance_id`` or, without one, by actor, issue
and passage, so importing the same file twice creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine, insert, select, tuple_, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from tracker.csv_io import CsvRow, atomic_output, stream_csv, write_csv
from tracker.db import transaction
from tracker.errors import TrackerError
from tracker.models import (
    ActorAlias,
    Issue,
    Source,
    Stance,
    StanceAction,
    StanceEvent,
    StanceOrigin,
    StanceStatus,
    utcnow,
)
from tracker.stance_query import COLUMNS, STATUSES, StanceFilter, iter_stance_records
from tracker.stances import (
    ORIGINS,
    check_confidence,
    check_position,
    locate_quote,
    snapshot,
)
from tracker.text import name_key

REQUIRED = ("actor", "issue", "stated_on", "position", "quote", "source_id")
OPTIONAL = tuple(c for c in COLUMNS if c not in REQUIRED)
# Written on export for readers; on import they come from the database instead.
DERIVED = (
    "party",
    "position_label",
    "source_title",
    "source_outlet",
    "source_url",
    "published_on",
    "duplicate_of",
)
CHUNK = 2000
SOURCE_CACHE = 2000
COMPARED = ("stated_on", "position", "confidence", "status", "origin", "note", "annotator")


def export_stances(session: Session, flt: StanceFilter, out: TextIO) -> int:
    """Write the matching stances as CSV; returns the number of rows."""
    return write_csv(out, COLUMNS, iter_stance_records(session, flt))


def export_stances_to(session: Session, flt: StanceFilter, path: str, *, excel: bool) -> int:
    with atomic_output(path, excel=excel) as out:
        return export_stances(session, flt, out)


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class ImportProblems(TrackerError):
    """Rows that cannot be imported; nothing was written."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"{name}: {len(problems)} problem(s), nothing imported "
            f"(fix them, or use --skip-invalid REJECTS.csv):\n{lines}"
        )
        self.problems = problems


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.created} new, {self.updated} updated, {self.unchanged} unchanged stances "
            f"{'(dry run: nothing written)' if self.dry_run else ''}".rstrip()
            + (f"; {self.rejected} rows {verb} rejected" if self.rejected else "")
        )


@dataclass
class _Row:
    """A validated row, ready to be written."""

    line: int
    stance_id: int | None
    values: dict[str, Any]

    @property
    def passage(self) -> tuple[int, int, int, int, int]:
        v = self.values
        return (v["actor_id"], v["issue_id"], v["source_id"], v["quote_start"], v["quote_end"])


@dataclass(frozen=True)
class _SourceText:
    id: int
    title: str
    text: str


class _Validator:
    """Checks rows against the database, caching names and recently used source texts."""

    def __init__(self, session: Session, annotator: str) -> None:
        self.session = session
        self.annotator = annotator
        self.actors = dict(
            session.execute(select(ActorAlias.alias_key, ActorAlias.actor_id)).tuples().all()
        )
        self.issues = dict(session.execute(select(Issue.slug, Issue.id)).tuples().all())
        self.sources: OrderedDict[int, _SourceText] = OrderedDict()

    def load_sources(self, rows: list[CsvRow]) -> None:
        """Fetch the texts a chunk of rows quotes, in one query."""
        wanted = {_int_or_none(r.cells["source_id"]) for r in rows} - {None} - set(self.sources)
        if wanted:
            for sid, title, body in self.session.execute(
                select(Source.id, Source.title, Source.text).where(Source.id.in_(wanted))
            ):
                self.sources[sid] = _SourceText(sid, title, body)
        while len(self.sources) > SOURCE_CACHE + len(wanted):
            self.sources.popitem(last=False)

    def check(self, row: CsvRow) -> _Row | list[Problem]:
        cells, problems = row.cells, []
        values: dict[str, Any] = {}

        def parse_cell(column: str, key: str, parse: Any, default: Any = None) -> None:
            raw = cells.get(column, "").strip()
            if not raw and default is not None:
                values[key] = parse(default) if default == "now" else default
                return
            try:
                values[key] = parse(raw)
            except (TrackerError, ValueError) as exc:
                problems.append(Problem(row.line, column, _message(column, raw, exc)))

        parse_cell("actor", "actor_id", lambda v: _lookup(self.actors, name_key(v), "actor", v))
        parse_cell("issue", "issue_id", lambda v: _lookup(self.issues, v.lower(), "issue", v))
        parse_cell("stated_on", "stated_on", _date)
        parse_cell("position", "position", check_position)
        parse_cell("confidence", "confidence", check_confidence, 1.0)
        parse_cell(
            "status",
            "status",
            lambda v: _choice(v, STATUSES, "status"),
            StanceStatus.ACCEPTED.value,
        )
        parse_cell(
            "origin", "origin", lambda v: _choice(v, ORIGINS, "origin"), StanceOrigin.IMPORT.value
        )
        parse_cell("annotator", "annotator", str, self.annotator)
        parse_cell("created_at", "created_at", _timestamp, "now")
        parse_cell("updated_at", "updated_at", _timestamp, "now")
        values["note"] = cells.get("note", "").strip()
        stance_id = _optional_int(cells.get("stance_id", ""), row.line, "stance_id", problems)
        self._check_quote(row, values, problems)
        return problems or _Row(row.line, stance_id, values)

    def _check_quote(self, row: CsvRow, values: dict[str, Any], problems: list[Problem]) -> None:
        cells = row.cells
        source_id = _optional_int(cells["source_id"], row.line, "source_id", problems)
        if source_id is None:
            if not cells["source_id"].strip():
                problems.append(Problem(row.line, "source_id", "empty"))
            return
        source = self.sources.get(source_id)
        if source is None:
            problems.append(Problem(row.line, "source_id", f"no source with id {source_id}"))
            return
        start = _optional_int(cells.get("quote_start", ""), row.line, "quote_start", problems)
        try:
            values["quote_start"], values["quote_end"] = locate_quote(source, cells["quote"], start)
        except TrackerError as exc:
            problems.append(Problem(row.line, "quote", str(exc)))
            return
        end = _optional_int(cells.get("quote_end", ""), row.line, "quote_end", problems)
        if end is not None and end != values["quote_end"]:
            problems.append(
                Problem(
                    row.line,
                    "quote_end",
                    f"{end} does not end the quote (it ends at {values['quote_end']})",
                )
            )
        values["source_id"], values["quote"] = source_id, cells["quote"]


def _lookup(table: dict[str, int], key: str, kind: str, raw: str) -> int:
    if not raw:
        raise TrackerError("empty")
    if key not in table:
        raise TrackerError(f"unknown {kind} {raw!r}")
    return table[key]


def _message(column: str, raw: str, exc: Exception) -> str:
    if isinstance(exc, TrackerError):
        return str(exc)
    return f"{raw!r} is not a valid {column.replace('_', ' ')}"


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TrackerError(f"{value!r} is not a date; use YYYY-MM-DD") from None


def _timestamp(value: str) -> dt.datetime:
    if value == "now":
        return utcnow()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise TrackerError(f"{value!r} is not an ISO timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise TrackerError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")
    return value


def _int_or_none(value: str) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        return None


def _optional_int(value: str, line: int, column: str, problems: list[Problem]) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        problems.append(Problem(line, column, f"{value!r} is not a whole number"))
        return None


def _chunks(rows: Iterator[CsvRow]) -> Iterator[list[CsvRow]]:
    chunk: list[CsvRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_stances(
    engine: Engine,
    path: str | Path,
    *,
    dry_run: bool = False,
    rejects: str | Path | None = None,
    annotator: str = "import",
    text: str | None = None,
) -> ImportReport:
    """Validate every row, then write them all (or, with ``rejects``, the valid ones)."""
    name = str(path)
    with transaction(engine) as session:
        report = _validate_all(session, name, path, annotator, text)
        if report.problems and rejects is None:
            raise ImportProblems(name, report.problems)
        if dry_run:
            report.dry_run = True
            report.rejected = len({p.line for p in report.problems})
            session.rollback()
            return report
        bad_lines = {p.line for p in report.problems}
        if rejects is not None:
            _write_rejects(path, text, rejects, report.problems)
        written = _write_all(session, path, annotator, text, bad_lines)
        written.rejected = len(bad_lines)
        written.problems = report.problems
        return written


def _validate_all(
    session: Session, name: str, path: str | Path, annotator: str, text: str | None
) -> ImportReport:
    """Pass one: every problem in the file, and what importing would do."""
    report = ImportReport()
    validator = _Validator(session, annotator)
    seen: set[tuple[int, int, int, int, int]] = set()
    with stream_csv(path, required=REQUIRED, optional=OPTIONAL, text=text) as (_, rows):
        for chunk in _chunks(rows):
            validator.load_sources(chunk)
            good = []
            for row in chunk:
                result = validator.check(row)
                if isinstance(result, list):
                    report.problems += result
                elif result.passage in seen:
                    report.unchanged += 1  # the same stance twice in one file
                else:
                    seen.add(result.passage)
                    good.append(result)
            plan = _plan(session, good, report.problems)
            report.created += len(plan.new)
            report.updated += len(plan.changed)
            report.unchanged += plan.unchanged
    return report


@dataclass
class _Plan:
    new: list[_Row] = field(default_factory=list)
    changed: list[tuple[_Row, Any]] = field(default_factory=list)
    unchanged: int = 0


def _plan(session: Session, rows: list[_Row], problems: list[Problem]) -> _Plan:
    """Match rows to stored stances: by id when given, else by actor, issue and passage."""
    plan = _Plan()
    if not rows:
        return plan
    by_id = {
        s.id: s
        for s in session.execute(
            select(Stance).where(Stance.id.in_([r.stance_id for r in rows if r.stance_id]))
        ).scalars()
    }
    by_passage = {
        (s.actor_id, s.issue_id, s.source_id, s.quote_start, s.quote_end): s
        for s in session.execute(
            select(Stance).where(
                tuple_(
                    Stance.actor_id,
                    Stance.issue_id,
                    Stance.source_id,
                    Stance.quote_start,
                    Stance.quote_end,
                ).in_([r.passage for r in rows])
            )
        ).scalars()
    }
    for row in rows:
        stored = by_passage.get(row.passage)
        if row.stance_id is not None and row.stance_id in by_id:
            if _passage(by_id[row.stance_id]) != row.passage:
                problems.append(
                    Problem(
                        row.line,
                        "stance_id",
                        f"stance {row.stance_id} here is a different stance (another actor, issue "
                        "or passage); leave stance_id empty to import this row as a new stance",
                    )
                )
                continue
            stored = by_id[row.stance_id]
        if stored is None:
            plan.new.append(row)
        elif any(_differs(getattr(stored, k), row.values[k]) for k in COMPARED):
            plan.changed.append((row, stored))
        else:
            plan.unchanged += 1
    return plan


def _passage(stance: Stance) -> tuple[int, int, int, int, int]:
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


def _write_all(
    session: Session, path: str | Path, annotator: str, text: str | None, bad_lines: set[int]
) -> ImportReport:
    """Pass two: write the valid rows, chunk by chunk, in the caller's transaction."""
    report = ImportReport()
    validator = _Validator(session, annotator)
    seen: set[tuple[int, int, int, int, int]] = set()
    explicit_ids = False
    with stream_csv(path, required=REQUIRED, optional=OPTIONAL, text=text) as (_, rows):
        for chunk in _chunks(rows):
            validator.load_sources(chunk)
            good = []
            for row in chunk:
                if row.line in bad_lines:
                    continue
                result = validator.check(row)
                assert isinstance(result, _Row)  # validated in pass one
                if result.passage in seen:
                    report.unchanged += 1  # the same stance twice in one file
                else:
                    seen.add(result.passage)
                    good.append(result)
            plan = _plan(session, good, [])
            explicit_ids |= any(r.stance_id for r in plan.new)
            _insert(session, plan.new)
            _update(session, plan.changed)
            report.created += len(plan.new)
            report.updated += len(plan.changed)
            report.unchanged += (
                plan.unchanged + len(good) - len(plan.new) - len(plan.changed) - plan.unchanged
            )
    if explicit_ids and session.get_bind().dialect.name == "postgresql":
        # Rows kept their ids: move the sequence past them so new stances do not collide.
        session.execute(
            sql_text(
                "SELECT setval(pg_get_serial_sequence('stance', 'id'), "
                "(SELECT max(id) FROM stance))"
            )
        )
    return report


def _record(row: _Row) -> dict[str, Any]:
    values = {**row.values, "version": 1}
    if row.stance_id is not None:
        values["id"] = row.stance_id
    return values


def _insert(session: Session, rows: list[_Row]) -> None:
    """Bulk insert (executemany), then one 'create' history event per stance."""
    if not rows:
        return
    with_ids = [_record(r) for r in rows if r.stance_id is not None]
    without = [_record(r) for r in rows if r.stance_id is None]
    ids: list[int] = [v["id"] for v in with_ids]
    if with_ids:
        session.execute(insert(Stance), with_ids)
    if without:
        ids += list(
            session.scalars(
                insert(Stance).returning(Stance.id, sort_by_parameter_order=True), without
            )
        )
    now = utcnow()
    records = with_ids + without
    session.execute(
        insert(StanceEvent),
        [
            {
                "stance_id": sid,
                "action": StanceAction.CREATE.value,
                "annotator": v["annotator"],
                "at": now,
                "before": None,
                "after": _snapshot(v, sid),
            }
            for sid, v in zip(ids, records, strict=True)
        ],
    )


def _update(session: Session, changed: list[tuple[_Row, Any]]) -> None:
    now = utcnow()
    for row, stored in changed:
        before = snapshot(stored)
        new_values = {k: row.values[k] for k in COMPARED}
        session.execute(
            update(Stance)
            .where(Stance.id == stored.id)
            .values(**new_values, updated_at=row.values["updated_at"], version=Stance.version + 1)
        )
        session.add(
            StanceEvent(
                stance_id=stored.id,
                action=StanceAction.UPDATE.value,
                annotator=row.values["annotator"],
                at=now,
                before=before,
                after={**before, **_jsonable(new_values), "version": before["version"] + 1},
            )
        )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def _snapshot(values: dict[str, Any], stance_id: int) -> dict[str, Any]:
    keep = (
        "actor_id",
        "issue_id",
        "source_id",
        "stated_on",
        "position",
        "confidence",
        "quote",
        "quote_start",
        "quote_end",
        "status",
        "origin",
        "annotator",
        "note",
    )
    return {**_jsonable({k: values[k] for k in keep}), "version": 1}


def _write_rejects(
    path: str | Path, text: str | None, rejects: str | Path, problems: list[Problem]
) -> None:
    """The rejected rows as they were, plus a ``reason`` column."""
    reasons: dict[int, list[str]] = {}
    for problem in problems:
        reasons.setdefault(problem.line, []).append(f"{problem.column}: {problem.message}")
    with stream_csv(path, required=REQUIRED, optional=OPTIONAL, text=text) as (header, rows):
        bad = (
            {**row.cells, "reason": "; ".join(reasons[row.line])}
            for row in rows
            if row.line in reasons
        )
        with atomic_output(rejects) as out:
            write_csv(out, [*header, "reason"], bad)


def export_stances_bytes(session: Session, flt: StanceFilter, *, excel: bool = False) -> bytes:
    """The export as one UTF-8 file in memory, for a download button."""
    out = io.StringIO(newline="")
    export_stances(session, flt, out)
    return ("\ufeff" if excel else "").encode() + out.getvalue().encode("utf-8")
