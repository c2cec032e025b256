"""`tracker report`: the weekly stance report, safe to run from cron."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker.cli.app import app, open_reading, parse_date_option
from tracker.csv_io import atomic_binary_output
from tracker.errors import TrackerError
from tracker.report import build_report, span_period, week_period
from tracker.report_render import FORMATS, render


@app.command("report")
def report_command(
    ctx: typer.Context,
    week: Annotated[
        str | None,
        typer.Option(
            help="ISO week, e.g. 2025-W34; 'last' for last week; 'this' for this week so "
            "far (Monday to today: Friday's report)."
        ),
    ] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="Start of another span (YYYY-MM-DD).")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="End of that span (YYYY-MM-DD).")] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="md, html or pdf (default: pdf or html for -o x.pdf or x.html, else md).",
        ),
    ] = None,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Write the stance report for a week: shifts with their quotes, new stances by issue,
    where each party stands, timelines of what moved, and coverage. An empty week gives a
    short "no recorded changes" report, not an error."""
    fmt = fmt or _format_of(output)
    if fmt not in FORMATS:
        raise TrackerError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if week and (from_ or to):
        raise TrackerError("give either --week or --from/--to, not both")
    if week:
        period = week_period(week)
    elif from_ and to:
        start, end = parse_date_option(from_, "--from"), parse_date_option(to, "--to")
        assert start and end
        period = span_period(start, end)
    else:
        raise TrackerError(
            "say which period: --week 2025-W34, --week last, --week this, or --from and --to"
        )
    with open_reading(ctx) as session:
        # Markdown has no images: their timelines are not read.
        data = render(build_report(session, period, charts=fmt != "md"), fmt)
    if output is None:
        if fmt == "pdf" and sys.stdout.isatty():
            raise TrackerError("a PDF is binary: write it to a file with -o report.pdf")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    with atomic_binary_output(output) as out:
        out.write(data)
    typer.echo(f"report for {period.title} written to {output}", err=True)


def _format_of(output: str | None) -> str:
    """The format an output file's name asks for (-o week.pdf wrote Markdown into a .pdf);
    Markdown for any other name."""
    suffix = Path(output).suffix.lower() if output else ""
    return {".html": "html", ".htm": "html", ".pdf": "pdf"}.get(suffix, "md")
