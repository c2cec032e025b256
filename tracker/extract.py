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

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from tracker.dates import find_published, labelled_date, parse_any_date
from tracker.encoding import decode
from tracker.errors import TrackerError
from tracker.related import RelatedStory, split_related

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
    # A date line ("date 2025-09-04", as the user guide suggests) above or below the
    # headline is neither the title nor the start of a paragraph.
    lines = [line for line in text.split("\n") if labelled_date(line, dt.date.max) is None]
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
        published_on = parse_any_date(fields["date"])
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
