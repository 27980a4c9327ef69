"""Readers: the READERS table, format detection, and `read_story(path) -> Story`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from html import unescape
from importlib import import_module
from pathlib import Path

from ..errors import InputError
from ..model import Story
from ..xhtml import images
from .sniff import sniff
from .text import read_text

Reader = Callable[[Path], Story]


def _lazy(module: str, name: str) -> Reader:
    """A reader whose module (and its libraries: mammoth, markdown-it, ...) loads when used:
    every process start (`ficbook info`, one story's build) paid ~0.15 s for all of them."""

    def read(path: Path) -> Story:
        reader: Reader = getattr(import_module(module, __name__), name)
        return reader(path)

    read.__name__ = read.__qualname__ = name
    return read


READERS: dict[str, Reader] = {
    "text": read_text,
    "markdown": _lazy(".markdown", "read_markdown"),
    "html": _lazy(".html", "read_html"),
    "ao3": _lazy(".ao3", "read_ao3"),
    "epub": _lazy(".epub", "read_epub"),
    "docx": _lazy(".docx", "read_docx"),
}
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    "": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
    ".docx": "docx",
}


def detect_format(path: Path) -> str:
    """The reader for a file: by suffix first, then by sniffing the content."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is not None and fmt in READERS:
        return sniff(path, fmt) or fmt
    if (found := sniff(path, None)) is not None:
        return found
    known = ", ".join(sorted(s for s in SUFFIXES if s))
    raise InputError(path, f"unknown story format '{path.suffix}' (ficbook reads {known}; "
                           "use --from to say which reader to use)")


def read_story(path: Path | str, format: str | None = None) -> Story:
    """Read one story file into the model."""
    path = Path(path)
    fmt = format or detect_format(path)
    if fmt not in READERS:
        raise InputError(path, f"unknown reader '{fmt}' (known: {', '.join(sorted(READERS))})")
    # Images are looked up beside the story (never outside its folder) while it is read.
    with images.collecting(images.folder_loader(path.parent), str(path)) as found:
        story = READERS[fmt](path)
    if found.assets:
        story = replace(story, images=tuple(sorted(found.assets.values(),
                                                   key=lambda a: a.filename)))
    # A reader may say more precisely what it read ("epub/ao3"); the table's name otherwise.
    reader = story.reader if story.reader.split("/")[0] == fmt else fmt
    return _checked(replace(story, source=path, reader=reader), path, fmt)


def _checked(story: Story, path: Path, fmt: str) -> Story:
    """Nothing lost without a word: a story read from an EPUB or an AO3 page is compared with
    all the text the file shows (saved pages compare themselves, in html.py); a reader that
    kept much less says so, loudly, with the count."""
    from . import coverage
    from .decode import decode, read_bytes  # (here: `ingest.decode` names the module)

    if fmt == "epub" and story.reader != "epub/ficbook":
        return coverage.check(story, _epub_words(path), path, "the EPUB's pages")
    if fmt == "ao3":
        from .htmlblocks import parse_document

        page = coverage.densest_block(parse_document(decode(read_bytes(path), path)))
        return coverage.check(story, coverage.visible_words(page) if page is not None else 0,
                              path)
    return story


_HEAD = re.compile(r"<head\b.*?</head>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _epub_words(path: Path) -> int:
    """The words of every page in an EPUB (markup and heads left out), read as safely as the
    reader reads them."""
    from . import coverage
    from .archive import open_zip, read_member
    from .decode import read_bytes

    z = open_zip(read_bytes(path), path, "EPUB")
    pages = [n for n in z.namelist() if n.lower().endswith((".xhtml", ".html", ".htm"))]
    text = " ".join(_TAG.sub(" ", _HEAD.sub(" ", read_member(z, name, path).decode(
        "utf-8", errors="replace"))) for name in pages)
    return coverage.words_in(unescape(text))
