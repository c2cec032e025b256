"""Put sources of a ``bench.pages`` database copy into double coding, for the Agreement page.

``python -m bench.double_coding_data --size 1000000 --sources 1000 --work DIR``

The generated databases have no double coding, so the Agreement page has nothing to read
there. This takes the copy ``bench.pages`` prepared in ``--work`` (run it once with that
``--work`` first) and, deterministically: puts ``--sources`` sources (spread over the
archive) into double coding for analysts ``alice`` and ``bilal``; makes ``alice`` the
coder of their stances; and gives ``bilal`` a stance on the same passage for ~90% of
them, one point off for ~20% of those (the others: units bilal left empty). Then
``python -m bench.pages --work DIR --pages agreement`` measures the page on it (it reuses
a copy that is at the current schema). ``position_day`` is not refreshed (those stances
would stop counting): measure the Agreement page only on such a copy.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import time
from pathlib import Path

from bench.stances_data import db_path

CODERS = ("alice", "bilal")
COLUMNS = (
    "actor_id, issue_id, source_id, stated_on, position, confidence, quote, quote_start, "
    "quote_end, status, origin, annotator, note, created_at, updated_at, version, "
    "conditional, condition"
)


def add_double_coding(path: Path, sources: int, seed: int = 0) -> int:
    """Returns the number of second codings added."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    try:
        with conn:
            if conn.execute("SELECT count(*) FROM double_coding").fetchone()[0]:
                raise SystemExit(f"{path} already has double coding")
            total = conn.execute("SELECT max(id) FROM source").fetchone()[0]
            step = max(total // sources, 1)
            chosen = list(range(1, total + 1, step))[:sources]
            now = "2026-01-01 00:00:00"
            conn.executemany(
                "INSERT INTO double_coding (source_id, opened_by, opened_at)"
                " VALUES (?, 'bench', ?)",
                [(sid, now) for sid in chosen],
            )
            conn.executemany(
                "INSERT INTO double_coder (source_id, coder) VALUES (?, ?)",
                [(sid, coder) for sid in chosen for coder in CODERS],
            )
            marks = ",".join("?" * len(chosen))
            conn.execute(
                f"UPDATE stance SET coder = 'alice' WHERE origin <> 'suggestion' "
                f"AND source_id IN ({marks})",
                chosen,
            )
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM stance WHERE coder = 'alice' AND source_id IN ({marks})"
                " ORDER BY id",
                chosen,
            ).fetchall()
            second = []
            for row in rows:
                if rng.random() < 0.1:
                    continue  # bilal saw no stance here
                values = list(row)
                if rng.random() < 0.2:
                    values[4] = max(-2, min(2, values[4] + rng.choice((-1, 1))))
                values[11] = "bilal"
                second.append((*values, "bilal"))
            conn.executemany(
                f"INSERT INTO stance ({COLUMNS}, coder) VALUES ({','.join('?' * 19)})", second
            )
        return len(second)
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args(argv)
    copy = args.work / db_path(args.size).name
    if not copy.exists():
        raise SystemExit(f"{copy} is missing: run `python -m bench.pages --work {args.work}`")
    started = time.perf_counter()
    added = add_double_coding(copy, args.sources)
    print(
        f"{args.sources} sources in double coding in {copy}: {added} second codings added "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
