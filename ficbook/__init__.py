"""ficbook: turn fan fiction into beautiful, valid EPUB and PDF books."""

from __future__ import annotations

import sys
import types
from typing import Any

__version__ = "0.1.0"
__all__ = ["__version__", "build", "read_story"]

# The public API loads the readers and backends (lxml, ebooklib, PIL, jinja2, ...) on first
# use, so `ficbook --help` and `ficbook info` do not pay for what they do not run.


def build(*args: Any, **kwargs: Any) -> Any:
    """Build one book and return the paths written (see ficbook.build.build)."""
    from .build import build as _build

    return _build(*args, **kwargs)


def read_story(*args: Any, **kwargs: Any) -> Any:
    """Read one story file into the model (see ficbook.ingest.read_story)."""
    from .ingest import read_story as _read_story

    return _read_story(*args, **kwargs)


class _Package(types.ModuleType):
    """Importing the submodule ficbook.build would rebind `ficbook.build` to that module; the
    function keeps the name, as it did when this file imported it eagerly."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "build" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
