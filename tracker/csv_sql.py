"""CSV cells written by the database: SQL that gives the text ``csv.writer`` would write.

A big export spends its time turning values into text and quoting them, cell by cell;
Python's ``csv.writer`` alone took about twice as long as the ``sqlite3`` command-line tool
dumping the same rows. These expressions let SQLite or PostgreSQL produce each cell as
:func:`tracker.csv_io.write_csv` would (ISO dates and timestamps,
formula-like text neutralised, RFC 4180 quoting where ``csv.writer`` quotes, ``''`` for
NULL), so Python only joins finished lines. Left to Python: floats (``repr`` is cheaper
there, and exact), and on SQLite any text holding a NUL, which its string functions stop
at (the caller writes those rows with ``csv.writer``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from tracker.csv_io import FORMULA_TRIGGERS

# The triggers and the quote as character codes: unicode() on SQLite reads the first
# character without making a one-character string as substr() did (a tenth of the
# export's query time); ascii() is PostgreSQL's name for it.
_CODES = ", ".join(str(ord(c)) for c in FORMULA_TRIGGERS if c != "\x00")
_QUOTE = ord("'")


class iso_date(FunctionElement[str]):
    """A date as ``date.isoformat()`` writes it."""

    type = String()
    name = "iso_date"
    inherit_cache = True


class iso_timestamp(FunctionElement[str]):
    """A UTC timestamp as ``datetime.isoformat()`` writes it (``+00:00``, micro-
    seconds only when there are some), as tracker.models.UTCDateTime reads it."""

    type = String()
    name = "iso_timestamp"
    inherit_cache = True


class csv_text(FunctionElement[str]):
    """A text cell: neutralised like :func:`tracker.csv_io.neutralise`, then quoted
    where ``csv.writer`` quotes (a comma, a double quote, CR or LF); NULL gives ``''``."""

    type = String()
    name = "csv_text"
    inherit_cache = True


class csv_plain(FunctionElement[str]):
    """A cell that needs no quoting (integers, ISO dates, CHECK-constrained words), as
    text; NULL gives ``''``."""

    type = String()
    name = "csv_plain"
    inherit_cache = True


class csv_join(FunctionElement[str]):
    """Cells joined by commas into one string."""

    type = String()
    name = "csv_join"
    inherit_cache = True


def _arg(element: FunctionElement[Any], compiler: Any, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)})"


@compiles(iso_date, "sqlite")
def _iso_date_sqlite(element: iso_date, compiler: Any, **kw: Any) -> str:
    return _arg(element, compiler, **kw)  # stored as ISO text already


@compiles(iso_date)
def _iso_date_default(element: iso_date, compiler: Any, **kw: Any) -> str:
    return f"to_char({_arg(element, compiler, **kw)}, 'YYYY-MM-DD')"


@compiles(iso_timestamp, "sqlite")
def _iso_timestamp_sqlite(element: iso_timestamp, compiler: Any, **kw: Any) -> str:
    # Stored naive UTC as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite format), where
    # isoformat() leaves out a zero fraction. NULL stays NULL.
    at = _arg(element, compiler, **kw)
    return f"replace(replace({at}, ' ', 'T'), '.000000', '') || '+00:00'"


@compiles(iso_timestamp)
def _iso_timestamp_default(element: iso_timestamp, compiler: Any, **kw: Any) -> str:
    at = f"({_arg(element, compiler, **kw)} AT TIME ZONE 'UTC')"
    return (
        f"to_char({at}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN "
        f"mod(CAST(extract(microseconds FROM {at}) AS bigint), 1000000) = 0 THEN '' "
        f"ELSE to_char({at}, '.US') END || '+00:00'"
    )


def _neutralised(value: str, first_code: str) -> str:
    # neutralise(): a quote in front of text starting with a trigger or a quote.
    return (
        f"CASE WHEN {first_code}({value}) IN ({_CODES}, {_QUOTE}) "
        f"THEN '''' || {value} ELSE {value} END"
    )


def _quoted(value: str, needs_quotes: str, first_code: str) -> str:
    shown = _neutralised(value, first_code)
    return (
        f"CASE WHEN {value} IS NULL THEN '' WHEN {needs_quotes} "
        f"THEN '\"' || replace({shown}, '\"', '\"\"') || '\"' ELSE {shown} END"
    )


@compiles(csv_text, "sqlite")
def _csv_text_sqlite(element: csv_text, compiler: Any, **kw: Any) -> str:
    # instr() scans with memcmp where GLOB matches a character class at every position,
    # and replace() copies the text even when there is no double quote to double.
    value = _arg(element, compiler, **kw)
    shown = _neutralised(value, "unicode")
    return (
        f"CASE WHEN {value} IS NULL THEN '' "
        f"WHEN instr({value}, '\"') THEN '\"' || replace({shown}, '\"', '\"\"') || '\"' "
        f"WHEN instr({value}, ',') OR instr({value}, '\n') OR instr({value}, '\r') "
        f"THEN '\"' || {shown} || '\"' ELSE {shown} END"
    )


@compiles(csv_text)
def _csv_text_default(element: csv_text, compiler: Any, **kw: Any) -> str:
    value = _arg(element, compiler, **kw)
    return _quoted(value, f"{value} ~ '[\",\r\n]'", "ascii")


@compiles(csv_plain, "sqlite")
def _csv_plain_sqlite(element: csv_plain, compiler: Any, **kw: Any) -> str:
    return f"coalesce({_arg(element, compiler, **kw)}, '')"  # || writes numbers as text


@compiles(csv_plain)
def _csv_plain(element: csv_plain, compiler: Any, **kw: Any) -> str:
    return f"coalesce(CAST({_arg(element, compiler, **kw)} AS TEXT), '')"


@compiles(csv_join)
def _csv_join(element: csv_join, compiler: Any, **kw: Any) -> str:
    # || keeps a NUL inside a cell (SQLite's printf would stop at it): for the cells of
    # entities, written once each, whose NULs the caller must find.
    return " || ',' || ".join(f"({compiler.process(c, **kw)})" for c in element.clauses)


class csv_line(FunctionElement[str]):
    """Cells joined by commas, for the cells of every row: built in one go (one printf
    on SQLite, one concat() on PostgreSQL) where a chain of || copies the growing line
    once per cell, a sixth of a big export's query time. SQLite's printf stops at a NUL:
    pair it with :func:`nul_in` over the row's texts."""

    type = String()
    name = "csv_line"
    inherit_cache = True


