"""Stances at scale: export, import, one issue's series and the weekly report, with baselines.

``python -m bench.stances [--sizes 10000,100000,1000000] [--pg-url URL] [--out FILE]``

For each size, on the cached databases of ``bench.stances_data`` (SQLite files; with
``--pg-url`` also a database ``bench_stances`` created on that server and dropped at the
end), each figure the median of ``--runs`` runs next to a baseline measured in the same run:

export  ``tracker.export_parts.export_stances_to`` of every stance, as ``tracker stances
        export`` runs it, in a fresh interpreter (peak RSS of that process). Baseline: the
        ``sqlite3`` CLI (``-csv -header``) or ``psql`` (``COPY ... TO STDOUT``) running the
        same joined SELECT, written by hand (``bench.stances_sql.EXPORT``).
import  ``tracker.stance_import.import_stances`` of that export into a copy of the database
        with no stances, fresh interpreter. Baseline: the raw driver reading the same CSV
        (``csv.reader``), mapping names to ids and inserting with ``executemany`` in one
        transaction, also in a fresh interpreter. On SQLite also the database's own floor
        (``floor_s``): the same stances copied from the generated file by one
        ``INSERT ... SELECT``, indexes built at the end, no Python per row.
series  ``tracker.timelines.series(evidence=False)`` (the days and the shifts, as the
        timeline page reads them first) for the busiest issue and its 20 most active
        actors. Baseline: the same days read from ``position_day`` with their names by a
        hand-written join through the raw driver. Also timed: what the page reads next,
        the evidence of the days its chart keeps and of the shifts
        (``drawn_evidence_s``, ``tracker.timeline_view.drawn``), every day with its evidence
        (``with_evidence_s``, by hand ``with_evidence_by_hand_s``), and the
        window-function query that computes the days from the stances
        (``windowed_sql_from_stances_s``), which must agree.
report  ``build_report(charts=False)`` for the busiest ISO week, then ``render_markdown``
        and ``render_html(charts=False)``; ``build_report`` with charts, then
        ``render_html()``. Baseline: the report's main read (the week's stored days, joined
        to their stances) by hand, raw driver.

Series and report runs follow one untimed warm-up; export and import runs do not (each is
a fresh process; the page cache is warm from the previous run). ``--profile NAME`` runs
the tracker side of one benchmark once under cProfile and prints the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from bench import stances_sql
from bench.provenance import now, revision
from bench.stances_child import export, import_csv
from bench.stances_data import CACHE, SIZES, base_db, stance_db
from bench.stances_pg import load_postgres, pg_conninfo
from bench.stances_report import Figure, load_average, machine, markdown, save, table
from tracker.db import make_engine, session_factory
from tracker.report import build_report, week_period
from tracker.report_render import render_html, render_markdown
from tracker.timeline_view import drawn
from tracker.timelines import (
    DayPosition,
    SeriesFilter,
    Shift,
    day_positions,
    series,
)

PG_DATABASE = "bench_stances"
WORK = CACHE / "work"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # the report's "generated at", fixed
BENCHMARKS = ("series", "report", "export", "import")


class Target:
    """One database of one size: where it is and what to ask it."""

    def __init__(self, backend: str, size: int, url: str, import_limit: int | None) -> None:
        self.backend, self.size, self.url = backend, size, url
        self.import_limit = import_limit  # larger imports run the baseline only
        self.engine = make_engine(url)
        with self.engine.connect() as conn:
            issue, self.issue = conn.execute(
                text(
                    "SELECT i.id, i.slug FROM stance s JOIN issue i ON i.id = s.issue_id "
                    "WHERE s.status = 'accepted' GROUP BY i.id, i.slug ORDER BY count(*) DESC "
                    "LIMIT 1"
                )
            ).one()
            self.actors = list(
                conn.execute(
                    text(
                        "SELECT a.name FROM stance s JOIN actor a ON a.id = s.actor_id "
                        "WHERE s.issue_id = :issue AND s.status = 'accepted' "
                        "GROUP BY a.id, a.name ORDER BY count(*) DESC, a.name LIMIT 20"
                    ),
                    {"issue": issue},
                ).scalars()
            )
            days = conn.execute(
                text(
                    "SELECT stated_on, count(*) FROM stance WHERE status = 'accepted' "
                    "GROUP BY stated_on"
                )
            ).all()
        weeks: Counter[str] = Counter()
        for day, count in days:
            year, week, _ = _date(day).isocalendar()
            weeks[f"{year}-W{week:02d}"] += count
        self.week, self.week_stances = weeks.most_common(1)[0]

    def raw(self) -> Any:
        if self.backend == "sqlite":
            return sqlite3.connect(self.url.removeprefix("sqlite:///"))
        return psycopg.connect(self.url)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _fetch_all(raw: Any, query: str, params: list[Any]) -> list[Any]:
    return list(raw.execute(query, params).fetchall())


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


# --- series and report: in this process ------------------------------------------------


def bench_series(target: Target, runs: int) -> list[Figure]:
    flt = SeriesFilter(issue=target.issue, actors=target.actors)
    query = stances_sql.sql(stances_sql.series_positions(len(target.actors)), target.backend)
    with_quotes = stances_sql.sql(stances_sql.series_stored(len(target.actors)), target.backend)
    windowed = stances_sql.sql(stances_sql.series(len(target.actors)), target.backend)
    params = [target.issue, *(name.casefold() for name in target.actors)]
    raw = target.raw()

    def tracker_once() -> tuple[float, Any]:
        with session_factory(target.engine)() as session:
            return _timed(lambda: series(session, flt, evidence=False))

    def drawn_once(points: list[DayPosition], found: list[Shift]) -> tuple[float, Any]:
        """What the timeline page reads next (tracker.timeline_view.drawn): the evidence of
        the days its chart keeps and of the shifts' sides, with their corroboration."""
        with session_factory(target.engine)() as session:
            return _timed(lambda: drawn(session, points, found))

    def everything_once() -> tuple[float, Any]:
        with session_factory(target.engine)() as session:
            return _timed(lambda: day_positions(session, flt))

    def baseline_once(sql: str) -> tuple[float, Any]:
        return _timed(lambda: raw.execute(sql, params).fetchall())

    _, (points, found) = tracker_once()  # warm-up
    drawn_once(points, found), everything_once()
    baseline_once(query), baseline_once(with_quotes), baseline_once(windowed)
    mine, theirs, drawing, everything, everything_by_hand, computed = [], [], [], [], [], []
    for _ in range(runs):
        seconds, (points, found) = tracker_once()
        mine.append(seconds)
        seconds, rows = baseline_once(query)
        theirs.append(seconds)
        seconds, view = drawn_once(points, found)
        drawing.append(seconds)
        seconds, full = everything_once()
        everything.append(seconds)
        seconds, _ = baseline_once(with_quotes)
        everything_by_hand.append(seconds)
        seconds, from_stances = baseline_once(windowed)
        computed.append(seconds)
    raw.close()
    # The stored days must be what the stances say, and the tracker's what the hand read.
    assert [(r[0], r[3], r[6]) for r in rows] == [(r[0], r[3], r[6]) for r in from_stances]
    same = len(points) == len(rows) and all(
        p.stance_id == r[6] and abs(p.position - float(r[4])) < 1e-3
        for p, r in zip(points, rows, strict=True)
    )
    by_id = {p.stance_id: p for p in full}
    kept = view.points
    same_evidence = all(replace(p, corroboration=None) == by_id[p.stance_id] for p in kept)
    extra = {
        "issue": target.issue,
        "actors": len(target.actors),
        "day_positions": len(points),
        "shifts": len(found),
        "same_result_as_baseline": same and same_evidence,
        "drawn_points": len(kept),
        "drawn_evidence_s": drawing,
        "with_evidence_s": everything,
        "with_evidence_by_hand_s": everything_by_hand,
        "windowed_sql_from_stances_s": computed,
    }
    return [Figure("series", target.size, target.backend, mine, theirs, extra)]


