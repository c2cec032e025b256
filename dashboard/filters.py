"""Widgets the analysis pages share: the stance filters, chart display and downloads.

Every widget takes a key prefix, so two pages never share widget state by accident.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import streamlit as st

from tracker.charts import chart_png, chart_svg
from tracker.stance_query import STATUSES
from tracker.timelines import SeriesFilter

NO_TAXONOMY = (
    "No issues or actors yet. Load the demo with `tracker demo`, or import your own "
    "taxonomy and actors with `tracker issues import` and `tracker actors import`."
)


# Which attributions count, from every stance to the actor's own words only.
ATTRIBUTION_CHOICES: dict[str, tuple[str, ...] | None] = {
    "Every stance": None,
    "Leave out anonymous sources and other actors' reports": ("on_record", "paraphrase"),
    "On the record only (the actor's own words)": ("on_record",),
}


@dataclass
class StanceFilters:
    statuses: list[str]
    min_confidence: float
    since: dt.date | None
    until: dt.date | None
    attributions: tuple[str, ...] | None = None

    def series(self, **names: Any) -> SeriesFilter:
        """A SeriesFilter with these filters and the given issue, actors or parties."""
        return SeriesFilter(
            **names,
            since=self.since,
            until=self.until,
            statuses=tuple(self.statuses),
            min_confidence=self.min_confidence,
            attributions=self.attributions,
        )

    def describe(self) -> str:
        """What the filters let through ('accepted stances with confidence ≥ 0.5'),
        for empty-state messages."""
        text = f"{' or '.join(self.statuses)} stances"
        if self.min_confidence > 0:
            text += f" with confidence ≥ {self.min_confidence:g}"
        if self.attributions is not None:
            text += f" attributed {' or '.join(a.replace('_', ' ') for a in self.attributions)}"
        if self.since or self.until:
            text += f" stated {self.since or '…'} to {self.until or '…'}"
        return text


def stance_filters(prefix: str, *, dates: bool = True, attribution: bool = False) -> StanceFilters:
    """Status (accepted by default), confidence floor and, optionally, a date range and
    which attributions count."""
    cols = st.columns(3 if dates else 2)
    statuses = cols[0].multiselect(
        "Status",
        STATUSES,
        default=["accepted"],
        key=f"{prefix}_status",
        help="Only accepted stances count by default; add suggested ones to preview them.",
    )
    floor = cols[1].slider("Minimum confidence", 0.0, 1.0, 0.0, 0.05, key=f"{prefix}_confidence")
    since = until = None
    if dates:
        chosen = cols[2].date_input("Stated between", value=[], key=f"{prefix}_dates")
        since, until = date_range(chosen)
    kinds = None
    if attribution:
        chosen_kinds = st.selectbox(
            "Attribution",
            list(ATTRIBUTION_CHOICES),
            key=f"{prefix}_attribution",
            help="Leave out weaker evidence. Stances whose attribution was never recorded "
            "count only under 'Every stance'.",
        )
        kinds = ATTRIBUTION_CHOICES[chosen_kinds]
    return StanceFilters(list(statuses) or ["accepted"], float(floor), since, until, kinds)


def date_range(value: Any) -> tuple[dt.date | None, dt.date | None]:
    """st.date_input's answer (nothing, one date or two) as (since, until)."""
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, Sequence) and len(value) == 2:
        return value[0], value[1]
    if isinstance(value, Sequence) and len(value) == 1:
        return value[0], None
    return None, None


AnyChart = alt.Chart | alt.LayerChart | alt.VConcatChart


def show_chart(
    chart: AnyChart, name: str, *, description: str, zoom: bool = False, stretch: bool = True
) -> None:
    """The chart (with ``zoom``, dates zoom with the wheel and pan by dragging), then PNG
    and SVG downloads of it, rendered only when clicked.

    ``stretch``: fit the chart's width to the page. Streamlit's theme would also fit the
    whole chart (title, legend) into its height, so only the width is fitted. Stacked
    charts and grids keep their own size: stretched, their axis labels get cut off.
    """
    # Settings on a shallow copy, or in place: .properties() and .interactive() deep-copy
    # every layer with its rows, ~0.1 s each for a chart of 5,000 days.
    if stretch and not isinstance(chart, alt.VConcatChart):
        shown = chart.copy(deep=False)  # the downloads draw the chart as built
        shown.autosize = alt.AutoSizeParams(type="fit-x", contains="padding")
        if zoom:
            shown = _zoomable(shown)
        st.altair_chart(shown, width="stretch", alt=description)
    else:
        chart.autosize = alt.AutoSizeParams(type="pad")  # Vega-Lite's default: same images
        st.altair_chart(chart, width="content", alt=description)
    # Buttons as wide as their labels: in columns they were cut to "Downloa…" on narrow pages.
    row = st.container(horizontal=True)
    _download(row, "PNG", lambda: chart_png(chart), f"{name}.png", "image/png")
    _download(row, "SVG", lambda: chart_svg(chart).encode("utf-8"), f"{name}.svg", "image/svg+xml")


def _zoomable(chart: alt.Chart | alt.LayerChart) -> alt.Chart | alt.LayerChart:
    """Dates zoom with the wheel and pan by dragging. On a layered chart the binding goes
    on its first layer, as ``LayerChart.interactive`` puts it, without copying the rest."""
    if isinstance(chart, alt.LayerChart):
        chart.layer = [chart.layer[0].interactive(bind_y=False), *chart.layer[1:]]
        return chart
    return chart.interactive(bind_y=False)


def _download(
    where: Any, kind: str, render: Callable[[], bytes], file_name: str, mime: str
) -> None:
    where.download_button(
        f"Download {kind}",
        data=render,
        file_name=file_name,
        mime=mime,
        key=f"download_{file_name}",
        on_click="ignore",
        help=f"The chart as {kind}, as shown (rendered on the server, no browser needed).",
    )


def file_stem(*parts: str) -> str:
    """A safe file name from names the analyst chose (actors, issues)."""
    text = "-".join(parts).lower()
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-")[:80] or "chart"
