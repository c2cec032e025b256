"""The shipped demo data is what an analyst would have recorded from the seed articles."""

from __future__ import annotations

import csv
import io
from collections import Counter

from tracker.demo import seed_dir

SLUGS = {
    "ceasefire-first",
    "land-swaps",
    "nato-membership",
    "troop-deployments",
    "security-guarantees",
}


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((seed_dir() / name).read_text(encoding="utf-8"))))


def test_every_quote_is_verbatim_in_its_article() -> None:
    articles = seed_dir() / "articles"
    for row in _rows("stances.csv"):
        text = (articles / row["source"]).read_text(encoding="utf-8")
        assert row["quote"] in text, row


def test_no_stance_comes_from_the_related_articles_tail() -> None:
    for row in _rows("stances.csv"):
        if row["source"].startswith("003_"):
            text = (seed_dir() / "articles" / row["source"]).read_text(encoding="utf-8")
            assert text.index(row["quote"]) < text.index("Related Articles"), row


def test_coverage_of_the_taxonomy() -> None:
    stances = _rows("stances.csv")
    assert len(stances) >= 25
    assert {r["slug"] for r in _rows("issues.csv")} == SLUGS
    assert set(Counter(r["issue"] for r in stances)) == SLUGS
    for issue in _rows("issues.csv"):
        assert all(issue[f"label_{p}"] for p in range(-2, 3)), issue["slug"]


def test_trump_ceasefire_first_reversal_is_seeded() -> None:
    trump = sorted(
        (r["stated_on"], int(r["position"]))
        for r in _rows("stances.csv")
        if r["actor"] == "Donald Trump" and r["issue"] == "ceasefire-first"
    )
    assert [d for d, _ in trump] == ["2024-12-07", "2025-08-13", "2025-08-18"]
    assert trump[0][1] > 0 and trump[1][1] > 0 and trump[2][1] < 0


def test_the_rewrite_is_marked_as_a_duplicate() -> None:
    manifest = {r["file"]: r for r in _rows("articles/manifest.csv")}
    assert manifest["000_5abd108951ae58a9.txt"]["duplicate_of"] == "001_23354147e0474606.txt"
    assert len(manifest) == 5
