"""Gap between sides: on one issue, how far apart two groups of parties are over time, and
whether the space for a deal is opening or closing."""

import pandas as pd
import streamlit as st

from dashboard.filters import NO_TAXONOMY, file_stem, show_chart, stance_filters
from dashboard.state import reading
from dashboard.ui import md_escape
from tracker.actors import list_actors
from tracker.analysis import busiest_parties, gap_trend, top_level_names
from tracker.charts import gap_chart, gap_summary
from tracker.errors import TrackerError
from tracker.issues import list_issues
from tracker.timelines import DEFAULT_ROLLUP_DAYS, gap_between

# The demo's sides; another negotiation starts from its two busiest parties.
SIDE_A, SIDE_B = ["Ukraine", "European leaders"], ["Russia"]

st.title("Gap between sides")

with reading() as s:
    issues = {i.slug: (i.name, i.labels()) for i in list_issues(s)}
    top = top_level_names(s)
    names = top + [a.name for a in list_actors(s) if a.name not in set(top)]
    demo_sides = all(n in names for n in SIDE_A + SIDE_B)
    # Counted once per visit, and only off the demo: it reads every accepted stance.
    if not demo_sides and "gp_busiest" not in st.session_state:
        st.session_state["gp_busiest"] = busiest_parties(s)
busiest = st.session_state.get("gp_busiest", [])
first_a, first_b = (SIDE_A, SIDE_B) if demo_sides else (busiest[:1], busiest[1:2])

if not issues or not names:
    st.info(NO_TAXONOMY)
    st.stop()

cols = st.columns([2, 2, 2, 1])
slug = cols[0].selectbox(
    "Issue", list(issues), format_func=lambda k: f"{issues[k][0]} ({k})", key="gp_issue"
)
side_a = cols[1].multiselect("Side A", names, default=first_a, key="gp_side_a")
side_b = cols[2].multiselect("Side B", names, default=first_b, key="gp_side_b")
window = cols[3].number_input(
    "Window (days)",
    1,
    3650,
    DEFAULT_ROLLUP_DAYS,
    key="gp_window",
    help="A party's position counts for this many days after its latest stance.",
)
filters = stance_filters("gp")
name, labels = issues[slug]

if not side_a or not side_b:
    st.info("Choose at least one party or actor on each side (e.g. Ukraine vs Russia).")
    st.stop()
try:
    with reading() as s:
        gaps = gap_between(
            s, slug, side_a, side_b, window_days=int(window), flt=filters.series(issue=slug)
        )
except TrackerError as exc:  # e.g. an actor on both sides
    st.warning(md_escape(str(exc)))
    st.stop()

a_name, b_name = " + ".join(side_a), " + ".join(side_b)
if not gaps:
    st.info(
        f"Neither side has {filters.describe()} on {md_escape(name)}: tag some on Read & tag, "
        "choose other parties, or widen the filters."
    )
    st.stop()

trend = gap_trend(gaps)
chart = gap_chart(gaps, a_name, b_name, labels, title=name)
show_chart(
    chart,
    file_stem("gap", slug, a_name, "vs", b_name),
    description=f"Positions of {a_name} and {b_name} on {name}, and the gap between them",
)
if trend is None:
    st.caption(
        "The two sides never held positions at the same time (within the window), so there "
        "is no gap to measure yet: widen the window or the dates."
    )
elif trend.deal_space == "unchanged":
    st.caption(f"No change in the space for a deal: {gap_summary(trend)}.")
else:
    verb = "opened" if trend.deal_space == "opening" else "closed"
    st.caption(f"The space for a deal {verb}: {gap_summary(trend)}.")
st.caption(
    "Each side is the mean of its parties' roll-ups; a party's roll-up is the mean of the "
    f"latest positions of it and its members within {window} days. Gap = distance between "
    "the sides, 0 (same position) to 4 (opposite ends of the scale)."
)
table = pd.DataFrame(
    [
        {"date": g.day.isoformat(), "side_a": g.side_a, "side_b": g.side_b, "gap": g.gap}
        for g in gaps
    ]
)
# Float columns: a side without a position is an empty cell (NaN), not the text "None".
table = table.astype({"side_a": float, "side_b": float, "gap": float})
st.dataframe(
    table,
    hide_index=True,
    column_config={
        "date": st.column_config.TextColumn("Date"),
        "side_a": st.column_config.NumberColumn(a_name, format="%+.2f"),
        "side_b": st.column_config.NumberColumn(b_name, format="%+.2f"),
        "gap": st.column_config.NumberColumn("Gap", format="%.2f"),
    },
)
