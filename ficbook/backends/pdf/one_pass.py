"""weasyprint lay-out of a RenderedBook: one pass over the whole book. Imports weasyprint."""

from __future__ import annotations

import hashlib
import logging

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from ...model import RenderedBook
from ...theme import Theme
from .fetch import SafeFetcher
from .html import BOOK_URL, document, outline_css, sections, stylesheet_urls
from .pagesize import PageSize

log = logging.getLogger(__name__)


def fetcher_for(rendered: RenderedBook, theme: Theme) -> SafeFetcher:
    assets = {a.filename: (a.data, a.media_type) for a in rendered.assets}
    if rendered.cover is not None:
        assets[rendered.cover.filename] = (rendered.cover.data, rendered.cover.media_type)
    roots = [*theme.chain]
    roots += [s.source.parent for s in rendered.book.stories if s.source is not None]
    return SafeFetcher(assets, dict.fromkeys(roots))  # once each: 300 stories, one folder


def book_html(rendered: RenderedBook, theme: Theme, size: PageSize, print_layout: bool) -> str:
    skip = ("cover",) if print_layout else ()  # a printed book gets its cover separately
    css = size.css(print_layout) + outline_css(rendered)
    return document(rendered, sections(rendered, skip), stylesheet_urls(rendered, theme.find(
        "css/print.css")), css, print_layout)


def pdf_identifier(rendered: RenderedBook) -> bytes:
    return hashlib.md5(rendered.book.identifier.encode()).hexdigest().encode()


def pdf_bytes(rendered: RenderedBook, theme: Theme, size: PageSize, print_layout: bool) -> bytes:
    html = book_html(rendered, theme, size, print_layout)
    fetcher = fetcher_for(rendered, theme)
    font_config = FontConfiguration()
    quiet_weasyprint()
    doc = HTML(string=html, base_url=BOOK_URL + "text/book.html", url_fetcher=fetcher).render(
        font_config=font_config)
    log.info("PDF: %d pages", len(doc.pages))
    # Tagged (structure tree: headings, paragraphs, lists, figures with alt text): cheap here.
    data: bytes = doc.write_pdf(pdf_identifier=pdf_identifier(rendered), pdf_tags=True)
    return data


def quiet_weasyprint() -> None:
    """weasyprint warns about CSS meant for e-readers (@namespace, -epub-*): only -v -v shows it.
    ficbook logs what matters itself (refused URLs)."""
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
