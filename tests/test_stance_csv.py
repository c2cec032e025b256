"""Stances out to CSV and back in: lossless, spreadsheet-safe, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tests.factories import make_actor, make_issue, make_source
from tracker import migrate
from tracker.cli import app
from tracker.csv_io import damaged, read_csv, write_csv
from tracker.db import make_engine, transaction
from tracker.demo import load_demo
from tracker.highlight import find_passage
from tracker.models import Actor, Issue, PositionDay, Source, Stance, StanceEvent
from tracker.stance_csv import export_stances
from tracker.stance_import import import_stances
from tracker.stance_query import COLUMNS, StanceFilter, stance_records
from tracker.stance_validation import ImportProblems
from tracker.stances import StanceChanges, record_stance, snapshot, update_stance

runner = CliRunner()
TRICKY = (
    'Zelensky said: "no", then, after a pause,\nhe added — "well, maybe".\n'
    '=HYPERLINK("http://evil") +1 -2 @team\tTab here.\r\n'
    "Зеленський заявив: «Ні». 泽连斯基说. Ζελένσκι. 'quoted'"
)


def tracker(db: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db, *args])


def export_text(engine: Engine, flt: StanceFilter | None = None) -> str:
    out = io.StringIO(newline="")
    with transaction(engine) as session:
        export_stances(session, flt or StanceFilter(), out)
    return out.getvalue()


def stance_count(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(Stance)) or 0


@contextmanager
def stored(db: str) -> Iterator[Session]:
    """A session on ``db`` to change what is stored before an export (committed on leaving)."""
    engine = make_engine(db)
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


def rows_of(db: str) -> list[dict[str, str]]:
    """The stances of ``db`` as its export's rows."""
    out = tracker(db, "stances", "export", "-")
    assert out.exit_code == 0
    return list(csv.DictReader(io.StringIO(out.stdout)))


def assert_reimports_unchanged(db: str, path: Path) -> None:
    """Export ``db`` to ``path`` and import it back: nothing new, nothing updated."""
    assert tracker(db, "stances", "export", str(path)).exit_code == 0
    result = _import_cli(db, path)
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 43 unchanged" in result.output


@pytest.fixture
def second_db(empty_db_url: str) -> Iterator[Engine]:
    """Another database, for 'import into an empty database' round trips."""
    engine = make_engine(empty_db_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def test_demo_round_trip_gives_the_same_file(engine: Engine, second_db: Engine) -> None:
    load_demo(engine)
    load_demo(second_db, with_stances=False)  # the same sources, actors and issues
    first = export_text(engine)
    report = import_stances(second_db, "demo.csv", text=first)
    assert (report.created, report.updated, report.unchanged) == (43, 0, 0)
    assert export_text(second_db) == first
    header = next(csv.reader(io.StringIO(first)))
    assert tuple(header) == COLUMNS


def test_imported_stances_history_holds_them_as_stored(engine: Engine, second_db: Engine) -> None:
    """The 'create' events an import writes in SQL hold what snapshot() gives for the
    stored stance: names, reporter, proposal, condition flags, dates and floats alike."""
    load_demo(engine)
    load_demo(second_db, with_stances=False)
    with transaction(engine) as session:  # values a JSON writer could get wrong
        session.execute(update(Stance).where(Stance.id == 1).values(confidence=0.1))
        session.execute(update(Stance).where(Stance.id == 2).values(confidence=1 / 3))
    import_stances(second_db, "demo.csv", text=export_text(engine))
    with transaction(second_db) as session:
        stances = session.scalars(select(Stance).order_by(Stance.id)).all()
        events = {e.stance_id: e for e in session.scalars(select(StanceEvent))}
        assert len(events) == len(stances) == 43
        kinds = {"proposal": 0, "reported_by": 0, "conditional": 0}
        for stance in stances:
            event = events[stance.id]
            assert (event.action, event.annotator, event.before) == (
                "create",
                stance.annotator,
                None,
            )
            assert event.after == snapshot(stance), stance.id
            kinds["proposal"] += stance.proposal_id is not None
            kinds["reported_by"] += stance.reported_by_id is not None
            kinds["conditional"] += stance.conditional
        assert all(kinds.values()), kinds  # the demo exercises each optional part
        assert events[2].after["confidence"] == 1 / 3


def _tricky_db(engine: Engine) -> None:
    with transaction(engine) as session:
        actor = make_actor(session, "Volodymyr Zelenskyy", aliases=["Зеленський"])
        issue = make_issue(session, "ceasefire-first")
        source = make_source(session, TRICKY, title="=cmd|' /C calc'!A0")
    quotes = [
        '"no", then, after a pause,\nhe added',
        '=HYPERLINK("http://evil") +1',
        "-2 @team\tTab",
        "Зеленський заявив: «Ні»",
        "泽连斯基说",
    ]
    with transaction(engine) as session:
        for i, quote in enumerate(quotes):
            record_stance(
                session,
                actor=session.merge(actor),
                issue=session.merge(issue),
                source=session.merge(source),
                position=i - 2,
                quote=quote,
                annotator="@ana",
                note=f'+note {i}, with "quotes"\nand a newline',
                confidence=1 / (i + 3),
            )


def test_tricky_cells_survive_and_never_run_as_formulas(engine: Engine, second_db: Engine) -> None:
    _tricky_db(engine)
    _tricky_db(second_db)
    with transaction(second_db) as session:
        session.execute(delete(StanceEvent))
        session.execute(delete(Stance))
    first = export_text(engine)
    for row in csv.DictReader(io.StringIO(first)):
        for column, cell in row.items():
            if column not in ("position", "quote_start", "quote_end", "confidence"):
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), (column, cell)
    import_stances(second_db, "tricky.csv", text=first)
    assert export_text(second_db) == first
    with transaction(second_db) as session:
        quotes = set(session.scalars(select(Stance.quote)))
    assert '=HYPERLINK("http://evil") +1' in quotes and "泽连斯基说" in quotes


@st.composite
def stance_specs(draw: st.DrawFn) -> list[dict[str, Any]]:
    specs, used = [], set()
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(TRICKY) - 2))
        end = draw(st.integers(start + 1, min(len(TRICKY), start + 60)))
        if TRICKY[start:end].strip() == "" or (start, end) in used:
            continue
        used.add((start, end))
        specs.append(
            {
                "start": start,
                "end": end,
                "position": draw(st.integers(-2, 2)),
                "confidence": draw(st.floats(0, 1, allow_nan=False)),
                # Not text an import refuses as a spreadsheet's damage ("#NAME?", or
                # "Ã©" that is "é" read as Windows-1252): a deliberate trade-off.
                "note": draw(
                    st.text(
                        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
                        max_size=30,
                    ).filter(lambda note: damaged(note) is None)
                ),
                "status": draw(st.sampled_from(["suggested", "accepted", "rejected"])),
                "stated_on": draw(st.dates(dt.date(2020, 1, 1), dt.date(2026, 1, 1))),
            }
        )
    return specs


@pytest.fixture
def tricky_pair(engine: Engine, second_db: Engine) -> tuple[Engine, Engine]:
    """Two databases with the same actor, issue and tricky source, and no stances."""
    for eng in (engine, second_db):
        _tricky_db(eng)
    return engine, second_db


def _clear_stances(eng: Engine) -> None:
    with transaction(eng) as session:
        session.execute(delete(StanceEvent))
        session.execute(delete(Stance))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=stance_specs())
