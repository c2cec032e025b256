"""CSV in and out, safe for spreadsheets and strict about what it accepts.

Reading checks the whole file shape (encoding, header, column counts) before a
single row is used, and names the file, line and column of each problem.
Writing neutralises cells a spreadsheet would run as a formula (OWASP), and
:func:`restore` undoes that on the way back in, so a round trip is lossless.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import stat
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, NamedTuple, TextIO, TypeVar

from tracker.errors import TrackerError

# The longest cell read: a note or a quote, or an article's text. Python's csv refuses
# cells over 128 KiB by default, which a long article exceeds.
FIELD_LIMIT = 64 * 2**20
csv.field_size_limit(FIELD_LIMIT)
# A cell starting with one of these is a formula to Excel, LibreOffice or Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\x00")
# A negative number as text ("-0.5") is data to every spreadsheet, not a formula.
_PLAIN_NUMBER = re.compile(r"-[0-9]+(?:\.[0-9]+)?")


# Text starting with one of these gets a ``'`` in front: the triggers so that no
# spreadsheet runs it, and a ``'`` itself so that restore() can always remove exactly one,
# and so that text really starting with ``'`` ("'a day before' the call") survives a
# spreadsheet that takes a leading ``'`` for its text marker and drops it on saving.
_PREFIXED = (*FORMULA_TRIGGERS, "'")


def neutralise(value: Any) -> Any:
    """Prefix a ``'`` to text a spreadsheet would execute. Numbers (e.g. -2) stay data."""
    if isinstance(value, str) and value and value[0] in _PREFIXED:
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo :func:`neutralise` on a cell read back from CSV: one ``'`` goes where another
    or a trigger follows it. A single ``'`` before other text is the text's own (the
    spreadsheet dropped the one the export added)."""
    if value[:1] == "'" and value[1:2] and value[1] in _PREFIXED:
        return value[1:]
    return value


# What a spreadsheet writes for a cell whose formula failed: the text is gone.
SPREADSHEET_ERRORS = frozenset(
    ("#NAME?", "#VALUE!", "#REF!", "#N/A", "#DIV/0!", "#NUM!", "#NULL!", "#SPILL!", "#CALC!")
)
# UTF-8 read as Windows-1252 (or Latin-1) and saved again: a lead byte's character
# (Ã, Â, â, Ð, …) before a continuation byte's (©, ‰, €, “, …). A cheap first test; the
# cell is then decoded back to be sure.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022"
    "\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def maybe_damaged(text: str) -> bool:
    """A quick test over a whole row's text: could any cell be :func:`damaged`?"""
    return "#" in text or (not text.isascii() and _MOJIBAKE.search(text) is not None)


def _as_cp1252(value: str) -> bytes | None:
    """The bytes Windows-1252 would have read as ``value``: its five undefined bytes
    (0x81, 0x8D, 0x8F, 0x90, 0x9D) come through as the control characters of the same
    number, which encode("cp1252") refuses (most of "Зеленський" read that way)."""
    out = bytearray()
    for ch in value:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return None
            out.append(ord(ch))
    return bytes(out)


def damaged(value: str) -> str | None:
    """Why a cell looks damaged by a spreadsheet, or None: an error value where the text
    was, or UTF-8 text read as Windows-1252 and saved ("Ã‰lysÃ©e" for "Élysée")."""
    if value.strip() in SPREADSHEET_ERRORS:
        return (
            f"holds the spreadsheet error {value.strip()} (the spreadsheet ran the cell as a "
            "formula and lost the text): copy the text back from the exported file"
        )
    if not value.isascii() and _MOJIBAKE.search(value):
        raw = _as_cp1252(value)  # Latin-1's reading too: its 0x80-0x9F are those controls
        try:
            meant = raw.decode("utf-8") if raw else value
        except UnicodeError:
            meant = value
        if meant != value:
            return (
                f"looks like UTF-8 text read as Windows-1252 ({value[:40]!r} would be "
                f"{meant[:40]!r}): import the exported file as it was, or open it as "
                "UTF-8 and save it as 'CSV UTF-8'"
            )
    return None


def check_cells(cells: dict[str, str]) -> None:
    """Refuse a row with a :func:`damaged` cell, naming its column."""
    for column, value in cells.items():
        why = damaged(value)
        if why is not None:
            raise TrackerError(f"column {column!r} {why}")


