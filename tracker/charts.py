"""Charts of how positions move, as Altair specs: the dashboard shows them, reports embed
them as PNG or SVG (rendered by vl-convert, no browser).

Builders take the dataclasses of :mod:`tracker.timelines` and the issue's own scale
labels, so a chart reads like the taxonomy. Every actor keeps one colour in every chart,
derived from its name (actors sharing a colour in one chart are told apart by dashes).
Text from sources (quotes, titles) goes into the chart as data, shown in tooltips, never
as markup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import textwrap
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from tracker.analysis import GapTrend, gap_trend
from tracker.models import POSITIONS
from tracker.timelines import DayPosition, GapPoint, MatrixCell, RollupPoint, Shift

# Altair refuses to inline more rows than this into one dataset (MaxRowsError).
MAX_ROWS = 5000
# Colours that stay apart on white. Two actors of one colour in a chart get different dashes.
PALETTE = (
    "#1f77b4",  # blue
    "#d62728",  # red
    "#2ca02c",  # green
    "#ff7f0e",  # orange
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # teal
    "#7f7f7f",  # grey
    "#bcbd22",  # olive
    "#393b79",  # navy
    "#252525",  # near black
    "#e6ab02",  # mustard
)
DASHES = ((1, 0), (8, 3), (2, 2), (8, 3, 2, 3))
DATE_FORMAT = "%-d %b %Y"
LABEL_WIDTH = 30  # characters per line of a y-axis label
Y_DOMAIN = (-2.2, 2.2)
WIDTH = 760
PANEL_WIDTH = 680  # panels of stacked charts, which keep their width on the dashboard
PANEL_HEIGHT = 190
FONT = "Liberation Sans, Arial, sans-serif"
ROLLUP_SUFFIX = " (roll-up)"
LEGEND = alt.Legend(
    orient="bottom",
    columns=4,
    symbolType="stroke",
    symbolStrokeWidth=3,
    symbolSize=500,  # long enough to show an actor's dash
    symbolOpacity=1,
    labelLimit=220,
)

Labels = Mapping[int, str]


# --- colours and labels ---------------------------------------------------------------------


def _name_hash(name: str) -> int:
    # Not hash(): Python salts str hashes per process, and colours must survive restarts.
    return int.from_bytes(hashlib.sha256(name.strip().encode("utf-8")).digest()[:8], "big")


def actor_color(name: str) -> str:
    """The actor's colour in every chart, from a hash of its name."""
    return PALETTE[_name_hash(name) % len(PALETTE)]


def format_day(day: dt.date) -> str:
    """'4 Sep 2025': the date as the charts' axes show it."""
    return f"{day.day} {day:%b %Y}"


def position_text(position: float) -> str:
    return "0" if round(position, 2) == 0 else f"{round(position, 2):+g}"


def position_label(labels: Labels, position: float) -> str:
    """The issue's wording for a (possibly averaged) position, as the CLI rounds it."""
    return labels.get(max(-2, min(2, round(position))), "")


def _label_expr(labels: Labels) -> str:
    """A Vega expression turning a tick value (-2..2) into '+2 <the issue's label>', on at
    most three lines so long labels leave room for the plot."""
    expr = '""'
    for point in reversed(POSITIONS):
        text = f"{position_text(point)}  {labels.get(point, '')}".strip()
        lines = textwrap.wrap(text, LABEL_WIDTH, max_lines=3, placeholder=" …") or [""]
        expr = f"datum.value == {point} ? {json.dumps(lines, ensure_ascii=False)} : {expr}"
    return expr


def _y(labels: Labels, field: str = "position", title: str | None = None) -> alt.Y:
    return alt.Y(
        f"{field}:Q",
        title=title,
        scale=alt.Scale(domain=list(Y_DOMAIN), nice=False, zero=False),
        axis=alt.Axis(values=list(POSITIONS), labelExpr=_label_expr(labels), labelLimit=320),
    )


