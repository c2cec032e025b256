"""Sources: the articles stances quote, searchable, with their text and what was found in it."""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.state import engine, may, principal, reading, session
from dashboard.ui import md_escape
from tracker.config import suggest_on_ingest
from tracker.errors import TrackerError
from tracker.ingest import Input, Overrides, ingest_inputs
from tracker.models import Role
from tracker.search import search_sources
from tracker.sources import (
    get_source,
    list_sources,
    outlets,
    set_published,
    set_title,
    source_details,
)

LIST_LIMIT = 500

st.title("Sources")


_FIELDS = {"add_text": "", "add_title": "", "add_outlet": "", "add_url": "", "add_published": None}


def _add_form() -> None:
    # After the articles are stored the form starts empty: a title or outlet left in it
    # would be given to the next file added. Widget values can only be set before the
    # widgets are drawn, so the form is emptied at the start of the rerun that follows,
    # which also shows what happened; a file uploader cannot be set at all, so a new one
    # (another key) replaces it.
    if st.session_state.pop("add_done", False):
        st.session_state.update(_FIELDS)
        st.session_state["add_uploads"] = st.session_state.get("add_uploads", 0) + 1
    for status, message in st.session_state.pop("add_results", []):
        {"added": st.success, "duplicate": st.info}.get(status, st.error)(message)
    paste, upload = st.tabs(["Paste text", "Upload files"])
    with paste:
        pasted = st.text_area("Article text", key="add_text", height=160)
    with upload:
        files = st.file_uploader(
            "Article files (.txt, .md, .html)",
            key=f"add_files_{st.session_state.get('add_uploads', 0)}",
            type=["txt", "md", "markdown", "html", "htm"],
            accept_multiple_files=True,
        )
    cols = st.columns(4)
    title = cols[0].text_input("Title (optional)", key="add_title")
    outlet_in = cols[1].text_input("Outlet (optional)", key="add_outlet")
    url = cols[2].text_input("Link (optional)", key="add_url")
    published = cols[3].date_input("Published (optional)", value=None, key="add_published")
    suggest = st.checkbox(
        "Suggest stances for the review queue",
        value=suggest_on_ingest(),
        key="add_suggest",
        help="Proposes actor, issue, position and quote for each new story; "
        "you accept, correct or reject them in the Review queue.",
    )
    if st.button("Add", type="primary", key="add_source"):
        inputs = [Input(f.name, f.getvalue) for f in files or []]
        if pasted.strip():
            inputs.insert(0, Input("pasted text", lambda: pasted.encode("utf-8")))
        if not inputs:
            st.warning("Paste some text or choose files first.")
        else:
            one = len(inputs) == 1
            overrides = Overrides(
                title if one else None, outlet_in or None, url if one else None, published
            )
            try:
                results = ingest_inputs(
                    engine(), inputs, overrides, suggest=suggest, principal=principal()
                )
            except TrackerError as exc:  # e.g. the account's role was lowered meanwhile
                st.error(md_escape(str(exc)))
                return
            st.cache_data.clear()
            shown = [(r.status, md_escape(f"{r.input}: {r.message}")) for r in results]
            if all(r.status in ("added", "duplicate") for r in results):
                st.session_state["add_results"] = shown
                st.session_state["add_done"] = True
                st.rerun()
            for status, message in shown:  # something was refused: the form stays as it is
                {"added": st.success, "duplicate": st.info}.get(status, st.error)(message)


def _title_and_outlet(source_id: int, title: str, outlet: str) -> None:
    """Set or correct how reports cite the source."""
    if flash := st.session_state.pop("src_title_flash", None):
        st.success(md_escape(flash))
    with st.expander("Title and outlet", expanded=not title):
        with st.form(f"src_title_form_{source_id}", border=False):
            cols = st.columns([3, 2])
            new_title = cols[0].text_input(
                "Title", value=title, max_chars=500, key=f"src_title_{source_id}"
            )
            new_outlet = cols[1].text_input(
                "Outlet", value=outlet, max_chars=200, key=f"src_outlet_{source_id}"
            )
            if not st.form_submit_button(
                "Save title and outlet", key=f"src_title_save_{source_id}"
            ):
                return
        try:
            with session() as s:
                set_title(s, get_source(s, source_id), title=new_title, outlet=new_outlet)
        except TrackerError as exc:
            st.error(md_escape(str(exc)))
            return
        st.cache_data.clear()
        st.session_state["src_title_flash"] = f"Source #{source_id} saved: {new_title.strip()!r}."
        st.rerun()


