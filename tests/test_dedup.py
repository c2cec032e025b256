"""Rewrites of a story are linked to the original; other stories on the same talks are not."""

from __future__ import annotations

import itertools
import math
import os
import random
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.band_index import BandIndex, bands
from tracker.dedup import (
    BANDS,
    CANDIDATE_THRESHOLD,
    DUPLICATE_THRESHOLD,
    EMPTY_SIGNATURE,
    NUM_PERM,
    ROWS,
    Comparable,
    estimated_similarity,
    features,
    fingerprint,
    is_duplicate,
    signature,
    similarity,
)
from tracker.rewrites import RecentStories

REWRITE, ORIGINAL = "000", "001"
SEEDS = ("000", "001", "002", "003", "004")
OTHER_PAIRS = [p for p in itertools.combinations(SEEDS, 2) if p != (REWRITE, ORIGINAL)]


@cache
def seed(prefix: str) -> str:
    """A seed article; 003 without its "Related Articles" tail (split off at ingestion)."""
    articles = files("tracker.seeds") / "articles"
    (path,) = [p for p in articles.iterdir() if p.name.startswith(f"{prefix}_")]
    return path.read_text(encoding="utf-8").split("Try Our AI Features")[0]


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b)


def shared_bands(sig_a: bytes, sig_b: bytes) -> int:
    """Bands equal in both signatures, counted one band at a time from the slots."""
    slots_a = [sig_a[i : i + 4] for i in range(0, len(sig_a), 4)]
    slots_b = [sig_b[i : i + 4] for i in range(0, len(sig_b), 4)]
    return sum(
        slots_a[band * ROWS : (band + 1) * ROWS] == slots_b[band * ROWS : (band + 1) * ROWS]
        for band in range(BANDS)
    )


def shares_a_bucket(text_a: str, text_b: str) -> bool:
    return shared_bands(signature(text_a), signature(text_b)) > 0


# Two different stories on the same negotiations, written to share as much of its
# vocabulary as real coverage does: the same leaders with their titles, "security
# guarantees", "coalition of the willing", "peace deal", "ceasefire", "told reporters".
TOPIC_A = """\
Ukrainian President Volodymyr Zelenskiy met French President Emmanuel Macron and British
Prime Minister Keir Starmer in Paris on Thursday to discuss security guarantees for Ukraine
in the event of a peace deal with Russia.
The coalition of the willing, some 30 European and allied countries, pledged to deploy a
reassurance force to Ukraine once a ceasefire is agreed, Macron told reporters after the
talks. Germany and Poland said they would support the force from their own territory.
Zelenskiy said Ukraine needed guarantees "that work, not promises on paper", and urged US
President Donald Trump to back the European plan with American air power and intelligence.
Russian President Vladimir Putin has rejected any deployment of troops from NATO countries
in Ukraine. The Kremlin said on Thursday that foreign troops would be a legitimate target.
NATO Secretary General Mark Rutte, who joined the meeting by video link, said the alliance
would keep supplying weapons to Kyiv while the negotiations continue.
"""

TOPIC_B = """\
Russian President Vladimir Putin said on Friday he would meet Ukrainian President Volodymyr
Zelenskiy only to sign a final peace deal, and that security guarantees for Ukraine must
also cover Russia's own security.
Speaking in Vladivostok, Putin said any foreign troops deployed in Ukraine, whether from
NATO countries or not, would be treated as a target by Russian forces. He dismissed the
coalition of the willing as an attempt to drag the war on.
US President Donald Trump told reporters at the White House he was "very disappointed" with
Putin and was considering new sanctions on Russian oil buyers, but gave no deadline.
Zelenskiy, speaking in Kyiv, called Putin's offer a stalling tactic and said Ukraine was
ready for a ceasefire along the current front line. French President Emmanuel Macron said
Europe would raise pressure on Moscow if the Kremlin kept refusing a ceasefire.
The Kremlin said talks between Russian and Ukrainian negotiators in Istanbul could resume,
but only at the level of experts.
"""


