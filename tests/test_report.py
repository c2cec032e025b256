"""The weekly report, read as its recipients would: content, escaping, files, pages."""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.factories import make_actor, make_issue, make_source
from tracker.cli import app
from tracker.db import make_engine, transaction
from tracker.errors import TrackerError
from tracker.report import Report, build_report, span_period, week_period
from tracker.report_render import render_html, render_markdown
from tracker.stances import record_stance

runner = CliRunner()
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "report"
NOW = dt.datetime(2025, 8, 25, 9, 0, tzinfo=dt.UTC)


def report_text(db: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, "report", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_week_34_names_the_trump_shift_with_both_quotes(demo_url: str) -> None:
    text = report_text(demo_url, "--week", "2025-W34")
    headlines = text.split("## 1. Headlines")[1].split("## 2.")[0]
    assert (
        "Donald Trump moved from “ceasefire must come first” to “talks while fighting "
        "continues; no ceasefire before a deal”" in headlines
    )
    detail = text.split("## 2. Shifts in detail")[1].split("## 3.")[0]
    assert "expressed his support for that" in detail
    assert "while the fighting continued" in detail
    assert "Metro" in detail and "Daily8" in detail and "Recorded by seed data" in detail
    assert "18 Aug 2025 – 24 Aug 2025" in text
    matrix = text.split("## 4.")[1].split("## 5.")[0]
    assert re.search(r"\| United States \| −2 ↓ \|", matrix)


def test_empty_week_is_a_short_report_not_an_error(demo_url: str) -> None:
    text = report_text(demo_url, "--week", "2025-W40")
    assert "No recorded changes" in text and "## 1. Headlines" not in text
    assert "Coverage" in text


def test_same_database_same_report(demo_url: str) -> None:
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        first = build_report(session, week_period("2025-W34"), now=NOW)
        second = build_report(session, week_period("2025-W34"), now=NOW)
    engine.dispose()
    assert render_markdown(first) == render_markdown(second)
    assert render_html(first) == render_html(second)
    later = runner.invoke(app, ["--db", demo_url, "report", "--week", "2025-W34"]).stdout
    assert _without_generated(later) == _without_generated(render_markdown(first))


def _without_generated(text: str) -> str:
    return re.sub(r"Generated [^.]* UTC", "", text)


def week_34_quoting(
    engine: Engine, text: str, quote: str, *, title: str, annotator: str = "ana"
) -> tuple[Report, int]:
    """Week 34's report after Merz is quoted (+2) from a source of 19 Aug; the source id."""
    with transaction(engine) as session:
        source = make_source(session, text, title=title, published_on=dt.date(2025, 8, 19))
        record_stance(
            session,
            actor=make_actor(session, "Merz"),
            issue=make_issue(session, "ceasefire-first"),
            source=source,
            position=2,
            quote=quote,
            annotator=annotator,
        )
        source_id = source.id
    with transaction(engine) as session:
        return build_report(session, week_period("2025-W34"), now=NOW), source_id


def test_text_from_sources_is_escaped(engine: Engine) -> None:
    hostile = 'Merz said <script>alert("x")</script> [click](javascript:x) **ceasefire first**.'
    report, _ = week_34_quoting(
        engine, hostile, hostile, title="<img src=x onerror=alert(1)>", annotator="<b>ana</b>"
    )
    html = render_html(report, charts=False)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html and "<b>ana</b>" not in html
    markdown = render_markdown(report)
    assert "<script>" not in markdown and r"\[click\]" in markdown


def test_entities_and_streamlit_directives_in_quotes_print_as_typed(engine: Engine) -> None:
    """A Markdown viewer shows "&copy;" in a quote as ©; the dashboard's preview (Streamlit's
    Markdown) turns :red[...] into colour and :material/warning: into an icon. The printed
    quote must stay the exact text; an untitled source is named, not a blank."""
    from markdown_it import MarkdownIt

    quote = "AT&amp;T &copy; said :red[NO DEAL] :material/warning: at 10:30"
    report, source_id = week_34_quoting(engine, f"Reuters. {quote}.", quote, title="")
    rendered = MarkdownIt().render(render_markdown(report))
    assert "AT&amp;amp;T &amp;copy; said" in rendered and "©" not in rendered
    assert f"untitled source #{source_id}" in rendered and "(;" not in rendered
    preview = render_markdown(report, streamlit=True)
    assert r"\:red\[NO DEAL\] \:material\/warning\:" in preview


def test_a_busy_week_lists_the_latest_stances_and_counts_the_rest(engine: Engine) -> None:
    with transaction(engine) as session:
        actor, issue = make_actor(session, "Merz"), make_issue(session, "ceasefire-first")
        for n in range(11):
            record_stance(
                session,
                actor=actor,
                issue=issue,
                source=make_source(session, title=f"Story {n:02d}"),
                position=2,
                quote="there should be a ceasefire first",
                annotator="ana",
                stated_on=dt.date(2025, 8, 18) + dt.timedelta(days=n % 7),
            )
    with transaction(engine) as session:
        report = build_report(session, week_period("2025-W34"), now=NOW)
    assert report.stance_count == 11
    (group,) = report.new_stances
    (party,) = group["parties"]
    assert len(party["stances"]) == 8 and party["more"] == 3
    days = [s["stated_on"] for s in party["stances"]]
    assert days == sorted(days) and min(days) == dt.date(2025, 8, 19)  # the latest kept
    for text in (render_markdown(report), render_html(report, charts=False)):
        assert "and 3 more stances from Merz this week, not shown" in text
        assert text.count("there should be a ceasefire first") == 8


def test_only_web_links_are_printed(engine: Engine) -> None:
    """Links stored before they were checked (a ``javascript:`` one) are left out; odd
    characters in a web link cannot end the Markdown link or the HTML attribute."""
    with transaction(engine) as session:
        actor, issue = make_actor(session, "Merz"), make_issue(session, "ceasefire-first")
        before = make_source(session, published_on=dt.date(2025, 8, 13))
        after = make_source(session, published_on=dt.date(2025, 8, 19))
        before.url = "javascript:alert(1)"
        after.url = 'https://example.org/a>b"c <x>'
        for source, position in ((before, 2), (after, -2)):
            record_stance(
                session,
                actor=actor,
                issue=issue,
                source=source,
                position=position,
                quote="there should be a ceasefire first",
                annotator="ana",
            )
    with transaction(engine) as session:
        report = build_report(session, week_period("2025-W34"), now=NOW)
    assert len(report.shifts) == 1
    for text in (render_markdown(report), render_html(report, charts=False)):
        assert "javascript:" not in text
        assert "https://example.org/a%3Eb%22c%20%3Cx%3E" in text
        assert 'a>b"c' not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "34"], "use an ISO week such as 2025-W34"),
        (["--week", "2025-W60"], "2025 has no week 60"),
        (["--week", "2025-W34", "--from", "2025-08-01"], "either --week or --from/--to"),
        ([], "say which period"),
        (["--from", "2025-09-01", "--to", "2025-08-01"], "start 2025-09-01 is after its end"),
        (["--week", "last", "--format", "docx"], "--format 'docx'"),
        (["--week", "last", "-o", "/no/such/dir/r.md"], "folder /no/such/dir does not exist"),
        (["--week", "9999-W52"], "choose a year from 1900 to 2999"),  # was a traceback
        (["--from", "0001-01-01", "--to", "2025-01-01"], "choose dates from 1900 to 2999"),
        (["--week", "2999-W10"], "after today"),
    ],
)
def test_bad_arguments_exit_2(demo_url: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["--db", demo_url, "report", *args])
    assert result.exit_code == 2 and message in result.stderr


