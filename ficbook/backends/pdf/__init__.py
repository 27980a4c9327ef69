"""PDF backend: the same rendered pages as the EPUB, with the theme's print.css, laid out by
weasyprint. weasyprint is imported only when a PDF is built (it is slow to import)."""

from __future__ import annotations

import logging
from pathlib import Path

from ...cache.book import BookCache
from ...errors import BuildError
from ...files import atomic_file, atomic_write
from ...model import RenderedBook
from ...options import BuildOptions
from ...theme import load_theme
from .pagesize import parse_page_size

log = logging.getLogger(__name__)


def write_pdf(rendered: RenderedBook, target: Path, options: BuildOptions,
              cache: BookCache) -> Path:
    size = parse_page_size(options.page_size)
    theme = load_theme(options.theme, options.theme_options)
    try:
        from . import parts as pdf_parts  # imports weasyprint
        from .one_pass import pdf_bytes
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz libraries missing
        raise BuildError(target, f"cannot make PDFs: weasyprint is not usable here ({exc}); "
                                 "install it and Pango (see README)") from None
    words = sum(story.counted_words for story in rendered.book.stories)
    if words >= pdf_parts.plan.MIN_WORDS:
        # Long books: parts laid out in parallel (kept in the cache unless told not to), then
        # joined straight into a temporary file next to the target, renamed when complete.
        try:
            with atomic_file(target) as tmp:
                pdf_parts.write_parts(rendered, theme, size, options.print_layout, tmp, cache)
            return target
        except RuntimeError as exc:
            log.warning("PDF: laying out in parts failed (%s); doing one pass instead", exc)
    atomic_write(target, pdf_bytes(rendered, theme, size, options.print_layout))
    return target
