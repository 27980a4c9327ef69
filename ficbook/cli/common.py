"""What the commands share: the epilog, --from, --format, --page-size, --option, failed writes."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..errors import FicbookError, ThemeError, cannot_write

# The readers, the backends and the theme engine load only when a parameter needs them:
# `ficbook --help` imports none of them.

EPILOG = """\b
Exit codes: 0 success, 2 bad command line, 3 unreadable input (story, link, config, theme),
4 the book could not be written, 5 a batch finished with failures."""


class ReaderChoice(click.Choice):  # type: ignore[type-arg]
    """--from's choices (the names in ingest.READERS), looked up when click first needs them."""

    def __init__(self) -> None:
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        from ..ingest import READERS

        return tuple(sorted(READERS))

    @choices.setter
    def choices(self, value: Any) -> None:
        pass


def formats(value: str | None) -> tuple[str, ...] | None:
    """--format's value: known formats, each once, in the order given."""
    if value is None:
        return None
    from ..backends import BACKENDS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in BACKENDS]
    if unknown or not chosen:
        raise click.BadParameter(f"unknown format '{','.join(unknown) or value}' "
                                 f"(known: {', '.join(BACKENDS)})")
    return chosen


def page_size(value: str | None) -> str | None:
    """--page-size's value, checked now so that a typo is a usage error, not a failed build."""
    if value is None:
        return None
    from ..backends.pdf.pagesize import parse_page_size

    try:
        parse_page_size(value)
    except FicbookError as exc:
        raise click.BadParameter(exc.message) from None
    return value


def theme_options(_ctx: click.Context, _param: click.Parameter,
                  values: tuple[str, ...]) -> dict[str, Any]:
    """click callback for a repeatable `--option key=value`."""
    from ..theme import parse_option

    chosen: dict[str, Any] = {}
    for text in values:
        try:
            key, value = parse_option(text)
        except ThemeError as exc:
            raise click.BadParameter(exc.message) from None
        chosen[key] = value
    return chosen


OPTION_HELP = ("A theme option, key=value (repeat for several); `ficbook themes` lists each "
               "theme's options.")


@contextlib.contextmanager
def progress_bar(*columns: Any, **fields: Any) -> Iterator[Any]:
    """A rich progress bar on stderr when it is a terminal, silent otherwise: what is being
    done, the bar, done of total, then `columns` (their task `fields` start as given). Yields
    rich's Progress; its one task is `.tasks[0]`."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  *columns, console=console, transient=True,
                  disable=not console.is_terminal) as bar:
        bar.add_task("starting", total=None, **fields)
        yield bar


@contextlib.contextmanager
def writing_into(folder: Path, *, deep: bool = False) -> Iterator[None]:
    """Around a command that writes its files into `folder` (`deep`: anywhere under it): an
    OSError on the folder, on a folder above it (made on the way) or on a file it writes there
    is a file that could not be written, and says so. Any other OSError goes on as it is, to be
    reported without a guess at what was being done with the file."""
    try:
        yield
    except OSError as exc:
        if not isinstance(exc.filename, str) or not _written(Path(exc.filename), folder, deep):
            raise
        raise cannot_write(exc) from exc


def _written(path: Path, folder: Path, deep: bool) -> bool:
    path, folder = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    return (folder.is_relative_to(path) or path.parent == folder
            or (deep and path.is_relative_to(folder)))
