"""Decoding: byte-order marks, UTF-8, declared charsets and guessed encodings."""

from __future__ import annotations

import codecs

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.encoding import decode
from tracker.extract import extract

QUOTED = "“Peace needs guarantees,” the Élysée official said – ‘not words’."


def test_utf8_with_and_without_bom_and_crlf() -> None:
    assert decode("a.txt", QUOTED.encode()) == (QUOTED, [])
    assert decode("a.txt", codecs.BOM_UTF8 + QUOTED.encode()) == (QUOTED, [])
    assert decode("a.txt", b"one\r\ntwo\rthree\n") == ("one\ntwo\nthree\n", [])


def test_utf16_with_bom_is_text_not_binary() -> None:
    text, notes = decode("a.txt", QUOTED.encode("utf-16"))
    assert text == QUOTED and notes == ["decoded as UTF-16 (byte-order mark)"]


def test_charset_declared_by_the_caller_or_the_page() -> None:
    data = QUOTED.encode("cp1252")
    assert decode("a.txt", data, "windows-1252") == (QUOTED, ["decoded as windows-1252 (declared)"])
    html = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    text, notes = decode("a.html", html + data)
    assert text.endswith(QUOTED)  # curly quotes survive: ISO-8859-1 is read as windows-1252
    assert notes == [
        "decoded as windows-1252 (declared by the page as iso-8859-1, "
        "which browsers read as windows-1252)"
    ]


def test_encoding_is_guessed_when_nothing_declares_it() -> None:
    data = (QUOTED + " Officials said the ‘technical’ plans were finished.\n").encode("cp1252")
    text, notes = decode("a.txt", data)
    assert text == data.decode("cp1252")
    assert notes == ["encoding guessed as cp1252: check the text"]
    # A wrong declaration is noted, then the guess is used.
    text, notes = decode("a.txt", "Привет, мир. Переговоры продолжаются.".encode("cp1251"), "utf-8")
    assert text == "Привет, мир. Переговоры продолжаются."
    assert notes[0] == "the charset utf-8 (declared) does not fit the bytes"
    assert notes[1].startswith("encoding guessed as ")


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufeff")))
def test_utf8_text_round_trips(text: str) -> None:
    if text.strip():
        assert decode("a.txt", text.encode("utf-8")) == (text, [])
    result = extract("a.txt", (text + "\n").encode("utf-8")) if text.strip() else None
    if result is not None:
        assert result.text and result.text in text
