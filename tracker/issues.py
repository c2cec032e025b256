"""The issue taxonomy: what is being negotiated, and what each point of the scale means."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.access import require
from tracker.csv_io import Place, check_cells, read_csv, split_list
from tracker.errors import NotFoundError, RowProblems, TrackerError
from tracker.models import POSITIONS, Issue, Role
from tracker.text import check_length, squash

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LABEL_ATTRS = {
    -2: "label_neg2",
    -1: "label_neg1",
    0: "label_zero",
    1: "label_pos1",
    2: "label_pos2",
}


def find_issue(session: Session, slug: str) -> Issue | None:
    return session.scalar(select(Issue).where(Issue.slug == slug.strip().lower()))


def get_issue(session: Session, slug: str) -> Issue:
    issue = find_issue(session, slug)
    if issue is None:
        known = session.scalars(select(Issue.slug)).all()
        close = difflib.get_close_matches(slug, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise NotFoundError(f"unknown issue {slug!r}{hint}")
    return issue


def list_issues(session: Session) -> Sequence[Issue]:
    return session.scalars(select(Issue).order_by(Issue.slug)).all()


@dataclass
class IssueRow:
    """One issue definition: ``slug,name,description[,keywords][,label_-2..label_2]``."""

    slug: str
    name: str
    description: str = ""
    # None: the file has no keywords column, the stored keywords stay.
    keywords: list[str] | None = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    at: Place | None = None  # where the row came from, for error messages


def _validated(row: IssueRow) -> IssueRow:
    slug = row.slug.strip().lower()
    if not SLUG.match(slug):
        raise TrackerError(
            f"issue slug {row.slug!r} must be lowercase letters, digits and single hyphens "
            "(e.g. ceasefire-first)"
        )
    check_length(slug, 80, "the issue slug")
    if not squash(row.name):
        raise TrackerError(f"issue {slug!r} needs a name")
    check_length(squash(row.name), 200, f"the name of issue {slug!r}")
    for label in row.labels.values():
        check_length(squash(label), 200, f"a scale label of issue {slug!r}")
    for position in row.labels:
        if position not in POSITIONS:
            raise TrackerError(f"issue {slug!r}: no scale point {position}; the scale is -2..2")
    keywords = None if row.keywords is None else [squash(k) for k in row.keywords if squash(k)]
    labels = {p: squash(label) for p, label in row.labels.items() if squash(label)}
    return IssueRow(slug, squash(row.name), row.description.strip(), keywords, labels, row.at)


def save_issue(session: Session, row: IssueRow) -> tuple[Issue, bool]:
    """Create the issue or update the one with the same slug. Returns (issue, created)."""
    require(session, Role.ADMIN, "edit the issue taxonomy")
    row = _validated(row)
    issue = find_issue(session, row.slug)
    created = issue is None
    if issue is None:
        issue = Issue(slug=row.slug)
        session.add(issue)
    issue.name = row.name
    issue.description = row.description
    if row.keywords is not None or created:
        issue.keywords = row.keywords or []
    for position, label in row.labels.items():
        setattr(issue, LABEL_ATTRS[position], label)
    session.flush()
    return issue, created


def import_issues(session: Session, rows: Sequence[IssueRow]) -> tuple[int, int]:
    """Create or update issues by slug. Returns (created, updated): issues the file
    changed (the others are unchanged). Every row is checked; any problem raises one
    error listing them all (the caller's transaction then rolls back)."""
    require(session, Role.ADMIN, "edit the issue taxonomy")
    problems = RowProblems()
    created = updated = 0
    seen: set[str] = set()
    for row in rows:
        with problems.row(row.at):
            check_cells(
                {
                    "slug": row.slug,
                    "name": row.name,
                    "description": row.description,
                    "keywords": ";".join(row.keywords or []),
                    **{f"label_{p}": label for p, label in row.labels.items()},
                }
            )
            slug = row.slug.strip().lower()
            if slug in seen:
                raise TrackerError(f"issue {slug!r} appears twice")
            seen.add(slug)
            stored = find_issue(session, slug)
            before = _content(stored) if stored is not None else None
            issue, was_created = save_issue(session, row)
            created += was_created
            updated += not was_created and _content(issue) != before
    problems.raise_any()
    return created, updated


def _content(issue: Issue) -> tuple[Any, ...]:
    """What an import may change on an issue."""
    labels = tuple(issue.label(p) for p in POSITIONS)
    return issue.name, issue.description, tuple(issue.keywords or []), labels


def export_issues(session: Session) -> list[dict[str, str]]:
    return [
        {
            "slug": issue.slug,
            "name": issue.name,
            "description": issue.description,
            "keywords": ";".join(issue.keywords or []),
            **{f"label_{p}": issue.label(p) for p in POSITIONS},
        }
        for issue in list_issues(session)
    ]


LABEL_COLUMNS = tuple(f"label_{p}" for p in POSITIONS)
ISSUE_COLUMNS = ("slug", "name", "description", "keywords", *LABEL_COLUMNS)


def read_issue_csv(path: str | Path, text: str | None = None) -> list[IssueRow]:
    """Parse an issue CSV: ``slug,name,description`` plus optional keywords and labels."""
    rows = read_csv(
        path,
        required=("slug", "name", "description"),
        optional=("keywords", *LABEL_COLUMNS),
        text=text,
    )
    return [
        IssueRow(
            slug=row.cells["slug"],
            name=row.cells["name"],
            description=row.cells["description"],
            keywords=split_list(row.cells["keywords"]) if "keywords" in row.cells else None,
            labels={p: row.cells.get(f"label_{p}", "") for p in POSITIONS},
            at=row.at,
        )
        for row in rows
    ]
