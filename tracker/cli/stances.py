"""`tracker stances`."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.app import (
    JsonOpt,
    open_session,
    parse_date_option,
    stances_app,
)
from tracker.output import table, to_json
from tracker.stance_query import STATUSES, StanceFilter, stance_records

# --- stances --------------------------------------------------------------------------------


@stances_app.command("list")
def stances_list(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option(help="Actor name or alias.")] = None,
    party: Annotated[
        str | None, typer.Option(help="Party: its own and its members' stances.")
    ] = None,
    issue: Annotated[str | None, typer.Option(help="Issue slug.")] = None,
    status: Annotated[str | None, typer.Option(help=f"One of: {', '.join(STATUSES)}.")] = None,
    since: Annotated[str | None, typer.Option(help="Stated on or after (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Stated on or before (YYYY-MM-DD).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many stances.")] = None,
    json_: JsonOpt = False,
) -> None:
    """List stances, oldest first, filtered by actor, party, issue, status and date."""
    flt = StanceFilter(
        actor=actor,
        party=party,
        issue=issue,
        status=status,
        since=parse_date_option(since, "--since"),
        until=parse_date_option(until, "--until"),
    )
    with open_session(ctx) as session:
        rows = stance_records(session, flt, limit=limit)
    if json_:
        typer.echo(to_json(rows))
    elif not rows:
        typer.echo("No stances match these filters.")
    else:
        for row in rows:
            row["signed_position"] = f"{row['position']:+d}" if row["position"] else "0"
        typer.echo(
            table(
                rows,
                [
                    ("stance_id", "ID", 6),
                    ("stated_on", "DATE", 10),
                    ("actor", "ACTOR", 24),
                    ("issue", "ISSUE", 20),
                    ("signed_position", "POS", 3),
                    ("position_label", "LABEL", 30),
                    ("quote", "QUOTE", 60),
                ],
            )
        )