def test_any_stances_round_trip(
    tricky_pair: tuple[Engine, Engine], specs: list[dict[str, Any]]
) -> None:
    first_db, second = tricky_pair
    _clear_stances(first_db)
    _clear_stances(second)
    with transaction(first_db) as session:
        actor = session.scalars(select(Actor)).one()
        issue = session.scalars(select(Issue)).one()
        source = session.scalars(select(Source)).one()
        for spec in specs:
            record_stance(
                session,
                actor=actor,
                issue=issue,
                source=source,
                position=spec["position"],
                quote=TRICKY[spec["start"] : spec["end"]],
                quote_start=spec["start"],
                confidence=spec["confidence"],
                status=spec["status"],
                note=spec["note"],
                annotator="ana",
                stated_on=spec["stated_on"],
            )
    first = export_text(first_db)
    report = import_stances(second, "random.csv", text=first)
    assert report.created == len(specs)
    assert export_text(second) == first


@pytest.fixture
def exported(demo_url: str, tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "stances.csv"
    result = tracker(demo_url, "stances", "export", str(path))
    assert result.exit_code == 0, result.output
    return demo_url, path


def _rewrite(path: Path, target: Path, edit: Any) -> None:
    """Copy a CSV, letting ``edit(line_number, row)`` change rows (line 2 = first row)."""
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for line, row in enumerate(rows, start=2):
            edit(line, row)
            writer.writerow(row)


def _write(target: Path, rows: list[dict[str, str]]) -> Path:
    """Rows as a CSV file, the first row's keys as the header."""
    with target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def test_reimporting_creates_nothing(exported: tuple[str, Path], tmp_path: Path) -> None:
    db, path = exported
    again = tracker(db, "stances", "import", str(path))
    assert again.exit_code == 0 and "0 new, 0 updated, 43 unchanged" in again.output
    without_ids = tmp_path / "no-ids.csv"
    _rewrite(path, without_ids, lambda line, row: row.update(stance_id=""))
    assert (
        "0 new, 0 updated, 43 unchanged"
        in tracker(db, "stances", "import", str(without_ids)).output
    )


def test_every_problem_is_listed_and_nothing_written(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    db, path = exported
    bad = tmp_path / "bad.csv"
    edits = {
        2: {"actor": "Nobody Known"},
        3: {"issue": "moon-landing"},
        11: {"actor": "Donald Trmp"},  # a typo: the closest name is offered
        12: {"issue": "ceasefire-frist"},
        4: {"stated_on": "18th of August"},
        5: {"position": "3"},
        6: {"confidence": "1.5"},
        7: {"quote": "words nobody said"},
        8: {"source_id": "999"},
        9: {"stance_id": "1"},  # stance 1 is another stance
        10: {"position": "+1", "note": "changed"},  # valid: an update
    }
    _rewrite(path, bad, lambda line, row: row.update(edits.get(line, {})))
    result = tracker(db, "stances", "import", str(bad))
    assert result.exit_code == 2
    for expected in [
        "row 2, column actor: unknown actor 'Nobody Known'",
        "row 3, column issue: unknown issue 'moon-landing'",
        "row 4, column stated_on: '18th of August' is not a date",
        "row 5, column position: position 3 is outside the scale",
        "row 6, column confidence: confidence '1.5' is outside 0..1",
        "row 7, column quote: the quote does not match source",
        "row 8, column source_id: no source with id 999",
        "row 9, column stance_id: stance 1 has another actor, issue or passage than this row",
        "row 11, column actor: unknown actor 'Donald Trmp' (did you mean 'Donald Trump'?)",
        "row 12, column issue: unknown issue 'ceasefire-frist' (did you mean 'ceasefire-first'?)",
    ]:
        assert expected in result.stderr, expected
    engine = make_engine(db)
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(StanceEvent)) == 43
    engine.dispose()


def test_skip_invalid_writes_good_rows_and_rejects(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    db, path = exported
    edited, rejects = tmp_path / "edited.csv", tmp_path / "rejects.csv"

    def edit(line: int, row: dict[str, str]) -> None:
        if line == 2:
            row["position"] = "7"
        if line == 3:
            row["position"] = "-1" if row["position"] != "-1" else "0"

    _rewrite(path, edited, edit)
    dry = tracker(db, "stances", "import", str(edited), "--skip-invalid", str(rejects), "--dry-run")
    assert "1 updated" in dry.output and "dry run" in dry.output and not rejects.exists()
    result = tracker(db, "stances", "import", str(edited), "--skip-invalid", str(rejects))
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 41 unchanged stances; 1 row was rejected" in result.output
    # With a byte-order mark, as --excel writes: a spreadsheet reads its accents right.
    assert rejects.read_bytes().startswith(b"\xef\xbb\xbfstance_id,")
    (rejected,) = list(csv.DictReader(rejects.open(newline="", encoding="utf-8-sig")))
    assert rejected["position"] == "7" and "outside the scale" in rejected["reason"]
    history = tracker(db, "stances", "list", "--json")
    assert history.exit_code == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"actor,issue\nTrump,land-swaps\n", "missing column 'stated_on'"),
        (b"actor,issue,stated_on,position,quote,source_id,colour\n", "unknown column 'colour'"),
        (
            b"actor,issue,stated_on,position,quote,source_id\nZ\xe9lensky,a,b,c,d,e\n",
            "not UTF-8 text",
        ),
    ],
)
def test_bad_files_get_one_line_errors(
    db_url: str, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    result = tracker(db_url, "stances", "import", str(path))
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_export_filters_and_excel_bom(demo_url: str, tmp_path: Path) -> None:
    path = tmp_path / "trump.csv"
    result = tracker(
        demo_url,
        "stances",
        "export",
        str(path),
        "--actor",
        "Trump",
        "--issue",
        "ceasefire-first",
        "--excel",
    )
    assert result.exit_code == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["stated_on"], r["position"]) for r in rows] == [
        ("2024-12-07", "1"),
        ("2025-08-13", "2"),
        ("2025-08-18", "-2"),
    ]
    stdout = tracker(demo_url, "stances", "export", "-", "--party", "Russia")
    assert stdout.exit_code == 0 and stdout.stdout.startswith("stance_id,actor,party")


def _reference_export(engine: Engine) -> str:
    """The export as write_csv writes the flat records (tracker.stance_query), cell by cell."""
    out = io.StringIO(newline="")
    with transaction(engine) as session:
        records = stance_records(session, StanceFilter())
    for record in records:
        record["conditional"] = "true" if record["conditional"] else "false"
    write_csv(out, COLUMNS, records)
    return out.getvalue()


