"""Readers: the READERS table, format detection, and `read_story(path) -> Story`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..errors import InputError
from ..model import Story
from .text import read_text

Reader = Callable[[Path], Story]

READERS: dict[str, Reader] = {
    "text": read_text,
}
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    "": "text",
}


def detect_format(path: Path) -> str:
    """The reader for a file: by suffix first, then by sniffing the content."""
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is not None and fmt in READERS:
        return fmt
    known = ", ".join(sorted(s for s in SUFFIXES if s))
    raise InputError(path, f"unknown story format '{path.suffix}' (ficbook reads {known}; "
                           "use --from to say which reader to use)")


def read_story(path: Path | str, format: str | None = None) -> Story:
    """Read one story file into the model."""
    path = Path(path)
    fmt = format or detect_format(path)
    if fmt not in READERS:
        raise InputError(path, f"unknown reader '{fmt}' (known: {', '.join(sorted(READERS))})")
    story = READERS[fmt](path)
    return replace(story, source=path, reader=fmt)
