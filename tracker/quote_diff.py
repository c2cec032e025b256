"""Where a quote parts from its source's text, for the message that refuses it.

A quote must stand in the text exactly; when it does not, "not in the text" leaves the
analyst comparing two paragraphs by eye for a curly apostrophe or a changed word. This
finds the longest start (else end) of the quote that the text holds and shows what
follows it on each side, naming the two characters when they look alike (’ and ', a
dash and a hyphen, a no-break space and a space).
"""

from __future__ import annotations

import unicodedata

# A shorter shared start is no evidence that the quote was meant to be there (for a
# short quote, a third of it will do).
MIN_SHARED = 12
MIN_SHORT = 5
SHOWN = 24  # characters shown on each side of the difference


def where_it_differs(text: str, quote: str) -> str | None:
    """How ``quote`` (not in ``text``) differs from the passage it seems to come from,
    or None when no long enough part of it is in the text."""
    enough = max(MIN_SHORT, min(MIN_SHARED, len(quote) // 3))
    head = _longest_found(text, quote)
    if head >= enough:
        at = text.find(quote[:head]) + head
        return (
            f"it matches the text up to {_before(quote, head)!r}, then the quote has "
            f"{quote[head : head + SHOWN]!r} where the text has {text[at : at + SHOWN]!r}"
            + _lookalikes(quote[head : head + 1], text[at : at + 1])
        )
    tail = _longest_found(text[::-1], quote[::-1])  # the same search, from the end
    if tail >= enough:
        cut = len(quote) - tail
        at = text.find(quote[cut:])
        shown = min(cut, SHOWN)  # as much of each side: the same place in both
        return (
            f"its end from {quote[cut : cut + SHOWN]!r} matches the text, but before that "
            f"the quote has {quote[cut - shown : cut]!r} where the text has "
            f"{text[max(at - shown, 0) : at]!r}"
            + _lookalikes(quote[cut - 1 : cut], text[at - 1 : at] if at else "")
        )
    return None


def _longest_found(text: str, quote: str) -> int:
    """The length of the longest start of ``quote`` found in ``text`` (a binary search:
    a start that is found has every shorter start found too)."""
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in text:
            low = middle
        else:
            high = middle - 1
    return low


def _before(quote: str, end: int) -> str:
    start = max(end - SHOWN, 0)
    return ("…" if start else "") + quote[start:end]


def _lookalikes(mine: str, theirs: str) -> str:
    """The two differing characters by name, when neither is a letter or digit: they may
    look the same on screen."""
    if not mine or not theirs or mine.isalnum() or theirs.isalnum():
        return ""
    return f" (the quote has {_named(mine)}, the text {_named(theirs)})"


# Characters Unicode names only by number.
_CONTROLS = {"\n": "line break", "\r": "carriage return", "\t": "tab"}


def _named(char: str) -> str:
    if char in _CONTROLS:
        return _CONTROLS[char]
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    return f"{name.lower()} {char!r}" if char.isprintable() and not char.isspace() else name.lower()
