"""Checking rows of a stance CSV against the database, without writing anything.

Every problem is reported with its row (as a spreadsheet numbers it) and column; names go
through alias matching and quotes must stand in the named source's text (offsets are
computed, or checked).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.cell_dates import Ambiguous, read_date
from tracker.csv_io import SHAPE_MARK, CsvRow, Place, damaged, maybe_damaged
from tracker.errors import TrackerError
from tracker.models import (
    MAX_ID,
    Actor,
    ActorAlias,
    Issue,
    Proposal,
    Source,
    StanceOrigin,
    StanceStatus,
    utcnow,
)
from tracker.stance_query import COLUMNS, STATUSES
from tracker.stances import (
    ORIGINS,
    check_annotator,
    check_attribution,
    check_condition,
    check_confidence,
    check_position,
    check_stated_on,
    locate_quote,
)
from tracker.text import name_key, plural

REQUIRED = ("actor", "issue", "stated_on", "position", "quote", "source_id")
# "reason" is what --skip-invalid adds to the rows it rejects: a fixed rejects file
# imports as it is.
OPTIONAL = (*(c for c in COLUMNS if c not in REQUIRED), "reason")
# Written on export for readers; on import they come from the database instead.
DERIVED = (
    "party",
    "position_label",
    "source_title",
    "source_outlet",
    "source_url",
    "published_on",
    "duplicate_of",
    "corroboration",
)
CHUNK = 2000
SOURCE_CACHE = 2000
VERDICT_MEMO = 10_000  # distinct cells remembered per column (see RowChecker._remembered)
# Quotes not in their text whose difference an import shows (tracker.quote_diff): a
# quarter of a millisecond each in a long text, so a file of a million rows with the
# wrong source ids would take minutes longer to refuse. The rest say only "not in".
EXPLAINED_QUOTES = 1000
# What an import may change on a stored stance (who recorded it is not content).
COMPARED = ("stated_on", "position", "confidence", "status", "origin", "note")
# Compared and changed only when the file has their columns: a file from before they
# existed leaves what is stored as it is.
EVIDENCE = ("attribution", "reported_by_id", "conditional", "condition", "proposal_id")
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")
# Cells checked for a spreadsheet's damage (tracker.csv_io.damaged).
STORED_TEXT = ("actor", "issue", "note", "condition", "reported_by", "proposal", "annotator")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")


@dataclass(frozen=True)
class Problem:
    at: Place
    column: str  # empty: the whole row
    message: str

    def __str__(self) -> str:
        column = f", column {self.column}" if self.column else ""  # else the whole row
        return f"{self.at}{column}: {self.message}"


class ImportProblems(TrackerError):
    """Rows that cannot be imported; nothing was written. ``others``: what the other rows
    would have done ("3 new, 1 updated, 40 unchanged stances")."""

    def __init__(self, name: str, problems: list[Problem], others: str = "") -> None:
        lines = "\n".join(f"  {p}" for p in problems)
        rows = len({p.at for p in problems})
        others = f"; the other rows would give {others}" if others else ""
        super().__init__(
            f"{name}: {plural(len(problems), 'problem')} in {plural(rows, 'row')}, nothing "
            f"imported{others} (fix them, or use --skip-invalid REJECTS.csv):\n{lines}"
        )
        self.problems = problems


@dataclass
class CheckedRow:
    """A validated row, ready to be written."""

    at: Place
    stance_id: int | None
    values: dict[str, Any]
    reporter: str | None = None  # the reporting actor's name, for the history
    proposal: str | None = None  # the linked proposal's name, for the history
    # Values the file has no column for, or an empty cell (defaults for a new stance): a
    # stored stance keeps its own.
    kept: frozenset[str] = frozenset()
    # The points of the scale the row's position_label names, when not its position: an
    # edited label, unless the stored stance has one of them (then it is the position
    # that was edited, the label left as exported).
    label_points: frozenset[int] = frozenset()

    @property
    def passage(self) -> tuple[int, int, int, int, int]:
        return _passage_of(self.values)


def _passage_of(v: dict[str, Any]) -> tuple[int, int, int, int, int]:
    """A stance's actor, issue and passage (KeyError when a cell naming them was not read).
    Read for every row, several times: no generator."""
    return (v["actor_id"], v["issue_id"], v["source_id"], v["quote_start"], v["quote_end"])


@dataclass
class Refused:
    """A row with problems, and the values that were read from it: another row of the
    file giving the same stance must not go in unnoticed (tracker.stance_import)."""

    at: Place
    problems: list[Problem]
    values: dict[str, Any]

    @property
    def passage(self) -> tuple[int, int, int, int, int] | None:
        """The stance's actor, issue and passage, when the cells naming them were good."""
        try:
            return _passage_of(self.values)
        except KeyError:
            return None


