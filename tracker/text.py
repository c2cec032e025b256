"""Small text helpers shared by the services."""

import re

_SPACE = re.compile(r"\s+")


def squash(value: str) -> str:
    """Collapse runs of whitespace and trim: what a user means by 'the same text'."""
    return _SPACE.sub(" ", value).strip()


def name_key(value: str) -> str:
    """The comparison key for actor names and aliases: case- and spacing-insensitive."""
    return squash(value).casefold()


def shorten(value: str, width: int) -> str:
    value = squash(value)
    return value if len(value) <= width else value[: max(width - 1, 0)] + "…"
