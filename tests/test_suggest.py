"""Stance suggestions: who said what on which issue, saved for review and never over an
analyst's work; `tracker suggest` and its evaluation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tracker.actors import import_actors, read_actor_csv
from tracker.cli import app
from tracker.db import make_engine, transaction
from tracker.issues import get_issue, import_issues, read_issue_csv
from tracker.models import Source, Stance, StanceEvent
from tracker.review import next_suggestions
from tracker.sources import add_source, mark_duplicate
from tracker.stances import record_stance
from tracker.suggest import Taxonomy, suggest_sources, suggest_text

RIVER = Path(__file__).resolve().parent.parent / "seeds" / "eval" / "river-treaty"
runner = CliRunner()


def load_river(session: Session) -> None:
    """The invented Saravan river negotiation: its own actors and taxonomy."""
    import_issues(session, read_issue_csv(RIVER / "issues.csv"))
    import_actors(session, read_actor_csv(RIVER / "actors.csv"))


def read(
    session: Session, text: str, published: dt.date = dt.date(2026, 3, 12)
) -> set[tuple[str, str, int]]:
    """(actor, issue slug, sign) of what the suggester proposes for ``text``."""
    tax = Taxonomy.from_database(session)
    return {
        (tax.names[s.actor_id], tax.issues[s.issue_id].slug, (s.position > 0) - (s.position < 0))
        for s in suggest_text(text, published, tax)
    }


@pytest.fixture
def river(session: Session) -> Session:
    load_river(session)
    session.flush()
    return session


def test_direct_quote_is_credited_to_the_speaker_after_it(river: Session) -> None:
    text = '"We will not pause the filling of the reservoir for anyone," Vass told reporters.'
    assert read(river, text) == {("Teodor Vass", "filling-pause", -1)}


def test_reported_speech_and_ministries(river: Session) -> None:
    text = (
        "Prime Minister Dorin Kask said Veloria must halt the filling of the reservoir.\n"
        "The Velorian Water Ministry ruled out a joint commission with binding powers.\n"
    )
    assert read(river, text) == {
        ("Dorin Kask", "filling-pause", 1),
        ("Velorian Water Ministry", "river-commission", -1),
    }


def test_pronoun_is_the_last_person_named_in_the_paragraph(river: Session) -> None:
    text = (
        "Lena Morava arrived in Lindau on Monday. She said a binding minimum flow was a "
        "matter of survival.\n"
    )
    assert read(river, text) == {("Lena Morava", "minimum-flow", 1)}


def test_reported_view_of_another_actor(river: Session) -> None:
    text = (
        "Ms Okoye said the Union backed a binding arbitration clause.\n"
        "Marant added that Kask supported arbitration.\n"
    )
    found = read(river, text)
    assert ("Dorin Kask", "arbitration", 1) in found
    assert ("Ilse Marant", "arbitration", 1) not in found


def test_negation_and_refusal_turn_the_position(river: Session) -> None:
    assert read(river, "Veloria rejected arbitration by an international court.") == {
        ("Veloria", "arbitration", -1)
    }
    assert read(river, "Veloria will never accept arbitration.") == {("Veloria", "arbitration", -1)}
    assert read(river, "Ostrany insists on arbitration.") == {("Ostrany", "arbitration", 1)}


def test_a_condition_is_nobody_s_position(river: Session) -> None:
    text = "Kask said Ostrany would sue if Veloria does not halt the filling of the reservoir."
    assert ("Dorin Kask", "filling-pause", -1) not in read(river, text)


def test_no_actor_or_no_issue_means_no_suggestion(river: Session) -> None:
    assert read(river, "Analysts say arbitration is rarely fast.") == set()
    assert read(river, "Marant said the weather was fine.") == set()


def test_relative_dates_resolve_against_publication(river: Session) -> None:
    tax = Taxonomy.from_database(river)
    text = "Ostrany's Foreign Ministry said on Tuesday that it backed arbitration."
    (suggestion,) = suggest_text(text, dt.date(2026, 3, 12), tax)  # a Thursday
    assert suggestion.stated_on == dt.date(2026, 3, 10)
    assert "'on Tuesday' → 2026-03-10" in suggestion.note


def test_another_taxonomy_needs_no_code(session: Session) -> None:
    """The issues come from the database: the seeds' war taxonomy finds nothing in a river
    dispute, the river taxonomy does."""
    from tracker.demo import load_demo

    text = "Ostrany insists on arbitration. Veloria rejected arbitration."
    assert read(session, text) == set()
    load_river(session)
    session.flush()
    assert read(session, text) == {("Ostrany", "arbitration", 1), ("Veloria", "arbitration", -1)}
    assert load_demo  # the seed taxonomy is tested end to end below


def _source(session: Session, text: str) -> Source:
    return add_source(session, text, title="Saravan talks", published_on=dt.date(2026, 3, 12))


ARTICLE = (
    "Ostranian Prime Minister Dorin Kask said Veloria must halt the filling of the "
    "reservoir until a treaty is signed.\n"
    "Velorian Water Minister Teodor Vass rejected the demand to pause the filling.\n"
)


def test_suggestions_are_saved_for_review_with_their_reasons(river: Session) -> None:
    source = _source(river, ARTICLE)
    (outcome,) = suggest_sources(river, [source])
    assert len(outcome.created) == 2
    for stance in outcome.created:
        assert (stance.status, stance.origin) == ("suggested", "suggestion")
        assert source.text[stance.quote_start : stance.quote_end] == stance.quote
        assert "cue '" in stance.note and "actor:" in stance.note
        assert 0 < stance.confidence < 1
    queue = next_suggestions(river, limit=10)
    assert {item["actor"] for item in queue} == {"Dorin Kask", "Teodor Vass"}
    assert river.scalar(select(func.count()).select_from(StanceEvent)) == 2


def test_second_run_creates_nothing(river: Session) -> None:
    source = _source(river, ARTICLE)
    suggest_sources(river, [source])
    before = river.scalar(select(func.count()).select_from(Stance))
    (again,) = suggest_sources(river, [source])
    assert again.created == [] and again.existing == 2
    assert river.scalar(select(func.count()).select_from(Stance)) == before


def test_an_analyst_stance_on_the_passage_is_left_alone(river: Session) -> None:
    source = _source(river, ARTICLE)
    quote = "Dorin Kask said Veloria must halt the filling"
    from tracker.actors import get_actor

    analyst = record_stance(
        river,
        actor=get_actor(river, "Dorin Kask"),
        issue=get_issue(river, "filling-pause"),
        source=source,
        position=1,
        quote=quote,
        annotator="ana",
    )
    (outcome,) = suggest_sources(river, [source])
    assert [s.actor.name for s in outcome.created] == ["Teodor Vass"]
    river.refresh(analyst)
    assert (analyst.position, analyst.version, analyst.status) == (1, 1, "accepted")
    assert analyst.annotator == "ana"


def test_a_source_without_a_date_is_skipped(river: Session) -> None:
    source = add_source(river, ARTICLE, title="undated", published_on=None)
    (outcome,) = suggest_sources(river, [source])
    assert outcome.created == [] and "no publication date" in outcome.skipped


# --- the command ---------------------------------------------------------------------------


def tracker(db: str, *args: str) -> Result:
    return runner.invoke(app, ["--db", db, *args])


def stance_count(db: str) -> int:
    engine = make_engine(db)
    with transaction(engine) as session:
        count = session.scalar(select(func.count()).select_from(Stance)) or 0
    engine.dispose()
    return count


def assert_user_error(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_suggests_then_finds_nothing_new(demo_url: str) -> None:
    before = stance_count(demo_url)
    first = tracker(demo_url, "suggest", "--all", "--json")
    assert first.exit_code == 0, first.output
    records = json.loads(first.stdout)
    created = sum(len(r["suggested"]) for r in records)
    assert stance_count(demo_url) == before + created
    # the rewrite of a stored story (seed 000) is not read again
    assert all("presses Trump" not in r["title"] for r in records)
    second = tracker(demo_url, "suggest", "--all")
    assert second.exit_code == 0, second.output
    assert "0 suggestions wait" in second.stdout
    assert stance_count(demo_url) == before + created


def test_cli_rewrite_given_by_id_is_read(db_url: str) -> None:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        load_river(session)
        original = _source(session, ARTICLE)
        copy = _source(session, ARTICLE + "Talks resume in May.\n")
        mark_duplicate(session, copy, original)
        copy_id = copy.id
    engine.dispose()
    assert "presses" not in tracker(db_url, "suggest", "--all").stdout
    result = tracker(db_url, "suggest", "--source", str(copy_id))
    assert result.exit_code == 0 and "2 suggested" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "999"], "no source with id 999"),
        (["--since", "last tuesday"], "--since 'last tuesday' is not a date"),
        (["--source", "1", "--all"], "not both"),
        ([], "say which sources"),
    ],
)
def test_cli_bad_input_writes_nothing(demo_url: str, args: list[str], message: str) -> None:
    before = stance_count(demo_url)
    assert_user_error(tracker(demo_url, "suggest", *args), message)
    assert stance_count(demo_url) == before


def test_cli_evaluate_on_the_seeds(demo_url: str) -> None:
    """The aim of issue 8 on the hand-read seed stances, checked on every run."""
    gold = Path(__file__).resolve().parent.parent / "seeds" / "stances.csv"
    result = tracker(demo_url, "suggest", "--all", "--evaluate", str(gold), "--json")
    assert result.exit_code == 0, result.output
    rows = {r["issue"]: r for r in json.loads(result.stdout)}
    assert set(rows) >= {"ceasefire-first", "land-swaps", "all issues"}
    assert rows["all issues"]["precision"] >= 0.8
    assert rows["all issues"]["recall"] >= 0.7
    text = tracker(demo_url, "suggest", "--all", "--evaluate", str(gold)).stdout
    assert "precision" in text and "all issues" in text


def test_cli_evaluate_refuses_an_unknown_actor(demo_url: str, tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text("actor,issue,position,quote\nNobody,land-swaps,1,Trump\n", encoding="utf-8")
    assert_user_error(tracker(demo_url, "suggest", "--all", "--evaluate", str(gold)), "row 2")


def test_ingesting_with_suggest_fills_the_review_queue(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sources add --suggest` (or the team setting) proposes stances for each new story;
    without it, ingesting writes no stance."""
    engine = make_engine(db_url)
    with transaction(engine) as session:
        load_river(session)
    engine.dispose()
    first, second = sorted((RIVER / "articles").iterdir())[:2]
    plain = tracker(db_url, "sources", "add", str(first), "--published", "2026-03-12", "--json")
    assert plain.exit_code == 0, plain.output
    assert json.loads(plain.stdout)[0]["suggested"] == 0 and stance_count(db_url) == 0
    monkeypatch.setenv("TRACKER_SUGGEST_ON_INGEST", "1")
    suggested = tracker(
        db_url, "sources", "add", str(second), "--published", "2026-03-14", "--json"
    )
    assert suggested.exit_code == 0, suggested.output
    (record,) = json.loads(suggested.stdout)
    assert record["suggested"] > 0 and "suggested for the review queue" in record["message"]
    assert stance_count(db_url) == record["suggested"]
    engine = make_engine(db_url)
    with transaction(engine) as session:
        statuses = set(session.scalars(select(Stance.status)))
    engine.dispose()
    assert statuses == {"suggested"}