@dataclass(frozen=True)
class Unread:
    """A cell that only a new stance uses (created_at, updated_at) and that cannot be
    read: a problem if the row turns out to be a new stance (stance_import._plan)."""

    message: str


def unsettled(row: CheckedRow, stored: Any) -> list[Problem]:
    """Settle the row's values that depend on whether it is a stored stance (``stored``,
    else None): an :class:`Ambiguous` date by the stored stance's date, an
    :class:`Unread` timestamp by not being used. Returns the problems left."""
    problems = []
    values = row.values
    day = values.get("stated_on")
    if isinstance(day, Ambiguous):
        settled = day.settled_by(stored.stated_on) if stored is not None else None
        if settled is None:
            problems.append(Problem(row.at, "stated_on", day.problem()))
        else:
            values["stated_on"] = settled
    if stored is None:
        problems += [
            Problem(row.at, key, value.message)
            for key in ("created_at", "updated_at")
            if isinstance(value := values.get(key), Unread)
        ]
    return problems


@dataclass(frozen=True)
class _FileChecks:
    columns: frozenset[str]
    checks: list[tuple[str, str, Any, Any, dict[str, tuple[bool, Any]] | None]]
    absent: dict[str, Any]
    kept: frozenset[str]


@dataclass(frozen=True)
class _SourceText:
    id: int
    title: str
    text: str


