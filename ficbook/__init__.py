"""ficbook: turn fan fiction into beautiful, valid EPUB and PDF books."""

__version__ = "0.1.0"

from .build import build
from .ingest import read_story

__all__ = ["__version__", "build", "read_story"]