# --- the seed articles --------------------------------------------------------------------


def test_the_seed_rewrite_is_found_and_linked() -> None:
    rewrite, original = seed(REWRITE), seed(ORIGINAL)
    assert shares_a_bucket(rewrite, original)
    assert estimated_similarity(signature(rewrite), signature(original)) >= CANDIDATE_THRESHOLD
    duplicate, score = is_duplicate(rewrite, original)
    assert duplicate
    assert score >= DUPLICATE_THRESHOLD + 0.1  # measured 0.320: not a near miss


@pytest.mark.parametrize(("a", "b"), OTHER_PAIRS, ids=["~".join(p) for p in OTHER_PAIRS])
def test_different_stories_on_the_same_talks_are_not_linked(a: str, b: str) -> None:
    duplicate, score = is_duplicate(seed(a), seed(b))
    assert not duplicate
    assert score <= DUPLICATE_THRESHOLD / 2  # measured <= 0.083: well clear


def test_the_topic_vocabulary_pair_is_a_candidate_but_not_a_duplicate() -> None:
    # As many shared words as the seed rewrite (0.25 vs 0.29): only the decision on
    # bigrams, with short texts counted as _MIN_BIGRAMS long, tells them apart.
    assert jaccard(features(TOPIC_A), features(TOPIC_B)) > 0.2
    duplicate, score = is_duplicate(TOPIC_A, TOPIC_B)
    assert not duplicate
    assert score < DUPLICATE_THRESHOLD * 0.6  # measured 0.09


# --- robustness to the edits a copy goes through -------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.splitlines() if p.strip()]


def _swap_words(text: str) -> str:
    for old, new in [
        ("explain", "set out"),
        ("sources", "people"),
        ("hosted", "held"),
        ("friendly", "warm"),
        ("mounting", "growing"),
        ("steady", "continuing"),
    ]:
        text = text.replace(old, new, 1)
    return text


def _reorder(text: str) -> str:
    paragraphs = _paragraphs(text)
    random.Random(7).shuffle(paragraphs)
    return "\n\n".join(paragraphs)


def _restyle(text: str) -> str:
    """Upper case, one line, doubled spaces, typographic punctuation."""
    text = " ".join(text.split()).upper().replace(" ", "  ")
    return text.replace('"', "\u201c").replace("'", "\u2019").replace(",", " ,").replace(".", ";")


def _add_sentences(text: str) -> str:
    added = "This story was updated with a comment from the Kremlin spokesman Dmitry Peskov."
    return f"{added}\n{text}\nThe Kremlin declined to comment on the Paris meeting.\n"


def _abridge(text: str) -> str:
    paragraphs = _paragraphs(text)
    return "\n".join(paragraphs[: len(paragraphs) * 2 // 3])


def _all_edits(text: str) -> str:
    return _restyle(_add_sentences(_reorder(_swap_words(text))))


EDITS = [_swap_words, _reorder, _restyle, _add_sentences, _abridge, _all_edits]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__.strip("_") for e in EDITS])
def test_an_edited_copy_is_a_duplicate(edit: Callable[[str], str]) -> None:
    original = seed(ORIGINAL)
    copy = edit(original)
    assert copy != original
    assert shares_a_bucket(copy, original)
    duplicate, score = is_duplicate(copy, original)
    assert duplicate
    assert score > 0.8


def test_case_whitespace_and_unicode_form_do_not_change_the_signature() -> None:
    text = seed(REWRITE)
    full_width = text.replace("Zelenskiy", "\uff3a\uff45\uff4c\uff45\uff4e\uff53\uff4b\uff49\uff59")
    variant = " \n ".join(full_width.upper().split())
    assert signature(variant) == signature(text)


