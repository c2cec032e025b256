"""Full-text search over sources, in the database: SQLite FTS5 or PostgreSQL tsvector.

The index itself is created by migration 0002 (an FTS5 table kept by triggers on
SQLite, a GIN expression index on PostgreSQL); the expressions here must match it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker.errors import TrackerError

# Phrases in double quotes stay together; other words are ANDed.
_TERM = re.compile(r'"([^"]+)"|(\w+)')
MARK_START, MARK_END = "[", "]"

_SQLITE = f"""
SELECT s.id, s.title, s.outlet, s.published_on,
       snippet(source_fts, 1, '{MARK_START}', '{MARK_END}', '…', 24) AS snippet
FROM source_fts JOIN source s ON s.id = source_fts.rowid
WHERE source_fts MATCH :query
ORDER BY bm25(source_fts, 5.0, 1.0), s.id
LIMIT :limit
"""

_POSTGRES = f"""
WITH q AS (SELECT websearch_to_tsquery('english', :query) AS query)
SELECT s.id, s.title, s.outlet, s.published_on,
       ts_headline('english', s.text, q.query,
                   'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12,
                    MaxFragments=1, FragmentDelimiter=…') AS snippet
FROM source s, q
WHERE to_tsvector('english', s.title || ' ' || s.text) @@ q.query
ORDER BY ts_rank(to_tsvector('english', s.title || ' ' || s.text), q.query) DESC, s.id
LIMIT :limit
"""


@dataclass(frozen=True)
class SearchHit:
    source_id: int
    title: str
    outlet: str
    published_on: dt.date | None
    snippet: str  # matched words between MARK_START and MARK_END


def _fts5_query(query: str) -> str:
    """The user's words as an FTS5 query that cannot be a syntax error."""
    parts = []
    for phrase, word in _TERM.findall(query):
        words = re.findall(r"\w+", phrase or word)
        if words:
            parts.append('"' + " ".join(words) + '"')
    return " ".join(parts)


def search_sources(session: Session, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Sources matching every word (and quoted phrase) of ``query``, best first."""
    words = _fts5_query(query)
    if not words:
        # Punctuation and spaces alone would be an empty FTS5 query (a syntax error) on
        # SQLite and an empty tsquery (no hits, and a notice) on PostgreSQL.
        raise TrackerError(f"the search {query.strip()!r} has no words to search for")
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text(_SQLITE), {"query": words, "limit": limit})
    else:
        rows = session.execute(text(_POSTGRES), {"query": query, "limit": limit})
    hits = []
    for source_id, title, outlet, published_on, snippet in rows:
        if isinstance(published_on, str):  # raw SQL on SQLite returns the stored text
            published_on = dt.date.fromisoformat(published_on)
        hits.append(SearchHit(source_id, title, outlet, published_on, " ".join(snippet.split())))
    return hits
