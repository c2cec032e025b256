"""Actors and issues: who is tracked and what each issue's scale means, read and edited."""

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from dashboard.state import may, principal, reading, session
from dashboard.ui import md_escape
from tracker.actor_merge import merge_actors
from tracker.actors import KINDS, aliases_of, create_actor, get_actor, list_actors, update_actor
from tracker.csv_io import split_list
from tracker.errors import TrackerError
from tracker.issues import IssueRow, export_issues, get_issue, save_issue
from tracker.models import POSITIONS, Actor, Role

FLASH = "taxonomy_flash"
NEXT_RUN = "taxonomy_next_run"
NO_PARTY = "(none)"
# The columns' sizes: PostgreSQL refuses longer text with an error the services do not catch.
NAME_MAX, SLUG_MAX = 200, 80
NEW_ISSUE = "(new issue)"

# A write can change what the edit form shows (a party merged away): refill it from the database.
RELOAD_ACTOR = {"edit_actor_loaded": ""}

Change = Callable[[Session], tuple[str, dict[str, Any]]]


def _write(change: Change) -> None:
    """One change in one transaction. A refused change is explained and nothing is written;
    a saved one reruns the page to show the new data, with its message and the widget
    values to set before they render (which cannot be changed once rendered)."""
    try:
        with session() as s:
            message, next_run = change(s)
    except TrackerError as exc:
        st.error(md_escape(str(exc)))
        return
    st.session_state[FLASH] = message
    st.session_state[NEXT_RUN] = next_run
    st.rerun()


def _forget_stale(key: str, options: Sequence[str]) -> None:
    """Drop a remembered choice that no longer exists (a merged-away actor)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def _prefill(loaded_key: str, loaded: str, values: dict[str, str]) -> None:
    """Fill a form's widgets from the record once per choice; later reruns keep the edits."""
    if st.session_state.get(loaded_key) != loaded:
        st.session_state.update(values)
        st.session_state[loaded_key] = loaded


def _party(s: Session, name: str) -> Actor | None:
    return None if name == NO_PARTY else get_actor(s, name)


def _add_actor_form(names: list[str]) -> None:
    with st.form("add_actor"):
        cols = st.columns([3, 2, 3])
        name = cols[0].text_input("Name", key="add_actor_name", max_chars=NAME_MAX)
        kind = cols[1].selectbox("Kind", KINDS, key="add_actor_kind")
        party = cols[2].selectbox("Speaks for", [NO_PARTY, *names], key="add_actor_party")
        aliases = st.text_input(
            "Aliases, separated by ;", key="add_actor_aliases", placeholder="e.g. Kyiv; Kiev"
        )
        if not st.form_submit_button("Add actor", type="primary", key="add_actor_save"):
            return

    def add(s: Session) -> tuple[str, dict[str, Any]]:
        actor = create_actor(s, name, kind, _party(s, party), split_list(aliases))
        cleared = {"add_actor_name": "", "add_actor_aliases": "", "add_actor_party": NO_PARTY}
        return f"Added actor {actor.name}.", cleared | RELOAD_ACTOR

    _write(add)


def _edit_actor_form(actors: dict[str, dict[str, Any]]) -> None:
    names = list(actors)
    _forget_stale("edit_actor", names)
    picked = st.selectbox(
        "Actor to edit", names, index=None, key="edit_actor", placeholder="Choose an actor"
    )
    if picked is None:
        return
    current = actors[picked]
    _prefill(
        "edit_actor_loaded",
        picked,
        {
            "edit_actor_name": picked,
            "edit_actor_kind": current["kind"],
            "edit_actor_party": current["party"] or NO_PARTY,
            "edit_actor_aliases": "; ".join(current["aliases"]),
        },
    )
    with st.form("edit_actor_form"):
        cols = st.columns([3, 2, 3])
        name = cols[0].text_input("Name", key="edit_actor_name", max_chars=NAME_MAX)
        kind = cols[1].selectbox("Kind", KINDS, key="edit_actor_kind")
        others = [n for n in names if n != picked]
        party = cols[2].selectbox("Speaks for", [NO_PARTY, *others], key="edit_actor_party")
        alias_text = st.text_input(
            "Aliases, separated by ;",
            key="edit_actor_aliases",
            help="A renamed actor keeps its old name as an alias unless you edit this list too.",
        )
        if not st.form_submit_button("Save actor", type="primary", key="edit_actor_save"):
            return
    aliases = split_list(alias_text)

    def edit(s: Session) -> tuple[str, dict[str, Any]]:
        actor = update_actor(
            s,
            get_actor(s, picked),
            name=name,
            kind=kind,
            party=_party(s, party),
            # Only a changed list replaces the aliases, so a rename alone keeps the old name.
            aliases=aliases if aliases != current["aliases"] else None,
        )
        return f"Saved actor {actor.name}.", {"edit_actor": actor.name} | RELOAD_ACTOR

    _write(edit)