def test_a_short_text_is_not_a_rewrite_of_a_long_one_for_its_stock_phrases() -> None:
    brief = (
        "Ukrainian President Volodymyr Zelenskiy met US President Donald Trump and French "
        "President Emmanuel Macron in Paris to discuss security guarantees for Ukraine and a "
        "peace deal with Russia, whose President Vladimir Putin wants a ceasefire."
    )
    assert not is_duplicate(brief, seed(ORIGINAL))[0]


def test_a_short_text_copied_verbatim_is_still_a_duplicate() -> None:
    # Two paragraphs, 70 words: 0.17 * _MIN_BIGRAMS = 34 shared bigrams are needed.
    excerpt = "\n".join(_paragraphs(seed(ORIGINAL))[2:4])
    assert is_duplicate(excerpt, seed(ORIGINAL))[0]


# --- the signature and its buckets ------------------------------------------------------------


def test_the_parameters_fit_together() -> None:
    assert BANDS * ROWS == NUM_PERM
    p_candidate = (
        1 - (1 - jaccard(features(seed(REWRITE)), features(seed(ORIGINAL))) ** ROWS) ** BANDS
    )
    assert p_candidate >= 0.99


def test_the_signature_is_the_same_in_another_process() -> None:
    texts = [seed(ORIGINAL), "Зеленський і Макрон: гарантії безпеки", "ﬁnal “deal” №5"]
    code = (
        "import sys; from tracker.dedup import signature; "
        "print(*(signature(t).hex() for t in sys.stdin.read().split('\\0')))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # a different str hash() than ours
    done = subprocess.run(
        [sys.executable, "-c", code],
        input="\0".join(texts),
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        check=True,
    )
    assert done.stdout.split() == [signature(t).hex() for t in texts]


def test_a_signature_is_num_perm_uint32() -> None:
    assert len(signature(seed(ORIGINAL))) == NUM_PERM * 4
    assert len(EMPTY_SIGNATURE) == NUM_PERM * 4


def test_a_signature_is_one_uint64_per_band() -> None:
    sig = signature(seed(ORIGINAL))
    assert len(bands(sig)) == BANDS
    assert [int(b).to_bytes(8, "little") for b in bands(sig)] == [
        sig[i : i + 8] for i in range(0, len(sig), 8)
    ]


def _standard_error(j: float) -> float:
    """Each slot agrees with probability j: the estimate is Binomial(NUM_PERM, j) / NUM_PERM."""
    return math.sqrt(j * (1 - j) / NUM_PERM)


ALL_PAIRS = list(itertools.combinations(SEEDS, 2))


@pytest.mark.parametrize(("a", "b"), ALL_PAIRS, ids=["~".join(p) for p in ALL_PAIRS])
def test_the_estimate_is_within_four_standard_errors_of_the_jaccard(a: str, b: str) -> None:
    # The hash functions are fixed, so this is deterministic; 4 standard errors (0.10 at
    # j = 0.14) hold for a correct MinHash with probability 0.99994 per pair, while a wrong
    # packing or a broken hash is off by far more.
    j = jaccard(features(seed(a)), features(seed(b)))
    estimate = estimated_similarity(signature(seed(a)), signature(seed(b)))
    assert abs(estimate - j) <= 4 * _standard_error(j)


def test_the_estimate_is_unbiased_over_many_pairs() -> None:
    # 200 pairs of random word sets at Jaccard 0.2: the mean error has a standard error of
    # 0.035 / sqrt(200) = 0.0025, so a bias of 0.01 (4 of those) would show.
    rng = random.Random(3)
    errors = []
    for _ in range(200):
        words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(300)]
        a, b = " ".join(words[:150] + words[:50]), " ".join(words[:50] + words[150:])
        j = jaccard(features(a), features(b))
        errors.append(estimated_similarity(signature(a), signature(b)) - j)
    assert abs(sum(errors) / len(errors)) < 0.01


