"""Double coding: agreement per issue and per pair of analysts, and settling disagreements."""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from tests.factories import make_actor, make_issue, make_source, make_stance, sign_in
from tracker.access import Principal
from tracker.agreement import cohen_kappa, measure, settle
from tracker.config import ENV_VAR
from tracker.db import transaction
from tracker.errors import TrackerError
from tracker.models import Role, Stance, StanceEvent

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
# Two readings of the same sentence: a unit is actor x issue x story, not the exact passage.
LONG, SHORT = "there should be a ceasefire first", "a ceasefire first"


def code(session: Session, coders: dict[str, list[int | None]]) -> None:
    """Each analyst's positions on the same units (None: did not code it)."""
    actor, issue = make_actor(session, "Speaker"), make_issue(session, "topic")
    sources = [make_source(session) for _ in range(len(next(iter(coders.values()))))]
    for n, (coder, positions) in enumerate(coders.items()):
        for source, position in zip(sources, positions, strict=True):
            if position is not None:
                make_stance(
                    session,
                    actor=actor,
                    issue=issue,
                    source=source,
                    position=position,
                    quote=[LONG, SHORT, "ceasefire"][n],
                    annotator=coder,
                )


def test_cohen_kappa_matches_the_textbook() -> None:
    # 50 items, yes/no: agreed 20 yes + 15 no; observed 0.7, expected 0.5 → kappa 0.4.
    first = [1] * 25 + [0] * 25
    second = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert cohen_kappa([1, 1], [1, 1]) is None


def test_alpha_per_issue_and_kappa_per_pair(session: Session) -> None:
    coders = {"ana": [2, 1, -2, 0, None], "bo": [2, 1, -1, 0, 2], "cy": [2, None, -2, 1, 2]}
    code(session, coders)
    found = measure(session)
    (issue,) = found.issues
    expected = krippendorff.alpha(
        reliability_data=np.array(
            [[np.nan if v is None else v for v in row] for row in coders.values()], dtype=float
        ),
        level_of_measurement="ordinal",
        value_domain=[-2, -1, 0, 1, 2],
    )
    assert (issue.issue, issue.units, issue.coders) == ("topic", 5, 3)
    assert issue.alpha == pytest.approx(round(expected, 3))
    pairs = {(p.first, p.second): p for p in found.pairs}
    assert (pairs[("ana", "bo")].units, pairs[("ana", "bo")].agreed) == (4, 3)
    assert pairs[("ana", "bo")].kappa == pytest.approx(
        cohen_kappa([2, 1, -2, 0], [2, 1, -1, 0]), abs=1e-3
    )
    # Units 3 and 4 split the analysts.
    assert len(found.disagreements) == 2


def test_suggestions_and_single_coders_say_nothing_about_agreement(session: Session) -> None:
    code(session, {"ana": [2, 1]})
    make_stance(session, annotator="suggester (rules)", origin="suggestion", status="suggested")
    assert measure(session).issues == [] and measure(session).pairs == []


def test_settling_keeps_one_stance_and_both_in_the_history(engine: Engine) -> None:
    with transaction(engine) as session:
        code(session, {"ana": [2], "bo": [-1]})
        (unit,) = measure(session).disagreements
        ids = [c.stance_id for cs in unit.by_coder.values() for c in cs]
    keep = ids[1]
    with pytest.raises(TrackerError, match="analysts cannot settle disagreements"):
        with transaction(engine, Principal("ana", Role.ANALYST, 1)) as session:
            settle(session, ids, keep, annotator="ana")
    with pytest.raises(TrackerError, match="not one of the disagreeing"):
        with transaction(engine) as session:
            settle(session, ids, 999, annotator="rev")
    with transaction(engine) as session:
        settle(session, ids, keep, annotator="rev")
    with transaction(engine) as session:
        statuses = {s.id: s.status for s in session.scalars(select(Stance))}
        assert statuses == {ids[0]: "rejected", keep: "accepted"}
        actions = [e.action for e in session.scalars(select(StanceEvent).order_by(StanceEvent.id))]
        assert actions == ["create", "create", "reject"]  # the kept one was already accepted


@pytest.mark.usefixtures("dashboard_env")
def test_agreement_page_shows_the_figures_and_settles(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction(engine) as session:
        code(session, {"ana": [2, 1, 0], "bo": [2, -1, 0]})
    monkeypatch.setenv(ENV_VAR, db_url)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), db_url)
    at.run()
    at.switch_page("views/agreement.py").run()
    assert not at.exception, [e.value for e in at.exception]
    issues, pairs = at.dataframe
    assert list(issues.value["units"]) == [3]
    assert list(pairs.value["analysts"]) == ["ana & bo"]
    assert "Disagreements (1)" in [h.value for h in at.subheader]
    at.button(key=at.button[0].key).click().run()
    assert not at.exception and not at.error
    assert "the others were rejected" in at.success[0].value
    assert "Disagreements" not in " ".join(h.value for h in at.subheader) or any(
        "agree on every unit" in i.value for i in at.info
    )


@pytest.mark.usefixtures("dashboard_env")
def test_agreement_page_without_double_coding_says_what_to_do(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, db_url)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), db_url)
    at.run()
    at.switch_page("views/agreement.py").run()
    assert not at.exception
    assert "two analysts" in at.info[0].value


@pytest.mark.usefixtures("dashboard_env")
def test_double_coding_hides_the_other_analysts_stances(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, demo_url)
    at = sign_in(AppTest.from_file(str(VIEWS / "tag.py"), default_timeout=60), demo_url)
    at.run()
    assert at.expander, "the demo's stances are listed"
    at.toggle(key="tag_blind").set_value(True).run()
    assert not at.exception
    assert not at.expander  # the seed stances were recorded by someone else
    assert any("None yet" in c.value for c in at.caption)
