"""The "Dashboard pages" section's figures, from docs/benchmarks/pages.json."""

from __future__ import annotations

from typing import Any

from bench.doc_tables import Goal, day, factor, md_table, seconds, size_name

GOAL = "each dashboard page's script run (warm AppTest) with 1M stances: < 1 s"
STATED = 1_000_000


class Pages:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.machine: dict[str, Any] = data.get("machine", {})
        self.results: list[dict[str, Any]] = data.get("results", [])
        self.profiles: list[dict[str, Any]] = data.get("profiles", [])
        self.target_s: float = data.get("target_s", 1.0)
        self.target: str = data.get("target", "")
        self.sizes = sorted({r["size"] for r in self.results})
        self.largest = self.sizes[-1] if self.sizes else 0
        self.pages = list(dict.fromkeys(r["page"] for r in self.results))
        self.rows = {(r["page"], r["size"]): r for r in self.results}

    @property
    def date(self) -> str:
        return day(self.machine.get("date"))

    @property
    def revision(self) -> str:
        return self.machine.get("revision") or "not recorded"

    @property
    def runs(self) -> int:
        return max((len(r["runs_s"]) for r in self.results), default=0)

    def table(self) -> str:
        """Warm median of each page at each size, growth, cold run and result at the largest."""
        steps = list(zip(self.sizes, self.sizes[1:], strict=False))
        header = ["page", *(size_name(s) for s in self.sizes)]
        header += [f"{size_name(a)} → {size_name(b)}" for a, b in steps]
        header += [f"cold at {size_name(self.largest)}", "target", "result", "what it showed"]
        rows = []
        for page in self.pages:
            found = [self.rows.get((page, s), {}) for s in self.sizes]
            top = found[-1]
            cells = [seconds(r.get("warm_s")) if r else "" for r in found]
            cells += [factor(b.get("warm_s"), a.get("warm_s")) for a, b in _pairs(found)]
            cells += [
                seconds(top.get("cold_s")),
                f"< {self.target_s:g} s",
                _result(top),
                _showed(top),
            ]
            rows.append([f"`{page}`", *cells])
        baseline = [self._baseline(s) for s in self.sizes]
        blank = [""] * (len(header) - 1 - len(baseline))
        rows.append(["*baseline: `st.title` only*", *baseline, *blank])
        return md_table(header, rows)

    def _baseline(self, size: int) -> str:
        r = next((r for r in self.results if r["size"] == size), None)
        return seconds(r["baseline_s"]) if r else ""

    def missed(self) -> list[dict[str, Any]]:
        top = [r for r in self.results if r["size"] == self.largest]
        return sorted((r for r in top if not r["met"]), key=lambda r: -r["warm_s"])

    def goal(self) -> Goal:
        top = [r for r in self.results if r["size"] == self.largest]
        if not top:
            return Goal(GOAL, "sqlite", "not run", "", key="pages")
        missed = self.missed()
        if missed:
            worst = ", ".join(f"`{r['page']}` {seconds(r['warm_s'])}" for r in missed)
            value = f"{len(missed)} of {len(top)} page runs: {worst}"
        else:
            slowest = max(top, key=lambda r: r["warm_s"])
            value = f"all {len(top)} page runs; slowest `{slowest['page']}` " + seconds(
                slowest["warm_s"]
            )
        verdict = "MISSED" if missed else "met"
        goal = Goal(GOAL, "sqlite", verdict, value, self.largest, self.date, key="pages")
        return goal.stated_at(STATED)

    def profile_notes(self) -> str:
        """Each profiled page: where its warm run went, from the JSON's profile summary."""
        parts = []
        for p in self.profiles:
            top = p["top_cumulative_services"][:3]
            services = "; ".join(f"`{f['function']}` {f['cumulative_s']:.2f} s" for f in top)
            slowest = p["slowest_statements"][0] if p["slowest_statements"] else None
            sql = (
                f" Slowest statement: {slowest['execute_s']:.2f} s from `{slowest['caller']}`."
                if slowest
                else ""
            )
            parts.append(
                f"- **`{p['page']}`** at {size_name(p['size'])}: profiled warm run "
                f"{p['profiled_run_s']:.2f} s, {p['statements']} SQL statements taking "
                f"{p['statements_execute_s']:.2f} s in execute. Top by cumulative time: "
                f"{services}.{sql}"
            )
        return "\n".join(parts)


def _pairs(items: list[Any]) -> list[tuple[Any, Any]]:
    return list(zip(items, items[1:], strict=False))


def _result(r: dict[str, Any]) -> str:
    if not r:
        return "not run"
    if r.get("exceptions"):
        return "**EXCEPTION**"
    return "met" if r["met"] else "**MISSED**"


def _showed(r: dict[str, Any]) -> str:
    """Errors or the first info message: a page that stops early is not measuring much."""
    if not r:
        return ""
    notes = [f"exception: {_short(e, 80)}" for e in r.get("exceptions", [])]
    notes += [f"error: {_short(e, 80)}" for e in r.get("errors", [])]
    notes += [f"info: {_short(e, 70)}" for e in r.get("infos", [])[:1]]
    return "; ".join(n.replace("`", "'") for n in notes)  # a cut-off backtick would run on


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length].rstrip() + "…"
