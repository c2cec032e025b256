"""docs/benchmarks.md: the prose of bench/templates/ around tables made from the JSON files
the benchmark scripts write, plus summary.json (each target, met or missed, per backend)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jinja2

from bench.doc_ingest import Ingest, Suggest
from bench.doc_pages import Pages
from bench.doc_stances import Stances
from bench.doc_tables import Goal, backend_name, day, goals_table, size_name
from bench.provenance import ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
RESULTS = ("stances", "pages", "ingest", "ingest_breakdown", "suggest", "run")
SUMMARY = "summary.json"
SUGGEST_TEXT = "suggest.txt"  # what bench.suggest printed, while it writes no JSON


def load(folder: Path) -> dict[str, Any]:
    """Every results file found in ``folder`` (None for the missing ones)."""
    data: dict[str, Any] = {}
    for name in RESULTS:
        path = folder / f"{name}.json"
        data[name] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    text = folder / SUGGEST_TEXT
    data["suggest_text"] = text.read_text(encoding="utf-8") if text.exists() else None
    data["suggest_date"] = _modified(text if text.exists() else folder / "suggest.json")
    return data


def _modified(path: Path) -> str:
    if not path.exists():
        return ""
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date().isoformat()


def shown(path: Path) -> str:
    """A path as the document shows it: relative to the repository when inside it."""
    path = path.resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def context(folder: Path) -> dict[str, Any]:
    data = load(folder)
    stances = Stances(data["stances"]) if data["stances"] else None
    pages = Pages(data["pages"]) if data["pages"] else None
    ingest = Ingest(data["ingest"], data["ingest_breakdown"]) if data["ingest"] else None
    suggest = Suggest(data["suggest"], data["suggest_text"], data["suggest_date"])
    goals = summary(stances, pages, ingest, suggest)
    return {
        "older": older(stances, pages),
        "folder": shown(folder),
        "run": data["run"],
        "s": stances,
        "pages": pages,
        "ingest": ingest,
        "suggest": suggest,
        "goals": goals,
        "postgresql": postgresql_note(data["run"], stances, ingest),
        "goals_table": goals_table,
        "size_name": size_name,
        "backend_name": backend_name,
        "day": day,
    }


def summary(stances: Stances | None, pages: Pages | None, ingest: Ingest | None,
            suggest: Suggest) -> list[Goal]:  # fmt: skip
    goals = stances.goals() if stances else []
    if pages:
        goals.append(pages.goal())
    if ingest:
        goals += ingest.goals()
    goals.append(suggest.goal())
    return goals


POSITION_DAY = "2026-12-03"  # the day position_day (7fc87f9) and the one-pass import landed


def older(stances: Stances | None, pages: Pages | None) -> list[str]:
    """Figures taken on code that has changed since on their path."""
    notes = []
    undated = stances.undated() if stances else []
    if "export" in undated:
        notes.append(
            "the stance export figures (2026-11-23, no date recorded; only the export's "
            "file handling changed since, da13100)"
        )
    if "import" in undated:
        notes.append(
            "the stance import figures (2026-11-23, no date recorded), before the one-pass "
            "import (29e65f1) and position_day (7fc87f9)"
        )
    if pages and pages.date and pages.date < POSITION_DAY:
        notes.append(f"the dashboard pages ({pages.date}), before position_day (7fc87f9)")
    return notes


def postgresql_note(run: dict[str, Any] | None, stances: Stances | None,
                    ingest: Ingest | None) -> str:  # fmt: skip
    """Say plainly when PostgreSQL was not run, or its figures are older than the rest."""
    measured = bool(stances and "postgresql" in stances.backends) or bool(
        ingest and "postgresql" in ingest.backends
    )
    if run and not run.get("options", {}).get("pg_url"):
        if not measured:
            return "**PostgreSQL was not run** (no `--pg-url`): every figure below is SQLite's."
        return (
            "**PostgreSQL was not run by the last `python -m bench`** (no `--pg-url`); the "
            "PostgreSQL figures below are from earlier runs: see their dates."
        )
    if not measured:
        return "**PostgreSQL was not run**: every figure below is SQLite's."
    return ""


def render(folder: Path) -> str:
    return _render(context(folder))


def _render(ctx: dict[str, Any]) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # Markdown, not HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    text = env.get_template("benchmarks.md.j2").render(ctx)
    while "\n\n\n" in text:  # sections left out leave blank lines behind
        text = text.replace("\n\n\n", "\n\n")
    return text


def write(folder: Path, doc: Path) -> None:
    """Render ``doc`` from the results in ``folder``; write the targets to summary.json."""
    ctx = context(folder)
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(_render(ctx), encoding="utf-8")
    payload = {
        "note": "Each target of the issues at the size it is stated for; written by "
        "`python -m bench` from the other JSON files here.",
        "targets": [g.as_json() for g in ctx["goals"]],
    }
    (folder / SUMMARY).write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