def _span(days: Sequence[dt.date], until: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates a chart shows: from the first day to ``until``, or a little past the last
    day, so the last position's step is visible."""
    if not days:
        today = dt.date.today()
        return today - dt.timedelta(days=30), today
    lo, hi = min(days), max(days)
    if until is not None and until > hi:
        return lo, until
    return lo - dt.timedelta(days=1), hi + max(dt.timedelta(days=1), (hi - lo) / 25)


def _x(span: tuple[dt.date, dt.date], *, title: str | None = "Date") -> alt.X:
    lo, hi = span
    long = (hi - lo).days > 150
    axis = alt.Axis(
        format="%b %Y" if long else DATE_FORMAT,
        labelAngle=0,
        tickCount=alt.TimeIntervalStep(interval="month", step=1) if long else alt.Undefined,
        gridOpacity=0.6,
    )
    # ISO dates parse as UTC midnight: a UTC scale shows them on their own day everywhere.
    scale = alt.Scale(type="utc", domain=[_datetime(lo), _datetime(hi)])
    return alt.X("day:T", title=title, scale=scale, axis=axis)


def _datetime(day: dt.date) -> alt.DateTime:
    return alt.DateTime(year=day.year, month=day.month, date=day.day, utc=True)


def _series_scales(names: Sequence[str]) -> tuple[alt.Scale, alt.Scale]:
    """Colour and dash scales for a chart's series: each keeps its actor's colour (a roll-up
    its party's); where actors share a colour, the first by name is solid, the others dashed."""
    domain = sorted(set(names))
    owners = [n.removesuffix(ROLLUP_SUFFIX) for n in domain]
    colours = [actor_color(owner) for owner in owners]
    sharing: dict[str, list[str]] = defaultdict(list)
    for owner, colour in zip(owners, colours, strict=True):
        if owner not in sharing[colour]:
            sharing[colour].append(owner)
    dashes = [
        list(DASHES[sharing[colour].index(owner) % len(DASHES)])
        for owner, colour in zip(owners, colours, strict=True)
    ]
    return alt.Scale(domain=domain, range=colours), alt.Scale(domain=domain, range=dashes)


def _title(text: str, notes: Sequence[str] = ()) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=list(notes) or alt.Undefined, anchor="start")


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


def _thinned(
    points: Sequence[DayPosition], shifts: Sequence[Shift], extra_rows: int
) -> tuple[list[DayPosition], list[str]]:
    kept = thin(points, shifts, MAX_ROWS - extra_rows)
    if len(kept) == len(points):
        return kept, []
    note = (
        f"Showing {len(kept):,} of {len(points):,} days so the chart stays readable: "
        "every shift and each actor's first and last day are kept; narrow the filters for all."
    )
    return kept, [note]


# --- data frames ------------------------------------------------------------------------------


def _stance_rows(points: Sequence[DayPosition], labels: Labels) -> pd.DataFrame:
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
        ],
    )


def _step_rows(points: Sequence[DayPosition], end: dt.date) -> pd.DataFrame:
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


def _shift_rows(shifts: Sequence[Shift], labels: Labels) -> pd.DataFrame:
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


# --- layers -----------------------------------------------------------------------------------

STANCE_TOOLTIP = [
    alt.Tooltip("date:N", title="Date"),
    alt.Tooltip("actor:N", title="Actor"),
    alt.Tooltip("meaning:N", title="Position"),
    alt.Tooltip("quote:N", title="Quote"),
    alt.Tooltip("source:N", title="Source"),
    alt.Tooltip("outlet:N", title="Outlet"),
    alt.Tooltip("annotator:N", title="Annotator"),
    alt.Tooltip("stances:Q", title="Stances that day"),
    alt.Tooltip("confidence:Q", title="Confidence", format=".2f"),
]


def _position_layers(
    points: Sequence[DayPosition],
    shifts: Sequence[Shift],
    labels: Labels,
    *,
    x: alt.X,
    color: alt.Scale,
    dash: alt.Scale,
    end: dt.date,
) -> list[alt.Chart]:
    """Step line, stance points and shift markers of one issue, in one shared encoding."""
    colour = alt.Color("actor:N", title="Actor", scale=color, legend=LEGEND)
    stroke = alt.StrokeDash("actor:N", title="Actor", scale=dash, legend=LEGEND)
    y = _y(labels)
    line = (
        alt.Chart(_step_rows(points, end), name="positions")
        .mark_line(interpolate="step-after", strokeWidth=2.5, clip=True)
        .encode(x=x, y=y, color=colour, strokeDash=stroke, detail="actor:N")
    )
    dots = (
        alt.Chart(_stance_rows(points, labels), name="stances")
        .mark_point(filled=True, size=70, opacity=1)
        .encode(x=x, y=y, color=colour, tooltip=STANCE_TOOLTIP)
    )
    layers = [line, dots]
    if shifts:
        rows = _shift_rows(shifts, labels)
        tooltip = [
            alt.Tooltip("date:N", title="Shift on"),
            alt.Tooltip("actor:N", title="Actor"),
            alt.Tooltip("shift:N", title="Moved"),
            alt.Tooltip("since:N", title="Previous position stated"),
            alt.Tooltip("quote:N", title="Quote"),
        ]
        layers.append(
            alt.Chart(rows, name="shift-rules")
            .mark_rule(strokeDash=[3, 3], strokeWidth=1.5, opacity=0.7)
            .encode(x=x, color=colour, tooltip=tooltip)
        )
        layers.append(
            alt.Chart(rows, name="shifts")
            .mark_point(filled=True, size=260, stroke="black", strokeWidth=1.2, opacity=1)
            .encode(x=x, y=y, color=colour, shape=alt.Shape("shape:N", scale=None), tooltip=tooltip)
        )
    return layers


