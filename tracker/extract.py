"""Turn an uploaded file (or standard input) into the text of one article.

This is the pure layer under ``tracker sources add``: bytes in, :class:`Extracted` out,
no database. The stored ``text`` is what stances quote, so it keeps the original
characters (curly quotes, dashes, accents); only the byte encoding, the line endings
and blank space at either end are normalised, and trailing blocks of other stories or
page furniture are split off into ``related`` and ``dropped`` so the analyst can see them.

Kinds of input:

* text (``.txt``): decoded, trailing boilerplate split off, title taken from a headline
  line, publication date searched in the text (:func:`find_published`).
* markdown (``.md``, ``.markdown``): kept as written; YAML front matter is removed but
  its ``title:`` and ``date:`` are used; else the title comes from a leading ``# Heading``.
* html (``.html``, ``.htm``): the main article extracted by trafilatura, favouring
  precision; title, outlet, canonical URL and date from the page's metadata.

Standard input (``<stdin>``) and names without an extension are sniffed: HTML when the
start of the text has HTML tags, else text.
"""

from __future__ import annotations

import codecs
import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from tracker.errors import TrackerError

MIB = 1024 * 1024
MAX_BYTES = 5 * MIB
"""Largest input accepted, in bytes. A news article is 5-50 KB of text and rarely more
than 2 MB as a saved page; anything bigger is a wrong file, and refusing it keeps
parsing time and memory bounded."""

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm")
KINDS = ("text", "markdown", "html")
STDIN = "<stdin>"

_KIND_BY_SUFFIX = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


@dataclass
class RelatedStory:
    """A trailing block of another story split off the page (teaser or full text)."""

    title: str
    outlet: str
    text: str


@dataclass
class Extracted:
    """One article: ``text`` is the main story only, the part stances may quote."""

    text: str
    title: str = ""
    outlet: str = ""
    url: str = ""
    published_on: dt.date | None = None
    published_basis: str = ""
    notes: list[str] = field(default_factory=list)
    related: list[RelatedStory] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def extract(name: str, data: bytes, *, kind: str | None = None) -> Extracted:
    """Decode ``data`` and extract the article from it.

    ``name`` is the file name or ``"<stdin>"``; it picks the kind by extension and names
    the input in error messages. ``kind`` ("text", "markdown", "html") overrides that.
    Raises :class:`TrackerError` for input the user must fix.
    """
    chosen = _kind_for(name, kind)
    _check_size(name, data)
    text, notes = decode(name, data)
    if not text.strip():
        raise TrackerError(f"{name} is empty")
    if chosen is None:
        chosen = "html" if _looks_like_html(text) else "text"
    if chosen == "html":
        result = _extract_html(name, text)
    elif chosen == "markdown":
        result = _extract_markdown(text)
    else:
        result = _extract_text(text)
    result.notes[:0] = notes
    return result


# --- input checks ---------------------------------------------------------------------


def _kind_for(name: str, kind: str | None) -> str | None:
    """The kind to extract as, or None when the content must be sniffed."""
    if kind is not None:
        if kind not in KINDS:
            raise TrackerError(f"{name}: unknown kind {kind!r}; use text, markdown or html")
        return kind
    if name == STDIN:
        return None
    suffix = PurePath(name).suffix.lower()
    if not suffix:
        # Saved downloads often lack an extension; the content tells text from HTML.
        return None
    if suffix not in _KIND_BY_SUFFIX:
        raise TrackerError(f"{name}: {suffix} files are not supported; use .txt, .md or .html")
    return _KIND_BY_SUFFIX[suffix]


def _check_size(name: str, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        # Round up so a file just over the limit never reads as "5.0 MiB; the limit is 5 MiB".
        size = math.ceil(len(data) * 10 / MIB) / 10
        raise TrackerError(f"{name} is {size:.1f} MiB; the limit is {MAX_BYTES // MIB} MiB")


_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|article|p)[\s>]", re.IGNORECASE)


def _looks_like_html(text: str) -> bool:
    return _HTML_SNIFF.search(text, 0, 8192) is not None


# --- decoding -------------------------------------------------------------------------