@compiles(csv_line, "sqlite")
def _csv_line_sqlite(element: csv_line, compiler: Any, **kw: Any) -> str:
    # printf's %s writes NULL as '' and numbers as text: a csv_plain cell goes in bare,
    # without its coalesce() (one function call fewer per cell and row).
    cells = [f"({compiler.process(_bare(c), **kw)})" for c in element.clauses]
    return f"printf('{','.join(['%s'] * len(cells))}', {', '.join(cells)})"


def _bare(cell: Any) -> Any:
    if isinstance(cell, csv_plain):
        (inner,) = list(cell.clauses)
        return inner
    return cell


@compiles(csv_line)
def _csv_line(element: csv_line, compiler: Any, **kw: Any) -> str:
    separator = ", ',', "  # every cell is text already, never NULL
    return f"concat({separator.join(f'({compiler.process(c, **kw)})' for c in element.clauses)})"


class nul_in(FunctionElement[bool]):
    """Whether any of these texts holds a NUL character (SQLite; PostgreSQL stores none).
    Found in the bytes: SQLite's string functions stop at a NUL."""

    type = Boolean()
    name = "nul_in"
    inherit_cache = True


@compiles(nul_in, "sqlite")
def _nul_in_sqlite(element: nul_in, compiler: Any, **kw: Any) -> str:
    texts = " || ".join(f"coalesce({compiler.process(c, **kw)}, '')" for c in element.clauses)
    return f"(instr(CAST({texts} AS BLOB), x'00') > 0)"


@compiles(nul_in)
def _nul_in(element: nul_in, compiler: Any, **kw: Any) -> str:
    return "false"


def csv_cells(*cells: ColumnElement[Any]) -> csv_join:
    """The cells, each already text, as one comma-separated string."""
    return csv_join(*cells)
