"""The `tracker` app, its command groups, and the helpers every command shares.

Every command parses its options, calls a service and prints. Errors a user can
fix (TrackerError) are printed on one line with exit code 2 and no traceback.
"""

from __future__ import annotations

import datetime as dt
import errno
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from tracker import migrate
from tracker.config import ENV_VAR
from tracker.csv_io import atomic_output, write_csv
from tracker.db import check_connection, make_engine, read_only, reading, safe_url, transaction
from tracker.errors import TrackerError


class TrackerGroup(TyperGroup):
    """Turns the library's errors into one-line messages with exit code 2."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
            return result
        except TrackerError as exc:
            _fail(ctx, str(exc))
        except IntegrityError as exc:
            _fail(ctx, f"the change conflicts with data already stored: {_first_line(exc)}")
        except (OperationalError, DBAPIError) as exc:
            _fail(ctx, f"database error: {_first_line(exc)}")
        except OSError as exc:
            if exc.filename is not None or exc.errno not in _OUTPUT_ERRORS:
                raise  # not a failed write to standard output: a bug to see in full
            _fail(ctx, f"cannot write the output: {exc.strerror}")


# What a write to standard output may meet: a full disk, a quota, an I/O error.
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


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
sources_app = _app("Articles, statements and transcripts that stances quote.")
proposals_app = _app("Proposals (plans, outlines, counter-proposals) and the stances on them.")
app.add_typer(db_app, name="db")
app.add_typer(actors_app, name="actors")
app.add_typer(issues_app, name="issues")
app.add_typer(stances_app, name="stances")
app.add_typer(sources_app, name="sources")
app.add_typer(proposals_app, name="proposals")

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


def open_engine(ctx: typer.Context, *, migrated: bool = True) -> Engine:
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
    if migrated and not migrate.is_up_to_date(read_only(engine)):
        raise TrackerError(
            f"database {safe_url(engine.url)} is not at the current schema; "
            "run `tracker db upgrade` (or `tracker demo` for the demo data)"
        )
    return engine


@contextmanager
def open_session(ctx: typer.Context) -> Iterator[Session]:
    """A write transaction, committed when the command's block succeeds."""
    engine = open_engine(ctx)
    try:
        with transaction(engine) as session:
            yield session
    finally:
        engine.dispose()


@contextmanager
def open_reading(ctx: typer.Context) -> Iterator[Session]:
    """A session for commands that only read: on SQLite it does not wait for a writer."""
    engine = open_engine(ctx)
    try:
        with reading(engine) as session:
            yield session
    finally:
        engine.dispose()


def parse_date_option(value: str | None, flag: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TrackerError(f"{flag} {value!r} is not a date; use YYYY-MM-DD") from None


def write_rows(target: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """CSV to a file (written whole or not at all) or to standard output for ``-``."""
    if target == "-":
        return write_csv(sys.stdout, columns, rows)
    with atomic_output(target) as out:
        return write_csv(out, columns, rows)


def main() -> None:
    app()
