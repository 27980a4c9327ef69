"""Backends: the BACKENDS table, format name -> writer of a RenderedBook to a path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..model import RenderedBook
from .epub import write_epub

Writer = Callable[[RenderedBook, Path], Path]

BACKENDS: dict[str, Writer] = {
    "epub": write_epub,
}
