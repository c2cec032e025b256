#!/usr/bin/env python3
"""One command each for a fresh machine with only python3.

    python3 dev.py demo   # install, load the seeded demo into tracker.db, open the dashboard
    python3 dev.py test   # install, lint, type-check, run every test on SQLite and PostgreSQL

Installs into ./.venv. As root with apt-get (CI, a fresh container) it also installs
the system packages the tests use (PostgreSQL server, Chromium); elsewhere it tells
you what is missing. The PostgreSQL leg runs on a throwaway local cluster that this
script starts on a loopback port and stops afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".installed-from"
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SYSTEM_PACKAGES = {"pg_ctl": "postgresql", "chromium": "chromium", "pdftoppm": "poppler-utils"}


def say(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def run(*command: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    print("+", " ".join(str(c) for c in command), flush=True)
    code = subprocess.call([str(c) for c in command], cwd=ROOT, env=env)
    if check and code != 0:
        sys.exit(f"dev.py: {Path(str(command[0])).name} failed with exit code {code}")
    return code


def install() -> None:
    """Create .venv and install the project with its dev tools, unless already current."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "tracker").exists():
        return
    say("Installing Position Tracker into .venv")
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
    # The machine's pip is old: newer pip resolves lxml's renamed extras correctly.
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def system_packages() -> None:
    """Install missing system packages when we can (root with apt-get), else say what's missing."""
    missing = [
        pkg
        for tool, pkg in SYSTEM_PACKAGES.items()
        if not (pg_bin() if tool == "pg_ctl" else shutil.which(tool))
    ]
    if not missing:
        return
    if IS_ROOT and shutil.which("apt-get"):
        say(f"Installing system packages: {' '.join(missing)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)
    else:
        print(
            f"dev.py: not installed: {' '.join(missing)} (install them with your package manager)"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def postgres_cluster() -> Iterator[str | None]:
    """Start a throwaway PostgreSQL cluster on loopback; yields its admin URL (or None)."""
    bindir = pg_bin()
    if bindir is None:
        yield None
        return
    # PostgreSQL refuses to run as root: run the server as the postgres user.
    as_user = ["runuser", "-u", "postgres", "--"] if IS_ROOT else []
    workdir = Path(tempfile.mkdtemp(prefix="tracker-pg-"))
    datadir, port = workdir / "data", free_port()
    if IS_ROOT:
        shutil.chown(workdir, "postgres", "postgres")
    say(f"Starting a local PostgreSQL cluster on 127.0.0.1:{port}")
    run(
        *as_user,
        bindir / "initdb",
        "-D",
        datadir,
        "-U",
        "postgres",
        "-A",
        "trust",
        "--no-sync",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
    )
    options = (
        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    run(
        *as_user,
        bindir / "pg_ctl",
        "-D",
        datadir,
        "-o",
        options,
        "-l",
        workdir / "log",
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(*as_user, bindir / "pg_ctl", "-D", datadir, "-m", "immediate", "stop", check=False)
        shutil.rmtree(workdir, ignore_errors=True)


def pytest_leg(name: str, extra_env: dict[str, str]) -> None:
    say(f"Tests on {name}")
    env = {**os.environ, **extra_env}
    code = run(BIN / "pytest", "-n", "2", "--durations=5", env=env, check=False)
    if code == 5:
        sys.exit(f"dev.py: pytest collected no tests on {name}; that is a failure")
    if code != 0:
        sys.exit(f"dev.py: tests failed on {name} (pytest exit code {code})")


def test() -> None:
    started = time.monotonic()
    system_packages()
    install()
    say("Lint and types")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy")
    pytest_leg("SQLite", {"TRACKER_TEST_POSTGRES_URL": ""})
    with postgres_cluster() as pg_url:
        if pg_url is None:
            if CI:
                sys.exit("dev.py: PostgreSQL is not installed, so the PostgreSQL leg cannot run")
            print("dev.py: PostgreSQL not installed: the PostgreSQL leg was SKIPPED")
        else:
            pytest_leg("PostgreSQL", {"TRACKER_TEST_POSTGRES_URL": pg_url})
    say(f"All checks passed in {time.monotonic() - started:.0f} s")


def demo() -> None:
    install()
    tracker = str(BIN / "tracker")
    run(tracker, "demo")
    os.execv(tracker, [tracker, "dashboard", *sys.argv[2:]])


def main() -> None:
    commands = {"demo": demo, "test": test, "install": install}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(commands)}}}\n{__doc__}")
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
