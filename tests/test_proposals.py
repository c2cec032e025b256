"""Proposals: the texts a negotiation revolves around, linked stances, CLI, CSV, the page."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from tests.factories import make_actor, make_source, make_stance, sign_in
from tracker.access import Principal
from tracker.actor_merge import merge_actors
from tracker.cli import app
from tracker.config import ENV_VAR
from tracker.db import transaction
from tracker.errors import TrackerError
from tracker.models import Proposal, Role, Stance, StanceEvent
from tracker.proposals import (
    add_proposal,
    add_version,
    get_proposal,
    list_proposals,
    proposal_stances,
)
from tracker.stance_csv import export_stances
from tracker.stance_import import import_stances
from tracker.stance_query import COLUMNS, StanceFilter
from tracker.stances import StanceChanges, update_stance

runner = CliRunner()
APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
ALASKA = "Putin's Alaska proposals"


def test_proposal_column_comes_last() -> None:
    assert COLUMNS[-1] == "proposal"


def test_proposals_and_their_versions(session: Session) -> None:
    putin = make_actor(session, "Vladimir Putin")
    alaska = add_proposal(session, ALASKA, author=putin, proposed_on=dt.date(2025, 8, 15))
    add_version(session, alaska, dated_on=dt.date(2025, 8, 20), text="Donetsk and a freeze")
    assert get_proposal(session, "PUTIN'S  alaska proposals").id == alaska.id
    assert get_proposal(session, str(alaska.id)).id == alaska.id
    assert [v.dated_on.day for v in alaska.versions] == [15, 20]
    with pytest.raises(TrackerError, match="exists; add a version"):
        add_proposal(session, ALASKA.upper(), author=putin, proposed_on=dt.date(2025, 8, 15))
    with pytest.raises(TrackerError, match="already has a version dated 2025-08-20"):
        add_version(session, alaska, dated_on=dt.date(2025, 8, 20))
    with pytest.raises(TrackerError, match="needs a name"):
        add_proposal(session, "   ", author=putin, proposed_on=dt.date(2025, 8, 15))
    with pytest.raises(TrackerError, match="no proposal named"):
        get_proposal(session, "the 28-point plan")
    assert list_proposals(session)[0]["versions"] == 2


def test_viewers_cannot_add_proposals(engine: Engine) -> None:
    with transaction(engine) as session:
        putin = make_actor(session, "Vladimir Putin")
    with pytest.raises(TrackerError, match="viewers cannot add proposals"):
        with transaction(engine, Principal("vic", Role.VIEWER, 1)) as session:
            add_proposal(
                session, ALASKA, author=session.merge(putin), proposed_on=dt.date(2025, 8, 15)
            )
    with transaction(engine) as session:
        assert session.scalars(select(Proposal)).all() == []


def test_stances_link_to_a_proposal_in_their_history(session: Session) -> None:
    putin, zelensky = make_actor(session, "Vladimir Putin"), make_actor(session, "Zelensky")
    alaska = add_proposal(session, ALASKA, author=putin, proposed_on=dt.date(2025, 8, 15))
    stance = make_stance(session, actor=zelensky, position=-2, proposal=alaska)
    assert [s["actor"] for s in proposal_stances(session, alaska)] == ["Zelensky"]
    created = session.scalars(select(StanceEvent).where(StanceEvent.stance_id == stance.id)).one()
    assert created.after and created.after["proposal"] == ALASKA
    update_stance(
        session, stance.id, StanceChanges(unlink_proposal=True), annotator="ana", expected_version=1
    )
    assert stance.proposal_id is None and proposal_stances(session, alaska) == []
    # Merging the author moves the proposal to the actor kept.
    kremlin = make_actor(session, "Kremlin")
    merge_actors(session, kremlin, putin, annotator="ana")
    assert alaska.author_id == kremlin.id


def test_csv_names_the_proposal_and_imports_it(engine: Engine, tmp_path: Path) -> None:
    with transaction(engine) as session:
        putin, zelensky = make_actor(session, "Vladimir Putin"), make_actor(session, "Zelensky")
        add_proposal(session, ALASKA, author=putin, proposed_on=dt.date(2025, 8, 15))
        source = make_source(session)
        make_stance(session, actor=zelensky, source=source, position=-2)
    out = io.StringIO(newline="")
    with transaction(engine) as session:
        export_stances(session, StanceFilter(), out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["proposal"] == ""
    row["proposal"] = "putin's alaska proposals"
    path = tmp_path / "linked.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    assert import_stances(engine, path).updated == 1
    with transaction(engine) as session:
        stance = session.scalars(select(Stance)).one()
        assert stance.proposal is not None and stance.proposal.name == ALASKA
        event = session.scalars(select(StanceEvent).order_by(StanceEvent.id.desc())).first()
        assert event is not None and event.after and event.after["proposal"] == ALASKA
    row["proposal"] = "the 28-point plan"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    with pytest.raises(TrackerError, match="row 2, column proposal: unknown proposal"):
        import_stances(engine, path)


def test_cli_adds_lists_and_shows_proposals(demo_url: str) -> None:
    def tracker(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--db", demo_url, "proposals", *args])
        return result.exit_code, result.output

    code, out = tracker("list")
    assert code == 0 and ALASKA in out and "Vladimir Putin" in out
    code, out = tracker("show", ALASKA)
    assert code == 0 and "Volodymyr Zelenskyy" in out and "-2 " in out
    code, out = tracker("add", "US 28-point plan", "--author", "Trump", "--date", "2025-11-20")
    assert code == 0 and "added" in out
    code, out = tracker(
        "add", "US 28-point plan", "--date", "2025-11-23", "--text", "19 points", "--version"
    )
    assert code == 0, out
    code, out = tracker("show", "us 28-point plan", "--json")
    assert code == 0 and '"19 points"' in out and '"stances": []' in out
    for args, message in [
        (["add", ALASKA, "--author", "Putin", "--date", "2025-08-15"], "exists"),
        (["add", "Plan", "--author", "Nobody", "--date", "2025-08-15"], "unknown actor"),
        (["add", "Plan", "--author", "Putin", "--date", "15/08/2025"], "not a date"),
        (["show", "nope"], "no proposal named 'nope'"),
    ]:
        code, out = tracker(*args)
        assert code == 2 and message in out and out.count("\n") == 1, out


def test_the_demo_has_putins_alaska_proposals_rejected_by_zelenskyy(
    demo_url: str, engine: Engine
) -> None:
    with transaction(engine) as session:
        alaska = get_proposal(session, ALASKA)
        assert alaska.author.name == "Vladimir Putin"
        assert alaska.proposed_on == dt.date(2025, 8, 15)
        assert "Donetsk" in alaska.versions[0].text
        stances = {s["actor"]: s for s in proposal_stances(session, alaska)}
    assert stances["Volodymyr Zelenskyy"]["position"] == -2
    assert "all but rejected" in stances["Volodymyr Zelenskyy"]["quote"]
    assert stances["Vladimir Putin"]["position"] == 2


@pytest.mark.usefixtures("dashboard_env")
def test_proposals_page_lists_every_actors_stance(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, demo_url)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), demo_url)
    at.run()
    at.switch_page("views/proposals.py").run()
    assert not at.exception, [e.value for e in at.exception]
    (table,) = at.dataframe
    rows = table.value
    assert list(rows["actor"]) == ["Vladimir Putin", "Volodymyr Zelenskyy"]
    assert rows["position"].iloc[1].startswith("-2")
    assert "Donetsk" in " ".join(t.value for t in at.text)


@pytest.mark.usefixtures("dashboard_env")
def test_proposals_page_without_proposals_says_what_to_do(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, db_url)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), db_url)
    at.run()
    at.switch_page("views/proposals.py").run()
    assert not at.exception
    assert "tracker proposals add" in at.info[0].value
