"""Double coding as a mode: blind to analysts in every listing, out of the timelines until
closed, two coders on one passage, imports that still deduplicate, the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.factories import make_actor, make_issue, make_source, make_stance
from tracker.access import Principal
from tracker.actor_merge import merge_actors
from tracker.agreement import measure, settle
from tracker.cli import app
from tracker.db import transaction
from tracker.double_coding import close_double_coding, list_double_coding, open_double_coding
from tracker.errors import PermissionDenied, TrackerError
from tracker.highlight import tagging_view
from tracker.history import HistoryFilter, annotators, history
from tracker.models import Actor, Issue, Proposal, Role, Source, Stance
from tracker.proposals import add_proposal, proposal_stances
from tracker.review import next_suggestions, queue_size
from tracker.stance_csv import export_stances_bytes
from tracker.stance_import import import_stances
from tracker.stance_query import StanceFilter, stance_records
from tracker.stances import list_stances, stance_history
from tracker.timelines import SeriesFilter, day_positions

QUOTE = "there should be a ceasefire first"
ANA = Principal("Ana", Role.ANALYST, 1)
BO = Principal("bo", Role.ANALYST, 2)
REV = Principal("rev", Role.REVIEWER, 3)
VIEWER = Principal("vic", Role.VIEWER, 4)


@pytest.fixture
def coded(engine: Engine) -> dict[str, int]:
    """A source in double coding for Ana and bo, each with a stance on the same passage
    (+2 and -1) linked to a proposal, a suggestion on it, and an ordinary source with one
    stance of bo's."""
    with transaction(engine) as session:
        actor, issue = make_actor(session, "Zelensky"), make_issue(session, "ceasefire")
        source, other = make_source(session), make_source(session)
        add_proposal(session, "Plan", author=actor, proposed_on=dt.date(2025, 8, 1))
        open_double_coding(session, [source.id], ["ana", "Bo"], by="rev")
        ids = {"actor": actor.id, "issue": issue.id, "source": source.id, "other": other.id}
    for who, position in ((ANA, 2), (BO, -1)):
        with transaction(engine, who) as session:
            ids[who.name] = _record(session, ids, position=position, annotator="whoever").id
    with transaction(engine) as session:
        ids["suggestion"] = _record(
            session,
            ids,
            quote="a ceasefire first",
            annotator="suggester (rules)",
            origin="suggestion",
            status="suggested",
        ).id
        ids["ordinary"] = _record(
            session, ids, source="other", position=1, stated_on=dt.date(2025, 8, 12)
        ).id
    return ids


def _record(
    session: Session, ids: dict[str, int], *, source: str = "source", **kwargs: Any
) -> Stance:
    kwargs.setdefault("annotator", "bo")
    if source == "source" and kwargs.get("origin") != "suggestion":
        kwargs["proposal"] = session.scalars(select(Proposal)).one()
    return make_stance(
        session,
        actor=session.get_one(Actor, ids["actor"]),
        issue=session.get_one(Issue, ids["issue"]),
        source=session.get_one(Source, ids[source]),
        quote=kwargs.pop("quote", QUOTE),
        **kwargs,
    )


def _seen(session: Session, ids: dict[str, int]) -> dict[str, set[int]]:
    """The stance ids each listing service shows the session's principal."""
    tagged = tagging_view(session, ids["source"])
    events, _ = history(session, HistoryFilter())
    proposal = session.scalars(select(Proposal)).one()
    exported = export_stances_bytes(session, StanceFilter()).decode("utf-8-sig")
    return {
        "list": {s.id for s in list_stances(session, StanceFilter())},
        "records": {r["stance_id"] for r in stance_records(session, StanceFilter())},
        "export": {sid for sid in ids.values() if f"\n{sid}," in exported},
        "tag page": {r["stance_id"] for r in tagged["stances"]},
        "tag marks": {sid for seg in tagged["segments"] for sid in seg.stances},
        "history": {e["stance_id"] for e in events},
        "review queue": {r["stance_id"] for r in next_suggestions(session, limit=10)},
        "queue size": {queue_size(session)},
        "proposal": {r["stance_id"] for r in proposal_stances(session, proposal)},
    }