class RowChecker:
    """Checks rows against the database, caching names and recently used source texts."""

    def __init__(
        self,
        session: Session,
        annotator: str,
        date_order: Callable[[], str | None] = lambda: None,
    ) -> None:
        """``date_order`` reads the order the file writes its dates in (day or month
        first, tracker.cell_dates.order_in), when a cell needs it: a pass over the file,
        made only if a date could be read either way round."""
        self.session = session
        self._date_order = cache(date_order)  # read once, when a cell first needs it
        self._explained = 0  # quote mismatches explained so far
        try:
            self.annotator = check_annotator_name(annotator)
        except TrackerError as exc:  # before any row is read: the whole import stops
            raise TrackerError(f"the annotator for rows that name none: {exc}") from None
        self.actors = dict(
            session.execute(select(ActorAlias.alias_key, ActorAlias.actor_id)).tuples().all()
        )
        self.issues = dict(session.execute(select(Issue.slug, Issue.id)).tuples().all())
        # Each issue's scale labels, folded, to the points they name (two may share one):
        # a position_label edited to another point's label is a change of position the
        # import would drop (checked against the stored stance in stance_import._plan).
        self._labels_read: dict[tuple[int, str], frozenset[int]] = {}
        self.label_points: dict[int, dict[str, frozenset[int]]] = {}
        for issue in session.scalars(select(Issue)):
            named: dict[str, set[int]] = {}
            for point, label in issue.labels().items():  # two points may share a label
                named.setdefault(name_key(label), set()).add(point)
            self.label_points[issue.id] = {k: frozenset(v) for k, v in named.items()}
        self.names = dict(session.execute(select(Actor.id, Actor.name)).tuples().all())
        self.proposals = {
            key: (pid, name)
            for pid, key, name in session.execute(
                select(Proposal.id, Proposal.name_key, Proposal.name)
            ).tuples()
        }
        self.sources: OrderedDict[int, _SourceText] = OrderedDict()
        self._checks = self._cell_checks()
        self._verdicts: dict[str, dict[str, tuple[bool, Any]]] = {}
        self._file: _FileChecks | None = None

    def load_sources(self, rows: list[CsvRow]) -> None:
        """Fetch the texts a chunk of rows quotes, in one query."""
        needed = {sid for r in rows if (sid := int_or_none(r.cells["source_id"])) is not None}
        wanted = needed - set(self.sources)
        if wanted:
            for sid, title, body in self.session.execute(
                select(Source.id, Source.title, Source.text).where(Source.id.in_(wanted))
            ):
                self.sources[sid] = _SourceText(sid, title, body)
        for sid in needed & set(self.sources):  # this chunk's sources are the freshest
            self.sources.move_to_end(sid)
        while len(self.sources) > max(SOURCE_CACHE, len(needed)):
            self.sources.popitem(last=False)

    def _cell_checks(self) -> list[tuple[str, str, Any, Any, bool]]:
        """Per column: the value's key, its parser, the default for an empty cell, and
        whether the parser depends on the cell alone (so its verdict can be remembered)."""
        return [
            ("actor", "actor_id",
             lambda v: _lookup(self.actors, name_key(v), "actor", v, self.names), None, True),
            ("issue", "issue_id", lambda v: _lookup(self.issues, v.lower(), "issue", v), None,
             True),
            ("stated_on", "stated_on", self._stated_on, None, True),
            ("position", "position", lambda v: check_position(_decimal(v)), None, True),
            ("confidence", "confidence", lambda v: check_confidence(_decimal(v)), 1.0, True),
            ("status", "status", lambda v: _choice(v.lower(), STATUSES, "status"),
             StanceStatus.ACCEPTED.value, True),
            ("origin", "origin", lambda v: _choice(v.lower(), ORIGINS, "origin"),
             StanceOrigin.IMPORT.value, True),
            ("annotator", "annotator", check_annotator_name, self.annotator, True),
            ("created_at", "created_at", _timestamp_or_unread, "now", False),
            ("updated_at", "updated_at", _timestamp_or_unread, "now", False),
        ]  # fmt: skip

    def _for_file(self, columns: Iterable[str]) -> _FileChecks:
        """The checks of the columns a file has, and the values of those it lacks (one
        instant for a missing timestamp: the whole import happens "now")."""
        present = set(columns)
        checks, absent = [], {}
        for column, key, parse, default, pure in self._checks:
            if column in present:
                memo = self._verdicts.setdefault(column, {}) if pure else None
                checks.append((column, key, parse, default, memo))
            else:
                absent[key] = parse(default) if default == "now" else default
        kept = set(absent) | ({"note"} if "note" not in present else set())
        return _FileChecks(frozenset(present), checks, absent, frozenset(kept))

    def _verdict(self, column: str, raw: str, parse: Any) -> tuple[bool, Any]:
        """(True, value) or (False, the problem's message) for one cell."""
        try:
            return True, parse(raw)
        except (TrackerError, ValueError) as exc:
            return False, _message(column, raw, exc)

    def _remembered(
        self, memo: dict[str, tuple[bool, Any]], column: str, raw: str, parse: Any
    ) -> tuple[bool, Any]:
        # Names, dates, positions and the like repeat from row to row: each distinct cell
        # is parsed once (a million rows hold a few thousand of them).
        verdict = self._verdict(column, raw, parse)
        if len(memo) >= VERDICT_MEMO:
            memo.clear()  # keeps memory flat on a file of all-different cells
        memo[raw] = verdict
        return verdict

    def check(self, row: CsvRow) -> CheckedRow | Refused:
        if row.shape is not None:  # its cells are not under their columns: nothing to check
            return Refused(row.at, [Problem(row.at, "", row.shape)], {})
        cells = row.cells
        if SHAPE_MARK in cells.get("reason", ""):
            # A rejects file's row that did not fit the header: padded or cut to fit, its
            # cells may be empty or shifted. Imported unedited, it would clear or scramble
            # the stored stance. (The old reason is kept: it may hold the cut-off cells.)
            return Refused(row.at, [Problem(row.at, "reason", _shape_again(cells["reason"]))], {})
        problems = []
        if "\x00" in "".join(cells.values()):
            problems = [
                Problem(row.at, column, "contains a NUL byte, which the database cannot store")
                for column, cell in cells.items()
                if "\x00" in cell
            ]
        # Only what the import stores by name or as text: a source's title is not read (a
        # scraped one may really hold "â€™"), and a quote must match its source anyway.
        stored = [(c, cells[c]) for c in STORED_TEXT if c in cells]
        if maybe_damaged("".join(cell for _, cell in stored)):
            problems += [
                Problem(row.at, column, why)
                for column, cell in stored
                if (why := damaged(cell)) is not None
            ]
        file = self._file
        if file is None or cells.keys() != file.columns:  # the first row, or another file
            file = self._file = self._for_file(cells)
        values: dict[str, Any] = dict(file.absent)
        blank: list[str] = []
        # The hot loop of a large import: a remembered verdict is one dictionary lookup.
        for column, key, parse, default, memo in file.checks:
            raw = cells[column].strip()
            if not raw and default is not None:
                # A default for a new stance; a stored one keeps its value (an emptied
                # status cell made a suggestion accepted, unreviewed).
                values[key] = parse(default) if default == "now" else default
                blank.append(key)
                continue
            if memo is None:
                ok, result = self._verdict(column, raw, parse)
            else:
                ok, result = memo.get(raw) or self._remembered(memo, column, raw, parse)
            if ok:
                values[key] = result
            else:
                problems.append(Problem(row.at, column, result))
        values["note"] = cells.get("note", "").strip()
        stance_id = _optional_int(cells.get("stance_id", ""), row.at, "stance_id", problems, low=1)
        self._check_quote(row, values, problems)
        self._check_evidence(row, values, problems)  # even after other problems: list them all
        reporter = self.names.get(values.get("reported_by_id") or -1)
        proposal = self._check_proposal(row, values, problems)
        if problems:
            return Refused(row.at, problems, values)
        kept = file.kept.union(blank) if blank else file.kept
        named = self._label_points(row, values)
        return CheckedRow(row.at, stance_id, values, reporter, proposal, kept, named)

    def _stated_on(self, value: str) -> dt.date | Ambiguous:
        """ISO, or a spreadsheet's regional form (tracker.cell_dates). A day and month
        that could be either way round read in the order the file's other dates show;
        in a file that shows none, the stored stance's date settles them
        (stance_import._plan). (Remembered per cell: the order is read before the first
        such cell and stays the same.)"""
        day = read_date(value, check_stated_on)
        if isinstance(day, Ambiguous) and (order := self._date_order()) is not None:
            return read_date(value, check_stated_on, order)
        return day

    def _label_points(self, row: CsvRow, values: dict[str, Any]) -> frozenset[int]:
        """The points the row's position_label names, if its position is not one of them."""
        label = row.cells.get("position_label", "")
        if not label or "issue_id" not in values or "position" not in values:
            return frozenset()
        key = (values["issue_id"], label)
        named = self._labels_read.get(key)
        if named is None:  # a few labels per issue, on every row of a million
            if len(self._labels_read) >= VERDICT_MEMO:
                self._labels_read.clear()  # a file of all-different labels: memory stays flat
            points = self.label_points.get(values["issue_id"], {})
            named = self._labels_read[key] = points.get(name_key(label), frozenset())
        return frozenset() if values["position"] in named else named

    def _check_proposal(
        self, row: CsvRow, values: dict[str, Any], problems: list[Problem]
    ) -> str | None:
        """The proposal a row links to (by name, any case), when the file has the column."""
        if "proposal" not in row.cells:
            return None
        named = row.cells["proposal"].strip()
        if not named:
            values["proposal_id"] = None
            return None
        found = self.proposals.get(name_key(named))
        if found is None:
            problems.append(Problem(row.at, "proposal", f"unknown proposal {named!r}"))
            return None
        values["proposal_id"] = found[0]
        return found[1]

    def _check_evidence(self, row: CsvRow, values: dict[str, Any], problems: list[Problem]) -> None:
        """Attribution and condition, when the file has their columns."""
        cells = row.cells
        if "attribution" in cells or "reported_by" in cells:
            attribution = cells.get("attribution", "").strip() or None
            named = cells.get("reported_by", "").strip()
            reporter = None
            if named:
                reporter = self.actors.get(name_key(named))
                if reporter is None:
                    problems.append(Problem(row.at, "reported_by", f"unknown actor {named!r}"))
                    return
            try:
                values["attribution"] = check_attribution(
                    attribution, reporter, values.get("actor_id")
                )
                values["reported_by_id"] = reporter
            except TrackerError as exc:
                problems.append(Problem(row.at, "attribution", str(exc)))
        if "conditional" in cells or "condition" in cells:
            flag = cells.get("conditional", "").strip().lower()
            condition = cells.get("condition", "")
            if flag and flag not in _TRUE + _FALSE:
                problems.append(Problem(row.at, "conditional", f"{flag!r} is not true or false"))
                return
            try:
                values["conditional"], values["condition"] = check_condition(
                    flag in _TRUE if flag else bool(condition.strip()), condition
                )
            except TrackerError as exc:
                problems.append(Problem(row.at, "condition", str(exc)))

    def _check_quote(self, row: CsvRow, values: dict[str, Any], problems: list[Problem]) -> None:
        cells = row.cells
        source_id = _optional_int(cells["source_id"], row.at, "source_id", problems, low=1)
        if source_id is None:
            if not cells["source_id"].strip():
                problems.append(Problem(row.at, "source_id", "empty"))
            return
        source = self.sources.get(source_id)
        if source is None:
            problems.append(Problem(row.at, "source_id", f"no source with id {source_id}"))
            return
        start = _optional_int(cells.get("quote_start", ""), row.at, "quote_start", problems)
        quote = cells["quote"]
        try:
            values["quote_start"], values["quote_end"] = locate_quote(
                source, quote, start, explain=self._explained < EXPLAINED_QUOTES
            )
        except TrackerError as exc:
            self._explained += 1
            # Spaces around the passage, or its line breaks turned into CRLF by an editor
            # on Windows, are not evidence: the passage as the text has it is used (when
            # no offset says which occurrence was meant).
            tidy = _as_the_text_has_it(quote, source.text, exact=start is not None)
            try:
                if tidy is None:
                    raise exc
                values["quote_start"], values["quote_end"] = locate_quote(source, tidy, start)
            except TrackerError as again:  # exc again, or the tidy quote at a wrong offset
                # A quote garbled by a spreadsheet's encoding is not in the text: say why.
                problems.append(Problem(row.at, "quote", damaged(quote) or str(again)))
                return
            quote = tidy
        end = _optional_int(cells.get("quote_end", ""), row.at, "quote_end", problems)
        if end is not None and end != values["quote_end"]:
            problems.append(
                Problem(
                    row.at,
                    "quote_end",
                    f"{end} does not end the quote (it ends at {values['quote_end']})",
                )
            )
        values["source_id"], values["quote"] = source_id, quote


