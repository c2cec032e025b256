"""Read & tag: read a source, mark the passage, record who took which position."""

from typing import Any

import streamlit as st

from dashboard.evidence_form import Evidence, evidence_inputs
from dashboard.marked_text import marked_html
from dashboard.state import may, principal, reading, session
from dashboard.ui import md_escape
from tracker.actors import create_actor, get_actor, list_actors
from tracker.blinding import is_open
from tracker.errors import ConflictError, TrackerError
from tracker.highlight import find_passage, tagging_view
from tracker.issues import get_issue, list_issues
from tracker.models import POSITIONS, ActorKind, Role
from tracker.proposals import get_proposal, list_proposals
from tracker.sources import get_source, list_sources
from tracker.stances import (
    StanceChanges,
    delete_stance,
    may_change,
    record_stance,
    recorded_by_each,
    update_stance,
)
from tracker.text import signed

NEW_ACTOR = "(new actor…)"


def _position_label(position: int, scale: dict[int, str]) -> str:
    """'+2 Ceasefire must come first': slider labels render as Markdown, the issue's
    wording is escaped."""
    return f"{position:+d} {md_escape(scale[position])}" if position else f"0 {md_escape(scale[0])}"


def _edit_stance(
    row: dict[str, Any], name: str, actor_names: list[str], proposals: list[str]
) -> None:
    """Change or delete one stance, checked against the version this analyst loaded.

    A refused save (a colleague saved first) is kept in the session, so the conflict and
    its "Load the newer version" button stay on the page until the analyst acts.
    """
    key = f"edit_{row['stance_id']}"
    conflict = st.session_state.get(f"{key}_conflict")
    if conflict is not None:
        st.error(md_escape(conflict))
        # The click clears the form before the next run, which refills it from the database.
        st.button(
            "Load the newer version", key=f"{key}_reload", on_click=_forget_loaded, args=[key]
        )
    if f"{key}_pos" not in st.session_state:
        # The form fills from the stored stance, and remembers which version that was:
        # a save is checked against it, so a colleague's newer save is never overwritten.
        st.session_state[f"{key}_version"] = row["version"]
        st.session_state[f"{key}_pos"] = row["position"]
        st.session_state[f"{key}_note"] = row["note"] or ""
        st.session_state[f"{key}_date"] = row["stated_on"]
    loaded = st.session_state[f"{key}_version"]
    new_position = st.select_slider("Position", options=POSITIONS, key=f"{key}_pos")
    new_date = st.date_input("Stated on", key=f"{key}_date")
    new_note = st.text_input("Note", key=f"{key}_note")
    stored = Evidence(
        row["attribution"],
        row["reported_by"],
        row["conditional"],
        row["condition"],
        row["proposal"],
    )
    evidence = evidence_inputs(f"{key}_ev", actor_names, stored, proposals)
    cols = st.columns(2)
    try:
        if cols[0].button("Save changes", key=f"{key}_save"):
            with session() as s:
                update_stance(
                    s,
                    row["stance_id"],
                    StanceChanges(
                        position=new_position,
                        stated_on=new_date,
                        note=new_note,
                        attribution=evidence.attribution or "",
                        reported_by=_reporter(s, evidence),
                        conditional=evidence.conditional,
                        condition=evidence.condition,
                        proposal=_proposal(s, evidence),
                        unlink_proposal=evidence.proposal is None,
                    ),
                    annotator=name,
                    expected_version=loaded,
                )
            _forget_loaded(key)
            st.rerun()
        # One click too many is cheap; a stance deleted by a slip is gone from every view.
        cols[1].button("Delete", key=f"{key}_delete", on_click=_ask_delete, args=[key])
        if st.session_state.get(f"{key}_confirm_delete"):
            st.warning(
                f"Delete stance #{row['stance_id']}? It leaves the timelines and reports "
                "(its history keeps it)."
            )
            yes, no = st.columns(2)
            if yes.button("Yes, delete it", key=f"{key}_delete_yes", type="primary"):
                st.session_state.pop(f"{key}_confirm_delete", None)
                with session() as s:
                    delete_stance(s, row["stance_id"], annotator=name, expected_version=loaded)
                _forget_loaded(key)
                st.rerun()
            no.button("Keep it", key=f"{key}_delete_no", on_click=_keep, args=[key])
    except ConflictError as exc:
        st.session_state[f"{key}_conflict"] = str(exc)
        st.rerun()  # shows the conflict and its button above the form
    except TrackerError as exc:
        st.error(md_escape(str(exc)))


def _ask_delete(key: str) -> None:
    st.session_state[f"{key}_confirm_delete"] = True


def _keep(key: str) -> None:
    st.session_state.pop(f"{key}_confirm_delete", None)


