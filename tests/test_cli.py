"""The `tracker` command as a user types it: results on stdout, one-line errors, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from tracker.cli import app
from tracker.db import make_engine, transaction
from tracker.models import Actor

runner = CliRunner()


def tracker(db: str, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, ["--db", db, *args], input=input)


def actor_count(db: str) -> int:
    engine = make_engine(db)
    with transaction(engine) as session:
        count = session.scalar(select(func.count()).select_from(Actor)) or 0
    engine.dispose()
    return count


def assert_user_error(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_every_command_has_help() -> None:
    def walk(command, path):  # type: ignore[no-untyped-def]
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    root = typer.main.get_command(app)
    for path, command in walk(root, []):
        assert (command.help or "").strip(), f"`tracker {' '.join(path)}` has no help text"
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage" in result.output


def test_demo_then_list_ceasefire_first(db_url: str) -> None:
    result = tracker(db_url, "demo")
    assert result.exit_code == 0, result.output
    assert "43 new stances" in result.output

    result = tracker(db_url, "stances", "list", "--issue", "ceasefire-first", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["issue"] for r in rows} == {"ceasefire-first"}
    trump = [(r["stated_on"], r["position"]) for r in rows if r["actor"] == "Donald Trump"]
    assert trump == [("2024-12-07", 1), ("2025-08-13", 2), ("2025-08-18", -2)]
    reversal = next(r for r in rows if r["actor"] == "Donald Trump" and r["position"] == -2)
    assert "while the fighting continued" in reversal["quote"]
    assert reversal["position_label"].startswith("Talks while fighting continues")
    assert reversal["party"] == "United States"


def test_demo_is_idempotent(db_url: str) -> None:
    assert tracker(db_url, "demo").exit_code == 0
    again = tracker(db_url, "demo")
    assert again.exit_code == 0
    assert "0 new sources, 0 new stances (43 in all)" in again.output


def test_table_output_and_filters(db_url: str) -> None:
    tracker(db_url, "demo")
    result = tracker(db_url, "stances", "list", "--actor", "Zelensky", "--since", "2025-08-14")
    assert result.exit_code == 0
    assert "Volodymyr Zelenskyy" in result.stdout
    assert "2025-08-13" not in result.stdout
    # Every status is listed by default, so the table says which each stance has.
    assert result.stdout.split()[6] == "STATUS" and " accepted " in result.stdout
    empty = tracker(db_url, "stances", "list", "--party", "Russia", "--until", "2020-01-01")
    assert empty.exit_code == 0 and "No stances match" in empty.stdout


def test_actor_and_issue_export_import_round_trip(
    demo_url: str, db_url: str, tmp_path: Path
) -> None:
    actors_csv, issues_csv = tmp_path / "actors.csv", tmp_path / "issues.csv"
    assert tracker(demo_url, "actors", "export", str(actors_csv)).exit_code == 0
    assert tracker(demo_url, "issues", "export", str(issues_csv)).exit_code == 0
    first_actors = tracker(demo_url, "actors", "list", "--json").stdout
    first_issues = tracker(demo_url, "issues", "list", "--json").stdout

    # Into a second, empty database and back out: nothing lost.
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert tracker(other, "db", "upgrade").exit_code == 0
    assert "40 actors created" in tracker(other, "actors", "import", str(actors_csv)).output
    assert "5 issues created" in tracker(other, "issues", "import", str(issues_csv)).output
    assert tracker(other, "actors", "list", "--json").stdout == first_actors
    assert tracker(other, "issues", "list", "--json").stdout == first_issues
    # Exporting to standard output gives the same bytes' worth of rows.
    assert tracker(demo_url, "actors", "export", "-").stdout.count("\n") == 41


def test_import_with_a_bad_row_writes_nothing(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    path.write_text("name,kind,party,aliases\nUkraine,state,,Kyiv\nMerz,person,Germany,\n")
    assert_user_error(
        tracker(db_url, "actors", "import", str(path)), "row 3: unknown actor 'Germany'"
    )
    assert actor_count(db_url) == 0


def test_an_import_with_bad_rows_lists_them_all(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    path.write_text(
        "name,kind,party,aliases\nUkraine,state,,Kyiv\nMerz,person,Germany,\n"
        ",person,,\nKyiv office,bureau,Ukraine,\n"
    )
    result = tracker(db_url, "actors", "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: 3 problems, nothing imported:",
        "  row 3: unknown actor 'Germany'",
        "  row 4: column 'name' is empty",
        "  row 5: unknown actor kind 'bureau'; expected one of "
        "person, government, state, organisation, coalition",
    ]
    assert actor_count(db_url) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["actors", "import", "missing.csv"], "file not found: missing.csv"),
        (["stances", "list", "--since", "2025-13-01"], "--since '2025-13-01' is not a date"),
        (["stances", "list", "--issue", "nope"], "unknown issue 'nope'"),
        (["stances", "list", "--status", "maybe"], "unknown status 'maybe'"),
        (["actors", "export", "/no/such/folder/a.csv"], "folder /no/such/folder does not exist"),
    ],
)
def test_bad_arguments(db_url: str, args: list[str], message: str) -> None:
    assert_user_error(tracker(db_url, *args), message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,kind,colour\nKyiv,state,blue\n", "unknown column 'colour'"),
        ("name\nKyiv\n", "missing column 'kind'"),
        ("", "is empty"),
        ("name,kind\nUkraine,planet\n", "row 2: unknown actor kind 'planet'"),
    ],
)
def test_bad_actor_files(db_url: str, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "actors.csv"
    path.write_text(content)
    assert_user_error(tracker(db_url, "actors", "import", str(path)), message)
    assert actor_count(db_url) == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "database URL 'not a url' is not valid"),
        ("mysql://u@localhost/x", "only SQLite and PostgreSQL are supported"),
        ("postgresql://nobody:secret@127.0.0.1:1/x", "cannot reach database"),
        ("sqlite:////no/such/folder/t.db", "no tracker database at /no/such/folder/t.db"),
        # A password with an unencoded "@" or "/": none of it is printed, and how to write it.
        ("postgresql://u:pa@ss@127.0.0.1:1/x", "'postgresql://u:***@127.0.0.1:1/x' is not valid"),
        ("postgresql://u:S3cr#t@p:w/d%x@127.0.0.1/x", "percent-encoded (@ as %40)"),
        ("postgresql://u@127.0.0.1:1/x?password=leakme", "password=***"),
        ("postgresql://u:p@leakme/s@127.0.0.1:1/x", "(@ as %40)"),
        ("postgresql://u:p@leakme?x@127.0.0.1:1/x", "(@ as %40)"),
        ("postgresql://u@127.0.0.1:1/x?sslpassword=leakme", "sslpassword=***"),
    ],
)
def test_bad_database_urls(url: str, message: str) -> None:
    result = runner.invoke(app, ["--db", url, "stances", "list"])
    assert_user_error(result, message)
    for secret in ("secret", "ss@", "S3cr", "p:w", "leakme"):
        assert secret not in result.output  # passwords, or any part of them, never printed


def test_missing_sqlite_file_is_not_created_by_a_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert_user_error(tracker(url, "stances", "list"), "no tracker database at")
    assert not (tmp_path / "new.db").exists()


def test_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    (tmp_path / "new.db").touch()
    assert_user_error(tracker(url, "stances", "list"), "run `tracker db upgrade`")
    assert tracker(url, "db", "upgrade").exit_code == 0
    assert "up to date" in tracker(url, "db", "current").output
    assert tracker(url, "stances", "list").exit_code == 0


def test_installed_command_works_from_any_folder(tmp_path: Path) -> None:
    """The console script finds its migrations and seed data inside the package."""
    import subprocess
    import sys

    script = Path(sys.executable).parent / "tracker"
    done = subprocess.run(
        [str(script), "demo"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "tracker.db").exists()  # the default database is in the working folder
    listed = subprocess.run(
        [str(script), "stances", "list", "--issue", "ceasefire-first", "--actor", "Trump"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[5] for line in listed.stdout.splitlines()[2:]] == ["+1", "+2", "-2"]


def test_outputs_never_replace_the_database_or_the_input(tmp_path: Path) -> None:
    db_file = tmp_path / "tracker.db"
    url = f"sqlite:///{db_file}"
    assert tracker(url, "demo").exit_code == 0
    for command in (
        ["stances", "export", str(db_file)],
        ["sources", "export", f"{db_file}-wal"],
        ["report", "--week", "2025-W34", "-o", str(db_file)],
    ):
        assert_user_error(tracker(url, *command), "is a SQLite database")
    exported = tmp_path / "stances.csv"
    assert tracker(url, "stances", "export", str(exported)).exit_code == 0
    before = exported.read_bytes()
    result = tracker(url, "stances", "import", str(exported), "--skip-invalid", str(exported))
    assert_user_error(result, "is the file being imported")
    assert exported.read_bytes() == before
    listed = tracker(url, "stances", "list", "--json")
    assert len(json.loads(listed.stdout)) == 43


def test_a_full_disk_under_standard_output_is_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert tracker(url, "demo").exit_code == 0
    script = Path(sys.executable).parent / "tracker"
    for command in (["stances", "export", "-"], ["stances", "list", "--json"]):
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [str(script), "--db", url, *command],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
            )
        assert done.returncode == 2, done.stderr
        assert done.stderr == "error: cannot write the output: No space left on device\n"


def test_setting_a_sources_publication_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert tracker(url, "demo").exit_code == 0
    added = tracker(url, "sources", "add", "-", "--title", "Undated", input="Kyiv said no.")
    assert added.exit_code == 0, added.output
    listed = json.loads(tracker(url, "sources", "list", "--json").stdout)
    (source_id,) = [s["source_id"] for s in listed if s["title"] == "Undated"]
    assert_user_error(
        tracker(url, "sources", "set-date", str(source_id), "2031-01-01"),
        ("the date 2031-01-01 is in the future"),
    )
    assert_user_error(tracker(url, "sources", "set-date", "999", "2025-01-01"), "no source")
    done = tracker(url, "sources", "set-date", str(source_id), "2025-08-20")
    assert done.exit_code == 0, done.output
    shown = tracker(url, "sources", "show", str(source_id)).stdout
    assert "published on: 2025-08-20" in shown and "published basis: set by hand" in shown
    assert tracker(url, "sources", "show", "99999999999999999999").exit_code == 2
    titled = tracker(
        url, "sources", "set-title", str(source_id), "Kyiv says no", "--outlet", "Ukrinform"
    )
    assert titled.exit_code == 0, titled.output
    assert "source" in titled.stdout and "'Kyiv says no' (Ukrinform)" in titled.stdout
    shown = tracker(url, "sources", "show", str(source_id)).stdout
    assert "Kyiv says no" in shown and "Ukrinform" in shown
    assert_user_error(tracker(url, "sources", "set-title", str(source_id), "x" * 501), "500")


def test_one_refused_article_is_one_error_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    assert tracker(url, "db", "upgrade").exit_code == 0
    (tmp_path / "notes.csv").write_text("a,b\n")
    for path, reason in (
        (tmp_path / "missing.txt", "no such file or folder"),
        (tmp_path / "notes.csv", ".csv files are not supported"),
    ):
        result = tracker(url, "sources", "add", str(path))
        assert_user_error(result, f"{path}: {reason}")
        assert str(path) not in result.stderr.split(": ", 2)[-1]  # named once


def test_dashboard_on_a_port_in_use_says_so_before_starting(demo_url: str) -> None:
    """A second `dev.py demo` (or another program on 8501): one line naming the port and
    the option to use, instead of a URL that serves nothing and Streamlit's own error."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = tracker(demo_url, "dashboard", "--headless", "--port", str(port))
    assert_user_error(result, f"port {port} is in use")
    assert f"--port {port + 1}" in result.stderr and "Dashboard on" not in result.stdout
