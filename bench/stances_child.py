"""One measured export or import, run in a fresh interpreter by ``bench.stances``.

``python -m bench.stances_child '{"task": "export", ...}'`` prints one JSON line: the
seconds the work took (the interpreter's start-up and imports excluded), rows, and memory
from ``/proc/self/status``: the resident size before the work and the peak (VmHWM) after,
plus the peak of any helper processes the export started.

Task ``command`` runs a program (the ``sqlite3`` or ``psql`` baseline) with its output to
a file and reports its peak RSS from ``getrusage(RUSAGE_CHILDREN)``: launched from this
small interpreter rather than from the benchmark process, whose own (much larger) resident
size a forked child's ``ru_maxrss`` would inherit. Tracker modules are imported only by the
tasks that use them, so the launcher stays small.
"""

from __future__ import annotations

import csv
import json
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any


def memory_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    return 0


def export(url: str, path: str) -> int:
    """What ``tracker stances export FILE`` does: a reading session, every stance."""
    from tracker.db import make_engine, reading
    from tracker.export_parts import export_stances_to
    from tracker.stance_query import StanceFilter

    engine = make_engine(url)
    try:
        with reading(engine) as session:
            return export_stances_to(session, StanceFilter(), path, excel=False)
    finally:
        engine.dispose()


def import_csv(url: str, path: str) -> int:
    from tracker.db import make_engine
    from tracker.stance_import import import_stances

    engine = make_engine(url)
    try:
        report = import_stances(engine, path)
    finally:
        engine.dispose()
    if report.updated or report.unchanged or report.rejected:
        raise RuntimeError(f"expected only new stances: {report.summary()}")
    return report.created


def _rows(path: str, actors: dict[str, int], issues: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        at = {name: i for i, name in enumerate(next(reader))}
        for r in reader:
            yield (
                int(r[at["stance_id"]]),
                actors[r[at["actor"]].casefold()],
                issues[r[at["issue"]]],
                int(r[at["source_id"]]),
                r[at["stated_on"]],
                int(r[at["position"]]),
                float(r[at["confidence"]]),
                r[at["quote"]],
                int(r[at["quote_start"]]),
                int(r[at["quote_end"]]),
                r[at["status"]],
                r[at["origin"]],
                r[at["annotator"]],
                r[at["note"]],
                r[at["created_at"]],
                r[at["updated_at"]],
            )


def import_baseline(backend: str, url: str, path: str) -> int:
    """The raw driver: read the CSV, map names to ids, executemany in one transaction."""
    import psycopg

    from bench.stances_sql import INSERT_STANCE, sql

    conn: Any
    if backend == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA journal_mode=WAL")  # as tracker.db configures SQLite
        conn.execute("BEGIN IMMEDIATE")
    else:
        conn = psycopg.connect(url)
    cursor = conn.cursor()
    actors = dict(cursor.execute("SELECT alias_key, actor_id FROM actor_alias").fetchall())
    issues = dict(cursor.execute("SELECT slug, id FROM issue").fetchall())
    cursor.executemany(sql(INSERT_STANCE, backend), _rows(path, actors, issues))
    count = cursor.execute("SELECT count(*) FROM stance").fetchone()[0]
    conn.execute("COMMIT") if backend == "sqlite" else conn.commit()
    conn.close()
    return int(count)


def import_floor(url: str, full: str) -> int:
    """SQLite's own floor for the writes an import makes: the same stances copied from the
    generated database by one ``INSERT ... SELECT``, indexes built once at the end, in one
    transaction, with no Python per row (no CSV, no validation, no history, no days).
    Foreign keys stay on, as the tracker runs, so each row's checks and constraints run
    as in any insert (they also turn off SQLite's raw page copy for ``INSERT ... SELECT``)."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("ATTACH ? AS generated", (full,))
    conn.execute("BEGIN IMMEDIATE")
    indexes = conn.execute(
        "SELECT name, sql FROM main.sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name = 'stance'"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX main."{name}"')
    count = conn.execute("INSERT INTO main.stance SELECT * FROM generated.stance").rowcount
    for _name, create in indexes:
        conn.execute(create)
    conn.execute("COMMIT")
    conn.close()
    return int(count)


def command(argv: list[str], stdout: str) -> int:
    """Run a program with its output to a file; its exit code must be 0."""
    with open(stdout, "wb") as out:
        return subprocess.run(argv, stdout=out, check=True).returncode


def _import_modules(task: str) -> None:
    if task == "baseline":
        import psycopg  # noqa: F401
    elif task in ("import", "export"):
        import tracker.export_parts
        import tracker.stance_import  # noqa: F401


def main(argv: list[str]) -> int:
    task = json.loads(argv[0])
    if task["task"] == "command":
        started = time.perf_counter()
        command(task["command"], task["stdout"])
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"seconds": seconds, "peak_kib": peak, "rss_before_kib": 0}))
        return 0
    _import_modules(task["task"])  # before the "before": imports are not the work
    before = memory_kib("VmRSS")
    started = time.perf_counter()
    if task["task"] == "export":
        rows = export(task["url"], task["csv"])
    elif task["task"] == "import":
        rows = import_csv(task["url"], task["csv"])
    elif task["task"] == "floor":
        rows = import_floor(task["url"], task["full"])
    else:
        rows = import_baseline(task["backend"], task["url"], task["csv"])
    seconds = time.perf_counter() - started
    # A big export's helper processes (tracker.export_parts) run alongside this one: their
    # peak is added to this process's, as if they peaked at the same moment. It is at most
    # the largest helper's (RUSAGE_CHILDREN keeps the maximum, not the sum), one helper on
    # two cores.
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": rows,
                "rss_before_kib": before,
                "peak_kib": memory_kib("VmHWM") + helpers,
                "helpers_peak_kib": helpers,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
