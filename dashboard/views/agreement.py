"""Agreement: how far analysts who coded the same sources agree, and settling disagreements."""

import pandas as pd
import streamlit as st

from dashboard.state import may, principal, reading, session
from dashboard.ui import md_escape
from tracker.agreement import measure, settle
from tracker.errors import TrackerError
from tracker.models import Role

st.title("Agreement between analysts")
st.caption(
    "Double coding: two or more analysts tag the same sources. A unit is an actor, an issue "
    "and a story; each analyst's value is their position. Krippendorff's alpha (ordinal) per "
    "issue, Cohen's kappa per pair of analysts; 1 is perfect agreement, 0 what chance gives."
)

with reading() as s:
    found = measure(s)

if flash := st.session_state.pop("agreement_flash", None):
    st.success(md_escape(flash))
if not found.issues:
    st.info(
        "No source has been coded by two analysts yet: have two analysts tag the same "
        "sources on Read & tag (each records their own stances), then come back."
    )
    st.stop()

st.subheader("Per issue", anchor=False)
st.dataframe(
    pd.DataFrame(
        [
            {
                "issue": a.issue,
                "units": a.units,
                "analysts": a.coders,
                "alpha": a.alpha,
                "note": a.note,
            }
            for a in found.issues
        ]
    ),
    hide_index=True,
    column_config={"alpha": st.column_config.NumberColumn("Krippendorff's alpha", format="%.3f")},
)
st.subheader("Per pair of analysts", anchor=False)
st.dataframe(
    pd.DataFrame(
        [
            {
                "analysts": f"{p.first} & {p.second}",
                "units": p.units,
                "agreed": p.agreed,
                "kappa": p.kappa,
                "note": p.note,
            }
            for p in found.pairs
        ]
    ),
    hide_index=True,
    column_config={"kappa": st.column_config.NumberColumn("Cohen's kappa", format="%.3f")},
)

st.subheader(f"Disagreements ({len(found.disagreements)})", anchor=False)
if not found.disagreements:
    st.info("The analysts agree on every unit they both coded.")
    st.stop()
reviewer = may(Role.REVIEWER)
for n, unit in enumerate(found.disagreements):
    codings = [c for coder in sorted(unit.by_coder) for c in unit.by_coder[coder]]
    with st.expander(md_escape(f"{unit.actor} on {unit.issue} (story #{unit.story})")):
        for c in codings:
            st.text(f"#{c.stance_id} by {c.coder}: {c.position:+d} ({c.status}) “{c.quote}”")
        if not reviewer:
            st.caption("Settling a disagreement takes the reviewer role.")
            continue
        # Radio labels render as Markdown: the analysts' names are escaped.
        labels = {
            c.stance_id: md_escape(f"#{c.stance_id} {c.coder}: {c.position:+d}") for c in codings
        }
        keep = st.radio(
            "Keep (accept) this stance, reject the others",
            list(labels),
            key=f"agree_keep_{n}_{unit.story}",
            format_func=labels.__getitem__,
        )
        if st.button("Settle", key=f"agree_settle_{n}_{unit.story}"):
            try:
                with session() as s:
                    settle(s, [c.stance_id for c in codings], keep, annotator=principal().name)
                st.session_state["agreement_flash"] = f"Kept #{keep}; the others were rejected."
                st.rerun()
            except TrackerError as exc:
                st.error(md_escape(str(exc)))
