"""The benchmarks' baselines: the tracker's stance queries written by hand, for raw drivers.

Each string is plain SQL that runs unchanged on SQLite and PostgreSQL; parameters are
written ``{p}`` and replaced by the driver's placeholder (``?`` or ``%s``) by :func:`sql`.
"""

from __future__ import annotations

# tracker.stance_query.records_query: every exported column, joined and labelled.
EXPORT = """
SELECT s.id AS stance_id, a.name AS actor, coalesce(p.name, a.name) AS party,
       i.slug AS issue, s.stated_on, s.position,
       CASE s.position WHEN -2 THEN i.label_neg2 WHEN -1 THEN i.label_neg1
            WHEN 0 THEN i.label_zero WHEN 1 THEN i.label_pos1 ELSE i.label_pos2
       END AS position_label,
       s.confidence, s.status, s.origin, s.quote, s.quote_start, s.quote_end, s.source_id,
       src.title AS source_title, src.outlet AS source_outlet, src.url AS source_url,
       src.published_on, src.duplicate_of, s.annotator, s.note, s.created_at, s.updated_at
FROM stance s
JOIN actor a ON a.id = s.actor_id
LEFT JOIN actor p ON p.id = a.party_id
JOIN issue i ON i.id = s.issue_id
JOIN source src ON src.id = s.source_id
ORDER BY s.stated_on, s.id
"""

# tracker.timelines.day_positions: accepted stances, one source per story (the original
# if it has stances, else the first recorded), one position per day (the mean) shown by
# the stance closest to it. {where} restricts the stances.
_DAY_POSITIONS = """
WITH counted AS (
    SELECT s.id, s.actor_id, s.issue_id, s.stated_on, s.position, s.confidence, s.source_id,
           first_value(s.source_id) OVER (
               PARTITION BY s.actor_id, s.issue_id, s.stated_on,
                            coalesce(src.duplicate_of, src.id)
               ORDER BY src.duplicate_of IS NOT NULL, s.id) AS story_source
    FROM stance s JOIN source src ON src.id = s.source_id
    WHERE s.status = 'accepted' AND s.confidence >= 0 AND {where}
), ranked AS (
    SELECT id, actor_id, issue_id, stated_on, position, confidence,
           avg(position) OVER same_day AS day_mean, count(*) OVER same_day AS day_count
    FROM counted WHERE source_id = story_source
    WINDOW same_day AS (PARTITION BY actor_id, issue_id, stated_on)
), picked AS (
    SELECT id, actor_id, issue_id, stated_on, day_mean, day_count,
           row_number() OVER (
               PARTITION BY actor_id, issue_id, stated_on
               ORDER BY abs(position - day_mean), confidence DESC, id) AS pick
    FROM ranked
)
SELECT p.actor_id, a.name, i.slug, p.stated_on, p.day_mean, p.day_count, s.id, s.quote,
       s.source_id, src.title, src.outlet, src.url, s.annotator, s.confidence
FROM picked p
JOIN stance s ON s.id = p.id
JOIN actor a ON a.id = p.actor_id
JOIN issue i ON i.id = p.issue_id
JOIN source src ON src.id = s.source_id
WHERE p.pick = 1
ORDER BY i.slug, a.name, p.stated_on
"""


def series(actors: int) -> str:
    """One issue (by slug) and ``actors`` actors (by any of their names, any case)."""
    return _DAY_POSITIONS.replace("{where}", _one_issue("s", actors))


# The weekly report's largest query before position_day: every day position up to the
# week's end, computed from the stances.
REPORT_POSITIONS = _DAY_POSITIONS.replace("{where}", "s.stated_on <= {p}")

# The same rows read from the stored per-day positions (position_day), as the tracker
# now does for the default counting. {where} restricts position_day rows ``d``.
_STORED_DAYS = """
SELECT d.actor_id, a.name, i.slug, d.day, d.position, d.stances, s.id, s.quote,
       s.source_id, src.title, src.outlet, src.url, s.annotator, s.confidence
FROM position_day d
JOIN stance s ON s.id = d.stance_id
JOIN actor a ON a.id = d.actor_id
JOIN issue i ON i.id = d.issue_id
JOIN source src ON src.id = s.source_id
WHERE {where}
ORDER BY i.slug, a.name, d.day
"""


def series_stored(actors: int) -> str:
    """:func:`series` over ``position_day``: same parameters, same rows."""
    return _STORED_DAYS.replace("{where}", _one_issue("d", actors))


def _one_issue(table: str, actors: int) -> str:
    """The series' condition on ``table`` (``s``: stance, ``d``: position_day)."""
    names = ", ".join(["{p}"] * actors)
    return (
        f"{table}.issue_id = (SELECT id FROM issue WHERE slug = {{p}}) AND {table}.actor_id IN "
        f"(SELECT actor_id FROM actor_alias WHERE alias_key IN ({names}))"
    )


# What a timeline reads first: the stored days with their actors' and issues' names, no
# evidence (a chart reads the quotes of the days it draws afterwards).
_STORED_POSITIONS = """
SELECT d.actor_id, a.name, i.slug, d.day, d.position, d.stances, d.stance_id
FROM position_day d
JOIN actor a ON a.id = d.actor_id
JOIN issue i ON i.id = d.issue_id
WHERE {where}
ORDER BY i.slug, a.name, d.day
"""


def series_positions(actors: int) -> str:
    """:func:`series_stored` without the evidence: same parameters, same days."""
    return _STORED_POSITIONS.replace("{where}", _one_issue("d", actors))


# The report's main read: the period's stored days (start and end dates).
REPORT_WEEK_DAYS = _STORED_DAYS.replace("{where}", "d.day BETWEEN {p} AND {p}")

# The stance table's columns an import writes, for the executemany baseline.
INSERT_STANCE = """
INSERT INTO stance (id, actor_id, issue_id, source_id, stated_on, position, confidence,
    quote, quote_start, quote_end, status, origin, annotator, note, created_at, updated_at,
    version)
VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, 1)
"""


def sql(template: str, backend: str) -> str:
    return template.replace("{p}", "?" if backend == "sqlite" else "%s")
