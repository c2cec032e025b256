"""Positions matrix: actors (or parties) by issues as of a date, with the stances behind
each cell."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.filters import NO_TAXONOMY, file_stem, show_chart, stance_filters
from dashboard.state import reading
from dashboard.ui import md_escape
from tracker.analysis import cell_stances, issue_labels, party_matrix, stance_span
from tracker.charts import change_text, format_day, matrix_chart, position_text
from tracker.issues import list_issues
from tracker.timelines import DEFAULT_ROLLUP_DAYS, positions_matrix

COLUMNS = [
    "stance_id",
    "stated_on",
    "actor",
    "position",
    "position_label",
    "confidence",
    "status",
    "quote",
    "source_title",
    "source_outlet",
    "annotator",
]

st.title("Positions matrix")

with reading() as s:
    labels = issue_labels(s)
    names = {issue.slug: issue.name for issue in list_issues(s)}
    span = stance_span(s)

if not labels:
    st.info(NO_TAXONOMY)
    st.stop()

cols = st.columns(4)
as_of = cols[0].date_input(
    "As of", value=span[1] if span else dt.date.today(), key="mx_as_of", format="YYYY-MM-DD"
)
change_days = cols[1].number_input(
    "Change window (days)", 1, 3650, 30, key="mx_change_days", help="Arrows: moved since then."
)
rows_are = cols[2].radio("Rows", ["Actors", "Parties"], key="mx_rows", horizontal=True)
window = DEFAULT_ROLLUP_DAYS
if rows_are == "Parties":
    window = cols[3].slider("Roll-up window (days)", 7, 365, DEFAULT_ROLLUP_DAYS, key="mx_window")
filters = stance_filters("mx", dates=False)
flt = filters.series()

with reading() as s:
    if rows_are == "Parties":
        cells = party_matrix(s, as_of, change_days=int(change_days), window_days=window, flt=flt)
    else:
        cells = positions_matrix(s, as_of, change_days=int(change_days), flt=flt)

if not cells:
    st.info(
        f"No {filters.describe()} on or before {as_of}: tag some on Read & tag, pick a later "
        "date, or widen the filters."
    )
    st.stop()

chart = matrix_chart(
    cells,
    title=f"Positions as of {format_day(as_of)}",
    labels_by_issue=labels,
    subtitle=f"{rows_are} by issue; change window {change_days} days.",
    issue_names=names,
)
show_chart(
    chart,
    file_stem("matrix", str(as_of)),
    description="Heatmap of positions by issue",
    stretch=False,
)

st.subheader("Stances behind a cell")
# Issues are named as on the chart; a name two issues share gets its slug too.
shared = {n for n in names.values() if list(names.values()).count(n) > 1}
shown = {k: f"{v} ({k})" if v in shared else v for k, v in names.items()}
by_name = {f"{c.actor} × {shown.get(c.issue, c.issue)}": c for c in cells}
choice = st.selectbox("Cell", list(by_name), key="mx_cell")
cell = by_name[choice]
with reading() as s:
    records = cell_stances(
        s, cell.actor, cell.issue, parties=rows_are == "Parties", as_of=as_of, flt=flt
    )
change = change_text(cell)
st.caption(
    f"{md_escape(cell.actor)} on {md_escape(names.get(cell.issue, cell.issue))}: "
    f"{position_text(cell.position)} "
    f"since {cell.since} "
    f"(change in the window: {change}). {len(records)} stance(s) up to {as_of}, oldest first."
)
st.dataframe(
    pd.DataFrame(records, columns=COLUMNS),
    hide_index=True,
    width="stretch",
    column_config={
        "stance_id": st.column_config.NumberColumn("ID", format="%d"),
        "stated_on": st.column_config.TextColumn("Stated on"),
        "position": st.column_config.NumberColumn("Position", format="%+d"),
        "position_label": "Meaning",
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "source_title": "Source",
        "source_outlet": "Outlet",
    },
)
