"""Editing actors, merging them, reading the history, marking up a source for tagging."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import ARTICLE, make_actor, make_issue, make_source, make_stance
from tracker.actor_merge import merge_actors
from tracker.actors import find_actor, update_actor
from tracker.errors import TrackerError
from tracker.highlight import Span, segments, tagging_view
from tracker.history import HistoryFilter, history
from tracker.mentions import AliasMatcher, record_mentions
from tracker.models import Actor, Stance
from tracker.stances import StanceChanges, update_stance


def test_rename_keeps_the_old_name_as_an_alias(session: Session) -> None:
    actor = make_actor(session, "Zelensky", aliases=["the Ukrainian president"])
    update_actor(session, actor, name="Volodymyr Zelenskyy", kind="person")
    assert find_actor(session, "Zelensky") is actor
    assert find_actor(session, "volodymyr zelenskyy") is actor
    update_actor(session, actor, aliases=["Zelenskiy"])
    assert find_actor(session, "the Ukrainian president") is None
    assert find_actor(session, "Zelenskiy") is actor and find_actor(session, "Zelensky") is None


def test_party_edits_refuse_loops(session: Session) -> None:
    ukraine = make_actor(session, "Ukraine", kind="state")
    office = make_actor(session, "Office", kind="government", party=ukraine)
    with pytest.raises(TrackerError, match="loop"):
        update_actor(session, ukraine, party=office)
    update_actor(session, office, party=None)
    assert office.party is None


def test_merge_moves_names_stances_mentions_and_members(session: Session) -> None:
    source = make_source(session, ARTICLE)
    issue = make_issue(session, "ceasefire-first")
    keep = make_actor(session, "Volodymyr Zelenskyy")
    drop = make_actor(session, "Zelensky", aliases=["Zelenskiy"])
    aide = make_actor(session, "Aide", party=drop)
    moved = make_stance(
        session, actor=drop, issue=issue, source=source, quote="there should be a ceasefire first"
    )
    twin_of_keep = make_stance(
        session, actor=keep, issue=issue, source=source, quote="security guarantees"
    )
    repeat = make_stance(
        session, actor=drop, issue=issue, source=source, quote="security guarantees"
    )
    record_mentions(session, source, AliasMatcher.from_database(session))
    count = merge_actors(session, keep, drop, annotator="bo")
    assert count == 1
    assert session.get(Actor, drop.id) is None
    assert find_actor(session, "Zelenskiy") is keep and find_actor(session, "zelensky") is keep
    assert session.get(Stance, moved.id).actor_id == keep.id  # type: ignore[union-attr]
    assert session.get(Stance, repeat.id) is None and session.get(Stance, twin_of_keep.id)
    assert aide.party_id == keep.id or session.get(Actor, aide.id).party_id == keep.id  # type: ignore[union-attr]
    events, _ = history(session, HistoryFilter(annotator="bo"))
    assert sorted(e["action"] for e in events) == ["delete", "update"]
    update = next(e for e in events if e["action"] == "update")
    assert "actor: Zelensky → Volodymyr Zelenskyy" in update["changes"]
    with pytest.raises(TrackerError, match="two different actors"):
        merge_actors(session, keep, keep, annotator="bo")


def test_history_filters_and_describes_changes(session: Session) -> None:
    stance = make_stance(session, annotator="ana", position=2)
    update_stance(
        session,
        stance.id,
        StanceChanges(position=-1, note="reread"),
        annotator="bo",
        expected_version=1,
    )
    everything, total = history(session, HistoryFilter())
    assert total == 2 and [e["action"] for e in everything] == ["update", "create"]
    assert "position: 2 → -1" in everything[0]["changes"]
    assert "note: '' → 'reread'" in everything[0]["changes"]
    by_bo, _ = history(session, HistoryFilter(annotator="bo"))
    assert [e["annotator"] for e in by_bo] == ["bo"]
    creates, _ = history(session, HistoryFilter(action="create", stance_id=stance.id))
    assert len(creates) == 1


def test_segments_mark_mentions_and_stances() -> None:
    text = "Zelensky said a ceasefire must come first."
    spans = [
        Span(0, 8, "Zelenskyy"),
        Span(14, 41, "#1 Zelenskyy +2", 1),
        Span(16, 25, "#2 other", 2),
    ]
    pieces = segments(text, spans)
    assert "".join(p.text for p in pieces) == text
    assert pieces[0].text == "Zelensky" and pieces[0].mentions == ("Zelenskyy",)
    both = next(p for p in pieces if p.text == "ceasefire")
    assert both.stances == (1, 2)
    assert pieces[-1].text == "." and not pieces[-1].stances


def test_tagging_view_of_a_source(session: Session) -> None:
    source = make_source(session, ARTICLE)
    actor = make_actor(session, "Zelenskyy", aliases=["Zelensky"])
    record_mentions(session, source, AliasMatcher.from_database(session))
    stance = make_stance(session, source=source, actor=actor)
    view = tagging_view(session, source.id)
    assert "".join(s.text for s in view["segments"]) == ARTICLE
    assert any(s.mentions == ("Zelenskyy",) for s in view["segments"])
    assert any(stance.id in s.stances for s in view["segments"])
    assert view["stances"][0]["version"] == 1
    assert session.scalars(select(Stance)).all() == [stance]


def test_rename_with_new_aliases_keeps_the_old_name(session: Session) -> None:
    actor = make_actor(session, "Zelensky", aliases=["Zelenskiy"])
    update_actor(session, actor, name="Volodymyr Zelenskyy", aliases=["Zelenskiy", "Z."])
    assert find_actor(session, "Zelensky") is actor and find_actor(session, "Z.") is actor


def test_too_long_names_are_refused_on_every_database(session: Session) -> None:
    with pytest.raises(TrackerError, match="the limit is 200"):
        make_actor(session, "A" * 201)
    actor = make_actor(session, "Short")
    with pytest.raises(TrackerError, match="the limit is 200"):
        update_actor(session, actor, aliases=["B" * 250])
    from tracker.issues import IssueRow, save_issue

    with pytest.raises(TrackerError, match="the limit is 80"):
        save_issue(session, IssueRow(slug="a" * 81, name="x"))
    with pytest.raises(TrackerError, match="the limit is 200"):
        save_issue(session, IssueRow(slug="ok", name="x", labels={2: "L" * 201}))