class Place(NamedTuple):
    """Where a row is in its file: its number as a spreadsheet shows it (the header is row
    1; a cell with line breaks is still one row) and the file line it starts on, as a text
    editor shows it. The two differ after a multi-line cell or a ``sep=`` line. (A tuple:
    one is made per row of a million, three times cheaper than a frozen dataclass.)"""

    row: int
    line: int

    @classmethod
    def of(cls, number: int) -> Place:
        """Row and line ``number`` (a file without multi-line cells)."""
        return cls(number, number)

    def __str__(self) -> str:
        return f"row {self.row}" if self.row == self.line else f"row {self.row} (line {self.line})"


@dataclass
class CsvRow:
    at: Place
    cells: dict[str, str]
    # Why the row's cells do not line up with the header (too few or too many), when the
    # reader was asked to hand such rows on (``ragged``) instead of stopping at them. The
    # cells are then the first ones, padded with empty cells to the header's width.
    shape: str | None = None
    extra: tuple[str, ...] = ()  # the cells after the header's last column, then

    @property
    def line(self) -> int:
        return self.at.line


def read_csv(
    path: str | Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    text: str | None = None,
) -> list[CsvRow]:
    """Read a whole UTF-8 CSV file whose header must hold ``required`` and may hold
    ``optional``. ``text`` replaces reading ``path`` (stdin, uploads); ``path`` names it.
    A row whose cells do not line up with the header stops the reading."""
    with stream_csv(path, required=required, optional=optional, text=text) as (_, rows):
        return list(rows)


@contextmanager
def stream_csv(
    path: str | Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    text: str | None = None,
    ragged: bool = False,
) -> Iterator[tuple[list[str], Iterator[CsvRow]]]:
    """Check the header, then yield rows one at a time: memory stays flat on big files.

    A row with more or fewer cells than the header stops the reading with an error naming
    it, unless ``ragged``: then it is yielded with its ``shape`` problem, for the caller
    to list with the others (or to reject, as ``--skip-invalid`` does).

    Spreadsheet habits are read as meant: ``;`` or tab between columns (Excel in many
    regions, its "Unicode text" in UTF-16), a ``sep=`` first line, header names in any
    case or with spaces for underscores, and empty columns after the last one."""
    name = str(path)
    handle = io.StringIO(text, newline="") if text is not None else _open_text(Path(path))
    try:
        try:
            lines, delimiter, skipped = _delimited(handle)
            reader = csv.reader(lines, strict=True, delimiter=delimiter)
            first = next(reader, None)
            records = 1  # rows read, as a spreadsheet numbers them (blank ones too)
            while first is not None and not any(c.strip() for c in first):
                first = next(reader, None)  # leading blank lines
                records += 1
        except (csv.Error, UnicodeDecodeError) as exc:
            raise _read_error(name, 1, exc, path) from None
        if first is None:
            raise TrackerError(f"{name} is empty; expected a header line: {','.join(required)}")
        header = [_column_name(h) for h in first]
        while len(header) > 1 and not header[-1]:
            header.pop()  # a spreadsheet's empty columns after the last: ",,," on each line
        _check_header(name, header, required, optional)
        yield header, _rows(name, reader, header, path, len(first), skipped, records, ragged)
    finally:
        handle.close()


def _delimited(handle: TextIO) -> tuple[Iterator[str], str, int]:
    """The file's lines, the character between its columns (``,`` unless a ``sep=X``
    first line says otherwise, or the header has no comma but ``;`` or tabs), and how
    many lines were read before them (the ``sep=`` line)."""
    first = handle.readline()
    rest: Iterator[str] = iter(handle)
    line = first.rstrip("\r\n")  # not strip(): "sep=" and a tab
    if line.lower().startswith("sep=") and len(line) == 5:
        return rest, line[4], 1
    delimiter = ","
    if "," not in first:
        for other in (";", "\t"):
            if other in first:
                delimiter = other
                break
    return itertools.chain([first], rest), delimiter, 0


def delimiter_of(path: str | Path, text: str | None = None) -> str:
    """The character between a CSV file's columns, as :func:`stream_csv` reads it."""
    handle = io.StringIO(text, newline="") if text is not None else _open_text(Path(path))
    with handle:
        return _delimited(handle)[1]