def _as_the_text_has_it(quote: str, text: str, *, exact: bool) -> str | None:
    """The quote as the source text writes it, when it differs only in form. Accented
    letters written as a letter and a combining mark (macOS, some PDFs: NFD) where the
    text has one code point (NFC), or the reverse, are the same words. Without an offset
    (not ``exact``), spaces around the passage and line breaks an editor on Windows turned
    into CRLF are not evidence either."""
    tidy = quote if exact else quote.replace("\r\n", "\n").strip()
    for form in (tidy, unicodedata.normalize("NFC", tidy), unicodedata.normalize("NFD", tidy)):
        if form and form != quote and form in text:
            return form
    return None


_SHAPE_AGAIN = (
    "this row was rejected because its cells did not line up with the header, and it "
    "was padded or cut to fit: check every cell against its column, then empty this "
    "reason cell to import it"
)


def _shape_again(reason: str) -> str:
    """The reason for refusing a reshaped rejects row again: its old reason once (imported
    again and again unedited, it was wrapped in itself each time)."""
    if _SHAPE_AGAIN in reason:
        return reason.removeprefix("reason: ")  # the rejects file adds it back
    return f"{_SHAPE_AGAIN} (it said: {reason})"


def check_annotator_name(value: str) -> str:
    """An annotator's name as stored: 1 to 200 characters, no control characters
    (PostgreSQL refuses NUL; the others would garble every listing of the history)."""
    name = check_annotator(value)
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise TrackerError(
            "the analyst's name contains control characters (line breaks, tabs, NUL bytes)"
        )
    return name