def _merge_form(names: list[str], annotator: str) -> None:
    st.caption(
        "For a duplicate or a second spelling: the merged-away actor's names become aliases "
        "of the one kept, and its stances, mentions and members move over. Every moved "
        "stance is recorded in the history under your name. This cannot be undone."
    )
    _forget_stale("merge_keep", names)
    _forget_stale("merge_drop", names)
    cols = st.columns(2)
    keep = cols[0].selectbox(
        "Keep", names, index=None, key="merge_keep", placeholder="The actor that stays"
    )
    drop = cols[1].selectbox(
        "Merge away", names, index=None, key="merge_drop", placeholder="The duplicate"
    )
    confirmed = st.checkbox(
        "I understand: the merged-away actor is deleted and its stances move.",
        key="merge_confirm",
    )
    ready = keep is not None and drop is not None and confirmed
    if not (st.button("Merge", key="merge_go", disabled=not ready) and ready):
        return

    def merge(s: Session) -> tuple[str, dict[str, Any]]:
        assert keep is not None and drop is not None
        moved = merge_actors(s, get_actor(s, keep), get_actor(s, drop), annotator=annotator)
        message = f"Merged {drop} into {keep}: {moved} stance(s) moved."
        # Members and aliases moved too: the edit form must show them afresh.
        return message, {"merge_confirm": False} | RELOAD_ACTOR

    _write(merge)


def _issue_form(issues: dict[str, dict[str, str]]) -> None:
    choices = [NEW_ISSUE, *issues]
    _forget_stale("issue_pick", choices)
    pick = st.selectbox("Issue", choices, key="issue_pick")
    editing = pick != NEW_ISSUE
    row = issues.get(pick, {})
    _prefill(
        "issue_loaded",
        pick,
        {
            "issue_slug": row.get("slug", ""),
            "issue_name": row.get("name", ""),
            "issue_description": row.get("description", ""),
            "issue_keywords": "; ".join(split_list(row.get("keywords", ""))),
            **{f"issue_label_{p}": row.get(f"label_{p}", "") for p in POSITIONS},
        },
    )
    with st.form("issue_form"):
        cols = st.columns([2, 3])
        slug = cols[0].text_input(
            "Slug",
            key="issue_slug",
            max_chars=SLUG_MAX,
            disabled=editing,
            help="Lowercase letters, digits and hyphens, e.g. ceasefire-first. Fixed once saved.",
        )
        name = cols[1].text_input("Name", key="issue_name", max_chars=NAME_MAX)
        description = st.text_area("Description", key="issue_description", height=80)
        keywords = st.text_input("Keywords, separated by ;", key="issue_keywords")
        st.caption(
            "What each point of the scale means for this issue. A blank label keeps the "
            "current wording (a new issue gets the standard one)."
        )
        label_cols = st.columns(len(POSITIONS))
        labels = {
            p: column.text_input(
                f"Label for {p:+d}".replace("+0", "0"), key=f"issue_label_{p}", max_chars=NAME_MAX
            )
            for p, column in zip(POSITIONS, label_cols, strict=True)
        }
        if not st.form_submit_button("Save issue", type="primary", key="issue_save"):
            return

    def save(s: Session) -> tuple[str, dict[str, Any]]:
        if editing:
            get_issue(s, pick)  # saving by slug would silently re-create a deleted issue
        edited = IssueRow(
            slug=pick if editing else slug,
            name=name,
            description=description,
            keywords=split_list(keywords),
            labels=labels,
        )
        issue, created = save_issue(s, edited)
        message = f"{'Added' if created else 'Saved'} issue {issue.slug}."
        return message, {"issue_pick": issue.slug, "issue_loaded": ""}

    _write(save)


st.title("Actors & issues")
for key, value in st.session_state.pop(NEXT_RUN, {}).items():
    st.session_state[key] = value
if flash := st.session_state.pop(FLASH, None):
    st.success(md_escape(flash))

with reading() as s:
    actors = {
        a.name: {"kind": a.kind, "party": a.party.name if a.party else "", "aliases": aliases_of(a)}
        for a in list_actors(s)
    }
    issues = {row["slug"]: row for row in export_issues(s)}

actors_tab, issues_tab = st.tabs(["Actors", "Issues"])
with actors_tab:
    if actors:
        table = [{"name": n, **a, "aliases": "; ".join(a["aliases"])} for n, a in actors.items()]
        st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    else:
        st.info("No actors yet: import them with `tracker actors import FILE`, or add one below.")
with issues_tab:
    if issues:
        st.dataframe(pd.DataFrame(list(issues.values())), hide_index=True, width="stretch")
    else:
        st.info(
            "No issues yet: import a taxonomy with `tracker issues import FILE`, "
            "or add one below (admins)."
        )

# Everything below writes: each part is shown to the roles that may do it (the services
# refuse the others anyway). Analysts add actors; reviewers merge; admins edit the taxonomy.
who = principal()
if not may(Role.ANALYST):
    st.caption(
        md_escape(
            f"Signed in as a {who.role.value}: adding actors takes the analyst role, merging "
            "them the reviewer role, editing actors and issues the admin role."
        )
    )
with actors_tab:
    if may(Role.ANALYST):
        st.subheader("Add an actor", anchor=False)
        _add_actor_form(list(actors))
    if may(Role.ADMIN):
        st.subheader("Edit an actor", anchor=False)
        _edit_actor_form(actors)
    if may(Role.REVIEWER):
        st.subheader("Merge two actors", anchor=False)
        _merge_form(list(actors), who.name)
with issues_tab:
    if may(Role.ADMIN):
        _issue_form(issues)
    else:
        st.caption("Adding and editing issues takes the admin role.")
