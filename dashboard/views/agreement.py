"""Agreement: double coding (open, close), how far its analysts agree, settling disagreements."""

import pandas as pd
import streamlit as st

from dashboard.state import may, principal, reading, session
from dashboard.ui import md_escape
from tracker.agreement import UnitCodings, measure, settle
from tracker.double_coding import (
    analysts,
    close_double_coding,
    list_double_coding,
    open_double_coding,
    parse_source_ids,
)
from tracker.errors import TrackerError
from tracker.models import Role
from tracker.text import signed

NO_STANCE = 0  # the radio's choice for "no stance was right": no stance id is 0
PER_PAGE = 20

st.title("Agreement between analysts")
st.caption(
    "Double coding: a reviewer puts sources into double coding and assigns two or more "
    "analysts, who tag them without seeing each other's stances. A unit is an actor, an "
    "issue and a story; each analyst's value is their position, or 'no stance' when an "
    "assigned analyst recorded none. Krippendorff's alpha (ordinal) per issue, Cohen's kappa "
    "per pair of analysts; 1 is perfect agreement, 0 what chance gives."
)
reviewer = may(Role.REVIEWER)

if flash := st.session_state.pop("agreement_flash", None):
    st.success(md_escape(flash))


def _double_coding_control() -> None:
    with reading() as s:
        current = list_double_coding(s)
        names = analysts(s)
    st.subheader(f"Sources in double coding ({len(current)})", anchor=False)
    if current:
        st.dataframe(
            pd.DataFrame(
                [
                    {"source": d.source_id, "title": d.title, "analysts": ", ".join(d.coders)}
                    for d in current
                ]
            ),
            hide_index=True,
        )
    typed = st.text_input("Source ids", key="dc_sources", placeholder="e.g. 12, 15")
    coders = st.multiselect("Analysts who code them (two or more)", names, key="dc_coders")
    if st.button("Start double coding", key="dc_open"):
        try:
            with session() as s:
                ids = open_double_coding(s, parse_source_ids(typed), coders, by=principal().name)
            st.session_state["agreement_flash"] = (
                f"Double coding started on source {', '.join(map(str, ids))}."
            )
            st.rerun()
        except TrackerError as exc:
            st.error(md_escape(str(exc)))
    if not current:
        return
    closing = st.multiselect(
        "Close double coding on",
        [d.source_id for d in current],
        key="dc_close",
        format_func=lambda sid: f"#{sid}",
    )
    if st.button("Close double coding", key="dc_close_button", disabled=not closing):
        try:
            with session() as s:
                ids = close_double_coding(s, closing, by=principal().name)
            st.session_state["agreement_flash"] = (
                f"Double coding closed on source {', '.join(map(str, ids))}: its accepted "
                "stances count in timelines again."
            )
            st.rerun()
        except TrackerError as exc:
            st.error(md_escape(str(exc)))


def _settle_control(n: int, unit: UnitCodings) -> None:
    codings = [c for coder in sorted(unit.by_coder) for c in unit.by_coder[coder]]
    # Radio labels render as Markdown: the analysts' names are escaped.
    labels = {
        c.stance_id: md_escape(f"#{c.stance_id} {c.coder}: {signed(c.position)}") for c in codings
    }
    labels[NO_STANCE] = "no stance: reject them all"
    keep = st.radio(
        "Keep (accept) this stance, reject the others",
        list(labels),
        key=f"agree_keep_{n}_{unit.story}",
        format_func=labels.__getitem__,
    )
    if st.button("Settle", key=f"agree_settle_{n}_{unit.story}"):
        try:
            with session() as s:
                settle(s, unit.stance_ids, keep or None, annotator=principal().name)
            st.session_state["agreement_flash"] = (
                f"Kept #{keep}; the others were rejected." if keep else "Rejected them all."
            )
            st.rerun()
        except TrackerError as exc:
            st.error(md_escape(str(exc)))


if reviewer:
    _double_coding_control()
else:
    st.caption(
        "Sources still in double coding are compared here once a reviewer closes them; "
        "until then each analyst sees only their own stances on them."
    )

with reading() as s:
    found = measure(s)

if not found.issues:
    st.info(
        "No double-coded source has been coded by two analysts yet: a reviewer starts double "
        "coding on sources here, the analysts tag them on Read & tag, then come back."
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
# A page of disagreements at a time: a widget per stance for thousands of units would
# take Streamlit a minute to draw.
pages = (len(found.disagreements) - 1) // PER_PAGE + 1
page = 1
if pages > 1:
    page = int(
        st.number_input(
            f"Page (of {pages})", 1, pages, 1, key="agree_page", help=f"{PER_PAGE} a page"
        )
    )
first = (page - 1) * PER_PAGE
for n, unit in enumerate(found.disagreements[first : first + PER_PAGE], start=first):
    with st.expander(md_escape(f"{unit.actor} on {unit.issue} (story #{unit.story})")):
        for coder in unit.coders:
            for c in unit.by_coder.get(coder, []):
                st.text(
                    f"#{c.stance_id} by {c.coder}: {signed(c.position)} ({c.status}) “{c.quote}”"
                )
            if coder in unit.missing:
                st.text(f"{coder}: no stance")
        if not reviewer:
            st.caption("Settling a disagreement takes the reviewer role.")
            continue
        _settle_control(n, unit)
