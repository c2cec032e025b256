"""Speed of the rule-based stance suggester on synthetic articles, next to a baseline.

The articles of ``bench.synthetic`` are generated first (not timed). A throwaway SQLite
database gets the seed taxonomy and actors plus ``--actors`` synthetic ones; the
suggester's :class:`tracker.suggest.Taxonomy` is read from it once. Then, in one process
on one core, each article's text goes through:

* baseline: ``tracker.mentions.AliasMatcher.find`` (finding the known actors, which every
  ingested article already pays for);
* suggester: ``tracker.suggest.suggest_text`` (segmentation, actors, attribution, issues,
  cues, dates): the work of ``tracker suggest`` before anything is saved.

Usage: ``python -m bench.suggest [-n 10000] [--actors 500] [--seed 0]``. Not run by the
tests; the issue's target is 100 articles/s or more for the suggester.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.synthetic import SEEDS, actor_rows, generate
from tracker import migrate
from tracker.actors import import_actors, read_actor_csv
from tracker.db import make_engine, transaction
from tracker.issues import import_issues, read_issue_csv
from tracker.mentions import AliasMatcher
from tracker.suggest import Taxonomy, suggest_text


def _taxonomy(folder: Path, n_actors: int, seed: int) -> tuple[Taxonomy, AliasMatcher]:
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate.upgrade(engine)
    with transaction(engine) as session:
        import_issues(session, read_issue_csv(SEEDS / "issues.csv"))
        import_actors(session, read_actor_csv(SEEDS / "actors.csv"))
        import_actors(session, actor_rows(n_actors, seed))
        session.flush()
        taxonomy = Taxonomy.from_database(session)
        matcher = AliasMatcher.from_database(session)
    engine.dispose()
    return taxonomy, matcher


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("-n", type=int, default=10_000, help="articles")
    parser.add_argument("--actors", type=int, default=500, help="synthetic actors to add")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    articles = [
        (a.text, a.published_on or dt.date(2025, 8, 18)) for a in generate(args.n, args.seed)
    ]
    chars = sum(len(text) for text, _ in articles)
    print(f"{len(articles)} synthetic articles, {chars / len(articles):,.0f} characters on "
          f"average, generated in {time.perf_counter() - started:.1f} s")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        taxonomy, matcher = _taxonomy(Path(folder), args.actors, args.seed)
    print(f"taxonomy: {len(taxonomy.profiles)} issues, {len(taxonomy.names)} actors")

    started = time.perf_counter()
    mentions = sum(len(matcher.find(text)) for text, _ in articles)
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    suggestions = sum(len(suggest_text(text, day, taxonomy)) for text, day in articles)
    suggester = time.perf_counter() - started

    n = len(articles)
    print(f"baseline  AliasMatcher.find: {n / baseline:8,.0f} articles/s "
          f"({baseline:.1f} s, {mentions / n:.1f} mentions per article)")  # fmt: skip
    print(f"suggester suggest_text:      {n / suggester:8,.0f} articles/s "
          f"({suggester:.1f} s, {suggestions / n:.1f} suggestions per article, "
          f"{suggester / baseline:.1f}x the baseline)")  # fmt: skip
    print(f"target >= 100 articles/s: {'met' if n / suggester >= 100 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