def test_last_week_and_spans() -> None:
    last = week_period("last", today=dt.date(2025, 8, 27))
    assert (last.start, last.end, last.label) == (
        dt.date(2025, 8, 18),
        dt.date(2025, 8, 24),
        "2025-W34",
    )
    assert week_period("last", today=dt.date(2025, 8, 25)).label == "2025-W34"
    span = span_period(dt.date(2025, 8, 1), dt.date(2025, 8, 31))
    # A span is not a week: no "Weekly" report titled "2025-08-01 to 2025-08-31: 1 Aug…".
    assert (span.title, span.heading, span.noun) == (
        "1 Aug 2025 – 31 Aug 2025",
        "Stance report",
        "period",
    )
    assert (last.heading, last.noun) == ("Weekly stance report", "week")
    # Friday's report: this week so far, never days that have not come yet.
    friday = dt.date(2025, 8, 22)
    this = week_period("this", today=friday)
    assert (this.start, this.end, this.label) == (dt.date(2025, 8, 18), friday, "2025-W34 so far")
    assert week_period("2025-w34", today=friday).label == "2025-W34"  # any case
    with pytest.raises(TrackerError, match="after today"):
        week_period("2025-W35", today=friday)


def test_html_and_pdf_files_look_like_documents(demo_url: str, tmp_path: Path) -> None:
    html, pdf = tmp_path / "w34.html", tmp_path / "w34.pdf"
    for path, fmt in ((html, "html"), (pdf, "pdf")):
        result = runner.invoke(
            app,
            ["--db", demo_url, "report", "--week", "2025-W34", "--format", fmt, "-o", str(path)],
        )
        assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert 'src="data:image/svg+xml;base64,' in page  # the chart is embedded: no network
    assert "<script" not in page and "http" not in page.split("<style>")[0]
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTIFACTS / "w34-page")],
        check=True,
        timeout=60,
    )
    pages = sorted(ARTIFACTS.glob("w34-page-*.png"))
    assert len(pages) >= 2
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert "Donald Trump moved from" in text and "Page 1 of" in text
    assert "while the fighting continued" in text


