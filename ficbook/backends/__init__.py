"""Backends: the BACKENDS table, format name -> writer of a RenderedBook to a path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..cache.book import BookCache
from ..model import RenderedBook
from ..options import BuildOptions
from .epub import write_epub
from .pdf import write_pdf

# Every writer: (rendered pages, target file, build options, what earlier builds lend) -> the
# path written.
Writer = Callable[[RenderedBook, Path, BuildOptions, BookCache], Path]

BACKENDS: dict[str, Writer] = {
    "epub": write_epub,
    "pdf": write_pdf,  # imports weasyprint only when it runs
}

# What each writer imports when it runs: a build that waits for stories to be parsed imports
# them meanwhile.
HEAVY_MODULES: dict[str, tuple[str, ...]] = {
    "epub": ("ficbook.backends.epub.package",),
    "pdf": ("ficbook.backends.pdf.one_pass",),
}
