"""Charts of how positions move, as Altair specs: the dashboard shows them, reports embed
them as PNG or SVG (rendered by vl-convert, no browser).

Builders take the dataclasses of :mod:`tracker.timelines` and the issue's own scale
labels, so a chart reads like the taxonomy. Colours, axes and labels shared by all charts
are in :mod:`tracker.chart_scales`, the rows they draw in :mod:`tracker.chart_data`. Text
from sources (quotes, titles) goes into the chart as data, shown in tooltips, never as
markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from tracker.analysis import GapTrend, gap_trend
from tracker.chart_data import (
    MAX_ROWS,
    change_points,
    evenly,
    held_rows,
    printed_rows,
    rollup_as_day,
    shift_rows,
    stance_rows,
    step_rows,
    thin,
    thinned,
    timeline_room,
    weekly_points,
)
from tracker.chart_scales import (
    AXIS_CHARS,
    LEGEND_CHARS,
    MATRIX_LABEL_CHARS,
    MATRIX_STEP,
    PANEL_HEIGHT,
    PANEL_WIDTH,
    WIDTH,
    Labels,
    actor_color,
    actor_legend,
    chart_title,
    configured,
    date_span,
    date_x,
    format_day,
    name_labels,
    position_label,
    position_text,
    position_y,
    series_scales,
    wrapped_labels,
)
from tracker.models import POSITIONS
from tracker.text import plural
from tracker.timelines import DayPosition, GapPoint, MatrixCell, RollupPoint, Shift

# The builders, and the helpers the dashboard and the tests take from here.
__all__ = [
    "MAX_ROWS",
    "actor_color",
    "chart_png",
    "chart_svg",
    "format_day",
    "gap_chart",
    "gap_summary",
    "matrix_chart",
    "position_label",
    "position_text",
    "profile_chart",
    "thin",
    "timeline_chart",
    "timeline_spec",
]


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
    alt.Tooltip("attribution:N", title="Attribution"),
    alt.Tooltip("condition:N", title="Condition"),
    alt.Tooltip("corroboration:Q", title="Independent sources"),
]


class _Rows:
    """Where a layer's rows go: into the chart, a data frame Altair inlines; or, for a
    printed image, into ``datasets`` under the layer's name, added to the spec after
    Altair has made it (its copying and sanitising of the frames cost more than drawing)."""

    def __init__(self, *, named: bool) -> None:
        self.named = named
        self.datasets: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, name: str, rows: pd.DataFrame) -> pd.DataFrame | alt.Data:
        if not self.named:
            return rows
        self.datasets[name] = [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]
        data: alt.Data = alt.Data(name=name)  # type: ignore[no-untyped-call]
        return data


def _position_layers(
    points: Sequence[DayPosition],
    shifts: Sequence[Shift],
    labels: Labels,
    *,
    x: alt.X,
    color: alt.Scale,
    dash: alt.Scale,
    end: dt.date,
    printed: _Rows | None = None,
    start: dt.date | None = None,
) -> list[alt.Chart]:
    """Step line, stance points and shift markers of one issue, in one shared encoding.
    ``printed``: for an image nobody can hover, the line through its change points only,
    a point per week (:func:`weekly_points`), no tooltip data, the rows kept there.
    ``start``: no points before it (the line, clipped, still holds their position)."""
    data = printed or _Rows(named=False)
    legend = actor_legend(color.domain, printed=printed is not None)
    colour = alt.Color("actor:N", title="Actor", scale=color, legend=legend)
    stroke = alt.StrokeDash("actor:N", title="Actor", scale=dash, legend=legend)
    y = position_y(labels)
    steps = step_rows(change_points(points) if printed else points, end)
    line = (
        alt.Chart(data("positions", steps), name="positions")
        .mark_line(interpolate="step-after", strokeWidth=2.5, clip=True)
        .encode(x=x, y=y, color=colour, strokeDash=stroke, detail="actor:N")
    )
    if printed:
        drawn = [p for p in points if start is None or p.day >= start]
        rows, tooltip = printed_rows(weekly_points(drawn)), []
    else:
        rows, tooltip = stance_rows(points, labels), STANCE_TOOLTIP
    dots = (
        alt.Chart(data("stances", rows[~rows["conditional"]]), name="stances")
        .mark_point(filled=True, size=70, opacity=1)
        .encode(x=x, y=y, color=colour, tooltip=tooltip)
    )
    layers = [line, dots]
    if rows["conditional"].any():  # hollow: a conditional support is not plain support
        conditional = data("conditional-stances", rows[rows["conditional"]])
        layers.append(
            alt.Chart(conditional, name="conditional-stances")
            .mark_point(filled=False, size=110, strokeWidth=2.5, opacity=1)
            .encode(x=x, y=y, color=colour, tooltip=tooltip)
        )
    if shifts:
        rows = shift_rows(shifts, labels)
        tooltip = [
            alt.Tooltip("date:N", title="Shift on"),
            alt.Tooltip("actor:N", title="Actor"),
            alt.Tooltip("shift:N", title="Moved"),
            alt.Tooltip("since:N", title="Previous position stated"),
            alt.Tooltip("quote:N", title="Quote"),
        ]
        shifted = data("shifts", rows)
        layers.append(
            alt.Chart(shifted, name="shift-rules")
            .mark_rule(strokeDash=[3, 3], strokeWidth=1.5, opacity=0.7)
            .encode(x=x, color=colour, tooltip=tooltip)
        )
        layers.append(
            alt.Chart(shifted, name="shifts")
            .mark_point(filled=True, size=260, stroke="black", strokeWidth=1.2, opacity=1)
            .encode(x=x, y=y, color=colour, shape=alt.Shape("shape:N", scale=None), tooltip=tooltip)
        )
    return layers


def _shading(shaded: Shaded, x: alt.X, data: _Rows, *, inside: bool) -> list[alt.Chart]:
    """A pale band over the shaded days (to the end of the last), named at its top."""
    rows = pd.DataFrame(
        [
            {
                "day": shaded.start.isoformat(),
                "day_end": (shaded.end + dt.timedelta(days=1)).isoformat(),
                "label": shaded.label,
            }
        ]
    )
    band = data("shaded", rows)
    return [
        alt.Chart(band, name="shaded")
        .mark_rect(color="#ffe08a", opacity=0.45, clip=True)
        .encode(x=x, x2=alt.X2("day_end:T")),
        alt.Chart(band, name="shaded-label")
        .mark_text(
            align="left" if inside else "right",
            baseline="top",
            dx=3 if inside else -3,
            dy=3,
            fontSize=10,
            color="#7a5c00",
        )
        .encode(x=x, y=alt.value(0), text="label:N"),
    ]


# --- builders ---------------------------------------------------------------------------------


def timeline_chart(
    points: Sequence[DayPosition],
    shifts: Sequence[Shift],
    labels: Labels,
    *,
    title: str,
    until: dt.date | None = None,
    days: int | None = None,
) -> alt.LayerChart:
    """Each actor's position on one issue over time: a step line (a position holds until the
    next stance), a point per day with its quote, a triangle where the position shifted.
    ``days``: how many days the series had, when the caller kept only those a chart can
    draw to read their evidence alone (:func:`tracker.timeline_view.timeline_view`)."""
    return _timeline(points, shifts, labels, title=title, until=until, printed=None, days=days)


@dataclass(frozen=True)
class Shaded:
    """Days a printed timeline shades and names: the report's period."""

    start: dt.date
    end: dt.date
    label: str


