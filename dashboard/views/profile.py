"""Actor profile: one actor, or a party and its members, across every issue over time."""

import pandas as pd
import streamlit as st

from dashboard.filters import NO_TAXONOMY, file_stem, show_chart, stance_filters
from dashboard.state import reading
from dashboard.ui import md_escape
from tracker.charts import position_label, position_text, profile_chart
from tracker.issues import list_issues
from tracker.timelines import (
    DEFAULT_ROLLUP_DAYS,
    day_positions,
    find_shifts,
    party_rollup,
    profile_choices,
)

st.title("Actor profile")

with reading() as s:
    issues = {i.slug: (i.name, i.labels()) for i in list_issues(s)}
    choices = profile_choices(s)

if not issues or not choices.actors:
    st.info(NO_TAXONOMY)
    st.stop()

cols = st.columns([1, 2, 2])
kind = cols[0].radio("Show", ["Actor", "Party"], key="pr_kind", horizontal=True)
party_mode = kind == "Party"
weight = choices.parties if party_mode else choices.actors
options = sorted(weight)
if not options:
    st.info("No actor speaks for a party yet: set parties on Actors & issues.")
    st.stop()
name = cols[1].selectbox(
    "Party" if party_mode else "Actor",
    options,
    index=options.index(max(options, key=lambda n: weight[n])),
    format_func=lambda n: f"{n} ({weight[n]} accepted stances)",
    key="pr_party" if party_mode else "pr_actor",
)
window = DEFAULT_ROLLUP_DAYS
if party_mode:
    window = cols[2].slider(
        "Roll-up window (days)",
        7,
        365,
        DEFAULT_ROLLUP_DAYS,
        key="pr_window",
        help="A member's position counts towards the party's for this many days after it "
        "was stated.",
    )
filters = stance_filters("pr")
flt = filters.series(parties=(name,)) if party_mode else filters.series(actors=(name,))
with reading() as s:
    points = day_positions(s, flt)
    rollups = (
        [
            party_rollup(s, name, issue, window_days=window, flt=flt)
            for issue in sorted({p.issue for p in points})
        ]
        if party_mode
        else []
    )

if not points:
    st.info(
        f"No {filters.describe()} by {md_escape(name)}: tag some on Read & tag, or widen the "
        "filters (status, confidence, dates)."
    )
    st.stop()

chart = profile_chart(
    points,
    {slug: labels for slug, (_, labels) in issues.items()},
    title=f"{name}: positions on every issue",
    shifts=find_shifts(points),
    rollups=[r for rollup in rollups for r in rollup],
    issue_names={slug: issue_name for slug, (issue_name, _) in issues.items()},
)
show_chart(chart, file_stem("profile", name), description=f"{name}'s positions by issue")

if party_mode:
    st.subheader("How the party's position was derived")
    st.caption(
        f"On each date, the mean of the latest position of each member (and of {md_escape(name)} "
        f"itself) stated within the {window} days before. The latest roll-up per issue:"
    )
    rows = []
    for rollup in filter(None, rollups):
        latest = rollup[-1]
        labels = issues[latest.issue][1]
        for member in sorted(latest.derived_from, key=lambda p: p.actor):
            rows.append(
                {
                    "issue": latest.issue,
                    "party_position": f"{position_text(latest.position)} "
                    f"{position_label(labels, latest.position)}",
                    "as_of": latest.day.isoformat(),
                    "member": member.actor,
                    "member_position": position_text(member.position),
                    "stated_on": member.day.isoformat(),
                    "quote": member.quote,
                }
            )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "party_position": "Party position",
            "as_of": "As of",
            "member_position": "Member's position",
            "stated_on": "Member stated on",
            "quote": st.column_config.TextColumn("Quote", width="large"),
        },
    )