def _configured(chart: Any) -> Any:
    return chart.configure(font=FONT).configure_axis(labelFontSize=12, titleFontSize=12)


# --- builders ---------------------------------------------------------------------------------


def timeline_chart(
    points: Sequence[DayPosition],
    shifts: Sequence[Shift],
    labels: Labels,
    *,
    title: str,
    until: dt.date | None = None,
) -> alt.LayerChart:
    """Each actor's position on one issue over time: a step line (a position holds until the
    next stance), a point per day with its quote, a triangle where the position shifted."""
    series = {p.actor for p in points}
    points, notes = _thinned(points, shifts, extra_rows=len(series))
    shifts = list(shifts)[-MAX_ROWS:]
    if shifts:
        notes.append(f"{len(shifts)} shift(s) marked ▲/▼; hover a point for its quote.")
    span = _span([p.day for p in points], until)
    color, dash = _series_scales(sorted(series))
    layers = _position_layers(
        points, shifts, labels, x=_x(span), color=color, dash=dash, end=span[1]
    )
    chart = alt.layer(*layers).properties(
        title=_title(title, notes), width=WIDTH, height=PANEL_HEIGHT * 2
    )
    return _configured(chart)  # type: ignore[no-any-return]


def profile_chart(
    points: Sequence[DayPosition],
    labels_by_issue: Mapping[str, Labels],
    *,
    title: str,
    shifts: Sequence[Shift] = (),
    rollups: Sequence[RollupPoint] = (),
    issue_names: Mapping[str, str] | None = None,
) -> alt.VConcatChart:
    """One actor (or a party's members, with the party's roll-up as a wide pale line) across
    issues: one panel per issue, each with that issue's own scale labels, on one time axis."""
    rollup_points = [_rollup_as_day(r) for r in rollups]
    series = {p.actor for p in points} | {p.actor for p in rollup_points}
    points, notes = _thinned(points, shifts, extra_rows=len(series) + len(rollup_points))
    span = _span([p.day for p in points] + [r.day for r in rollup_points])
    color, dash = _series_scales(sorted(series))
    x = _x(span)
    panels = []
    for issue in sorted({p.issue for p in points} | {r.issue for r in rollups}):
        labels = labels_by_issue.get(issue, {})
        mine = [p for p in points if p.issue == issue]
        layers = _position_layers(
            mine,
            [s for s in shifts if s.issue == issue],
            labels,
            x=x,
            color=color,
            dash=dash,
            end=span[1],
        )
        party_line = [r for r in rollup_points if r.issue == issue]
        if party_line:
            layers.insert(0, _rollup_layer(party_line, labels, x=x, color=color, end=span[1]))
        name = (issue_names or {}).get(issue, issue)
        panels.append(
            alt.layer(*layers).properties(title=name, width=PANEL_WIDTH, height=PANEL_HEIGHT)
        )
    if rollups:
        notes.append("Wide pale line: the party's roll-up of its own and its members' stances.")
    chart = alt.vconcat(*panels, spacing=28).properties(title=_title(title, notes))
    return _configured(chart.resolve_scale(color="shared"))  # type: ignore[no-any-return]


def _rollup_as_day(point: RollupPoint) -> DayPosition:
    return DayPosition(
        actor_id=-1,
        actor=f"{point.party}{ROLLUP_SUFFIX}",
        issue=point.issue,
        day=point.day,
        position=point.position,
        stances=len(point.derived_from),
        stance_id=-1,
        quote="",
        source_id=-1,
        source_title="",
        source_outlet="",
        source_url="",
        annotator="",
        confidence=1.0,
    )