def bench_report(target: Target, runs: int) -> list[Figure]:
    period = week_period(target.week)
    query = stances_sql.sql(stances_sql.REPORT_WEEK_DAYS, target.backend)
    raw = target.raw()
    # Markdown and HTML without images are built without the charts' timelines (as
    # `tracker report --format md` does); HTML with charts reads them.
    parts: dict[str, list[float]] = {
        "build": [],
        "md": [],
        "html": [],
        "build_charts": [],
        "html_charts": [],
    }
    baseline: list[float] = []
    for run in range(runs + 1):  # the first is a warm-up
        with session_factory(target.engine)() as session:
            build, report = _timed(partial(build_report, session, period, now=NOW, charts=False))
        md, _ = _timed(partial(render_markdown, report))
        html, _ = _timed(partial(render_html, report, charts=False))
        with session_factory(target.engine)() as session:
            build_charts, report = _timed(partial(build_report, session, period, now=NOW))
        charts, _ = _timed(partial(render_html, report))
        week = [period.start.isoformat(), period.end.isoformat()]
        seconds, _ = _timed(partial(_fetch_all, raw, query, week))
        if run:
            for key, value in zip(parts, (build, md, html, build_charts, charts), strict=True):
                parts[key].append(value)
            baseline.append(seconds)
    raw.close()
    extra = {
        "week": target.week,
        "week_stances": target.week_stances,
        "shifts": len(report.shifts),
        "new_stances": report.stance_count,
        "charts": len(report.series),
    }
    renders = {
        "report-md": ("build", "md"),
        "report-html": ("build", "html"),
        "report-html-charts": ("build_charts", "html_charts"),
    }
    figures = []
    for name, (built, rendered) in renders.items():
        total = [b + r for b, r in zip(parts[built], parts[rendered], strict=True)]
        details = {**extra, "build_s": parts[built], "render_s": parts[rendered]}
        figures.append(Figure(name, target.size, target.backend, total, baseline, details))
    return figures


