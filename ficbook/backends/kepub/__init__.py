"""Kobo's KEPUB: the EPUB with Kobo's divs and a span per sentence on every page (spans.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ...cache.book import BookCache
from ...errors import BuildError
from ...files import atomic_write
from ...model import RenderedBook
from ...options import BuildOptions

SUFFIX = ".kepub.epub"  # how a Kobo tells a KEPUB from an EPUB it reads with its older engine


def write_kepub(rendered: RenderedBook, target: Path, options: BuildOptions,
                cache: BookCache) -> Path:
    from ..epub import epub_bytes

    atomic_write(target, epub_bytes(kobo_book(rendered), cache.epub(target)))
    return target


def kobo_book(rendered: RenderedBook) -> RenderedBook:
    """`rendered` with every page made Kobo's way; the package documents stay as they are."""
    from .spans import kobo_page

    pages = []
    for page in rendered.pages:
        if not page.xhtml:  # lent unrendered from an EPUB-only build: never for a KEPUB
            raise BuildError(None, f"{page.filename}: the page was not rendered")
        pages.append(replace(page, xhtml=kobo_page(page.xhtml)))
    return replace(rendered, pages=tuple(pages))
