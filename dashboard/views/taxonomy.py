"""Actors and issues: who is tracked, and what each issue's scale means."""

import pandas as pd
import streamlit as st

from dashboard.state import session
from tracker.actors import export_actors
from tracker.issues import export_issues

st.title("Actors & issues")

with session() as s:
    actors = export_actors(s)
    issues = export_issues(s)

st.header("Issues", anchor=False)
if issues:
    st.dataframe(pd.DataFrame(issues), hide_index=True, width="stretch")
else:
    st.info("No issues yet: import a taxonomy with `tracker issues import FILE`.")

st.header("Actors", anchor=False)
if actors:
    st.dataframe(pd.DataFrame(actors), hide_index=True, width="stretch")
else:
    st.info("No actors yet: import them with `tracker actors import FILE`.")
