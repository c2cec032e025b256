"""Review queue: accept, correct or reject suggested stances, one after another."""

import streamlit as st

from dashboard.evidence_form import Evidence, evidence_inputs
from dashboard.state import may, principal, reading, session
from dashboard.ui import md_escape
from tracker.actors import get_actor, list_actors
from tracker.errors import ConflictError, TrackerError
from tracker.issues import get_issue, list_issues
from tracker.models import Role
from tracker.proposals import get_proposal, list_proposals
from tracker.review import missed_click, next_suggestions, queue_size
from tracker.stances import StanceChanges, accept_stance, review_stance
from tracker.text import signed


def _clicked(stance_id: int, verb: str) -> None:
    # A callback runs even when the button is not drawn again: a colleague may have
    # handled the suggestion meanwhile, and the click must not vanish without a word.
    st.session_state["review_clicked"] = (stance_id, verb)


st.title("Review queue")

clicked = st.session_state.pop("review_clicked", None)
with reading() as s:
    waiting = queue_size(s)
    items = next_suggestions(s, limit=1, offset=st.session_state.get("review_skip", 0))
    actor_names = [a.name for a in list_actors(s)]
    proposal_names = [p["name"] for p in list_proposals(s)]
    issue_slugs = [i.slug for i in list_issues(s)]
    if clicked and (not items or items[0]["stance_id"] != clicked[0]):
        st.warning(md_escape(missed_click(s, *clicked)))

if flash := st.session_state.pop("review_flash", None):
    st.success(md_escape(flash))
if not waiting:
    st.info(
        "Nothing waiting for review. Suggested stances (from `tracker suggest` or "
        "imported with status 'suggested') appear here."
    )
    st.stop()
if not items:
    st.info("You skipped past the last suggestion.")
    if st.button("Start again from the oldest"):
        st.session_state["review_skip"] = 0
        st.rerun()
    st.stop()

who = principal()
name = who.name
item = items[0]
st.caption(f"{waiting} suggestion(s) waiting · oldest first")
st.subheader(
    md_escape(
        f"{item['actor']} on {item['issue_name']}: {signed(item['position'])} "
        f"{item['labels'][item['position']]}"
    ),
    anchor=False,
)
st.caption(
    md_escape(
        f"Suggested by {item['annotator'] or item['origin']} · stated on "
        f"{item['stated_on']} · confidence {item['confidence']:.2f} · "
        f"{item['source_title']}"
    )
)
# The quote in its context, as plain text (never rendered as markup).
st.text(f"…{item['before']}[[ {item['quote']} ]]{item['after']}…")
st.text(
    f"Evidence: {item['evidence']}"
    + (f"\nProposal: {item['proposal']}" if item["proposal"] else "")
)
if item["note"]:
    st.text(f"Why: {item['note']}")

if not may(Role.REVIEWER):
    st.info(
        f"You are signed in as a {who.role.value}: accepting, correcting and rejecting "
        "suggestions takes the reviewer role (ask an admin)."
    )
    st.stop()

key = f"review_{item['stance_id']}"
# The version this analyst was shown, kept across reruns (each run reads the stance afresh):
# a colleague's change since then is refused with an explanation, never silently overwritten.
loaded = st.session_state.setdefault(f"{key}_version", item["version"])
cols = st.columns(2)
actor = cols[0].selectbox(
    "Actor", actor_names, index=actor_names.index(item["actor"]), key=f"{key}_actor"
)
issue = cols[1].selectbox(
    "Issue", issue_slugs, index=issue_slugs.index(item["issue"]), key=f"{key}_issue"
)
# The suggester dates a stance by its article; a reviewer corrects a wrong day here.
stated_on = st.date_input("Stated on", value=item["stated_on"], key=f"{key}_date")
position = st.select_slider(
    "Position",
    options=[-2, -1, 0, 1, 2],
    value=item["position"],
    key=f"{key}_position",
    # Slider labels render as Markdown: the issue's wording is escaped.
    format_func=lambda p: f"{p:+d} {md_escape(item['labels'][p])}" if p else "0",
)

stored = Evidence(
    item["attribution"],
    item["reported_by"],
    item["conditional"],
    item["condition"],
    item["proposal"],
)
evidence = evidence_inputs(f"{key}_ev", actor_names, stored, proposal_names)

buttons = st.columns(4)
try:
    if buttons[0].button(
        "Accept",
        type="primary",
        key=f"{key}_accept",
        on_click=_clicked,
        args=(item["stance_id"], "accept"),
    ):
        with session() as s:
            _, changed = accept_stance(
                s,
                item["stance_id"],
                StanceChanges(
                    actor=get_actor(s, actor),
                    issue=get_issue(s, issue),
                    position=position,
                    stated_on=stated_on,
                    attribution=evidence.attribution or "",
                    reported_by=get_actor(s, evidence.reported_by)
                    if evidence.reported_by
                    else None,
                    conditional=evidence.conditional,
                    condition=evidence.condition,
                    proposal=get_proposal(s, evidence.proposal) if evidence.proposal else None,
                    unlink_proposal=evidence.proposal is None,
                ),
                annotator=name,
                expected_version=loaded,
            )
        st.session_state["review_flash"] = f"Accepted #{item['stance_id']}" + (
            " with corrections." if changed else "."
        )
        st.rerun()
    if buttons[1].button(
        "Reject", key=f"{key}_reject", on_click=_clicked, args=(item["stance_id"], "reject")
    ):
        with session() as s:
            review_stance(
                s, item["stance_id"], accept=False, annotator=name, expected_version=loaded
            )
        st.session_state["review_flash"] = f"Rejected #{item['stance_id']}."
        st.rerun()
    if buttons[2].button("Skip", key=f"{key}_skip"):
        st.session_state["review_skip"] = st.session_state.get("review_skip", 0) + 1
        st.rerun()
except ConflictError as exc:
    # The page now shows the current stance; the next click applies to that version.
    del st.session_state[f"{key}_version"]
    st.error(md_escape(str(exc)))
except TrackerError as exc:
    st.error(md_escape(str(exc)))
