"""What the commands share: the exit-code epilog and the --from, --format, --page-size, --option."""

from __future__ import annotations

from typing import Any

import click

from ..errors import FicbookError, ThemeError

# The readers, the backends and the theme engine load only when a parameter needs them:
# `ficbook --help` imports none of them.

EPILOG = """\b
Exit codes: 0 success, 2 bad command line, 3 unreadable input (story, config or theme),
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
