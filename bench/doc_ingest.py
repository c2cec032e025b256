"""The "Ingestion" and "Suggestions" sections' figures, from docs/benchmarks/ingest*.json and
suggest.json (or the text bench.suggest printed, while it writes no JSON)."""

from __future__ import annotations

import re
from typing import Any

from bench.doc_tables import ANY, Goal, backend_name, day, md_table, size_name, verdict

INGEST_GOAL = "ingestion of 10,000 articles: >= 200 articles/s on one core"
INGEST_TARGET = 200.0
SUGGEST_GOAL = "suggestions on 10,000 articles: >= 100 articles/s"
SUGGEST_TARGET = 100.0
SUGGEST_ARTICLES = 10_000
# Order and wording of the breakdown's steps; indented keys are part of the one above.
STEPS = {
    "link_rewrite (all of it)": "`link_rewrite` (all)",
    "  SQL: LSH candidate query": "↳ LSH candidate query",
    "  is_duplicate (bigrams)": "↳ `is_duplicate` (bigrams)",
    "dedup.fingerprint (MinHash, bigrams)": "`dedup.fingerprint` (MinHash and bigrams)",
    "add_source (exact-duplicate check, INSERT)": "`add_source` (exact-duplicate check, INSERT)",
    "record_mentions (find, DELETE, INSERTs)": "`record_mentions` (find, DELETE, INSERT)",
    "  AliasMatcher.find": "↳ `AliasMatcher.find`",
    "AliasMatcher.candidates (unknown names)": "`AliasMatcher.candidates` (unknown names)",
    "extract (decode, dates, related split)": "extract (decode, dates, related split)",
    "Session.commit (every 500)": "commit (every 500)",
    "Session.flush (all, incl. autoflush)": "`Session.flush` (all, incl. autoflush)",
    "SQL: all statements": "all SQL statements (inside the steps above)",
}


