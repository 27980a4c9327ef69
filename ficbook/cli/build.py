"""`ficbook build`: one book from stories or an anthology file, once or on every save (--watch)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import FicbookError
from ..options import BuildOptions
from . import common, links


@click.command(epilog=common.EPILOG)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="A folder to write into, or the book's file name (book.epub).")
@click.option("--theme", default=None, help="A built-in theme name or a theme folder.")
@click.option("--from", "reader", type=common.ReaderChoice(), default=None,
              help="Read the input with this reader instead of detecting its format.")
@click.option("--title", default=None,
              help="The book's title (several stories, or instead of the anthology file's).")
@click.option("--subtitle", default=None, help="The book's subtitle.")
@click.option("--editor", "editors", multiple=True,
              help="An editor of the anthology (repeat for several).")
@click.option("-f", "--format", "formats", default=None, metavar="epub,pdf",
              callback=lambda _c, _p, v: common.formats(v),
              help="What to build: epub (default), pdf, kepub (Kobo), azw3 (Kindle, needs "
                   "calibre), or several: epub,pdf.")
@click.option("--page-size", default=None, callback=lambda _c, _p, v: common.page_size(v),
              help="PDF page size: a5 (default), a4, letter, b5, 6x9in (trade), 5x8in, "
                   "pocket, ereader, or WIDTHxHEIGHT with mm, in or pt (140x216mm).")
@click.option("--print", "print_layout", is_flag=True, default=None,
              help="PDF for printing: mirrored margins, chapters open on a right-hand page.")
@click.option("--option", "theme_options", multiple=True, callback=common.theme_options,
              help=common.OPTION_HELP)
@click.option("--cover", type=click.Path(path_type=Path), default=None,
              help="Use this image (.jpg or .png) as the cover instead of a generated one.")
@click.option("--no-cache", is_flag=True,
              help="Read and keep nothing in ficbook's cache (parsed stories, compressed pages, "
                   "laid-out PDF parts; for a link, every chapter is downloaded again).")
@click.option("--send", is_flag=True,
              help="Copy the book onto a plugged-in Kobo (as KEPUB) or Kindle (AZW3 with "
                   "calibre, else EPUB); without -o, only the device gets it.")
@click.option("--device", type=click.Path(path_type=Path), default=None,
              help="The e-reader's folder, where --send does not find it (implies --send).")
@click.option("--watch", is_flag=True,
              help="Keep running: build again whenever a story, the anthology file or your "
                   "theme changes (Ctrl-C stops).")
@links.site_options
def build_cmd(inputs: tuple[str, ...], output: Path | None, theme: str | None,
              reader: str | None, formats: tuple[str, ...] | None, page_size: str | None,
              print_layout: bool | None, title: str | None, subtitle: str | None,
              editors: tuple[str, ...], theme_options: dict[str, Any],
              cover: Path | None, no_cache: bool, send: bool, device: Path | None,
              watch: bool, login: str | None, password: str | None, is_adult: bool,
              fff_ini: Path | None, refresh: bool) -> None:
    """Build a book from a story file or link, several (one anthology), or an anthology.toml.

    \b
    ficbook build story.txt              -> "<Title> - <Author>.epub" here
    ficbook build story.txt -o books/    -> into a folder
    ficbook build story.txt -o book.epub -> that file
    ficbook build https://archiveofourown.org/works/123 -> fetched, then built
    ficbook build a.txt b.txt --title "Flash Fics" --editor "The Mods"
    ficbook build my-zine/anthology.toml -> as the file says
    """
    from ..fetch import is_url
    from ..pipeline.build import build

    given: dict[str, Any] = {"theme": theme, "formats": formats, "page_size": page_size,
             "print_layout": print_layout, "theme_options": theme_options or None,
             "cover": cover}  # only what was given: config values stay otherwise
    options = BuildOptions(reader=reader, cache=not no_cache,
                           **{k: v for k, v in given.items() if v is not None})
    explicit = {k for k, v in given.items() if v is not None}  # these beat the file's
    fetch = links.fetch_settings(login, password, is_adult, fff_ini, refresh, not no_cache)
    # A link stays text (a Path would fold its "//"), and so does any other scheme, for the
    # build to name as given.
    sources: list[Path | str] = [i if is_url(i) or "://" in i else Path(i) for i in inputs]

    def once() -> list[Path]:
        with links.fetch_progress() as progress:
            return build(sources, output, options, title=title, subtitle=subtitle,
                         editors=editors, explicit=explicit, fetch=fetch, progress=progress)

    if send or device is not None:
        if watch:
            raise click.UsageError("--send builds once: leave out --watch")
        with links.fetch_progress() as progress:
            _send(sources, output, options, formats, device, title=title, subtitle=subtitle,
                  editors=editors, explicit=explicit, fetch=fetch, progress=progress)
        return
    with common.writing_into(_books_folder(output)):
        if watch:
            _watch(once, [s for s in sources if isinstance(s, Path)], options.theme)
            return
        for path in once():
            click.echo(str(path))


def _send(inputs: list[Path | str], output: Path | None, options: BuildOptions,
          formats: tuple[str, ...] | None, device: Path | None, **build_args: Any) -> None:
    from ..devices import find_device
    from ..pipeline.build import build
    from ..pipeline.send import build_and_send, describe

    reader = find_device(device)
    with common.writing_into(_books_folder(output) if output else reader.books, deep=True):
        written, sent = build_and_send(inputs, reader, output, options, formats, build,
                                       **build_args)
    for path in written:
        click.echo(str(path))
    click.echo(describe(sent))


def _books_folder(output: Path | None) -> Path:
    """Where the books go: -o's folder, the folder of the file it names (book.epub), or here."""
    from ..backends import format_of

    if output is None:
        return Path.cwd()
    return output.parent if format_of(output) else output


def _watch(once: Callable[[], list[Path]], inputs: list[Path], theme: str) -> None:
    from ..pipeline.watch import watch

    first = True

    def report(result: list[Path] | FicbookError, seconds: float) -> None:
        nonlocal first
        if isinstance(result, FicbookError):
            for line in result.lines():
                click.echo(f"ficbook: error: {line}", err=True)
        else:
            click.echo(f"built {', '.join(map(str, result))} in {seconds:.2f} s")
        if first:
            click.echo("watching for changes (Ctrl-C stops)", err=True)
            first = False

    try:
        watch(once, inputs, theme, report)
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)
