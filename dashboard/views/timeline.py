"""Issue timeline: each actor's position on one issue over time, and where it shifted."""

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard.filters import NO_TAXONOMY, file_stem, show_chart, stance_filters
from dashboard.state import reading
from dashboard.ui import md_escape
from tracker.actors import list_actors
from tracker.analysis import party_names
from tracker.charts import position_label, position_text, timeline_chart
from tracker.evidence import evidence_text
from tracker.issues import list_issues
from tracker.text import plural
from tracker.timeline_view import timeline_view
from tracker.timelines import busiest_actors

DEFAULT_ACTORS = 12

st.title("Issue timeline")

with reading() as s:
    issues = {i.slug: (i.name, i.labels()) for i in list_issues(s)}
    actor_names = [a.name for a in list_actors(s)]
    parties = party_names(s)

if not issues or not actor_names:
    st.info(NO_TAXONOMY)
    st.stop()

cols = st.columns([2, 2, 2])
slug = cols[0].selectbox(
    "Issue", list(issues), format_func=lambda k: f"{issues[k][0]} ({k})", key="tl_issue"
)
actors = cols[1].multiselect(
    "Actors", actor_names, key="tl_actors", placeholder="Everyone who spoke on the issue"
)
chosen_parties = cols[2].multiselect(
    "Parties (with their members)", parties, key="tl_parties", placeholder="Any party"
)
filters = stance_filters("tl", attribution=True)
name, labels = issues[slug]

flt = filters.series(issue=slug, actors=tuple(actors), parties=tuple(chosen_parties))
narrowed = ""
with reading() as s:
    if not actors and not chosen_parties:
        # Everyone on a busy issue is hundreds of lines: start from the most active.
        top, speakers = busiest_actors(s, flt, DEFAULT_ACTORS)
        if speakers > len(top):
            flt = replace(flt, actor_ids=top)
            narrowed = (
                f"Showing the {len(top)} of {speakers} actors with the most positions on "
                "this issue; choose actors or parties above to see others. "
            )
    view = timeline_view(s, flt)
points, found, days = view.points, view.shifts, view.days

if not points:
    st.info(
        f"No {filters.describe()} on {md_escape(name)} yet for these actors: tag some on Read "
        "& tag (or import them with `tracker stances import`), or widen the filters: status, "
        "confidence, dates, actors and parties."
    )
    st.stop()

chart = timeline_chart(points, found, labels, title=name, until=filters.until, days=days)
show_chart(
    chart,
    file_stem("timeline", slug),
    description=f"Step chart of each actor's position on {name} over time",
    zoom=True,
)
st.caption(
    f"{narrowed}{plural(len({p.actor for p in points}), 'actor')}, "
    f"{plural(days, 'day')} with a position, {plural(len(found), 'shift')}. A position "
    "holds until the actor's next stance; several stances on one day count as their mean, "
    "and a story and its rewrites count once."
)

st.subheader("Shifts")
if not found:
    st.info(
        "No shifts in this selection: nobody flipped between support and opposition or "
        "moved two points or more between consecutive stances."
    )
    st.stop()


def _side(position: float) -> str:
    return f"{position_text(position)} {position_label(labels, position)}"


table = pd.DataFrame(
    [
        {
            "date": sh.day.isoformat(),
            "actor": sh.actor,
            "from": _side(sh.before.position),
            "to": _side(sh.after.position),
            "before_date": sh.before.day.isoformat(),
            "before_quote": sh.before.quote,
            "before_source": sh.before.source_title,
            "after_quote": sh.after.quote,
            "after_source": sh.after.source_title,
            "after_evidence": evidence_text(sh.after),
        }
        for sh in found
    ]
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "date": st.column_config.TextColumn("Shift on"),
        "before_date": st.column_config.TextColumn("Before (stated on)"),
        "before_quote": st.column_config.TextColumn("Quote before", width="large"),
        "before_source": "Source before",
        "after_quote": st.column_config.TextColumn("Quote after", width="large"),
        "after_source": "Source after",
        "after_evidence": st.column_config.TextColumn("Evidence after", width="medium"),
    },
)
