"""Trailing blocks of other stories and page furniture, split off the end of an article.

News pages pasted as text go on after the article: "Related Articles", teasers of other
stories, comments, newsletter boxes. :func:`split_related` cuts the text at the first
end-of-article marker and sorts what follows into related stories and dropped lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tracker.dates import is_date_line


@dataclass
class RelatedStory:
    """A trailing block of another story split off the page (teaser or full text)."""

    title: str
    outlet: str
    text: str


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
        if _AGO.match(line) or is_date_line(line):
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
