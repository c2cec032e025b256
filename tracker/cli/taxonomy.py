"""`tracker actors` and `tracker issues`: who is tracked and what is negotiated."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker import actors as actor_service
from tracker import issues as issue_service
from tracker.cli.app import (
    JsonOpt,
    actors_app,
    issues_app,
    open_reading,
    open_session,
    write_rows,
)
from tracker.output import table, to_json

# --- actors ---------------------------------------------------------------------------------


@actors_app.command("import")
def actors_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="CSV with columns name,kind,party,aliases.")],
) -> None:
    """Create or update actors from CSV (aliases separated by ';'). All rows or none."""
    rows = actor_service.read_actor_csv(file)
    with open_session(ctx) as session:
        created, updated = actor_service.import_actors(session, rows)
    unchanged = len(rows) - created - updated
    typer.echo(f"{created} actors created, {updated} updated, {unchanged} unchanged from {file}")


@actors_app.command("export")
def actors_export(
    ctx: typer.Context, file: Annotated[str, typer.Argument(help="Output CSV, or - for stdout.")]
) -> None:
    """Write every actor as CSV (name,kind,party,aliases)."""
    with open_reading(ctx) as session:
        rows = actor_service.export_actors(session)
    count = write_rows(file, actor_service.ACTOR_COLUMNS, rows)
    if file != "-":
        typer.echo(f"{count} actors written to {file}")


@actors_app.command("list")
def actors_list(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List actors with their party and aliases."""
    with open_reading(ctx) as session:
        rows = actor_service.export_actors(session)
    if json_:
        typer.echo(to_json(rows))
    else:
        typer.echo(
            table(
                rows,
                [
                    ("name", "NAME", 30),
                    ("kind", "KIND", 12),
                    ("party", "PARTY", 20),
                    ("aliases", "ALIASES", 60),
                ],
            )
        )


# --- issues ---------------------------------------------------------------------------------


@issues_app.command("import")
def issues_import(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="CSV: slug,name,description[,keywords][,label_-2..label_2].")
    ],
) -> None:
    """Create or update issues from CSV. All rows or none."""
    rows = issue_service.read_issue_csv(file)
    with open_session(ctx) as session:
        created, updated = issue_service.import_issues(session, rows)
    unchanged = len(rows) - created - updated
    typer.echo(f"{created} issues created, {updated} updated, {unchanged} unchanged from {file}")


@issues_app.command("export")
def issues_export(
    ctx: typer.Context, file: Annotated[str, typer.Argument(help="Output CSV, or - for stdout.")]
) -> None:
    """Write the taxonomy as CSV, scale labels included."""
    with open_reading(ctx) as session:
        rows = issue_service.export_issues(session)
    count = write_rows(file, issue_service.ISSUE_COLUMNS, rows)
    if file != "-":
        typer.echo(f"{count} issues written to {file}")


@issues_app.command("list")
def issues_list(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List the issues and their scale labels."""
    with open_reading(ctx) as session:
        rows = issue_service.export_issues(session)
    if json_:
        typer.echo(to_json(rows))
    else:
        typer.echo(
            table(
                rows,
                [
                    ("slug", "SLUG", 24),
                    ("name", "NAME", 36),
                    ("label_-2", "-2", 24),
                    ("label_2", "+2", 24),
                ],
            )
        )