def test_analysts_see_only_their_own_stances_in_every_listing(
    engine: Engine, coded: dict[str, int]
) -> None:
    ana, bo, suggestion, ordinary = (
        coded["Ana"],
        coded["bo"],
        coded["suggestion"],
        coded["ordinary"],
    )
    with transaction(engine, ANA) as session:
        seen = _seen(session, coded)
    assert seen["list"] == seen["records"] == seen["export"] == {ana, ordinary}
    assert seen["tag page"] == seen["tag marks"] == {ana}
    assert seen["history"] == {ana, ordinary}
    assert seen["review queue"] == set() and seen["queue size"] == {0}
    assert seen["proposal"] == {ana}
    with transaction(engine, BO) as session:
        assert _seen(session, coded)["tag page"] == {bo}
    with transaction(engine, VIEWER) as session:
        seen = _seen(session, coded)
    assert seen["list"] == {ordinary} and seen["tag page"] == set() and seen["proposal"] == set()
    with transaction(engine, REV) as session:
        seen = _seen(session, coded)
    assert seen["list"] == {ana, bo, suggestion, ordinary}
    assert seen["tag page"] == {ana, bo, suggestion}
    assert seen["history"] == {ana, bo, suggestion, ordinary}
    assert seen["review queue"] == {suggestion} and seen["queue size"] == {1}
    assert seen["proposal"] == {ana, bo}


def test_the_history_names_no_one_by_their_hidden_codings(
    engine: Engine, coded: dict[str, int]
) -> None:
    """The History page's list of analysts would tell who else is coding an open source."""
    with transaction(engine, VIEWER) as session:
        assert annotators(session) == ["bo"]  # the ordinary source's stance
    with transaction(engine, ANA) as session:
        assert annotators(session) == ["Ana", "bo"]
    with transaction(engine, REV) as session:
        assert annotators(session) == ["Ana", "bo", "suggester (rules)"]


def test_analysts_see_the_comparison_only_once_closed(
    engine: Engine, coded: dict[str, int]
) -> None:
    with transaction(engine, ANA) as session:
        assert measure(session).issues == []
    with transaction(engine, REV) as session:
        (unit,) = measure(session).disagreements
        assert {c.stance_id for cs in unit.by_coder.values() for c in cs} == {
            coded["Ana"],
            coded["bo"],
        }


def test_two_coders_quote_one_passage_but_never_twice(
    engine: Engine, coded: dict[str, int]
) -> None:
    with transaction(engine) as session:
        ana, bo = session.get_one(Stance, coded["Ana"]), session.get_one(Stance, coded["bo"])
        passage = (ana.actor_id, ana.issue_id, ana.source_id, ana.quote_start, ana.quote_end)
        assert passage == (bo.actor_id, bo.issue_id, bo.source_id, bo.quote_start, bo.quote_end)
        assert (ana.coder, bo.coder) == ("ana", "bo")
    with pytest.raises(TrackerError, match="already records"):  # the same coder again
        with transaction(engine, ANA) as session:
            _record(session, coded, position=1)
    # Outside double coding one stance per passage, whoever records it.
    with pytest.raises(TrackerError, match=f"stance #{coded['ordinary']} already records"):
        with transaction(engine, ANA) as session:
            _record(session, coded, source="other")


def test_open_stances_count_in_timelines_only_once_closed(
    engine: Engine, coded: dict[str, int]
) -> None:
    def days() -> list[tuple[dt.date, float]]:
        with transaction(engine) as session:
            return [(p.day, p.position) for p in day_positions(session, SeriesFilter())]

    assert days() == [(dt.date(2025, 8, 12), 1.0)]  # the ordinary source's stance alone
    with pytest.raises(TrackerError, match="1 disagreement"):
        with transaction(engine, REV) as session:
            close_double_coding(session, [coded["source"]], by="rev")
    with pytest.raises(PermissionDenied):
        with transaction(engine, ANA) as session:
            close_double_coding(session, [coded["source"]], by="ana")
    with transaction(engine, REV) as session:
        settle(session, [coded["Ana"], coded["bo"]], coded["bo"], annotator="rev")
        close_double_coding(session, [coded["source"]], by="rev")
    # bo's -1 counts now (Ana's +2 was rejected); both originals are in the history.
    assert days() == [(dt.date(2025, 8, 12), 1.0), (dt.date(2025, 8, 13), -1.0)]
    with transaction(engine, ANA) as session:
        assert coded["bo"] in {s.id for s in list_stances(session, StanceFilter())}
        created = [
            e.after["position"]
            for sid in (coded["Ana"], coded["bo"])
            for e in stance_history(session, sid)
            if e.action == "create"
        ]
        assert created == [2, -1]
        assert [e.action for e in stance_history(session, coded["Ana"])] == ["create", "reject"]
    with transaction(engine) as session:
        (closed,) = list_double_coding(session, include_closed=True)
        assert (closed.source_id, closed.is_open) == (coded["source"], False)


