"""A source's text as escaped HTML with actor mentions and stance quotes highlighted."""

import html

from tracker.highlight import Segment

STYLE = """
<style>
.src { white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.02rem; line-height: 1.6;
       max-height: 32rem; overflow-y: auto; padding: .8rem 1rem; border: 1px solid #ddd;
       border-radius: .4rem; background: #fffefb; }
.src .m { border-bottom: 2px solid #6b8fbf; }
.src mark { background: #ffe9a8; padding: 0 .1em; }
.src mark.sel { background: #b8e0c2; }
</style>
"""


def marked_html(segments: list[Segment], *, selected: tuple[int, int] | None = None) -> str:
    """Every piece of source text is HTML-escaped; only our own tags are markup."""
    parts = [STYLE, '<div class="src">']
    for seg in segments:
        text = html.escape(seg.text)
        start, end = seg.start, seg.start + len(seg.text)
        if selected and start < selected[1] and selected[0] < end:
            text = f'<mark class="sel">{text}</mark>'
        elif seg.stances:
            title = html.escape("; ".join(seg.labels), quote=True)
            text = f'<mark title="{title}">{text}</mark>'
        if seg.mentions:
            title = html.escape(", ".join(seg.mentions), quote=True)
            text = f'<span class="m" title="{title}">{text}</span>'
        parts.append(text)
    parts.append("</div>")
    return "".join(parts)