def _forget_loaded(key: str) -> None:
    """Fill the form from the database again (after a save, or to load a newer version)."""
    for field in (
        "version",
        "pos",
        "date",
        "note",
        "conflict",
        "confirm_delete",
        "ev_attribution",
        "ev_reporter",
        "ev_conditional",
        "ev_condition",
        "ev_proposal",
    ):
        st.session_state.pop(f"{key}_{field}", None)


def _source_chosen() -> None:
    """The analyst's choice of source goes into the address (a reload comes back to it)."""
    st.query_params["source"] = str(st.session_state["tag_source"])


def _reporter(s: Any, evidence: Evidence) -> Any:
    """The reporting actor the form names, if any."""
    return get_actor(s, evidence.reported_by) if evidence.reported_by else None


def _proposal(s: Any, evidence: Evidence) -> Any:
    """The proposal the form links the stance to, if any."""
    return get_proposal(s, evidence.proposal) if evidence.proposal else None


st.title("Read & tag")

with reading() as s:
    listing = [
        (src.id, src.title or "(untitled)", src.published_on)
        for src, _ in list_sources(s, limit=500)
    ]
    actors = {
        a.name: ", ".join(al.alias for al in a.aliases if al.alias != a.name)
        for a in list_actors(s)
    }
    proposal_names = [p["name"] for p in list_proposals(s)]
    issues = {i.slug: (i.name, i.labels()) for i in list_issues(s)}

if not listing:
    st.info(
        "No sources yet. Add articles on the Sources page or with "
        "`tracker sources add FOLDER`, then come back to tag them."
    )
    st.stop()
if not issues:
    st.info(
        "No issues yet: load a taxonomy with `tracker issues import FILE` "
        "(or add one on Actors & issues)."
    )
    st.stop()

# After a save the passage-specific fields start empty. Popping a widget's key is not
# enough: the browser keeps showing the old text and sends it back with the next change
# (a note could ride along with the next stance). Values set before a widget is drawn
# reach the browser, so the form is emptied at the start of the rerun after the save.
if cleared := st.session_state.pop("tag_cleared", None):
    st.session_state.update({"tag_quote": "", "tag_note": "", "tag_ev_condition": ""})
    st.session_state.pop("tag_occ", None)
    if cleared.get("actor"):  # an actor just added: picked, not "(new actor…)" again
        st.session_state["tag_actor"] = cleared["actor"]
        st.session_state["tag_new_name"] = ""

labels = {sid: f"#{sid} {title} ({published or 'no date'})" for sid, title, published in listing}
# The address names the source (tag?source=N: a link to it, a reload, a bookmark) and
# follows the analyst's choice. Read on every run, not only the first: under load the
# page once came back on another source after a save, though the address still named it.
wanted = st.query_params.get("source")
if wanted and wanted.isdigit() and int(wanted) in labels:
    st.session_state["tag_source"] = int(wanted)
source_id = st.selectbox(
    "Source",
    list(labels),
    format_func=labels.__getitem__,
    key="tag_source",
    on_change=_source_chosen,
)
with reading() as s:
    view = tagging_view(s, source_id)
    blind = is_open(s, source_id)
    creators = recorded_by_each(s, [row["stance_id"] for row in view["stances"]])
    changeable = {
        row["stance_id"]
        for row in view["stances"]
        if may_change(s, row["stance_id"], creators.get(row["stance_id"]))
    }
who = principal()
name = who.name
if blind:
    st.info(
        "This source is in double coding: analysts code it on their own and see only their "
        "own stances here; a reviewer compares the codings on Agreement and closes it."
        if not may(Role.REVIEWER)
        else "This source is in double coding: its analysts see only their own stances; "
        "you see them all. Compare and settle them on Agreement, then close it there."
    )

st.caption(
    md_escape(
        f"{view['outlet'] or 'Unknown outlet'} · published "
        f"{view['published_on'] or 'date not set'} · underlined: known actors · "
        "yellow: passages already tagged (hover for the stance)"
    )
)