def test_opening_needs_a_reviewer_two_analysts_and_real_sources(engine: Engine) -> None:
    with transaction(engine) as session:
        source = make_source(session).id
    with pytest.raises(PermissionDenied):
        with transaction(engine, ANA) as session:
            open_double_coding(session, [source], ["ana", "bo"], by="ana")
    with pytest.raises(TrackerError, match="two analysts or more"):
        with transaction(engine, REV) as session:
            open_double_coding(session, [source], ["ana", " ANA "], by="rev")
    with pytest.raises(TrackerError, match="no source with id 999"):
        with transaction(engine, REV) as session:
            open_double_coding(session, [source, 999], ["ana", "bo"], by="rev")
    with transaction(engine) as session:
        assert list_double_coding(session) == []


def _csv(coded: dict[str, int], annotator: str, position: int) -> str:
    return (
        "actor,issue,stated_on,position,quote,source_id,annotator,origin\n"
        f"Zelensky,ceasefire,2025-08-13,{position},{QUOTE},{coded['source']},{annotator},"
        "analyst\n"
    )


def test_imports_match_the_same_coders_stance(
    engine: Engine, coded: dict[str, int], tmp_path: Path
) -> None:
    def count() -> int:
        with transaction(engine) as session:
            return session.scalar(select(func.count()).select_from(Stance)) or 0

    before = count()
    # Ana's file again: her stance, unchanged; then changed; bo's untouched.
    report = import_stances(engine, "a.csv", text=_csv(coded, "ana", 2))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    report = import_stances(engine, "a.csv", text=_csv(coded, "ANA", 1))
    assert (report.created, report.updated) == (0, 1)
    # A third analyst's file on the open source: a stance of their own, once.
    for expected in (1, 0):
        report = import_stances(engine, "c.csv", text=_csv(coded, "cy", 0))
        assert report.created == expected
    assert count() == before + 1
    with transaction(engine) as session:
        positions = {
            s.coder: s.position
            for s in session.scalars(select(Stance).where(Stance.source_id == coded["source"]))
        }
    assert positions == {"ana": 1, "bo": -1, "cy": 0, "": 2}


def test_double_coding_from_the_command_line(db_url: str, engine: Engine) -> None:
    runner = CliRunner()
    with transaction(engine) as session:
        first, second = make_source(session).id, make_source(session).id
    result = runner.invoke(
        app,
        ["--db", db_url, "double-coding", "open", str(first), str(second)]
        + ["--coder", "ana", "--coder", "bo"],
    )
    assert result.exit_code == 0, result.output
    assert "2 source(s) in double coding" in result.output
    listed = runner.invoke(app, ["--db", db_url, "double-coding", "list"])
    assert "ana, bo" in listed.output
    result = runner.invoke(
        app, ["--db", db_url, "double-coding", "open", str(first), "--coder", "ana"]
    )
    assert result.exit_code == 2 and "two analysts or more" in result.stderr
    result = runner.invoke(app, ["--db", db_url, "double-coding", "close", str(first)])
    assert result.exit_code == 0, result.output
    with transaction(engine) as session:
        assert [d.source_id for d in list_double_coding(session)] == [second]


