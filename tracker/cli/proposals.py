"""`tracker proposals`: the texts a negotiation revolves around, and the stances on them."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker import proposals as proposal_service
from tracker.actors import get_actor
from tracker.cli.app import JsonOpt, open_reading, open_session, parse_date_option, proposals_app
from tracker.errors import TrackerError
from tracker.evidence import evidence_line
from tracker.output import table, to_json
from tracker.text import signed


@proposals_app.command("add")
def proposals_add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help="The proposal's name, e.g. \"Putin's Alaska proposals\".")
    ],
    date: Annotated[str, typer.Option("--date", help="When it was proposed, YYYY-MM-DD.")],
    author: Annotated[
        str | None, typer.Option("--author", help="The actor who proposed it (any alias).")
    ] = None,
    text: Annotated[str, typer.Option("--text", help="The text or a summary of it.")] = "",
    version: Annotated[
        bool,
        typer.Option("--version", help="Add a version of an existing proposal (dated --date)."),
    ] = False,
) -> None:
    """Add a proposal (its first version dated --date), or with --version a later version."""
    day = parse_date_option(date, "--date")
    if day is None:
        raise TrackerError("--date is required (YYYY-MM-DD)")
    with open_session(ctx) as session:
        if version:
            proposal = proposal_service.get_proposal(session, name)
            proposal_service.add_version(session, proposal, dated_on=day, text=text)
            message = f"version of {day} added to {proposal.name!r}"
        else:
            if not author:
                raise TrackerError("--author is required for a new proposal (any actor name)")
            proposal = proposal_service.add_proposal(
                session, name, author=get_actor(session, author), proposed_on=day, text=text
            )
            message = f"proposal #{proposal.id} {proposal.name!r} added"
    typer.echo(message)


@proposals_app.command("list")
def proposals_list(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List proposals: author, date, versions and how many stances are linked to each."""
    with open_reading(ctx) as session:
        rows = proposal_service.list_proposals(session)
    if json_:
        typer.echo(to_json(rows))
        return
    typer.echo(
        table(
            rows,
            [
                ("proposal_id", "ID", 6),
                ("name", "NAME", 40),
                ("author", "AUTHOR", 25),
                ("proposed_on", "PROPOSED", 10),
                ("versions", "VERSIONS", 8),
                ("stances", "STANCES", 7),
            ],
        )
    )


@proposals_app.command("show")
def proposals_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The proposal's name (any case) or id.")],
    json_: JsonOpt = False,
) -> None:
    """A proposal, its versions, and every actor's accepted stances on it over time."""
    with open_reading(ctx) as session:
        proposal = proposal_service.get_proposal(session, name)
        about = proposal_service.describe(proposal)
        stances = proposal_service.proposal_stances(session, proposal)
    if json_:
        typer.echo(to_json({**about, "stances": stances}))
        return
    typer.echo(
        f"{about['name']} (#{about['proposal_id']}), by {about['author']}, {about['proposed_on']}"
    )
    for v in about["versions"]:
        typer.echo(f"  version of {v['dated_on']}: {v['text'] or '(no text recorded)'}")
    if not stances:
        typer.echo("No accepted stances are linked to it yet.")
        return
    rows = [
        {
            **s,
            "position": f"{signed(s['position'])} {s['position_label']}",
            "evidence": evidence_line(
                s["attribution"],
                s["reported_by"],
                s["conditional"],
                s["condition"],
                s["corroboration"],
            ),
        }
        for s in stances
    ]
    typer.echo(
        table(
            rows,
            [
                ("stated_on", "STATED", 10),
                ("actor", "ACTOR", 25),
                ("issue", "ISSUE", 20),
                ("position", "POSITION", 30),
                ("quote", "QUOTE", 50),
                ("evidence", "EVIDENCE", 40),
            ],
        )
    )
