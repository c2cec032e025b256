"""Full-text search over sources, in the database: SQLite FTS5 or PostgreSQL tsvector.

The index itself is created by migration 0002 (an FTS5 table kept by triggers on
SQLite) and 0015 (a GIN expression index on PostgreSQL); the expressions here must
match it. Both read a query the same way: every word and "quoted phrase" must match,
whole words (runs of letters and digits), any case, nothing else is syntax. PostgreSQL
uses the 'simple' text search configuration so that it neither stems ("guarantee"
found "guaranteed") nor drops common words ("will not" found nothing), as FTS5 does
neither. Both ignore accents ("Elysee" finds "Élysée"): FTS5 by itself, PostgreSQL
through the unaccent extension, in the 'tracker_search' configuration (migration 0016:
'simple' with unaccent before it; on a server without the extension, 'simple' alone and
accents count).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
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

# The indexed text (migration 0016) with everything but letters and digits made a space:
# PostgreSQL's parser keeps "1.5", "nato.int" or "1/2" whole, FTS5 and the query's own
# parsing (_terms) split them into words. The query's terms are split the same way.
_WORDS = "regexp_replace({}, '[^[:alnum:]]+', ' ', 'g')"
_TEXT = "s.title || ' ' || s.text"
_DOCUMENT = f"to_tsvector('tracker_search', {_WORDS.format(_TEXT)})"
# {query}: the terms' phraseto_tsquery calls joined by &&. MaxFragments=2 lets the
# snippet show the words where they are, not the article's first lines.
_POSTGRES = f"""
WITH q AS (SELECT {{query}} AS query)
SELECT s.id, s.title, s.outlet, s.published_on,
       ts_headline('tracker_search', s.text, q.query,
                   'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=8,
                    MaxFragments=2, FragmentDelimiter=" … "') AS snippet
FROM source s, q
WHERE {_DOCUMENT} @@ q.query
ORDER BY ts_rank({_DOCUMENT}, q.query) DESC, s.id
LIMIT :limit
"""


@dataclass(frozen=True)
class SearchHit:
    source_id: int
    title: str
    outlet: str
    published_on: dt.date | None
    snippet: str  # matched words between MARK_START and MARK_END


def _terms(query: str) -> list[str]:
    """The user's words and quoted phrases, each as its words joined by spaces."""
    terms = []
    for phrase, word in _TERM.findall(query):
        words = re.findall(r"\w+", phrase or word)
        if words:
            terms.append(" ".join(words))
    return terms


def _fts5_query(terms: list[str]) -> str:
    """The terms as an FTS5 query that cannot be a syntax error."""
    return " ".join(f'"{term}"' for term in terms)


def _postgres_query(terms: list[str]) -> tuple[str, dict[str, str]]:
    """The same terms as a tsquery, bound as parameters: each must match, as a phrase."""
    calls = [
        f"phraseto_tsquery('tracker_search', {_WORDS.format(f':term{i}')})"
        for i in range(len(terms))
    ]
    return " && ".join(calls), {f"term{i}": term for i, term in enumerate(terms)}


def search_sources(session: Session, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Sources matching every word (and quoted phrase) of ``query``, best first."""
    terms = _terms(query)
    if not terms:
        # Punctuation and spaces alone would be an empty FTS5 query (a syntax error) on
        # SQLite and an empty tsquery (no hits, and a notice) on PostgreSQL.
        raise TrackerError(f"the search {query.strip()!r} has no words to search for")
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text(_SQLITE), {"query": _fts5_query(terms), "limit": limit})
    else:
        tsquery, params = _postgres_query(terms)
        sql = _POSTGRES.replace("{query}", tsquery)
        rows = session.execute(text(sql), {**params, "limit": limit})
    hits = []
    for source_id, title, outlet, published_on, snippet in rows:
        if isinstance(published_on, str):  # raw SQL on SQLite returns the stored text
            published_on = dt.date.fromisoformat(published_on)
        hits.append(SearchHit(source_id, title, outlet, published_on, " ".join(snippet.split())))
    return hits


# --- accents on PostgreSQL ------------------------------------------------------------------

_FOLDS = """
SELECT EXISTS (
  SELECT 1 FROM pg_ts_config_map m JOIN pg_ts_dict d ON d.oid = m.mapdict
  WHERE m.mapcfg = 'tracker_search'::regconfig AND d.dictname = 'unaccent')
"""
# As migration 0016 does it (which keeps its own copy): the dictionary's schema quoted
# by format(%I) on the server.
_FOLD_ACCENTS = """
DO $$
DECLARE dictionary text;
BEGIN
  SELECT format('%I.%I', n.nspname, d.dictname) INTO dictionary
  FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
  WHERE d.dictname = 'unaccent' LIMIT 1;
  IF dictionary IS NOT NULL THEN
    EXECUTE format('ALTER TEXT SEARCH CONFIGURATION tracker_search ALTER MAPPING FOR '
                   'word, hword, hword_part, numword, numhword, hword_numpart '
                   'WITH %s, simple', dictionary);
  END IF;
END $$
"""


def ensure_accent_folding(connection: Connection) -> bool:
    """Whether search ignores accents, making it so on PostgreSQL if the server now allows
    it: where migration 0016 could not install unaccent, 'tracker_search' is 'simple'
    alone; once an administrator has run ``CREATE EXTENSION unaccent``, the next ``tracker
    db upgrade`` calls this, which puts unaccent into it and rebuilds the index."""
    if connection.dialect.name != "postgresql":
        return True  # FTS5 folds accents itself
    if connection.execute(text(_FOLDS)).scalar():
        return True
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
            connection.execute(text(_FOLD_ACCENTS))
            if not connection.execute(text(_FOLDS)).scalar():
                return False  # the server has no unaccent to install
            connection.execute(text("REINDEX INDEX ix_source_fts"))
    except DBAPIError:
        return False  # this account may not install it, or does not own the configuration
    return True
