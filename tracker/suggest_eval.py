"""How good the suggestions are: precision and recall per issue against stances read by
hand (a CSV in the seeds' stances.csv format).

A suggestion is right when a hand-read stance has the same source, the same issue, the
same sign of position (support, opposition) and the same actor, or one is the party the
other speaks for (Zelenskyy for Ukraine). Each suggestion counts once for precision (as a
reviewer sees it); each hand-read stance counts once for recall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actors import get_actor
from tracker.csv_io import read_csv
from tracker.errors import TrackerError
from tracker.issues import get_issue
from tracker.models import Actor, Source
from tracker.stances import check_position
from tracker.suggest import Suggestion, Taxonomy, suggest_text

GOLD_COLUMNS = ("actor", "issue", "position", "quote")


@dataclass(frozen=True)
class GoldStance:
    source_id: int
    actor_id: int
    issue_id: int
    position: int


@dataclass
class IssueScore:
    issue: str
    suggested: int = 0
    correct: int = 0
    gold: int = 0
    found: int = 0

    @property
    def precision(self) -> float | None:
        return self.correct / self.suggested if self.suggested else None

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None


def read_gold(session: Session, path: str | Path) -> list[GoldStance]:
    """Hand-read stances; each row's source is the stored story whose text holds its quote
    (an original before a rewrite), so the file needs no database ids."""
    rows = read_csv(
        path,
        required=GOLD_COLUMNS,
        optional=(
            "source",
            "stated_on",
            "confidence",
            "note",
            "attribution",
            "reported_by",
            "condition",
            "proposal",
        ),
    )
    gold = []
    for row in rows:
        cells = row.cells
        try:
            source_id = _source_with(session, cells["quote"])
            gold.append(
                GoldStance(
                    source_id,
                    get_actor(session, cells["actor"]).id,
                    get_issue(session, cells["issue"]).id,
                    check_position(cells["position"]),
                )
            )
        except TrackerError as exc:
            raise TrackerError(f"{path} {row.at}: {exc}") from None
    return gold


def _source_with(session: Session, quote: str) -> int:
    found = session.execute(
        select(Source.id)
        .where(Source.text.contains(quote, autoescape=True))
        .order_by(Source.duplicate_of.is_not(None), Source.id)
    ).first()
    if found is None:
        raise TrackerError(f"no stored source holds the quote {quote[:60]!r}")
    return int(found[0])


def evaluate(
    session: Session,
    gold: Sequence[GoldStance],
    sources: Sequence[Source],
    taxonomy: Taxonomy | None = None,
) -> list[IssueScore]:
    """Scores per issue (and a last row for all issues) of what the suggester proposes for
    ``sources``, nothing saved. Hand-read stances on other sources are left out."""
    taxonomy = taxonomy or Taxonomy.from_database(session)
    parties = dict(session.execute(select(Actor.id, Actor.party_id)).tuples().all())
    read = {s.id for s in sources}
    gold = [g for g in gold if g.source_id in read]
    proposed: list[tuple[int, Suggestion]] = [
        (source.id, suggestion)
        for source in sources
        if source.published_on is not None
        for suggestion in suggest_text(source.text, source.published_on, taxonomy)
    ]

    def same(source_id: int, s: Suggestion, g: GoldStance) -> bool:
        return (
            source_id == g.source_id
            and s.issue_id == g.issue_id
            and _sign(s.position) == _sign(g.position)
            and (
                s.actor_id == g.actor_id
                or parties.get(s.actor_id) == g.actor_id
                or parties.get(g.actor_id) == s.actor_id
            )
        )

    scores = {i: IssueScore(issue.slug) for i, issue in taxonomy.issues.items()}
    for source_id, s in proposed:
        scores[s.issue_id].suggested += 1
        scores[s.issue_id].correct += any(same(source_id, s, g) for g in gold)
    for g in gold:
        scores[g.issue_id].gold += 1
        scores[g.issue_id].found += any(same(source_id, s, g) for source_id, s in proposed)
    rows = sorted(scores.values(), key=lambda r: r.issue)
    total = IssueScore("all issues")
    for row in rows:
        total.suggested += row.suggested
        total.correct += row.correct
        total.gold += row.gold
        total.found += row.found
    return [*rows, total]


def _sign(position: int) -> int:
    return (position > 0) - (position < 0)
