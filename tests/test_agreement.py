"""Double coding: agreement per issue and per pair of analysts, and settling disagreements."""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from tests.factories import (
    ensure_account,
    make_account,
    make_actor,
    make_issue,
    make_source,
    make_stance,
    sign_in,
)
from tracker.access import Principal
from tracker.agreement import cohen_kappa, measure, settle
from tracker.config import ENV_VAR
from tracker.db import make_engine, transaction
from tracker.double_coding import close_double_coding, list_double_coding, open_double_coding
from tracker.errors import TrackerError
from tracker.models import Role, Stance, StanceEvent

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
# Two readings of the same sentence: a unit is actor x issue x story, not the exact passage.
LONG, SHORT = "there should be a ceasefire first", "a ceasefire first"


def code(
    session: Session,
    coders: dict[str, list[int | None]],
    *,
    assigned: list[str] | None = None,
    close: bool = False,
) -> None:
    """Each analyst's positions on the same units (None: did not code it), on sources put
    into double coding with ``assigned`` analysts (default: every coder)."""
    actor, issue = make_actor(session, "Speaker"), make_issue(session, "topic")
    sources = [make_source(session) for _ in range(len(next(iter(coders.values()))))]
    ids = [s.id for s in sources]
    open_double_coding(session, ids, assigned or list(coders), by="rev")
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
    if close:
        close_double_coding(session, ids, by="rev")


def test_cohen_kappa_matches_the_textbook() -> None:
    # 50 items, yes/no: agreed 20 yes + 15 no; observed 0.7, expected 0.5 → kappa 0.4.
    first = [1] * 25 + [0] * 25
    second = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert cohen_kappa([1, 1], [1, 1]) is None


def test_alpha_per_issue_and_kappa_per_pair(session: Session) -> None:
    # cy coded too without being assigned: what cy left empty is missing, not "no stance".
    coders = {"ana": [2, 1, -2, 0, 1], "bo": [2, 1, -1, 0, 2], "cy": [2, None, -2, 1, 2]}
    code(session, coders, assigned=["ana", "bo"])
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
    assert (pairs[("ana", "bo")].units, pairs[("ana", "bo")].agreed) == (5, 3)
    assert pairs[("ana", "bo")].kappa == pytest.approx(
        cohen_kappa([2, 1, -2, 0, 1], [2, 1, -1, 0, 2]), abs=1e-3
    )
    assert pairs[("ana", "cy")].units == 4
    # Units 3, 4 and 5 split the analysts.
    assert len(found.disagreements) == 3


def test_a_unit_an_assigned_analyst_left_empty_is_a_disagreement(session: Session) -> None:
    """Hand-built: ana and bo both assigned; u1 both +2, u2 ana +1 / bo nothing, u3 ana
    nothing / bo -1. By hand (coincidence matrix): n = 6 values; position counts -1:1, 1:1,
    2:2, "no stance" 2; ordinal distances d(-1,1) = 1, d(-1,2) = 6.25, d(1,2) = 2.25 and
    "no stance" to any position d(-2,+2) = (4 - 1)^2 = 9. Observed sum 4 x 9 = 36, expected
    2 x (1 + 12.5 + 4.5 + 2 x 4 x 9) = 180, alpha = 1 - 5 x 36 / 180 = 0. Kappa over the
    categories 2, 1, -1 and "no stance": observed 1/3, chance 2/9, kappa = 1/7."""
    code(session, {"ana": [2, 1, None], "bo": [2, None, -1]})
    found = measure(session)
    (issue,) = found.issues
    assert (issue.units, issue.coders, issue.alpha) == (3, 2, 0.0)
    (pair,) = found.pairs
    assert (pair.units, pair.agreed, pair.kappa) == (3, 1, round(1 / 7, 3))
    assert sorted(u.missing for u in found.disagreements) == [("ana",), ("bo",)]


def test_left_empty_is_only_missing_for_analysts_not_assigned(session: Session) -> None:
    """The same codings with bo not assigned: what bo left empty says nothing."""
    code(session, {"ana": [2, 1, None], "bo": [2, None, -1]}, assigned=["ana", "cy"])
    found = measure(session)
    (issue,) = found.issues
    # cy (assigned) coded nothing: "no stance" on every unit; ana (assigned) left u3 empty;
    # bo's empty u2 is left out (missing), so the pair ana & bo shares u1 and u3 only.
    assert issue.coders == 3
    assert {p.first + "&" + p.second: p.units for p in found.pairs} == {
        "ana&bo": 2,
        "ana&cy": 3,
        "bo&cy": 2,
    }


def test_settling_a_unit_left_empty(engine: Engine) -> None:
    """ana saw +1, bo saw no stance: the reviewer decides, and the decision is recorded
    even when it keeps the one stance as it was."""
    with transaction(engine) as session:
        code(session, {"ana": [1, 2], "bo": [None, None]})
        units = measure(session).disagreements
        assert len(units) == 2
    with transaction(engine) as session:
        settle(session, units[0].stance_ids, units[0].stance_ids[0], annotator="rev")
        settle(session, units[1].stance_ids, None, annotator="rev")
    with transaction(engine) as session:
        assert measure(session).disagreements == []
        statuses = sorted(s.status for s in session.scalars(select(Stance)))
        assert statuses == ["accepted", "rejected"]
        actions = [e.action for e in session.scalars(select(StanceEvent).order_by(StanceEvent.id))]
        assert actions == ["create", "create", "accept", "reject"]


