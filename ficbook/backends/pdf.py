"""PDF backend: the same rendered pages as the EPUB, with the theme's print.css, laid out by
weasyprint. weasyprint is imported only when a PDF is built (it is slow to import)."""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import BuildError
from ..model import RenderedBook
from ..options import BuildOptions
from ..theme import load_theme
from .files import atomic_write
from .pagesize import parse_page_size

log = logging.getLogger(__name__)


def write_pdf(rendered: RenderedBook, target: Path, options: BuildOptions) -> Path:
    size = parse_page_size(options.page_size)
    theme = load_theme(options.theme, options.theme_options)
    try:
        from . import pdf_parts  # imports weasyprint
        from .pdf_render import pdf_bytes
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz libraries missing
        raise BuildError(target, f"cannot make PDFs: weasyprint is not usable here ({exc}); "
                                 "install it and Pango (see README)") from None
    words = sum(story.counted_words for story in rendered.book.stories)
    data = None
    if words >= pdf_parts.MIN_WORDS:
        try:  # long books: parts laid out in parallel, then joined
            data = pdf_parts.pdf_bytes_parts(rendered, theme, size, options.print_layout)
        except RuntimeError as exc:
            log.warning("PDF: laying out in parts failed (%s); doing one pass instead", exc)
    if data is None:
        data = pdf_bytes(rendered, theme, size, options.print_layout)
    atomic_write(target, data)
    return target
