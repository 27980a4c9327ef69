"""BuildOptions: every choice a build takes, shared by the CLI, config files and backends."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, replace
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


def explicit_fields(options: BuildOptions) -> frozenset[str]:
    """The fields `options` sets away from their defaults: what a caller that does not say
    which options it chose is taken to have chosen."""
    defaults = BuildOptions()
    return frozenset(f.name for f in fields(BuildOptions)
                     if getattr(options, f.name) != getattr(defaults, f.name))


def with_file_settings(options: BuildOptions, settings: Mapping[str, Any],
                       explicit: Collection[str] | None = None) -> BuildOptions:
    """`options` with a config file's settings applied, except the fields named in `explicit`
    (None: explicit_fields(options)). What the user gave beats the file, and an option left
    unset never does (MkDocs' rule), so the file's choices survive a bare command line."""
    if explicit is None:
        explicit = explicit_fields(options)
    known = {f.name for f in fields(BuildOptions)}
    chosen = {k: v for k, v in settings.items() if k in known and k not in explicit}
    return replace(options, **chosen)


@dataclass(frozen=True)
class FetchOptions:
    """How stories given as links are fetched (FanFicFare's way): the site's login, its
    adult-content gate, a FanFicFare personal.ini, and whether what was fetched before is used.
    None of it is ever written into a book."""

    login: str | None = None
    password: str | None = field(default=None, repr=False)
    is_adult: bool = False
    fff_ini: Path | None = None  # a FanFicFare personal.ini: site settings users already have
    # Fetch the work's page again even when it was fetched within the last hour (chapters
    # already fetched are still taken from the fetch cache; `cache=False` ignores that too).
    refresh: bool = False
    cache: bool = True
    # No network, or a busy site: how many times FanFicFare tries a request again (waiting
    # longer each time) before ficbook gives up and says so. FanFicFare's own default.
    retries: int = 4
