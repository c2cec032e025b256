"""The export's cells as the database writes them (tracker.csv_sql) must be, byte for byte,
what Python's csv.writer writes for the flat records: names, titles, floats, odd text."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from sqlalchemy import Engine, update

from tests.factories import make_actor, make_issue, make_source
from tests.test_stance_csv import _reference_export, export_text
from tracker.db import transaction
from tracker.models import Actor, Issue, Proposal, Source, Stance
from tracker.proposals import add_proposal
from tracker.stance_csv import export_stances_bytes
from tracker.stance_query import StanceFilter
from tracker.stances import record_stance

TEXT = "He said \"yes, maybe\" twice.\nThen: =SUM(A1) and @here, -5 and +5; 'quoted' ok. Done."
NAMES = ['Smith, "Jo"', "=Evil\tName", "'-already", "Zoë Ökonom"]


def _odd_db(engine: Engine) -> None:
    """Stances whose every text cell needs quoting, neutralising or both, and confidences
    whose text the databases print differently from Python."""
    confidences = [0.1 + 0.2, 1e-05, 0.0, 1.0, 0.5, 1 / 3, 0.000123, 2.5e-4]
    with transaction(engine) as session:
        party = make_actor(session, '+Party, of "All"', kind="organisation")
        actors = [make_actor(session, name, party=party) for name in NAMES]
        issue = make_issue(session, "odd-issue")
        session.execute(
            update(Issue)
            .where(Issue.id == issue.id)
            .values(label_neg2='-"No", never', label_pos2="=Yes\r\nplease", label_zero="")
        )
        source = make_source(session, TEXT, title='@Title, "quoted"\nnext line')
        source.outlet, source.url = "-Outlet", "https://x.example/?a=1,b=2"
        proposal = add_proposal(
            session, '=Plan "B", v2', author=actors[0], proposed_on=dt.date(2025, 1, 1)
        )
        quotes = ['"yes, maybe"', "=SUM(A1)", "@here", "-5", "+5", "'quoted'", "Done.", "Then"]
        for i, (quote, confidence) in enumerate(zip(quotes, confidences, strict=True)):
            record_stance(
                session,
                actor=actors[i % len(actors)],
                issue=session.merge(issue),
                source=source,
                position=(i % 5) - 2,
                quote=quote,
                annotator=["@ana", "bob, jr", "'=x", "ana"][i % 4],
                note=["", "-note", 'a "b"\nc', "\t tab", "\rcr", "''", "'", "plain"][i],
                confidence=confidence,
                stated_on=dt.date(2025, 1, 1) + dt.timedelta(days=i),
                conditional=i % 2 == 1,
                condition='=if, "so"' if i % 2 == 1 else "",
                attribution="reported_by_other" if i == 2 else None,
                reported_by=actors[(i + 1) % len(actors)] if i == 2 else None,
                proposal=proposal if i % 3 == 0 else None,
            )


def test_database_cells_are_what_python_writes(engine: Engine) -> None:
    _odd_db(engine)
    exported = export_text(engine)
    assert exported == _reference_export(engine)
    assert "0.30000000000000004" in exported and ",1e-05," in exported  # Python's floats
    assert '"\'+Party, of ""All"""' in exported and "'=Evil Name" in exported


def test_a_filtered_export_writes_the_same_cells(engine: Engine) -> None:
    _odd_db(engine)
    whole = export_text(engine).splitlines(keepends=True)
    mine = export_text(engine, StanceFilter(actor=NAMES[1])).splitlines(keepends=True)
    assert len(mine) == 3 and set(mine) <= set(whole)


@pytest.mark.parametrize(
    ("table", "column", "row_id"),
    [
        (Stance, "note", 2),
        (Stance, "condition", 2),
        (Stance, "annotator", 3),
        (Actor, "name", 3),  # an actor, and the reporter of stance 3
        (Source, "outlet", 1),
        (Issue, "label_zero", 1),
        (Proposal, "name", 1),
    ],
)
def test_a_nul_in_sqlite_text_is_written_whole(
    engine: Engine, table: Any, column: str, row_id: int
) -> None:
    """SQLite's string functions stop at a NUL; those rows are written by Python,
    wherever the NUL is: the stance's own text or an actor's, source's, issue's or
    proposal's."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL cannot store NUL in text")
    _odd_db(engine)
    with transaction(engine) as session:
        value = "=a\x00b, c" if column != "condition" else "if\x00so"
        session.execute(update(table).where(table.id == row_id).values({column: value}))
    exported = export_text(engine)
    assert exported == _reference_export(engine)
    assert "\x00" in exported


def test_download_bytes_match_the_file(engine: Engine) -> None:
    _odd_db(engine)
    with transaction(engine) as session:
        data = export_stances_bytes(session, StanceFilter(), excel=True)
    assert data == b"\xef\xbb\xbf" + export_text(engine).encode()
    assert io.StringIO(data.decode("utf-8-sig")).readline().startswith("stance_id,")
