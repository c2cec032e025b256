"""Editing actors and issues, and reading the history, in the real Streamlit pages (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from tests.factories import make_source, sign_in
from tracker.actors import aliases_of, create_actor, find_actor, get_actor
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction
from tracker.issues import get_issue
from tracker.models import Stance, StanceAction, StanceEvent
from tracker.stances import log_event, record_stance, snapshot

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
TAXONOMY = str(VIEWS / "taxonomy.py")
HISTORY = str(VIEWS / "history.py")


def open_page(
    page: str,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    analyst: str = "ana",
    role: str = "admin",
) -> AppTest:
    monkeypatch.setenv(ENV_VAR, url)
    at = AppTest.from_file(page, default_timeout=30)
    if analyst:
        sign_in(at, url, analyst, role)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def actor_names(url: str, name: str) -> tuple[str, list[str]] | None:
    """The actor known by ``name``, read through a fresh engine: (its name, its aliases)."""
    engine = make_engine(url)
    with transaction(engine) as session:
        actor = find_actor(session, name)
        found = (actor.name, aliases_of(actor)) if actor else None
    engine.dispose()
    return found


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize("page", [TAXONOMY, HISTORY])
@pytest.mark.parametrize("database", ["demo_url", "db_url"])
def test_editing_pages_render(
    page: str, database: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = request.getfixturevalue(database)
    at = open_page(page, url, monkeypatch)
    assert not at.error, errors(at)
    if database == "demo_url":
        assert at.dataframe
    else:
        messages = " ".join(m.value for m in at.info)
        expected = ["tracker actors import"] if page == TAXONOMY else ["No changes recorded yet"]
        assert all(e in messages for e in expected), messages


@pytest.mark.usefixtures("dashboard_env")
def test_adding_an_actor_writes_it(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(TAXONOMY, db_url, monkeypatch)
    at.text_input(key="add_actor_name").input("Ukraine")
    at.selectbox(key="add_actor_kind").select("state")
    at.button(key="add_actor_save").click().run()
    at.text_input(key="add_actor_name").input("Andrii Sybiha")
    at.selectbox(key="add_actor_kind").select("person")
    at.selectbox(key="add_actor_party").select("Ukraine")
    at.text_input(key="add_actor_aliases").input("Sybiha; Ukraine's foreign minister")
    at.button(key="add_actor_save").click().run()
    assert not at.exception and not at.error, errors(at)
    assert "Added actor Andrii Sybiha" in at.success[0].value
    assert actor_names(db_url, "Sybiha") == (
        "Andrii Sybiha",
        ["Sybiha", "Ukraine's foreign minister"],
    )
    assert at.text_input(key="add_actor_name").value == ""  # ready for the next one
    assert "Andrii Sybiha" in list(at.dataframe[0].value["name"])


@pytest.mark.usefixtures("dashboard_env")
def test_names_are_shown_escaped(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(TAXONOMY, db_url, monkeypatch)
    at.text_input(key="add_actor_name").input("**Bold** [x](javascript:1)")
    at.button(key="add_actor_save").click().run()
    assert at.success[0].value == r"Added actor \*\*Bold\*\* \[x\]\(javascript\:1\)\."


@pytest.mark.usefixtures("dashboard_env")
def test_editing_aliases(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(TAXONOMY, demo_url, monkeypatch)
    at.selectbox(key="edit_actor").select("Keir Starmer").run()
    assert at.text_input(key="edit_actor_name").value == "Keir Starmer"
    before = actor_names(demo_url, "Keir Starmer")
    assert before is not None
    at.text_input(key="edit_actor_aliases").input("Starmer; the British prime minister")
    at.button(key="edit_actor_save").click().run()
    assert not at.exception and not at.error, errors(at)
    assert "Saved actor Keir Starmer" in at.success[0].value
    assert actor_names(demo_url, "the British prime minister") == (
        "Keir Starmer",
        ["Starmer", "the British prime minister"],
    )
    # The form shows what was saved.
    assert at.text_input(key="edit_actor_aliases").value == "Starmer; the British prime minister"


@pytest.mark.usefixtures("dashboard_env")
def test_renaming_keeps_the_old_name_as_an_alias(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(TAXONOMY, demo_url, monkeypatch)
    at.selectbox(key="edit_actor").select("Keir Starmer").run()
    at.text_input(key="edit_actor_name").input("Sir Keir Starmer")
    at.button(key="edit_actor_save").click().run()
    assert not at.error, errors(at)
    found = actor_names(demo_url, "Keir Starmer")
    assert found is not None and found[0] == "Sir Keir Starmer" and "Keir Starmer" in found[1]
    assert at.selectbox(key="edit_actor").value == "Sir Keir Starmer"


@pytest.mark.usefixtures("dashboard_env")
def test_a_duplicate_alias_is_refused(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(TAXONOMY, demo_url, monkeypatch)
    before = actor_names(demo_url, "Keir Starmer")
    at.selectbox(key="edit_actor").select("Keir Starmer").run()
    at.text_input(key="edit_actor_aliases").input("Starmer; Kyiv")
    at.button(key="edit_actor_save").click().run()
    assert not at.exception
    assert "'Kyiv' already names actor 'Ukraine'" in errors(at)
    assert not at.success
    assert actor_names(demo_url, "Keir Starmer") == before
    assert actor_names(demo_url, "Kyiv") == actor_names(demo_url, "Ukraine")
    # The analyst's typing stays in the form, to correct it.
    assert at.text_input(key="edit_actor_aliases").value == "Starmer; Kyiv"

    at.text_input(key="add_actor_name").input("Kremlin spokesman")
    at.text_input(key="add_actor_aliases").input("Peskov; the Kremlin")
    at.button(key="add_actor_save").click().run()
    assert "'the Kremlin' already names actor 'Russia'" in errors(at)
    assert actor_names(demo_url, "Kremlin spokesman") is None
    assert actor_names(demo_url, "Peskov") is None


@pytest.mark.usefixtures("dashboard_env")
def test_merging_two_actors_moves_their_stances(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        duplicate = create_actor(session, "Zelensky Duplicate", "person")
        source = make_source(session)
        stance = record_stance(
            session,
            actor=duplicate,
            issue=get_issue(session, "ceasefire-first"),
            source=source,
            position=2,
            quote="there should be a ceasefire first",
            annotator="bob",
        )
        stance_id = stance.id
    at = open_page(TAXONOMY, demo_url, monkeypatch)
    at.selectbox(key="merge_keep").select("Volodymyr Zelenskyy")
    at.selectbox(key="merge_drop").select("Zelensky Duplicate").run()
    assert at.button(key="merge_go").disabled  # not confirmed yet
    at.checkbox(key="merge_confirm").check().run()
    at.button(key="merge_go").click().run()
    assert not at.exception and not at.error, errors(at)
    assert "Merged Zelensky Duplicate into Volodymyr Zelenskyy: 1 stance(s) moved" in (
        at.success[0].value.replace("\\", "")
    )
    with transaction(engine) as session:
        zelenskyy = get_actor(session, "Volodymyr Zelenskyy")
        moved = session.get(Stance, stance_id)
        assert moved is not None and moved.actor_id == zelenskyy.id
        assert find_actor(session, "Zelensky Duplicate") is zelenskyy  # now an alias
        events = session.scalars(
            select(StanceEvent).where(StanceEvent.stance_id == stance_id).order_by(StanceEvent.id)
        ).all()
        assert [(e.action, e.annotator) for e in events] == [("create", "bob"), ("update", "ana")]
    engine.dispose()
    # The merged-away actor has left every picker; the confirmation is reset.
    assert "Zelensky Duplicate" not in at.selectbox(key="merge_drop").options
    assert at.checkbox(key="merge_confirm").value is False


@pytest.mark.usefixtures("dashboard_env")
def test_the_edit_form_follows_a_merge(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(TAXONOMY, demo_url, monkeypatch)
    at.selectbox(key="edit_actor").select("Volodymyr Zelenskyy").run()
    assert at.selectbox(key="edit_actor_party").value == "Ukraine"
    at.selectbox(key="merge_keep").select("Russia")
    at.selectbox(key="merge_drop").select("Ukraine")
    at.checkbox(key="merge_confirm").check().run()
    at.button(key="merge_go").click().run()
    assert not at.error, errors(at)
    # Ukraine's members moved to Russia: the open form shows it, so saving keeps it.
    assert at.selectbox(key="edit_actor_party").value == "Russia"
    at.button(key="edit_actor_save").click().run()
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        party = get_actor(session, "Volodymyr Zelenskyy").party
        assert party is not None and party.name == "Russia"
    engine.dispose()


@pytest.mark.usefixtures("dashboard_env")
def test_editing_an_issue_label(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(TAXONOMY, demo_url, monkeypatch)
    at.selectbox(key="issue_pick").select("ceasefire-first").run()
    assert at.text_input(key="issue_slug").disabled
    assert at.text_input(key="issue_label_-2").value
    at.text_input(key="issue_label_-2").input("Fighting must stop before any talks")
    at.button(key="issue_save").click().run()
    assert not at.exception and not at.error, errors(at)
    assert "Saved issue ceasefire-first" in at.success[0].value.replace("\\", "")
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        issue = get_issue(session, "ceasefire-first")
        assert issue.label(-2) == "Fighting must stop before any talks"
    engine.dispose()


@pytest.mark.usefixtures("dashboard_env")
def test_adding_an_issue(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(TAXONOMY, db_url, monkeypatch)
    assert at.selectbox(key="issue_pick").value == "(new issue)"
    at.text_input(key="issue_slug").input("Bad Slug")
    at.text_input(key="issue_name").input("Elections")
    at.button(key="issue_save").click().run()
    assert "must be lowercase" in errors(at)
    at.text_input(key="issue_slug").input("elections")
    at.text_input(key="issue_keywords").input("election; vote")
    at.text_input(key="issue_label_2").input("Elections before any deal")
    at.button(key="issue_save").click().run()
    assert not at.error, errors(at)
    assert at.selectbox(key="issue_pick").value == "elections"  # now editing what was added
    engine = make_engine(db_url)
    with transaction(engine) as session:
        issue = get_issue(session, "elections")
        assert (issue.name, issue.keywords) == ("Elections", ["election", "vote"])
        assert issue.label(2) == "Elections before any deal"
        assert issue.label(-2) == "Strongly oppose"  # blank: the standard wording
    engine.dispose()


@pytest.mark.usefixtures("dashboard_env")
def test_history_lists_events_by_analyst(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        record_stance(
            session,
            actor=get_actor(session, "Donald Trump"),
            issue=get_issue(session, "ceasefire-first"),
            source=make_source(session),
            position=1,
            quote="there should be a ceasefire first",
            annotator="bob",
        )
    engine.dispose()
    at = open_page(HISTORY, demo_url, monkeypatch)
    assert at.caption[0].value == "events 1–44 of 44"  # the demo's 43 and bob's
    at.selectbox(key="h_analyst").select("bob").run()
    frame = at.dataframe[0].value
    assert list(frame["annotator"]) == ["bob"]
    assert list(frame["actor"]) == ["Donald Trump"] and list(frame["action"]) == ["create"]
    assert at.caption[0].value == "events 1–1 of 1"
    at.selectbox(key="h_action").select("delete").run()
    assert "No changes match these filters" in at.info[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_history_pages_through_events(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(demo_url)
    with transaction(engine) as session:  # 43 + 120 events: two pages
        stance = session.scalars(select(Stance).order_by(Stance.id)).first()
        assert stance is not None
        for _ in range(120):
            log_event(session, stance.id, StanceAction.ACCEPT, "carol", None, snapshot(stance))
    engine.dispose()
    at = open_page(HISTORY, demo_url, monkeypatch)
    assert at.caption[0].value == "events 1–100 of 163"
    assert len(at.dataframe[0].value) == 100
    at.number_input(key="h_page").set_value(2).run()
    assert at.caption[0].value == "events 101–163 of 163"
    assert len(at.dataframe[0].value) == 63
    at.selectbox(key="h_analyst").select("carol").run()  # new filters: back to page 1
    assert at.caption[0].value == "events 1–100 of 120"


@pytest.mark.usefixtures("dashboard_env")
@pytest.mark.parametrize(
    ("role", "controls"),
    [
        ("viewer", set()),
        ("analyst", {"add_actor_save"}),
        ("reviewer", {"add_actor_save", "merge_go"}),
        ("admin", {"add_actor_save", "edit_actor", "merge_go", "issue_save"}),
    ],
)
def test_each_role_sees_only_the_changes_it_may_make(
    role: str, controls: set[str], demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(TAXONOMY, demo_url, monkeypatch, analyst=f"a-{role}", role=role)
    assert len(at.dataframe) == 2  # every role reads the actors and issues
    keys = {"add_actor_save", "edit_actor", "merge_go", "issue_save"}
    shown = {w.key for w in [*at.button, *at.selectbox] if w.key in keys}
    assert shown == controls
