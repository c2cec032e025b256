"""The ``tracker`` command: a thin shell over the library's services.

Every command parses its options, calls a service and prints. Errors a user can
fix (TrackerError) are printed on one line with exit code 2 and no traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from tracker import actors as actor_service
from tracker import issues as issue_service
from tracker import migrate
from tracker.config import ENV_VAR
from tracker.csv_io import atomic_output, write_csv
from tracker.db import check_connection, make_engine, safe_url, transaction
from tracker.demo import load_demo
from tracker.errors import TrackerError
from tracker.output import table, to_json
from tracker.stances import STATUSES, StanceFilter, list_stances, stance_row


class TrackerGroup(TyperGroup):
    """Turns the library's errors into one-line messages with exit code 2."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            _fail(ctx, str(exc))
        except IntegrityError as exc:
            _fail(ctx, f"the change conflicts with data already stored: {_first_line(exc)}")
        except (OperationalError, DBAPIError) as exc:
            _fail(ctx, f"database error: {_first_line(exc)}")


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


def _fail(ctx: typer.Context, message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    ctx.exit(2)


def _app(help_text: str) -> typer.Typer:
    return typer.Typer(
        cls=TrackerGroup,
        help=help_text,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )


app = _app("Position Tracker: who took which position on which issue, when, with the quote.")
db_app = _app("Create and upgrade the database schema.")
actors_app = _app("Actors, their aliases and the parties they speak for.")
issues_app = _app("The issue taxonomy and its scale labels.")
stances_app = _app("Recorded stances.")
app.add_typer(db_app, name="db")
app.add_typer(actors_app, name="actors")
app.add_typer(issues_app, name="issues")
app.add_typer(stances_app, name="stances")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"Database URL (default: ${ENV_VAR}, else sqlite:///tracker.db here).",
            metavar="URL",
        ),
    ] = None,
) -> None:
    ctx.obj = {"db": db}


def _engine(ctx: typer.Context, *, migrated: bool = True) -> Engine:
    engine = make_engine(ctx.find_root().obj["db"])
    database = engine.url.database
    if migrated and engine.dialect.name == "sqlite" and database and database != ":memory:":
        if not Path(database).exists():
            # Connecting would leave an empty file behind; say what to do instead.
            raise TrackerError(
                f"no tracker database at {database}; run `tracker demo` for the demo data "
                "or `tracker db upgrade` to start an empty one"
            )
    check_connection(engine)
    if migrated and not migrate.is_up_to_date(engine):
        raise TrackerError(
            f"database {safe_url(engine.url)} is not at the current schema; "
            "run `tracker db upgrade` (or `tracker demo` for the demo data)"
        )
    return engine


@contextmanager
def _session(ctx: typer.Context) -> Iterator[Session]:
    engine = _engine(ctx)
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


def _parse_date(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TrackerError(f"{flag} {value!r} is not a date; use YYYY-MM-DD") from None


def _write_rows(target: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> int:
    if target == "-":
        return write_csv(sys.stdout, columns, rows)
    with atomic_output(target) as out:
        return write_csv(out, columns, rows)


# --- db -----------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the schema or bring it to the newest version."""
    engine = _engine(ctx, migrated=False)
    migrate.upgrade(engine)
    typer.echo(f"{safe_url(engine.url)} is at schema version {migrate.current_revision(engine)}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema version and whether it is up to date."""
    engine = _engine(ctx, migrated=False)
    current, head = migrate.current_revision(engine), migrate.head_revision()
    state = "up to date" if current == head else f"behind (newest is {head})"
    typer.echo(f"{safe_url(engine.url)}: schema version {current or 'none'}, {state}")


# --- demo and dashboard ---------------------------------------------------------------------


@app.command("demo")
def demo(ctx: typer.Context) -> None:
    """Create the database if needed and load the seed articles, actors, issues and stances."""
    engine = _engine(ctx, migrated=False)
    summary = load_demo(engine)
    typer.echo(
        f"Demo data in {safe_url(engine.url)}: {summary.issues} issues, {summary.actors} actors, "
        f"{summary.sources_added} new sources, {summary.stances_added} new stances "
        f"({summary.stances_total} in all).\n"
        "Next: `tracker stances list --issue ceasefire-first` or `tracker dashboard`."
    )


@app.command("dashboard")
def dashboard(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = False,
) -> None:
    """Open the Streamlit dashboard on the same database."""
    engine = _engine(ctx)
    url = engine.url.render_as_string(hide_password=False)
    from importlib.resources import files

    app_path = Path(str(files("dashboard") / "app.py"))
    env = {**os.environ, ENV_VAR: url}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.headless",
        str(headless).lower(),
        "--browser.gatherUsageStats",
        "false",
    ]
    typer.echo(f"Dashboard on http://localhost:{port} (database {safe_url(engine.url)})")
    raise typer.Exit(subprocess.call(command, env=env))


# --- actors ---------------------------------------------------------------------------------


@actors_app.command("import")
def actors_import(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="CSV with columns name,kind,party,aliases.")],
) -> None:
    """Create or update actors from CSV (aliases separated by ';'). All rows or none."""
    rows = actor_service.read_actor_csv(file)
    with _session(ctx) as session:
        created, updated = actor_service.import_actors(session, rows)
    typer.echo(f"{created} actors created, {updated} updated from {file}")


@actors_app.command("export")
def actors_export(
    ctx: typer.Context, file: Annotated[str, typer.Argument(help="Output CSV, or - for stdout.")]
) -> None:
    """Write every actor as CSV (name,kind,party,aliases)."""
    with _session(ctx) as session:
        rows = actor_service.export_actors(session)
    count = _write_rows(file, actor_service.ACTOR_COLUMNS, rows)
    if file != "-":
        typer.echo(f"{count} actors written to {file}")


@actors_app.command("list")
def actors_list(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List actors with their party and aliases."""
    with _session(ctx) as session:
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
    with _session(ctx) as session:
        created, updated = issue_service.import_issues(session, rows)
    typer.echo(f"{created} issues created, {updated} updated from {file}")


@issues_app.command("export")
def issues_export(
    ctx: typer.Context, file: Annotated[str, typer.Argument(help="Output CSV, or - for stdout.")]
) -> None:
    """Write the taxonomy as CSV, scale labels included."""
    with _session(ctx) as session:
        rows = issue_service.export_issues(session)
    count = _write_rows(file, issue_service.ISSUE_COLUMNS, rows)
    if file != "-":
        typer.echo(f"{count} issues written to {file}")


@issues_app.command("list")
def issues_list(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List the issues and their scale labels."""
    with _session(ctx) as session:
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
        since=_parse_date(since, "--since"),
        until=_parse_date(until, "--until"),
    )
    with _session(ctx) as session:
        rows = [stance_row(s) for s in list_stances(session, flt, limit=limit)]
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


def main() -> None:
    app()