def timeline_spec(
    points: Sequence[DayPosition],
    shifts: Sequence[Shift],
    labels: Labels,
    *,
    title: str,
    until: dt.date | None = None,
    since: dt.date | None = None,
    shaded: Shaded | None = None,
) -> dict[str, Any]:
    """:func:`timeline_chart` for print, as a Vega-Lite spec: the step line through its
    change points (it draws the same steps), a point per actor and week with a stance, no
    tooltips. A year of a busy issue drawn in full made 900 KiB of SVG and took a second.
    ``since``: the first day drawn (earlier days only hold the line at the left edge);
    ``shaded``: the days to pick out (the report's week)."""
    printed = _Rows(named=True)
    chart = _timeline(
        points,
        shifts,
        labels,
        title=title,
        until=until,
        printed=printed,
        since=since,
        shaded=shaded,
    )
    spec: dict[str, Any] = chart.to_dict(validate=False)  # validation: see chart_png
    spec["datasets"] = printed.datasets
    return spec


def _timeline(
    points: Sequence[DayPosition],
    shifts: Sequence[Shift],
    labels: Labels,
    *,
    title: str,
    until: dt.date | None,
    printed: _Rows | None,
    days: int | None = None,
    since: dt.date | None = None,
    shaded: Shaded | None = None,
) -> alt.LayerChart:
    series = {p.actor for p in points}
    points, notes = thinned(points, shifts, timeline_room(points), days=days)
    # Only the drawn actors' shifts can be marked: say so when the chart leaves some out
    # (the report draws the actors with the largest moves).
    found = len(shifts)
    shifts = [s for s in shifts if s.actor in series][-MAX_ROWS:]
    hover = "" if printed else "; hover a point for its quote"
    if shifts and len(shifts) < found:
        notes.append(
            f"{len(shifts)} of {found} shifts marked ▲/▼ (the {len(series)} actors drawn){hover}."
        )
    elif shifts:
        notes.append(f"{plural(len(shifts), 'shift')} marked ▲/▼{hover}.")
    if any(p.conditional for p in points):
        condition = "." if printed else " (hover for the condition)."
        notes.append("Hollow points: conditional stances" + condition)
    if printed:
        notes.append("A point for each week an actor stated a position.")
    if shaded:
        notes.append(
            f"Shaded: {shaded.label}, {format_day(shaded.start)} – {format_day(shaded.end)}."
        )
    span = date_span([p.day for p in points], until)
    if since is not None and since > span[0]:
        span = (since, span[1])
    color, dash = series_scales(list(series))
    x = date_x(span)
    layers = _position_layers(
        points,
        shifts,
        labels,
        x=x,
        color=color,
        dash=dash,
        end=span[1],
        printed=printed,
        start=span[0],
    )
    if shaded:
        # Named beside the band, or inside it when it starts in the left half (a long span).
        inside = (shaded.start - span[0]) < (span[1] - shaded.start)
        layers[:0] = _shading(shaded, x, printed or _Rows(named=False), inside=inside)
    # Properties given when the layers are joined: each later .properties() copies the
    # chart, deep-copying every layer twice (see configured).
    chart = alt.layer(
        *layers, title=chart_title(title, notes), width=WIDTH, height=PANEL_HEIGHT * 2
    )
    if printed:
        # The image is laid out with Liberation Sans (Arial's metrics); a reader's browser
        # without either draws wider text, which cut the "+" off "+2" at the left edge.
        chart.padding = {"left": 28, "top": 5, "right": 5, "bottom": 5}
    return configured(chart)  # type: ignore[no-any-return]


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
    rollup_points = [rollup_as_day(r) for r in rollups]
    series = {p.actor for p in points} | {p.actor for p in rollup_points}
    points, notes = thinned(points, shifts, MAX_ROWS - len(series) - len(rollup_points))
    span = date_span([p.day for p in points] + [r.day for r in rollup_points])
    color, dash = series_scales(list(series))
    x = date_x(span)
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
        panels.append(alt.layer(*layers, title=name, width=PANEL_WIDTH, height=PANEL_HEIGHT))
    if rollups:
        notes.append("Wide pale line: the party's roll-up of its own and its members' stances.")
    # The shared colour given when the panels are joined: .resolve_scale() afterwards
    # deep-copies every panel with its rows.
    chart = alt.vconcat(
        *panels,
        spacing=28,
        title=chart_title(title, notes),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="shared")),
    )
    return configured(chart)  # type: ignore[no-any-return]