def _publication_date(source_id: int, published_on: dt.date | None) -> None:
    """Set or correct the date the source's new stances default to."""
    if flash := st.session_state.pop("src_date_flash", None):
        st.success(md_escape(flash))
    with st.expander("Publication date", expanded=published_on is None):
        cols = st.columns([2, 1], vertical_alignment="bottom")
        day = cols[0].date_input(
            "Published on", value=published_on, key=f"src_date_{source_id}", format="YYYY-MM-DD"
        )
        if cols[1].button("Set date", key=f"src_date_set_{source_id}", disabled=day is None):
            assert day is not None
            try:
                with session() as s:
                    set_published(s, get_source(s, source_id), day)
            except TrackerError as exc:
                st.error(md_escape(str(exc)))
                return
            st.cache_data.clear()
            st.session_state["src_date_flash"] = (
                f"Source #{source_id} published on {day.isoformat()}; new stances from it "
                "default to this date (stances already recorded keep theirs)."
            )
            st.rerun()


if may(Role.ANALYST):
    with st.expander("Add a source: paste text or upload a file"):
        _add_form()

filters = st.columns([3, 2, 2])
query = filters[0].text_input(
    "Search the text of every source",
    key="source_query",
    placeholder='e.g. "security guarantees" Turkey',
)
with reading() as s:
    known_outlets = outlets(s)
outlet = filters[1].selectbox("Outlet", ["(all)", *known_outlets], key="source_outlet")
dates = filters[2].date_input("Published between", value=[], key="source_dates")
since, until = dates if isinstance(dates, tuple) and len(dates) == 2 else (None, None)
listing: list[dict[str, Any]]  # one row per source, for the table and the picker
with reading() as s:
    if query.strip():
        try:
            hits = search_sources(s, query, limit=50)
        except TrackerError as exc:  # a query with no word in it, such as "!!!"
            st.warning(md_escape(str(exc)))
            st.stop()
        listing = [
            {
                "id": h.source_id,
                "published_on": h.published_on,
                "title": h.title,
                "outlet": h.outlet,
                "snippet": h.snippet,
            }
            for h in hits
        ]
    else:
        listing = [
            {
                "id": src.id,
                "published_on": src.published_on,
                "title": src.title or "(untitled)",
                "outlet": src.outlet,
                "stances": n,
                "rewrite_of": src.duplicate_of,
                "split_from": src.split_from,
            }
            for src, n in list_sources(
                s,
                limit=LIST_LIMIT,
                outlet=None if outlet == "(all)" else outlet,
                since=since,
                until=until,
            )
        ]

if not listing:
    if query.strip():
        st.info(md_escape(f"No source contains all of: {query}"))
    elif outlet != "(all)" or since:
        st.info("No sources match these filters.")
    else:
        st.info(
            "No sources yet. Add articles with `tracker sources add FOLDER`, "
            "or load the demo with `tracker demo`."
        )
    st.stop()

st.dataframe(
    pd.DataFrame(listing),
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.NumberColumn("ID", format="%d"),
        "published_on": st.column_config.DateColumn("Published"),
        "title": st.column_config.TextColumn("Title", width="large"),
        "outlet": "Outlet",
        "stances": st.column_config.NumberColumn("Stances", format="%d"),
        "rewrite_of": st.column_config.NumberColumn("Rewrite of", format="%d"),
        "split_from": st.column_config.NumberColumn("Split from", format="%d"),
        "snippet": st.column_config.TextColumn("Where it matches", width="large"),
    },
)

labels: dict[int, str] = {row["id"]: f"#{row['id']} {row['title']}" for row in listing}
chosen = st.selectbox(
    "Read a source", list(labels), format_func=labels.__getitem__, key="read_source"
)
if chosen is not None:
    with reading() as s:
        details = source_details(s, chosen)
    st.subheader(md_escape(details["title"] or "(untitled)"), anchor=False)
    facts = [
        f"Published {details['published_on']} ({details['published_basis']})"
        if details["published_on"]
        else "No publication date: set it below before tagging",
        f"Outlet: {details['outlet']}" if details["outlet"] else "",
        f"Rewrite of source #{details['duplicate_of']} (similarity {details['similarity']:.2f})"
        if details["duplicate_of"]
        else "",
        f"Rewritten as #{', #'.join(map(str, details['rewrites']))}" if details["rewrites"] else "",
        f"Split off source #{details['split_from']}" if details["split_from"] else "",
    ]
    st.caption(md_escape(" · ".join(f for f in facts if f)))
    mentioned = ", ".join(f"{m['actor']} ({m['count']})" for m in details["actors_mentioned"])
    st.caption(md_escape(f"Actors mentioned: {mentioned or 'none'}"))
    if details["unknown_names"]:
        st.caption(
            md_escape(
                "Names not known as actors: "
                + ", ".join(n["name"] for n in details["unknown_names"][:15])
            )
        )
    if may(Role.ANALYST):
        _title_and_outlet(chosen, details["title"] or "", details["outlet"] or "")
        _publication_date(chosen, details["published_on"])
    # st.text: source text is shown as text, never rendered as Markdown or HTML.
    st.text(details["text"])
