"""Backends: the BACKENDS table, format name -> writer of a RenderedBook to a path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..cache.book import BookCache
from ..model import RenderedBook
from ..options import BuildOptions
from .azw3 import write_azw3
from .epub import write_epub
from .kepub import SUFFIX as KEPUB_SUFFIX
from .kepub import write_kepub
from .pdf import write_pdf

# Every writer: (rendered pages, target file, build options, what earlier builds lend) -> the
# path written.
Writer = Callable[[RenderedBook, Path, BuildOptions, BookCache], Path]

BACKENDS: dict[str, Writer] = {
    "epub": write_epub,
    "pdf": write_pdf,  # imports weasyprint only when it runs
    "kepub": write_kepub,  # Kobo's EPUB: a span per sentence
    "azw3": write_azw3,  # Kindle, through calibre's ebook-convert
}

# A format's file name ending, where it is not "." and the format's name.
SUFFIXES: dict[str, str] = {"kepub": KEPUB_SUFFIX}


def suffix(fmt: str) -> str:
    return SUFFIXES.get(fmt, f".{fmt}")


def format_of(path: Path) -> str | None:
    """The format a file name asks for (book.kepub.epub: kepub), None for any other name."""
    name = path.name.lower()
    for fmt in sorted(BACKENDS, key=lambda f: -len(suffix(f))):  # .kepub.epub before .epub
        if name.endswith(suffix(fmt)) and len(name) > len(suffix(fmt)):
            return fmt
    return None


def file_suffix(path: Path) -> str:
    """A book file's whole ending: ".kepub.epub", ".epub", ".pdf"."""
    fmt = format_of(path)
    return suffix(fmt) if fmt else path.suffix

# What each writer imports when it runs: a build that waits for stories to be parsed imports
# them meanwhile.
HEAVY_MODULES: dict[str, tuple[str, ...]] = {
    "epub": ("ficbook.backends.epub.package",),
    "pdf": ("ficbook.backends.pdf.one_pass",),
    "kepub": ("ficbook.backends.epub.package", "ficbook.backends.kepub.spans"),
    "azw3": ("ficbook.backends.epub.package",),
}
