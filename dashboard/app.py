"""Entry point: page config, sign-in and routing only."""

import streamlit as st

from dashboard.state import account_sidebar, maybe_signed_in

st.set_page_config(page_title="Position Tracker", page_icon="⚖️", layout="wide")

pages = {
    "Tag": [
        st.Page("views/tag.py", title="Read & tag", icon="✍️"),
        st.Page("views/review.py", title="Review queue", icon="📥"),
    ],
    "Analyse": [
        st.Page("views/stances.py", title="Stances", icon="🗂️", default=True),
        st.Page("views/timeline.py", title="Issue timeline", icon="📈"),
        st.Page("views/profile.py", title="Actor profile", icon="👤"),
        st.Page("views/matrix.py", title="Positions matrix", icon="🧮"),
        st.Page("views/gap.py", title="Gap between sides", icon="↔️"),
        st.Page("views/reports.py", title="Weekly report", icon="📄"),
        st.Page("views/proposals.py", title="Proposals", icon="📜"),
        st.Page("views/agreement.py", title="Agreement", icon="🤝"),
    ],
    "Evidence": [
        st.Page("views/sources.py", title="Sources", icon="📰"),
    ],
    "Setup": [
        st.Page("views/taxonomy.py", title="Actors & issues", icon="🏷️"),
        st.Page("views/history.py", title="History", icon="🕘"),
        st.Page("views/accounts.py", title="Accounts", icon="🔑"),
    ],
}
# Routing first, so the page asked for in the URL is still the one shown after signing in.
# Expanded: past twelve pages Streamlit would fold the last ones under "View more".
page = st.navigation(pages, position="sidebar" if maybe_signed_in() else "hidden", expanded=True)
account_sidebar()  # the login form until someone signs in: no page runs before
page.run()
