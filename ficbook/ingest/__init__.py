"""Readers: the READERS table, format detection, and `read_story(path) -> Story`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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
    return replace(story, source=path, reader=reader)
