"""Every benchmark in one go: each script in a fresh interpreter, its JSON into one folder,
then docs/benchmarks.md rendered from that folder (bench.doc).

Steps run one after another (never in parallel: they would time each other). A step that
fails is recorded and the others still run; the document then shows the figures the
folder holds, and the run's record (run.json) says which step failed.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bench.provenance import ROOT, now, revision

BENCHMARKS = ("stances", "pages", "ingest", "suggest")
DOCS = ROOT / "docs" / "benchmarks"
DOC = ROOT / "docs" / "benchmarks.md"
QUICK = Path("/tmp/bench-quick")
RUN = "run.json"


@dataclass
class Options:
    sizes: list[int]  # stances in the databases of bench.stances and bench.pages
    ingest_sizes: list[int]  # articles
    suggest_articles: int
    pg_url: str | None = None
    only: list[str] = field(default_factory=lambda: list(BENCHMARKS))
    runs: int | None = None  # None: each script's default
    quick: bool = False
    out_dir: Path = DOCS
    doc: Path = DOC


@dataclass
class Step:
    name: str
    argv: list[str]
    capture: str | None = None  # file in the out folder for what it prints (no JSON of its own)
    seconds: float = 0.0
    returncode: int | None = None  # None: not run

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "argv": shlex.join(self.argv)}


def _python(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def _csv(values: list[int]) -> str:
    return ",".join(str(v) for v in values)


def plan(options: Options) -> list[Step]:
    """The scripts to run, in order, with the options each takes."""
    out, runs = options.out_dir, options.runs
    steps = []
    if "stances" in options.only:
        args = ["--sizes", _csv(options.sizes), "--out", str(out / "stances.json")]
        if options.pg_url:
            args += ["--pg-url", options.pg_url]
        if runs:
            args += ["--runs", str(runs), "--big-runs", str(runs)]
        steps.append(Step("stances", _python("bench.stances", *args)))
    if "pages" in options.only:
        # bench.pages reads the cached stance databases; generate any that are missing.
        make = _python("bench.stances_data", "--sizes", _csv(options.sizes))
        steps.append(Step("databases", make))
        args = ["--sizes", _csv(options.sizes), "--out", str(out / "pages.json")]
        if runs:
            args += ["--runs", str(runs)]
        if options.quick:
            args.append("--no-profile")
        steps.append(Step("pages", _python("bench.pages", *args)))
    if "ingest" in options.only:
        steps += _ingest_steps(options)
    if "suggest" in options.only:
        args = ["-n", str(options.suggest_articles)]
        if _takes_out("bench/suggest.py"):
            args += ["--out", str(out / "suggest.json")]
            steps.append(Step("suggest", _python("bench.suggest", *args)))
        else:
            steps.append(Step("suggest", _python("bench.suggest", *args), capture="suggest.txt"))
    return steps


def _ingest_steps(options: Options) -> list[Step]:
    out, runs = options.out_dir, options.runs
    backends = ["sqlite", "postgresql"] if options.pg_url else ["sqlite"]
    steps = []
    for backend in backends:
        args = ["--sizes", _csv(options.ingest_sizes), "--db", backend]
        args += ["--out", str(out / "ingest.json")]
        if options.pg_url:
            args += ["--pg-url", options.pg_url]
        if runs:
            args += ["--runs", str(runs)]
        steps.append(Step(f"ingest {backend}", _python("bench.ingest", *args)))
    if not options.quick:  # time per step: one more run at the smallest size
        for backend in backends:
            args = ["--sizes", str(min(options.ingest_sizes)), "--runs", "1", "--no-baseline"]
            args += ["--breakdown", "--db", backend, "--out", str(out / "ingest_breakdown.json")]
            if options.pg_url:
                args += ["--pg-url", options.pg_url]
            steps.append(Step(f"ingest breakdown {backend}", _python("bench.ingest", *args)))
    return steps


def _takes_out(script: str) -> bool:
    """Whether a script has an --out option (bench.suggest only printed at first)."""
    path = ROOT / script
    return path.exists() and '"--out"' in path.read_text(encoding="utf-8")


def run(options: Options, command: str, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Run every step, record the run in ``out_dir/run.json``; the record."""
    options.out_dir.mkdir(parents=True, exist_ok=True)
    hide = _hider(options.pg_url)
    settings = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()}
    settings["pg_url"] = hide(options.pg_url or "") or None
    record: dict[str, Any] = {
        "command": hide(command),
        "started_at": now(),
        "revision": revision(),
        "options": settings,
        "steps": [],
    }
    for step in plan(options):
        say(f"== {step.name}: {hide(shlex.join(step.argv))}")
        started = time.perf_counter()
        if step.capture:
            captured = subprocess.run(step.argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            (options.out_dir / step.capture).write_text(captured.stdout, encoding="utf-8")
            say(captured.stdout.rstrip())
            code = captured.returncode
        else:
            code = subprocess.run(step.argv, cwd=ROOT).returncode
        step.seconds, step.returncode = round(time.perf_counter() - started, 1), code
        result = "FAILED" if code else "done"
        say(f"== {step.name}: {result} in {step.seconds:.0f} s")
        record["steps"].append({**step.as_json(), "argv": hide(shlex.join(step.argv))})
        _save(options.out_dir / RUN, record)  # after each step: a killed run still says so
    record["finished_at"] = now()
    _save(options.out_dir / RUN, record)
    return record


def _hider(url: str | None) -> Callable[[str], str]:
    """Replaces the PostgreSQL URL by the same URL with its password masked."""
    if not url:
        return lambda text: text
    shown = make_url(url).render_as_string(hide_password=True)
    return lambda text: text.replace(url, shown)


def _save(path: Path, record: dict[str, Any]) -> None:
    path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
