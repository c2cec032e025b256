"""Dashboard pages at scale: each page script's run in Streamlit's AppTest, with a baseline.

``python -m bench.pages [--sizes 10000,100000,1000000] [--pages stances,sources] [--out FILE]``

Target (issue): with 1,000,000 stances and 100,000 sources in the database, each page's
script run stays under 1 s server time.

For each size, on a copy of the cached database of ``bench.stances_data`` (copied to
``/tmp/bench-pages/`` with SQLite's backup API and upgraded there with
``tracker.migrate.upgrade`` if its schema is old; the originals are never opened for
writing), and for each page script in ``dashboard/views/``: point ``TRACKER_DATABASE_URL``
at the copy, clear Streamlit's caches, ``AppTest.from_file(page)`` with an admin account
``bench`` signed in (``session_state``), and time ``at.run()`` (wall clock) three times.
Run 1 is "cold" (it creates the engine); "warm" is the median of runs 2-3. Every page
opens with its default widget values. Two extra rows open a page on data its defaults miss
in the generated databases: ``reports@busy-week``, the weekly report on the busiest ISO
week of accepted stances (the default is last week, after the generated data ends, so the
default report is empty), and ``gap@two-parties``, the gap between the two parties with
the most accepted stances (the default sides, Ukraine and European leaders vs Russia, are
not among the generated actors, so the default page stops at "choose a side").

Baseline, measured the same way in the same run for each size: a page that only calls
``st.title``, i.e. AppTest's own overhead per script run.

Pages are run after their imports are loaded (so the first page measured does not pay for
importing pandas and the tracker). Every page whose warm run misses the target at the
largest size is profiled once more, warm, with cProfile. AppTest runs the script in a
thread of its own, so ``cProfile.runctx("at.run()")`` on the calling thread sees only the
wait; the script thread is profiled too (``LocalScriptRunner._run_script_thread`` runs
under a second profiler) and its top functions are what the summary shows.

Other benchmarks may share this 2-core machine: the load average is printed and saved at
the start, at the end and with every row.
"""

from __future__ import annotations

import argparse
import ast
import cProfile
import datetime as dt
import gc
import importlib
import io
import json
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import streamlit as st
import streamlit.logger
from sqlalchemy import Engine, event, text
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from bench.provenance import revision
from bench.stances_data import SIZES, db_path
from dashboard.state import SIGNED_IN
from tracker import migrate
from tracker.accounts import add_account, find_account
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ROOT / "dashboard" / "views"
WORK = Path("/tmp/bench-pages")
TARGET_S = 1.0
TARGET = (
    "With 1,000,000 stances and 100,000 sources in the database, each page's script run "
    "stays under 1 s server time (warm AppTest run)"
)
# Extra rows: a page opened on data its defaults miss in the generated databases.
EXTRAS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "reports@busy-week": lambda db: {"report_week": db["busy_week"]},
    "gap@two-parties": lambda db: {"gp_side_a": db["parties"][:1], "gp_side_b": db["parties"][1:2]},
}
TIMEOUT_S = 600
BENCH_USER = "bench"
TOP = 5
BASELINE_PAGE = 'import streamlit as st\n\nst.title("Baseline")\n'


def page_names() -> list[str]:
    return sorted(p.stem for p in VIEWS.glob("*.py") if p.stem != "__init__")


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


# --- databases -------------------------------------------------------------------------


def prepare(size: int, work: Path) -> Path:
    """A copy of the cached database with ``size`` stances, at the current schema."""
    original = db_path(size)
    if not original.exists():
        raise SystemExit(f"{original} is missing: generate it with `python -m bench.stances_data`")
    copy = work / original.name
    if copy.exists() and _up_to_date(copy):
        return copy
    work.mkdir(parents=True, exist_ok=True)
    part = copy.with_suffix(".part")
    part.unlink(missing_ok=True)
    print(f"copying {original} to {copy} ...", flush=True)
    # The backup API reads a consistent snapshot, through a read-only connection.
    src = sqlite3.connect(f"file:{original}?mode=ro", uri=True)
    dst = sqlite3.connect(part)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    engine = make_engine(f"sqlite:///{part}")
    try:
        if not migrate.is_up_to_date(engine):
            print(f"upgrading {part} from {migrate.current_revision(engine)} ...", flush=True)
            migrate.upgrade(engine)
        with transaction(engine) as session:
            # Pages need a signed-in account; an admin sees every control.
            if find_account(session, BENCH_USER) is None:
                add_account(session, BENCH_USER, "admin")
    finally:
        engine.dispose()  # the last connection checkpoints and removes the WAL file
    part.replace(copy)
    return copy