def _rollup_layer(
    points: Sequence[DayPosition],
    labels: Labels,
    *,
    x: alt.X,
    color: alt.Scale,
    end: dt.date,
) -> alt.Chart:
    line: alt.Chart = (
        alt.Chart(_step_rows(points, end), name="rollup")
        .mark_line(interpolate="step-after", strokeWidth=9, opacity=0.3, clip=True)
        .encode(
            x=x, y=_y(labels), color=alt.Color("actor:N", title="Actor", scale=color, legend=LEGEND)
        )
    )
    return line


def matrix_chart(
    cells: Sequence[MatrixCell],
    *,
    title: str,
    labels_by_issue: Mapping[str, Labels] | None = None,
    subtitle: str | None = None,
) -> alt.LayerChart:
    """Actors (or parties) by issues, coloured by position; an arrow marks a change within
    the window (none when the position was not known at the window's start)."""
    labels_by_issue = labels_by_issue or {}
    notes = [subtitle] if subtitle else []
    if len(cells) > MAX_ROWS:
        notes.append(f"Showing the first {MAX_ROWS:,} of {len(cells):,} cells: filter to see all.")
        cells = sorted(cells, key=lambda c: (c.actor, c.issue))[:MAX_ROWS]
    rows = pd.DataFrame(
        [
            {
                "actor": c.actor,
                "issue": c.issue,
                "position": c.position,
                "text": position_text(c.position) + _arrow(c.change),
                "meaning": position_label(labels_by_issue.get(c.issue, {}), c.position),
                "since": format_day(c.since),
                "change": "new in the window"
                if c.change is None
                else ("no change" if c.change == 0 else position_text(c.change)),
                "dark": abs(c.position) >= 1.3,
            }
            for c in cells
        ],
        columns=["actor", "issue", "position", "text", "meaning", "since", "change", "dark"],
    )
    base = alt.Chart(rows).encode(
        x=alt.X(
            "issue:N", title="Issue", axis=alt.Axis(orient="top", labelAngle=0, labelLimit=200)
        ),
        y=alt.Y("actor:N", title=None, axis=alt.Axis(labelLimit=240)),
    )
    tooltip = [
        alt.Tooltip("actor:N", title="Actor"),
        alt.Tooltip("issue:N", title="Issue"),
        alt.Tooltip("position:Q", title="Position", format="+.2f"),
        alt.Tooltip("meaning:N", title="Meaning"),
        alt.Tooltip("since:N", title="Stated on"),
        alt.Tooltip("change:N", title="Change in the window"),
    ]
    heat = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "position:Q",
            title="Position",
            scale=alt.Scale(scheme="redblue", domain=[-2, 2], domainMid=0),
            legend=alt.Legend(
                values=list(POSITIONS),
                labelExpr="datum.value > 0 ? '+' + datum.value : '' + datum.value",
            ),
        ),
        tooltip=tooltip,
    )
    text = base.mark_text(fontSize=13, fontWeight="bold").encode(
        text="text:N",
        color=alt.condition("datum.dark", alt.value("white"), alt.value("black")),
        tooltip=tooltip,
    )
    chart = alt.layer(heat, text).properties(
        title=_title(title, [*notes, "↑/↓: moved within the window; hover a cell for details."]),
        width=alt.Step(130),
        height=alt.Step(30),
    )
    return _configured(chart)  # type: ignore[no-any-return]


def _arrow(change: float | None) -> str:
    if not change:
        return ""
    return " ↑" if change > 0 else " ↓"


