"""History: every change to every stance, who made it and what it changed, newest first.

Read only: the page shows and exports the audit trail; nothing here changes it."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.state import reading, reading_later
from tracker.history import HistoryFilter, annotators, audit_csv, history
from tracker.models import StanceAction

PAGE_SIZE = 100
EVERYONE = "(everyone)"
ALL = "(all)"


def _first_page() -> None:
    st.session_state["h_page"] = 1


st.title("History")

with reading() as s:
    people = annotators(s)

cols = st.columns([2, 2, 1, 2])
who = cols[0].selectbox("Analyst", [EVERYONE, *people], key="h_analyst", on_change=_first_page)
action = cols[1].selectbox(
    "Action", [ALL, *(a.value for a in StanceAction)], key="h_action", on_change=_first_page
)
stance_id = cols[2].number_input(
    "Stance id (0 = all)", min_value=0, step=1, key="h_stance", on_change=_first_page
)
dates = cols[3].date_input("Changed between", value=[], key="h_dates", on_change=_first_page)

since: dt.date | None = None
until: dt.date | None = None
if isinstance(dates, tuple):  # a range; one date while the second is being picked
    since = dates[0] if dates else None
    until = dates[1] if len(dates) == 2 else None
elif isinstance(dates, dt.date):
    since = dates

flt = HistoryFilter(
    stance_id=int(stance_id) or None,
    annotator=None if who == EVERYONE else who,
    action=None if action == ALL else action,
    since=since,
    until=until,
)
page = max(1, int(st.session_state.get("h_page", 1)))
with reading() as s:
    rows, total = history(s, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:  # the filters shrank the list under the page the analyst was on
        page = pages
        rows, total = history(s, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)

if not total:
    if flt == HistoryFilter():
        st.info(
            "No changes recorded yet. Every stance created, edited, reviewed, merged or "
            "deleted (here in the dashboard, or with `tracker stances import`) appears here, "
            "with the analyst who did it."
        )
    else:
        st.info("No changes match these filters. Set a filter back to (all) or widen the dates.")
    st.stop()

later = reading_later()


def _audit_csv() -> bytes:
    # Run when the button is clicked: every event the filters select, not only this page.
    with later() as s:
        return audit_csv(s, flt)


st.download_button(
    "Download the audit trail as CSV",
    data=_audit_csv,
    file_name="audit-trail.csv",
    mime="text/csv",
    key="h_download",
    help="Every change the filters select, oldest first, with the values before and after "
    "each change (JSON); spreadsheet-safe.",
    on_click="ignore",
)
st.session_state["h_page"] = page
st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key="h_page")
first = (page - 1) * PAGE_SIZE + 1
st.caption(f"events {first}–{first + len(rows) - 1} of {total}")

table = pd.DataFrame(
    rows,
    columns=["at", "annotator", "action", "stance_id", "actor", "issue", "position", "changes"],
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "at": st.column_config.DatetimeColumn("At (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "annotator": "Analyst",
        "action": "Action",
        "stance_id": st.column_config.NumberColumn("Stance", format="%d"),
        "actor": "Actor",
        "issue": "Issue",
        "position": st.column_config.NumberColumn("Position", format="%+d"),
        "changes": st.column_config.TextColumn("What changed", width="large"),
    },
)