def test_export_writes_every_cell_as_the_flat_records_say(engine: Engine) -> None:
    """The database renders dates, timestamps and the neutralising flag for the export:
    the file must be what the records, written cell by cell in Python, give."""
    _tricky_db(engine)
    with transaction(engine) as session:
        first, second, *_ = session.scalars(select(Stance).order_by(Stance.id))
        second.note = "'=already quoted"
        second.annotator = "'ana"
        second.conditional, second.condition = True, "-if Moscow agrees"
        whole_second = dt.datetime(2025, 8, 13, 9, 30, tzinfo=dt.UTC)
        session.execute(update(Stance).where(Stance.id == first.id).values(created_at=whole_second))
        session.execute(
            update(Stance)
            .where(Stance.id == second.id)
            .values(updated_at=dt.datetime(2025, 8, 14, 23, 59, 59, 120, tzinfo=dt.UTC))
        )
    exported = export_text(engine)
    assert exported == _reference_export(engine)
    assert "2025-08-13T09:30:00+00:00" in exported
    assert "2025-08-14T23:59:59.000120+00:00" in exported
    assert "''=already quoted" in exported and ",'-if Moscow agrees," in exported


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_stance_repeated_in_the_file_is_imported_once(
    engine: Engine, second_db: Engine, monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    """Repeats within a chunk and in later chunks (small chunks)."""
    _tricky_db(engine)
    _tricky_db(second_db)
    with transaction(second_db) as session:
        session.execute(delete(StanceEvent))
        session.execute(delete(Stance))
    header, *rows = export_text(engine).split("\r\n", 1)[0], *_records(export_text(engine))
    monkeypatch.setattr("tracker.stance_validation.CHUNK", 3)
    repeated = [rows[0], rows[0], *rows, *rows[::-1], rows[2]]
    report = import_stances(
        second_db, "repeats.csv", text="\r\n".join([header, *repeated, ""]), dry_run=dry_run
    )
    counts = (report.created, report.updated, report.unchanged, report.repeated)
    assert counts == (5, 0, 0, len(repeated) - 5)
    assert stance_count(second_db) == (0 if dry_run else 5)


@pytest.mark.parametrize("dry_run", [False, True])
def test_skip_invalid_rejects_both_rows_that_disagree(
    engine: Engine,
    second_db: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    dry_run: bool,
) -> None:
    """Under --skip-invalid, two rows giving one stance different positions are both
    rejected, each naming the other, though the first was written chunks before the second
    came (small chunks), and so is a later exact repeat of the first (kept, it would clash
    again once the analyst settles the two); the other rows are imported once, with one
    history event each."""
    _tricky_db(engine)
    _tricky_db(second_db)
    _clear_stances(second_db)
    header, *rows = export_text(engine).split("\r\n", 1)[0], *_records(export_text(engine))
    first = next(csv.reader([rows[0]]))
    at = {name: i for i, name in enumerate(next(csv.reader([header])))}
    twin = list(first)
    twin[at["position"]] = "0" if first[at["position"]] != "0" else "1"
    twin_line = io.StringIO()
    csv.writer(twin_line, lineterminator="").writerow(twin)
    monkeypatch.setattr("tracker.stance_validation.CHUNK", 2)
    text = "\r\n".join([header, *rows, twin_line.getvalue(), rows[0], ""])
    rejects = tmp_path / "rejects.csv"
    heard: list[int | None] = []
    report = import_stances(
        second_db,
        "twins.csv",
        text=text,
        dry_run=dry_run,
        rejects=rejects,
        on_progress=heard.append,
    )
    # Read twice, the second time from 0; the indexes and days are rebuilt once.
    assert heard.count(0) == 1 and heard[heard.index(0) - 1] == heard[-1 - (not dry_run)]
    assert heard.count(None) == (0 if dry_run else 1)
    last = len(rows) + 2  # the twin's row: the header is row 1
    assert [(p.at.row, p.column) for p in report.problems] == [
        (2, "position"),
        (last, "position"),
        (last + 1, ""),
    ]
    assert f"the same stance as row {last} (" in report.problems[0].message
    assert "the same stance as row 2 (" in report.problems[1].message
    assert "repeats row 2, which is rejected" in report.problems[2].message
    counts = (report.created, report.rejected, report.repeated)
    assert counts == (len(rows) - 1, 3, 0), report.summary()
    assert stance_count(second_db) == (0 if dry_run else len(rows) - 1)
    with transaction(second_db) as session:
        assert session.scalar(select(func.count()).select_from(StanceEvent)) == (
            0 if dry_run else len(rows) - 1
        )
    if not dry_run:
        kept = list(csv.reader(rejects.open(encoding="utf-8-sig", newline="")))
        assert [r[at["position"]] for r in kept[1:]] == [
            first[at["position"]],
            twin[at["position"]],
            first[at["position"]],
        ]


def _records(text: str) -> list[str]:
    """The data rows of an export as CSV lines (cells with newlines stay in their row)."""
    lines = []
    for cells in list(csv.reader(io.StringIO(text)))[1:]:
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="").writerow(cells)
        lines.append(out.getvalue())
    return lines


def test_import_reports_its_progress(engine: Engine, second_db: Engine) -> None:
    """The command's progress bar hears the line reached after each chunk, then None while
    indexes and stored days are rebuilt; a dry run writes nothing and rebuilds nothing."""
    load_demo(engine)
    load_demo(second_db, with_stances=False)
    text = export_text(engine)
    heard: list[int | None] = []
    import_stances(second_db, "demo.csv", text=text, dry_run=True, on_progress=heard.append)
    last_line = len(text.splitlines())  # no stance of the demo spans lines
    assert heard == [last_line]  # one chunk
    heard.clear()
    import_stances(second_db, "demo.csv", text=text, on_progress=heard.append)
    assert heard == [last_line, None]


def _import_cli(db: str, path: Path, *args: str) -> Result:
    return tracker(db, "stances", "import", str(path), *args)


def test_a_stance_given_twice_with_other_values_is_a_problem(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Two rows for one stance (same passage, or the same stance_id) that disagree: which
    one was meant is the analyst's call, so both are problems, each naming the other, and a
    dry run finds them as the import does. A later exact repeat of a rejected row is
    rejected too."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    first, second = rows[0], rows[1]
    changed = {**first, "stance_id": "", "position": "0" if first["position"] != "0" else "1"}
    other_with_same_id = {**second, "stance_id": first["stance_id"]}
    bad = tmp_path / "twice.csv"
    with bad.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(first))
        writer.writeheader()
        # Lines 5 and 6 repeat rejected rows exactly.
        writer.writerows([first, changed, other_with_same_id, first, other_with_same_id])
    for extra in ([], ["--dry-run"]):
        result = _import_cli(db, bad, *extra)
        assert result.exit_code == 2, result.output
        assert "5 problems in 5 rows, nothing imported" in result.stderr
        assert f"row 6, column stance_id: stance_id {first['stance_id']} is also on row 2" in (
            result.stderr
        )
        for row, other in ((2, 3), (3, 2)):
            assert (
                f"row {row}, column position: the same stance as row {other} (actor, issue "
                "and passage) with another position; keep the row you mean"
            ) in result.stderr
        assert (
            f"row 4, column stance_id: stance_id {first['stance_id']} is also on row 2, for "
            "another actor, issue or passage; one stance_id names one stance"
        ) in result.stderr
        assert "row 5: repeats row 2, which is rejected" in result.stderr
    assert "Traceback" not in result.output
    listed = json.loads(tracker(db, "stances", "list", "--json").stdout)
    assert [s["position"] for s in listed if s["stance_id"] == int(first["stance_id"])] == [
        int(first["position"])
    ]


