"""BuildOptions: every choice a build takes, shared by the CLI, config files and backends."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_THEME = "default"


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[str, ...] = ("epub",)
    theme: str = DEFAULT_THEME
    theme_options: dict[str, Any] = field(default_factory=dict)
    cover: Path | None = None  # an image to use as the cover instead of a generated one
    reader: str | None = None  # force a reader instead of detecting the format
    page_size: str = "a5"  # PDF only
    print_layout: bool = False  # PDF only: mirrored margins, chapters open on a right-hand page
    # Keep parsed stories, compiled templates and deflated pages in ficbook's cache folder
    # (cache.py): a rebuild after editing one story of many redoes only that story. False:
    # read and write none of it.
    cache: bool = True
