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
        from .pdf_render import pdf_bytes  # imports weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango/HarfBuzz libraries missing
        raise BuildError(target, f"cannot make PDFs: weasyprint is not usable here ({exc}); "
                                 "install it and Pango (see README)") from None
    data = pdf_bytes(rendered, theme, size, options.print_layout)
    atomic_write(target, data)
    return target
