"""The seeded demo: the five seed articles, the default taxonomy, their actors and stances.

Loading is idempotent: running it again adds nothing that is already there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tracker import accounts, migrate
from tracker.actors import get_actor, import_actors, read_actor_csv
from tracker.csv_io import read_csv
from tracker.db import transaction
from tracker.errors import TrackerError
from tracker.ingest import Ingestor, Input, Overrides
from tracker.issues import get_issue, import_issues, read_issue_csv
from tracker.models import Source, Stance, StanceOrigin, StanceStatus
from tracker.proposals import add_proposal, get_proposal, list_proposals
from tracker.sources import get_source, mark_duplicate
from tracker.stances import (
    StanceChanges,
    check_confidence,
    check_position,
    locate_quote,
    record_stance,
    update_stance,
)

SEED_ANNOTATOR = "seed data"
DEMO_ADMIN = "admin"
MANIFEST_COLUMNS = ("file", "title", "outlet", "url", "published_on", "duplicate_of")
# How each seed stance reached us; the condition, when it has one (conditional if given).
SEED_EVIDENCE_COLUMNS = ("attribution", "reported_by", "condition", "proposal")
SEED_PROPOSAL_COLUMNS = ("name", "author", "proposed_on", "text")
SEED_STANCE_COLUMNS = (
    "source",
    "actor",
    "issue",
    "stated_on",
    "position",
    "confidence",
    "quote",
    "note",
)


@dataclass
class DemoSummary:
    issues: int
    actors: int
    sources_added: int
    stances_added: int
    stances_total: int


def seed_dir() -> Traversable:
    return files("tracker.seeds")


def _text(resource: Traversable) -> str:
    return resource.read_text(encoding="utf-8")


def load_demo(engine: Engine, *, with_stances: bool = True) -> DemoSummary:
    """Migrate the database to the newest schema and load the seed data into it.

    Without stances it holds the taxonomy, actors and sources only: a team's starting point.
    """
    migrate.upgrade(engine)
    seeds = seed_dir()
    with transaction(engine) as session:
        issues, _ = import_issues(
            session, read_issue_csv("seeds/issues.csv", _text(seeds / "issues.csv"))
        )
        actor_rows = read_actor_csv("seeds/actors.csv", _text(seeds / "actors.csv"))
        import_actors(session, actor_rows)
        by_file, sources_added = _load_articles(session, seeds / "articles")
        _load_proposals(session, seeds / "proposals.csv")
        stances_added = (
            _load_stances(session, seeds / "stances.csv", by_file) if with_stances else 0
        )
        total = len(session.scalars(select(Stance.id)).all())
    return DemoSummary(issues, len(actor_rows), sources_added, stances_added, total)


def first_admin(engine: Engine) -> str | None:
    """On a database with no account yet, create the local admin ``admin`` with a random
    password and return that password (to print once); else None, touching nothing."""
    with transaction(engine) as session:
        if accounts.has_accounts(session):
            return None
        password = accounts.new_password()
        accounts.add_account(session, DEMO_ADMIN, "admin", password)
    return password


def _load_articles(session: Session, folder: Traversable) -> tuple[dict[str, Source], int]:
    """Ingest the seed articles through the same pipeline as `tracker sources add`."""
    manifest = read_csv(
        "seeds/articles/manifest.csv",
        required=MANIFEST_COLUMNS,
        text=_text(folder / "manifest.csv"),
    )
    ingestor = Ingestor(session)
    by_file: dict[str, Source] = {}
    added = 0
    for row in manifest:
        cells = row.cells
        published = dt.date.fromisoformat(cells["published_on"]) if cells["published_on"] else None
        resource = folder / cells["file"]
        result = ingestor.ingest(
            session,
            Input(cells["file"], resource.read_bytes),
            Overrides(cells["title"], cells["outlet"], cells["url"], published),
        )
        if result.source_id is None:
            raise TrackerError(f"seed article {cells['file']}: {result.message}")
        by_file[cells["file"]] = get_source(session, result.source_id)
        added += result.status == "added"
    for row in manifest:  # links the manifest states, in case detection missed one
        original = row.cells["duplicate_of"]
        source = by_file[row.cells["file"]]
        if original and source.duplicate_of is None:
            mark_duplicate(session, source, by_file[original])
    return by_file, added


def _load_proposals(session: Session, resource: Traversable) -> None:
    """The seed proposals (Putin's Alaska outline), unless already there."""
    rows = read_csv("seeds/proposals.csv", required=SEED_PROPOSAL_COLUMNS, text=_text(resource))
    known = {p["name"] for p in list_proposals(session)}
    for row in rows:
        cells = row.cells
        if cells["name"] in known:
            continue
        add_proposal(
            session,
            cells["name"],
            author=get_actor(session, cells["author"]),
            proposed_on=dt.date.fromisoformat(cells["proposed_on"]),
            text=cells["text"],
        )


def _load_stances(session: Session, resource: Traversable, by_file: dict[str, Source]) -> int:
    rows = read_csv(
        "seeds/stances.csv",
        required=SEED_STANCE_COLUMNS,
        optional=SEED_EVIDENCE_COLUMNS,
        text=_text(resource),
    )
    added = 0
    for row in rows:
        cells = row.cells
        try:
            source = by_file[cells["source"]]
        except KeyError:
            raise TrackerError(f"seeds/stances.csv {row.at}: unknown source file") from None
        actor = get_actor(session, cells["actor"])
        issue = get_issue(session, cells["issue"])
        reporter = cells.get("reported_by", "").strip()
        proposal = cells.get("proposal", "").strip()
        condition = cells.get("condition", "").strip()
        start, _ = locate_quote(source, cells["quote"])
        exists = session.scalar(
            select(Stance.id).where(
                Stance.actor_id == actor.id,
                Stance.issue_id == issue.id,
                Stance.source_id == source.id,
                Stance.quote_start == start,
            )
        )
        attribution = cells.get("attribution", "").strip() or None
        if exists is not None:
            _add_evidence(session, exists, attribution, reporter, condition, proposal)
            continue
        record_stance(
            session,
            actor=actor,
            issue=issue,
            source=source,
            position=check_position(cells["position"]),
            confidence=check_confidence(cells["confidence"]),
            quote=cells["quote"],
            quote_start=start,
            stated_on=dt.date.fromisoformat(cells["stated_on"]),
            status=StanceStatus.ACCEPTED.value,
            origin=StanceOrigin.IMPORT.value,
            annotator=SEED_ANNOTATOR,
            note=cells["note"],
            attribution=attribution,
            reported_by=get_actor(session, reporter) if reporter else None,
            conditional=bool(condition),
            condition=condition,
            proposal=get_proposal(session, proposal) if proposal else None,
        )
        added += 1
    return added


def _add_evidence(
    session: Session,
    stance_id: int,
    attribution: str | None,
    reporter: str,
    condition: str,
    proposal: str,
) -> None:
    """A seed stance loaded before attribution existed (an older demo database) gets the
    seeds' attribution, condition and proposal, as an edit in its history; a stance whose
    attribution was recorded since is left as the analyst made it."""
    stance = session.get_one(Stance, stance_id)
    if stance.attribution is not None or attribution is None:
        return
    update_stance(
        session,
        stance_id,
        StanceChanges(
            attribution=attribution,
            reported_by=get_actor(session, reporter) if reporter else None,
            conditional=bool(condition),
            condition=condition,
            proposal=get_proposal(session, proposal)
            if proposal and not stance.proposal_id
            else None,
        ),
        annotator=SEED_ANNOTATOR,
        expected_version=stance.version,
    )
