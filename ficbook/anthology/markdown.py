"""An anthology's own Markdown (editor's pages, summaries) -> its heading and sanitized XHTML."""

from __future__ import annotations

import re


def markdown(text: str) -> tuple[str, str]:
    """Markdown -> (its leading `# heading`, if any; the rest as sanitized XHTML)."""
    from markdown_it import MarkdownIt

    from ..xhtml import sanitize  # lxml and nh3: only for an anthology's own pages

    heading = ""
    lines = text.lstrip().splitlines()
    if lines and re.match(r"^#\s+\S", lines[0]):
        heading = lines[0].lstrip("#").strip()
        text = "\n".join(lines[1:])
    html = MarkdownIt("commonmark").render(text)
    return (sanitize.to_text(sanitize.clean(heading, typography=True)),
            sanitize.clean(html, typography=True).strip())
