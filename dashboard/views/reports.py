"""Reports: preview the weekly stance report and download it as Markdown, HTML or PDF."""

import datetime as dt

import streamlit as st

from dashboard.state import reading, reading_later
from dashboard.ui import md_escape
from tracker.errors import TrackerError
from tracker.report import Period, Report, add_charts, build_report, span_period, week_period
from tracker.report_render import render_html, render_markdown, render_pdf

st.title("Weekly report")

today = dt.date.today()
mode = st.radio("Period", ["ISO week", "Dates"], horizontal=True, key="report_mode")
if mode == "ISO week":
    default_week = week_period("last", today=today).label
    week = st.text_input(
        "Week (e.g. 2025-W34)",
        value=default_week,
        key="report_week",
        help="An ISO week; 'last' for last week; 'this' for this week so far (Friday's report).",
    )
else:
    cols = st.columns(2)
    start = cols[0].date_input("From", value=today - dt.timedelta(days=6), key="report_from")
    end = cols[1].date_input("To", value=today, key="report_to")

try:
    period: Period = week_period(week.strip()) if mode == "ISO week" else span_period(start, end)
except TrackerError as exc:
    st.error(md_escape(str(exc)))  # quotes the week as typed
    st.stop()

with reading() as s:
    # The preview has no images: the HTML and PDF downloads read their timelines when asked.
    report = build_report(s, period, charts=False)
open_session = reading_later()


def with_charts() -> Report:
    with open_session() as s:
        add_charts(s, report)
    return report


if report.empty:
    st.info(
        f"No recorded changes in {period.title}: no accepted stance was stated and no "
        "position shifted. The report still lists the coverage below; try another week "
        "or span of dates."
    )

formats = st.columns(3)
name = f"stance-report-{period.label.replace(' ', '_')}"
formats[0].download_button(
    "Markdown",
    data=lambda: render_markdown(report).encode("utf-8"),
    file_name=f"{name}.md",
    mime="text/markdown",
    on_click="ignore",
)
formats[1].download_button(
    "HTML",
    data=lambda: render_html(with_charts()).encode("utf-8"),
    file_name=f"{name}.html",
    mime="text/html",
    on_click="ignore",
)
formats[2].download_button(
    "PDF",
    data=lambda: render_pdf(with_charts()),
    file_name=f"{name}.pdf",
    mime="application/pdf",
    on_click="ignore",
)

st.divider()
# The Markdown escapes everything that came from sources, so it renders as plain text.
st.markdown(render_markdown(report, streamlit=True))
