"""Ingest throughput on synthetic articles, next to the cost of storage alone.

For each size: the articles of ``bench.synthetic`` are written once to a corpus file; then,
per run, a fresh database (an SQLite file in a temporary folder, or a PostgreSQL database
``bench_ingest`` created on the given server) is migrated, given the seed actors plus
synthetic ones (``--actors`` in all, ~3.3 names each), and every article goes through
``tracker.ingest.ingest_inputs`` in one call, in one process (text extraction, exact
duplicate check, MinHash and LSH lookup of rewrites, actor mentions and unknown names,
split-off related stories, a commit every 500 inputs). The clock runs from the call to its
return; reading an input is a seek and a read in the corpus file.

Baseline, same run, same corpus: the driver alone (``sqlite3`` / ``psycopg``) inserting
each text with its SHA-256 into a plain table (no index), ``executemany`` per 500 rows
with a commit each (as ingestion commits), SQLite in WAL mode as the tracker's engine.

Each run is a fresh child process (so peak RSS is that run's); ``--inline`` keeps it in
this process, e.g. for ``python -m cProfile -o ingest.prof -m bench.ingest --sizes 2000
--runs 1 --inline --no-baseline --out /tmp/profile.json``.

Outcomes are checked against the generator's ground truth: exact copies must come back as
"duplicate" of their original; planted rewrites must end up linked to their original
(recall, by rewrite style); every ``duplicate_of`` link must join a planted pair
(precision).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.synthetic import actor_rows, generate, seed_actor_rows

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:54329/postgres"
BENCH_DB = "bench_ingest"
BATCH = 500  # rows per baseline transaction, as tracker.ingest.COMMIT_EVERY
FINE_CHUNK = 1_000
CHUNK = 10_000


# --- the corpus ------------------------------------------------------------------------


@dataclass
class Corpus:
    """Articles as UTF-8 bytes in one file, with the ground truth of each."""

    path: str
    offsets: list[int]  # n + 1 byte offsets
    names: list[str]
    kinds: list[str]  # distinct, rewrite, copy, related
    styles: list[str]  # light/heavy for rewrites
    originals: list[int]  # index of the original for rewrites and copies, else -1
    related_bodies: list[list[str]]  # per article, the texts of its related stories
    seed: int
    seconds: float = 0.0  # time to generate and write
    sha256: str = ""  # of all the bytes: the same corpus whatever the run

    @property
    def size(self) -> int:
        return len(self.names)

    def reader(self) -> Callable[[int], bytes]:
        handle = open(self.path, "rb")  # noqa: SIM115 - lives as long as the run

        def read(index: int) -> bytes:
            handle.seek(self.offsets[index])
            return handle.read(self.offsets[index + 1] - self.offsets[index])

        return read

    def summary(self) -> dict[str, Any]:
        kinds = Counter(self.kinds)
        rewrites = Counter(s for k, s in zip(self.kinds, self.styles, strict=True) if s)
        return {
            "articles": self.size,
            "seed": self.seed,
            "mix": dict(sorted(kinds.items())),
            "rewrite_styles": dict(sorted(rewrites.items())),
            "mean_bytes": round(self.offsets[-1] / self.size),
            "sha256": self.sha256[:16],
            "generation_seconds": round(self.seconds, 1),
        }


def build_corpus(size: int, seed: int, folder: Path) -> Corpus:
    path = folder / f"corpus-{size}-{seed}.bin"
    offsets = [0]
    names: list[str] = []
    kinds: list[str] = []
    styles: list[str] = []
    originals: list[int] = []
    related: list[list[str]] = []
    index_of: dict[str, int] = {}
    start = time.perf_counter()
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        for article in generate(size, seed):
            data = article.text.encode("utf-8")
            handle.write(data)
            digest.update(data)
            offsets.append(offsets[-1] + len(data))
            index_of[article.name] = len(names)
            names.append(article.name)
            kinds.append(article.kind)
            styles.append(article.style)
            originals.append(index_of[article.original] if article.original else -1)
            related.append(article.related)
    corpus = Corpus(str(path), offsets, names, kinds, styles, originals, related, seed)
    corpus.seconds = time.perf_counter() - start
    corpus.sha256 = digest.hexdigest()
    return corpus


# --- databases -------------------------------------------------------------------------


@dataclass
class Target:
    backend: str  # sqlite or postgresql
    pg_url: str = DEFAULT_PG_URL
    folder: str = ""  # SQLite: where the files go

    def fresh(self, name: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        if self.backend == "sqlite":
            path = Path(self.folder) / f"{name}.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return f"sqlite:///{path}"
        self.drop()
        with pg_admin(self.pg_url) as admin:
            admin.execute(f"CREATE DATABASE {BENCH_DB}")
        return pg_database_url(self.pg_url, BENCH_DB)

    def drop(self) -> None:
        if self.backend == "postgresql":
            with pg_admin(self.pg_url) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    def size_mib(self, url: str) -> float:
        if self.backend == "sqlite":
            path = url.removeprefix("sqlite:///")
            total = sum(
                os.path.getsize(f"{path}{s}") for s in ("", "-wal") if os.path.exists(f"{path}{s}")
            )
            return total / 2**20
        import psycopg

        with psycopg.connect(libpq_url(url)) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
            return float(row[0]) / 2**20 if row else 0.0


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def pg_database_url(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(libpq_url(url)).set(database=database)
    return parsed.render_as_string(hide_password=False)


def pg_admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(libpq_url(url), autocommit=True)


# --- one run -----------------------------------------------------------------------------


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mib() -> float:
    """Resident memory now (Linux), 0.0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class Progress:
    """One line on stderr, redrawn at most once a second."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.start = self.last = time.perf_counter()
        self.tty = sys.stderr.isatty()
        self.every = 1.0 if self.tty else 10.0

    def update(self, done: int, final: bool = False) -> None:
        now = time.perf_counter()
        if not (final or done == self.total or now - self.last >= self.every):
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        eta = (self.total - done) / rate if rate else 0.0
        line = (
            f"{self.label}: {done:,}/{self.total:,} ({done / self.total:4.0%}) "
            f"{rate:6.1f}/s, {now - self.start:5.0f} s, eta {eta:4.0f} s"
        )
        end = "\n" if final or done == self.total or not self.tty else ""
        sys.stderr.write(("\r" if self.tty else "") + line + end)
        sys.stderr.flush()


def run_baseline(target: Target, corpus: Corpus, label: str) -> dict[str, Any]:
    """The driver alone: texts and their SHA-256 into a plain table, committed per 500."""
    url = target.fresh("baseline")
    read = corpus.reader()
    progress = Progress(f"{label} baseline", corpus.size)

    def batches() -> Iterator[list[tuple[str, str]]]:
        for first in range(0, corpus.size, BATCH):
            rows = []
            for index in range(first, min(first + BATCH, corpus.size)):
                text = read(index).decode("utf-8")
                rows.append((text, hashlib.sha256(text.encode("utf-8")).hexdigest()))
            yield rows

    create = "CREATE TABLE plain_source (id {}, text TEXT NOT NULL, content_hash TEXT NOT NULL)"
    if target.backend == "sqlite":
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(create.format("INTEGER PRIMARY KEY"))
        start = time.perf_counter()
        done = 0
        for rows in batches():
            conn.execute("BEGIN")
            conn.executemany("INSERT INTO plain_source (text, content_hash) VALUES (?, ?)", rows)
            conn.execute("COMMIT")
            done += len(rows)
            progress.update(done)
        seconds = time.perf_counter() - start
        conn.close()
    else:
        import psycopg

        with psycopg.connect(libpq_url(url)) as pg:
            pg.execute(create.format("BIGSERIAL PRIMARY KEY"))
            pg.commit()
            start = time.perf_counter()
            done = 0
            with pg.cursor() as cursor:
                for rows in batches():
                    cursor.executemany(
                        "INSERT INTO plain_source (text, content_hash) VALUES (%s, %s)", rows
                    )
                    pg.commit()
                    done += len(rows)
                    progress.update(done)
            seconds = time.perf_counter() - start
    result = {
        "seconds": round(seconds, 3),
        "rows_per_s": round(corpus.size / seconds, 1),
        "db_mib": round(target.size_mib(url), 1),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
    }
    target.drop()
    return result


def run_tracker(
    target: Target,
    corpus: Corpus,
    n_actors: int,
    label: str,
    profile: str | None = None,
    time_limit: float | None = None,
    breakdown: bool = False,
) -> dict[str, Any]:
    from sqlalchemy import text

    from tracker.actors import import_actors
    from tracker.db import make_engine, transaction
    from tracker.ingest import IngestResult, Input, Overrides, ingest_inputs
    from tracker.migrate import upgrade

    revision = _revision()
    load_before = os.getloadavg()
    url = target.fresh("tracker")
    engine = make_engine(url)
    upgrade(engine)
    seeds = seed_actor_rows()
    with transaction(engine) as session:
        import_actors(session, seeds)
    with transaction(engine) as session:
        import_actors(session, actor_rows(max(n_actors - len(seeds), 0), corpus.seed))
    with engine.connect() as conn:
        actors = conn.execute(text("SELECT count(*) FROM actor")).scalar_one()
        aliases = conn.execute(text("SELECT count(*) FROM actor_alias")).scalar_one()

    read = corpus.reader()
    progress = Progress(f"{label} tracker", corpus.size)
    marks: list[float] = []
    done = 0
    phases = Breakdown(engine) if breakdown else None
    snapshots: list[dict[str, float]] = []

    def inputs() -> Iterator[Input]:
        for i in range(corpus.size):
            if time_limit is not None and time.perf_counter() - start > time_limit:
                return  # ingest_inputs then commits what it has and returns
            yield Input(corpus.names[i], functools.partial(read, i))

    def on_result(_result: IngestResult) -> None:
        nonlocal done
        done += 1
        if done % FINE_CHUNK == 0:
            marks.append(time.perf_counter())
            if phases is not None:
                snapshots.append(dict(phases.seconds))
        progress.update(done)

    rss_before = _peak_rss_mib()
    rss_now_before = _rss_mib()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    cpu0 = time.process_time()
    start = time.perf_counter()
    results = ingest_inputs(engine, inputs(), Overrides(kind="text"), on_result=on_result)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    progress.update(done, final=True)
    if phases is not None:
        phases.remove()
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    peak = _peak_rss_mib()
    rss_now_after = _rss_mib()

    fine = [FINE_CHUNK / (b - a) for a, b in zip([start, *marks], marks, strict=False)]
    coarse_marks = [start, *marks[CHUNK // FINE_CHUNK - 1 :: CHUNK // FINE_CHUNK]]
    coarse = [CHUNK / (b - a) for a, b in zip(coarse_marks, coarse_marks[1:], strict=False)]
    result: dict[str, Any] = {
        "articles": len(results),
        "completed": len(results) == corpus.size,
        "seconds": round(seconds, 3),
        "articles_per_s": round(len(results) / seconds, 1),
        "cpu_seconds": round(cpu, 3),
        "per_1k_chunk_per_s": [round(r, 1) for r in fine],
        "per_10k_chunk_per_s": [round(r, 1) for r in coarse],
        "peak_rss_mib": round(peak, 1),
        "rss_before_ingest_mib": round(rss_before, 1),
        "rss_now_before_ingest_mib": round(rss_now_before, 1),
        "rss_now_after_ingest_mib": round(rss_now_after, 1),
        "actors": actors,
        "aliases": aliases,
        "tracker_revision": revision,
        # Other work on the machine: the 1-minute load average before and after ingesting.
        "load_average_1min": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }
    if _revision() != revision:
        result["warning"] = f"tracker code changed during the run ({revision} -> {_revision()})"
    if phases is not None and snapshots:
        result["breakdown_ms_per_article"] = phases.windows(snapshots)
    result.update(_evaluate(engine, corpus, results))
    result["db_mib"] = round(target.size_mib(url), 1)
    engine.dispose()
    target.drop()
    return result


class Breakdown:
    """Inclusive time spent in the main steps of ingestion, by wrapping tracker functions
    and timing SQL statements (adds a few microseconds per call: not for the headline)."""

    def __init__(self, engine: Any) -> None:
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        import tracker.ingest as ingest
        from tracker import dedup, mentions

        self.seconds: dict[str, float] = {}
        self._undo: list[Callable[[], None]] = []
        for owner, name, label in (
            (ingest, "extract", "extract (decode, dates, related split)"),
            (ingest, "add_source", "add_source (exact-duplicate check, INSERT)"),
            (ingest, "link_rewrite", "link_rewrite (all of it)"),
            (dedup, "fingerprint", "dedup.fingerprint (MinHash, bigrams)"),
            (dedup.Comparable, "is_duplicate", "  is_duplicate (bigrams)"),
            (ingest, "record_mentions", "record_mentions (find, DELETE, INSERTs)"),
            (mentions.AliasMatcher, "find", "  AliasMatcher.find"),
            (mentions.AliasMatcher, "candidates", "AliasMatcher.candidates (unknown names)"),
            (Session, "flush", "Session.flush (all, incl. autoflush)"),
            (Session, "commit", "Session.commit (every 500)"),
        ):
            self._wrap(owner, name, label)
        self._engine = engine
        self._start = 0.0

        def before(conn: Any, *_args: Any) -> None:
            conn.info["bench_t0"] = time.perf_counter()

        def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            spent = time.perf_counter() - conn.info.get("bench_t0", time.perf_counter())
            self._add("SQL: all statements", spent)

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        self._undo.append(lambda: event.remove(engine, "before_cursor_execute", before))
        self._undo.append(lambda: event.remove(engine, "after_cursor_execute", after))

    def _add(self, label: str, spent: float) -> None:
        self.seconds[label] = self.seconds.get(label, 0.0) + spent

    def _wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self._add(label, time.perf_counter() - start)

        setattr(owner, name, timed)
        self._undo.append(lambda: setattr(owner, name, original))

    def remove(self) -> None:
        for undo in reversed(self._undo):
            undo()

    @staticmethod
    def windows(snapshots: list[dict[str, float]]) -> dict[str, dict[str, float]]:
        """ms per article in the first and the last FINE_CHUNK articles."""

        def per_article(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
            return {
                k: round(1e3 * (v - before.get(k, 0.0)) / FINE_CHUNK, 2)
                for k, v in sorted(after.items(), key=lambda kv: -(kv[1] - before.get(kv[0], 0)))
            }

        first = per_article({}, snapshots[0])
        last = per_article(snapshots[-2], snapshots[-1]) if len(snapshots) > 1 else first
        return {"first_chunk": first, f"last_chunk ({len(snapshots)}k)": last}


def _evaluate(engine: Any, corpus: Corpus, results: list[Any]) -> dict[str, Any]:
    """Outcomes against the ground truth of the corpus."""
    from sqlalchemy import text

    statuses = Counter(r.status for r in results)
    source_of = [r.source_id for r in results]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, duplicate_of, split_from FROM source")).all()
        mentions = conn.execute(text("SELECT count(*) FROM mention")).scalar_one()
    root = {sid: dup or sid for sid, dup, _ in rows}

    # Planted clusters: each rewrite with its original (copies share their original's id).
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    copies_ok = unexpected_duplicates = 0
    found: Counter[str] = Counter()
    planted: Counter[str] = Counter()
    done = len(results)
    kinds = corpus.kinds[:done]
    for index, kind in enumerate(kinds):
        result = results[index]
        original = corpus.originals[index]
        if kind == "copy":
            copies_ok += int(
                result.status == "duplicate" and result.source_id == source_of[original]
            )
            continue
        if result.status == "duplicate":
            unexpected_duplicates += 1
        if kind == "rewrite":
            style = corpus.styles[index]
            planted[style] += 1
            mine, theirs = source_of[index], source_of[original]
            if mine is None or theirs is None:
                continue
            parent[find(mine)] = find(theirs)
            found[style] += int(root.get(mine) == root.get(theirs))
    links = [(sid, dup) for sid, dup, _ in rows if dup is not None]
    correct = sum(1 for sid, dup in links if find(sid) == find(dup))
    expected_split = len({body for bodies in corpus.related_bodies[:done] for body in bodies})
    total_planted = sum(planted.values())
    return {
        "outcomes": dict(sorted(statuses.items())),
        "sources_stored": len(rows),
        "split_off_sources": sum(1 for *_, split in rows if split is not None),
        "split_off_expected": expected_split,
        "mentions": mentions,
        "exact_copies": kinds.count("copy"),
        "exact_copies_found": copies_ok,
        "unexpected_duplicates": unexpected_duplicates,
        "rewrites_planted": dict(planted),
        "rewrites_found": dict(found),
        "rewrite_recall": round(sum(found.values()) / total_planted, 4) if total_planted else None,
        "rewrite_links": len(links),
        "false_links": len(links) - correct,
        "rewrite_precision": round(correct / len(links), 4) if links else None,
    }


def _in_child(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(function, *args).result()


# --- the report --------------------------------------------------------------------------


@dataclass
class Settings:
    sizes: list[int]
    backend: str
    pg_url: str
    out: str
    runs: int | None
    actors: int
    seed: int
    baseline: bool
    inline: bool
    profile: str | None
    time_limit: float | None
    breakdown: bool
    extra: dict[str, Any] = field(default_factory=dict)


def machine(settings: Settings) -> dict[str, Any]:
    import sqlalchemy

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "sqlalchemy": sqlalchemy.__version__,
    }
    info["tracker_revision"] = _revision()
    if settings.backend == "postgresql":
        with pg_admin(settings.pg_url) as admin:
            row = admin.execute("SHOW server_version").fetchone()
            info["postgresql"] = row[0] if row else ""
    return info


def _revision() -> str:
    """The commit measured, with "+dirty" when tracker/ or migrations/ differ from it."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "-uno", "--", "tracker", "migrations"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return ""
    return head + ("+dirty" if dirty else "")