# --- texts without features ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n", "the and of it was", "— … !!! 7 a"])
def test_a_text_without_features_never_matches(text: str) -> None:
    assert features(text) == set()
    assert signature(text) == EMPTY_SIGNATURE
    featureless = BandIndex(window=10)
    featureless.add(1, EMPTY_SIGNATURE)
    assert len(featureless) == 0  # no bands: not a candidate for every other such text
    assert estimated_similarity(EMPTY_SIGNATURE, EMPTY_SIGNATURE) == 0.0
    assert is_duplicate(text, text) == (False, 0.0)
    assert is_duplicate(text, seed(ORIGINAL)) == (False, 0.0)


def test_a_signature_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(ValueError, match="bytes"):
        estimated_similarity(b"\0" * 8, signature(seed(ORIGINAL)))


# --- properties --------------------------------------------------------------------------------

WORDS = sorted(features(seed(ORIGINAL)))[:60] + ["the", "of", "said"]
texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=120).map(" ".join),
)


@settings(deadline=None)
@given(texts)
def test_a_text_is_fully_similar_to_itself(text: str) -> None:
    expected = 1.0 if features(text) else 0.0
    assert estimated_similarity(signature(text), signature(text)) == expected


@settings(deadline=None)
@given(texts, texts)
def test_the_decision_is_symmetric_and_bounded(a: str, b: str) -> None:
    assert is_duplicate(a, b) == is_duplicate(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0
    assert estimated_similarity(signature(a), signature(b)) == estimated_similarity(
        signature(b), signature(a)
    )


@settings(deadline=None)
@given(texts)
def test_bands_in_memory_count_the_equal_bands(text: str) -> None:
    index = BandIndex(window=10)
    index.add(1, signature(text))
    assert len(index) == (1 if features(text) else 0)
    other = signature(seed(ORIGINAL))
    expected = shared_bands(signature(text), other) if features(text) else 0
    assert dict(index.shared(other, after=0, exclude=0, limit=1)).get(1, 0) == expected


# --- what ingestion computes once per article ---------------------------------------------


@pytest.mark.parametrize("prefix", SEEDS)
def test_fingerprint_is_the_signature_and_the_bigrams_of_the_text(prefix: str) -> None:
    sig, bigrams = fingerprint(seed(prefix))
    assert sig == signature(seed(prefix))
    for other in SEEDS:
        assert bigrams.similarity(Comparable(seed(other))) == similarity(seed(prefix), seed(other))


def test_recent_stories_keep_only_what_was_stored_and_the_newest() -> None:
    recent = RecentStories(size=2)
    stored, failed = fingerprint(seed("001")), fingerprint(seed("004"))
    recent.remember(1, stored)
    recent.keep()  # its input's savepoint was released
    recent.remember(2, failed)
    recent.forget()  # rolled back: id 2 may be given to another text
    assert recent.get(1) is stored and recent.get(2) is None
    recent.remember(2, stored)
    recent.remember(3, stored)
    recent.keep()
    assert recent.get(1) is None and recent.get(3) is stored  # the window moved on


def test_bands_in_memory_rank_the_recent_sources() -> None:
    """Ingestion ranks recent articles by bands shared, counted in memory: the counts
    must be those of the bands compared one by one."""
    index = BandIndex(window=10)
    for number, prefix in enumerate(SEEDS, start=1):
        index.add(number, signature(seed(prefix)))
    index.keep()
    mine = signature(seed(REWRITE))
    expected = {
        number: shared_bands(mine, signature(seed(prefix)))
        for number, prefix in enumerate(SEEDS, start=1)
        if prefix != REWRITE
    }
    found = dict(index.shared(mine, after=0, exclude=SEEDS.index(REWRITE) + 1, limit=10))
    assert found == {number: n for number, n in expected.items() if n}
    assert found[SEEDS.index(ORIGINAL) + 1] == max(found.values())  # the rewrite's original
    # Only the best are kept.
    assert list(dict(index.shared(mine, 0, 1, limit=1))) == [SEEDS.index(ORIGINAL) + 1]
    index.add(6, mine)
    index.forget()  # a rolled-back input's bands are not searched
    assert 6 not in dict(index.shared(mine, 0, 0, limit=10))