def _rollup_layer(
    points: Sequence[DayPosition],
    labels: Labels,
    *,
    x: alt.X,
    color: alt.Scale,
    end: dt.date,
) -> alt.Chart:
    line: alt.Chart = (
        alt.Chart(step_rows(points, end), name="rollup")
        .mark_line(interpolate="step-after", strokeWidth=9, opacity=0.3, clip=True)
        .encode(
            x=x,
            y=position_y(labels),
            color=alt.Color(
                "actor:N",
                title="Actor",
                scale=color,
                legend=actor_legend(color.domain, printed=False),
            ),
        )
    )
    return line


def matrix_chart(
    cells: Sequence[MatrixCell],
    *,
    title: str,
    labels_by_issue: Mapping[str, Labels] | None = None,
    subtitle: str | None = None,
    issue_names: Mapping[str, str] | None = None,
) -> alt.LayerChart:
    """Actors (or parties) by issues, coloured by position; an arrow marks a change within
    the window (none when the position was not known at the window's start). Issues are
    shown by their names (``issue_names``, by slug) where given."""
    labels_by_issue = labels_by_issue or {}
    issue_names = issue_names or {}
    notes = [subtitle] if subtitle else []
    if len(cells) > MAX_ROWS:
        notes.append(f"Showing the first {MAX_ROWS:,} of {len(cells):,} cells: filter to see all.")
        cells = sorted(cells, key=lambda c: (c.actor, c.issue))[:MAX_ROWS]
    rows = pd.DataFrame(
        [
            {
                "actor": c.actor,
                "issue": c.issue,  # by slug: two issues may share a name
                "issue_name": issue_names.get(c.issue, c.issue),
                "position": c.position,
                "text": position_text(c.position) + _arrow(c.change),
                "meaning": position_label(labels_by_issue.get(c.issue, {}), c.position),
                "since": format_day(c.since),
                "change": change_text(c),
                "dark": abs(c.position) >= 1.3,
            }
            for c in cells
        ],
        columns=[
            "actor",
            "issue",
            "issue_name",
            "position",
            "text",
            "meaning",
            "since",
            "change",
            "dark",
        ],  # fmt: skip
    )
    base = alt.Chart(rows).encode(
        x=alt.X(
            "issue:N",
            title="Issue",
            axis=alt.Axis(
                orient="top",
                labelAngle=0,
                labelLimit=MATRIX_STEP,
                labelFontSize=11,  # browsers without Arial's metrics draw wider text
                labelAlign="center",  # the first was set flush left in the browser
                labelFlush=False,
                labelOverlap=False,  # wrapped, every issue fits its column: show them all
                **wrapped_labels(
                    dict(zip(rows["issue"], rows["issue_name"], strict=True)), MATRIX_LABEL_CHARS
                ),  # fmt: skip
            ),
        ),
        y=alt.Y(
            "actor:N",
            title=None,
            axis=alt.Axis(labelLimit=240, **name_labels(rows["actor"], AXIS_CHARS[240])),
        ),
    )
    tooltip = [
        alt.Tooltip("actor:N", title="Actor"),
        alt.Tooltip("issue_name:N", title="Issue"),
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
                orient="bottom",  # beside the grid it took the width of a column
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
    chart = alt.layer(
        heat,
        text,
        title=chart_title(
            title, [*notes, "↑/↓: moved within the window; hover a cell for details."]
        ),
        width=alt.Step(MATRIX_STEP),
        height=alt.Step(30),
    )
    return configured(chart)  # type: ignore[no-any-return]


def change_text(cell: MatrixCell) -> str:
    """A cell's change in the window, as its tooltip and the page's caption say it."""
    if cell.change is None:
        return "new in the window"
    moved = "no change" if cell.change == 0 else position_text(cell.change)
    return f"new in the window, then {moved}" if cell.new_in_window else moved


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
        gap_points = evenly(gap_points, MAX_ROWS // 2 - 1)
    span = date_span([p.day for p in gap_points])
    sides = [(side_a_name, [(p.day, p.side_a) for p in gap_points if p.side_a is not None])]
    sides.append((side_b_name, [(p.day, p.side_b) for p in gap_points if p.side_b is not None]))
    gaps = [(p.day, p.gap) for p in gap_points if p.gap is not None]
    side_rows = [{"side": n, **row} for n, values in sides for row in held_rows(values, span[1])]
    gap_rows = held_rows(gaps, span[1])
    x = date_x(span)
    color = alt.Color(
        "side:N",
        title="Side",
        scale=alt.Scale(
            domain=[side_a_name, side_b_name],
            range=[actor_color(side_a_name), actor_color(side_b_name)],
        ),
        legend=alt.Legend(
            orient="bottom",
            labelLimit=300,
            symbolType="stroke",
            symbolStrokeWidth=3,
            **name_labels([side_a_name, side_b_name], LEGEND_CHARS[300]),
        ),
    )
    side_data = pd.DataFrame(side_rows, columns=["side", "day", "date", "value", "stated"])
    side_base = alt.Chart(side_data).encode(
        x=date_x(span, title=None), y=position_y(labels, "value")
    )
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
        width=PANEL_WIDTH,
        height=PANEL_HEIGHT * 1.4,
        title="Each side's position",
    )
    gap_data = pd.DataFrame(gap_rows, columns=["day", "date", "value", "stated"])
    gap_base = alt.Chart(gap_data).encode(
        x=x, y=alt.Y("value:Q", title="Gap (points)", scale=alt.Scale(domain=[0, 4]))
    )
    gap_panel = alt.layer(
        gap_base.mark_area(interpolate="step-after", opacity=0.35, color="#7f7f7f"),
        gap_base.mark_point(filled=True, color="#252525", opacity=1)
        .encode(tooltip=[alt.Tooltip("date:N", title="Date"), alt.Tooltip("value:Q", title="Gap")])
        .transform_filter("datum.stated"),
        width=PANEL_WIDTH,
        height=PANEL_HEIGHT * 0.8,
        title="Distance between the sides",
    )
    sides_line = f"{side_a_name} vs {side_b_name}"
    heading = f"{title}: {sides_line}" if title else sides_line
    state = f"the gap is {trend.direction}" if trend else "no gap measured yet"
    chart = alt.vconcat(
        side_panel, gap_panel, spacing=20, title=chart_title(f"{heading}: {state}", notes)
    )
    return configured(chart)  # type: ignore[no-any-return]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def gap_summary(trend: GapTrend | None) -> str:
    """'the gap narrowed from 4 to 2.5 points' (or widened, or held), for titles and captions."""
    if trend is None:
        return "no date with a position on both sides yet"
    if trend.first.day == trend.last.day:
        return f"a gap of {_points(trend.last_gap)} on {format_day(trend.last.day)} (one date only)"
    verb = {"narrowing": "narrowed", "widening": "widened", "unchanged": "held"}[trend.direction]
    span = f"between {format_day(trend.first.day)} and {format_day(trend.last.day)}"
    if trend.direction == "unchanged":
        return f"the gap held at {_points(trend.last_gap)} {span}"
    return f"the gap {verb} from {round(trend.first_gap, 2):g} to {_points(trend.last_gap)} {span}"


def _points(gap: float) -> str:
    # As the table beside it rounds: 1.1818 read "1.1818 points" over a cell of 1.18.
    return f"{round(gap, 2):g} points"


# --- export -----------------------------------------------------------------------------------


def chart_png(chart: alt.TopLevelMixin | dict[str, Any], *, scale: float = 2.0) -> bytes:
    """The chart (or a spec of :func:`timeline_spec`) as a PNG image (twice the pixels by
    default, sharp on screens and in PDFs)."""
    return bytes(vlc.vegalite_to_png(_spec(chart), scale=scale))


def chart_svg(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    return str(vlc.vegalite_to_svg(_spec(chart)))


def _spec(chart: alt.TopLevelMixin | dict[str, Any]) -> dict[str, Any]:
    if isinstance(chart, dict):
        return chart
    # Built by our own code from typed rows: skip Altair's schema validation, which costs
    # more than drawing (the dashboard's charts are still validated when shown).
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec
