"""`tracker stances`: list, export and import recorded stances."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from typing import Annotated

import typer

from tracker.cli.app import (
    JsonOpt,
    open_engine,
    open_reading,
    parse_date_option,
    stances_app,
)
from tracker.errors import TrackerError
from tracker.export_parts import export_stances_to, write_stances
from tracker.models import MAX_ID
from tracker.output import table, to_json
from tracker.stance_import import import_stances
from tracker.stance_query import STATUSES, StanceFilter, stance_records
from tracker.stance_validation import check_annotator_name

# The same filters on every command that reads stances.
ActorOpt = Annotated[str | None, typer.Option(help="Actor name or alias.")]
PartyOpt = Annotated[str | None, typer.Option(help="Party: its own and its members' stances.")]
IssueOpt = Annotated[str | None, typer.Option(help="Issue slug.")]
StatusOpt = Annotated[str | None, typer.Option(help=f"One of: {', '.join(STATUSES)}.")]
SinceOpt = Annotated[str | None, typer.Option(help="Stated on or after (YYYY-MM-DD).")]
UntilOpt = Annotated[str | None, typer.Option(help="Stated on or before (YYYY-MM-DD).")]


def _filter(
    actor: str | None,
    party: str | None,
    issue: str | None,
    status: str | None,
    since: str | None,
    until: str | None,
) -> StanceFilter:
    return StanceFilter(
        actor=actor,
        party=party,
        issue=issue,
        status=status,
        since=parse_date_option(since, "--since"),
        until=parse_date_option(until, "--until"),
    )


@stances_app.command("list")
def stances_list(
    ctx: typer.Context,
    actor: ActorOpt = None,
    party: PartyOpt = None,
    issue: IssueOpt = None,
    status: StatusOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[
        int | None, typer.Option(min=1, max=MAX_ID, help="At most this many stances.")
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """List stances, oldest first, filtered by actor, party, issue, status and date."""
    flt = _filter(actor, party, issue, status, since, until)
    with open_reading(ctx) as session:
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
                    # Every status is listed unless --status says otherwise: show which.
                    ("status", "STATUS", 9),
                    ("quote", "QUOTE", 60),
                ],
            )
        )


@stances_app.command("export")
def stances_export(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Output CSV file, or - for standard output.")],
    actor: ActorOpt = None,
    party: PartyOpt = None,
    issue: IssueOpt = None,
    status: StatusOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    excel: Annotated[
        bool, typer.Option("--excel", help="Start with a BOM so spreadsheets read accents right.")
    ] = False,
) -> None:
    """Export stances as CSV (columns in docs/csv.md), streamed from the database."""
    flt = _filter(actor, party, issue, status, since, until)
    with open_reading(ctx) as session:
        if file == "-":
            if excel:
                sys.stdout.write("\ufeff")
            write_stances(session, flt, sys.stdout)
            return
        count = export_stances_to(session, flt, file, excel=excel)
    typer.echo(f"{count} stances written to {file}", err=True)


def _lines_in(path: str) -> int:
    """The file's line count, the progress bar's length: a few tenths of a second for a
    million stances. 0 when it cannot be read (the import then says why)."""
    lines = 0
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
    except OSError:
        return 0
    return lines


@stances_app.command("import")
def stances_import(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="CSV with the export's columns (stance_id optional).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")
    ] = False,
    skip_invalid: Annotated[
        str | None,
        typer.Option(
            "--skip-invalid",
            metavar="REJECTS.csv",
            help="Import the valid rows; write the others, with a reason, to this file.",
        ),
    ] = None,
    annotator: Annotated[str, typer.Option(help="Annotator for rows that name none.")] = "import",
) -> None:
    """Import stances from CSV. Every row is checked first; by default one bad row means
    nothing is written. Importing the same file again creates nothing new."""
    try:
        check_annotator_name(annotator)
    except TrackerError as exc:
        raise TrackerError(f"--annotator: {exc}") from None
    engine = open_engine(ctx)
    shown = sys.stderr.isatty()
    try:
        with ExitStack() as bar_open:
            bar = bar_open.enter_context(
                typer.progressbar(
                    length=_lines_in(file) if shown else 0,
                    label="Checking and writing rows",
                    file=sys.stderr,
                    hidden=not shown,
                )
            )
            reached = 0

            def progress(line: int | None) -> None:
                nonlocal reached
                if line is None:  # the rows are in: the slow rest gets a line of its own
                    bar_open.close()
                    if shown:
                        typer.echo("Updating indexes and stored positions ...", err=True)
                    return
                if line == 0:  # read again: two rows for one stance are both rejected
                    bar.label = "Two rows for one stance need a second look: checking again"
                    bar.pos = reached = 0
                    # click keeps a full bar full, and times the rest from its first start
                    bar.finished, bar.start, bar.avg = False, time.time(), []
                    bar.render_progress()
                if line > reached:
                    bar.update(line - reached)
                    reached = line

            report = import_stances(
                engine,
                file,
                dry_run=dry_run,
                rejects=skip_invalid,
                annotator=annotator,
                on_progress=progress,
            )
    finally:
        engine.dispose()
    typer.echo(report.summary())
    if report.rejected and skip_invalid and not dry_run:
        typer.echo(f"rejected rows and their reasons are in {skip_invalid}", err=True)
