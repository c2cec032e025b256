"""The evidence fields of a stance form: attribution (and who reported it) and condition.

Shared by Read & tag (new stances, edits) and the review queue, so each asks the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from tracker.evidence import ATTRIBUTION_TEXT, NOT_RECORDED

NOT_SET = ""
CHOICES = [NOT_SET, *ATTRIBUTION_TEXT]


@dataclass
class Evidence:
    attribution: str | None
    reported_by: str | None  # the reporting actor's name
    conditional: bool
    condition: str
    proposal: str | None = None  # the linked proposal's name


def evidence_inputs(
    key: str,
    actor_names: Sequence[str],
    current: Evidence | None = None,
    proposals: Sequence[str] = (),
) -> Evidence:
    """The widgets, prefilled from ``current`` the first time they render; a proposal to
    link is offered when there are any."""
    if current is not None and f"{key}_attribution" not in st.session_state:
        st.session_state[f"{key}_attribution"] = current.attribution or NOT_SET
        st.session_state[f"{key}_reporter"] = current.reported_by
        st.session_state[f"{key}_conditional"] = current.conditional
        st.session_state[f"{key}_condition"] = current.condition
        st.session_state[f"{key}_proposal"] = current.proposal
    attribution = st.selectbox(
        "Attribution: how the position reached us",
        CHOICES,
        key=f"{key}_attribution",
        format_func=lambda a: ATTRIBUTION_TEXT.get(a, NOT_RECORDED),
        help="On record: the actor's own words, quoted. Paraphrase: the reporter describes "
        "the position. Anonymous source: an unnamed source. Reported by another actor: "
        "someone else says what this actor thinks (name them).",
    )
    reporter = None
    if attribution == "reported_by_other":
        reporter = st.selectbox(
            "Reported by",
            list(actor_names),
            key=f"{key}_reporter",
            index=None,
            placeholder="The actor who reported it",
        )
    conditional = st.checkbox("Conditional", key=f"{key}_conditional")
    condition = ""
    if conditional:
        condition = st.text_input(
            "Condition",
            key=f"{key}_condition",
            placeholder="e.g. ceasefire first, then security guarantees",
        )
    proposal = None
    if proposals:
        proposal = st.selectbox(
            "Proposal it reacts to",
            list(proposals),
            key=f"{key}_proposal",
            index=None,
            placeholder="None",
            help="Link the stance to the plan or outline it is about (Analyse → Proposals "
            "lists every actor's stance on it).",
        )
    return Evidence(attribution or None, reporter, conditional, condition, proposal)
