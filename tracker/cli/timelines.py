"""`tracker shifts`: who moved, for analysts and for cron jobs that alert on moves."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.cli.app import JsonOpt, app, open_reading, parse_date_option
from tracker.models import Issue, scale_point
from tracker.output import to_json
from tracker.timelines import DayPosition, SeriesFilter, Shift, shifts


@app.command("shifts")
def shifts_command(
    ctx: typer.Context,
    issue: Annotated[str | None, typer.Option(help="Issue slug.")] = None,
    actor: Annotated[
        list[str] | None, typer.Option(help="Actor name or alias (repeatable).")
    ] = None,
    party: Annotated[
        list[str] | None, typer.Option(help="Party, with its members (repeatable).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Shifts on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Shifts on or before (YYYY-MM-DD).")] = None,
    json_: JsonOpt = False,
) -> None:
    """List shifts: an actor's position on an issue flipping between support and
    opposition, or moving two points or more, between consecutive accepted stances."""
    flt = SeriesFilter(
        issue=issue,
        actors=actor or (),
        parties=party or (),
        since=parse_date_option(since, "--since"),
        until=parse_date_option(until, "--until"),
    )
    with open_reading(ctx) as session:
        found = shifts(session, flt)
        records = [_record(session, s) for s in found]
    if json_:
        typer.echo(to_json(records))
        return
    if not records:
        typer.echo("No shifts match these filters.")
        return
    for r in records:
        before, after = r["from"], r["to"]
        typer.echo(
            f"{r['date']}  {r['actor']} on {r['issue']}: {before['label']} "
            f"({before['position']:+g}) -> {after['label']} ({after['position']:+g})"
        )
        for name, side in (("before", before), ("after", after)):
            typer.echo(f"    {name} ({side['date']}, {side['source_title']}): “{side['quote']}”")


def _record(session: Session, shift: Shift) -> dict[str, Any]:
    issue = session.scalars(select(Issue).where(Issue.slug == shift.issue)).one()
    return {
        "date": shift.day.isoformat(),
        "actor": shift.actor,
        "issue": shift.issue,
        "from": _side(shift.before, issue),
        "to": _side(shift.after, issue),
    }


def _side(point: DayPosition, issue: Issue) -> dict[str, Any]:
    return {
        "date": point.day.isoformat(),
        "position": point.position,
        "label": issue.label(scale_point(point.position)),
        "stance_id": point.stance_id,
        "quote": point.quote,
        "source_id": point.source_id,
        "source_title": point.source_title,
        "source_outlet": point.source_outlet,
        "source_url": point.source_url,
        "annotator": point.annotator,
    }
