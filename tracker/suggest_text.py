"""Reading an article for suggestions: paragraphs, sentences, clauses, quotations and the
dates sentences state, every piece with its offsets in the source text.

Nothing here knows about actors or issues; :mod:`tracker.suggest` puts them together.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A piece of the source text: ``text`` is exactly ``source[start:end]``."""

    start: int
    end: int
    text: str


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! ? (and closing quotes or brackets), before a space and a capital,
# digit or opening quote; newlines always end one (headings, datelines, one-line paragraphs).
_SENTENCE_END = re.compile(r"[.!?]+[\"”’')\]]*\s+(?=[\"“‘'(A-Z0-9])|\n+")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jan feb mar apr jun jul aug sep sept oct nov dec gen col lt sen rep "
    "gov no vs etc jr sr u.s u.k e.u u.n".split()
)
# Clauses: the part after "but", "however", "even though", "while" states its own view.
# Conditions ("if Russia will not ...") are cut off too, and read as no one's view.
_CLAUSE_BREAK = re.compile(
    r"(?<!\ball),?\s+(?:but|however|although|even though|though|whereas|yet)\s+|;\s+"
    r"|,?\s+(?=(?:if|unless|whether)\s)",
    re.IGNORECASE,
)
CONDITIONS = ("if ", "unless ", "whether ")
_OPEN_QUOTES = "\"“‘'"
_CLOSE_FOR = {"“": "”", "‘": "’", '"': '"', "'": "'"}


def paragraphs(text: str) -> list[Span]:
    """Blank-line blocks when the text has them, else lines (one-line paragraphs)."""
    body = text.strip()
    breaker = _BLANK_LINE if _BLANK_LINE.search(body) else re.compile(r"\n")
    result: list[Span] = []
    start = 0
    for match in breaker.finditer(text):
        _add_trimmed(result, text, start, match.start())
        start = match.end()
    _add_trimmed(result, text, start, len(text))
    return result


def _add_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        left = start + (len(piece) - len(piece.lstrip()))
        spans.append(Span(left, left + len(stripped), stripped))


def sentences(text: str, paragraph: Span) -> list[Span]:
    """The sentences of a paragraph, with offsets in ``text``."""
    result: list[Span] = []
    start = paragraph.start
    for match in _SENTENCE_END.finditer(text, paragraph.start, paragraph.end):
        if match.group().strip() and _after_abbreviation(text, match.start()):
            continue
        _add_trimmed(result, text, start, match.start() + len(match.group().rstrip()))
        start = match.end()
    _add_trimmed(result, text, start, paragraph.end)
    return result


def _after_abbreviation(text: str, dot: int) -> bool:
    word = re.search(r"([\w.]+)$", text[max(0, dot - 12) : dot])
    if word is None:
        return False
    token = word.group(1).casefold().rstrip(".")
    return token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha())


def clauses(text: str, sentence: Span) -> list[Span]:
    """The sentence cut at contrasts ("..., but ...", "even though"), offsets kept."""
    result: list[Span] = []
    start = sentence.start
    for match in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end):
        _add_trimmed(result, text, start, match.start())
        start = match.end()
    _add_trimmed(result, text, start, sentence.end)
    return result or [sentence]


def quotations(text: str, paragraph: Span) -> list[Span]:
    """Quoted passages of a paragraph (the words between the marks, which may span
    sentences). A single mark opens only at a word start and closes only before a
    non-letter, so apostrophes (Zelensky’s, don't) are not taken for quotes."""
    found: list[Span] = []
    i = paragraph.start
    while i < paragraph.end:
        mark = text[i]
        if mark in _OPEN_QUOTES and (i == 0 or not text[i - 1].isalnum()):
            close = _closing(text, i, paragraph.end, _CLOSE_FOR[mark])
            if close is not None:
                found.append(Span(i + 1, close, text[i + 1 : close]))
                i = close + 1
                continue
        i += 1
    return found


def _closing(text: str, opened: int, end: int, mark: str) -> int | None:
    j = opened + 1
    while j < end and text[j] != "\n":  # a quotation mark left open closes nothing
        if text[j] == mark and (j + 1 >= len(text) or not text[j + 1].isalpha()):
            if j > opened + 1 and not text[j - 1].isspace():
                return j
        j += 1
    return None


# --- dates the sentence states ---------------------------------------------------------

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH_NAMES = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
_RELATIVE = re.compile(
    r"\b(?P<yesterday>yesterday)\b"
    r"|\b(?P<day_before>(?:a|the) day (?:before|earlier)|the previous day)\b"
    r"|\b(?:on|late on|early on|last|since) (?P<weekday>Monday|Tuesday|Wednesday|Thursday"
    r"|Friday|Saturday|Sunday)\b"
    r"|\b(?P<weekday_s>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)'s\b"
    r"|\blast (?P<last>week|month)\b"
    rf"|\b(?P<md_month>{_MONTH_NAMES})\.? (?P<md_day>[0-9]{{1,2}})(?:st|nd|rd|th)?\b"
    r"(?:,? (?P<md_year>(?:19|20)[0-9]{2}))?"
    rf"|\b(?P<md_day2>[0-9]{{1,2}}) (?P<md_month2>{_MONTH_NAMES})\b"
    rf"|\bin (?P<in_month>{_MONTH_NAMES})\b(?! [0-9])"
)


def stated_date(sentence: str, published: dt.date) -> tuple[dt.date, str]:
    """The day a sentence says something happened, resolved against the publication date,
    and how it was found. Without such an expression: the publication date."""
    for found in _RELATIVE.finditer(sentence):
        date = _resolve(found, published)
        if date is not None and date <= published:
            return date, f"'{found.group(0)}' → {date.isoformat()}"
    return published, f"publication date {published.isoformat()}"


def _resolve(found: re.Match[str], published: dt.date) -> dt.date | None:
    groups = found.groupdict()
    if groups["yesterday"] or groups["day_before"]:
        return published - dt.timedelta(days=1)
    weekday = groups["weekday"] or groups["weekday_s"]
    if weekday:
        back = (published.weekday() - _WEEKDAYS.index(weekday.casefold())) % 7
        return published - dt.timedelta(days=back)
    if groups["last"] == "week":
        return published - dt.timedelta(days=7)
    if groups["last"] == "month":
        return _month_back(published)
    month_name = groups["md_month"] or groups["md_month2"]
    if month_name:
        day = int(groups["md_day"] or groups["md_day2"])
        year = int(groups["md_year"]) if groups["md_year"] else None
        return _dated(published, _month(month_name), day, year)
    if groups["in_month"]:
        month = _month(groups["in_month"])
        return _dated(published, month, 1, None)
    return None


def _month(name: str) -> int:
    return _MONTHS.index(name[:3].casefold()) + 1


def _month_back(day: dt.date) -> dt.date:
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _dated(published: dt.date, month: int, day: int, year: int | None) -> dt.date | None:
    """A month and day in the latest year that keeps it on or before publication."""
    try:
        if year is not None:
            return dt.date(year, month, day)
        date = dt.date(published.year, month, day)
        return date if date <= published else dt.date(published.year - 1, month, day)
    except ValueError:
        return None