def _column_name(cell: str) -> str:
    """A header cell as the tracker names columns: "Stance ID" and "STANCE_ID" are
    stance_id."""
    return "_".join(cell.strip().lower().split())


def _rows(
    name: str,
    reader: Any,
    header: list[str],
    path: str | Path,
    width: int,
    skipped: int,
    records: int,
    ragged: bool,
) -> Iterator[CsvRow]:
    """``width``: the header's cells, counting the empty ones after its last column;
    ``skipped``: lines before the reader's first (a ``sep=`` line, which Excel hides, so
    it is not a row); ``records``: the rows read for the header."""
    line = reader.line_num + 1 + skipped
    try:
        for number, cells in enumerate(reader, start=records + 1):
            joined = "".join(cells)
            if joined and not joined.isspace():  # else a blank line
                at = Place(number, line)
                shape: str | None = None
                extra: tuple[str, ...] = ()
                if len(cells) != len(header):
                    if (
                        len(header) < len(cells) <= width
                        and not "".join(cells[len(header) :]).strip()
                    ):
                        cells = cells[: len(header)]
                    else:
                        shape = _shape(cells, header)
                        if not ragged:
                            raise TrackerError(f"{name} {at}: {shape}")
                        extra = tuple(cells[len(header) :])
                        cells = (cells + [""] * len(header))[: len(header)]
                # restore() changes only cells that start with a quote: most rows hold none.
                if "'" in joined:
                    cells = [restore(c) if c[:1] == "'" else c for c in cells]
                yield CsvRow(at, dict(zip(header, cells, strict=True)), shape, extra)
            line = reader.line_num + 1 + skipped
    except (csv.Error, UnicodeDecodeError) as exc:
        raise _read_error(name, reader.line_num + skipped, exc, path) from None


# In every message about a row whose cells do not line up with the header, so that a
# rejects file's reason can say so when it is imported again (tracker.stance_validation).
SHAPE_MARK = "cells, but the header has"


def _shape(cells: list[str], header: list[str]) -> str:
    """Why a row's cells do not line up with the header, with what to look for."""
    counted = f"{len(cells)} {SHAPE_MARK} {len(header)}"
    if len(cells) < len(header):
        return f"{counted} (the row cut short, or a cell's closing quote missing?)"
    extra = [c for c in cells[len(header) :] if c.strip()]
    shown = f"; the last cells: {', '.join(repr(c[:40]) for c in extra[-3:])}" if extra else ""
    return (
        f"{counted}: a text cell (a note, a quote) holding the separator without quotes "
        f"around it splits in two and moves every cell after it one column right{shown}"
    )


def _read_error(name: str, line: int, exc: Exception, path: str | Path) -> TrackerError:
    if isinstance(exc, UnicodeDecodeError):
        line, byte = _first_bad_byte(Path(path)) or (line, exc.object[exc.start])
        return TrackerError(
            f"{name} is not UTF-8 text (byte 0x{byte:02x} on line {line}); save it as UTF-8 CSV"
        )
    if "field larger than field limit" in str(exc):
        return TrackerError(
            f"{name} line {line}: a cell holds more than {FIELD_LIMIT // 2**20} MiB of text"
        )
    return TrackerError(f"{name} line {line}: malformed CSV ({exc})")


def _first_bad_byte(path: Path) -> tuple[int, int] | None:
    """The line and value of the file's first byte that is not UTF-8. The reader decodes
    blocks ahead of the rows it parsed, so its own line count is only near the byte."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 16):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    return line + exc.object.count(b"\n", 0, exc.start), exc.object[exc.start]
                line += block.count(b"\n")
    except OSError:
        return None
    return None


def _open_text(path: Path) -> TextIO:
    try:
        with path.open("rb") as raw:
            head = raw.read(8)
        return path.open(encoding=_encoding(head, str(path)), newline="")
    except FileNotFoundError:
        raise TrackerError(f"file not found: {path}") from None
    except IsADirectoryError:
        raise TrackerError(f"{path} is a folder, not a CSV file") from None
    except OSError as exc:
        raise TrackerError(f"cannot read {path}: {exc.strerror}") from None


# The first bytes of a spreadsheet program's own files: an .xlsx (a zip archive), an
# .ods (the same), an old .xls (an OLE compound document).
_WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _encoding(head: bytes, name: str) -> str:
    """How to read a file that starts with ``head``: utf-8-sig (a byte-order mark, Excel's
    "CSV UTF-8", is accepted and dropped), or UTF-16 by its mark (Excel's "Unicode text",
    tab-separated). A spreadsheet's own workbook is refused."""
    if head.startswith(_WORKBOOKS):
        raise TrackerError(
            f"{name} is a spreadsheet workbook (.xlsx, .xls or .ods), not a CSV file: in the "
            "spreadsheet, save it as 'CSV UTF-8 (comma delimited)' and import that file"
        )
    return "utf-16" if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"


