"""`ficbook batch`: one book per story, in parallel (here or on a Dask cluster), with a progress
bar on a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..options import DEFAULT_THEME, BuildOptions, FetchOptions
from . import common, links

if TYPE_CHECKING:
    from ..devices import Device


@click.command("batch", epilog=common.EPILOG)
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The folder the books go into.")
@click.option("-f", "--format", "formats", default="epub", show_default=True, metavar="epub,pdf",
              callback=lambda _c, _p, v: common.formats(v),
              help="What to build for each story.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Books built at once (default: the number of cores).")
@click.option("--force", is_flag=True, help="Rebuild books that are already up to date.")
@click.option("--list", "listed", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A file of inputs, one path a line (read as the batch goes).")
@click.option("--cluster", default=None, metavar="tcp://HOST:8786|local[:N]",
              help="Build on a Dask cluster: a running scheduler, or a local one of N worker "
                   "processes (needs: pip install 'ficbook[cluster]').")
@click.option("--shared-fs", is_flag=True,
              help="With --cluster: the workers see the inputs and the output folder at the "
                   "same paths, so they read and write the files themselves.")
@click.option("--theme", default=None, help="A built-in theme name or a theme folder.")
@click.option("--page-size", default=None, callback=lambda _c, _p, v: common.page_size(v),
              help="PDF page size, as for `ficbook build`.")
@click.option("--print", "print_layout", is_flag=True, default=False,
              help="PDF for printing: mirrored margins, chapters open on a right-hand page.")
@click.option("--option", "theme_options", multiple=True, callback=common.theme_options,
              help=common.OPTION_HELP)
@click.option("--send", is_flag=True,
              help="Copy every book onto a plugged-in Kobo or Kindle, in its format.")
@click.option("--device", type=click.Path(path_type=Path), default=None,
              help="The e-reader's folder, where --send does not find it (implies --send).")
@links.site_options
def batch_cmd(inputs: tuple[str, ...], output: Path, formats: tuple[str, ...],
              jobs: int | None, force: bool, theme: str | None, page_size: str | None,
              print_layout: bool, theme_options: dict[str, Any], send: bool,
              device: Path | None, login: str | None, password: str | None, is_adult: bool,
              fff_ini: Path | None, refresh: bool, listed: Path | None,
              cluster: str | None, shared_fs: bool) -> None:
    """One book per story file (or folder of chapter files), in parallel; books already up
    to date are skipped. Links (or a .txt file of links, one a line) are fetched one after
    another instead.

    \b
    ficbook batch saved-fics/ -o library/ -f epub -j 4
    ficbook batch --list archive.txt -o library/ --cluster tcp://scheduler:8786
    ficbook batch urls.txt -o library/
    ficbook batch saved-fics/ -o library/ --send   -> and onto the Kobo or Kindle
    """
    from ..errors import EXIT_PARTIAL
    from ..pipeline.batch import batch

    if not inputs and listed is None:
        raise click.UsageError("give story files or folders, or --list FILE")
    if shared_fs and cluster is None:
        raise click.UsageError("--shared-fs goes with --cluster")
    reader = None
    if send or device is not None:
        from ..devices import find_device
        from ..pipeline.send import formats_for

        reader = find_device(device)
        formats = formats_for(reader, formats)
    options = BuildOptions(formats=formats, theme=theme or DEFAULT_THEME,
                           page_size=page_size or BuildOptions.page_size,
                           print_layout=print_layout, theme_options=theme_options)
    urls = _links_in(inputs) if inputs else _links_in((str(listed),)) if listed else None
    if urls is not None and (cluster is not None or (listed is not None and inputs)):
        raise click.UsageError("links are fetched here, one after another: --cluster and "
                               "--list are for story files")
    if urls is not None:
        fetch = links.fetch_settings(login, password, is_adult, fff_ini, refresh)
        _batch_links(urls, output, options, fetch, force, reader)
        return
    with _progress() as report:
        result = batch([Path(i) for i in inputs], output, options, jobs=jobs, force=force,
                       progress=report, cluster=cluster, shared_fs=shared_fs, listed=listed,
                       record=reader is not None)  # a path a book only when they are sent
    for path, failure in result.failed:
        click.echo(f"ficbook: failed: {path}: {failure.message}", err=True)
    click.echo(f"{result.built_count} built, {result.skipped_count} up to date (skipped), "
               f"{len(result.failed)} failed" + (f"; books in {output}" if result.built_count
                                                 else ""))
    unsent = _send_all(reader, [*result.built, *result.skipped]) if reader else 0
    if result.failed or unsent:
        sys.exit(EXIT_PARTIAL)


def _send_all(reader: Device, books: Sequence[tuple[Path | str, Sequence[Path]]]) -> int:
    """The batch's books onto the e-reader, a line each; how many could not go."""
    from ..pipeline.send import describe, send_many

    sent, unsent = send_many(books, reader)
    for done in sent:
        click.echo(describe(done))
    for source, error in unsent:
        click.echo(f"ficbook: not sent: {source}: {error.message}", err=True)
    return len(unsent)


def _links_in(inputs: tuple[str, ...]) -> list[str] | None:
    """The links to fetch, when the inputs are links or files listing them; None for story
    files. Both at once is a usage error: a batch is one or the other."""
    from ..fetch import is_url
    from ..pipeline.links import read_link_list

    found: list[str] = []
    for item in inputs:
        listed = [item] if is_url(item) else read_link_list(Path(item))
        if listed is None:
            if found or any(is_url(i) for i in inputs):
                raise click.UsageError("links and story files go in separate batches")
            return None
        found += listed
    return found


def _batch_links(urls: list[str], output: Path, options: BuildOptions, fetch: FetchOptions,
                 force: bool, reader: Device | None) -> None:
    from ..errors import EXIT_PARTIAL
    from ..pipeline.links import build_links

    with _progress() as report:
        result = build_links(urls, output, options, fetch, force=force,
                             progress=lambda url, done, total, status:
                             report(Path(url.rsplit("/", 1)[-1] or url), done, total, status))
    for url, why in result.failed:
        click.echo(f"ficbook: failed: {url}: {why.removeprefix(url + ': ')}", err=True)
    click.echo(f"{len(result.built)} built, {len(result.skipped)} up to date (skipped), "
               f"{len(result.failed)} failed" + (f"; books in {output}" if result.built else ""))
    unsent = _send_all(reader, [*result.built, *result.skipped]) if reader else 0
    if result.failed or unsent:
        sys.exit(EXIT_PARTIAL)


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[Path, int, int | None, str], None]]:
    """The batch's bar: done (of how many, once all are found), failed, the rate and the
    current story."""
    from rich.progress import TextColumn

    with common.progress_bar(TextColumn("{task.fields[failed]} failed"),
                             TextColumn("{task.fields[rate]}"), failed=0, rate="") as bar:
        task = bar.tasks[0]
        failed = 0

        def report(path: Path, done: int, total: int | None, status: str) -> None:
            nonlocal failed
            failed += status == "failed"
            bar.update(task.id, completed=done, total=total, failed=failed,
                       rate=f"{task.speed:.0f}/s" if task.speed else "",
                       description=f"{status} {path.name[:50]}")

        yield report
