"""Small text helpers shared by the services."""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from tracker.errors import TrackerError

# What Markdown treats as syntax, and & (an entity such as &copy; would print as ©).
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|#$~&])")
# Streamlit's Markdown reads more: $ for LaTeX, : for emoji and :red[...], the / of
# :material/icon: (read even with its colons escaped), and punctuation its labels parse.
_STREAMLIT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&/])")


def squash(value: str) -> str:
    """Collapse runs of whitespace and trim: what a user means by 'the same text'."""
    # str.split() and the regex \s agree on every code point (checked over all of Unicode)
    # and split() is ~7x faster on an article, whose content hash squashes it.
    return " ".join(value.split())


def name_key(value: str) -> str:
    """The comparison key for actor names and aliases: case- and spacing-insensitive."""
    return squash(value).casefold()


# Latin letters that Unicode does not decompose into a base letter and a mark: without
# this, "Łukaszenka" and "Støre" sorted after every Z.
_UNDECOMPOSED = str.maketrans(
    {"Ø": "O", "ø": "o", "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d",
     "Ħ": "H", "ħ": "h", "ı": "i", "Æ": "Ae", "æ": "ae", "Œ": "Oe", "œ": "oe", "Þ": "Th",
     "þ": "th", "ß": "ss", "Ŧ": "T", "ŧ": "t", "Ŋ": "N", "ŋ": "n"}
)  # fmt: skip


def name_order(name: str) -> tuple[str, str]:
    """The sort key of names in lists: alphabetical with case and accents set aside
    ("de Mistura" among the Ds, "Émile" among the Es, "Łukaszenka" among the Ls), then as
    written. Sorted here, not by the database's ORDER BY: PostgreSQL's order follows the
    collation the database was created with, and SQLite's puts every capital before "de"
    and "É" after "Z"."""
    decomposed = unicodedata.normalize("NFKD", name).translate(_UNDECOMPOSED)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.casefold(), name


def shorten(value: str, width: int) -> str:
    value = squash(value)
    return value if len(value) <= width else value[: max(width - 1, 0)] + "…"


def short_labels(names: Iterable[str], width: int) -> dict[str, str]:
    """Labels of at most ``width`` characters for the names longer than that, cut in the
    middle ("Ministry of Foreign…Federation (Geneva)"): a chart's legend cut at the end
    showed names that share their start as one entry twice. Where two cuts still read the
    same, more of the end is kept; failing that, they are numbered."""
    given = set(names)
    pending = sorted(n for n in given if len(n) > width)
    taken = given - set(pending)
    labels: dict[str, str] = {}
    # From an even split towards keeping the end, where names sharing a start differ.
    for head in range((width - 1) // 2, 0, -1):
        if not pending:
            break
        cuts = {n: _middle_cut(n, head, width - 1 - head) for n in pending}
        counts = Counter(cuts.values())
        labels.update((n, cut) for n, cut in cuts.items() if counts[cut] == 1 and cut not in taken)
        taken.update(labels.values())
        pending = [n for n in pending if n not in labels]
    for number, name in enumerate(pending, 1):
        mark = f" #{number}"
        room = width - len(mark) - 1
        labels[name] = _middle_cut(name, room // 2, room - room // 2) + mark
    return labels


def _middle_cut(name: str, head: int, tail: int) -> str:
    return name[:head].rstrip() + "…" + name[len(name) - tail :].lstrip()


def check_length(value: str, limit: int, what: str) -> str:
    """Refuse text longer than its column (PostgreSQL would fail; SQLite would not)."""
    if len(value) > limit:
        raise TrackerError(f"{what} is {len(value)} characters long; the limit is {limit}")
    return value


def signed(position: int) -> str:
    """A point of the scale as analysts write it: -2, -1, 0, +1, +2 (never "+0")."""
    return f"{position:+d}" if position else "0"


def plural(count: int, noun: str) -> str:
    """'1 actor', '2 actors': counts as a reader says them."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def escape_markdown(text: str, *, streamlit: bool = False) -> str:
    """Text from a source, shown as typed where Markdown is rendered: a Markdown file, or
    (``streamlit``) a Streamlit page, whose dialect has more syntax."""
    return (_STREAMLIT if streamlit else _MARKDOWN).sub(r"\\\1", text)