def test_merging_actors_keeps_each_coders_stance(engine: Engine, coded: dict[str, int]) -> None:
    """bo and cy coded the passage for "Volodymyr", Ana and bo for "Zelensky": merging the
    two actors keeps one stance per coder on the double-coded source."""
    moved = {}
    for who in (BO, Principal("cy", Role.ANALYST, 5)):
        with transaction(engine, who) as session:
            alias = session.scalars(select(Actor).filter_by(name="Volodymyr")).one_or_none()
            moved[who.name] = make_stance(
                session,
                actor=alias or make_actor(session, "Volodymyr"),
                issue=session.get_one(Issue, coded["issue"]),
                source=session.get_one(Source, coded["source"]),
                quote=QUOTE,
            ).id
    with transaction(engine) as session:
        drop = session.scalars(select(Actor).filter_by(name="Volodymyr")).one()
        merge_actors(session, session.get_one(Actor, coded["actor"]), drop, annotator="rev")
    with transaction(engine) as session:
        coders = {
            s.id: s.coder
            for s in session.scalars(
                select(Stance).where(Stance.source_id == coded["source"], Stance.coder != "")
            )
        }
    # bo's second stance repeated bo's first: deleted; cy's is a coding of its own.
    assert coders == {coded["Ana"]: "ana", coded["bo"]: "bo", moved["cy"]: "cy"}


def test_reopening_replaces_the_analysts(engine: Engine) -> None:
    with transaction(engine) as session:
        source = make_source(session).id
        open_double_coding(session, [source], ["ana", "bo"], by="rev")
    with transaction(engine) as session:
        open_double_coding(session, [source], ["bo", "cy", "Ana"], by="rev")
    with transaction(engine) as session:
        close_double_coding(session, [source], by="rev")
    with transaction(engine) as session:
        open_double_coding(session, [source], ["bo", "dee"], by="rev2")
    with transaction(engine) as session:
        (found,) = list_double_coding(session, include_closed=True)
        assert (found.coders, found.opened_by, found.is_open) == (("bo", "dee"), "rev2", True)


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("importer", [None, REV], ids=["command line", "signed in"])
def test_each_coders_row_on_one_passage_imports_as_their_own_stance(
    engine: Engine, coded: dict[str, int], closed: bool, importer: Principal | None
) -> None:
    """On a source in double coding, and after it is closed, the coders' stances on one
    passage are stances of their own: a file with all of them (the export) is not two rows
    for one stance, and imports again with nothing changed, from the command line (the
    annotator cells name the coders) or signed in (the stance_ids do: the importer codes
    only rows without one)."""
    if closed:
        with transaction(engine, REV) as session:
            settle(session, [coded["Ana"], coded["bo"]], coded["bo"], annotator="rev")
            close_double_coding(session, [coded["source"]], by="rev")
    with transaction(engine) as session:
        exported = export_stances_bytes(session, StanceFilter()).decode("utf-8-sig")
        stored = session.scalar(select(func.count()).select_from(Stance))
    assert f"\n{coded['Ana']}," in exported and f"\n{coded['bo']}," in exported
    report = import_stances(engine, "all.csv", text=exported, principal=importer)
    assert (report.created, report.updated, report.rejected, report.repeated) == (0, 0, 0, 0)
    assert report.unchanged == stored


@pytest.mark.parametrize("chunk", [1, 2000])
@pytest.mark.parametrize("dry_run", [True, False])
def test_another_coders_row_on_a_closed_source_is_their_own_stance(
    engine: Engine,
    coded: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
    dry_run: bool,
) -> None:
    """After double coding is closed, Ana's edited row and a row by cy (a third analyst)
    on the same passage: Ana's stance takes her edit, cy's row is a stance of cy's. Matched
    to whoever's, cy's row overwrote Ana's edit, or made a second stance, as the chunks
    fell, and the dry run said otherwise."""
    with transaction(engine, REV) as session:
        settle(session, [coded["Ana"], coded["bo"]], coded["Ana"], annotator="rev")
        close_double_coding(session, [coded["source"]], by="rev")
    monkeypatch.setattr("tracker.stance_validation.CHUNK", chunk)
    text = _csv(coded, "ana", 1) + _csv(coded, "cy", -2).split("\n", 1)[1]
    report = import_stances(engine, "closed.csv", text=text, dry_run=dry_run)
    assert (report.created, report.updated, report.rejected) == (1, 1, 0), report.summary()
    if not dry_run:
        with transaction(engine) as session:
            positions = {
                s.coder: s.position
                for s in session.scalars(select(Stance).where(Stance.source_id == coded["source"]))
            }
        assert positions["ana"] == 1 and positions["cy"] == -2 and positions["bo"] == -1
