"""Display helpers shared by pages."""

from tracker.text import escape_markdown


def md_escape(text: str) -> str:
    """Text from a source, safe to put where Streamlit renders Markdown (titles, labels)."""
    return escape_markdown(text, streamlit=True)