# --- export and import: one fresh process per measurement ------------------------------


def _child(task: dict[str, Any]) -> dict[str, Any]:
    """Run one task of bench.stances_child in a fresh interpreter; what it printed."""
    command = [sys.executable, "-m", "bench.stances_child", json.dumps(task)]
    done = subprocess.run(command, stdout=subprocess.PIPE, check=True)
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def _csv_path(target: Target) -> Path:
    return WORK / f"export-{target.backend}-{target.size}.csv"


def bench_export(target: Target, runs: int) -> list[Figure]:
    path = _csv_path(target)
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(_child({"task": "export", "url": target.url, "csv": str(path)}))
        baseline = {
            "task": "command",
            "command": _export_command(target),
            "stdout": str(WORK / "baseline.csv"),
        }
        theirs.append(_child(baseline))
    extra = {
        "rows": mine[0]["rows"],
        "bytes": path.stat().st_size,
        "baseline_bytes": (WORK / "baseline.csv").stat().st_size,
        **_memory(mine, theirs),
    }
    return [
        Figure(
            "export",
            target.size,
            target.backend,
            [m["seconds"] for m in mine],
            [t["seconds"] for t in theirs],
            extra,
        )
    ]


def _export_command(target: Target) -> list[str]:
    if target.backend == "sqlite":
        db = target.url.removeprefix("sqlite:///")
        return ["sqlite3", "-csv", "-header", db, stances_sql.EXPORT]
    copy = f"COPY ({stances_sql.EXPORT}) TO STDOUT WITH (FORMAT csv, HEADER)"
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", target.url, "-c", copy]


def _memory(mine: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "peak_rss_mib": max(m["peak_kib"] for m in mine) / 1024 if mine else None,
        "rss_before_mib": max(m["rss_before_kib"] for m in mine) / 1024 if mine else None,
        "baseline_peak_rss_mib": max(t["peak_kib"] for t in theirs) / 1024,
    }


