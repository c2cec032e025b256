"""Stances: every recorded position, filtered in the database."""

import pandas as pd
import streamlit as st

from dashboard.filters import date_range
from dashboard.stance_upload import stance_upload_form
from dashboard.state import may, reading, reading_later
from tracker.actors import list_actors
from tracker.issues import list_issues
from tracker.models import Role
from tracker.stance_csv import export_stances_bytes
from tracker.stance_query import STATUSES, StanceFilter, stance_records
from tracker.text import name_order

PAGE_SIZE = 500
COLUMNS = [
    "stance_id",
    "stated_on",
    "actor",
    "party",
    "issue",
    "position",
    "position_label",
    "confidence",
    "status",
    "quote",
    "source_title",
    "source_outlet",
    "annotator",
    "note",
]

st.title("Stances")

with reading() as s:
    actor_names = [a.name for a in list_actors(s)]
    party_names = sorted(
        {a.party.name for a in list_actors(s) if a.party is not None}, key=name_order
    )
    issue_slugs = [i.slug for i in list_issues(s)]

if not issue_slugs or not actor_names:
    st.info(
        "No issues or actors yet. Load the demo with `tracker demo`, or import your own "
        "taxonomy and actors with `tracker issues import` and `tracker actors import`."
    )
    st.stop()

if may(Role.REVIEWER):  # an import may change anyone's stances
    stance_upload_form()

cols = st.columns(5)
issue = cols[0].selectbox("Issue", ["(all)", *issue_slugs], key="f_issue")
actor = cols[1].selectbox("Actor", ["(all)", *actor_names], key="f_actor")
party = cols[2].selectbox("Party", ["(all)", *party_names], key="f_party")
status = cols[3].selectbox("Status", ["(all)", *STATUSES], index=2, key="f_status")
dates = cols[4].date_input("Stated between", value=[], key="f_dates")

since, until = date_range(dates)  # a start date alone counts too, as on the other pages

flt = StanceFilter(
    issue=None if issue == "(all)" else issue,
    actor=None if actor == "(all)" else actor,
    party=None if party == "(all)" else party,
    status=None if status == "(all)" else status,
    since=since,
    until=until,
)
with reading() as s:
    rows = stance_records(s, flt, limit=PAGE_SIZE + 1)

if not rows:
    st.info(
        "No stances match these filters. Widen the dates or set a filter back to (all). "
        "Stances are recorded on the Read & tag page"
        + (", or imported from a CSV file (above)." if may(Role.REVIEWER) else ".")
    )
    st.stop()


later = reading_later()


def _download() -> bytes:
    # Called only when the button is clicked: the whole filtered set, not just this page.
    with later() as s:
        return export_stances_bytes(s, flt, excel=True)


st.download_button(
    "Download these stances as CSV",
    data=_download,
    file_name="stances.csv",
    mime="text/csv",
    help="All stances matching the filters (not only the first page), spreadsheet-safe.",
    on_click="ignore",
)

if len(rows) > PAGE_SIZE:
    st.caption(f"Showing the first {PAGE_SIZE} stances; narrow the filters to see the rest.")
    rows = rows[:PAGE_SIZE]
else:
    st.caption(f"{len(rows)} stances")

frame = pd.DataFrame(rows, columns=COLUMNS)
st.dataframe(
    frame,
    hide_index=True,
    width="stretch",
    column_config={
        "stance_id": st.column_config.NumberColumn("ID", format="%d"),
        "stated_on": st.column_config.TextColumn("Stated on"),
        "position": st.column_config.NumberColumn("Position", format="%+d"),
        "position_label": "Meaning",
        "confidence": st.column_config.ProgressColumn("Confidence", min_value=0, max_value=1),
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "source_title": "Source",
        "source_outlet": "Outlet",
    },
)