def gap_chart(
    gap_points: Sequence[GapPoint],
    side_a_name: str,
    side_b_name: str,
    labels: Labels,
    *,
    title: str | None = None,
) -> alt.VConcatChart:
    """Both sides' positions as step lines, and below them the distance between the sides;
    the title says whether the gap narrowed or widened from the first to the last date."""
    trend = gap_trend(gap_points)  # from every date, before any thinning
    notes = [] if trend is None else [_sentence(gap_summary(trend))]
    if len(gap_points) > MAX_ROWS // 2 - 1:
        notes.append(f"Showing {MAX_ROWS // 2 - 1:,} of {len(gap_points):,} dates, evenly spread.")
        gap_points = _evenly(gap_points, MAX_ROWS // 2 - 1)
    span = _span([p.day for p in gap_points])
    sides = [(side_a_name, [(p.day, p.side_a) for p in gap_points if p.side_a is not None])]
    sides.append((side_b_name, [(p.day, p.side_b) for p in gap_points if p.side_b is not None]))
    gaps = [(p.day, p.gap) for p in gap_points if p.gap is not None]
    side_rows = [{"side": n, **row} for n, values in sides for row in _held(values, span[1])]
    gap_rows = _held(gaps, span[1])
    x = _x(span)
    color = alt.Color(
        "side:N",
        title="Side",
        scale=alt.Scale(
            domain=[side_a_name, side_b_name],
            range=[actor_color(side_a_name), actor_color(side_b_name)],
        ),
        legend=alt.Legend(
            orient="bottom", labelLimit=300, symbolType="stroke", symbolStrokeWidth=3
        ),
    )
    side_data = pd.DataFrame(side_rows, columns=["side", "day", "date", "value", "stated"])
    side_base = alt.Chart(side_data).encode(x=_x(span, title=None), y=_y(labels, "value"))
    side_panel = alt.layer(
        side_base.mark_line(interpolate="step-after", strokeWidth=2.5).encode(color=color),
        side_base.mark_point(filled=True, size=60, opacity=1)
        .encode(
            color=color,
            tooltip=[
                alt.Tooltip("date:N", title="Date"),
                alt.Tooltip("side:N", title="Side"),
                alt.Tooltip("value:Q", title="Position", format="+.2f"),
            ],
        )
        .transform_filter("datum.stated"),
    ).properties(width=PANEL_WIDTH, height=PANEL_HEIGHT * 1.4, title="Each side's position")
    gap_data = pd.DataFrame(gap_rows, columns=["day", "date", "value", "stated"])
    gap_base = alt.Chart(gap_data).encode(
        x=x, y=alt.Y("value:Q", title="Gap (points)", scale=alt.Scale(domain=[0, 4]))
    )
    gap_panel = alt.layer(
        gap_base.mark_area(interpolate="step-after", opacity=0.35, color="#7f7f7f"),
        gap_base.mark_point(filled=True, color="#252525", opacity=1)
        .encode(tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("value:Q", title="Gap")])
        .transform_filter("datum.stated"),
    ).properties(width=PANEL_WIDTH, height=PANEL_HEIGHT * 0.8, title="Distance between the sides")
    sides_line = f"{side_a_name} vs {side_b_name}"
    heading = f"{title}: {sides_line}" if title else sides_line
    state = f"the gap is {trend.direction}" if trend else "no gap measured yet"
    chart = alt.vconcat(side_panel, gap_panel, spacing=20).properties(
        title=_title(f"{heading}: {state}", notes)
    )
    return _configured(chart)  # type: ignore[no-any-return]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _evenly(items: Sequence[GapPoint], limit: int) -> list[GapPoint]:
    """``limit`` items spread evenly, the first and the last included."""
    if len(items) <= limit:
        return list(items)
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


def _held(values: Sequence[tuple[dt.date, float | None]], end: dt.date) -> list[dict[str, Any]]:
    """Rows of a step line, plus its last value again at ``end`` (not a stated point)."""
    rows = [
        {"day": day.isoformat(), "date": format_day(day), "value": value, "stated": True}
        for day, value in values
    ]
    if values and end > values[-1][0]:
        rows.append({**rows[-1], "day": end.isoformat(), "stated": False})
    return rows


def gap_summary(trend: GapTrend | None) -> str:
    """'the gap narrowed from 4 to 2.5 points' (or widened, or held), for titles and captions."""
    if trend is None:
        return "no date with a position on both sides yet"
    if trend.first.day == trend.last.day:
        return f"a gap of {trend.last_gap:g} points on {format_day(trend.last.day)} (one date only)"
    verb = {"narrowing": "narrowed", "widening": "widened", "unchanged": "held"}[trend.direction]
    span = f"between {format_day(trend.first.day)} and {format_day(trend.last.day)}"
    if trend.direction == "unchanged":
        return f"the gap held at {trend.last_gap:g} points {span}"
    return f"the gap {verb} from {trend.first_gap:g} to {trend.last_gap:g} points {span}"


# --- export -----------------------------------------------------------------------------------


def chart_png(chart: alt.TopLevelMixin, *, scale: float = 2.0) -> bytes:
    """The chart as a PNG image (twice the pixels by default, sharp on screens and in PDFs)."""
    return bytes(vlc.vegalite_to_png(chart.to_dict(), scale=scale))


def chart_svg(chart: alt.TopLevelMixin) -> str:
    return str(vlc.vegalite_to_svg(chart.to_dict()))
