"""The extraction layer: bytes of a file in, the article text and what is known about it out."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import TrackerError
from tracker.extract import MAX_BYTES, SUPPORTED, Extracted, extract
from tracker.related import split_related

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds" / "articles"
DATA = Path(__file__).resolve().parent / "data" / "extract"

SEED_000 = "000_5abd108951ae58a9.txt"
SEED_001 = "001_23354147e0474606.txt"
SEED_002 = "002_709f463d14c79fa6.txt"
SEED_003 = "003_416c7c789a07eea4.txt"
SEED_004 = "004_d496d2c999efebb5.txt"


def seed(name: str) -> Extracted:
    return extract(name, (SEEDS / name).read_bytes())


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def page(name: str) -> Extracted:
    return extract(name, (DATA / name).read_bytes())


# --- the seed articles as text ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title", "published_on", "related"),
    [
        (SEED_000, "", None, 0),
        (
            SEED_001,
            "Zelenskiy made case for security guarantees at meeting with Trump",
            "2024-12-07",
            0,
        ),
        (
            SEED_002,
            "Five things we learned from Trump’s meeting with Zelensky ahead of Putin summit",
            None,
            0,
        ),
        (
            SEED_003,
            "US would help assure Ukraine's security in a peace deal, Trump tells Zelenskyy",
            None,
            3,
        ),
        (SEED_004, "", "2025-09-04", 0),
    ],
)
def test_seed_articles(name: str, title: str, published_on: str | None, related: int) -> None:
    result = seed(name)
    assert result.title == title
    expected = dt.date.fromisoformat(published_on) if published_on else None
    assert result.published_on == expected
    assert bool(result.published_basis) == bool(expected)
    assert len(result.related) == related
    assert result.notes == [] and result.outlet == "" and result.url == ""
    # What stances quote: the original characters, only trimmed at both ends.
    if not related:
        assert result.text == seed_text(name).strip()


def test_seed_dates_say_how_they_were_found() -> None:
    assert seed(SEED_004).published_basis == "stated in the text: 'date 2025-09-04'"
    assert seed(SEED_001).published_basis == (
        "stated in the text: 'Dec. 7', year taken from '2024' in the text"
    )


def test_seed_text_keeps_headline_byline_and_typography() -> None:
    s001 = seed(SEED_001)
    assert s001.text.startswith(s001.title + "\nBy John Irish and Tom Balmforth\n")
    s002 = seed(SEED_002)
    assert "‘There’s a very good chance we’re going to have a second meeting" in s002.text
    assert s002.text.startswith(s002.title)


def test_seed_003_related_stories_are_split_off() -> None:
    result = seed(SEED_003)
    assert result.text.startswith(result.title)
    assert result.text.endswith("according to analysts, and destroyed wide swaths of the country.")
    for foreign in ("Ben Gvir", "E1", "Turkey is still ready", "Try Our AI Features", "Comments"):
        assert foreign not in result.text
    assert [story.title for story in result.related] == [
        "Israel's Ben Gvir puts photos of Gaza destruction in prisons",
        "Germany rejects Israeli E1 settlement plan as illegal",
        "Turkey is still ready to deploy peace force in Ukraine",
    ]
    assert {story.outlet for story in result.related} == {"Middle East Eye"}
    turkey = result.related[2]
    assert turkey.text.startswith("Turkey remains open to providing security guarantees")
    assert turkey.text.endswith("ready to play a constructive role in achieving a durable peace.")
    for story in result.related:
        assert "an hour ago" not in story.text and "- Middle East Eye" not in story.text
    assert result.dropped == [
        "Try Our AI Features",
        "Explore what Daily8 AI can do for you:",
        "Comments",
        "No comments yet...",
        "Related Articles",
    ]


@pytest.mark.parametrize("name", [SEED_000, SEED_001, SEED_002, SEED_004])
def test_split_related_leaves_whole_articles_alone(name: str) -> None:
    text = seed_text(name)
    assert split_related(text) == (text, [], [])


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "report.txt looks like a binary file (PDF), not text",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "report.txt looks like a binary file (PNG image)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "report.txt looks like a binary file (zip archive or Word"),
        (b"some text\x00with a NUL byte", "report.txt looks like a binary file, not text"),
        (b"text \x01\x02\x03\x04 with controls", "report.txt looks like a binary file, not text"),
        (b"", "report.txt is empty"),
        (b" \n\t\r\n  ", "report.txt is empty"),
        (b"\xff\xfe\x00", "report.txt starts with a UTF-16 byte-order mark but is not valid"),
    ],
)
def test_bad_input_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(TrackerError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        extract("report.txt", data)


def test_random_bytes_are_refused() -> None:
    noise = bytes((i * 7919 + 13) % 251 + 1 for i in range(4000))
    with pytest.raises(TrackerError, match=r"^noise\.txt (looks like a binary file|: cannot)"):
        extract("noise.txt", noise)


def test_size_limit() -> None:
    assert MAX_BYTES == 5 * 1024 * 1024
    extract("big.txt", b"word " * (MAX_BYTES // 5))  # exactly at the limit is fine
    with pytest.raises(TrackerError, match=r"^big\.txt is 7\.2 MiB; the limit is 5 MiB$"):
        extract("big.txt", b"a" * int(7.2 * 1024 * 1024))
    with pytest.raises(TrackerError, match=r"is 5\.1 MiB"):
        extract("big.txt", b"a" * (MAX_BYTES + 1))


def test_unsupported_extension_and_kind() -> None:
    assert SUPPORTED == (".txt", ".md", ".markdown", ".html", ".htm")
    with pytest.raises(TrackerError, match=r"^notes\.docx: \.docx files are not supported; use "):
        extract("notes.docx", b"PK\x03\x04")
    assert extract("notes.docx", b"Plain words.", kind="text").text == "Plain words."
    assert extract("ARTICLE.TXT", b"Plain words.").text == "Plain words."
    with pytest.raises(TrackerError, match="unknown kind 'pdf'"):
        extract("a.txt", b"x", kind="pdf")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["a.txt", "a.md", "a.html", "<stdin>"]))
def test_any_bytes_give_an_article_or_a_user_error(data: bytes, name: str) -> None:
    try:
        result = extract(name, data)
    except TrackerError as exc:
        assert str(exc).startswith(name) and "\n" not in str(exc)
    else:
        assert result.text and result.text == result.text.strip()


# --- standard input and markdown --------------------------------------------------------


def test_stdin_is_sniffed() -> None:
    html = (DATA / "dateline_article.html").read_bytes()
    assert extract("<stdin>", html).title == (
        "Negotiators agree prisoner exchange framework in Istanbul"
    )
    text = "Kyiv said <p> tags are not HTML here.\nSecond line."
    assert extract("<stdin>", b"Kyiv talks resume\nTalks resumed today.").text.startswith("Kyiv")
    assert extract("<stdin>", text.encode(), kind="text").text == text
    assert extract("downloaded-page", html).outlet == ""  # no extension: sniffed as HTML


@pytest.mark.parametrize(
    "text",
    [
        "EU and Mercosur close in on a deal\ndate 2025-09-04\n\nNegotiators said so.\nMore.",
        "date 2025-09-04\nEU and Mercosur close in on a deal\n\nNegotiators said so.\nMore.",
    ],
)
def test_a_date_line_beside_the_headline_keeps_the_title(text: str) -> None:
    """The user guide's `date 2025-09-04` line, above or below the headline, is neither
    the title nor a paragraph the headline runs into."""
    got = extract("a.txt", text.encode())
    assert got.title == "EU and Mercosur close in on a deal"
    assert got.published_on == dt.date(2025, 9, 4)


def test_markdown_front_matter_and_heading() -> None:
    body = "# Ceasefire talks stall\n\nThe *talks* stalled on 5 September 2025, officials said.\n"
    result = extract("a.md", body.encode())
    assert result.text == body.strip()
    assert result.title == "Ceasefire talks stall"
    assert result.published_on == dt.date(2025, 9, 5)
    front = '---\ntitle: "Talks, day two"\ndate: 2025-09-06T08:00:00Z\ntags: [x]\n---\n'
    result = extract("a.markdown", (front + body).encode())
    assert result.text == body.strip()
    assert result.title == "Talks, day two"
    assert result.published_on == dt.date(2025, 9, 6)
    assert result.published_basis == "front matter: 'date: 2025-09-06T08:00:00Z'"
    assert extract("a.md", b"Title\n=====\n\nText.").title == "Title"


# --- HTML pages -------------------------------------------------------------------------


def test_news_page_keeps_the_article_and_drops_the_furniture() -> None:
    result = page("news_article.html")
    assert result.title == "Allies draft security guarantees for Ukraine before Geneva round"
    assert result.outlet == "The Northern Ledger"
    assert result.url == (
        "https://www.northernledger.example/world/europe/"
        "allies-draft-security-guarantees-ukraine-geneva"
    )
    assert result.published_on == dt.date(2025, 9, 11)
    assert result.published_basis == "page metadata"
    assert result.text.startswith("European defence ministers on Wednesday agreed a draft")
    for sentence in (
        "“This is the floor, not the ceiling,” said one senior European diplomat",
        "Kyiv has long argued that only guarantees backed by the United States",
        "Moscow has repeatedly said it would not accept the presence of troops",
        "before the draft goes to leaders.",
    ):
        assert sentence in result.text
    for furniture in (
        "cookies",  # banner
        "Subscribe for £1 a week",  # navigation
        "Politics",
        "Switch your energy supplier",  # advert
        "Advertisement",
        "First Edition",  # newsletter box
        "inbox",
        "What a ceasefire monitoring mission",  # related links
        "Share on Facebook",
        "Comments",
        "Guarantees without troops",  # a comment
        "Most read",
        "Rail strike dates",
        "All rights reserved",  # footer
        "Privacy policy",
    ):
        assert furniture not in result.text


def test_windows_1252_page() -> None:
    result = page("cp1252_article.html")
    assert result.notes == ["decoded as windows-1252 (declared by the page)"]
    assert result.title == "Macron hosts Élysée dinner on Ukraine ceasefire monitoring"
    assert result.outlet == "Riviera Courier"
    assert result.published_on == dt.date(2025, 8, 27)
    assert "“We will not let a ceasefire become a pause that Russia uses to re-arm,”" in result.text
    assert "the ‘technical’ side" in result.text and "Rzeszów" in result.text
    assert "monitored – from the air" in result.text
    for furniture in ("cookies", "Most read", "Météo-France", "Mentions légales", "Économie"):
        assert furniture not in result.text


def test_page_without_a_metadata_date_uses_the_dateline() -> None:
    result = page("dateline_article.html")
    assert result.published_on == dt.date(2025, 9, 12)
    assert result.published_basis == "stated in the text: 'Sept. 12, 2025'"
    assert result.outlet == "" and result.url == ""
    assert "ISTANBUL, Sept. 12, 2025 — Russian and Ukrainian negotiators agreed" in result.text
    for furniture in ("Log in", "cookie", "More from the wire", "Grain exports", "Copyright"):
        assert furniture not in result.text


def test_page_without_article_text_is_refused() -> None:
    html = b"<html><head><title>Login</title></head><body><nav><a href='/'>Home</a></nav></body>"
    with pytest.raises(TrackerError, match=r"^login\.html: no article text found in the page$"):
        extract("login.html", html)
