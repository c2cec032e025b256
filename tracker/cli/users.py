"""`tracker users`: the accounts that sign in to the dashboard, and their roles.

The command line itself needs no account: whoever runs it already holds the database
credentials (see tracker.access).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from tracker import accounts
from tracker.access import ROLES
from tracker.cli.app import _app, app, open_reading, open_session
from tracker.errors import TrackerError
from tracker.output import table, to_json

users_app = _app("Dashboard accounts and their roles (viewer, analyst, reviewer, admin).")
app.add_typer(users_app, name="users")

RoleArg = Annotated[str, typer.Argument(help=f"One of {', '.join(ROLES)}.", metavar="ROLE")]
NameArg = Annotated[str, typer.Argument(help="The account's user name.", metavar="NAME")]
StdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]


def read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise TrackerError("--password-stdin: standard input is empty")
        return accounts.check_password(line.rstrip("\r\n"))
    first = typer.prompt("Password", hide_input=True)
    accounts.check_password(first)
    if typer.prompt("Repeat the password", hide_input=True) != first:
        raise TrackerError("the two passwords differ; nothing was saved")
    return str(first)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: NameArg,
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")] = "analyst",
    password_stdin: StdinOpt = False,
    no_password: Annotated[
        bool,
        typer.Option(
            "--no-password",
            help="No password: the account signs in only through single sign-on "
            "(TRACKER_TRUSTED_USER_HEADER).",
        ),
    ] = False,
) -> None:
    """Create an account; the password is asked twice (or read with --password-stdin)."""
    accounts.check_username(name)
    accounts.check_role(role)
    if no_password and password_stdin:
        raise TrackerError("--no-password and --password-stdin do not go together")
    password = None if no_password else read_password(password_stdin)
    with open_session(ctx) as session:
        account = accounts.add_account(session, name, role, password)
        typer.echo(f"Added {account.role} {account.username}")


@users_app.command("list")
def users_list(ctx: typer.Context, json_: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the accounts with their roles (never their passwords)."""
    with open_reading(ctx) as session:
        rows = [accounts.describe(a) for a in accounts.list_accounts(session)]
    if json_:
        typer.echo(to_json(rows))
        return
    for row in rows:
        row["state"] = "disabled" if row["disabled"] else "locked" if row["locked_until"] else ""
    typer.echo(
        table(
            rows,
            [
                ("username", "NAME", 24),
                ("role", "ROLE", 10),
                ("state", "STATE", 9),
                ("created_at", "CREATED", 25),
            ],
        )
    )


@users_app.command("set-role")
def users_set_role(ctx: typer.Context, name: NameArg, role: RoleArg) -> None:
    """Change an account's role."""
    with open_session(ctx) as session:
        account = accounts.set_role(session, name, role)
        typer.echo(f"{account.username} is now {account.role}")


@users_app.command("disable")
def users_disable(ctx: typer.Context, name: NameArg) -> None:
    """Stop an account from signing in (its name stays in the history)."""
    with open_session(ctx) as session:
        account = accounts.set_disabled(session, name, True)
        typer.echo(f"{account.username} is disabled")


@users_app.command("enable")
def users_enable(ctx: typer.Context, name: NameArg) -> None:
    """Let a disabled account sign in again."""
    with open_session(ctx) as session:
        account = accounts.set_disabled(session, name, False)
        typer.echo(f"{account.username} is enabled")


@users_app.command("set-password")
def users_set_password(ctx: typer.Context, name: NameArg, password_stdin: StdinOpt = False) -> None:
    """Set a new password (asked twice, or read with --password-stdin); lifts a lockout."""
    password = read_password(password_stdin)
    with open_session(ctx) as session:
        account = accounts.set_password(session, name, password)
        typer.echo(f"New password set for {account.username}")