def test_a_row_whose_label_is_emptied_repeats_the_row(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """The label is written on export, not imported: a row that differs from an earlier
    one for the same stance only by an emptied label says the same thing."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    twice = _write(tmp_path / "twice.csv", [rows[0], {**rows[0], "position_label": ""}])
    result = _import_cli(db, twice)
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 1 unchanged stances; 1 row repeats an earlier one" in result.output


def test_rows_at_minus_one_and_minus_two_are_not_a_repeat(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Python hashes -1 as -2: a stance's row at "oppose" and its twin at "strongly oppose"
    (labels emptied, so only the positions differ) were taken for an exact repeat, and one
    of the two positions was dropped without a word."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    row = next(r for r in rows if r["position"] in ("-1", "-2"))
    twin = {**row, "position": "-1" if row["position"] == "-2" else "-2", "position_label": ""}
    twice = _write(tmp_path / "twice.csv", [{**row, "position_label": ""}, twin])
    rejects = tmp_path / "rejects.csv"
    result = _import_cli(db, twice, "--skip-invalid", str(rejects))
    assert "0 new, 0 updated, 0 unchanged stances; 2 rows were rejected" in result.output
    reasons = [r["reason"] for r in csv.DictReader(rejects.open(encoding="utf-8-sig"))]
    assert all("with another position;" in reason for reason in reasons), reasons
    assert rows_of(db) == rows


def _twins(rows: list[dict[str, str]], how: str) -> list[dict[str, str]]:
    """The first row of an export and a second row for the same stance, edited ``how``."""
    first = rows[0]
    moved = "0" if first["position"] != "0" else "1"
    label = next(
        r["position_label"]
        for r in rows
        if r["issue"] == first["issue"] and r["position"] != first["position"]
    )
    twin = {
        "position": {**first, "stance_id": "", "position": moved},
        "annotator": {**first, "stance_id": "", "annotator": "bob", "position": moved},
        "same id, annotator": {**first, "annotator": "reviewer", "position": moved},
        "label": {**first, "position_label": label},
        "bad confidence": {**first, "confidence": "7", "position": moved},
    }
    if how == "bad confidence first":
        return [twin["bad confidence"], first]
    return [first, twin[how]]


@pytest.mark.parametrize(
    "how",
    [
        "position",
        "annotator",
        "same id, annotator",
        "label",
        "bad confidence",
        "bad confidence first",
    ],
)
def test_skip_invalid_writes_neither_of_two_rows_for_one_stance(
    exported: tuple[str, Path], tmp_path: Path, how: str
) -> None:
    """On the command line too (no account: the file's annotator cell says who coded), two
    rows for one stance outside double coding that do not say the same thing, or one of
    which has problems of its own, are both rejected under --skip-invalid. The stored
    stance stays as it was; written first, one of them had undone the other's edit, or an
    edited label was taken for an exact repeat."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    twins = _write(tmp_path / "twins.csv", _twins(rows, how))
    rejects = tmp_path / "rejects.csv"
    result = _import_cli(db, twins, "--skip-invalid", str(rejects))
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 0 unchanged stances; 2 rows were rejected" in result.output
    reasons = [r["reason"] for r in csv.DictReader(rejects.open(encoding="utf-8-sig"))]
    # Each row names the other, except one with problems of its own: those are its reason.
    named = [r for r in reasons if "the same stance as row" in r]
    assert len(reasons) == 2 and len(named) == (1 if "confidence" in how else 2), reasons
    if how == "label":
        assert "with another position_label" in reasons[0]
    after = rows_of(db)
    assert after[0] == rows[0] and len(after) == len(rows)


def test_a_file_without_optional_columns_leaves_their_stored_values(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Only the required columns: a changed position updates the stance; its confidence,
    status, origin and note (columns the file does not have) stay as stored."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    before = {r["stance_id"]: r for r in rows}
    short = tmp_path / "short.csv"
    required = ["actor", "issue", "stated_on", "position", "quote", "source_id"]
    with short.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=required, extrasaction="ignore")
        writer.writeheader()
        writer.writerows([{**rows[0], "position": "0" if rows[0]["position"] != "0" else "1"}])
        writer.writerows(rows[1:])
    result = _import_cli(db, short)
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 42 unchanged" in result.output
    after_path = tmp_path / "after.csv"
    assert tracker(db, "stances", "export", str(after_path)).exit_code == 0
    after = list(csv.DictReader(after_path.open(newline="", encoding="utf-8")))
    for row in after:
        old = before[row["stance_id"]]
        for column in ("confidence", "status", "origin", "note"):
            assert row[column] == old[column], (column, row["stance_id"])
    assert any(r["note"] for r in after)  # the demo has notes to lose


def test_a_file_without_status_says_which_matched_suggestions_stay_suggested(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """An analyst's own file, imported after the suggester had quoted the same passage,
    updated the suggestion and left it suggested: without a word, the shift it made was
    missing from every report."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    with stored(db) as session:
        suggestion = session.get(Stance, int(rows[0]["stance_id"]))
        assert suggestion is not None
        suggestion.status = "suggested"
    short = tmp_path / "mine.csv"
    required = ["actor", "issue", "stated_on", "position", "quote", "source_id"]
    with short.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=required, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    result = _import_cli(db, short)
    assert result.exit_code == 0, result.output
    assert "1 of the rows matched stored suggestions and gave no status" in result.output


def test_empty_cells_keep_a_stored_stances_values(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """A spreadsheet edit that empties status, origin and confidence on a suggestion: the
    defaults are for new stances. It made the suggestion accepted, unreviewed."""
    db, path = exported
    with stored(db) as session:
        stance = session.scalars(select(Stance).order_by(Stance.id)).first()
        assert stance is not None
        stance.status, stance.origin, stance.confidence = "suggested", "suggestion", 0.55
        stance_id = stance.id
    assert tracker(db, "stances", "export", str(path)).exit_code == 0
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    for row in rows:
        if row["stance_id"] == str(stance_id):
            row.update(status="", origin="", confidence="", annotator="", created_at="")
    edited = tmp_path / "emptied.csv"
    with edited.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = _import_cli(db, edited)
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 43 unchanged" in result.output
    listed = json.loads(tracker(db, "stances", "list", "--json").stdout)
    kept = next(s for s in listed if s["stance_id"] == stance_id)
    assert (kept["status"], kept["confidence"]) == ("suggested", 0.55)


@pytest.mark.parametrize(
    ("column", "cell", "message"),
    [
        ("source_id", "99999999999999999999", "out of range (1 to 2,147,483,647)"),
        ("stance_id", "99999999999999999999", "out of range (1 to 2,147,483,647)"),
        ("stance_id", "0", "0 is out of range"),
        ("stance_id", "-3", "'-3' is not a whole number"),
        ("quote_start", "+1", "'+1' is not a whole number"),
        ("quote_start", "\u0661", "is not a whole number"),  # an Arabic-Indic digit one
        ("stated_on", "2031-08-18", "the date 2031-08-18 is in the future"),
        ("stated_on", "0001-01-01", "the date 0001-01-01 is before 1900"),  # a blank, to Excel
        # Was an OverflowError traceback: no UTC time exists for it.
        ("created_at", "9999-12-31T23:59:59-05:00", "out of range for a UTC timestamp"),
        ("updated_at", "0001-01-01T00:00:00+05:00", "out of range for a UTC timestamp"),
        # What spreadsheets leave: a formula's error where the note was, and UTF-8 read
        # as Windows-1252 and saved (both went in as text).
        ("note", "#NAME?", "holds the spreadsheet error #NAME?"),
        ("note", "Ã‰lysÃ©e readout â€“ dated", "would be 'Élysée readout – dated'"),
        ("position", "\u0661", "is not a number from -2 to 2"),
    ],
)
def test_cells_the_database_must_not_hold_are_problems(
    exported: tuple[str, Path], tmp_path: Path, column: str, cell: str, message: str
) -> None:
    db, path = exported
    bad = tmp_path / "bad.csv"
    # Only a new stance takes the file's timestamps: a stored one's are not read.
    new = _new_stances(db) if column.endswith("_at") else lambda row: None

    def edit(line: int, row: dict[str, str]) -> None:
        if line == 2:
            new(row)
            row[column] = cell

    _rewrite(path, bad, edit)
    for extra in ([], ["--dry-run"]):
        result = _import_cli(db, bad, *extra)
        assert result.exit_code == 2, result.output
        assert f"row 2, column {column}: " in result.stderr and message in result.stderr
        assert "Traceback" not in result.output


def test_every_problem_of_one_row_is_listed(exported: tuple[str, Path], tmp_path: Path) -> None:
    db, path = exported
    bad = tmp_path / "bad.csv"
    edit = {"stated_on": "2025-02-30", "attribution": "On_Record", "conditional": "maybe"}
    _rewrite(path, bad, lambda line, row: row.update(edit if line == 2 else {}))
    result = _import_cli(db, bad)
    assert "3 problems in 1 row" in result.stderr
    for column in edit:
        assert f"row 2, column {column}: " in result.stderr


def test_a_fixed_rejects_file_imports_as_it_is(exported: tuple[str, Path], tmp_path: Path) -> None:
    """The rejects file keeps the columns plus a reason: fix the cell, import it again."""
    db, path = exported
    edited, rejects = tmp_path / "edited.csv", tmp_path / "rejects.csv"
    _rewrite(
        path, edited, lambda line, row: row.update(position="7" if line == 2 else row["position"])
    )
    assert _import_cli(db, edited, "--skip-invalid", str(rejects)).exit_code == 0
    rows = list(csv.DictReader(rejects.open(newline="", encoding="utf-8-sig")))
    assert len(rows) == 1 and "outside the scale" in rows[0]["reason"]
    fixed = tmp_path / "fixed.csv"
    _rewrite(rejects, fixed, lambda line, row: row.update(position="-1"))
    result = _import_cli(db, fixed, "--skip-invalid", str(tmp_path / "rejects-2.csv"))
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output and "rejected" not in result.output


def _ragged_file(path: Path, target: Path) -> list[str]:
    """The export with a note over two lines (row 2), a row cut short (row 3), one with
    two cells too many (row 4) and an unknown status (row 5); returns the header."""
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    rows[0][header.index("note")] = "first line\nsecond line"
    rows[1] = rows[1][:6]
    rows[2] = [*rows[2], "x", "y"]
    rows[3][header.index("status")] = "maybe"
    with target.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([header, *rows])
    return header


def test_rows_that_do_not_fit_the_header_are_listed_with_the_others(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Rows are numbered as a spreadsheet shows them (a two-line cell is one row); the
    file's line is added where it differs. Nothing is written."""
    db, path = exported
    ragged = tmp_path / "ragged.csv"
    width = len(_ragged_file(path, ragged))
    before = rows_of(db)
    result = _import_cli(db, ragged)
    assert result.exit_code == 2
    assert (
        "3 problems in 3 rows, nothing imported; the other rows would give 0 new, 1 updated, "
        "39 unchanged stances"
    ) in result.stderr
    assert f"  row 3 (line 4): 6 cells, but the header has {width} (the row cut short" in (
        result.stderr
    )
    assert f"  row 4 (line 5): {width + 2} cells, but the header has {width}: a text cell" in (
        result.stderr
    )
    assert "one column right; the last cells: 'x', 'y'" in result.stderr
    assert "  row 5 (line 6), column status: unknown status 'maybe'" in result.stderr
    assert rows_of(db) == before


def test_skip_invalid_rejects_rows_that_do_not_fit_the_header(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """--skip-invalid writes the good rows; the bad ones go to the rejects file whole (a
    long row's extra cells in its reason), which a spreadsheet opens with every row in
    its columns."""
    db, path = exported
    ragged, rejects = tmp_path / "ragged.csv", tmp_path / "rejects.csv"
    header = _ragged_file(path, ragged)
    result = _import_cli(db, ragged, "--skip-invalid", str(rejects))
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 39 unchanged stances; 3 rows were rejected" in result.output
    assert any(r["note"] == "first line\nsecond line" for r in rows_of(db))
    with rejects.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [*header, "reason"] and all(len(r) == len(header) + 1 for r in rows)
    short, long, unknown = (dict(zip(rows[0], r, strict=True)) for r in rows[1:])
    assert "6 cells" in short["reason"] and short["source_id"] == ""
    assert "its cells after the last column were: x | y;" in long["reason"]
    assert "unknown status 'maybe'" in unknown["reason"]
    # Imported again unedited, the padded row would clear the stored stance's note and
    # evidence, the cut one scramble it: refused until their reason is emptied.
    before = rows_of(db)
    again = _import_cli(db, rejects)
    assert again.exit_code == 2
    for row in (2, 3):
        assert f"row {row}, column reason: this row was rejected because its cells did not" in (
            again.stderr
        )
    assert "row 4, column status: unknown status 'maybe'" in again.stderr
    assert rows_of(db) == before
    # Rejected once more, a long row's reason still holds its cut-off cells.
    rejects_2 = tmp_path / "rejects-2.csv"
    assert _import_cli(db, rejects, "--skip-invalid", str(rejects_2)).exit_code == 0
    with rejects_2.open(newline="", encoding="utf-8-sig") as handle:
        second = list(csv.DictReader(handle))
    assert "its cells after the last column were: x | y" in second[1]["reason"]
    assert rows_of(db) == before
    # And again: the reason stays as it was (it wrapped itself in one more "it said" each
    # time), so the file is the same.
    rejects_3 = tmp_path / "rejects-3.csv"
    assert _import_cli(db, rejects_2, "--skip-invalid", str(rejects_3)).exit_code == 0
    assert rejects_3.read_bytes() == rejects_2.read_bytes()
    assert second[0]["reason"].count("it said") == 1


def test_an_edited_quote_is_shown_where_it_differs(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    db, path = exported
    edited = tmp_path / "edited.csv"

    def edit(line: int, row: dict[str, str]) -> None:
        if line == 2:
            words = row["quote"].split(" ")
            words[len(words) // 2] = "NEVER"
            row.update(quote=" ".join(words), quote_start="", quote_end="")

    _rewrite(path, edited, edit)
    result = _import_cli(db, edited)
    assert "row 2, column quote: the quote is not in the text of source" in result.stderr
    assert "then the quote has 'NEVER" in result.stderr


def _new_stances(db: str) -> Callable[[dict[str, str]], None]:
    """Makes an exported row a new stance: no stance_id, and an issue that its actor's
    passage has no stance on yet."""
    rows = rows_of(db)
    taken = {(r["actor"], r["source_id"], r["quote_start"], r["issue"]) for r in rows}
    issues = sorted({r["issue"] for r in rows})

    def new(row: dict[str, str]) -> None:
        key = (row["actor"], row["source_id"], row["quote_start"])
        other = next(i for i in issues if (*key, i) not in taken)
        taken.add((*key, other))
        row.update(stance_id="", issue=other)

    return new


@pytest.mark.parametrize("form", ["%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"])
def test_dates_a_spreadsheet_rewrote_in_its_regions_form_read_back(
    exported: tuple[str, Path], tmp_path: Path, form: str
) -> None:
    """An export opened and saved in a spreadsheet (American, British, German, Japanese
    short dates; timestamps rewritten without seconds or zone), one position edited:
    that edit is the only change. 8/12/2025 is settled by the stored stance's date."""
    db, path = exported
    before = {r["stance_id"]: r["stated_on"] for r in rows_of(db)}
    edited = tmp_path / "edited.csv"

    def edit(line: int, row: dict[str, str]) -> None:
        row["stated_on"] = dt.date.fromisoformat(row["stated_on"]).strftime(form)
        row.update(created_at="18/08/2025 09:00", updated_at="18/08/2025 09:01")
        if line == 2:
            row["position"] = "0" if row["position"] != "0" else "1"

    _rewrite(path, edited, edit)
    result = _import_cli(db, edited)
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 42 unchanged" in result.output
    assert {r["stance_id"]: r["stated_on"] for r in rows_of(db)} == before


def test_a_day_and_month_swapped_in_a_spreadsheet_are_an_edit(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """A British spreadsheet's export (18/08/2025: day first) where 07/12/2024 was
    corrected to 12/07/2024: read in the file's order, it is 12 July, an update (the
    stored 7 December is one of its two readings, and was once taken for it)."""
    db, path = exported
    edited = tmp_path / "british.csv"
    line = next(n for n, r in enumerate(rows_of(db), start=2) if r["stated_on"] == "2024-12-07")

    def edit(n: int, row: dict[str, str]) -> None:
        row["stated_on"] = dt.date.fromisoformat(row["stated_on"]).strftime("%d/%m/%Y")
        if n == line:
            row["stated_on"] = "12/07/2024"

    _rewrite(path, edited, edit)
    result = _import_cli(db, edited)
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 42 unchanged" in result.output
    assert rows_of(db)[line - 2]["stated_on"] == "2024-07-12"


def test_a_rejected_rows_date_keeps_the_order_its_file_showed(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """The British file again, the corrected row with a mistyped confidence: rejected, it
    goes to the rejects file with its date as the file read it (2024-07-12), since the
    rejects file alone shows no order and 12/07/2024 would there read as the stored date.
    Fixed and imported, the edit is made."""
    db, path = exported
    edited, rejects = tmp_path / "british.csv", tmp_path / "rejects.csv"
    line = next(n for n, r in enumerate(rows_of(db), start=2) if r["stated_on"] == "2024-12-07")

    def edit(n: int, row: dict[str, str]) -> None:
        row["stated_on"] = dt.date.fromisoformat(row["stated_on"]).strftime("%d/%m/%Y")
        if n == line:
            row["stated_on"], row["confidence"] = "12/07/2024", "7"

    _rewrite(path, edited, edit)
    result = _import_cli(db, edited, "--skip-invalid", str(rejects))
    assert "0 new, 0 updated, 42 unchanged stances; 1 row was rejected" in result.output
    (rejected,) = csv.DictReader(rejects.open(newline="", encoding="utf-8-sig"))
    assert rejected["stated_on"] == "2024-07-12"
    assert (
        "stated_on '12/07/2024' is written as 2024-07-12 (day first, as the file's other "
        "dates show)"
    ) in rejected["reason"]
    # Fixed in the spreadsheet, which saves the date back in its own form: the reason
    # cell (not imported) still says the order, and one row shows none.
    fixed = tmp_path / "fixed.csv"
    _rewrite(
        rejects,
        fixed,
        lambda _n, row: row.update({"confidence": "0.9", "stated_on": "12/07/2024"}),
    )
    result = _import_cli(db, fixed)
    assert "0 new, 1 updated, 0 unchanged" in result.output, result.output
    assert rows_of(db)[line - 2]["stated_on"] == "2024-07-12"


def test_a_new_stances_date_either_way_round_is_a_problem(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Without a stored stance or another date of the file to settle it, 04/08/2025
    could be April or August; a new stance's rewritten timestamp is a problem."""
    db, path = exported
    new = _new_stances(db)
    edited = tmp_path / "new.csv"
    given = {2: "04/08/2025", 3: "20250818", 4: "2025-08-18"}

    def edit(line: int, row: dict[str, str]) -> None:
        if line in given:
            new(row)
            row["stated_on"] = given[line]
            row["created_at"] = "18/08/2025 09:00" if line == 4 else ""

    _rewrite(path, edited, edit)
    result = _import_cli(db, edited)
    assert result.exit_code == 2
    assert "2 problems in 2 rows" in result.stderr
    assert (
        "row 2, column stated_on: '04/08/2025' could be 4 August 2025 or 8 April 2025 (a "
        "spreadsheet wrote the date in its region's order): use YYYY-MM-DD"
    ) in result.stderr
    assert "row 4, column created_at: '18/08/2025 09:00' is not a timestamp such as " in (
        result.stderr
    )
    assert "empty the cell to take the import's time" in result.stderr
    rejects = tmp_path / "rejects.csv"
    result = _import_cli(db, edited, "--skip-invalid", str(rejects))
    assert "1 new, 0 updated, 40 unchanged stances; 2 rows were rejected" in result.output
    (new,) = [r for r in rows_of(db) if int(r["stance_id"]) > 43]
    assert new["stated_on"] == "2025-08-18"


def test_only_the_first_quote_mismatches_are_explained(
    exported: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Showing where a quote differs searches its text (a quarter of a millisecond in a
    long one): a file of wrong quotes is refused without a search per row."""
    monkeypatch.setattr("tracker.stance_validation.EXPLAINED_QUOTES", 1)
    db, path = exported
    edited = tmp_path / "edited.csv"

    def edit(line: int, row: dict[str, str]) -> None:
        if line in (2, 3):
            row.update(quote=row["quote"][:30] + " NEVER SAID", quote_start="", quote_end="")

    _rewrite(path, edited, edit)
    problems = [
        line for line in _import_cli(db, edited).stderr.splitlines() if "column quote" in line
    ]
    assert "row 2, column quote:" in problems[0] and "then the quote has ' NEVER" in problems[0]
    assert "row 3, column quote:" in problems[1] and "then the quote has" not in problems[1]


def test_a_quote_garbled_by_a_spreadsheets_encoding_says_so(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """A file saved without its byte-order mark and opened as Windows-1252: "’" became
    "â€™". The quote is not in the text, and the message says why."""
    db, path = exported
    rows = rows_of(db)
    line = next(n for n, r in enumerate(rows, start=2) if "’" in r["quote"] or "‘" in r["quote"])
    garbled = tmp_path / "garbled.csv"

    def edit(n: int, row: dict[str, str]) -> None:
        if n == line:
            row["quote"] = row["quote"].encode("utf-8").decode("cp1252", errors="replace")

    _rewrite(path, garbled, edit)
    result = _import_cli(db, garbled)
    assert f"row {line}, column quote: looks like UTF-8 text read as Windows-1252" in (
        result.stderr
    )


def test_rejects_keep_negative_numbers_as_numbers(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """A spreadsheet reads ``-0.5`` in the rejects file as the number it was, not as the
    text ``'-0.5``; a formula-like note is still neutralised."""
    db, path = exported
    edited, rejects = tmp_path / "edited.csv", tmp_path / "rejects.csv"
    bad = {"position": "-1", "confidence": "-0.5", "note": "-cmd|' /C calc'!A0"}
    _rewrite(path, edited, lambda line, row: row.update(bad if line == 2 else {}))
    assert _import_cli(db, edited, "--skip-invalid", str(rejects)).exit_code == 0
    (row,) = list(csv.DictReader(rejects.open(newline="", encoding="utf-8-sig")))
    assert (row["position"], row["confidence"]) == ("-1", "-0.5")
    assert row["note"] == "'" + bad["note"] and "confidence" in row["reason"]


def test_spaces_and_windows_line_breaks_around_a_quote_are_forgiven(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Without an offset, a quote padded with spaces, or whose line breaks an editor made
    CRLF, is found as the text has it; status and origin are read in any case."""
    db, path = exported
    edited = tmp_path / "edited.csv"

    def edit(line: int, row: dict[str, str]) -> None:
        row.update(stance_id="", quote_start="", quote_end="")
        if line == 2:
            row.update(quote=f"  {row['quote']} ", status=row["status"].upper())
        if line == 3:
            row.update(quote=row["quote"].replace("\n", "\r\n"), origin=row["origin"].title())

    _rewrite(path, edited, edit)
    result = _import_cli(db, edited)
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 43 unchanged" in result.output


def test_a_quote_whose_line_breaks_became_crlf_is_found(engine: Engine) -> None:
    _tricky_db(engine)
    rows = [r.cells for r in read_csv("x.csv", required=COLUMNS, text=export_text(engine))]
    (multi_line,) = [r for r in rows if "\n" in r["quote"]]
    crlf = {**multi_line, "stance_id": "", "quote_start": "", "quote_end": ""}
    crlf["quote"] = multi_line["quote"].replace("\n", "\r\n")
    out = io.StringIO(newline="")
    write_csv(out, list(rows[0]), [crlf])
    report = import_stances(engine, "crlf.csv", text=out.getvalue())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)


def test_two_imports_of_one_file_at_once_both_finish(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Two colleagues import overlapping files at the same time: the second waits for the
    first and finds its stances stored ("unchanged"), on PostgreSQL as on SQLite (it got
    a raw unique-constraint error there)."""
    import threading

    db, path = exported
    theirs = tmp_path / "theirs.csv"
    _rewrite(path, theirs, lambda line, row: row.update(stance_id=""))
    engine = make_engine(db)
    with transaction(engine) as session:  # the same sources, no stances yet
        session.execute(delete(PositionDay))
        session.execute(delete(StanceEvent))
        session.execute(delete(Stance))
    written, release = threading.Event(), threading.Event()
    reports: dict[str, Any] = {}

    def hold(line: int | None) -> None:
        written.set()  # the first chunk is written, not yet committed
        release.wait(10)

    def run(name: str, on_progress: Any) -> None:
        try:
            reports[name] = import_stances(engine, theirs, on_progress=on_progress)
        except Exception as exc:  # noqa: BLE001 - the test reports what went wrong
            reports[name] = exc

    first = threading.Thread(target=run, args=("first", hold))
    first.start()
    assert written.wait(10)
    second = threading.Thread(target=run, args=("second", None))
    second.start()
    second.join(1.0)
    assert second.is_alive()  # it waits for the first import's transaction
    release.set()
    first.join(30)
    second.join(30)
    engine.dispose()
    assert (reports["first"].created, reports["first"].unchanged) == (43, 0), reports
    assert (reports["second"].created, reports["second"].unchanged) == (0, 43), reports


@pytest.mark.parametrize(
    "style", ["semicolons", "utf16-tabs", "sep-line", "sep-tab", "headers-and-trailing-columns"]
)
def test_a_spreadsheets_way_of_saving_the_export_reads_the_same(
    exported: tuple[str, Path], tmp_path: Path, style: str
) -> None:
    """Excel in much of Europe saves CSV with ';' and decimal commas; its "Unicode text"
    is UTF-16 with tabs; it may write a 'sep=' line, and sheets come back with headers
    retyped and empty columns after the last. All were refused ("unknown column
    'stance_id;actor;…'"); each now reads as the export it came from."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    header = list(rows[0])
    target = tmp_path / f"{style}.csv"
    if style == "semicolons":
        for row in rows:
            row["confidence"] = row["confidence"].replace(".", ",")
        with target.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.DictWriter(out, fieldnames=header, delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
    elif style == "utf16-tabs":
        with target.open("w", newline="", encoding="utf-16") as out:
            writer = csv.DictWriter(out, fieldnames=header, delimiter="\t")
            writer.writeheader()
            writer.writerows(rows)
    elif style == "sep-line":
        target.write_text("sep=,\r\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    elif style == "sep-tab":
        with target.open("w", newline="", encoding="utf-8") as out:
            out.write("sep=\t\r\n")
            writer = csv.DictWriter(out, fieldnames=header, delimiter="\t")
            writer.writeheader()
            writer.writerows(rows)
    else:
        with target.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([h.replace("_", " ").title() for h in header] + ["", "", ""])
            writer.writerows([[row[h] for h in header] + ["", "", ""] for row in rows])
    result = _import_cli(db, target)
    assert result.exit_code == 0, result.output
    assert "0 new, 0 updated, 43 unchanged" in result.output
    if style == "sep-line":  # line numbers still count the file's lines
        bad = tmp_path / "bad.csv"
        lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[2] = lines[2].replace(",accepted,", ",maybe,", 1)
        bad.write_text("".join(lines), encoding="utf-8")
        assert "row 2 (line 3), column status" in _import_cli(db, bad).stderr
    if style == "semicolons":  # its rejects go back with ';', which that spreadsheet reads
        bad, rejects = tmp_path / "bad.csv", tmp_path / "rejects.csv"
        text = target.read_text(encoding="utf-8-sig").replace(";accepted;", ";maybe;", 1)
        bad.write_text(text, encoding="utf-8-sig")
        assert _import_cli(db, bad, "--skip-invalid", str(rejects)).exit_code == 0
        (rejected,) = csv.DictReader(rejects.open(newline="", encoding="utf-8-sig"), delimiter=";")
        assert rejected["status"] == "maybe" and "unknown status 'maybe'" in rejected["reason"]


def test_a_label_edited_to_another_point_is_a_problem(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """An analyst changed position_label to "Ceasefire must come first" and left position
    at 1: the label is not read, so the import said "unchanged" and dropped the change."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    line, row = next(
        (n, r)
        for n, r in enumerate(rows, start=2)
        if r["issue"] == "ceasefire-first" and r["position"] == "1"
    )
    bad = tmp_path / "label.csv"
    _rewrite(
        path,
        bad,
        lambda n, r: r.update({"position_label": "ceasefire must come first"} if n == line else {}),
    )
    result = _import_cli(db, bad)
    assert result.exit_code == 2
    assert (
        f"row {line}, column position_label: the label of +2, but position is +1 (as "
        "stored): to move the stance, change position to +2"
    ) in result.stderr
    # The same row again, in the same chunk or a later one: rejected as its first copy is
    # (counted once as a repeat of it, it was in neither the stances nor the rejects file).
    edited = {**row, "position_label": "ceasefire must come first"}
    twice = _write(tmp_path / "twice.csv", [edited, edited])
    for chunk in (1, 2):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("tracker.stance_validation.CHUNK", chunk)
            result = _import_cli(db, twice)
        assert "2 problems in 2 rows" in result.stderr
        assert "row 3: repeats row 2, which is rejected" in result.stderr
    # The usual edit, the position changed and the label left as exported: an update.
    moved = tmp_path / "moved.csv"
    _rewrite(path, moved, lambda n, r: r.update({"position": "2"} if n == line else {}))
    assert "0 new, 1 updated" in _import_cli(db, moved).output
    # Its label is now out of date, but the same file imported again changes nothing.
    again = _import_cli(db, moved)
    assert again.exit_code == 0 and "0 new, 0 updated, 43 unchanged" in again.output
    # A label written otherwise (another team's wording) is not read: no problem.
    other = tmp_path / "other.csv"
    _rewrite(path, other, lambda n, r: r.update({"position_label": "Our own wording"}))
    assert _import_cli(db, other).exit_code == 0


def test_a_sources_own_odd_title_does_not_stop_a_round_trip(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """A scraped title really holding "â€™" (the site's own mojibake) was taken for a
    spreadsheet's damage in the export's source_title column, which the import never
    reads: the tracker's own file could not be imported back."""
    db, path = exported
    with stored(db) as session:
        source = session.scalars(select(Source).order_by(Source.id)).first()
        assert source is not None
        source.title = "Kremlin: we donâ€™t need it"
    assert_reimports_unchanged(db, path)


def test_two_points_sharing_a_label_still_round_trip(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """An issue whose -2 and -1 read the same: the label named one point only, and an
    untouched export of a -2 stance was refused as "the label of -1"."""
    db, path = exported
    with stored(db) as session:
        issue = session.scalars(select(Issue).where(Issue.slug == "ceasefire-first")).one()
        issue.label_neg1 = issue.label_neg2
    assert any(r["issue"] == "ceasefire-first" and r["position"] == "-2" for r in rows_of(db))
    assert_reimports_unchanged(db, path)


def _other_position(row: dict[str, str]) -> str:
    return "1" if row["position"] != "1" else "-1"


def test_an_old_export_leaves_a_later_change_as_it_is(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Two analysts start from one export; Bob saves a change in the dashboard, Alice edits
    another stance in her copy and imports it: her untouched row for Bob's stance shows
    the old version, and must not undo his change (it did, recorded as hers)."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    bobs, alices = int(rows[0]["stance_id"]), int(rows[1]["stance_id"])
    with stored(db) as session:
        version = session.get_one(Stance, bobs).version
        update_stance(
            session,
            bobs,
            StanceChanges(note="Bob: revised after a second source"),
            annotator="bob",
            expected_version=version,
        )
    alice = tmp_path / "alice.csv"
    _rewrite(path, alice, lambda line, row: line == 3 and row.update(position=_other_position(row)))

    result = _import_cli(db, alice, "--annotator", "alice")

    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 42 unchanged" in result.output
    assert (
        "1 row was exported before a later change to its stance, and leaves it as is"
        in result.output
    )
    with stored(db) as session:
        bob_stance, alice_stance = session.get_one(Stance, bobs), session.get_one(Stance, alices)
        assert (bob_stance.note, bob_stance.annotator) == (
            "Bob: revised after a second source",
            "bob",
        )
        assert (str(alice_stance.position), alice_stance.annotator) == (
            _other_position(rows[1]),
            "alice",
        )


def test_an_old_export_that_edits_a_changed_stance_is_refused(
    exported: tuple[str, Path], tmp_path: Path
) -> None:
    """Both edited one stance (Bob by importing his copy): Alice's import is refused,
    naming Bob's change, until she redoes her edit on a new export or empties the row's
    updated_at to overwrite his."""
    db, path = exported
    rows = list(csv.DictReader(path.open(newline="", encoding="utf-8")))
    stance_id, old_position = int(rows[0]["stance_id"]), rows[0]["position"]
    bob, alice = tmp_path / "bob.csv", tmp_path / "alice.csv"
    _rewrite(path, bob, lambda line, row: line == 2 and row.update(position=_other_position(row)))
    assert _import_cli(db, bob, "--annotator", "bob").exit_code == 0
    _rewrite(path, alice, lambda line, row: line == 2 and row.update(note="Alice's reading"))

    refused = _import_cli(db, alice, "--annotator", "alice")

    assert refused.exit_code != 0
    assert f"row 2, column updated_at: stance {stance_id} was changed by bob at" in refused.output
    assert "empty this row's updated_at to overwrite that change" in refused.output
    with stored(db) as session:
        stance = session.get_one(Stance, stance_id)
        assert (str(stance.position), stance.annotator) == (_other_position(rows[0]), "bob")

    overwrite = tmp_path / "overwrite.csv"
    _rewrite(alice, overwrite, lambda line, row: line == 2 and row.update(updated_at=""))
    result = _import_cli(db, overwrite, "--annotator", "alice")
    assert result.exit_code == 0, result.output
    assert "0 new, 1 updated, 42 unchanged" in result.output
    with stored(db) as session:
        stance = session.get_one(Stance, stance_id)
        assert (str(stance.position), stance.note) == (old_position, "Alice's reading")
    # Her file, imported again, changes nothing; nor does Bob's old export now.
    assert "0 new, 0 updated, 43 unchanged" in _import_cli(db, overwrite).output
    assert "0 new, 0 updated, 43 unchanged" in _import_cli(db, path).output


def test_a_quote_with_decomposed_accents_is_found_as_the_text_writes_it(
    engine: Engine, tmp_path: Path
) -> None:
    """A quote copied on macOS or from a PDF may write 'й' as 'и' and a combining breve
    (NFD); the source has one code point (NFC). The same words: imported, and stored as
    the text writes them (it was refused as 'no part of it is in that text')."""
    _tricky_db(engine)
    with transaction(engine) as session:
        session.execute(delete(StanceEvent))
        session.execute(delete(Stance))
        source_id = session.scalars(select(Source.id)).one()
    quote = "Зеленський заявив"
    decomposed = unicodedata.normalize("NFD", quote)
    assert decomposed != quote
    row = {
        "actor": "Volodymyr Zelenskyy",
        "issue": "ceasefire-first",
        "stated_on": "2025-08-13",
        "position": "-1",
        "quote": decomposed,
        "source_id": str(source_id),
    }
    start = TRICKY.index(quote)
    path = _write(
        tmp_path / "nfd.csv",
        [row, {**row, "quote": f" {decomposed}\r\n", "position": "-1"}],
    )
    report = import_stances(engine, path)
    assert (report.created, report.repeated, report.problems) == (1, 1, [])
    with transaction(engine) as session:
        stance = session.scalars(select(Stance)).one()
        assert (stance.quote, stance.quote_start) == (quote, start)
    # With its offset too; a wrong offset is still refused.
    with_offset = _write(tmp_path / "offset.csv", [{**row, "quote_start": str(start)}])
    assert import_stances(engine, with_offset, dry_run=True).unchanged == 1
    wrong = _write(tmp_path / "wrong.csv", [{**row, "quote_start": str(start + 1)}])
    with pytest.raises(ImportProblems, match=f"at offset {start + 1}: '{quote}'; the text has"):
        import_stances(engine, wrong, dry_run=True)
    # A quote that is not in the text is explained in the text's form: where the words
    # part, not at the first combining mark.
    other = _write(tmp_path / "other.csv", [{**row, "quote": f"{decomposed} нічого"}])
    with pytest.raises(
        ImportProblems, match="then the quote has ' нічого' where the text has ': «Ні»"
    ):
        import_stances(engine, other, dry_run=True)
    # The tagging page finds the pasted passage the same way.
    assert find_passage(TRICKY, decomposed) == [(start, start + len(quote))]
