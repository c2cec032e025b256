"""Sources: the articles stances quote, searchable, with their text and what was found in it."""

import pandas as pd
import streamlit as st

from dashboard.state import session
from dashboard.ui import md_escape
from tracker.search import search_sources
from tracker.sources import list_sources, source_details

LIST_LIMIT = 500

st.title("Sources")

query = st.text_input(
    "Search the text of every source",
    key="source_query",
    placeholder='e.g. "security guarantees" Turkey',
)
with session() as s:
    if query.strip():
        hits = search_sources(s, query, limit=50)
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
            for src, n in list_sources(s, limit=LIST_LIMIT)
        ]

if not listing:
    if query.strip():
        st.info(f"No source contains all of: {query}")
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

labels = {row["id"]: f"#{row['id']} {row['title']}" for row in listing}
chosen = st.selectbox("Read a source", list(labels), format_func=labels.__getitem__)
if chosen is not None:
    with session() as s:
        details = source_details(s, chosen)
    st.subheader(md_escape(details["title"] or "(untitled)"), anchor=False)
    facts = [
        f"Published {details['published_on']} ({details['published_basis']})"
        if details["published_on"]
        else "No publication date: set one before tagging",
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
    # st.text: source text is shown as text, never rendered as Markdown or HTML.
    st.text(details["text"])
