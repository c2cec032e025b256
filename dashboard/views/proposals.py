"""Proposals: each text the negotiation revolves around, and every actor's stance on it."""

import pandas as pd
import streamlit as st

from dashboard.state import reading
from dashboard.ui import md_escape
from tracker.evidence import evidence_line
from tracker.proposals import describe, get_proposal, list_proposals, proposal_stances
from tracker.text import signed

st.title("Proposals")

with reading() as s:
    listing = list_proposals(s)

if not listing:
    st.info(
        "No proposals yet. Add one with `tracker proposals add NAME --author ACTOR --date "
        "YYYY-MM-DD`, then link stances to it on Read & tag or in the review queue."
    )
    st.stop()

names = [p["name"] for p in listing]
chosen = st.selectbox("Proposal", names, key="prop_name")  # options show as plain text
with_suggested = st.checkbox("Include suggested stances", key="prop_suggested")
statuses = ("accepted", "suggested") if with_suggested else ("accepted",)
with reading() as s:
    proposal = get_proposal(s, chosen)
    about = describe(proposal)
    stances = proposal_stances(s, proposal, statuses=statuses)

st.caption(md_escape(f"Proposed by {about['author']} on {about['proposed_on']}"))
st.subheader("Versions", anchor=False)
for version in about["versions"]:
    st.text(f"{version['dated_on']}: {version['text'] or '(no text recorded)'}")

st.subheader("Stances on it over time", anchor=False)
if not stances:
    st.info("No stances are linked to this proposal yet: link them on Read & tag.")
    st.stop()
table = pd.DataFrame(
    [
        {
            "stated_on": str(s["stated_on"]),  # a date object shows as epoch ms
            "actor": s["actor"],
            "party": s["party"],
            "issue": s["issue"],
            "position": f"{signed(s['position'])} {s['position_label']}",
            "status": s["status"],
            "evidence": evidence_line(
                s["attribution"],
                s["reported_by"],
                s["conditional"],
                s["condition"],
                s["corroboration"],
            ),
            "quote": s["quote"],
            "source": s["source_title"],
        }
        for s in stances
    ]
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "stated_on": st.column_config.TextColumn("Stated on"),
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "evidence": st.column_config.TextColumn("Evidence", width="medium"),
    },
)