# Magic numbers of the binary files people pick by mistake, for a message that says what
# the file is rather than just "binary".
_SIGNATURES = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"PK\x03\x04", "zip archive or Word/OpenDocument file"),
    (b"PK\x05\x06", "zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Microsoft Office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x7fELF", "program"),
    (b"SQLite format 3\x00", "SQLite database"),
)

# Byte-order marks, longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

# C0 controls other than tab, newline, vertical tab, form feed and carriage return, plus
# DEL: no text encoding in use here puts them in prose, every binary format is full of them.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_MAX_CONTROL_SHARE = 0.01
_MAX_CONTROL_COUNT = 2

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_META_SCAN_BYTES = 32768

# Labels that browsers (WHATWG Encoding) read as a superset; pages that declare
# ISO-8859-1 routinely contain Windows-1252 curly quotes in 0x80-0x9F.
_CHARSET_ALIASES = {
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "iso-8859-9": "windows-1254",
    "gb2312": "gbk",
}


def decode(name: str, data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Bytes to text, with notes for the analyst about how the encoding was chosen.

    Order: a byte-order mark; UTF-8; the charset ``declared`` by the caller (e.g. an HTTP
    header) or by the page (``<meta charset>``, ``http-equiv``, XML declaration); else a
    guess by charset_normalizer, noted as such. Binary or undecodable data raises
    :class:`TrackerError`. Line endings become ``\\n``.
    """
    if not data:
        raise TrackerError(f"{name} is empty")
    bom = _decode_bom(name, data)
    if bom is not None:
        text, notes = bom
    else:
        _refuse_binary(name, data)
        text, notes = _decode_without_bom(name, data, declared)
    _refuse_control_characters(name, text)
    return _normalise_newlines(text), notes


def _decode_bom(name: str, data: bytes) -> tuple[str, list[str]] | None:
    for bom, codec, label in _BOMS:
        if not data.startswith(bom):
            continue
        try:
            text = data.decode(codec).removeprefix("\ufeff")
        except UnicodeDecodeError:
            raise TrackerError(
                f"{name} starts with a {label} byte-order mark but is not valid {label}; "
                "save it as UTF-8 and try again"
            ) from None
        # A UTF-8 mark is only Windows' way of saying UTF-8: nothing to tell the analyst.
        return text, [] if codec == "utf-8-sig" else [f"decoded as {label} (byte-order mark)"]
    return None


def _refuse_binary(name: str, data: bytes) -> None:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise TrackerError(f"{name} looks like a binary file ({what}), not text")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if b"\x00" in data or _too_many(controls, len(data)):
        raise TrackerError(f"{name} looks like a binary file, not text")


def _refuse_control_characters(name: str, text: str) -> None:
    # Catches a wrong guess too: binary read as a single-byte code page is all C1 controls.
    if "\x00" in text or _too_many(len(_CONTROL_CHARS.findall(text)), len(text)):
        raise TrackerError(f"{name} looks like a binary file, not text")


def _too_many(controls: int, total: int) -> bool:
    return controls > _MAX_CONTROL_COUNT and controls > total * _MAX_CONTROL_SHARE


def _decode_without_bom(name: str, data: bytes, declared: str | None) -> tuple[str, list[str]]:
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    notes: list[str] = []
    declared = declared.strip().lower() if declared else None
    page = _page_charset(data)
    for label, source in ((declared, "declared"), (page, "declared by the page")):
        if label and (source == "declared" or label != declared):  # try each label once
            decoded = _decode_declared(data, label, source, notes)
            if decoded is not None:
                return decoded, notes
    return _guess(name, data, notes)


def _page_charset(data: bytes) -> str | None:
    found = _META_CHARSET.search(data, 0, _META_SCAN_BYTES)
    if found is None:
        return None
    return (found.group(1) or found.group(2)).decode("ascii").lower()


def _decode_declared(data: bytes, label: str, source: str, notes: list[str]) -> str | None:
    """Decode with a declared charset; when that fails, note why and return None."""
    label = label.strip().lower()
    actual = _CHARSET_ALIASES.get(label, label)
    try:
        text = data.decode(actual)
    except LookupError:
        notes.append(f"ignored the unknown charset {label!r} ({source})")
        return None
    except UnicodeDecodeError:
        notes.append(f"the charset {label} ({source}) does not fit the bytes")
        return None
    if actual == label:
        notes.append(f"decoded as {label} ({source})")
    else:
        notes.append(f"decoded as {actual} ({source} as {label}, which browsers read as {actual})")
    return text


def _guess(name: str, data: bytes, notes: list[str]) -> tuple[str, list[str]]:
    from charset_normalizer import from_bytes  # imported late: only odd files need it

    best = from_bytes(data).best()
    if best is None:
        raise TrackerError(
            f"{name}: cannot work out the text encoding; save it as UTF-8 and try again"
        )
    # Several code pages often give the very same text; name the commonest one.
    encoding = "cp1252" if "cp1252" in best.could_be_from_charset else best.encoding
    notes.append(f"encoding guessed as {encoding}: check the text")
    return str(best), notes


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- plain text -----------------------------------------------------------------------


def _extract_text(text: str) -> Extracted:
    main, related, dropped = split_related(text)
    main = main.strip()
    published_on, basis = find_published(main)
    return Extracted(
        text=main,
        title=_headline(main),
        published_on=published_on,
        published_basis=basis,
        related=related,
        dropped=dropped,
    )


_MAX_TITLE = 150
_MIN_TITLE_WORDS = 3
# A full stop ending a sentence inside the line ("in Paris. Photograph: ..."), but not an
# initialism or abbreviation ("U.S. says", "Mr. Trump", "Dec. 7").
_SENTENCE_BREAK = re.compile(r"[a-z]{2}\.\s+[A-Z]")
_BYLINE = re.compile(r"^by\s+\S", re.IGNORECASE)
_DANGLING_END = (",", ";", ":", "-", "–", "—", "/", "&")


def _headline(text: str) -> str:
    """The first line when it reads as a headline rather than the start of a paragraph."""
    lines = text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if len(nonblank) < 2:
        return ""  # a one-line text is all body, not a title
    first = lines[nonblank[0]].strip()
    if (
        len(first) >= _MAX_TITLE
        or len(first.split()) < _MIN_TITLE_WORDS
        or first.endswith(".")
        or first.endswith(_DANGLING_END)
        or _SENTENCE_BREAK.search(first)
        or _BYLINE.match(first)
        or _labelled_date(first, dt.date.max) is not None
    ):
        return ""
    following = lines[nonblank[0] + 1] if nonblank[0] + 1 < len(lines) else ""
    if following[:1].islower():
        return ""  # a hard-wrapped paragraph continues on the next line
    return first


# --- markdown -------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_FIELD = re.compile(r"^(title|date)[ \t]*:[ \t]*(.*?)[ \t]*$", re.MULTILINE | re.IGNORECASE)
_ATX_H1 = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^=+[ \t]*$")


def _extract_markdown(text: str) -> Extracted:
    body, fields = _front_matter(text)
    body = body.strip()
    title = fields.get("title", "") or _markdown_heading(body)
    published_on, basis = None, ""
    if "date" in fields:
        published_on = _parse_any_date(fields["date"])
        basis = f"front matter: 'date: {fields['date']}'" if published_on else ""
    if published_on is None:
        published_on, basis = find_published(body)
    return Extracted(text=body, title=title, published_on=published_on, published_basis=basis)


def _front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Split off YAML front matter; read only the flat ``title`` and ``date`` keys we use.

    A YAML library would be a dependency for two scalar fields, so this reads
    ``key: value`` lines and strips surrounding quotes.
    """
    found = _FRONT_MATTER.match(text)
    if found is None:
        return text, {}
    fields = {
        key.lower(): value.strip("\"'").strip()
        for key, value in _FRONT_FIELD.findall(found.group(1))
    }
    return text[found.end() :], fields


def _markdown_heading(body: str) -> str:
    lines = [line for line in body.split("\n") if line.strip()]
    if not lines:
        return ""
    heading = _ATX_H1.match(lines[0].strip())
    if heading:
        return heading.group(1).strip()
    if len(lines) > 1 and _SETEXT_H1.match(lines[1].strip()):
        return lines[0].strip()
    return ""


# --- HTML -----------------------------------------------------------------------------

_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
# On a page with no article, trafilatura's fallback can return a menu item ("Home").
_MIN_WORDS = 5


def _extract_html(name: str, html: str) -> Extracted:
    # Imported late: trafilatura takes ~0.2 s to import and plain-text input never needs it.
    from trafilatura import bare_extraction
    from trafilatura.settings import Document

    # lxml refuses a str that still carries an encoding declaration; the bytes are decoded.
    html = _XML_DECLARATION.sub("", html, count=1)
    document = bare_extraction(
        html,
        favor_precision=True,  # a missed paragraph is better than a quoted advert
        include_comments=False,
        with_metadata=True,
        # Dates only from the page's markup; a date in the prose is found by
        # find_published, which says where it came from.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not isinstance(document, Document) or len((document.text or "").split()) < _MIN_WORDS:
        raise TrackerError(f"{name}: no article text found in the page")
    main, related, dropped = split_related(document.text or "")
    main = main.strip()
    published_on = _parse_iso_date(document.date or "")
    basis = "page metadata" if published_on else ""
    if published_on is None:
        published_on, basis = find_published(main)
    return Extracted(
        text=main,
        title=(document.title or "").strip() or _headline(main),
        outlet=(document.sitename or "").strip(),
        url=(document.url or "").strip(),
        published_on=published_on,
        published_basis=basis,
        related=related,
        dropped=dropped,
    )


def _parse_iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


# --- publication dates ----------------------------------------------------------------

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
# Month names count only capitalised (Dec., December) or in capitals (DEC. 7 datelines):
# "may 4" is a verb. Digits are [0-9] and no pattern starts with a look-behind or \b
# (checked in _matches instead), because Python's re then scans by first character,
# several times faster on a long text.
_MONTH_NAMES = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_MONTH = rf"(?P<month>{_MONTH_NAMES}|{_MONTH_NAMES.upper()})\b\.?"
_DAY = r"(?P<day>[0-9][0-9]?)(?:st|nd|rd|th)?\b"
_YEAR = r"(?P<year>[0-9]{4})\b"

# Full dates. Numeric day/month orders other than ISO (04/09/2025) are ambiguous between
# British and American usage, so they are never read.
_FULL_DATES = (
    re.compile(r"(?P<year>(?:19|20)[0-9]{2})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})(?![0-9])"),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}\s*,?\s+{_YEAR}"),
    re.compile(rf"{_MONTH}\s+{_DAY}\s*,?\s+{_YEAR}"),
)
_MONTH_DAYS = (
    re.compile(rf"{_MONTH}\s+{_DAY}"),
    re.compile(rf"{_DAY}\s+(?:of\s+)?{_MONTH}"),
)
_YEAR_AFTER = re.compile(r"\s*,?\s*[0-9]{4}\b")
# A four-digit number standing alone: not part of 12,000 / $2000 / 3.2025 / 20250.
_BARE_YEAR = re.compile(r"(?:19|20)[0-9]{2}(?![0-9]|[.,][0-9])")
_NOT_BEFORE_YEAR = frozenset("$£€.,/:")

_LABELLED = re.compile(
    r"^\s*(?:first\s+)?(?:published(?:\s+on)?|publication\s+date|posted(?:\s+on)?"
    r"|date(?:d|\s+published)?)\s*[:\-–—]?\s*"
    r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?",
    re.IGNORECASE,
)
_LABEL_LINES = 5
_EARLIEST_YEAR = 1990


def find_published(text: str, *, today: dt.date | None = None) -> tuple[dt.date | None, str]:
    """The publication date stated in a text, and how it was found.

    In order: a date after a label ("date", "published", "posted") on the first lines; the
    first full date in the text (2025-09-04, 4 September 2025, Sept. 4, 2025); the first
    month and day without a year ("the Dec. 7 discussions"), with the year taken from the
    latest year mentioned that puts it in the past. Dates outside 1990..``today`` are
    skipped: they are history or plans, not the publication. Weekday names ("on Friday")
    are never turned into dates. Returns ``(None, "")`` when nothing qualifies.
    """
    today = today or dt.date.today()
    for find in (_labelled_date, _first_full_date, _month_day_in_latest_year):
        found = find(text, today)
        if found is not None:
            return found
    return None, ""


def _labelled_date(text: str, today: dt.date) -> tuple[dt.date, str] | None:
    lines = [line for line in text.split("\n", 50) if line.strip()][:_LABEL_LINES]
    for line in lines:
        label = _LABELLED.match(line)
        if label is None:
            continue
        for pattern in _FULL_DATES:
            found = pattern.match(line, label.end())
            date = _date_of(found, today) if found else None
            if found and date:
                quoted = line[: found.end()].strip()
                return date, f"stated in the text: '{quoted}'"
    return None


def _first_full_date(text: str, today: dt.date) -> tuple[dt.date, str] | None:
    earliest: tuple[int, dt.date, str] | None = None
    for pattern in _FULL_DATES:
        for found in _matches(pattern, text):
            date = _date_of(found, today)
            if date is not None:
                if earliest is None or found.start() < earliest[0]:
                    earliest = (found.start(), date, found.group(0))
                break  # later matches of this pattern cannot be earlier
    if earliest is None:
        return None
    return earliest[1], f"stated in the text: '{earliest[2]}'"


def _month_day_in_latest_year(text: str, today: dt.date) -> tuple[dt.date, str] | None:
    years = sorted(
        {
            int(found.group(0))
            for found in _matches(_BARE_YEAR, text)
            if text[found.start() - 1 : found.start()] not in _NOT_BEFORE_YEAR
            and _EARLIEST_YEAR <= int(found.group(0)) <= today.year
        },
        reverse=True,
    )
    if not years:
        return None
    for found in sorted(_month_days(text), key=lambda found: found.start()):
        for year in years:
            date = _valid_date(year, _month_number(found), int(found.group("day")), today)
            if date is not None:
                return date, (
                    f"stated in the text: '{found.group(0)}', year taken from '{year}' in the text"
                )
    return None


def _month_days(text: str) -> Iterator[re.Match[str]]:
    """Month-and-day mentions that are not followed by a year."""
    for pattern in _MONTH_DAYS:
        for found in _matches(pattern, text):
            # "Dec. 7, 2031" is a full date rejected as implausible, not a month and day.
            if not _YEAR_AFTER.match(text, found.end()):
                yield found


def _matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches that start a word (the leading \\b the patterns leave out for speed)."""
    for found in pattern.finditer(text):
        if not text[found.start() - 1 : found.start()].isalnum():
            yield found


def _date_of(found: re.Match[str], today: dt.date) -> dt.date | None:
    month = _month_number(found)
    return _valid_date(int(found.group("year")), month, int(found.group("day")), today)


def _month_number(found: re.Match[str]) -> int:
    month = found.group("month")
    return int(month) if month.isdigit() else _MONTHS[month.lower()]


def _valid_date(year: int, month: int, day: int, today: dt.date) -> dt.date | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if dt.date(_EARLIEST_YEAR, 1, 1) <= date <= today else None


def _parse_any_date(value: str) -> dt.date | None:
    """A date written in any of the full forms find_published reads (front matter)."""
    for pattern in _FULL_DATES:
        for found in _matches(pattern, value):
            date = _date_of(found, dt.date.max)
            if date:
                return date
    return None


# --- trailing related stories ---------------------------------------------------------

# Lines that end the article on news pages pasted as text; compared case-insensitively
# after trimming punctuation, bullets and a count such as "Comments (12)".
END_MARKERS = frozenset(
    {
        "related", "related articles", "related stories", "related content", "related coverage",
        "related news", "related posts", "related reading", "related links", "related topics",
        "read more", "read next", "more stories", "more on this story", "more news",
        "most read", "most popular", "most viewed", "most shared", "trending", "trending now",
        "recommended", "recommended for you", "recommended stories", "recommended articles",
        "you may also like", "you might also like", "you may be interested in",
        "comments", "no comments yet", "leave a comment", "join the conversation",
        "show comments", "view comments", "try our ai features", "sign up for our newsletter",
        "subscribe to our newsletter", "top stories", "latest news", "latest stories",
        "editor's picks", "editors' picks", "what to read next", "around the web",
        "sponsored content", "promoted stories", "from our partners",
    }
)  # fmt: skip
_MARKER_PREFIXES = ("more from ",)
_MAX_MARKER_LENGTH = 60
# Markers in the first part of the text are a stray word ("Related") near the headline,
# not the end of the article.
_MIN_CUT_SHARE = 0.3
_MARKER_COUNT = re.compile(r"\s*\(\d+\)$")
_MARKER_TRIM = " \t.:!?…»›>|*#•-–—"

_AGO = re.compile(
    r"^(?:about\s+|around\s+)?(?:an?|one|\d+)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?"
    r"|days?|weeks?|months?|years?)\s+ago$|^(?:just\s+now|yesterday|today)$",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(r"^[-–—|•]\s*(\S.{0,80})$")
_MIN_BODY = 80
_LONG_BODY = 150


def split_related(text: str) -> tuple[str, list[RelatedStory], list[str]]:
    """Cut the text at the first end-of-article marker past the first 30% of the text.

    Returns ``(main, related, dropped)``: the article before the marker; each trailing
    story block (outlet line, "an hour ago", "- Outlet", title line, body) as a
    :class:`RelatedStory`; and the other trailing lines (markers, "No comments yet...")
    for the analyst to see. Without a marker the text comes back unchanged.
    """
    lines = text.split("\n")
    cut = _cut_line(lines, len(text))
    if cut is None:
        return text, [], []
    main = "\n".join(lines[:cut]).rstrip()
    related, dropped = _parse_tail(lines[cut:])
    return main, related, dropped


def _cut_line(lines: list[str], total: int) -> int | None:
    offset = 0
    for index, line in enumerate(lines):
        if offset >= total * _MIN_CUT_SHARE and _is_marker(line):
            return index
        offset += len(line) + 1
    return None


def _is_marker(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > _MAX_MARKER_LENGTH:
        return False
    key = " ".join(_MARKER_COUNT.sub("", line).strip(_MARKER_TRIM).casefold().split())
    return key in END_MARKERS or key.startswith(_MARKER_PREFIXES)


def _parse_tail(lines: list[str]) -> tuple[list[RelatedStory], list[str]]:
    """Read the lines after the marker as story blocks separated by blank lines.

    A block with a long paragraph is a story: its short lines before the paragraph are
    the header (outlet, time, "- Outlet", title). A block of short lines only is a header
    when the next block starts with its paragraph, else boilerplate (dropped). A
    paragraph without a header continues the story before it.
    """
    related: list[RelatedStory] = []
    dropped: list[str] = []
    pending: list[str] = []  # short lines that may be the header of the next block
    for block in _blocks(lines):
        body_at = next((i for i, line in enumerate(block) if _is_body(line)), None)
        if body_at is None:
            dropped.extend(pending)
            pending = block
            continue
        header = block[:body_at] if body_at else pending
        dropped.extend(pending if body_at else [])
        pending = []
        body = "\n".join(block[body_at:])
        title, outlet, extra = _story_header(header)
        dropped.extend(extra)
        if title or not related:
            related.append(RelatedStory(title=title, outlet=outlet, text=body))
        else:
            related[-1].text += "\n\n" + body
    dropped.extend(pending)
    return related, dropped


def _blocks(lines: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line.strip())
        elif block:
            yield block
            block = []
    if block:
        yield block


def _is_body(line: str) -> bool:
    return len(line) > _LONG_BODY or (
        len(line) >= _MIN_BODY and line.endswith((".", '."', ".”", ".’", ".'"))
    )


def _story_header(header: list[str]) -> tuple[str, str, list[str]]:
    """(title, outlet, lines to drop) from a story's short lines.

    Time stamps ("an hour ago") and dates go; "- Middle East Eye" names the outlet; the
    last remaining line is the title and the one before it the outlet line.
    """
    named: list[str] = []
    kept: list[str] = []
    dropped: list[str] = []
    for line in header:
        attribution = _ATTRIBUTION.match(line)
        if _AGO.match(line) or _is_date_line(line):
            continue
        if attribution:
            named.append(attribution.group(1).strip())
        elif _is_marker(line):
            dropped.append(line)
        else:
            kept.append(line)
    if not kept:
        return "", named[0] if named else "", dropped
    title = kept[-1]
    outlet = named[0] if named else (kept[-2] if len(kept) > 1 else "")
    dropped.extend(line for line in kept[:-1] if line != outlet)
    return title, outlet, dropped


def _is_date_line(line: str) -> bool:
    return any(p.fullmatch(line) for p in (*_FULL_DATES, *_MONTH_DAYS))
