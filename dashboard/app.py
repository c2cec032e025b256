"""Entry point: page config and routing only."""

import streamlit as st

st.set_page_config(page_title="Position Tracker", page_icon="⚖️", layout="wide")

pages = {
    "Analyse": [
        st.Page("views/stances.py", title="Stances", icon="🗂️", default=True),
    ],
    "Evidence": [
        st.Page("views/sources.py", title="Sources", icon="📰"),
    ],
    "Setup": [
        st.Page("views/taxonomy.py", title="Actors & issues", icon="🏷️"),
    ],
}
st.navigation(pages).run()
