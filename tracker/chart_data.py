"""The rows the charts draw: long series thinned to what Altair will inline, and data frames
of positions, steps and shifts with the evidence their tooltips show.

Text from sources (quotes, titles) goes into these rows as data, never as markup.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import pandas as pd

from tracker.chart_scales import ROLLUP_SUFFIX, Labels, format_day, position_label, position_text
from tracker.evidence import attribution_text
from tracker.timelines import DayPosition, Evidence, GapPoint, RollupPoint, Shift

# Altair refuses to inline more rows than this into one dataset (MaxRowsError).
MAX_ROWS = 5000


# --- thinning ---------------------------------------------------------------------------------


def thin(
    points: Sequence[DayPosition], shifts: Sequence[Shift] = (), limit: int = MAX_ROWS
) -> list[DayPosition]:
    """At most ``limit`` days, oldest first: every shift's two days first, then each series'
    first and last day, then days spread evenly over the rest."""
    if len(points) <= limit:
        return list(points)

    def key(p: DayPosition) -> tuple[int, str, dt.date]:
        return (p.actor_id, p.issue, p.day)

    shift_days = {key(s.before) for s in shifts} | {key(s.after) for s in shifts}
    series: dict[tuple[int, str], list[DayPosition]] = defaultdict(list)
    for p in points:
        series[(p.actor_id, p.issue)].append(p)
    ends = {key(p) for days in series.values() for p in (min(days, key=key), max(days, key=key))}
    ranked = [*sorted(shift_days), *sorted(ends - shift_days)]
    keep = set(ranked[:limit])
    rest = [p for p in points if key(p) not in keep]
    room = limit - len(keep)
    if room > 0:
        keep |= {key(rest[i * len(rest) // room]) for i in range(room)}
    return [p for p in points if key(p) in keep]


def timeline_room(points: Sequence[DayPosition]) -> int:
    """How many days a timeline chart can inline: its step lines take a row per actor."""
    return MAX_ROWS - len({p.actor for p in points})


def thinned(
    points: Sequence[DayPosition],
    shifts: Sequence[Shift],
    limit: int,
    days: int | None = None,
) -> tuple[list[DayPosition], list[str]]:
    """The days :func:`thin` keeps within ``limit``, and a note for the title when some
    were left out. ``days``: how many the series had, when the caller thinned it already
    (tracker.timeline_view reads the evidence of the kept days only)."""
    kept = thin(points, shifts, limit)
    total = max(days or 0, len(points))
    if len(kept) == total:
        return kept, []
    note = (
        f"Showing {len(kept):,} of {total:,} days so the chart stays readable: "
        "every shift and each actor's first and last day are kept; narrow the filters for all."
    )
    return kept, [note]


def change_points(points: Sequence[DayPosition]) -> list[DayPosition]:
    """Each series' first day and the days its position changed: a step line through these
    draws exactly what it draws through every day."""
    last: dict[tuple[int, str], float] = {}
    kept = []
    for p in sorted(points, key=lambda p: (p.actor_id, p.issue, p.day)):
        key = (p.actor_id, p.issue)
        if last.get(key) != p.position:
            kept.append(p)
        last[key] = p.position
    return kept


def weekly_points(points: Sequence[DayPosition]) -> list[DayPosition]:
    """One point per actor, issue, ISO week and position (the week's first such day), the
    conditional ones apart: in a year-long image a dot is five days wide, so the days of
    one week drew one blot, at a tenth of the cost."""
    seen: set[tuple[int, str, tuple[int, int], float, bool]] = set()
    kept = []
    for p in sorted(points, key=lambda p: (p.actor_id, p.issue, p.day)):
        year, week, _ = p.day.isocalendar()
        key = (p.actor_id, p.issue, (year, week), p.position, p.conditional)
        if key not in seen:
            seen.add(key)
            kept.append(p)
    return kept


def evenly(items: Sequence[GapPoint], limit: int) -> list[GapPoint]:
    """``limit`` items spread evenly, the first and the last included."""
    if len(items) <= limit:
        return list(items)
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


# --- data frames ------------------------------------------------------------------------------


def stance_rows(points: Sequence[DayPosition], labels: Labels) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "actor": p.actor,
                "day": p.day.isoformat(),
                "date": format_day(p.day),
                "position": p.position,
                "meaning": f"{position_text(p.position)}  {position_label(labels, p.position)}",
                "quote": p.quote,
                "source": p.source_title,
                "outlet": p.source_outlet,
                "annotator": p.annotator,
                "stances": p.stances,
                "confidence": p.confidence,
                "attribution": attribution_text(p.attribution, p.reported_by),
                "conditional": p.conditional,
                "condition": f"conditional: {p.condition}" if p.conditional else "no",
                "corroboration": p.corroboration,
            }
            for p in points
        ],
        columns=[
            "actor",
            "day",
            "date",
            "position",
            "meaning",
            "quote",
            "source",
            "outlet",
            "annotator",
            "stances",
            "confidence",
            "attribution",
            "conditional",
            "condition",
            "corroboration",
        ],
    )


def printed_rows(points: Sequence[DayPosition]) -> pd.DataFrame:
    """The columns an image draws, without the evidence only a tooltip shows."""
    return pd.DataFrame(
        [
            {
                "actor": p.actor,
                "day": p.day.isoformat(),
                "position": p.position,
                "conditional": p.conditional,
            }
            for p in points
        ],
        columns=["actor", "day", "position", "conditional"],
    )


def step_rows(points: Sequence[DayPosition], end: dt.date) -> pd.DataFrame:
    """Each series' days plus one row at ``end``: a position holds until the next stance."""
    last: dict[str, DayPosition] = {}
    rows = []
    for p in sorted(points, key=lambda p: (p.actor, p.day)):
        rows.append({"actor": p.actor, "day": p.day.isoformat(), "position": p.position})
        last[p.actor] = p
    for actor, p in last.items():
        if end > p.day:
            rows.append({"actor": actor, "day": end.isoformat(), "position": p.position})
    return pd.DataFrame(rows, columns=["actor", "day", "position"])


def shift_rows(shifts: Sequence[Shift], labels: Labels) -> pd.DataFrame:
    def side(p: DayPosition) -> str:
        return f"{position_text(p.position)} ({position_label(labels, p.position)})"

    return pd.DataFrame(
        [
            {
                "actor": s.actor,
                "day": s.day.isoformat(),
                "date": format_day(s.day),
                "position": s.after.position,
                "shape": "triangle-up" if s.after.position > s.before.position else "triangle-down",
                "shift": f"from {side(s.before)} to {side(s.after)}",
                "since": format_day(s.before.day),
                "quote": s.after.quote,
            }
            for s in shifts
        ],
        columns=["actor", "day", "date", "position", "shape", "shift", "since", "quote"],
    )


def rollup_as_day(point: RollupPoint) -> DayPosition:
    """A party's roll-up as one more series, named '<party> (roll-up)'."""
    return DayPosition(
        actor_id=-1,
        actor=f"{point.party}{ROLLUP_SUFFIX}",
        issue=point.issue,
        day=point.day,
        position=point.position,
        stances=len(point.derived_from),
        stance_id=-1,
        evidence=Evidence("", -1, "", "", "", "", 1.0),  # drawn as a line, never hovered
    )


def held_rows(values: Sequence[tuple[dt.date, float | None]], end: dt.date) -> list[dict[str, Any]]:
    """Rows of a step line, plus its last value again at ``end`` (not a stated point)."""
    rows = [
        {"day": day.isoformat(), "date": format_day(day), "value": value, "stated": True}
        for day, value in values
    ]
    if values and end > values[-1][0]:
        rows.append({**rows[-1], "day": end.isoformat(), "stated": False})
    return rows
