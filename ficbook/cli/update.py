"""`ficbook update`: books made from links brought up to date, one by one or a whole folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from . import common, links


@click.command(epilog=common.EPILOG)
@click.argument("books", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--theme", default=None,
              help="Rebuild in this theme instead of the one each book was made in.")
@click.option("--option", "theme_options", multiple=True, callback=common.theme_options,
              help=common.OPTION_HELP)
@click.option("--force", is_flag=True,
              help="Update even when the site now lists fewer chapters than the book, or "
                   "names the work differently (ficbook refuses, to keep your chapters).")
@links.site_options
def update(books: tuple[Path, ...], theme: str | None, theme_options: dict[str, Any],
           force: bool, login: str | None, password: str | None, is_adult: bool,
           fff_ini: Path | None, refresh: bool) -> None:
    """Fetch what is new in the works these books were made from, and rewrite the books in
    place (same file, same identifier: e-readers replace the old copy). A book whose work did
    not change is left as it is.

    \b
    ficbook update "Some Fic - Author.epub"
    ficbook update library/            -> every book in the folder made from a link
    """
    from ..errors import EXIT_PARTIAL
    from ..options import BuildOptions
    from ..pipeline.update import Outcome, books_in, update_book, update_books

    fetch = links.fetch_settings(login, password, is_adult, fff_ini, refresh)
    options = BuildOptions(theme=theme, theme_options=theme_options) if theme else None
    many = len(books) > 1 or any(b.is_dir() for b in books)
    total = sum(1 for _ in books_in(books))

    def say(outcome: Outcome) -> None:
        detail = f": {outcome.detail}" if outcome.detail else ""
        stream_err = outcome.status == "failed"
        click.echo(f"{outcome.path}: {outcome.status}{detail}", err=stream_err)

    if not many:  # one book: its error is the command's (one line, exit 3)
        with links.fetch_progress() as progress:
            say(update_book(books[0], fetch, options, progress, force))
        return
    with links.fetch_progress() as progress:
        done = 0

        def each(outcome: Outcome) -> None:  # the bar counts books here, not chapters
            nonlocal done
            done += 1
            progress(outcome.path.name, done, total)
            say(outcome)

        outcomes = update_books(books, fetch, options, None, each, force)
    counts = {s: sum(1 for o in outcomes if o.status == s)
              for s in ("updated", "up to date", "skipped", "failed")}
    books_word = "book" if total == 1 else "books"
    click.echo(f"{total} {books_word}: {counts['updated']} updated, {counts['up to date']} up "
               f"to date, {counts['skipped']} not made from a link, {counts['failed']} failed")
    if counts["failed"]:
        sys.exit(EXIT_PARTIAL)
