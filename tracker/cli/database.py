"""`tracker db`, `tracker demo` and `tracker dashboard`."""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from tracker import migrate
from tracker.cli.app import (
    app,
    db_app,
    open_engine,
)
from tracker.config import ENV_VAR
from tracker.db import read_only, safe_url, transaction
from tracker.demo import DEMO_ADMIN, first_admin, load_demo
from tracker.errors import TrackerError
from tracker.position_days import rebuild

# --- db -----------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the schema or bring it to the newest version."""
    engine = open_engine(ctx, migrated=False)
    folds_accents = migrate.upgrade(engine)
    typer.echo(f"{safe_url(engine.url)} is at schema version {migrate.current_revision(engine)}")
    if not folds_accents:
        typer.echo(
            "note: this PostgreSQL server has no unaccent extension this account may install, "
            "so searching sources here counts accents ('Elysee' does not find 'Élysée'). "
            "An administrator can run CREATE EXTENSION unaccent; in this database, then run "
            "tracker db upgrade again."
        )


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema version and whether it is up to date."""
    engine = open_engine(ctx, migrated=False)
    current, head = migrate.current_revision(read_only(engine)), migrate.head_revision()
    state = "up to date" if current == head else f"behind (newest is {head})"
    typer.echo(f"{safe_url(engine.url)}: schema version {current or 'none'}, {state}")


@db_app.command("refresh")
def db_refresh(ctx: typer.Context) -> None:
    """Recompute the stored per-day positions from the stances.

    The tracker keeps them up to date itself; run this after changing stances or sources
    with SQL outside the tracker, so timelines, the matrix and reports see the change."""
    engine = open_engine(ctx)
    with transaction(engine) as session:
        days = rebuild(session)
    typer.echo(f"{safe_url(engine.url)}: {days:,} actor-issue days recomputed from the stances")


# --- demo and dashboard ---------------------------------------------------------------------


@app.command("demo")
def demo(ctx: typer.Context) -> None:
    """Create the database if needed and load the seed articles, actors, issues and stances."""
    engine = open_engine(ctx, migrated=False)
    summary = load_demo(engine)
    typer.echo(
        f"Demo data in {safe_url(engine.url)}: {summary.issues} issues, {summary.actors} actors, "
        f"{summary.sources_added} new sources, {summary.stances_added} new stances "
        f"({summary.stances_total} in all).\n"
        "Next: `tracker stances list --issue ceasefire-first` or `tracker dashboard`."
    )
    password = first_admin(engine)
    if password is not None:
        typer.echo(
            f"\nSign in to the dashboard as {DEMO_ADMIN!r} with password {password!r} "
            "(shown once; change it with `tracker users set-password admin`).\n"
            "Add your colleagues with `tracker users add NAME --role analyst`."
        )
    else:
        typer.echo(
            "\nSign in to the dashboard with your account (`tracker users list` shows them; "
            "`tracker users set-password NAME` sets a new password)."
        )


@app.command("dashboard")
def dashboard(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8501,
    address: Annotated[
        str,
        typer.Option(
            help="Address to listen on. The default serves this computer only; "
            "use 0.0.0.0 to share the dashboard on the network (anyone who reaches it "
            "can try to sign in; put it behind HTTPS)."
        ),
    ] = "127.0.0.1",
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = False,
) -> None:
    """Open the Streamlit dashboard on the same database."""
    engine = open_engine(ctx)
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, ENV_VAR: url}
    check_port_free(address, port)
    command = streamlit_command(port=port, address=address, headless=headless)
    shown = "localhost" if address == "127.0.0.1" else address
    typer.echo(f"Dashboard on http://{shown}:{port} (database {safe_url(engine.url)})")
    raise typer.Exit(subprocess.call(command, env=env))


def check_port_free(address: str, port: int) -> None:
    """Refuse a port another program holds before saying where the dashboard is
    (Streamlit would print its own error after our "Dashboard on ..." line)."""
    try:
        # Every address the name stands for ("localhost": ::1 and 127.0.0.1); an empty
        # address is every interface, as Streamlit reads it.
        infos = socket.getaddrinfo(address or None, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise TrackerError(f"--address {address!r}: {exc.strerror or exc}") from None
    for family, kind, proto, _, where in infos:
        with socket.socket(family, kind, proto) as probe:
            # As the server: a port left in TIME_WAIT by a dashboard just stopped is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(where)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    other = port + 1 if port < 65535 else port - 1
                    raise TrackerError(
                        f"port {port} is in use (a dashboard already running?): "
                        f"stop it, or choose another port with --port {other}"
                    ) from None
                raise TrackerError(f"cannot serve on {address}:{port}: {exc.strerror}") from None


def streamlit_command(*, port: int, address: str, headless: bool) -> list[str]:
    """The command line that serves the dashboard."""
    from importlib.resources import files

    app_path = Path(str(files("dashboard") / "app.py"))
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        str(headless).lower(),
        "--browser.gatherUsageStats",
        "false",
        # Streamlit's first run asks for an e-mail address on the terminal before it
        # serves (and exits when there is no terminal): the dashboard never came up.
        "--server.showEmailPrompt",
        "false",
    ]
