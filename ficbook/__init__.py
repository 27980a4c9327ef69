"""ficbook: turn fan fiction into beautiful, valid EPUB and PDF books."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Story

__version__ = "0.1.0"
__all__ = ["__version__", "build", "read_story"]

# The public API loads the pipeline, readers and backends (lxml, ebooklib, PIL, jinja2, ...) on
# first use, so `ficbook --help` and `ficbook info` do not pay for what they do not run.


def build(*args: Any, **kwargs: Any) -> list[Path]:
    """Build one book and return the paths written (see ficbook.pipeline.build.build)."""
    from .pipeline.build import build as _build

    return _build(*args, **kwargs)


def read_story(*args: Any, **kwargs: Any) -> Story:
    """Read one story file into the model (see ficbook.ingest.read_story)."""
    from .ingest import read_story as _read_story

    return _read_story(*args, **kwargs)