class Ingest:
    def __init__(self, data: dict[str, Any], breakdown: dict[str, Any] | None) -> None:
        self.machine: dict[str, Any] = data.get("machine", {})
        entries = list(data.get("results", {}).values())
        self.current = [e for e in entries if "note" not in e]
        self.history = [e for e in entries if "note" in e]  # older code, kept for the record
        self.sizes = sorted({e["size"] for e in self.current})
        self.backends = [b for b in ("sqlite", "postgresql") if self.entries(b)]
        self.breakdown = list((breakdown or {}).get("results", {}).values())

    def entries(self, backend: str) -> list[dict[str, Any]]:
        return sorted((e for e in self.current if e["backend"] == backend), key=lambda e: e["size"])

    def entry(self, backend: str, size: int | None = None) -> dict[str, Any]:
        found = self.entries(backend)
        if size is None:
            return found[-1] if found else {}
        return next((e for e in found if e["size"] == size), {})

    def table(self) -> str:
        rows = []
        for e in sorted(self.current, key=lambda e: (e["backend"] != "sqlite", e["size"])):
            rows.append(_row(e, backend_name(e["backend"])))
        for e in self.history:
            label = f"{backend_name(e['backend'])}, {e.get('tracker_revision', '')} †"
            rows.append(_row(e, label))
        header = ["articles", "backend", "articles/s overall", "per chunk, first → last",
                  "baseline rows/s", "baseline ÷ tracker", "rewrite recall / precision",
                  "peak RSS", "measured"]  # fmt: skip
        return md_table(header, rows)

    def history_notes(self) -> str:
        return "\n".join(
            f"† {e['statistic']}, {day(e.get('finished_at'))}: {e['note']}." for e in self.history
        )

    # --- numbers for the prose -------------------------------------------------------

    def rate(self, backend: str, size: int | None = None) -> str:
        e = self.entry(backend, size)
        return f"{e['tracker_articles_per_s']:.1f}" if e else "not run"

    def fall(self, backend: str) -> str:
        """How much the overall rate falls from the smallest to the largest size."""
        found = self.entries(backend)
        if len(found) < 2:
            return "not measured"
        first, last = found[0]["tracker_articles_per_s"], found[-1]["tracker_articles_per_s"]
        return f"{1 - last / first:.0%}"

    def steady_ms(self, backend: str) -> str:
        """Wall time per article in the last 1,000 articles of the 10k run (1 ÷ chunk rate)."""
        e = self.entry(backend, 10_000) or self.entry(backend)
        chunks = e.get("median_run", {}).get("per_1k_chunk_per_s") if e else None
        return f"{1000 / chunks[-1]:.0f} ms" if chunks else "not measured"

    def outcomes(self) -> str:
        parts = []
        for e in self.entries(self.backends[0]) if self.backends else []:
            run = e["median_run"]
            planted, found = run["rewrites_planted"], run["rewrites_found"]
            heavy = found.get("heavy", 0) / planted["heavy"] if planted.get("heavy") else 0
            parts.append(
                f"at {size_name(e['size'])}: exact copies {run['exact_copies_found']:,}/"
                f"{run['exact_copies']:,} found, {run['unexpected_duplicates']} other inputs "
                f"called duplicates, related stories split off {run['split_off_sources']:,}/"
                f"{run['split_off_expected']:,}, {run['false_links']} false rewrite links, "
                f"light rewrites {found.get('light', 0):,}/{planted.get('light', 0):,}, heavy "
                f"{found.get('heavy', 0):,}/{planted.get('heavy', 0):,} ({heavy:.1%})"
            )
        return "; ".join(parts)

    def chunks(self) -> str:
        """The rate of every 10k-article chunk of the runs that had more than one."""
        parts = []
        for e in self.current:
            rates = e["median_run"].get("per_10k_chunk_per_s") or []
            if len(rates) > 1:
                listed = ", ".join(str(r) for r in rates)
                parts.append(f"{backend_name(e['backend'])} {size_name(e['size'])}: {listed}")
        return "; ".join(parts)

    def outcomes_agree(self) -> bool:
        """Whether every backend found the same duplicates, splits and rewrites per size."""
        keys = ("exact_copies_found", "unexpected_duplicates", "split_off_sources",
                "false_links", "rewrites_found")  # fmt: skip
        seen: dict[int, set[str]] = {}
        for e in self.current:
            run = e["median_run"]
            seen.setdefault(e["size"], set()).add(repr([run.get(k) for k in keys]))
        return all(len(found) == 1 for found in seen.values())

    def memory(self) -> str:
        parts = []
        for backend in self.backends:
            run = self.entry(backend).get("median_run", {})
            if "rss_now_before_ingest_mib" in run:
                parts.append(
                    f"{run['rss_now_before_ingest_mib']:.0f} → "
                    f"{run['rss_now_after_ingest_mib']:.0f} MiB over {run['articles']:,} "
                    f"articles on {backend_name(backend)}"
                )
        return "; ".join(parts)

    def breakdown_table(self) -> str:
        if not self.breakdown:
            return ""
        columns = []  # (label, step -> ms, wall ms per article)
        for e in sorted(self.breakdown, key=lambda e: e["backend"] != "sqlite"):
            run = e["median_run"]
            chunks = run["per_1k_chunk_per_s"]
            parts = list(run["breakdown_ms_per_article"].items())
            for (name, steps), rate in zip(parts, (chunks[0], chunks[-1]), strict=False):
                where = "first 1k" if name.startswith("first") else "last 1k"
                columns.append((f"{backend_name(e['backend'])} {where}", steps, 1000 / rate))
        names = list(STEPS) + [s for _, steps, _ in columns for s in steps if s not in STEPS]
        rows = []
        for step in dict.fromkeys(names):
            if any(step in steps for _, steps, _ in columns):
                values = [f"{steps[step]:.2f}" if step in steps else "" for _, steps, _ in columns]
                rows.append([STEPS.get(step, step.strip()), *values])
        rows.append(["**wall time per article** (1 ÷ chunk rate)",
                     *(f"**{wall:.1f}**" for _, _, wall in columns)])  # fmt: skip
        return md_table(["step (ms per article)", *(label for label, _, _ in columns)], rows)

    def goals(self) -> list[Goal]:
        goals = []
        for backend in self.backends:
            e = self.entry(backend, 10_000)
            if not e:
                largest = self.entry(backend)
                value = f"at 10k; {largest['tracker_articles_per_s']:.1f} articles/s at " + (
                    size_name(largest["size"])
                )
                when = day(largest.get("finished_at"))
                goals.append(Goal(INGEST_GOAL, backend, "not run", value, None, when, "ingest"))
                continue
            rate = e["tracker_articles_per_s"]
            value = f"{rate:.1f} articles/s"
            larger = self.entry(backend)
            if larger["size"] > 10_000:
                value += f"; {larger['tracker_articles_per_s']:.1f} at {size_name(larger['size'])}"
            when = day(e.get("finished_at"))
            ok = verdict(rate >= INGEST_TARGET)
            goals.append(Goal(INGEST_GOAL, backend, ok, value, 10_000, when, key="ingest"))
        return goals