def _empty_stances(target: Target) -> str:
    """A database like the target's with no stances: a fresh file, or a truncated table."""
    if target.backend == "sqlite":
        path = WORK / f"import-{target.size}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(base_db(target.size), path)
        return f"sqlite:///{path}"
    with psycopg.connect(target.url) as conn:
        conn.execute("TRUNCATE stance_event, position_day, stance")
    with psycopg.connect(target.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE stance")
    return target.url


def bench_import(target: Target, runs: int) -> list[Figure]:
    path = str(_csv_path(target))
    if not Path(path).exists():
        bench_export(target, 1)
    skip = target.import_limit is not None and target.size > target.import_limit
    mine, theirs = [], []
    for _ in range(runs):
        if not skip:
            mine.append(_child({"task": "import", "url": _empty_stances(target), "csv": path}))
        theirs.append(
            _child(
                {
                    "task": "baseline",
                    "backend": target.backend,
                    "url": _empty_stances(target),
                    "csv": path,
                }
            )
        )
    rows = theirs[0]["rows"]
    extra: dict[str, Any] = {"rows": rows, **_memory(mine, theirs)}
    if target.backend == "sqlite":
        # What SQLite alone takes to write the same stances (bench.stances_child.import_floor).
        full = target.url.removeprefix("sqlite:///")
        floor = [
            _child({"task": "floor", "url": _empty_stances(target), "full": full})["seconds"]
            for _ in range(runs)
        ]
        extra["floor_runs_s"], extra["floor_s"] = floor, statistics.median(floor)
    if skip:
        extra["not_run"] = f"tracker import skipped above {target.import_limit:,} rows"
    return [
        Figure(
            "import",
            target.size,
            target.backend,
            [m["seconds"] for m in mine],
            [t["seconds"] for t in theirs],
            extra,
        )
    ]


RUNNERS: dict[str, Callable[[Target, int], list[Figure]]] = {
    "series": bench_series,
    "report": bench_report,
    "export": bench_export,
    "import": bench_import,
}


# --- profiles, machine facts, the command line -----------------------------------------


def profile(target: Target, name: str, top: int) -> str:
    """The tracker side of one benchmark, once, under cProfile: top functions by cumulative."""
    work: dict[str, Callable[[], Any]] = {
        "export": lambda: export(target.url, str(_csv_path(target))),
        "import": lambda: import_csv(_empty_stances(target), str(_csv_path(target))),
        "series": lambda: series(
            session, SeriesFilter(issue=target.issue, actors=target.actors), evidence=False
        ),
        "report": lambda: render_html(build_report(session, week_period(target.week), now=NOW)),
    }
    session = session_factory(target.engine)()
    profiler = cProfile.Profile()
    try:
        profiler.runcall(work[name])
    finally:
        session.close()
    out = WORK / f"{name}-{target.backend}-{target.size}.prof"
    profiler.dump_stats(out)
    with tempfile.TemporaryFile("w+") as stream:
        stats = pstats.Stats(profiler, stream=stream).strip_dirs()
        stats.sort_stats("cumulative").print_stats(top)
        stream.seek(0)
        return f"# {out}\n{stream.read()}"


def _targets(sizes: list[int], pg_url: str | None) -> list[tuple[str, int]]:
    backends = ["sqlite", "postgresql"] if pg_url else ["sqlite"]
    return [(backend, size) for backend in backends for size in sizes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes", default=",".join(str(s) for s in SIZES), help="stance counts, comma-separated"
    )
    parser.add_argument("--pg-url", help="also run on this PostgreSQL server")
    parser.add_argument("--no-sqlite", action="store_true", help="only PostgreSQL")
    parser.add_argument(
        "--pg-import-limit",
        type=int,
        default=100_000,
        help="on PostgreSQL, measure only the baseline of larger imports (the tracker's "
        "grows quadratically there: 149 s at 100k); 0 for no limit",
    )
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="benchmarks to run")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median)")
    parser.add_argument("--big-runs", type=int, default=3, help="runs of 1M import/export")
    parser.add_argument(
        "--out", default="docs/benchmarks/stances.json", help="JSON results, merged by figure"
    )
    parser.add_argument("--markdown", help="also write the tables as Markdown here")
    parser.add_argument("--profile", choices=BENCHMARKS, help="profile this benchmark instead")
    parser.add_argument("--top", type=int, default=25, help="functions a profile shows")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    facts = machine(args.pg_url)
    code = revision()  # results merge across invocations, so each figure carries its own
    out = Path(args.out)
    figures: list[Figure] = []
    pg_url = None
    try:
        for backend, size in _targets(sizes, args.pg_url):
            if backend == "sqlite" and args.no_sqlite:
                continue
            if backend == "sqlite":
                url = f"sqlite:///{stance_db(size)}"
            else:
                assert args.pg_url
                print(f"loading {size} stances into PostgreSQL ...", flush=True)
                url = pg_url = load_postgres(stance_db(size), args.pg_url, PG_DATABASE)
            limit = args.pg_import_limit if backend == "postgresql" else None
            target = Target(backend, size, url, limit or None)
            if args.profile:
                print(profile(target, args.profile, args.top))
                continue
            # Import runs last: on PostgreSQL it leaves the baseline's copy of the stances.
            for name in sorted(args.only.split(","), key=BENCHMARKS.index):
                runs = (
                    args.big_runs
                    if size >= 1_000_000 and name in ("export", "import")
                    else args.runs
                )
                print(f"{name} {backend} {size} (load {load_average()}) ...", flush=True)
                new = RUNNERS[name](target, runs)
                for figure in new:
                    figure.extra["load_average"] = load_average()
                    figure.extra["measured_at"] = now()
                    figure.extra["revision"] = code
                figures += new
                print(table(new), flush=True)
                facts["load_average_at_end"] = load_average()
                save(out, facts, figures)
            target.engine.dispose()
    finally:
        if pg_url:
            with psycopg.connect(pg_conninfo(args.pg_url), autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    if figures:
        print(table(figures))
    if args.markdown and out.exists():
        Path(args.markdown).write_text(markdown(json.loads(out.read_text())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
