"""`tracker sources`: ingest, list, show and search articles."""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import asdict
from typing import Annotated

import typer
from sqlalchemy import func, select

from tracker.cli.app import (
    JsonOpt,
    open_engine,
    open_reading,
    open_session,
    parse_date_option,
    sources_app,
    write_rows,
)
from tracker.config import suggest_on_ingest
from tracker.db import reading
from tracker.errors import TrackerError
from tracker.ingest import (
    IngestResult,
    Overrides,
    expand_inputs,
    ingest_inputs,
    rescan_mentions,
)
from tracker.models import MAX_ID, Source
from tracker.output import table, to_json
from tracker.search import search_sources
from tracker.sources import (
    SOURCE_COLUMNS,
    check_link,
    get_source,
    iter_source_records,
    list_sources,
    set_published,
    set_title,
    source_details,
)

# --- sources -------------------------------------------------------------------------------


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(help=".txt, .md or .html files, folders (recursive), - for stdin."),
    ],
    title: Annotated[str | None, typer.Option(help="Title (one input only).")] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet, e.g. Reuters.")] = None,
    url: Annotated[
        str | None, typer.Option(help="Where the text was published (one input only).")
    ] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD; beats page and text dates.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option(help="Read every input as text, markdown or html.")
    ] = None,
    suggest: Annotated[
        bool | None,
        typer.Option(
            "--suggest/--no-suggest",
            help="Also suggest stances for the review queue (default: $TRACKER_SUGGEST_ON_INGEST).",
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Ingest articles: extract the text, date it, split off trailing stories, link rewrites,
    find actor mentions, and (with --suggest) suggest stances. Each input is stored whole
    or not at all."""
    if kind is not None and kind not in ("text", "markdown", "html"):
        raise TrackerError(f"--kind {kind!r}: expected text, markdown or html")
    if url:
        try:
            url = check_link(url)
        except TrackerError as exc:
            raise TrackerError(f"--url: {exc}") from None
    overrides = Overrides(title, outlet, url, parse_date_option(published, "--published"), kind)
    inputs, refused = expand_inputs(paths)
    if (title or url) and len(inputs) > 1:
        raise TrackerError(f"--title and --url describe one input, but {len(inputs)} were given")
    engine = open_engine(ctx)
    single = len(inputs) + len(refused) == 1  # a refusal is then one error line
    show_progress = not json_ and len(inputs) > 1 and sys.stderr.isatty()
    with typer.progressbar(
        length=len(inputs), label="Ingesting", file=sys.stderr, hidden=not show_progress
    ) as bar:

        def report(result: IngestResult) -> None:
            bar.update(1)
            if not json_ and not (single and result.status == "refused"):
                _print_ingest(result, above_bar=show_progress)

        results = ingest_inputs(
            engine,
            inputs,
            overrides,
            on_result=report,
            suggest=suggest_on_ingest() if suggest is None else suggest,
        )
    engine.dispose()
    results = refused + results
    if json_:
        typer.echo(to_json([r.as_json() for r in results]))
    elif len(results) == 1 and results[0].status == "refused":  # one input: one error line
        typer.echo(f"error: {results[0].input}: {results[0].message}", err=True)
    else:
        for result in refused:
            _print_ingest(result, above_bar=False)
        counts = Counter(r.status for r in results)
        typer.echo(
            f"{counts['added']} added, {counts['duplicate']} already stored, "
            f"{counts['refused']} refused",
            err=True,
        )
    if any(r.status == "refused" for r in results):
        raise typer.Exit(2)


def _print_ingest(result: IngestResult, *, above_bar: bool) -> None:
    if result.status == "added":
        date = (
            f"{result.published_on} ({result.published_basis})"
            if result.published_on
            else "no date found: set it with `tracker sources set-date` or on the Sources page"
        )
        title = result.title or "(none)"
        line = f"added: {result.input}: {result.message}\n  title: {title}\n  date: {date}"
        if result.candidates:
            line += f"\n  names not yet known as actors: {', '.join(result.candidates[:8])}"
        for note in result.notes:
            line += f"\n  note: {note}"
    else:
        line = f"{result.status}: {result.input}: {result.message}"
    typer.echo(("\n" if above_bar else "") + line, err=result.status == "refused")


@sources_app.command("list")
def sources_list(
    ctx: typer.Context,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_ID, help="At most this many, newest first.")
    ] = 50,
    json_: JsonOpt = False,
) -> None:
    """List sources, newest first, with their stance counts and duplicate links."""
    with open_reading(ctx) as session:
        rows = [
            {
                "source_id": src.id,
                "published_on": src.published_on,
                "title": src.title,
                "outlet": src.outlet,
                "stances": n,
                "duplicate_of": src.duplicate_of,
                "split_from": src.split_from,
            }
            for src, n in list_sources(session, limit=limit)
        ]
    if json_:
        typer.echo(to_json(rows))
    elif not rows:
        typer.echo("No sources yet. Add some with `tracker sources add FILE...`.")
    else:
        typer.echo(
            table(
                rows,
                [
                    ("source_id", "ID", 6),
                    ("published_on", "PUBLISHED", 10),
                    ("outlet", "OUTLET", 16),
                    ("title", "TITLE", 60),
                    ("stances", "STANCES", 7),
                    ("duplicate_of", "REWRITE OF", 10),
                ],
            )
        )


@sources_app.command("show")
def sources_show(
    ctx: typer.Context,
    source_id: Annotated[int, typer.Argument(help="Source id.", min=1, max=MAX_ID)],
    json_: JsonOpt = False,
) -> None:
    """Show a source: metadata, how it was ingested, actor mentions, unknown names, text."""
    with open_reading(ctx) as session:
        details = source_details(session, source_id)
    if json_:
        typer.echo(to_json(details))
        return
    for key in (
        "source_id",
        "title",
        "outlet",
        "url",
        "published_on",
        "published_basis",
        "duplicate_of",
        "similarity",
        "split_from",
        "rewrites",
        "split_off",
        "stances",
    ):
        if details[key] not in (None, "", []):
            typer.echo(f"{key.replace('_', ' ')}: {details[key]}")
    for key in ("notes", "dropped"):
        for line in details[key]:
            typer.echo(f"{key[:-1] if key == 'notes' else 'dropped'}: {line}")
    mentioned = ", ".join(f"{m['actor']} ({m['count']})" for m in details["actors_mentioned"])
    typer.echo(f"actors mentioned: {mentioned or 'none'}")
    if details["unknown_names"]:
        names = "; ".join(
            n["name"] + (f" (like {n['closest_alias']!r})" if n["closest_alias"] else "")
            for n in details["unknown_names"]
        )
        typer.echo(f"names not known as actors: {names}")
    typer.echo("\n" + details["text"])


@sources_app.command("set-date")
def sources_set_date(
    ctx: typer.Context,
    source_id: Annotated[int, typer.Argument(help="Source id.", min=1, max=MAX_ID)],
    published: Annotated[str, typer.Argument(help="Publication date, YYYY-MM-DD.")],
) -> None:
    """Set or correct when a source was published (new stances from it default to this
    date; stances already recorded keep theirs)."""
    day = parse_date_option(published, "publication date")
    assert day is not None
    with open_session(ctx) as session:
        source = get_source(session, source_id)
        set_published(session, source, day)
        title = source.title or "(untitled)"
    typer.echo(f"source {source_id} ({title}) published on {day.isoformat()}")


@sources_app.command("set-title")
def sources_set_title(
    ctx: typer.Context,
    source_id: Annotated[int, typer.Argument(help="Source id.", min=1, max=MAX_ID)],
    title: Annotated[str, typer.Argument(help="The title, as reports should cite it.")],
    outlet: Annotated[str | None, typer.Option(help='Also set the outlet ("" clears it).')] = None,
) -> None:
    """Set or correct a source's title (and outlet): reports cite an untitled source as
    "untitled source #N"."""
    with open_session(ctx) as session:
        source = get_source(session, source_id)
        set_title(session, source, title=title, outlet=outlet)
        shown = f"{source.title!r}" + (f" ({source.outlet})" if source.outlet else "")
    typer.echo(f"source {source_id} is now {shown}")


@sources_app.command("search")
def sources_search(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help='Whole words, any case, all must match; "quoted phrase" allowed.')
    ],
    limit: Annotated[int, typer.Option(min=1, max=MAX_ID, help="At most this many results.")] = 20,
    json_: JsonOpt = False,
) -> None:
    """Full-text search over sources, best match first, with a snippet."""
    with open_reading(ctx) as session:
        hits = search_sources(session, query, limit=limit)
    if json_:
        typer.echo(to_json([asdict(h) for h in hits]))
    elif not hits:
        typer.echo(f"No source matches {query!r}.")
    else:
        for hit in hits:
            typer.echo(
                f"#{hit.source_id} {hit.published_on or '----------'} {hit.title}\n"
                f"    {hit.snippet}"
            )


@sources_app.command("rescan")
def sources_rescan(ctx: typer.Context) -> None:
    """Find actor mentions again in every source, after adding actors or aliases."""
    engine = open_engine(ctx)
    with reading(engine) as session:
        total = session.scalar(select(func.count()).select_from(Source)) or 0
    with typer.progressbar(
        length=total, label="Rescanning", file=sys.stderr, hidden=not sys.stderr.isatty()
    ) as bar:
        scanned, mentions = rescan_mentions(engine, on_progress=bar.update)
    engine.dispose()
    typer.echo(f"{scanned} sources scanned, {mentions} actor mentions found")


@sources_app.command("export")
def sources_export(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="Output CSV file, or - for standard output.")],
) -> None:
    """Export every source with its metadata, links and full text as CSV."""
    with open_reading(ctx) as session:
        count = write_rows(file, SOURCE_COLUMNS, iter_source_records(session))
    if file != "-":
        typer.echo(f"{count} sources written to {file}", err=True)