def _up_to_date(path: Path) -> bool:
    engine = make_engine(f"sqlite:///{path}")
    try:
        return migrate.is_up_to_date(engine)
    finally:
        engine.dispose()


def describe(path: Path) -> dict[str, Any]:
    """Counts, and the busiest ISO week of accepted stances (for the report row)."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            facts: dict[str, Any] = {
                table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("stance", "source", "actor", "issue", "stance_event")
            }
            weeks: Counter[str] = Counter()
            days = conn.execute(
                text(
                    "SELECT stated_on, count(*) FROM stance WHERE status = 'accepted' "
                    "GROUP BY stated_on"
                )
            )
            for day, count in days:
                year, week, _ = dt.date.fromisoformat(str(day)).isocalendar()
                weeks[f"{year}-W{week:02d}"] += count
            facts["busy_week"], facts["busy_week_stances"] = weeks.most_common(1)[0]
            facts["parties"] = list(
                conn.execute(
                    text(
                        "SELECT coalesce(p.name, a.name) AS side FROM stance s "
                        "JOIN actor a ON a.id = s.actor_id "
                        "LEFT JOIN actor p ON p.id = a.party_id "
                        "WHERE s.status = 'accepted' GROUP BY side ORDER BY count(*) DESC LIMIT 2"
                    )
                ).scalars()
            )
        return facts
    finally:
        engine.dispose()


# --- runs ------------------------------------------------------------------------------


@dataclass
class Row:
    page: str
    size: int
    runs_s: list[float]
    baseline_runs_s: list[float]
    exceptions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)
    load_average: str = ""

    @property
    def cold_s(self) -> float:
        return self.runs_s[0]

    @property
    def warm_s(self) -> float:
        return statistics.median(self.runs_s[1:] or self.runs_s)

    @property
    def baseline_s(self) -> float:
        return statistics.median(self.baseline_runs_s[1:] or self.baseline_runs_s)

    @property
    def met(self) -> bool:
        return not self.exceptions and self.warm_s < TARGET_S

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            cold_s=round(self.cold_s, 4),
            warm_s=round(self.warm_s, 4),
            baseline_s=round(self.baseline_s, 4),
            warm_minus_baseline_s=round(self.warm_s - self.baseline_s, 4),
            met=self.met,
            runs_s=[round(r, 4) for r in self.runs_s],
            baseline_runs_s=[round(r, 4) for r in self.baseline_runs_s],
        )
        return data


def preload_imports(pages: list[Path]) -> None:
    """Import what the pages import, so no timed run pays a first import."""
    for page in pages:
        for node in ast.walk(ast.parse(page.read_text(), str(page))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                importlib.import_module(name)


def fresh_app(page: Path, url: str, state: dict[str, Any]) -> AppTest:
    """An AppTest of ``page`` on ``url``, with empty Streamlit caches (no engine yet)."""
    os.environ[ENV_VAR] = url
    # Quiet AppTest's bare-mode notices ("No runtime found", "missing ScriptRunContext"):
    # the first script run reads Streamlit's config, which resets the level.
    streamlit.logger.set_log_level("error")
    st.cache_resource.clear()
    st.cache_data.clear()
    gc.collect()
    at = AppTest.from_file(str(page), default_timeout=TIMEOUT_S)
    at.session_state[SIGNED_IN] = BENCH_USER  # as the login form does
    for key, value in state.items():
        at.session_state[key] = value
    return at


def timed_runs(at: AppTest, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return times


def _messages(elements: Any, limit: int = 3) -> list[str]:
    return [" ".join(str(e.value).split())[:200] for e in list(elements)[:limit]]


def _exceptions(at: AppTest) -> list[str]:
    found = []
    for exc in at.exception:
        trace = [line.strip() for line in exc.stack_trace if line.strip()][-3:]
        found.append(" | ".join([str(exc.value), *trace])[:600])
    return found


def measure(page: Path, name: str, size: int, url: str, state: dict[str, Any], runs: int,
            baseline: list[float]) -> tuple[Row, AppTest]:  # fmt: skip
    at = fresh_app(page, url, state)
    times = timed_runs(at, runs)
    row = Row(
        page=name,
        size=size,
        runs_s=times,
        baseline_runs_s=baseline,
        exceptions=_exceptions(at),
        errors=_messages(at.error),
        infos=_messages(at.info),
        load_average=load_average(),
    )
    return row, at


# --- profiles --------------------------------------------------------------------------


@contextmanager
def profiled_script_thread(profiler: cProfile.Profile) -> Iterator[None]:
    """Run AppTest's script thread under ``profiler`` (cProfile sees one thread only)."""
    original: Callable[[LocalScriptRunner], None] = LocalScriptRunner._run_script_thread

    def run(self: LocalScriptRunner) -> None:
        profiler.runcall(original, self)

    with mock.patch.object(LocalScriptRunner, "_run_script_thread", run):
        yield


