"""Figures of ``bench.stances``: medians, targets met or missed, tables, the results file."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy

from bench.stances_pg import pg_conninfo

TARGETS = {
    "export": "1M stances within 2x the time of the sqlite3 CLI dumping the same query as CSV",
    "import": "1M rows with validation at >= 50,000 rows/s on SQLite",
    "memory": "export and import memory stays flat as rows grow (peak RSS at 100k and 1M)",
    "series": "one issue, 20 actors, 1M stances: under 200 ms on SQLite and PostgreSQL",
    "report": "busy week, 1M stances in the database: under 2 s for Markdown/HTML",
}
BASELINES = {
    "export": "sqlite3 CLI -csv / psql COPY, same SELECT",
    "import": "raw driver: csv.reader + executemany",
    "series": "the same days (positions, no quotes) from position_day by hand, raw driver",
    "report": "the week's stored days by hand, raw driver",
}
FLAT_GROWTH = 1.25  # "flat": peak RSS at 1M at most 25% above the peak at 100k


@dataclass
class Figure:
    benchmark: str
    size: int
    backend: str
    runs: list[float]
    baseline_runs: list[float]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None  # None: not run

    @property
    def baseline(self) -> float:
        return statistics.median(self.baseline_runs)

    def as_json(self) -> dict[str, Any]:
        median = self.median
        goal, met = judge(self.benchmark, self.backend, median, self.baseline, self.extra)
        return {
            "benchmark": self.benchmark,
            "size": self.size,
            "backend": self.backend,
            "median_s": round(median, 4) if median is not None else None,
            "baseline_s": round(self.baseline, 4),
            "ratio": round(median / self.baseline, 2) if median is not None else None,
            "target": goal,
            "met": met,
            "runs_s": [round(r, 4) for r in self.runs],
            "baseline_runs_s": [round(r, 4) for r in self.baseline_runs],
            **self.extra,
        }


def judge(
    benchmark: str, backend: str, median: float | None, baseline: float, extra: dict[str, Any]
) -> tuple[str, bool | None]:
    """The issue's target, applied at every size (it is stated for 1M stances); None: not run."""
    if benchmark == "export":
        return "<= 2.0x baseline", None if median is None else median <= 2 * baseline
    if benchmark == "import":
        stated = "" if backend == "sqlite" else " (stated for SQLite)"
        met = None if median is None else extra["rows"] / median >= 50_000
        return f">= 50,000 rows/s{stated}", met
    if benchmark == "series":
        return "< 200 ms", None if median is None else median < 0.2
    return "< 2 s", None if median is None else median < 2.0


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def _row(r: dict[str, Any]) -> list[str]:
    baseline = _seconds(r["baseline_s"])
    if r["benchmark"] == "import":
        baseline += f" ({r['rows'] / r['baseline_s']:,.0f} rows/s)"
    if r["median_s"] is None:
        return [
            r["benchmark"],
            f"{r['size']:,}",
            r["backend"],
            "not run",
            baseline,
            "",
            r["target"],
            "not run",
        ]
    median = _seconds(r["median_s"])
    if r["benchmark"] == "import":
        median += f" ({r['rows'] / r['median_s']:,.0f} rows/s)"
    return [
        r["benchmark"],
        f"{r['size']:,}",
        r["backend"],
        median,
        baseline,
        f"{r['ratio']:.1f}x",
        r["target"],
        "met" if r["met"] else "MISSED",
    ]


HEADER = ["benchmark", "stances", "backend", "median", "baseline", "ratio", "target", "result"]


def table(figures: list[Figure]) -> str:
    rows = [HEADER] + [_row(f.as_json()) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _memory_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for name in ("export", "import"):
        by_key = {(r["backend"], r["size"]): r for r in results if r["benchmark"] == name}
        for (backend, size), r in sorted(by_key.items(), key=lambda i: _order(i[1])):
            if r["peak_rss_mib"] is None:
                continue
            smaller = by_key.get((backend, size // 10), {}).get("peak_rss_mib")
            growth = r["peak_rss_mib"] / smaller if smaller else None
            verdict = ""
            if growth is not None and size >= 1_000_000:
                verdict = "flat (met)" if growth <= FLAT_GROWTH else "grows (MISSED)"
            rows.append(
                [
                    name,
                    f"{size:,}",
                    backend,
                    f"{r['peak_rss_mib']:.0f} MiB",
                    f"{r['rss_before_mib']:.0f} MiB",
                    f"{r['baseline_peak_rss_mib']:.0f} MiB",
                    f"{growth:.2f}x" if growth else "",
                    verdict,
                ]
            )
    return rows


def _order(r: dict[str, Any]) -> tuple[Any, ...]:
    names = ("report-md", "report-html", "report-html-charts")
    rank = names.index(r["benchmark"]) if r["benchmark"] in names else -1
    return (rank, r["backend"] != "sqlite", r["size"])


def markdown(data: dict[str, Any]) -> str:
    """One table per benchmark, then peak memory; the figures as the JSON file holds them."""
    results = data["results"]
    parts = []
    groups = (
        ("export", ("export",)),
        ("import", ("import",)),
        ("series", ("series",)),
        ("report", ("report-md", "report-html", "report-html-charts")),
    )
    for title, names in groups:
        rows = [_row(r) for r in sorted(results, key=_order) if r["benchmark"] in names]
        if rows:
            parts.append(f"**{title}**: {TARGETS[title]}. Baseline: {BASELINES[title]}.\n")
            parts.append(_md_table(HEADER, rows) + "\n")
    memory = _memory_rows(results)
    if memory:
        parts.append(f"**memory**: {TARGETS['memory']}. Peak RSS (VmHWM) of the process.\n")
        header = [
            "benchmark",
            "stances",
            "backend",
            "peak RSS",
            "RSS before the work",
            "baseline peak RSS",
            "peak vs 10x fewer",
            "flat?",
        ]
        parts.append(_md_table(header, memory) + "\n")
    return "\n".join(parts)


def load_average() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def machine(pg_url: str | None) -> dict[str, Any]:
    cli = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout
    facts = {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "psycopg": psycopg.__version__,
        "sqlite_module": sqlite3.sqlite_version,
        "sqlite_cli": cli.split()[0] if cli else None,
        "platform": platform.platform(),
        "load_average_at_start": load_average(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if pg_url:
        with psycopg.connect(pg_conninfo(pg_url)) as conn:
            facts["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    return facts


def save(path: Path, facts: dict[str, Any], figures: list[Figure]) -> None:
    """Merge into the file: a figure replaces the one of the same benchmark, size, backend."""
    known: dict[tuple[str, int, str], dict[str, Any]] = {}
    if path.exists():
        stored = json.loads(path.read_text())
        facts = {**stored["machine"], **facts}  # e.g. keep the PostgreSQL version
        for item in stored["results"]:
            known[(item["benchmark"], item["size"], item["backend"])] = item
    for figure in figures:
        known[(figure.benchmark, figure.size, figure.backend)] = figure.as_json()
    results = sorted(known.values(), key=lambda r: (r["benchmark"], r["backend"], r["size"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {"machine": facts, "targets": TARGETS, "results": results}, indent=1, default=str
        )
        + "\n"
    )
