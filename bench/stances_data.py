"""Databases with N stances for the stance benchmarks, cached under /tmp/bench-stances/.

What is in one (deterministic for a size and seed):

* 300 actors: 30 parties and 270 members (mostly people), 1-2 aliases each, imported with
  ``tracker.actors.import_actors``; the 5 issues of ``seeds/issues.csv``.
* ~N/10 sources of ~1,500 characters (a headline, quoted statements, filler sentences
  from the vocabulary of ``bench.synthetic``), published over three years with a ramp,
  quieter weekends and eight busy "summit" weeks; ~3% are rewrites of a recent source
  (``duplicate_of`` set, the same quotes reordered) whose stances repeat the original's.
  ``content_hash`` is the tracker's; MinHash, LSH bands and mentions are left empty
  (ingestion is benchmarked by ``bench.ingest``), the FTS index is filled by its triggers.
* N stances, each quoting a real passage of its source (offsets exact, one stance per
  passage). Each actor's position on each issue drifts through 3-10 change points over the
  three years and sometimes flips sign; a stance reads it with a little noise. ~90% are
  accepted, ~7% suggested, ~3% rejected. No ``stance_event`` history is generated.

Rows go in with the raw ``sqlite3`` driver (one transaction, ``executemany`` in batches)
after ``tracker.migrate.upgrade``, in the storage formats SQLAlchemy uses on SQLite.
``bench.stances_pg`` copies a generated file into a PostgreSQL database.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import itertools
import json
import random
import shutil
import sqlite3
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.synthetic import ADJECTIVES, ADVERBS, CITIES, FIRST_NAMES, NOUNS, OUTLETS, REPORTING
from tracker.actors import ActorRow, import_actors
from tracker.db import make_engine, transaction
from tracker.issues import import_issues, read_issue_csv
from tracker.migrate import is_up_to_date, upgrade
from tracker.position_days import rebuild
from tracker.sources import content_hash

CACHE = Path("/tmp/bench-stances")
VERSION = 2  # part of the cache file names: bump when the generated data changes
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SIZES = (10_000, 100_000, 1_000_000)
FIRST_DAY, DAYS = dt.date(2023, 1, 2), 3 * 365
N_PARTIES, MEMBERS_PER_PARTY = 30, 9
STANCES_PER_SOURCE = 10
DUPLICATE_SHARE = 0.03
SUMMIT_WEEKS = 8
BATCH = 20_000
ISSUE_WEIGHTS = (0.3, 0.25, 0.2, 0.15, 0.1)
ANNOTATORS = ("alice", "bilal", "chen", "dana", "emil", "farah")
OPENERS = {
    2: ("We fully support", "There is no alternative to", "We insist on"),
    1: ("We are open to", "We could accept", "There is room to discuss"),
    0: ("It is too early to judge", "We have not decided on", "Nobody can say yet about"),
    -1: ("We have serious doubts about", "We are not convinced by", "We remain wary of"),
    -2: ("We will never accept", "We reject outright", "There can be no talk of"),
}
_NOUNS, _ADJECTIVES = NOUNS.split(), ADJECTIVES.split()
_MODALS = ("would", "could", "should", "must", "might", "will")
_SYLLABLES = "ka ve lo mar tin sa ro de vi na zel bru kor ta mi len dor ga sel vo ri pa".split()
_PARTY_KINDS = ("Union", "Alliance", "Front", "League", "Party", "Movement", "Bloc", "Forum")
_ROLES = ("Minister", "Senator", "Ambassador", "envoy", "spokesperson", "negotiator")


def db_path(n: int, *, base: bool = False, seed: int = 0) -> Path:
    kind = "base" if base else "stances"
    return CACHE / f"{kind}-v{VERSION}-s{seed}-{n}.db"


def _current(path: Path) -> Path:
    """The cached file at the tracker's newest schema (migrated in place when it is older)."""
    engine = make_engine(f"sqlite:///{path}")
    try:
        if not is_up_to_date(engine):
            started = time.perf_counter()
            upgrade(engine)
            print(f"upgraded {path} in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        engine.dispose()
    return path


def stance_db(n: int, seed: int = 0) -> Path:
    """The cached database with ``n`` stances, generated on first use."""
    path = db_path(n, seed=seed)
    if path.exists():
        return _current(path)
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    _build(tmp, n, seed)
    tmp.rename(path)
    print(f"generated {path} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def base_db(n: int, seed: int = 0) -> Path:
    """The same actors, issues and sources as :func:`stance_db`, and no stances."""
    path = db_path(n, base=True, seed=seed)
    if path.exists():
        return _current(path)
    tmp = path.with_suffix(".tmp")
    shutil.copyfile(stance_db(n, seed), tmp)
    with sqlite3.connect(tmp, isolation_level=None) as conn:
        conn.execute("DELETE FROM position_day")
        conn.execute("DELETE FROM stance")
        conn.execute("VACUUM")
    conn.close()
    tmp.rename(path)
    return path


# --- the world: actors, their positions ----------------------------------------------


@dataclass
class _Speaker:
    actor_id: int
    names: list[str]  # canonical name first
    # Per issue id: change days (ordinals) and the position from each day on.
    days: dict[int, list[int]] = field(default_factory=dict)
    values: dict[int, list[float]] = field(default_factory=dict)

    def position(self, issue_id: int, day: int) -> float:
        at = bisect.bisect_right(self.days[issue_id], day) - 1
        return self.values[issue_id][max(at, 0)]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()


def actor_rows(seed: int = 0) -> list[ActorRow]:
    """30 parties, each with 9 members; every name and alias distinct."""
    rng = random.Random(seed)
    taken: set[str] = set()

    def fresh(candidates: Iterator[str]) -> str:
        name = next(c for c in candidates if c.casefold() not in taken)
        taken.add(name.casefold())
        return name

    rows = []
    first_names = [n for names in FIRST_NAMES.values() for n in names.split()]
    for _ in range(N_PARTIES):
        stem = fresh(_word(rng, 3) for _ in itertools.count())
        party = fresh(f"{stem} {rng.choice(_PARTY_KINDS)}" for _ in itertools.count())
        aliases = [stem]
        acronym = "".join(w[0] for w in party.split()).upper() + stem[1].upper()
        if acronym.casefold() not in taken:
            taken.add(acronym.casefold())
            aliases.append(acronym)
        kind = rng.choice(("organisation", "organisation", "state", "coalition"))
        rows.append(ActorRow(party, kind, "", aliases))
        for _ in range(MEMBERS_PER_PARTY):
            surname = fresh(
                _word(rng, 2) + rng.choice(("ov", "enko", "son", "ini")) for _ in itertools.count()
            )
            if rng.random() < 0.1:
                rows.append(ActorRow(f"{surname} government", "government", party, [surname]))
                continue
            name = fresh(f"{rng.choice(first_names)} {surname}" for _ in itertools.count())
            role = fresh(f"{rng.choice(_ROLES)} {surname}" for _ in itertools.count())
            rows.append(ActorRow(name, "person", party, [surname, role]))
    return rows


def _speakers(conn: sqlite3.Connection, rng: random.Random) -> list[_Speaker]:
    """Every actor with its names and a drifting, sometimes flipping, position per issue."""
    names: dict[int, list[str]] = {}
    for actor_id, name in conn.execute("SELECT id, name FROM actor ORDER BY id"):
        names[actor_id] = [name]
    for actor_id, alias in conn.execute("SELECT actor_id, alias FROM actor_alias ORDER BY id"):
        if alias != names[actor_id][0]:
            names[actor_id].append(alias)
    issues = [i for (i,) in conn.execute("SELECT id FROM issue ORDER BY slug")]
    party_of = dict(conn.execute("SELECT id, coalesce(party_id, id) FROM actor"))
    party_line = {(p, i): rng.uniform(-2, 2) for p in set(party_of.values()) for i in issues}
    speakers = []
    for actor_id, actor_names in names.items():
        speaker = _Speaker(actor_id, actor_names)
        for issue in issues:
            value = max(-2.0, min(2.0, party_line[party_of[actor_id], issue] + rng.gauss(0, 0.6)))
            days, values = [0], [value]
            for day in sorted(rng.sample(range(1, DAYS), rng.randint(3, 10))):
                if rng.random() < 0.15:
                    value = -value if abs(value) > 0.5 else rng.choice((-1.5, 1.5))
                else:
                    value += rng.gauss(0, 0.5)
                days.append(day)
                values.append(max(-2.0, min(2.0, value)))
            speaker.days[issue], speaker.values[issue] = days, values
        speakers.append(speaker)
    rng.shuffle(speakers)  # activity follows a power law over a random order of actors
    return speakers


# --- sources and stances -------------------------------------------------------------


def _source_days(rng: random.Random, count: int) -> list[int]:
    """Publication days: busier over time, quieter at weekends, eight summit weeks."""
    summits = {
        w * 7 + d for w in rng.sample(range(4, DAYS // 7 - 1), SUMMIT_WEEKS) for d in range(7)
    }
    weights = []
    for day in range(DAYS):
        weight = (0.5 + day / DAYS) * (0.5 if (FIRST_DAY.weekday() + day) % 7 >= 5 else 1.0)
        weights.append(weight * (4.0 if day in summits else 1.0))
    return sorted(
        rng.choices(range(DAYS), cum_weights=list(itertools.accumulate(weights)), k=count)
    )


def _filler(rng: random.Random) -> str:
    a, b = rng.choice(_NOUNS), rng.choice(_NOUNS)
    return (
        f"The {rng.choice(_ADJECTIVES)} {a} {rng.choice(_MODALS)} shape the {b} in "
        f"{rng.choice(CITIES)}, officials {rng.choice(ADVERBS)} {rng.choice(REPORTING)}."
    )


def _quote(rng: random.Random, keyword: str, position: int) -> str:
    return (
        f"{rng.choice(OPENERS[position])} {keyword}, because the {rng.choice(_ADJECTIVES)} "
        f"{rng.choice(_NOUNS)} {rng.choice(_MODALS)} decide the {rng.choice(_NOUNS)}"
    )


@dataclass
class _Said:
    """One quoted statement: who said what on which issue, and the stance it becomes."""

    speaker: _Speaker
    issue_id: int
    position: int
    body: str
    stated_on: int
    status: str
    confidence: float


def _text(rng: random.Random, said: list[_Said], headline: str, city: str) -> tuple[str, list[int]]:
    """A source text quoting every statement; returns it and each quote's start offset."""
    parts: list[str] = [headline, "\n\n", f"{city} — "]
    starts: list[int] = []
    length = sum(len(p) for p in parts)
    pending = list(said)
    while pending or length < 1400:
        if pending and rng.random() < 0.75:
            item = pending.pop(0)
            name = rng.choice(item.speaker.names)
            starts.append(length + 1)  # after the opening quotation mark
            parts.append(f'"{item.body}," {name} {rng.choice(REPORTING)}.')
            length += len(parts[-1])
        else:
            parts.append(_filler(rng))
            length += len(parts[-1])
        gap = "\n\n" if rng.random() < 0.25 else " "
        parts.append(gap)
        length += len(gap)
    return "".join(parts).rstrip() + "\n", starts


class _Generator:
    def __init__(self, conn: sqlite3.Connection, n: int, seed: int) -> None:
        self.conn, self.n = conn, n
        self.rng = random.Random(seed + 1)
        self.speakers = _speakers(conn, self.rng)
        self.activity = list(
            itertools.accumulate(1 / (r + 1) ** 0.8 for r in range(len(self.speakers)))
        )
        self.issues = [
            (issue_id, json.loads(keywords))
            for issue_id, keywords in conn.execute("SELECT id, keywords FROM issue ORDER BY slug")
        ]
        self.issue_weights = list(itertools.accumulate(ISSUE_WEIGHTS[: len(self.issues)]))
        self.sources: list[tuple[object, ...]] = []
        self.stances: list[tuple[object, ...]] = []
        self.stance_id = 0

    def run(self) -> None:
        rng = self.rng
        count = max(1, round(self.n / STANCES_PER_SOURCE))
        days = _source_days(rng, count)
        recent: deque[tuple[int, list[_Said]]] = deque(maxlen=50)
        remaining = self.n
        for source_id, day in enumerate(days, start=1):
            left = len(days) - source_id + 1
            last = left == 1
            share = remaining / left  # ~10, whatever rewrites took or left over
            wanted = (
                remaining if last else max(1, min(remaining, round(share * rng.uniform(0.5, 1.5))))
            )
            if recent and not last and rng.random() < DUPLICATE_SHARE:
                original, said = rng.choice(recent)
                kept = rng.sample(said, min(len(said), wanted, max(1, len(said) * 4 // 5)))
                self._source(source_id, day, kept, original)
            else:
                said = [self._said(day) for _ in range(wanted)]
                self._source(source_id, day, said, None)
                recent.append((source_id, said))
            remaining = self.n - self.stance_id
            if len(self.stances) >= BATCH:
                self._flush()
        self._flush()

    def _said(self, day: int) -> _Said:
        rng = self.rng
        speaker = self.speakers[bisect.bisect_left(self.activity, rng.random() * self.activity[-1])]
        issue_id, keywords = rng.choices(self.issues, cum_weights=self.issue_weights)[0]
        status = rng.choices(("accepted", "suggested", "rejected"), cum_weights=(90, 97, 100))[0]
        if status == "rejected":
            position = rng.randint(-2, 2)  # a wrong suggestion
        else:
            latent = speaker.position(issue_id, day) + rng.gauss(0, 0.35)
            position = max(-2, min(2, round(latent)))
        keyword = rng.choice(keywords)
        stated = day - rng.choices((0, 1, 2), cum_weights=(70, 95, 100))[0]
        low = 0.6 if status == "accepted" else 0.3
        return _Said(
            speaker,
            issue_id,
            position,
            _quote(rng, keyword, position),
            max(stated, 0),
            status,
            round(rng.uniform(low, 1.0), 2),
        )

    def _source(self, source_id: int, day: int, said: list[_Said], original: int | None) -> None:
        rng = self.rng
        said = list(said)
        if original is not None:
            rng.shuffle(said)
        headline = (
            f"{rng.choice(_ADJECTIVES).capitalize()} {rng.choice(_NOUNS)} talks "
            f"{rng.choice(REPORTING)} in {rng.choice(CITIES)}"
        )
        text, starts = _text(rng, said, headline, rng.choice(CITIES))
        text = f"{text}\nSource {source_id}.\n"  # every text distinct, rewrites too
        published = FIRST_DAY + dt.timedelta(days=day)
        outlet = rng.choice(OUTLETS)
        ingested = dt.datetime.combine(published, dt.time(6)) + dt.timedelta(
            seconds=rng.randint(0, 36 * 3600)
        )
        self.sources.append(
            (
                source_id,
                headline,
                outlet,
                f"https://{outlet.lower().replace(' ', '')}.example/{published:%Y/%m}/{source_id}",
                published.isoformat(),
                text,
                content_hash(text),
                original,
                f"{ingested:%Y-%m-%d %H:%M:%S}.000000",
                round(rng.uniform(0.6, 0.95), 3) if original else None,
                None,
                "page metadata",
                "{}",
            )
        )
        for item, start in zip(said, starts, strict=True):
            self._stance(source_id, item, start)

    def _stance(self, source_id: int, item: _Said, start: int) -> None:
        rng = self.rng
        self.stance_id += 1
        stated = FIRST_DAY + dt.timedelta(days=item.stated_on)
        created = dt.datetime.combine(stated, dt.time(9)) + dt.timedelta(
            seconds=rng.randint(3600, 10 * 86400)
        )
        edited = rng.random() < 0.1
        updated = created + dt.timedelta(hours=rng.randint(1, 200)) if edited else created
        origin = (
            "suggestion"
            if item.status != "accepted"
            else rng.choices(("analyst", "suggestion", "import"), cum_weights=(70, 90, 100))[0]
        )
        annotator = "" if item.status == "suggested" else rng.choice(ANNOTATORS)
        note = ""
        if rng.random() < 0.05:
            note = rng.choice(("- check the translation", "paraphrased by the outlet", "=draft"))
        self.stances.append(
            (
                self.stance_id,
                item.speaker.actor_id,
                item.issue_id,
                source_id,
                stated.isoformat(),
                item.position,
                item.confidence,
                item.body,
                start,
                start + len(item.body),
                item.status,
                origin,
                annotator,
                note,
                f"{created:%Y-%m-%d %H:%M:%S}.000000",
                f"{updated:%Y-%m-%d %H:%M:%S}.000000",
                2 if edited else 1,
            )
        )

    def _flush(self) -> None:
        self.conn.executemany(
            "INSERT INTO source (id, title, outlet, url, published_on, text, content_hash, "
            "duplicate_of, ingested_at, similarity, split_from, published_basis, ingest_log) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.sources,
        )
        self.conn.executemany(
            "INSERT INTO stance (id, actor_id, issue_id, source_id, stated_on, position, "
            "confidence, quote, quote_start, quote_end, status, origin, annotator, note, "
            "created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            self.stances,
        )
        self.sources.clear()
        self.stances.clear()


def _build(path: Path, n: int, seed: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as session:
        import_issues(session, read_issue_csv(SEEDS / "issues.csv"))
        import_actors(session, actor_rows(seed))
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
        conn.execute("BEGIN")
        _Generator(conn, n, seed).run()
        conn.execute("COMMIT")
        problems = conn.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"generated rows break foreign keys: {problems[:5]}")
    finally:
        conn.close()
    # The stances went in by hand: derive the stored per-day positions as the tracker does.
    engine = make_engine(f"sqlite:///{path}")
    started = time.perf_counter()
    with transaction(engine) as session:
        days = rebuild(session)
    engine.dispose()
    print(f"position_day: {days:,} days in {time.perf_counter() - started:.1f} s", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes", default=",".join(str(s) for s in SIZES), help="stance counts, comma-separated"
    )
    parser.add_argument("--seed", type=int, default=0, help="the data's random seed")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    for size in sizes:
        print(stance_db(size, args.seed), base_db(size, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