def test_suggestions_and_sources_not_double_coded_say_nothing(session: Session) -> None:
    # Two analysts on an ordinary source: not double coding, not measured.
    actor, issue, source = make_actor(session), make_issue(session), make_source(session)
    for coder, quote in (("ana", LONG), ("bo", SHORT)):
        make_stance(session, actor=actor, issue=issue, source=source, quote=quote, annotator=coder)
    assert measure(session).issues == [] and measure(session).pairs == []
    # A suggestion on a double-coded source is no coder, and no "no stance" either.
    open_double_coding(session, [source.id], ["ana", "bo"], by="rev")
    make_stance(
        session,
        actor=actor,
        issue=issue,
        source=source,
        quote="ceasefire",
        annotator="suggester (rules)",
        origin="suggestion",
        status="suggested",
    )
    (found,) = measure(session).issues
    assert (found.units, found.coders) == (1, 2)


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
def test_agreement_page_shows_the_figures_settles_and_closes(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction(engine) as session:
        code(session, {"ana": [2, 1, 0], "bo": [2, -1, 0]})
    monkeypatch.setenv(ENV_VAR, db_url)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), db_url)
    at.run()
    at.switch_page("views/agreement.py").run()
    assert not at.exception, [e.value for e in at.exception]
    open_now, issues, pairs = at.dataframe
    assert len(open_now.value) == 3 and set(open_now.value["analysts"]) == {"ana, bo"}
    assert list(issues.value["units"]) == [3]
    assert list(pairs.value["analysts"]) == ["ana & bo"]
    assert "Disagreements (1)" in [h.value for h in at.subheader]
    # Closing is refused while the disagreement is open; nothing changes.
    at.multiselect(key="dc_close").set_value(list(open_now.value["source"])).run()
    at.button(key="dc_close_button").click().run()
    assert "not settled yet" in at.error[0].value
    settle_button = next(b for b in at.button if b.key.startswith("agree_settle_"))
    settle_button.click().run()
    assert not at.exception and not at.error
    assert "the others were rejected" in at.success[0].value
    assert any("agree on every unit" in i.value for i in at.info)
    at.multiselect(key="dc_close").set_value(list(open_now.value["source"])).run()
    at.button(key="dc_close_button").click().run()
    assert not at.exception and not at.error
    assert "Double coding closed" in at.success[0].value
    assert "Sources in double coding (0)" in [h.value for h in at.subheader]
    with transaction(engine) as session:  # closed, still measured
        assert measure(session).issues[0].units == 3


@pytest.mark.usefixtures("dashboard_env")
def test_double_coding_control_starts_double_coding(
    db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction(engine) as session:
        sources = [make_source(session).id for _ in range(2)]
        for name in ("ana", "bo"):
            make_account(session, name)
        make_account(session, "vic", role="viewer")
    monkeypatch.setenv(ENV_VAR, db_url)
    at = sign_in(AppTest.from_file(APP, default_timeout=60), db_url, "rev", "reviewer")
    at.run()
    at.switch_page("views/agreement.py").run()
    assert at.multiselect(key="dc_coders").options == ["ana", "bo", "rev"]  # viewers can't code
    at.text_input(key="dc_sources").input("12x").run()
    at.multiselect(key="dc_coders").set_value(["ana", "bo"]).run()
    at.button(key="dc_open").click().run()
    assert "is not a source id" in at.error[0].value
    with transaction(engine) as session:
        assert list_double_coding(session) == []  # nothing written
    at.text_input(key="dc_sources").input(f"{sources[0]}, {sources[1]}").run()
    at.button(key="dc_open").click().run()
    assert not at.exception and not at.error
    assert "Double coding started" in at.success[0].value
    with transaction(engine) as session:
        found = list_double_coding(session)
        assert sorted(d.source_id for d in found) == sources
        assert {d.coders for d in found} == {("ana", "bo")}
    # An analyst sees no control and no comparison while it is open.
    at = sign_in(AppTest.from_file(APP, default_timeout=60), db_url, "ana", "analyst")
    at.run()
    at.switch_page("views/agreement.py").run()
    assert not at.exception
    assert [b.key for b in at.button] == ["logout"] and not at.text_input


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
def test_tag_page_hides_the_other_analysts_stances_in_double_coding(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, demo_url)
    at = sign_in(AppTest.from_file(str(VIEWS / "tag.py"), default_timeout=60), demo_url, "ana")
    at.run()
    assert at.expander, "the demo's stances are listed"
    engine = make_engine(demo_url)
    try:
        with transaction(engine) as session:
            source = at.selectbox(key="tag_source").value
            open_double_coding(session, [source], ["ana", "bo"], by="rev")
    finally:
        engine.dispose()
    at.run()  # an admin still sees every stance, and is told the source is double-coded
    assert at.expander and "in double coding" in at.info[0].value
    ensure_account(demo_url, "ana", "analyst")
    at.run()
    assert not at.exception
    assert not at.expander  # the seed stances were recorded by someone else
    assert any("None yet" in c.value for c in at.caption)
    assert "see only their own stances" in at.info[0].value
