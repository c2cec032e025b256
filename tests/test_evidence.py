"""Evidence on stances: attribution (and who reported it), conditions, corroboration."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.factories import make_actor, make_issue, make_source, make_stance
from tracker.actor_merge import merge_actors
from tracker.charts import timeline_chart
from tracker.db import transaction
from tracker.demo import load_demo
from tracker.errors import TrackerError
from tracker.evidence import evidence_text
from tracker.models import PositionDay, Stance, StanceEvent
from tracker.report import build_report, week_period
from tracker.report_render import render_html, render_markdown
from tracker.sources import mark_duplicate
from tracker.stance_csv import export_stances
from tracker.stance_import import import_stances
from tracker.stance_query import COLUMNS, StanceFilter, stance_records
from tracker.stances import StanceChanges, get_stance, update_stance
from tracker.timelines import SeriesFilter, day_positions, is_stored, shifts, with_corroboration

NEW_COLUMNS = ["attribution", "reported_by", "conditional", "condition", "corroboration"]
ALL_NEW = [*NEW_COLUMNS, "proposal"]


def test_new_csv_columns_come_after_updated_at_in_the_issues_order() -> None:
    assert list(COLUMNS[COLUMNS.index("updated_at") + 1 :]) == ALL_NEW


def test_attribution_and_condition_are_saved_and_in_the_history(session: Session) -> None:
    trump, zelensky = make_actor(session, "Trump"), make_actor(session, "Zelensky")
    stance = make_stance(
        session,
        actor=trump,
        attribution="reported_by_other",
        reported_by=zelensky,
        conditional=True,
        condition="  ceasefire first, then security guarantees ",
    )
    assert stance.reported_by_id == zelensky.id
    assert stance.condition == "ceasefire first, then security guarantees"
    created = session.scalars(select(StanceEvent).where(StanceEvent.stance_id == stance.id)).one()
    assert created.after is not None
    assert created.after["attribution"] == "reported_by_other"
    assert created.after["reported_by"] == "Zelensky"
    assert created.after["conditional"] is True
    assert created.after["condition"] == "ceasefire first, then security guarantees"

    update_stance(
        session,
        stance.id,
        StanceChanges(attribution="on_record", conditional=False),
        annotator="ana",
        expected_version=1,
    )
    assert (stance.attribution, stance.reported_by_id, stance.conditional, stance.condition) == (
        "on_record",
        None,
        False,
        "",
    )
    events = session.scalars(
        select(StanceEvent).where(StanceEvent.stance_id == stance.id).order_by(StanceEvent.id)
    ).all()
    assert events[-1].before and events[-1].after
    assert events[-1].before["reported_by"] == "Zelensky"
    assert events[-1].after["attribution"] == "on_record"
    assert events[-1].after["condition"] == ""


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"attribution": "hearsay"}, "unknown attribution 'hearsay'"),
        ({"attribution": "reported_by_other"}, "needs the actor who reported it"),
        ({"attribution": "on_record", "reported_by": "other"}, "only when the attribution"),
        ({"attribution": "reported_by_other", "reported_by": "self"}, "reporting its own"),
        ({"conditional": True}, "needs its condition"),
        ({"conditional": True, "condition": "   "}, "needs its condition"),
        ({"condition": "if Russia agrees"}, "not marked conditional"),
    ],
)
def test_bad_evidence_is_refused_with_one_line_and_nothing_saved(
    engine: Engine, kwargs: dict[str, object], message: str
) -> None:
    with transaction(engine) as session:
        actor, other = make_actor(session, "Actor A"), make_actor(session, "Actor B")
        issue, source = make_issue(session), make_source(session)
    given = dict(kwargs)
    with pytest.raises(TrackerError, match=message), transaction(engine) as session:
        if given.get("reported_by") == "other":
            given["reported_by"] = session.merge(other)
        elif given.get("reported_by") == "self":
            given["reported_by"] = session.merge(actor)
        make_stance(
            session,
            actor=session.merge(actor),
            issue=session.merge(issue),
            source=session.merge(source),
            **given,
        )
    with transaction(engine) as session:
        assert session.scalars(select(Stance)).all() == []


def test_a_refused_edit_leaves_the_stance_as_it_was(session: Session) -> None:
    stance = make_stance(session, attribution="paraphrase")
    with pytest.raises(TrackerError, match="needs the actor"):
        update_stance(
            session,
            stance.id,
            StanceChanges(attribution="reported_by_other", position=-1),
            annotator="ana",
            expected_version=1,
        )
    assert (stance.attribution, stance.position, stance.version) == ("paraphrase", 2, 1)


def test_merging_the_reporter_moves_the_report(session: Session) -> None:
    trump, zelensky = make_actor(session, "Trump"), make_actor(session, "Zelensky")
    spelling = make_actor(session, "Zelenskiy")
    stance = make_stance(
        session, actor=trump, attribution="reported_by_other", reported_by=spelling
    )
    own = make_stance(
        session, actor=zelensky, attribution="reported_by_other", reported_by=spelling
    )
    merge_actors(session, zelensky, spelling, annotator="ana")
    assert stance.reported_by_id == zelensky.id
    # Zelensky reporting his own view is a paraphrase of it, not someone else's report.
    assert (own.attribution, own.reported_by_id) == ("paraphrase", None)


def _exported(session: Session) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    export_stances(session, StanceFilter(), out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_corroboration_counts_independent_stories_within_the_window(session: Session) -> None:
    actor, issue = make_actor(session), make_issue(session)
    first = make_source(session, published_on=dt.date(2025, 8, 13))
    rewrite = make_source(session, published_on=dt.date(2025, 8, 13))
    mark_duplicate(session, rewrite, first)
    other = make_source(session, published_on=dt.date(2025, 8, 18))
    far = make_source(session, published_on=dt.date(2025, 9, 30))
    against = make_source(session, published_on=dt.date(2025, 8, 14))
    base = make_stance(session, actor=actor, issue=issue, source=first, position=2)
    make_stance(session, actor=actor, issue=issue, source=rewrite, position=1)  # same story
    make_stance(session, actor=actor, issue=issue, source=other, position=1)  # 5 days later
    make_stance(session, actor=actor, issue=issue, source=far, position=2)  # outside ±7
    make_stance(session, actor=actor, issue=issue, source=against, position=-2)  # other sign
    make_stance(
        session, actor=make_actor(session), issue=issue, source=other, position=2
    )  # another actor
    pending = make_stance(
        session, actor=actor, issue=issue, source=make_source(session), position=2,
        status="suggested",
    )  # fmt: skip
    counts = {r["stance_id"]: r["corroboration"] for r in stance_records(session, StanceFilter())}
    assert counts[base.id] == 2  # its story and the one five days later
    assert counts[pending.id] == 3  # a suggestion counts itself, and the accepted ones
    rows = {int(r["stance_id"]): r for r in _exported(session)}
    assert rows[base.id]["corroboration"] == "2"


def test_corroboration_window_is_configurable(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor, issue = make_actor(session), make_issue(session)
    base = make_stance(session, actor=actor, issue=issue, source=make_source(session), position=2)
    make_stance(
        session,
        actor=actor,
        issue=issue,
        source=make_source(session, published_on=dt.date(2025, 8, 25)),
        position=2,
    )
    monkeypatch.setenv("TRACKER_CORROBORATION_DAYS", "14")
    counts = {r["stance_id"]: r["corroboration"] for r in stance_records(session, StanceFilter())}
    assert counts[base.id] == 2
    monkeypatch.setenv("TRACKER_CORROBORATION_DAYS", "soon")
    with pytest.raises(TrackerError, match="not a whole number"):
        stance_records(session, StanceFilter())


def _write(tmp_path: object, header: list[str], rows: list[list[str]]) -> str:
    path = f"{tmp_path}/stances.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_import_reads_evidence_and_old_files_leave_it_alone(
    engine: Engine, tmp_path: object
) -> None:
    with transaction(engine) as session:
        make_actor(session, "Trump")
        make_actor(session, "Zelensky")
        make_issue(session, "ceasefire-first")
        source_id = make_source(session).id
    header = ["actor", "issue", "stated_on", "position", "quote", "source_id"]
    row = ["Trump", "ceasefire-first", "2025-08-13", "2", "a ceasefire first", str(source_id)]
    path = _write(
        tmp_path,
        [*header, *NEW_COLUMNS],
        [[*row, "reported_by_other", "zelensky", "true", "if Putin agrees", "99"]],
    )
    assert import_stances(engine, path).created == 1
    with transaction(engine) as session:
        stance = session.scalars(select(Stance)).one()
        assert stance.attribution == "reported_by_other"
        assert stance.reported_by is not None and stance.reported_by.name == "Zelensky"
        assert (stance.conditional, stance.condition) == (True, "if Putin agrees")
        event = session.scalars(select(StanceEvent)).one()
        assert event.after and event.after["reported_by"] == "Zelensky"
        exported = _exported(session)
    assert [exported[0][c] for c in NEW_COLUMNS] == [
        "reported_by_other",
        "Zelensky",
        "true",
        "if Putin agrees",
        "1",  # computed here, not read from the file
    ]
    # A file from before these columns existed changes nothing of them.
    old = _write(tmp_path, [*header, "note"], [[*row, "reread"]])
    report = import_stances(engine, old)
    assert (report.updated, report.created) == (1, 0)
    with transaction(engine) as session:
        stance = get_stance(session, stance.id)
        assert (stance.note, stance.attribution, stance.condition) == (
            "reread",
            "reported_by_other",
            "if Putin agrees",
        )


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        (["hearsay", "", "", ""], "column attribution: unknown attribution 'hearsay'"),
        (["reported_by_other", "", "", ""], "column attribution: attribution reported_by_other"),
        (["reported_by_other", "Nobody", "", ""], "column reported_by: unknown actor 'Nobody'"),
        (["on_record", "", "maybe", ""], "column conditional: 'maybe' is not true or false"),
        (["on_record", "", "true", ""], "column condition: a conditional stance needs"),
        (["on_record", "", "false", "if"], "column condition: a condition was given"),
    ],
)
def test_bad_evidence_cells_are_named_and_nothing_is_imported(
    engine: Engine, tmp_path: object, cells: list[str], problem: str
) -> None:
    with transaction(engine) as session:
        make_actor(session, "Trump")
        make_issue(session, "ceasefire-first")
        source_id = make_source(session).id
    path = _write(
        tmp_path,
        ["actor", "issue", "stated_on", "position", "quote", "source_id", *NEW_COLUMNS[:4]],
        [
            ["Trump", "ceasefire-first", "2025-08-13", "2", "a ceasefire first", str(source_id)]
            + cells
        ],
    )
    with pytest.raises(TrackerError, match=f"row 2, {problem}"):
        import_stances(engine, path)
    with transaction(engine) as session:
        assert session.scalars(select(Stance)).all() == []


def test_timelines_can_leave_out_weaker_attributions_on_the_fly(session: Session) -> None:
    actor, issue = make_actor(session, "Speaker"), make_issue(session, "topic")
    make_stance(
        session,
        actor=actor,
        issue=issue,
        source=make_source(session, published_on=dt.date(2025, 8, 11)),
        position=2,
        attribution="on_record",
    )
    make_stance(
        session,
        actor=actor,
        issue=issue,
        source=make_source(session, published_on=dt.date(2025, 8, 12)),
        position=-2,
        attribution="anonymous_source",
    )
    make_stance(
        session,
        actor=actor,
        issue=issue,
        source=make_source(session, published_on=dt.date(2025, 8, 13)),
        position=1,
    )  # attribution not recorded
    everything = SeriesFilter(issue="topic")
    strong = SeriesFilter(issue="topic", attributions=("on_record", "paraphrase"))
    assert is_stored(everything) and not is_stored(strong)
    assert [p.position for p in day_positions(session, everything)] == [2.0, -2.0, 1.0]
    assert [p.position for p in day_positions(session, strong)] == [2.0]
    assert len(shifts(session, everything)) == 2 and shifts(session, strong) == []
    # The stored table keeps the default counting: every attribution.
    assert len(session.scalars(select(PositionDay)).all()) == 3


def test_timeline_points_carry_their_evidence_and_conditional_ones_are_hollow(
    session: Session,
) -> None:
    actor, issue = make_actor(session, "Speaker"), make_issue(session, "topic")
    make_stance(
        session,
        actor=actor,
        issue=issue,
        position=2,
        attribution="on_record",
        conditional=True,
        condition="ceasefire first",
    )
    (point,) = day_positions(session, SeriesFilter(issue="topic"))
    assert point.corroboration is None  # counted for the points a view shows, on request
    (point,) = with_corroboration(session, [point])
    assert (point.attribution, point.conditional, point.condition, point.corroboration) == (
        "on_record",
        True,
        "ceasefire first",
        1,
    )
    spec = timeline_chart([point], [], issue.labels(), title="Topic").to_dict()
    layers = {layer.get("name"): layer for layer in spec["layer"]}
    assert layers["conditional-stances"]["mark"]["filled"] is False
    filled = spec["datasets"][layers["stances"]["data"]["name"]]
    assert filled == []  # the one point is drawn hollow only
    data = json.dumps(spec["datasets"])
    assert "conditional: ceasefire first" in data and "on record" in data


def test_timeline_tooltips_name_the_reporter_and_the_condition_stored_or_filtered(
    session: Session,
) -> None:
    trump, zelensky = make_actor(session, "Trump"), make_actor(session, "Zelensky")
    make_stance(
        session,
        actor=trump,
        issue=make_issue(session, "ceasefire-first"),
        attribution="reported_by_other",
        reported_by=zelensky,
        conditional=True,
        condition="security guarantees",
    )
    stored = SeriesFilter(issue="ceasefire-first")
    on_the_fly = SeriesFilter(issue="ceasefire-first", min_confidence=0.5)
    for flt in (stored, on_the_fly):
        (point,) = day_positions(session, flt)
        assert evidence_text(point) == "reported by Zelensky · conditional: security guarantees"
        # A bool, as the chart's hollow marks and the JSON export expect, not SQLite's 1.
        assert point.conditional is True and point.stances == 1


def test_the_demo_records_attribution_conditions_and_reporters(
    demo_url: str, engine: Engine
) -> None:
    with transaction(engine) as session:
        records = stance_records(session, StanceFilter())
    assert len(records) == 43 and all(r["attribution"] for r in records)
    by_quote = {(r["actor"], r["issue"], r["quote"][:40]): r for r in records}
    zelensky = by_quote[
        ("Volodymyr Zelenskyy", "security-guarantees", "‘there should be a ceasefire first, then")
    ]
    assert zelensky["attribution"] == "on_record"
    assert (zelensky["conditional"], zelensky["condition"]) == (
        True,
        "ceasefire first, then security guarantees",
    )
    trump = by_quote[
        ("Donald Trump", "ceasefire-first", "He added that Trump ‘expressed his suppo")
    ]
    assert (trump["attribution"], trump["reported_by"]) == (
        "reported_by_other",
        "Volodymyr Zelenskyy",
    )
    kinds = {r["attribution"] for r in records}
    assert kinds == {"on_record", "paraphrase", "anonymous_source", "reported_by_other"}
    # Zelenskyy's ceasefire-first stance of 13 Aug is backed by two stories that week.
    assert max(r["corroboration"] for r in records) >= 2


def test_the_report_says_how_each_stance_reached_us(demo_url: str, engine: Engine) -> None:
    with transaction(engine) as session:
        week33 = build_report(session, week_period("2025-W33"))
        week34 = build_report(session, week_period("2025-W34"))
    markdown = re.sub(r"\\(.)", r"\1", render_markdown(week33))
    assert "on record (own words) · conditional: ceasefire first, then security guarantees" in (
        markdown
    )
    assert "reported by Volodymyr Zelenskyy · 1 independent source" in markdown
    html = render_html(week33, charts=False)
    assert "conditional: ceasefire first, then security guarantees" in html
    # Each shift's evidence, before and after.
    shift = next(s for s in week34.shifts if s.actor == "Donald Trump")
    assert shift.before["evidence"] == "reported by Volodymyr Zelenskyy · 1 independent source"
    assert "Evidence: reported by Volodymyr Zelenskyy" in render_html(week34, charts=False)


def test_an_older_demo_database_gets_the_seeds_evidence(demo_url: str, engine: Engine) -> None:
    """A demo loaded before attribution existed: loading it again fills it in, as edits."""
    with transaction(engine) as session:
        for stance in session.scalars(select(Stance)):
            stance.attribution, stance.reported_by = None, None
            stance.conditional, stance.condition, stance.proposal = False, "", None
    load_demo(engine)
    with transaction(engine) as session:
        records = stance_records(session, StanceFilter())
        assert all(r["attribution"] for r in records)
        assert sum(r["conditional"] for r in records) == 5
        assert sum(bool(r["proposal"]) for r in records) == 2
        edits = session.scalars(select(StanceEvent).where(StanceEvent.action == "update")).all()
        assert len(edits) == len(records)
    load_demo(engine)  # and a third time changes nothing
    with transaction(engine) as session:
        assert len(session.scalars(select(StanceEvent)).all()) == 2 * len(records)