def decoded(data: bytes, name: str) -> str:
    """An uploaded file's text, read as a file on disk is (:func:`_open_text`): UTF-8, a
    byte-order mark dropped, UTF-16 by its mark; anything else is refused naming the line
    of the first byte that is not UTF-8."""
    encoding = _encoding(data[:8], name)
    if encoding == "utf-16":
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TrackerError(f"{name} is not UTF-16 text, though it starts as such") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TrackerError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save it "
            "as UTF-8 CSV"
        ) from None


def _check_header(
    name: str, header: list[str], required: Sequence[str], optional: Sequence[str]
) -> None:
    if not {*required, *optional}.intersection(header) and _looks_like_data(header):
        # A row of data (the header deleted, or lines cut from another file), which the
        # checks below would report as unknown or repeated column names.
        shown = ", ".join(repr(h[:40]) for h in header[:3]) + (", …" if len(header) > 3 else "")
        raise TrackerError(
            f"{name}: its first line ({shown}) names none of the columns; is the header "
            f"line missing? Expected: {','.join(required)}"
        )
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        names = ", ".join(repr(d) for d in duplicated)  # quoted: a blank name shows as ''
        raise TrackerError(
            f"{name}: column{'s' if len(duplicated) > 1 else ''} {names} "
            f"appear{'' if len(duplicated) > 1 else 's'} twice in the header"
        )
    unknown = [h for h in header if h not in required and h not in optional]
    if unknown:
        allowed = ",".join([*required, *optional])
        raise TrackerError(
            f"{name}: unknown column {', '.join(repr(u) for u in unknown)}; allowed: {allowed}"
        )
    missing = [r for r in required if r not in header]
    if missing:
        raise TrackerError(f"{name}: missing column {', '.join(repr(m) for m in missing)}")


def _looks_like_data(cells: list[str]) -> bool:
    """Whether a first line reads as a row rather than as another file's header (whose
    names are short words): an empty cell, a digit (ids, dates, positions) or a long text."""
    return any(not c or len(c) > 40 or any(ch.isdigit() for ch in c) for c in cells)


def write_csv(
    out: TextIO,
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    numbers: Collection[str] = (),
    delimiter: str = ",",
) -> int:
    """Write RFC 4180 CSV with neutralised cells. Returns the number of data rows.

    Text in the ``numbers`` columns that is a plain negative number (``-0.5``, as read
    from a file) is written as it is, like a number value, instead of as ``'-0.5``.
    ``delimiter``: ``;`` for a file going back to a spreadsheet that wrote it so."""
    writer = csv.writer(out, lineterminator="\r\n", delimiter=delimiter)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_cell(row.get(c), c in numbers) for c in columns])
        count += 1
    return count


def _cell(value: Any, number: bool) -> Any:
    if value is None:
        return ""
    if number and isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        return value
    return neutralise(value)


@contextmanager
def atomic_output(path: str | Path, *, excel: bool = False) -> Iterator[TextIO]:
    """Write text to a temporary file beside ``path`` and move it in place only on success."""
    # utf-8-sig writes a BOM so Excel reads accents right.
    encoding = "utf-8-sig" if excel else "utf-8"
    with _atomic(path, lambda fd: os.fdopen(fd, "w", encoding=encoding, newline="")) as out:
        yield out


@contextmanager
def atomic_binary_output(path: str | Path) -> Iterator[BinaryIO]:
    """:func:`atomic_output` for bytes (PDF reports)."""
    with _atomic(path, lambda fd: os.fdopen(fd, "wb")) as out:
        yield out


_Stream = TypeVar("_Stream", bound=IO[Any])