@contextmanager
def timed_statements() -> Iterator[list[dict[str, Any]]]:
    """Every SQL statement any engine runs meanwhile: its execute time and the service that
    ran it. On SQLite, execute returns with the first row (sorts, groups and window
    functions are done by then); fetching the other rows is not counted."""
    found: list[dict[str, Any]] = []

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        elapsed = time.perf_counter() - conn.info["bench_started"].pop()
        sql = " ".join(statement.split())
        found.append({"execute_s": round(elapsed, 4), "caller": _caller(), "sql": sql[:300]})

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


def _caller() -> str:
    """The innermost tracker service on the stack (else dashboard code), as file:line(name)."""
    dashboard = None
    frame = sys._getframe(2)
    while frame is not None:
        where = (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        if where[0].startswith(str(ROOT / "tracker")):
            return _where(where)
        if dashboard is None and where[0].startswith(str(ROOT / "dashboard")):
            dashboard = _where(where)
        frame = frame.f_back  # type: ignore[assignment]
    return dashboard or "?"


def _where(func: tuple[str, int, str]) -> str:
    filename, line, function = func
    path = Path(filename)
    if path.is_relative_to(ROOT):
        filename = str(path.relative_to(ROOT))
    elif "site-packages" in filename:
        filename = filename.split("site-packages/", 1)[1]
    return f"{filename}:{line}({function})"


def _top(stats: pstats.Stats, key: int, keep: Callable[[tuple[str, int, str]], bool],
         n: int = TOP) -> list[dict[str, Any]]:  # fmt: skip
    """The n functions with the highest stat ``key`` (2 = own time, 3 = cumulative)."""
    table: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    rows = sorted(
        ((func, v) for func, v in table.items() if keep(func)), key=lambda fv: -fv[1][key]
    )
    return [
        {
            "function": _where(func),
            "calls": v[1],
            "own_s": round(v[2], 4),
            "cumulative_s": round(v[3], 4),
        }
        for func, v in rows[:n]
    ]


def _project(func: tuple[str, int, str]) -> bool:
    """A service or dashboard helper (the page script's own top level is left out)."""
    filename, _, function = func
    inside = filename.startswith((str(ROOT / "tracker"), str(ROOT / "dashboard")))
    return inside and function != "<module>"


def profile(at: AppTest, row: Row, work: Path) -> dict[str, Any]:
    """One more warm run of ``at`` under cProfile: its top functions."""
    thread = cProfile.Profile()
    out = work / f"{row.page}-{row.size}"
    with profiled_script_thread(thread), timed_statements() as statements:
        start = time.perf_counter()
        cProfile.runctx("at.run()", globals(), {"at": at}, filename=f"{out}-main.prof")
        wall = time.perf_counter() - start
    thread.dump_stats(f"{out}-script.prof")
    main = pstats.Stats(f"{out}-main.prof", stream=io.StringIO())
    script = pstats.Stats(thread, stream=io.StringIO())
    return {
        "page": row.page,
        "size": row.size,
        "profiled_run_s": round(wall, 4),
        "script_thread_s": round(script.total_tt, 4),  # type: ignore[attr-defined]
        "main_thread_top_cumulative": _top(main, 3, lambda f: True, 3),
        "top_cumulative_services": _top(script, 3, _project),
        "top_own_time": _top(script, 2, lambda f: True),
        "statements": len(statements),
        "statements_execute_s": round(sum(q["execute_s"] for q in statements), 4),
        "slowest_statements": sorted(statements, key=lambda q: -q["execute_s"])[:3],
        "profile_files": [f"{out}-main.prof", f"{out}-script.prof"],
    }


# --- output ----------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = [
        f"{'page':<18} {'size':>9} {'cold_s':>8} {'warm_s':>8} {'base_s':>7} {'met':>4}  notes",
    ]
    for r in rows:
        notes = "; ".join(
            [f"EXCEPTION {e[:100]}" for e in r.exceptions]
            + [f"error: {e[:80]}" for e in r.errors]
            + [f"info: {e[:60]}" for e in r.infos[:1]]
        )
        lines.append(
            f"{r.page:<18} {r.size:>9,} {r.cold_s:>8.3f} {r.warm_s:>8.3f} "
            f"{r.baseline_s:>7.3f} {'yes' if r.met else 'NO':>4}  {notes}"
        )
    return "\n".join(lines)


