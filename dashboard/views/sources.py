"""Sources: the articles stances quote, and their text."""

import pandas as pd
import streamlit as st

from dashboard.state import session
from dashboard.ui import md_escape
from tracker.sources import get_source, list_sources

st.title("Sources")

with session() as s:
    listing = [
        {
            "id": src.id,
            "published_on": src.published_on.isoformat() if src.published_on else "",
            "title": src.title or "(untitled)",
            "outlet": src.outlet,
            "stances": n,
            "duplicate_of": src.duplicate_of,
        }
        for src, n in list_sources(s)
    ]

if not listing:
    st.info("No sources yet. Load the demo with `tracker demo`.")
    st.stop()

st.dataframe(
    pd.DataFrame(listing),
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.NumberColumn("ID", format="%d"),
        "duplicate_of": st.column_config.NumberColumn("Duplicate of", format="%d"),
    },
)

labels = {row["id"]: f"#{row['id']} {row['title']}" for row in listing}
chosen = st.selectbox("Read a source", list(labels), format_func=labels.__getitem__)
if chosen is not None:
    with session() as s:
        source = get_source(s, chosen)
        text, title = source.text, source.title
    st.subheader(md_escape(title or "(untitled)"), anchor=False)
    # st.text: source text is shown as text, never rendered as Markdown or HTML.
    st.text(text)