text_col, form_col = st.columns([3, 2], gap="large")
with form_col:
    chosen: tuple[int, int] | None = None
    if not may(Role.ANALYST):
        st.info(
            f"You are signed in as a {who.role.value}: you can read sources and stances; "
            "recording them takes the analyst role (ask an admin)."
        )
    else:
        typed = st.text_area(
            "Quote: paste or type the passage",
            key="tag_quote",
            height=110,
            help="It is located in the text; the offsets are computed, never typed.",
        )
        found = find_passage(view["text"], typed) if typed.strip() else []
        if typed.strip() and not found:
            st.error("This passage is not in the source text. Copy it from the text on the left.")
        elif len(found) > 1:
            pick = st.radio(
                "The passage occurs more than once: which one?",
                range(len(found)),
                key="tag_occ",
                # Radio labels render as Markdown: the source's own text is escaped.
                format_func=lambda i: md_escape(
                    "…"
                    + view["text"][max(0, found[i][0] - 40) : found[i][1] + 40].replace("\n", " ")
                    + "…"
                ),
            )
            chosen = found[pick]
        elif found:
            chosen = found[0]

        actor_name = st.selectbox(
            "Actor (type to search names and aliases)",
            [*actors, NEW_ACTOR],
            key="tag_actor",
            index=None,
            format_func=lambda n: f"{n} ({actors[n]})" if actors.get(n) else n,
            # Matches keep the list's (alphabetical) order: the fuzzy default ranked
            # "United States (…, Trump's team)" above "Donald Trump" for "Trump".
            filter_mode="contains",
        )
        new_actor: tuple[str, str, str | None] | None = None
        if actor_name == NEW_ACTOR:
            cols = st.columns(2)
            new_name = cols[0].text_input("New actor's name", key="tag_new_name")
            kind = cols[1].selectbox("Kind", [k.value for k in ActorKind], key="tag_new_kind")
            party = st.selectbox("Speaks for", ["(none)", *actors], key="tag_new_party")
            new_actor = (new_name, kind, None if party == "(none)" else party)
        issue_slug = st.selectbox(
            "Issue",
            list(issues),
            key="tag_issue",
            format_func=lambda slug: f"{issues[slug][0]} ({slug})",
        )
        scale = issues[issue_slug][1]
        position = st.select_slider(
            "Position",
            options=[-2, -1, 0, 1, 2],
            value=0,
            key="tag_position",
            format_func=lambda p: _position_label(p, scale),
        )
        # An undated source gets no default: today would be a silent guess.
        stated_on = st.date_input(
            "Stated on",
            value=view["published_on"],
            key=f"tag_date_{source_id}",
            help=None
            if view["published_on"]
            else "This source has no publication date: give the day the position was stated.",
        )
        confidence = st.slider("Confidence", 0.0, 1.0, 0.8, 0.05, key="tag_confidence")
        evidence = evidence_inputs("tag_ev", list(actors), proposals=proposal_names)
        note = st.text_area("Note", key="tag_note", height=68)

        if st.button("Save stance", type="primary", disabled=chosen is None, key="tag_save"):
            try:
                with session() as s:
                    if new_actor is not None:
                        party_actor = get_actor(s, new_actor[2]) if new_actor[2] else None
                        actor = create_actor(s, new_actor[0], new_actor[1], party_actor)
                    elif actor_name:
                        actor = get_actor(s, actor_name)
                    else:
                        raise TrackerError("choose the actor who took the position")
                    assert chosen is not None
                    stance = record_stance(
                        s,
                        actor=actor,
                        issue=get_issue(s, issue_slug),
                        source=get_source(s, source_id),
                        position=position,
                        quote=view["text"][chosen[0] : chosen[1]],
                        quote_start=chosen[0],
                        stated_on=stated_on,
                        confidence=confidence,
                        note=note,
                        annotator=name,
                        attribution=evidence.attribution,
                        reported_by=_reporter(s, evidence),
                        conditional=evidence.conditional,
                        condition=evidence.condition,
                        proposal=_proposal(s, evidence),
                    )
                    saved, added = stance.id, actor.name if new_actor is not None else None
                st.session_state["tag_flash"] = f"Saved stance #{saved}."
                st.session_state["tag_cleared"] = {"actor": added}
                st.rerun()
            except TrackerError as exc:
                st.error(md_escape(str(exc)))
        if flash := st.session_state.pop("tag_flash", None):
            st.success(md_escape(flash))

with text_col:
    st.subheader(md_escape(view["title"] or "(untitled)"), anchor=False)
    # Escaped HTML: the source text can never run as markup (see dashboard/marked_text.py).
    st.html(marked_html(view["segments"], selected=chosen))

st.subheader("Stances from this source", anchor=False)
if not view["stances"]:
    st.caption("None yet. Paste a passage above, choose the actor, issue and position, and save.")
for row in view["stances"]:
    header = (
        f"#{row['stance_id']} {row['actor']} on {row['issue']}: {signed(row['position'])} "
        f"{row['label']}{' (conditional)' if row['conditional'] else ''} "
        f"({row['status']}, v{row['version']}, by {row['annotator']})"
    )
    # The key keeps the box open when its label changes (a colleague's save bumps the
    # version): without one the browser takes it for a new box and folds it.
    with st.expander(md_escape(header), key=f"stance_box_{row['stance_id']}"):
        st.text(
            f"“{row['quote']}”\nStated on {row['stated_on']}, confidence {row['confidence']}"
            f"\nEvidence: {row['evidence']}"
            + (f"\nProposal: {row['proposal']}" if row["proposal"] else "")
            + (f"\nNote: {row['note']}" if row["note"] else "")
        )
        if row["stance_id"] in changeable:
            _edit_stance(row, name, list(actors), proposal_names)
        elif may(Role.ANALYST):
            st.caption(
                md_escape(
                    f"Recorded by {creators.get(row['stance_id']) or 'someone else'}: "
                    "analysts change only their own stances; a reviewer can change it."
                )
            )