def _attributions(session: Session, text: str) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(actor, issue slug) -> (attribution, reporting actor) of each suggestion."""
    tax = Taxonomy.from_database(session)
    return {
        (tax.names[s.actor_id], tax.issues[s.issue_id].slug): (
            s.attribution,
            tax.names[s.reported_by_id] if s.reported_by_id else None,
        )
        for s in suggest_text(text, dt.date(2026, 3, 12), tax)
    }


def test_suggestions_say_how_the_position_reached_us(river: Session) -> None:
    found = _attributions(
        river,
        '"We will not pause the filling of the reservoir for anyone," Vass told reporters.\n'
        "Prime Minister Dorin Kask said Veloria must halt the filling of the reservoir.\n"
        "Marant added that Kask supported arbitration.\n"
        "Veloria rejected a river commission with binding powers, two officials said.\n",
    )
    assert found[("Teodor Vass", "filling-pause")] == ("on_record", None)  # direct speech
    assert found[("Dorin Kask", "filling-pause")] == ("paraphrase", None)  # reported speech
    assert found[("Dorin Kask", "arbitration")] == ("reported_by_other", "Ilse Marant")
    assert found[("Veloria", "river-commission")] == ("anonymous_source", None)


def test_a_source_inside_an_actor_is_an_anonymous_source(river: Session) -> None:
    """ "a source in the ministry said": the ministry's view, but not on the record, even
    in quotation marks."""
    for text in (
        '"We will not pause the filling of the reservoir for anyone," a source in the '
        "Velorian Water Ministry said.",
        "The Velorian Water Ministry will not pause the filling of the reservoir, officials "
        "close to the Velorian Water Ministry said.",
    ):
        found = _attributions(river, text)
        assert found[("Velorian Water Ministry", "filling-pause")] == ("anonymous_source", None)
    quoted = _attributions(
        river,
        '"We will not pause the filling of the reservoir for anyone," the Velorian Water '
        "Ministry said.",
    )
    assert quoted[("Velorian Water Ministry", "filling-pause")] == ("on_record", None)


def test_saved_suggestions_keep_the_reporting_actor(river: Session) -> None:
    source = _source(river, "Marant added that Kask supported arbitration.\n")
    (outcome,) = suggest_sources(river, [source])
    (stance,) = outcome.created
    assert stance.attribution == "reported_by_other"
    assert stance.reported_by is not None and stance.reported_by.name == "Ilse Marant"
