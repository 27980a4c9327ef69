"""Theme commands: `ficbook themes`, `ficbook theme new` and `ficbook preview`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..options import DEFAULT_THEME
from .common import OPTION_HELP, theme_options, writing_into

# theme/ (jinja2), pipeline/preview.py (weasyprint) load only when a command runs: `ficbook --help`
# stays quick.


@click.command()
@click.option("--preview", "preview_dir", type=click.Path(path_type=Path), default=None,
              help="Also write a sample page of every theme (PNG) into this folder.")
def themes(preview_dir: Path | None) -> None:
    """List the themes: built-in ones and those in your theme folder, with their options."""
    from ..theme import user_themes_dir
    from ..theme.scaffold import available_themes

    for info in available_themes():
        where = "built-in" if info.origin == "built-in" else f"{info.origin}: {info.folder}"
        if info.theme is None:
            click.echo(f"{info.name}  ({where})\n  cannot be used: {info.problem}\n")
            continue
        theme = info.theme
        parent = f", inherits {theme.chain[1].name}" if len(theme.chain) > 1 else ""
        click.echo(f"{info.name}  ({where}{parent})")
        if theme.description:
            click.echo(f"  {theme.description}")
        width = max((len(f"{k} = {_shown(v)}") for k, v in theme.defaults.items()), default=0)
        for key in sorted(theme.defaults):
            setting = f"{key} = {_shown(theme.defaults[key])}"
            click.echo(f"    {setting.ljust(width)}  {theme.help.get(key, '')}".rstrip())
        click.echo("")
    click.echo(f"Your own themes go in {user_themes_dir()} (`ficbook theme new NAME`).")
    if preview_dir is not None:
        from ..pipeline.preview import preview_themes

        with writing_into(preview_dir):
            written = preview_themes(preview_dir)
        for path in written:
            click.echo(str(path))


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"' if isinstance(value, str) else str(value)


@click.group()
def theme() -> None:
    """Make your own theme."""


@theme.command("new")
@click.argument("name")
@click.option("--from", "source", default=DEFAULT_THEME, show_default=True,
              help="The theme to start from: a built-in name or a theme folder.")
@click.option("--dir", "into", type=click.Path(path_type=Path), default=None,
              help="Make it in this folder instead of your theme folder.")
def theme_new(name: str, source: str, into: Path | None) -> None:
    """Copy a theme into a new folder NAME as a starting point, then edit its files.

    \b
    ficbook theme new mine --from classic   -> your theme folder/mine
    ficbook build story.txt --theme mine
    """
    from ..theme import user_themes_dir
    from ..theme.scaffold import new_theme

    with writing_into((into if into is not None else user_themes_dir()) / name, deep=True):
        made = new_theme(name, source, into)
    click.echo(str(made))


@click.command()
@click.argument("input", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("preview"),
              show_default=True, help="The folder the PNG images go into.")
@click.option("--theme", "theme_name", default=DEFAULT_THEME, show_default=True,
              help="A built-in theme name or a theme folder.")
@click.option("--option", "options", multiple=True, callback=theme_options, help=OPTION_HELP)
@click.option("--cover", type=click.Path(path_type=Path), default=None,
              help="Use this image as the cover instead of a generated one.")
@click.option("--width", default=600, show_default=True, type=click.IntRange(100, 3000),
              help="Width of each image in pixels.")
def preview(input: Path, output: Path, theme_name: str, options: dict[str, Any],
            cover: Path | None, width: int) -> None:
    """Write PNG pictures of a story's cover, title page and first chapter page in a theme."""
    from ..pipeline.preview import preview_story

    with writing_into(output):
        written = preview_story(input, output, theme_name, options, cover=cover, width=width)
    for path in written:
        click.echo(str(path))
