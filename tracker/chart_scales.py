"""What every chart shares: actor colours and dashes, the issue's scale labels on the y axis,
the time axis, titles and the common look (font, label sizes).

Every actor keeps one colour in every chart, derived from its name (actors sharing a colour
in one chart are told apart by dashes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import altair as alt

from tracker.models import POSITIONS, scale_point
from tracker.text import name_order, short_labels

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


def _legend(**placed: Any) -> alt.Legend:
    return alt.Legend(
        symbolType="stroke",
        symbolStrokeWidth=3,
        symbolSize=500,  # long enough to show an actor's dash
        symbolOpacity=1,
        **placed,
    )


# Characters of a name that fit a label's pixel limit at its font size (legends 10 px,
# axes 12 px, Liberation Sans); longer names are cut in the middle (short_labels).
LEGEND_CHARS = {200: 40, 220: 44, 300: 60}
AXIS_CHARS = {240: 34}


def actor_legend(names: Iterable[str], *, printed: bool) -> alt.Legend:
    """The legend of a chart's actors. Printed charts (the report) have a fixed width:
    four columns of names fit under them. On the dashboard a chart is fitted to the page,
    which narrows the plot but not a legend below it: at common screen widths its last
    columns were cut off. A legend beside the plot is counted in the fit, so every name
    stays visible."""
    limit = 220 if printed else 200
    placed: dict[str, Any] = {"orient": "bottom", "columns": 4} if printed else {"orient": "right"}
    return _legend(labelLimit=limit, **placed, **name_labels(names, LEGEND_CHARS[limit]))


def name_labels(names: Iterable[str], width: int) -> dict[str, Any]:
    """A legend's or axis's ``labelExpr`` showing names longer than ``width`` characters
    cut in the middle, so that names sharing their start stay apart; {} when none is."""
    cut = short_labels(names, width)
    expr = "datum.label"
    for name, label in sorted(cut.items()):
        expr = f"datum.value === {_js(name)} ? {_js(label)} : {expr}"
    return {"labelExpr": expr} if cut else {}


# A matrix column: narrow enough that five issues and the actors' names fit beside the
# sidebar of a 1,100 px window; issue names wrap onto three lines of this many characters.
MATRIX_STEP = 100
MATRIX_LABEL_CHARS = 14
LINE_HEIGHT = 13  # pixels per line of an 11 px axis label


def wrapped_labels(shown: Mapping[str, str], width: int, lines: int = 3) -> dict[str, Any]:
    """A top axis's label settings printing each value's name (``shown``: value -> name)
    on up to ``lines`` lines of ``width`` characters (a longer name ends in "…"). Vega
    stacks a label's lines downwards from its anchor, into the plot: each label is padded
    to as many lines as the longest, blank lines first, and the labels are lifted by the
    extra lines' height."""
    wrapped = {
        value: textwrap.wrap(name, width, max_lines=lines, placeholder=" …") or [name]
        for value, name in sorted(shown.items())
    }
    most = max((len(w) for w in wrapped.values()), default=1)
    if most == 1 and all(value == name for value, name in shown.items()):
        return {}
    expr = "datum.label"
    for name, name_lines in wrapped.items():
        padded = [""] * (most - len(name_lines)) + name_lines
        expr = f"datum.value === {_js(name)} ? {_js(padded)} : {expr}"
    return {
        "labelExpr": expr,
        "labelLineHeight": LINE_HEIGHT,
        "labelPadding": (most - 1) * LINE_HEIGHT + 4,
    }


def _js(text: str | list[str]) -> str:
    return json.dumps(text, ensure_ascii=False)


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
    """The issue's wording for a (possibly averaged) position (:func:`scale_point`)."""
    return labels.get(scale_point(position), "")


def _label_expr(labels: Labels) -> str:
    """A Vega expression turning a tick value (-2..2) into '+2 <the issue's label>', on at
    most three lines so long labels leave room for the plot."""
    expr = '""'
    for point in reversed(POSITIONS):
        text = f"{position_text(point)}  {labels.get(point, '')}".strip()
        lines = textwrap.wrap(text, LABEL_WIDTH, max_lines=3, placeholder=" …") or [""]
        expr = f"datum.value == {point} ? {json.dumps(lines, ensure_ascii=False)} : {expr}"
    return expr


# --- axes, scales and titles ------------------------------------------------------------------


def position_y(labels: Labels, field: str = "position", title: str | None = None) -> alt.Y:
    """The y axis of positions, -2..2, each tick with the issue's label."""
    return alt.Y(
        f"{field}:Q",
        title=title,
        scale=alt.Scale(domain=list(Y_DOMAIN), nice=False, zero=False),
        axis=alt.Axis(values=list(POSITIONS), labelExpr=_label_expr(labels), labelLimit=320),
    )


def date_span(days: Sequence[dt.date], until: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates a chart shows: from the first day to ``until``, or a little past the last
    day, so the last position's step is visible."""
    if not days:
        today = dt.date.today()
        return today - dt.timedelta(days=30), today
    lo, hi = min(days), max(days)
    if until is not None and until > hi:
        return lo, until
    return lo - dt.timedelta(days=1), hi + max(dt.timedelta(days=1), (hi - lo) / 25)


def date_x(span: tuple[dt.date, dt.date], *, title: str | None = "Date") -> alt.X:
    """The time axis over ``span``: days on short spans, months on long ones."""
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


def series_scales(names: Sequence[str]) -> tuple[alt.Scale, alt.Scale]:
    """Colour and dash scales for a chart's series: each keeps its actor's colour (a roll-up
    its party's); where actors share a colour, the first by name is solid, the others dashed."""
    domain = sorted(set(names), key=name_order)  # the legend's order: as in every list
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


def chart_title(text: str, notes: Sequence[str] = ()) -> alt.TitleParams:
    return alt.TitleParams(text=text, subtitle=list(notes) or alt.Undefined, anchor="start")


def configured(chart: Any) -> Any:
    """The chart, given the look all charts share (font, axis label sizes).

    Set in place on the chart just built: each of Altair's ``configure*`` calls copies the
    chart, and a layered chart's copy deep-copies every layer twice (a third of the cost
    of a report's printed timeline)."""
    chart.config = alt.Config(font=FONT, axis=alt.AxisConfig(labelFontSize=12, titleFontSize=12))
    return chart
