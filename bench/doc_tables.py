"""Small pieces the sections of docs/benchmarks.md share: numbers, sizes, tables, targets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

SIZE_NAMES = {1_000: "1k", 10_000: "10k", 100_000: "100k", 1_000_000: "1M"}
BACKEND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ANY = "any"  # a Goal's backend when no database is involved


def size_name(size: int) -> str:
    return SIZE_NAMES.get(size, f"{size:,}")


def backend_name(backend: str) -> str:
    return BACKEND_NAMES.get(backend, backend)


def seconds(value: float | None) -> str:
    if value is None:
        return "not run"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def factor(new: float | None, old: float | None) -> str:
    """How many times ``old`` grew to ``new`` ("" when either is missing)."""
    if not new or not old:
        return ""
    return f"{new / old:.1f}x"


def day(stamp: str | None) -> str:
    """The date part of an ISO timestamp."""
    return stamp[:10] if stamp else ""


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def loads(values: Iterable[str | None]) -> str:
    """The range of 1-minute load averages ("2.5 / 3.0 / 2.3" strings): "1.8-2.9"."""
    ones = sorted(float(v.split("/")[0]) for v in values if v)
    if not ones:
        return "not recorded"
    low, high = ones[0], ones[-1]
    return f"{low:.1f}" if low == high else f"{low:.1f}-{high:.1f}"


@dataclass
class Goal:
    """One target of the issues and how one backend did at the size it is stated for."""

    target: str
    backend: str
    verdict: str  # met, MISSED, not run
    value: str
    size: int | None = None
    measured: str = ""  # dates, or why unknown
    key: str = ""  # which target, for ordering

    def cell(self) -> str:
        if self.verdict == "not run":
            return f"not run {self.value}".strip()
        verdict = "met" if self.verdict == "met" else "**MISSED**"
        at = f" at {size_name(self.size)}" if self.size else ""
        return f"{verdict}{at}: {self.value}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def stated_at(self, stated: int) -> Goal:
        """Judged below the size the target is stated for: not a verdict on the target."""
        if self.size is not None and self.size < stated and self.verdict != "not run":
            self.value = (
                f"at {size_name(stated)}; at {size_name(self.size)}: {self.verdict}, {self.value}"
            )
            self.verdict, self.size = "not run", None
        return self


def verdict(met: bool | None) -> str:
    return "not run" if met is None else ("met" if met else "MISSED")


def goals_table(goals: list[Goal]) -> str:
    """One row per target, one column per backend."""
    targets: dict[str, dict[str, Goal]] = {}
    for goal in goals:
        targets.setdefault(goal.target, {})[goal.backend] = goal
    backends = [b for b in ("sqlite", "postgresql") if any(g.backend == b for g in goals)]
    rows = []
    for target, by_backend in targets.items():
        if ANY in by_backend:  # no database in the timed work
            cells = [by_backend[ANY].cell()] + ["does not apply"] * (len(backends) - 1)
        else:
            cells = [by_backend[b].cell() if b in by_backend else "not measured" for b in backends]
        measured = sorted({g.measured for g in by_backend.values() if g.measured})
        rows.append([target, *cells, "; ".join(measured)])
    header = ["target (from the issues)", *(backend_name(b) for b in backends), "measured"]
    return md_table(header, rows)
