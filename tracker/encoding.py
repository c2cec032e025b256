"""Bytes to text: which encoding a file is in, and refusing files that are not text.

The order of evidence is a byte-order mark, then UTF-8, then a charset declared by the
caller or the page, then a guess by charset_normalizer that the analyst is told about.
Binary files (by magic number or by their control characters) are refused with a message
that says what they look like.
"""

from __future__ import annotations

import codecs
import re

from tracker.errors import TrackerError

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
    except UnicodeError:  # also codecs that refuse everything, such as "undefined"
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