def _median_run(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda r: float(r[key]))
    return ordered[(len(ordered) - 1) // 2]


def bench_size(settings: Settings, size: int, folder: Path) -> dict[str, Any]:
    runs = settings.runs or (3 if size <= 10_000 else 1)
    sys.stderr.write(f"generating {size:,} articles (seed {settings.seed})...\n")
    corpus = build_corpus(size, settings.seed, folder)
    sys.stderr.write(f"  {corpus.summary()}\n")
    target = Target(settings.backend, settings.pg_url, str(folder))
    tracker_runs, baseline_runs = [], []
    for run in range(1, runs + 1):
        label = f"[{settings.backend} {size:,} run {run}/{runs}]"
        if settings.baseline:
            baseline_runs.append(
                run_baseline(target, corpus, label)
                if settings.inline
                else _in_child(run_baseline, target, corpus, label)
            )
        profile = f"{settings.profile}.{size}.{run}" if settings.profile else None
        arguments = (
            target,
            corpus,
            settings.actors,
            label,
            profile,
            settings.time_limit,
            settings.breakdown,
        )
        tracker_runs.append(
            run_tracker(*arguments) if settings.inline else _in_child(run_tracker, *arguments)
        )
        last = tracker_runs[-1]
        sys.stderr.write(
            f"{label} tracker {last['articles_per_s']}/s over {last['articles']:,} articles"
            + (f", baseline {baseline_runs[-1]['rows_per_s']}/s" if baseline_runs else "")
            + f", rewrite recall {last['rewrite_recall']}, precision {last['rewrite_precision']}\n"
        )
    Path(corpus.path).unlink(missing_ok=True)
    revisions = sorted({r["tracker_revision"] for r in tracker_runs})
    if len(revisions) > 1:
        sys.stderr.write(f"WARNING: runs measured different tracker revisions: {revisions}\n")
    tracker_rate = statistics.median(r["articles_per_s"] for r in tracker_runs)
    statistic = f"median of {runs} runs" if runs > 1 else "single run"
    if not all(r["completed"] for r in tracker_runs):
        done = min(r["articles"] for r in tracker_runs)
        statistic += f", stopped by the time limit after {done:,} articles"
    entry: dict[str, Any] = {
        "backend": settings.backend,
        "size": size,
        "runs": runs,
        "statistic": statistic,
        "tracker_revisions": revisions,
        "corpus": corpus.summary(),
        "tracker_articles_per_s": tracker_rate,
        "median_run": _median_run(tracker_runs, "articles_per_s"),
        "tracker_runs": tracker_runs,
    }
    if baseline_runs:
        baseline_rate = statistics.median(r["rows_per_s"] for r in baseline_runs)
        entry["baseline_rows_per_s"] = baseline_rate
        entry["baseline_runs"] = baseline_runs
        entry["baseline_over_tracker"] = round(baseline_rate / tracker_rate, 1)
    return entry


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated article counts")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="server to create a DB on")
    parser.add_argument("--out", default="docs/benchmarks/ingest.json")
    parser.add_argument("--runs", type=int, help="runs per size (default 3 up to 10k, else 1)")
    parser.add_argument("--actors", type=int, default=300, help="actors in all, seeds included")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--inline", action="store_true", help="no child process per run")
    parser.add_argument("--profile", help="cProfile ingest_inputs to FILE.<size>.<run>")
    parser.add_argument(
        "--time-limit", type=float, help="stop feeding articles after this many seconds per run"
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="time the steps (slows ingestion a little)"
    )
    args = parser.parse_args(argv)
    return Settings(
        sizes=[int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()],
        backend=args.db,
        pg_url=args.pg_url,
        out=args.out,
        runs=args.runs,
        actors=args.actors,
        seed=args.seed,
        baseline=not args.no_baseline,
        inline=args.inline,
        profile=args.profile,
        time_limit=args.time_limit,
        breakdown=args.breakdown,
    )


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    out = Path(settings.out)
    report: dict[str, Any] = {"benchmark": "ingest", "results": {}}
    if out.exists():
        report = json.loads(out.read_text(encoding="utf-8"))
    report["machine"] = machine(settings)
    folder = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        for size in settings.sizes:
            entry = bench_size(settings, size, folder)
            entry["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            entry["command"] = "python -m bench.ingest " + " ".join(sys.argv[1:])
            entry["settings"] = {
                k: v for k, v in asdict(settings).items() if k not in ("extra", "out")
            }
            report["results"][f"{settings.backend}/{size}"] = entry
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
            print(_line(entry))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _line(entry: dict[str, Any]) -> str:
    run = entry["median_run"]
    chunks = run["per_10k_chunk_per_s"] if entry["size"] >= 2 * CHUNK else run["per_1k_chunk_per_s"]
    text = (
        f"{entry['backend']} {entry['size']:,}: {entry['tracker_articles_per_s']} articles/s "
        f"({entry['statistic']}); chunks first {chunks[0] if chunks else '-'} "
        f"last {chunks[-1] if chunks else '-'}; peak RSS {run['peak_rss_mib']} MiB; "
        f"recall {run['rewrite_recall']} precision {run['rewrite_precision']}"
    )
    if "baseline_rows_per_s" in entry:
        text += (
            f"; baseline {entry['baseline_rows_per_s']} rows/s (x{entry['baseline_over_tracker']})"
        )
    return text


if __name__ == "__main__":
    raise SystemExit(main())