def profile_text(summary: dict[str, Any]) -> str:
    lines = [
        f"{summary['page']} at {summary['size']:,}: profiled warm run "
        f"{summary['profiled_run_s']:.2f} s (script thread {summary['script_thread_s']:.2f} s)",
        "  top 5 services/helpers by cumulative time (script thread):",
    ]
    lines += [
        f"    {f['cumulative_s']:>8.3f} s cum {f['own_s']:>8.3f} s own {f['calls']:>8} calls  "
        f"{f['function']}"
        for f in summary["top_cumulative_services"]
    ]
    lines.append("  top 5 functions by own time (script thread):")
    lines += [
        f"    {f['own_s']:>8.3f} s own {f['cumulative_s']:>8.3f} s cum {f['calls']:>8} calls  "
        f"{f['function']}"
        for f in summary["top_own_time"]
    ]
    lines.append(
        f"  slowest SQL of {summary['statements']} statements "
        f"({summary['statements_execute_s']:.2f} s in execute; under the profiler):"
    )
    lines += [
        f"    {q['execute_s']:>8.3f} s  {q['caller']}\n      {q['sql'][:160]}"
        for q in summary["slowest_statements"]
    ]
    return "\n".join(lines)


def save(path: Path, facts: dict[str, Any], rows: list[Row], profiles: list[dict[str, Any]]
         ) -> None:  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": facts,
        "target": TARGET,
        "target_s": TARGET_S,
        "results": [r.as_json() for r in rows],
        "profiles": profiles,
    }
    path.write_text(json.dumps(payload, indent=1, default=str) + "\n")


def machine(argv: list[str]) -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlite_module": sqlite3.sqlite_version,
        "streamlit": st.__version__,
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "revision": revision(),
        "command": " ".join([".venv/bin/python -m bench.pages", *argv]),
        "load_average_at_start": load_average(),
        "note": "other benchmarks may have been running on this machine at the same time",
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--pages", default=",".join([*page_names(), *EXTRAS]))
    parser.add_argument("--runs", type=int, default=3, help="timed runs per page (first: cold)")
    parser.add_argument("--work", type=Path, default=WORK, help="database copies, profiles")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/benchmarks/pages.json")
    parser.add_argument("--no-profile", action="store_true", help="skip profiling misses")
    parser.add_argument(
        "--profile-over", type=float, default=TARGET_S, help="profile warm runs over this (s)"
    )
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    names = args.pages.split(",")
    facts = machine(argv)
    print(f"load average at start (1/5/15 min): {facts['load_average_at_start']}", flush=True)
    print("note: other benchmarks may be running on this 2-core machine", flush=True)

    files = {name: VIEWS / f"{name.split('@')[0]}.py" for name in names}
    preload_imports(list(files.values()))
    args.work.mkdir(parents=True, exist_ok=True)
    baseline_page = args.work / "baseline_page.py"
    baseline_page.write_text(BASELINE_PAGE)
    timed_runs(fresh_app(baseline_page, "sqlite://", {}), 1)  # Streamlit's own first run

    rows: list[Row] = []
    profiles: list[dict[str, Any]] = []
    facts["databases"] = {}
    for size in sizes:
        path = prepare(size, args.work)
        url = f"sqlite:///{path}"
        info = describe(path)
        facts["databases"][size] = {"path": str(path), **info}
        print(f"\n{size:,} stances: {path} {info}", flush=True)
        baseline = timed_runs(fresh_app(baseline_page, url, {}), args.runs)
        done: list[Row] = []
        for name in names:
            state = EXTRAS[name](info) if name in EXTRAS else {}
            print(f"  {name} (load {load_average()}) ...", flush=True)
            row, at = measure(files[name], name, size, url, state, args.runs, baseline)
            print("    " + table([row]).splitlines()[1], flush=True)
            over = row.exceptions or row.warm_s >= args.profile_over
            if size == sizes[-1] and over and not args.no_profile:
                summary = profile(at, row, args.work)
                profiles.append(summary)
                print(profile_text(summary), flush=True)
            del at
            done.append(row)
            rows.append(row)
            facts["load_average_at_end"] = load_average()
            save(args.out, facts, rows, profiles)
        print(f"\nbaseline (st.title only) at {size:,}: runs {[round(b, 3) for b in baseline]}")
        print(table(done), flush=True)

    facts["load_average_at_end"] = load_average()
    save(args.out, facts, rows, profiles)
    print(f"\n{TARGET}\n")
    print(table(rows))
    for summary in profiles:
        print("\n" + profile_text(summary))
    print(f"\nload average at start {facts['load_average_at_start']}, at end "
          f"{facts['load_average_at_end']} (other benchmarks may be running: 2 cores)")  # fmt: skip
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
