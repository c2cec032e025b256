"""CSV files: spreadsheet-safe out, strict and clear on the way in."""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from tracker.csv_io import (
    atomic_binary_output,
    atomic_output,
    decoded,
    neutralise,
    read_csv,
    restore,
    write_csv,
)
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


@pytest.mark.parametrize("value", ["'a day before' the call", "'plain", "=1+1", "-cmd", "x"])
def test_text_survives_a_spreadsheet_that_drops_a_leading_quote(value: str) -> None:
    """Google Sheets and others read a leading ' as their text marker and drop it on
    saving: a note that really began with ' lost it on the way back."""
    shown = neutralise(value)
    saved = shown[1:] if shown.startswith("'") else shown
    assert restore(saved) == value
    assert restore(shown) == value  # and the ones that keep it lose nothing either


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
        (b"name,name,kind\nx,y,z\n", "column 'name' appears twice"),
        (b'name,,kind,"",x\nx,y,z,w,v\n', "column '' appears twice"),
        (b"x,1\ny,2\n", r"first line \('x', '1'\) names none of the columns; is the header"),
        (b"colour,size\nred,2\n", "unknown column 'colour', 'size'"),
        (b"name,kind\nx,person,extra\n", "row 2: 3 cells, but the header has 2"),
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


def _database(path: Path) -> sqlite3.Connection:
    """A SQLite database in WAL mode with a write in its log (so ``-wal`` exists)."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE stance (id INTEGER PRIMARY KEY)")
    connection.execute("INSERT INTO stance VALUES (1)")
    connection.commit()
    return connection


def test_a_database_is_never_written_over(tmp_path: Path) -> None:
    """A CSV or report written over the tracker's database would destroy every stance."""
    db = tmp_path / "tracker.db"
    connection = _database(db)
    files = [db, tmp_path / "tracker.db-wal", tmp_path / "tracker.db-shm"]
    before = {f: f.read_bytes() for f in files}
    link = tmp_path / "export.csv"
    link.symlink_to(db)
    for path in [*files, link]:
        with pytest.raises(TrackerError, match="is a SQLite database"), atomic_output(path) as out:
            out.write("stance_id\n")
        with pytest.raises(TrackerError, match="is a SQLite database"):
            with atomic_binary_output(path) as binary:
                binary.write(b"%PDF-")
    assert {f: f.read_bytes() for f in files} == before
    assert connection.execute("SELECT count(*) FROM stance").fetchone() == (1,)
    connection.close()


def test_a_link_is_followed_and_kept(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to("real.csv")
    with atomic_output(link) as out:
        write_csv(out, ["a"], [{"a": "new"}])
    assert link.is_symlink()
    assert (tmp_path / "real.csv").read_bytes() == b"a\r\nnew\r\n"


def test_a_pipe_is_written_in_place(tmp_path: Path) -> None:
    """A named pipe (or ``>(command)``) gets the CSV; it is not replaced by a file."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    with atomic_output(pipe) as out:
        write_csv(out, ["a"], [{"a": "through the pipe"}])
    reader.join(timeout=10)
    assert received == [b"a\r\nthrough the pipe\r\n"]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_device_is_one_clear_error() -> None:
    with pytest.raises(TrackerError, match="cannot write /dev/full: No space left on device"):
        with atomic_output("/dev/full") as out:
            write_csv(out, ["a"], [{"a": "x" * 100_000}])


def test_a_bad_byte_is_named_with_its_own_line(tmp_path: Path) -> None:
    """The reader decodes ahead of the rows; the message still names the byte's line."""
    lines = ["name,kind", *(f"actor {n},person" for n in range(500)), "Z\xe9lensky,person"]
    path = tmp_path / "latin1.csv"
    path.write_bytes("\n".join(lines).encode("latin-1"))
    with pytest.raises(TrackerError, match=r"byte 0xe9 on line 502\)"):
        read_csv(path, required=["name", "kind"])


def test_a_long_cell_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("name,kind\n" + "x" * 300_000 + ",person\n", encoding="utf-8")
    (row,) = read_csv(path, required=["name", "kind"])
    assert len(row.cells["name"]) == 300_000


@pytest.mark.parametrize(
    "data",
    [
        b"name,kind\nZelenskyy,person\n",
        "\ufeffname,kind\nZelenskyy,person\n".encode(),  # Excel's "CSV UTF-8"
        "name\tkind\nZelenskyy\tperson\n".encode("utf-16"),  # Excel's "Unicode text"
    ],
)
def test_an_upload_reads_as_the_same_file_on_disk_would(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    from_disk = read_csv(path, required=["name", "kind"])
    uploaded = read_csv("upload.csv", required=["name", "kind"], text=decoded(data, "upload.csv"))
    assert [r.cells for r in uploaded] == [r.cells for r in from_disk]
    assert uploaded[0].cells == {"name": "Zelenskyy", "kind": "person"}


def test_an_upload_that_is_not_utf8_names_the_line_of_its_bad_byte() -> None:
    data = "name,kind\nTrump,person\nZ\xe9lensky,person\n".encode("latin-1")
    with pytest.raises(TrackerError, match=r"^up.csv is not UTF-8 text \(byte 0xe9 on line 3\)"):
        decoded(data, "up.csv")


def test_malformed_csv_after_a_sep_line_names_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "semicolons.csv"
    path.write_text('sep=;\nname;kind\nUkraine;state\n"France"x;state\n', encoding="utf-8")
    with pytest.raises(TrackerError, match="semicolons.csv line 4: malformed CSV"):
        read_csv(path, required=["name", "kind"])


@pytest.mark.parametrize(
    "head", [b"PK\x03\x04\x14\x00\x06\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]
)
def test_a_workbook_named_csv_is_told_apart(tmp_path: Path, head: bytes) -> None:
    """An .xlsx (or .xls) renamed .csv: not "not UTF-8 text (byte 0x84 on line 1)"."""
    path = tmp_path / "stances.csv"
    path.write_bytes(head + bytes(range(256)) * 4)
    message = r"stances.csv is a spreadsheet workbook \(.xlsx, .xls or .ods\), not a CSV file"
    with pytest.raises(TrackerError, match=message):
        read_csv(path, required=["name"])
    with pytest.raises(TrackerError, match=message):
        decoded(path.read_bytes(), "stances.csv")