def test_coverage_names_actors_gone_quiet_on_every_issue(engine: Engine) -> None:
    """ "No stance for a long time" means on any issue, before the period's end: an actor
    who spoke on another issue lately is not quiet, later stances don't count, and an
    actor who never spoke is listed apart ("no stance yet": the line said "none" while
    actors had never been heard), unless members spoke for it."""
    with transaction(engine) as session:
        ceasefire, nato = make_issue(session, "ceasefire-first"), make_issue(session, "nato")
        said = {
            "Merz": [(ceasefire, dt.date(2025, 5, 2))],
            "Orban": [(ceasefire, dt.date(2025, 3, 1)), (nato, dt.date(2025, 4, 9))],
            "Tusk": [(ceasefire, dt.date(2025, 2, 1)), (nato, dt.date(2025, 8, 1))],
            "Stubb": [(nato, dt.date(2025, 1, 5)), (nato, dt.date(2025, 9, 3))],  # after
        }
        make_actor(session, "Silent")
        germany = make_actor(session, "Germany", kind="state")  # heard through Merz
        for name, stances in said.items():
            actor = make_actor(session, name, party=germany if name == "Merz" else None)
            for issue, stated_on in stances:
                record_stance(
                    session,
                    actor=actor,
                    issue=issue,
                    source=make_source(session),
                    position=1,
                    quote="there should be a ceasefire first",
                    annotator="ana",
                    stated_on=stated_on,
                )
    with transaction(engine) as session:
        report = build_report(session, week_period("2025-W34"), now=NOW)
    assert [(a["actor"], a["last"]) for a in report.quiet_actors] == [
        ("Stubb", dt.date(2025, 1, 5)),
        ("Orban", dt.date(2025, 4, 9)),
        ("Merz", dt.date(2025, 5, 2)),
    ]
    assert "Stubb (last 5 Jan 2025), Orban (last 9 Apr 2025)" in render_markdown(report)
    assert report.unheard_actors == ["Silent"]
    assert "Actors with no stance yet: Silent." in render_markdown(report)


def test_a_party_restating_an_old_position_is_not_new(engine: Engine) -> None:
    """Ukraine said +2 in December and again this week: the matrix called that "new"
    because the December stance is older than the 90-day roll-up."""
    with transaction(engine) as session:
        ukraine, russia = make_actor(session, "Ukraine"), make_actor(session, "Russia")
        issue = make_issue(session, "nato-membership")
        for actor, day in ((ukraine, dt.date(2024, 12, 7)), (ukraine, dt.date(2025, 8, 19))):
            record_stance(
                session,
                actor=actor,
                issue=issue,
                source=make_source(session, published_on=day),
                position=2,
                quote="there should be a ceasefire first",
                annotator="ana",
            )
        record_stance(
            session,
            actor=russia,
            issue=issue,
            source=make_source(session, published_on=dt.date(2025, 8, 20)),
            position=-2,
            quote="there should be a ceasefire first",
            annotator="ana",
        )
    with transaction(engine) as session:
        report = build_report(session, week_period("2025-W34"), now=NOW, charts=False)
    arrows = {row.party: row.cells[0]["arrow"] for row in report.matrix}
    assert arrows == {"Ukraine": "restated", "Russia": "new"}


