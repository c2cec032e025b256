"""Display helpers shared by pages."""

import re

# Everything Markdown (and Streamlit's extensions: $ for LaTeX, : for emoji and colours,
# / in :material/icon:) treats as syntax, and & (an entity such as &copy; shows as ©).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&/])")


def md_escape(text: str) -> str:
    """Text from a source, safe to put where Streamlit renders Markdown (titles, labels)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
