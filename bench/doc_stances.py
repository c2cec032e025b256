"""The "Stances at scale" section's figures, from docs/benchmarks/stances.json."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bench import stances_report
from bench.doc_tables import (
    Goal,
    backend_name,
    day,
    factor,
    loads,
    md_table,
    seconds,
    size_name,
    verdict,
)

GROWING = ("export", "import", "series", "report-md", "report-html", "report-html-charts")
GOALS = {
    "export": "export 1M stances within 2x the `sqlite3` CLI (`psql COPY` on PostgreSQL)",
    "import": "import 1M stances with validation at >= 50,000 rows/s",
    "memory-export": "export peak memory flat from 100k to 1M",
    "memory-import": "import peak memory flat from 100k to 1M",
    "series": "one issue's series, 20 actors, 1M stances: < 200 ms",
    "report-md": "weekly report of a busy week, 1M stances: < 2 s, Markdown",
    "report-html": "same, HTML without charts",
    "report-html-charts": "same, HTML with charts",
}
STATED = 1_000_000  # the size the targets are stated for
LIBRARIES = {"sqlalchemy": "SQLAlchemy", "psycopg": "psycopg"}
GROUPS = {"export": "export", "import": "import", "series": "series"}  # else "report"


class Stances:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.machine: dict[str, Any] = data.get("machine", {})
        self.results: list[dict[str, Any]] = data.get("results", [])
        self.rows = {(r["benchmark"], r["backend"], r["size"]): r for r in self.results}
        self.sizes = sorted({r["size"] for r in self.results})
        self.largest = self.sizes[-1] if self.sizes else 0
        self.largest_name = size_name(self.largest)
        found = {r["backend"] for r in self.results}
        self.backends = [b for b in ("sqlite", "postgresql") if b in found]
        self.sizes_text = ", ".join(size_name(s) for s in self.sizes)
        self.backends_text = " and ".join(backend_name(b) for b in self.backends)

    def row(self, benchmark: str, backend: str, size: int | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self.rows.get((benchmark, backend, size or self.largest), {})
        return found

    @property
    def position_day(self) -> bool:
        """Series figures taken with the stored per-day table (their baseline reads it)."""
        return any(
            "windowed_sql_from_stances_s" in r for r in self.results if r["benchmark"] == "series"
        )

    # --- tables ----------------------------------------------------------------------

    def tables(self) -> str:
        return stances_report.markdown(self.data)

    def growth(self) -> str:
        """Each figure at every size, and how much it grew for 10x the stances."""
        steps = list(zip(self.sizes, self.sizes[1:], strict=False))
        header = ["benchmark", "backend", *(size_name(s) for s in self.sizes)]
        header += [f"{size_name(a)} → {size_name(b)} (baseline)" for a, b in steps]
        rows = []
        for benchmark in GROWING:
            for backend in self.backends:
                found = [self.rows.get((benchmark, backend, s), {}) for s in self.sizes]
                if not any(found):
                    continue
                cells = [seconds(r.get("median_s")) if r else "" for r in found]
                for old, new in zip(found, found[1:], strict=False):
                    grew = factor(new.get("median_s"), old.get("median_s"))
                    base = factor(new.get("baseline_s"), old.get("baseline_s"))
                    cells.append(f"{grew} ({base})" if grew else (f"({base})" if base else ""))
                rows.append([benchmark, backend_name(backend), *cells])
        return md_table(header, rows)

    def series_sources(self) -> str:
        """The tracker's series next to the stored rows read by hand, the evidence read
        after it, and the windowed SQL."""
        rows = []
        for backend in self.backends:
            for size in self.sizes:
                r = self.rows.get(("series", backend, size))
                if not r or "windowed_sql_from_stances_s" not in r:
                    continue
                evidence = [
                    seconds(_median(r[key])) if key in r else "not measured"
                    for key in ("drawn_evidence_s", "with_evidence_s", "with_evidence_by_hand_s")
                ]
                rows.append(
                    [
                        backend_name(backend),
                        f"{size:,}",
                        f"{r['day_positions']:,}",
                        seconds(r["median_s"]),
                        seconds(r["baseline_s"]),
                        f"{evidence[0]} ({r['drawn_points']:,} days)"
                        if "drawn_points" in r
                        else evidence[0],
                        f"{evidence[1]} (by hand {evidence[2]})",
                        seconds(_median(r["windowed_sql_from_stances_s"])),
                        "yes" if r.get("same_result_as_baseline") else "NO",
                    ]
                )
        header = ["backend", "stances", "days", "series", "position_day by hand",
                  "then what the chart draws", "every day with its evidence",
                  "window functions over stances", "same rows"]  # fmt: skip
        return md_table(header, rows) if rows else ""

    def weeks(self) -> str:
        """The busy week each size's report covers."""
        parts = []
        for size in self.sizes:
            r = next((self.rows.get(("report-md", b, size)) for b in self.backends), None)
            if r:
                parts.append(
                    f"{r['week']} at {size_name(size)} ({r['week_stances']:,} accepted stances "
                    f"that week, {r['shifts']} shifts, {r['charts']} charts)"
                )
        return "; ".join(parts)

    def runs_note(self) -> str:
        """How many runs each median is of, naming the exceptions."""
        counts = Counter(len(r["runs_s"]) for r in self.results if r["runs_s"])
        if not counts:
            return "No figure has been run yet."
        usual = counts.most_common(1)[0][0]
        odd = []
        for r in sorted(self.results, key=lambda r: (r["benchmark"], r["backend"], r["size"])):
            label = f"{r['benchmark']} on {backend_name(r['backend'])} at {size_name(r['size'])}"
            if not r["runs_s"]:
                why = r.get("not_run", "not run")
                odd.append(f"{label}: {why}, its baseline {len(r['baseline_runs_s'])} run(s)")
            elif len(r["runs_s"]) != usual:
                odd.append(f"{label}: {len(r['runs_s'])} run(s)")
        text = f"Medians of {usual} runs"
        return text + (f", except {'; '.join(odd)}." if odd else ".")

    def measured(self) -> str:
        """When, on which code and under which load each group of figures was taken."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in self.results:
            group = GROUPS.get(r["benchmark"], "report")
            groups.setdefault((group, r["backend"]), []).append(r)
        rows = []
        for (group, backend), found in sorted(groups.items()):
            dates = sorted({day(r.get("measured_at")) or "not recorded" for r in found})
            revisions = sorted({r.get("revision") or "not recorded" for r in found})
            sizes = ", ".join(size_name(s) for s in sorted({r["size"] for r in found}))
            load = loads(r.get("load_average") for r in found)
            rows.append([group, backend_name(backend), sizes, ", ".join(dates),
                         ", ".join(revisions), load])  # fmt: skip
        header = ["benchmark", "backend", "sizes", "measured", "revision", "load average (1 min)"]
        return md_table(header, rows)

    def undated(self) -> list[str]:
        """Groups of figures taken before the script recorded dates."""
        groups = {GROUPS.get(r["benchmark"], "report") for r in self.results}
        return [
            g
            for g in ("export", "import", "series", "report")
            if g in groups
            and any(
                "measured_at" not in r
                for r in self.results
                if GROUPS.get(r["benchmark"], "report") == g
            )
        ]

    # --- numbers for the prose and the summary ---------------------------------------

    def median(self, benchmark: str, backend: str, size: int | None = None) -> str:
        return seconds(self.row(benchmark, backend, size).get("median_s"))

    def baseline(self, benchmark: str, backend: str, size: int | None = None) -> str:
        return seconds(self.row(benchmark, backend, size).get("baseline_s"))

    def ratio(self, benchmark: str, backend: str, size: int | None = None) -> str:
        r = self.row(benchmark, backend, size).get("ratio")
        return f"{r:.1f}x" if r is not None else "not run"

    def rate(self, benchmark: str, backend: str, size: int | None = None, *, base: bool = False
             ) -> str:  # fmt: skip
        r = self.row(benchmark, backend, size)
        value = r.get("baseline_s" if base else "median_s")
        return f"{r['rows'] / value:,.0f} rows/s" if value else "not run"

    def floor_rate(self, size: int | None = None) -> str:
        """SQLite's own floor for an import's writes (bench.stances_child.import_floor)."""
        r = self.row("import", "sqlite", size)
        value = r.get("floor_s")
        return f"{r['rows'] / value:,.0f} rows/s" if value else ""

    def export_headline(self) -> str:
        """How far the export is from its baseline at the largest size, per backend."""
        parts: list[str] = []
        for backend, tool in (("sqlite", "the CLI"), ("postgresql", "`psql COPY`")):
            if self.row("export", backend).get("ratio"):
                at = f" at {self.largest_name}" if not parts else ""
                parts.append(
                    f"{self.ratio('export', backend)} {tool}{at} on {backend_name(backend)}"
                )
        return ", ".join(parts)

    def import_headline(self) -> str:
        """SQLite's import rate at the two largest sizes measured, next to the raw driver's."""
        sizes = [s for s in self.sizes if self.row("import", "sqlite", s).get("median_s")][-2:]
        if not sizes:
            return ""
        mine = ", ".join(
            f"{self.rate('import', 'sqlite', s)} at {size_name(s)}" for s in sizes[::-1]
        )
        raw = " and ".join(self.rate("import", "sqlite", s, base=True) for s in sizes[::-1])
        floors = [self.floor_rate(s) for s in sizes[::-1]]
        floor = (
            f"; SQLite alone, copying the same rows with no Python, {' and '.join(floors)}"
            if all(floors)
            else ""
        )
        return f"{mine} on SQLite; the raw driver does {raw}{floor}"

    def below_largest(self) -> str:
        """Targets met at a smaller size but missed at the largest one."""
        found = []
        for benchmark in GROWING:
            for backend in self.backends:
                top = self.row(benchmark, backend)
                if top.get("met") is not False:
                    continue
                met = [
                    f"{size_name(s)} ({seconds(r['median_s'])})"
                    for s in self.sizes[:-1]
                    if (r := self.rows.get((benchmark, backend, s))) and r.get("met")
                ]
                if met:
                    found.append(f"{benchmark} on {backend_name(backend)} at {', '.join(met)}")
        return "; ".join(found)

    def goals(self) -> list[Goal]:
        goals = []
        for backend in self.backends:
            for benchmark in ("export", "import", "series", *GROWING[3:]):
                goals.append(self._goal(benchmark, backend))
            for name in ("export", "import"):
                goals.append(self._memory_goal(name, backend))
        order = list(GOALS)
        return sorted(goals, key=lambda g: order.index(g.key))

    def _goal(self, benchmark: str, backend: str) -> Goal:
        r = self.row(benchmark, backend)
        goal = Goal(GOALS[benchmark], backend, "not run", "", measured=self._when(r), key=benchmark)
        if not r:
            return goal
        if r.get("median_s") is None:
            base = self.rate(benchmark, backend, base=True) if "rows" in r else ""
            goal.value = f"at {self.largest_name}" + (f" (raw driver {base})" if base else "")
            smaller = [s for s in self.sizes if self.row(benchmark, backend, s).get("median_s")]
            if smaller:
                earlier = self.row(benchmark, backend, smaller[-1])
                goal.value += (
                    f"; at {size_name(smaller[-1])}: {verdict(earlier['met'])}, "
                    + self._value(benchmark, backend, smaller[-1])
                )
            return goal
        goal.verdict, goal.size = verdict(r["met"]), self.largest
        goal.value = self._value(benchmark, backend, self.largest)
        return goal.stated_at(STATED)

    def _value(self, benchmark: str, backend: str, size: int) -> str:
        r = self.row(benchmark, backend, size)
        if benchmark == "import":
            floor = self.floor_rate(size) if backend == "sqlite" else ""
            return (
                f"{self.rate(benchmark, backend, size)} ({seconds(r['median_s'])}); raw "
                f"driver {self.rate(benchmark, backend, size, base=True)}"
                + (f"; SQLite alone {floor}" if floor else "")
            )
        if benchmark == "export":
            return f"{seconds(r['median_s'])} vs {seconds(r['baseline_s'])} ({r['ratio']:.1f}x)"
        return seconds(r["median_s"])

    def _memory_goal(self, name: str, backend: str) -> Goal:
        top, before = self.row(name, backend), self.row(name, backend, self.largest // 10)
        key = f"memory-{name}"
        goal = Goal(GOALS[key], backend, "not run", "", measured=self._when(top), key=key)
        peak, earlier = top.get("peak_rss_mib"), before.get("peak_rss_mib")
        if not peak or not earlier:
            goal.value = f"at {self.largest_name}" if top else ""
            return goal
        grew = peak / earlier <= stances_report.FLAT_GROWTH
        goal.verdict, goal.size = verdict(grew), self.largest
        goal.value = f"{earlier:.0f} → {peak:.0f} MiB peak RSS"
        return goal.stated_at(STATED)

    def _when(self, r: dict[str, Any]) -> str:
        if not r:
            return ""
        return day(r.get("measured_at")) or "date not recorded"

    def facts(self) -> str:
        m = self.machine
        parts = [
            f"{m.get('cores', '?')} cores",
            m.get("platform", ""),
            f"Python {m.get('python', '?')}",
            f"SQLite {m.get('sqlite_module', '?')} (module), {m.get('sqlite_cli', '?')} (CLI)",
        ]
        parts += [f"{name} {m[key]}" for key, name in LIBRARIES.items() if m.get(key)]
        if m.get("postgresql"):
            parts.append(f"PostgreSQL {m['postgresql'].split()[0]} on the same machine")
        return ", ".join(p for p in parts if p)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]
