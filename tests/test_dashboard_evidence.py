"""Evidence on the dashboard (AppTest): tag and correct attribution and conditions, see them
in the review queue with their corroboration."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from tests.factories import sign_in
from tests.test_dashboard_tagging import open_page, source_id_of, stances_quoting
from tracker.actors import create_actor
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction
from tracker.demo import load_demo
from tracker.models import Stance
from tracker.suggest import pick_sources, suggest_sources

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
QUOTE = "He added that Trump ‘expressed his support for that’."


@pytest.mark.usefixtures("dashboard_env")
def test_tagging_a_reported_conditional_stance(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    load_demo(engine, with_stances=False)
    with transaction(engine) as session:
        create_actor(session, "U.S. State Dept. (Foggy_Bottom)", "organisation")
    engine.dispose()
    source = source_id_of(db_url, "Five things we learned")
    at = open_page(db_url, monkeypatch, source)
    at.text_area(key="tag_quote").input(QUOTE).run()
    at.selectbox(key="tag_actor").select("Donald Trump").run()
    at.selectbox(key="tag_issue").select("ceasefire-first").run()
    at.select_slider(key="tag_position").set_value(2).run()
    at.selectbox(key="tag_ev_attribution").select("reported_by_other").run()
    at.button(key="tag_save").click().run()
    assert "needs the actor who reported it" in at.error[0].value  # nothing saved
    assert stances_quoting(db_url, "expressed his support") == []

    # Options are shown as plain text: names appear as written, with no escaping.
    assert "U.S. State Dept. (Foggy_Bottom)" in at.selectbox(key="tag_ev_reporter").options
    at.selectbox(key="tag_ev_reporter").select("Volodymyr Zelenskyy").run()
    at.checkbox(key="tag_ev_conditional").check().run()
    at.text_input(key="tag_ev_condition").input("ceasefire first").run()
    at.selectbox(key="tag_ev_proposal").select("Putin's Alaska proposals").run()
    at.button(key="tag_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (stance,) = stances_quoting(db_url, "expressed his support")
    assert (stance.attribution, stance.conditional, stance.condition) == (
        "reported_by_other",
        True,
        "ceasefire first",
    )
    assert stance.proposal_id is not None
    shown = " ".join(t.value for t in at.text)
    assert "Proposal: Putin's Alaska proposals" in shown
    assert "Evidence: reported by Volodymyr Zelenskyy · conditional: ceasefire first" in shown
    assert "1 independent source" in shown

    # The edit form starts from what is stored and changes it.
    key = f"edit_{stance.id}"
    assert at.selectbox(key=f"{key}_ev_attribution").value == "reported_by_other"
    at.selectbox(key=f"{key}_ev_attribution").select("on_record").run()
    assert at.selectbox(key=f"{key}_ev_proposal").value == "Putin's Alaska proposals"
    at.selectbox(key=f"{key}_ev_proposal").set_value(None).run()
    at.checkbox(key=f"{key}_ev_conditional").uncheck().run()
    at.button(key=f"{key}_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (stance,) = stances_quoting(db_url, "expressed his support")
    assert (stance.attribution, stance.reported_by_id, stance.conditional, stance.condition) == (
        "on_record",
        None,
        False,
        "",
    )
    assert stance.proposal_id is None


@pytest.mark.usefixtures("dashboard_env")
def test_review_queue_shows_and_corrects_the_evidence(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    load_demo(engine, with_stances=False)
    with transaction(engine) as session:
        suggest_sources(session, pick_sources(session, every=True))
        reported = session.scalars(
            select(Stance).where(Stance.attribution == "reported_by_other")
        ).first()
        assert reported is not None
        reported_id = reported.id
    engine.dispose()
    monkeypatch.setenv(ENV_VAR, db_url)
    at = AppTest.from_file(str(VIEWS / "review.py"), default_timeout=60)
    sign_in(at, db_url)
    at.session_state["review_skip"] = _position_in_queue(db_url, reported_id)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(t.value for t in at.text)
    assert "Evidence: reported by" in texts and "independent source" in texts
    key = f"review_{reported_id}"
    at.selectbox(key=f"{key}_ev_attribution").select("paraphrase").run()
    at.button(key=f"{key}_accept").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    with transaction(make_engine(db_url)) as session:
        stance = session.get_one(Stance, reported_id)
        assert (stance.status, stance.attribution, stance.reported_by_id) == (
            "accepted",
            "paraphrase",
            None,
        )


def _position_in_queue(url: str, stance_id: int) -> int:
    from tracker.review import next_suggestions

    with transaction(make_engine(url)) as session:
        queue = next_suggestions(session, limit=1000)
    return [item["stance_id"] for item in queue].index(stance_id)