@contextmanager
def _atomic(path: str | Path, open_fd: Callable[[int], _Stream]) -> Iterator[_Stream]:
    """The file is written whole or not at all; a path that cannot be written, a full
    disk or a folder where the file should go is a TrackerError naming the path.

    A symbolic link is followed: the file it points to is replaced, the link stays. A
    pipe, terminal or device (``/dev/stdout``, ``>(command)``) is written in place, as a
    shell redirection would, since it cannot be replaced by a file. A SQLite database is
    never overwritten: a CSV or report written over the tracker's own database (a slip of
    the tab key) would destroy every stance in it."""
    target = Path(path)
    if _is_stream(target):
        with _in_place(target, open_fd) as out:
            yield out
        return
    real = Path(os.path.realpath(target))
    mode = _check_output(target, real)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", dir=real.parent)
    except OSError as exc:
        raise _write_error(target, exc) from None
    try:
        with _writing(open_fd(fd), target) as out:
            yield out
            os.fchmod(fd, mode)  # mkstemp made it private (0600)
        try:
            os.replace(tmp, real)
        except OSError as exc:
            raise _write_error(target, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_stream(target: Path) -> bool:
    try:
        mode = target.stat().st_mode  # follows links: /dev/stdout, /dev/fd/N
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextmanager
def _in_place(target: Path, open_fd: Callable[[int], _Stream]) -> Iterator[_Stream]:
    try:
        fd = os.open(target, os.O_WRONLY)
    except OSError as exc:
        raise _write_error(target, exc) from None
    with _writing(open_fd(fd), target) as out:
        yield out


@contextmanager
def _writing(out: _Stream, target: Path) -> Iterator[_Stream]:
    """``out``, flushed and closed at the end; a failed write (a full disk) is a
    TrackerError naming ``target``."""
    try:
        try:
            yield out
            out.flush()  # a full disk shows here, while the error can still name the file
        finally:
            _close(out)
    except OSError as exc:
        if exc.filename is not None:  # not a write to this file: not ours to explain
            raise
        raise _write_error(target, exc) from None


def _close(out: IO[Any]) -> None:
    """Close ``out``; after a failed write its buffer still holds what could not be
    written, and closing tries again: that second failure is the first one's echo."""
    try:
        out.close()
    except OSError:
        if not out.closed:
            raise


# The first bytes of a SQLite database, and of its write-ahead log (two byte orders).
_SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGICS = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def _check_output(target: Path, real: Path) -> int:
    """Refuse an output path that cannot be a file, or must not be replaced; return the
    mode it should get: what open() would give (the existing file's mode, else 0666 less
    the umask). ``real`` is ``target`` with links followed."""
    if real.is_dir():
        raise TrackerError(f"{target} is a folder; give a file name to write to")
    if not real.parent.exists():
        raise TrackerError(f"folder {target.parent} does not exist")
    if not real.parent.is_dir():
        raise TrackerError(f"{target.parent} is not a folder, so {target} cannot be written")
    if _is_database(real):
        raise TrackerError(
            f"{target} is a SQLite database (perhaps the tracker's own): it is not replaced; "
            "give another file name to write to"
        )
    if real.exists():
        if not os.access(real, os.W_OK):
            raise TrackerError(f"cannot write {target}: permission denied")
        return stat.S_IMODE(real.stat().st_mode)
    return 0o666 & ~_umask()


def _is_database(path: Path) -> bool:
    """A SQLite database file, or its -wal, -shm or -journal companion."""
    for suffix in ("-wal", "-shm", "-journal"):
        if path.name.endswith(suffix) and path.name != suffix:
            if _is_database(path.with_name(path.name.removesuffix(suffix))):
                return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError:
        return False
    return head == _SQLITE_MAGIC or head[:4] in _WAL_MAGICS


def _write_error(target: Path, exc: OSError) -> TrackerError:
    reason = exc.strerror or str(exc)
    if isinstance(exc, PermissionError):
        return TrackerError(f"cannot write {target}: permission denied in {target.parent}")
    return TrackerError(f"cannot write {target}: {reason}")


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)  # elsewhere the only way to read it is to set it
    os.umask(current)
    return current


def split_list(cell: str) -> list[str]:
    """A ``;``-separated cell (aliases, keywords) as a clean list."""
    return [part.strip() for part in cell.split(";") if part.strip()]