def _lookup(
    table: dict[str, int], key: str, kind: str, raw: str, names: dict[int, str] | None = None
) -> int:
    """The id ``key`` names; an unknown one is refused with the closest known name, if
    one is close (a typo: "Donald Trmp"). ``names``: what to call an id (actors are
    found by any alias, named by their name); else the key itself."""
    if not raw:
        raise TrackerError("empty")
    if key not in table:
        close = process.extractOne(key, table.keys(), scorer=fuzz.WRatio, score_cutoff=88)
        hint = ""
        if close is not None:
            found = table[close[0]]
            hint = f" (did you mean {(names or {}).get(found, close[0])!r}?)"
        raise TrackerError(f"unknown {kind} {raw!r}{hint}")
    return table[key]


def _message(column: str, raw: str, exc: Exception) -> str:
    if isinstance(exc, TrackerError):
        return str(exc)
    return f"{raw!r} is not a valid {column.replace('_', ' ')}"


def _timestamp_or_unread(value: str) -> dt.datetime | Unread:
    """A timestamp, or why it cannot be read: only a new stance takes the file's
    created_at and updated_at, so only a new stance's row has a problem with them (a
    spreadsheet may have rewritten the whole column of a file of stored stances)."""
    try:
        return _timestamp(value)
    except TrackerError as exc:
        return Unread(
            f"{exc} (a spreadsheet may have rewritten it: empty the cell to take the import's time)"
        )


