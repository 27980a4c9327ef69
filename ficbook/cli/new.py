"""`ficbook new anthology`: start an anthology file from the stories in a folder."""

from __future__ import annotations

from pathlib import Path

import click

from . import common


@click.group(epilog=common.EPILOG)
def new() -> None:
    """Start something new: an anthology."""


@new.command("anthology")
@click.argument("folder", type=click.Path(path_type=Path))
def new_anthology_cmd(folder: Path) -> None:
    """Write FOLDER/anthology.toml and FOLDER/intro.md listing the stories found in FOLDER."""
    from ..anthology.scaffold import new_anthology

    with common.writing_into(folder):
        written = new_anthology(folder)
    for path in written:
        click.echo(str(path))