def test_the_charts_show_the_quarter_before_the_week_with_the_week_shaded(
    demo_url: str,
) -> None:
    """Over a year, the week's shift was the last few pixels of the image. The chart now
    starts a quarter before the week's end (Trump's position since December held from the
    left edge) and the week is shaded and named."""
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        report = build_report(session, week_period("2025-W34"), now=NOW)
    engine.dispose()
    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', render_html(report))
    assert images
    svg = base64.b64decode(images[0]).decode("utf-8")
    assert "Shaded: 2025-W34, 18 Aug 2025 – 24 Aug 2025." in svg
    printed = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "2025-W34" in printed  # the band's name
    ticks = [t for t in printed if re.fullmatch(r"\d+ \w{3} \d{4}|\w{3} \d{4}", t)]
    assert ticks[0] == "25 May 2025" and ticks[-1] == "24 Aug 2025", ticks


# What introduces the block after it: never the last thing on a printed page.
LEAD_INS = {"h1", "h2", "h3", "p.party", "p.lead"}


def page_endings(html: str) -> list[tuple[str, str]]:
    """The last block of each page WeasyPrint lays the report out on, as "tag tag.class
    …" (a word per class) and its text, read from its layout boxes: what `tracker report
    --format pdf` prints."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    def flow(box: object) -> list[object]:
        found = []
        for child in getattr(box, "children", []):
            tag = getattr(child, "element_tag", None)
            if tag in ("html", "body", "nav"):
                found += flow(child)
            elif tag:
                found.append(child)
        return found

    def text(box: object) -> str:
        if isinstance(box, boxes.TextBox):
            return str(box.text)
        return "".join(text(child) for child in getattr(box, "children", []))

    endings = []
    for page in HTML(string=html).render().pages:
        last: Any = flow(page._page_box)[-1]
        classes = last.element.get("class", "").split()
        kinds = [last.element_tag, *(f"{last.element_tag}.{c}" for c in classes)]
        endings.append((" ".join(kinds), text(last)[:60]))
    return endings


def test_no_printed_page_ends_with_a_heading_or_a_lead_in(demo_url: str) -> None:
    """A party's name, a 'Before, 13 Aug 2025:' line or the matrix's heading and note sat
    at the foot of a page with what they introduce on the next. The week's report is laid
    out with its content pushed down by 0 to 240 mm, so each block meets a page foot."""
    engine = make_engine(demo_url)
    with transaction(engine) as session:
        report = build_report(session, week_period("2025-W34"), now=NOW)
    html = render_html(report, chart_format="png")  # as render_pdf prints it
    engine.dispose()
    stranded = []
    for mm in range(0, 260, 20):
        pushed = html.replace("<body>", f'<body><div style="height: {mm}mm"></div>', 1)
        stranded += [(mm, end) for end in page_endings(pushed) if LEAD_INS & set(end[0].split())]
    assert stranded == []


def test_the_output_files_name_chooses_the_format(demo_url: str, tmp_path: Path) -> None:
    """`-o w34.pdf` without --format wrote Markdown into a .pdf file (exit code 0)."""
    for name, start in (("w34.pdf", b"%PDF"), ("w34.html", b"<!DOCTYPE html>"), ("w34.md", b"#")):
        path = tmp_path / name
        result = runner.invoke(
            app, ["--db", demo_url, "report", "--week", "2025-W34", "-o", str(path)]
        )
        assert result.exit_code == 0, result.output
        assert path.read_bytes().startswith(start), name
    text = runner.invoke(
        app, ["--db", demo_url, "report", "--week", "2025-W34", "-o", str(tmp_path / "w.txt")]
    )
    assert text.exit_code == 0 and (tmp_path / "w.txt").read_text().startswith("#")
    headline = report_text(demo_url, "--week", "2025-W34").split("## 1. Headlines")[1]
    assert "on Ceasefire before peace talks (18 Aug)" in headline  # the name as written
