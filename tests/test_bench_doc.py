"""python -m bench without running a benchmark: the steps it plans and the document it renders
from small results files (nothing is timed here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import doc
from bench.__main__ import main, options, parser
from bench.run_all import QUICK, plan, run
from bench.stances_report import Figure, save

WEEK = {"week": "2025-W48", "week_stances": 300, "shifts": 4, "new_stances": 280, "charts": 3}


def _stances(folder: Path) -> None:
    memory = {"peak_rss_mib": 70.0, "rss_before_mib": 45.0, "baseline_peak_rss_mib": 14.0}
    figures = []
    for size, scale in ((10_000, 1), (100_000, 10)):
        figures += [
            Figure(
                "export",
                size,
                "sqlite",
                [0.3 * scale] * 3,
                [0.05 * scale] * 3,
                {"rows": size, **memory},
            ),  # fmt: skip
            Figure(
                "import",
                size,
                "sqlite",
                [1.0 * scale] * 3,
                [0.2 * scale] * 3,
                {"rows": size, **memory},
            ),  # fmt: skip
            Figure(
                "series",
                size,
                "sqlite",
                [0.01 * scale] * 3,
                [0.005 * scale] * 3,
                {
                    "day_positions": 100 * scale,
                    "same_result_as_baseline": True,
                    "windowed_sql_from_stances_s": [0.02 * scale] * 3,
                },
            ),  # fmt: skip
            Figure("report-md", size, "sqlite", [0.15 * scale] * 3, [0.01] * 3, dict(WEEK)),
        ]
    for figure in figures:
        figure.extra.update(measured_at="2026-12-03T08:00:00+00:00", revision="abc1234")
    save(folder / "stances.json", {"cores": 2, "python": "3.11.7"}, figures)


def _page(page: str, size: int, seconds: float, infos: list[str] | None = None) -> dict[str, Any]:
    return {
        "page": page,
        "size": size,
        "runs_s": [seconds * 1.2, seconds, seconds],
        "baseline_runs_s": [0.01, 0.003, 0.003],
        "exceptions": [],
        "errors": [],
        "infos": infos or [],
        "load_average": "1.0 / 1.0 / 1.0",
        "cold_s": seconds * 1.2,
        "warm_s": seconds,
        "baseline_s": 0.003,
        "met": seconds < 1.0,
    }


def _pages(folder: Path) -> None:
    payload = {
        "machine": {"date": "2026-12-03T08:00:00+00:00", "streamlit": "1.67.0"},
        "target": "each page under 1 s",
        "target_s": 1.0,
        "results": [
            _page("matrix", 10_000, 0.2),
            _page("matrix", 1_000_000, 1.5),
            _page("history", 10_000, 0.01, ["No changes recorded yet. See `tracker` docs"]),
            _page("history", 1_000_000, 0.01, ["No changes recorded yet. See `tracker` docs"]),
        ],
        "profiles": [],
    }
    (folder / "pages.json").write_text(json.dumps(payload))


def test_render_only_from_small_results(tmp_path: Path) -> None:
    _stances(tmp_path)
    _pages(tmp_path)
    assert main(["--render-only", "--out-dir", str(tmp_path)]) == 0

    text = (tmp_path / "benchmarks.md").read_text()
    assert "**PostgreSQL was not run**" in text
    assert "## Dashboard pages" in text and "## Stances at scale" in text
    assert "## Ingestion" not in text  # no ingest.json: no section
    # Targets are stated for 1M: a 100k figure is no verdict on them.
    assert "not run at 1M; at 100k: met, 100 ms" in text  # the series
    assert "**MISSED** at 1M: 1 of 2 page runs: `matrix` 1.50 s" in text
    assert "| 10k → 100k (baseline) |" in text and "10.0x (10.0x)" in text
    assert "\n\n\n" not in text
    targets = json.loads((tmp_path / doc.SUMMARY).read_text())["targets"]
    pages = next(t for t in targets if t["key"] == "pages")
    assert (pages["verdict"], pages["size"]) == ("MISSED", 1_000_000)


def test_quick_run_plans_small_runs_outside_the_docs() -> None:
    settings = options(parser().parse_args(["--quick"]))
    assert settings.out_dir == QUICK and settings.doc == QUICK / "benchmarks.md"
    steps = {step.name: step.argv for step in plan(settings)}
    assert list(steps) == ["stances", "databases", "pages", "ingest sqlite", "suggest"]
    stances = " ".join(steps["stances"])
    assert "--sizes 10000" in stances and "--runs 1 --big-runs 1" in stances
    assert "--pg-url" not in stances
    assert "--no-profile" in steps["pages"]


def test_postgresql_runs_where_it_applies() -> None:
    url = "postgresql://postgres:secret@127.0.0.1:54329/postgres"
    settings = options(parser().parse_args(["--pg-url", url, "--only", "ingest,stances"]))
    names = [step.name for step in plan(settings)]
    assert names == [
        "stances",
        "ingest sqlite",
        "ingest postgresql",
        "ingest breakdown sqlite",
        "ingest breakdown postgresql",
    ]
    assert settings.doc.name == "benchmarks.md" and settings.doc.parent.name == "docs"


def test_run_record_hides_the_database_password(tmp_path: Path) -> None:
    url = "postgresql://postgres:secret@127.0.0.1:54329/postgres"
    settings = options(parser().parse_args(["--pg-url", url, "--out-dir", str(tmp_path)]))
    settings.only = []  # plan nothing: only the record is written
    run(settings, f"python -m bench --pg-url {url}", say=lambda _: None)
    record = (tmp_path / "run.json").read_text()
    assert "secret" not in record and "127.0.0.1:54329" in record