def _row(e: dict[str, Any], label: str) -> list[str]:
    run = e["median_run"]
    if e["runs"] > 1:
        runs = ", ".join(f"{r['articles_per_s']}" for r in e["tracker_runs"])
        overall = f"**{e['tracker_articles_per_s']}** ({runs})"
    else:
        overall = f"**{e['tracker_articles_per_s']}** (single run, {run['seconds']:,.0f} s)"
    if not all(r["completed"] for r in e["tracker_runs"]):
        overall += f" (stopped after {run['articles']:,} articles)"
    fine = e["size"] < 20_000
    chunks = run["per_1k_chunk_per_s"] if fine else run["per_10k_chunk_per_s"]
    per_chunk = f"{chunks[0]} → {chunks[-1]} ({'1k' if fine else '10k'} chunks)" if chunks else ""
    baseline = e.get("baseline_rows_per_s")
    return [
        f"{e['size']:,}",
        label,
        overall,
        per_chunk,
        f"{baseline:,.0f}" if baseline else "not run",
        f"{e['baseline_over_tracker']:,.0f}x" if baseline else "",
        f"{run['rewrite_recall']:.1%} / {run['rewrite_precision']:.0%}",
        f"{run['peak_rss_mib']:.0f} MiB",
        day(e.get("finished_at")),
    ]


class Suggest:
    """Whatever bench.suggest left: its JSON if it writes one, else the text it printed."""

    def __init__(self, data: dict[str, Any] | None, text: str | None, when: str = "") -> None:
        self.data, self.text, self.when = data, text, when

    @property
    def available(self) -> bool:
        return bool(self.data or self.text)

    def body(self) -> str:
        if self.data:
            results = self.data.get("results")
            rows = results if isinstance(results, list) else [self.data]
            scalars = [{k: v for k, v in r.items() if _scalar(v)} for r in rows]
            keys = list(dict.fromkeys(k for r in scalars for k in r))
            return md_table(keys, [[_show(r.get(k, "")) for k in keys] for r in scalars])
        return f"```\n{(self.text or '').strip()}\n```"

    def goal(self) -> Goal:
        rate = self._rate()
        if rate is None:
            return Goal(SUGGEST_GOAL, ANY, "not run", "", key="suggest")
        ok = verdict(rate >= SUGGEST_TARGET)
        value = f"{rate:,.0f} articles/s"
        goal = Goal(SUGGEST_GOAL, ANY, ok, value, self._articles(), self.when, key="suggest")
        return goal.stated_at(SUGGEST_ARTICLES)

    def _articles(self) -> int | None:
        if self.data:
            found = self.data.get("articles") or self.data.get("n")
            return found if isinstance(found, int) else None
        counted = re.match(r"\s*([\d,]+) synthetic articles", self.text or "")
        return int(counted.group(1).replace(",", "")) if counted else None

    def _rate(self) -> float | None:
        if self.data:
            results = self.data.get("results")
            rows = results if isinstance(results, list) else [self.data]
            for r in rows:
                for key, value in r.items():
                    if "articles_per_s" in key and "baseline" not in key and _number(value):
                        return float(value)
            return None
        found = re.search(r"suggest_text:\s+([\d,.]+) articles/s", self.text or "")
        return float(found.group(1).replace(",", "")) if found else None


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return "" if value is None else str(value)
