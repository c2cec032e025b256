"""CSV files: spreadsheet-safe out, strict and clear on the way in."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tracker.csv_io import atomic_output, neutralise, read_csv, restore, write_csv
from tracker.errors import TrackerError


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://x")',
        "+1",
        "-cmd",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "'=already",
        "''=two",
        "'plain",
        "plain",
        "",
        "-",
        "'",
        'ceasefire, then "guarantees"\nnext line',
    ],
)
def test_neutralise_round_trips(value: str) -> None:
    out = neutralise(value)
    assert restore(out) == value
    # A spreadsheet never sees a leading formula character.
    if out:
        assert out[0] not in "=+-@\t\r"


def test_numbers_are_data_not_formulas() -> None:
    assert neutralise(-2) == -2
    assert neutralise(0.5) == 0.5


def test_write_then_read_is_lossless(tmp_path: Path) -> None:
    rows = [{"a": "=1+1", "b": 'quote, with "marks"\nand a newline'}, {"a": "Zelenskyy", "b": "é"}]
    path = tmp_path / "out.csv"
    with atomic_output(path, excel=True) as out:
        write_csv(out, ["a", "b"], rows)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    back = read_csv(path, required=["a", "b"])
    assert [r.cells for r in back] == rows
    assert [r.line for r in back] == [2, 4]  # physical lines, the multi-line cell counted


def test_failed_write_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    with pytest.raises(RuntimeError), atomic_output(path) as out:
        out.write("half")
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\n\n", "is empty"),
        (b"name,kind\n\xff\xfe,person\n", "not UTF-8 text"),
        (b"name,colour\nx,red\n", "unknown column 'colour'"),
        (b"kind\nperson\n", "missing column 'name'"),
        (b"name,name,kind\nx,y,z\n", "appears twice"),
        (b"name,kind\nx,person,extra\n", "line 2: 3 cells, but the header has 2"),
        (b'name,kind\n"unclosed,person\n', "malformed CSV|cells"),
    ],
)
def test_bad_files_get_one_clear_message(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(TrackerError, match=message):
        read_csv(path, required=["name", "kind"])


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(TrackerError, match="file not found"):
        read_csv(tmp_path / "nope.csv", required=["name"])
    with pytest.raises(TrackerError, match="is a folder"):
        read_csv(tmp_path, required=["name"])


def test_reads_text_given_directly() -> None:
    rows = read_csv("<stdin>", required=["name"], text="name\r\nKyiv\r\n")
    assert rows[0].cells == {"name": "Kyiv"}
    assert write_csv(io.StringIO(), ["name"], []) == 0
