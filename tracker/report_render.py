"""The weekly report as Markdown, standalone HTML (charts embedded) and PDF.

HTML is rendered with autoescaping on, so text from sources can never run as markup;
Markdown escapes the characters Markdown would act on. Charts are made without a browser
(vl-convert) and embedded, SVG in the HTML and PNG in the PDF, so neither needs a network.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tracker.models import scale_point
from tracker.report import Report, chart_start
from tracker.text import escape_markdown, squash


def _day(value: dt.date | str) -> str:
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{day.day} {day:%b %Y}"


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:+g}".replace("-", "−") if value else "0"


def _tone(value: float | None) -> str:
    if value is None:
        return ""
    return {2: "p2", 1: "p1", 0: "p0", -1: "n1", -2: "n2"}[scale_point(value)]


def _md(value: Any) -> str:
    return escape_markdown(squash(str(value)))


def _md_streamlit(value: Any) -> str:
    return escape_markdown(squash(str(value)), streamlit=True)


def _web_url(value: Any) -> str:
    """A link fit to print: http(s) only (a ``javascript:`` link stored before links were
    checked is dropped), with the characters that would end a Markdown autolink or an
    HTML attribute percent-encoded."""
    url = str(value or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("tracker", "templates"),
        # Autoescape by the name the template really has: report.html.j2.
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters.update(day=_day, signed=_signed, tone=_tone, md=_md, web_url=_web_url)
    return env


def generated_line(report: Report) -> str:
    return f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC from the tracker database"


def render_markdown(report: Report, *, streamlit: bool = False) -> str:
    """The report as Markdown; ``streamlit`` escapes text from sources for Streamlit's
    dialect too (the dashboard's preview), which a Markdown file does not need."""
    env = _environment()
    if streamlit:
        env.filters["md"] = _md_streamlit
    text = env.get_template("report.md.j2").render(
        report=report, generated_line=generated_line(report)
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_MIME = {"svg": "image/svg+xml", "png": "image/png"}


def render_html(report: Report, *, charts: bool = True, chart_format: str = "svg") -> str:
    """Standalone HTML; charts as SVG (sharp, and a fifth of a PNG's cost to make) unless
    ``chart_format="png"``."""
    if charts and not report.charted:
        raise ValueError("the report was built without its charts: call add_charts first")
    images = _chart_images(report, chart_format) if charts else {}
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            generated_line=generated_line(report),
            charts=images,
            chart_mime=_MIME[chart_format],
        )
    )


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported late: a heavy import the other formats don't need

    # PNG charts: WeasyPrint draws SVG text with other fonts than vl-convert measured, so
    # axis labels came out clipped.
    pdf: bytes = HTML(string=render_html(report, chart_format="png")).write_pdf()
    return pdf


def _chart_images(report: Report, chart_format: str) -> dict[str, str]:
    """Base64 SVG (or PNG) timelines of the issues that moved this week."""
    from tracker.charts import Shaded, chart_png, chart_svg, timeline_spec

    labels = {issue["slug"]: issue["labels"] for issue in report.issues}
    names = {issue["slug"]: issue["name"] for issue in report.issues}
    period = report.period
    shaded = Shaded(period.start, period.end, period.label if period.is_week else "this period")
    images = {}
    for slug, (points, shifts) in sorted(report.series.items()):
        chart = timeline_spec(
            points,
            shifts,
            labels[slug],
            title=names[slug],
            until=period.end,
            since=chart_start(period),
            shaded=shaded,
        )
        if chart_format == "png":
            image = chart_png(chart)
        else:
            image = _numbered_from_one(chart_svg(chart)).encode("utf-8")
        images[slug] = base64.b64encode(image).decode("ascii")
    return images


_CLIP_ID = re.compile(r"\bclip(\d+)\b")


def _numbered_from_one(svg: str) -> str:
    """vl-convert numbers clip paths across the whole process (clip1, clip2, ...): renumber
    them per image, so the same report is the same file whenever it is made."""
    numbers: dict[str, str] = {}
    return _CLIP_ID.sub(lambda m: "clip" + numbers.setdefault(m[1], str(len(numbers) + 1)), svg)


FORMATS = ("md", "html", "pdf")


def render(report: Report, fmt: str) -> bytes:
    if fmt == "md":
        return render_markdown(report).encode("utf-8")
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(report)
    raise ValueError(fmt)