def _decimal(value: str) -> str:
    """A decimal comma as spreadsheets in much of Europe write it ("0,8"), as a point."""
    return value.replace(",", ".") if _DECIMAL_COMMA.fullmatch(value) else value


def _timestamp(value: str) -> dt.datetime:
    if value == "now":
        return utcnow()
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        parsed.astimezone(dt.UTC)  # 9999-12-31T23:59-05:00 has no UTC time: OverflowError
    except ValueError:
        raise TrackerError(
            f"{value!r} is not a timestamp such as 2025-08-18T09:30:00+00:00"
        ) from None
    except OverflowError:
        raise TrackerError(f"{value!r} is out of range for a UTC timestamp") from None
    return parsed


def _choice(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise TrackerError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")
    return value


def int_or_none(value: str) -> int | None:
    """A whole number the database can store as an id or offset, else None."""
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if 0 <= number <= MAX_ID else None


def _optional_int(
    value: str, at: Place, column: str, problems: list[Problem], *, low: int = 0
) -> int | None:
    value = value.strip()
    if not value:
        return None
    # Digits only: int() also takes "+1", "1_000" and other scripts' digits.
    if not (value.isascii() and value.isdigit()):
        problems.append(Problem(at, column, f"{value!r} is not a whole number"))
        return None
    number = int(value)
    if not low <= number <= MAX_ID:
        problems.append(Problem(at, column, f"{value} is out of range ({low} to {MAX_ID:,})"))
        return None
    return number


def chunks(rows: Iterator[CsvRow]) -> Iterator[list[CsvRow]]:
    chunk: list[CsvRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
