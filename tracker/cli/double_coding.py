"""`tracker double-coding`: put sources into blind double coding, list them, close them."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker import double_coding as service
from tracker.cli.app import JsonOpt, _app, app, open_reading, open_session
from tracker.models import MAX_ID
from tracker.output import table, to_json

double_coding_app = _app(
    "Double coding: analysts code the same sources without seeing each other's stances."
)
app.add_typer(double_coding_app, name="double-coding")

SourcesArg = Annotated[
    list[int], typer.Argument(help="Source ids.", metavar="SOURCE_ID...", min=1, max=MAX_ID)
]
ByOpt = Annotated[str, typer.Option("--by", help="Your name, recorded with the change.")]


@double_coding_app.command("open")
def double_coding_open(
    ctx: typer.Context,
    sources: SourcesArg,
    coder: Annotated[
        list[str],
        typer.Option(
            "--coder", help="An analyst who codes the sources (two or more).", metavar="NAME"
        ),
    ],
    by: ByOpt = "cli",
) -> None:
    """Put sources into double coding: each assigned analyst sees only their own stances on
    them, and none of their stances counts in timelines until the sources are closed."""
    with open_session(ctx) as session:
        ids = service.open_double_coding(session, sources, coder, by=by)
    typer.echo(f"{len(ids)} source(s) in double coding: {', '.join(map(str, ids))}")


@double_coding_app.command("close")
def double_coding_close(ctx: typer.Context, sources: SourcesArg, by: ByOpt = "cli") -> None:
    """Close double coding once every disagreement on the sources is settled."""
    with open_session(ctx) as session:
        ids = service.close_double_coding(session, sources, by=by)
    typer.echo(f"double coding closed on {len(ids)} source(s): {', '.join(map(str, ids))}")


@double_coding_app.command("list")
def double_coding_list(
    ctx: typer.Context,
    closed: Annotated[bool, typer.Option("--closed", help="Include closed sources.")] = False,
    json_: JsonOpt = False,
) -> None:
    """List the sources in double coding and their analysts."""
    with open_reading(ctx) as session:
        rows = [
            {
                "source_id": r.source_id,
                "title": r.title,
                "coders": ", ".join(r.coders),
                "opened_by": r.opened_by,
                "open": r.is_open,
            }
            for r in service.list_double_coding(session, include_closed=closed)
        ]
    if json_:
        typer.echo(to_json(rows))
        return
    typer.echo(
        table(
            rows,
            [
                ("source_id", "SOURCE", 7),
                ("title", "TITLE", 40),
                ("coders", "ANALYSTS", 30),
                ("opened_by", "OPENED BY", 15),
                ("open", "OPEN", 5),
            ],
        )
    )
