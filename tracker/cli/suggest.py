"""`tracker suggest`: propose stances for review, or measure the proposals against stances
read by hand."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from tracker.cli.app import JsonOpt, app, open_reading, open_session, parse_date_option
from tracker.errors import TrackerError
from tracker.output import table, to_json
from tracker.suggest import SourceOutcome, pick_sources, suggest_sources
from tracker.suggest_eval import IssueScore, evaluate, read_gold
from tracker.text import shorten, signed


@app.command("suggest")
def suggest_command(
    ctx: typer.Context,
    source: Annotated[
        list[int] | None, typer.Option("--source", help="Source id (repeatable).")
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every source that is not a rewrite of another.")
    ] = False,
    since: Annotated[
        str | None, typer.Option(help="Sources published on or after (YYYY-MM-DD).")
    ] = None,
    evaluate_: Annotated[
        str | None,
        typer.Option(
            "--evaluate",
            metavar="GOLD.csv",
            help="Save nothing; print precision and recall per issue against these "
            "hand-read stances (columns actor,issue,position,quote).",
        ),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Suggest stances (status 'suggested') for analysts to accept, correct or reject in
    the review queue. Each suggestion quotes its sentence and explains itself in its note.
    A passage that already has a stance for the same actor and issue is left alone."""
    if source and (all_ or since):
        raise TrackerError("give --source, or --all / --since, not both")
    since_date = parse_date_option(since, "--since")
    if evaluate_ is not None:
        _evaluate(ctx, evaluate_, source or [], since_date is not None or not source, json_)
        return
    with open_session(ctx) as session:
        chosen = pick_sources(session, source_ids=source or [], since=since_date, every=all_)
        outcomes = suggest_sources(session, chosen)
        records = [_record(o) for o in outcomes]
    _print_outcomes(records, json_)


def _evaluate(
    ctx: typer.Context, gold_path: str, source_ids: list[int], every: bool, json_: bool
) -> None:
    with open_reading(ctx) as session:
        gold = read_gold(session, gold_path)
        sources = pick_sources(session, source_ids=source_ids, every=every)
        scores = evaluate(session, gold, sources)
    rows = [_score(s) for s in scores]
    if json_:
        typer.echo(to_json(rows))
        return
    columns = [
        ("issue", "issue", 30),
        ("suggested", "suggested", 9),
        ("correct", "correct", 7),
        ("precision", "precision", 9),
        ("gold", "hand-read", 9),
        ("found", "found", 5),
        ("recall", "recall", 6),
    ]
    typer.echo(table([{**r, **_formatted(r)} for r in rows], columns))


def _score(score: IssueScore) -> dict[str, Any]:
    return {
        "issue": score.issue,
        "suggested": score.suggested,
        "correct": score.correct,
        "precision": score.precision,
        "gold": score.gold,
        "found": score.found,
        "recall": score.recall,
    }


def _formatted(row: dict[str, Any]) -> dict[str, str]:
    return {k: "-" if row[k] is None else f"{row[k]:.2f}" for k in ("precision", "recall")}


def _record(outcome: SourceOutcome) -> dict[str, Any]:
    return {
        "source_id": outcome.source_id,
        "title": outcome.title,
        "skipped": outcome.skipped or None,
        "already_recorded": outcome.existing,
        "suggested": [
            {
                "stance_id": s.id,
                "actor": s.actor.name,
                "issue": s.issue.slug,
                "position": s.position,
                "label": s.issue.label(s.position),
                "stated_on": s.stated_on,
                "confidence": s.confidence,
                "quote": s.quote,
                "quote_start": s.quote_start,
                "note": s.note,
            }
            for s in outcome.created
        ],
    }


def _print_outcomes(records: list[dict[str, Any]], json_: bool) -> None:
    if json_:
        typer.echo(to_json(records))
        return
    if not records:
        typer.echo("No sources to read.")
        return
    total = 0
    for r in records:
        title = shorten(r["title"] or "untitled", 60)
        if r["skipped"]:
            typer.echo(f"#{r['source_id']} {title}: skipped ({r['skipped']})")
            continue
        total += len(r["suggested"])
        typer.echo(
            f"#{r['source_id']} {title}: {len(r['suggested'])} suggested, "
            f"{r['already_recorded']} already recorded"
        )
        for s in r["suggested"]:
            typer.echo(
                f"    {s['actor']} on {s['issue']}: {signed(s['position'])} {s['label']!r} "
                f"({s['stated_on']:%Y-%m-%d}, confidence {s['confidence']:.2f}) "
                f"“{shorten(s['quote'], 80)}”"
            )
    typer.echo(f"{total} suggestions wait in the review queue.")
