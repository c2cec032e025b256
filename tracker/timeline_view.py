"""What the Issue timeline draws: one read shared by the dashboard page and the benchmark.

A busy issue has tens of thousands of days; a chart inlines at most a few thousand. The
positions are read first, thinned to what the chart keeps (tracker.chart_data), and only
then are the kept days' and the shifts' quotes and sources read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.chart_data import thin, timeline_room
from tracker.timelines import (
    DayPosition,
    SeriesFilter,
    Shift,
    series,
    shifts_with_evidence,
    with_corroboration,
    with_evidence,
)

# Corroboration is a count per stance: for tooltips only while the chart is small enough
# to count it for every point (the shifts always have theirs).
CORROBORATED_POINTS = 2000


@dataclass(frozen=True)
class TimelineView:
    points: list[DayPosition]  # the days the chart draws, with their evidence
    shifts: list[Shift]  # every shift, both sides with evidence and corroboration
    days: int  # how many days the series has, drawn or not


def timeline_view(session: Session, flt: SeriesFilter) -> TimelineView:
    """The filter's series as the timeline draws it."""
    points, found = series(session, flt, evidence=False)
    return drawn(session, points, found)


def drawn(session: Session, points: list[DayPosition], found: list[Shift]) -> TimelineView:
    """The days of a series (read without evidence) that its chart keeps, and its shifts,
    with what their tooltips and the shifts table show."""
    kept = with_evidence(session, thin(points, found, timeline_room(points)))
    if len(kept) <= CORROBORATED_POINTS:
        kept = with_corroboration(session, kept)
    return TimelineView(kept, shifts_with_evidence(session, found), len(points))
