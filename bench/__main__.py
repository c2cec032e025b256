"""python -m bench: run every benchmark and write docs/benchmarks.md (and its JSON files).

Each benchmark script runs in a fresh interpreter, one after another; their JSON files go to
``--out-dir`` (docs/benchmarks/), the run's record to run.json there, each target's verdict
to summary.json, and the document is rendered from that folder. ``--quick`` is a smoke run
(10k only, one run each, no profiles or step breakdown) into /tmp/bench-quick/, so it never
replaces the published figures; ``--render-only`` runs nothing and re-renders the document
from the JSON files already there.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from bench import doc
from bench.run_all import BENCHMARKS, DOC, DOCS, QUICK, Options, run
from bench.stances_data import SIZES

INGEST_SIZES = (10_000, 100_000)
SUGGEST_ARTICLES = 10_000
QUICK_SIZE = 10_000


def _sizes(text: str) -> list[int]:
    try:
        return sorted(int(s.replace("_", "")) for s in text.split(",") if s.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text}") from error


def _benchmarks(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}"
        )
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench", description=(__doc__ or "").split("\n", 1)[0]
    )
    p.add_argument("--sizes", type=_sizes, help="stance counts (default 10000,100000,1000000)")
    p.add_argument("--ingest-sizes", type=_sizes, help="articles to ingest (default 10000,100000)")
    p.add_argument("--suggest-articles", type=int, help="articles to suggest on (default 10000)")
    p.add_argument("--pg-url", help="also run on this PostgreSQL server (default: SQLite only)")
    p.add_argument("--only", type=_benchmarks, default=list(BENCHMARKS), help=",".join(BENCHMARKS))
    p.add_argument("--runs", type=int, help="runs per figure (default: each script's own)")
    p.add_argument("--quick", action="store_true", help="smoke run: 10k, 1 run, /tmp output")
    p.add_argument("--render-only", action="store_true", help="re-render; run nothing")
    p.add_argument("--out-dir", type=Path, help=f"JSON folder (default {DOCS}, quick {QUICK})")
    p.add_argument("--doc", type=Path, help="document to write (default docs/benchmarks.md)")
    return p


def options(args: argparse.Namespace) -> Options:
    quick = args.quick
    out_dir = args.out_dir or (QUICK if quick else DOCS)
    return Options(
        sizes=args.sizes or ([QUICK_SIZE] if quick else list(SIZES)),
        ingest_sizes=args.ingest_sizes or ([QUICK_SIZE] if quick else list(INGEST_SIZES)),
        suggest_articles=args.suggest_articles or SUGGEST_ARTICLES,
        pg_url=args.pg_url,
        only=args.only,
        runs=args.runs or (1 if quick else None),
        quick=quick,
        out_dir=out_dir,
        doc=args.doc or (DOC if out_dir.resolve() == DOCS else out_dir / "benchmarks.md"),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    settings = options(args)
    failed = False
    if not args.render_only:
        record = run(settings, " ".join(["python -m bench", shlex.join(argv)]).strip())
        failed = any(step["returncode"] for step in record["steps"])
    doc.write(settings.out_dir, settings.doc)
    print(f"wrote {settings.doc} and {settings.out_dir / doc.SUMMARY}")
    if failed:
        print("some benchmarks FAILED: see run.json", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
