"""Orchestration: inputs and options -> books on disk."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from .backends import BACKENDS
from .errors import InputError
from .ingest import read_story
from .model import Book, Story
from .names import book_stem
from .options import BuildOptions
from .render import render
from .theme import load_theme

log = logging.getLogger(__name__)


def output_paths(book: Book, output: Path | None, formats: Sequence[str]) -> dict[str, Path]:
    """Where each format goes: a folder (name from title and author) or a named file."""
    if output is not None and output.suffix.lower().lstrip(".") in BACKENDS and len(formats) == 1:
        return {formats[0]: output}
    folder = output if output is not None else Path.cwd()
    stem = book_stem(book.title, book.authors)
    return {fmt: folder / f"{stem}.{fmt}" for fmt in formats}


def build_book(book: Book, output: Path | None, options: BuildOptions) -> list[Path]:
    for fmt in options.formats:
        if fmt not in BACKENDS:
            raise InputError(None, f"unknown format '{fmt}' (known: {', '.join(BACKENDS)})")
    theme = load_theme(options.theme, options.theme_options)
    rendered = render(book, theme)
    written = []
    for fmt, target in output_paths(book, output, options.formats).items():
        written.append(BACKENDS[fmt](rendered, target, options))
        log.info("wrote %s", target)
    return written


def build(inputs: Sequence[Path | str], output: Path | str | None = None,
          options: BuildOptions | None = None) -> list[Path]:
    """Build one book from one story file. Returns the paths written."""
    options = options or BuildOptions()
    if not inputs:
        raise InputError(None, "no story given")
    stories: list[Story] = [read_story(Path(p), options.reader) for p in inputs]
    if len(stories) > 1:
        raise InputError(Path(inputs[1]), "building several stories into one book is not "
                                          "supported yet; build them one at a time")
    book = Book.single(stories[0])
    return build_book(book, Path(output) if output is not None else None, options)
