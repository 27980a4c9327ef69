"""The command line: thin click commands over the library API."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import EXIT_BUILD, EXIT_INPUT, FicbookError
from ..model import Story, chapter_label
from ..options import DEFAULT_THEME, BuildOptions
from . import themes as cli_themes

# The readers, the backends and their libraries (lxml, ebooklib, PIL, jinja2, ftfy, ...) load
# only when a command needs them: `ficbook --help` starts in a fraction of the time.


def build(*args: Any, **kwargs: Any) -> list[Path]:
    from ..pipeline.build import build as _build

    return _build(*args, **kwargs)


def read_story(*args: Any, **kwargs: Any) -> Story:
    from ..ingest import read_story as _read_story

    return _read_story(*args, **kwargs)


def to_text(xhtml: str) -> str:
    from ..xhtml.sanitize import to_text as _to_text

    return _to_text(xhtml)


class _ReaderChoice(click.Choice):  # type: ignore[type-arg]
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

EPILOG = """\b
Exit codes: 0 success, 2 bad command line, 3 unreadable input (story, config or theme),
4 the book could not be written, 5 a batch finished with failures."""


class _Group(click.Group):
    """Turns every FicbookError into one line and an exit code; --debug shows the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FicbookError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            for line in exc.lines():  # an anthology file reports every problem, one per line
                click.echo(f"ficbook: error: {line}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("ficbook: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # `ficbook info story.txt | head`: the reader left; nothing more to say.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except OSError as exc:
            # The disk or the output folder, not ficbook: say which file and why.
            if ctx.obj and ctx.obj.get("debug"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"ficbook: error: {where}cannot write: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_BUILD)
        except Exception as exc:
            # A bug in ficbook, not in the input: still one line, and how to learn more.
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"ficbook: error: internal error: {type(exc).__name__}: {exc} "
                       "(run again with --debug for details)", err=True)
            sys.exit(EXIT_BUILD)


@click.group(cls=_Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ficbook")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("-v", "--verbose", count=True, help="Say more about what is happening.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: int) -> None:
    """ficbook turns fan fiction (text posts, AO3 downloads, web pages, Markdown, Word, EPUB)
    into EPUB and PDF books: one story, an anthology, or a whole folder at a time."""
    ctx.obj = {"debug": debug}
    level = logging.DEBUG if debug or verbose > 1 else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="ficbook: %(levelname)s: %(message)s")


@cli.command(epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="A folder to write into, or the book's file name (book.epub).")
@click.option("--theme", default=None, help="A built-in theme name or a theme folder.")
@click.option("--from", "reader", type=_ReaderChoice(), default=None,
              help="Read the input with this reader instead of detecting its format.")
@click.option("--title", default=None,
              help="The book's title (several stories, or instead of the anthology file's).")
@click.option("--subtitle", default=None, help="The book's subtitle.")
@click.option("--editor", "editors", multiple=True,
              help="An editor of the anthology (repeat for several).")
@click.option("-f", "--format", "formats", default=None, metavar="epub,pdf",
              callback=lambda _c, _p, v: _formats(v),
              help="What to build: epub (default), pdf, or both: epub,pdf.")
@click.option("--page-size", default=None, callback=lambda _c, _p, v: _page_size(v),
              help="PDF page size: a5 (default), a4, letter, b5, 6x9in (trade), 5x8in, "
                   "pocket, ereader, or WIDTHxHEIGHT with mm, in or pt (140x216mm).")
@click.option("--print", "print_layout", is_flag=True, default=None,
              help="PDF for printing: mirrored margins, chapters open on a right-hand page.")
@click.option("--option", "theme_options", multiple=True, callback=cli_themes.theme_options,
              help=cli_themes.OPTION_HELP)
@click.option("--cover", type=click.Path(path_type=Path), default=None,
              help="Use this image (.jpg or .png) as the cover instead of a generated one.")
@click.option("--no-cache", is_flag=True,
              help="Read and keep nothing in ficbook's cache (parsed stories, compressed pages, "
                   "laid-out PDF parts).")
@click.option("--watch", is_flag=True,
              help="Keep running: build again whenever a story, the anthology file or your "
                   "theme changes (Ctrl-C stops).")
def build_cmd(inputs: tuple[Path, ...], output: Path | None, theme: str | None,
              reader: str | None, formats: tuple[str, ...] | None, page_size: str | None,
              print_layout: bool | None, title: str | None, subtitle: str | None,
              editors: tuple[str, ...], theme_options: dict[str, Any],
              cover: Path | None, no_cache: bool, watch: bool) -> None:
    """Build a book from a story file, several (one anthology), or an anthology.toml.

    \b
    ficbook build story.txt              -> "<Title> - <Author>.epub" here
    ficbook build story.txt -o books/    -> into a folder
    ficbook build story.txt -o book.epub -> that file
    ficbook build a.txt b.txt --title "Flash Fics" --editor "The Mods"
    ficbook build my-zine/anthology.toml -> as the file says
    """
    given: dict[str, Any] = {"theme": theme, "formats": formats, "page_size": page_size,
             "print_layout": print_layout, "theme_options": theme_options or None,
             "cover": cover}  # only what was given: config values stay otherwise
    options = BuildOptions(reader=reader, cache=not no_cache,
                           **{k: v for k, v in given.items() if v is not None})
    explicit = {k for k, v in given.items() if v is not None}  # these beat the file's

    def once() -> list[Path]:
        return build(list(inputs), output, options, title=title, subtitle=subtitle,
                     editors=editors, explicit=explicit)

    if watch:
        _watch(once, list(inputs), options.theme)
        return
    for path in once():
        click.echo(str(path))


def _watch(once: Any, inputs: list[Path], theme: str) -> None:
    from ..pipeline.watch import watch

    first = True

    def report(result: list[Path] | list[str], seconds: float) -> None:
        nonlocal first
        if result and isinstance(result[0], Path):
            click.echo(f"built {', '.join(map(str, result))} in {seconds:.2f} s")
        else:
            for line in result:
                click.echo(f"ficbook: error: {line}", err=True)
        if first:
            click.echo("watching for changes (Ctrl-C stops)", err=True)
            first = False

    try:
        watch(once, inputs, theme, report)
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


cli.add_command(build_cmd, name="build")
cli.add_command(cli_themes.themes)
cli.add_command(cli_themes.theme)
cli.add_command(cli_themes.preview)


def _formats(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    from ..backends import BACKENDS

    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in BACKENDS]
    if unknown or not formats:
        raise click.BadParameter(f"unknown format '{','.join(unknown) or value}' "
                                 f"(known: {', '.join(BACKENDS)})")
    return formats


def _page_size(value: str | None) -> str | None:
    if value is None:
        return None
    from ..backends.pdf.pagesize import parse_page_size

    try:
        parse_page_size(value)
    except FicbookError as exc:
        raise click.BadParameter(exc.message) from None
    return value


@cli.command(epilog=EPILOG)
@click.argument("input", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the parsed story as JSON.")
@click.option("--from", "reader", type=_ReaderChoice(), default=None,
              help="Read the input with this reader instead of detecting its format.")
def info(input: Path, as_json: bool, reader: str | None) -> None:
    """Show what ficbook read from a story: metadata and chapters."""
    story = read_story(input, reader)
    if as_json:
        click.echo(json.dumps(story_json(story), ensure_ascii=False, indent=2))
        return
    _print_info(story)


def story_json(story: Story) -> dict[str, Any]:
    meta = asdict(story.metadata)
    meta["extra"] = [{"key": k, "value": v} for k, v in story.metadata.extra]
    return {
        "source": str(story.source) if story.source else None,
        "reader": story.reader,
        "metadata": meta,
        "counted_words": story.counted_words,
        "end_mark": story.end_mark,
        "chapters": [
            {"title": c.title, "words": _words(c.body), "body": c.body, "summary": c.summary,
             "notes": c.notes, "end_notes": c.end_notes}
            for c in story.chapters
        ],
    }


def _words(body: str) -> int:
    from ..model import count_words

    return count_words(body)


def _print_info(story: Story) -> None:
    m = story.metadata
    click.echo(f"{story.source}  (read as: {story.reader})")
    rows: list[tuple[str, str]] = [("Title", m.title)]
    for key, value in asdict(m).items():
        if key in {"title", "extra", "word_count"} or value in ("", (), None, []):
            continue
        if key == "language" and value == "en":
            continue
        if isinstance(value, list | tuple):
            value = "; ".join(map(str, value))
        elif key in {"summary", "notes", "end_notes", "disclaimer"}:
            value = to_text(value)
        rows.append((key.replace("_", " ").capitalize(), str(value)))
    for key, value in m.extra:
        rows.append((f"{key} (kept as written)", value))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"  {key.ljust(width)}  {value}")
    click.echo(f"  {'Words'.ljust(width)}  {story.counted_words:,} counted"
               + (f", {m.word_count:,} declared" if m.word_count is not None else ""))
    click.echo(f"  {len(story.chapters)} chapter(s):")
    for n, chapter in enumerate(story.chapters, start=1):
        label = chapter_label(story, chapter, n)
        click.echo(f"    {n:>3}. {label}  ({_words(chapter.body):,} words)")
    if story.end_mark:
        click.echo(f"  End mark: {story.end_mark}")


@cli.group(epilog=EPILOG)
def new() -> None:
    """Start something new: an anthology."""


@new.command("anthology")
@click.argument("folder", type=click.Path(path_type=Path))
def new_anthology_cmd(folder: Path) -> None:
    """Write FOLDER/anthology.toml and FOLDER/intro.md listing the stories found in FOLDER."""
    from ..anthology.assemble import new_anthology

    for path in new_anthology(folder):
        click.echo(str(path))


@cli.command("batch", epilog=EPILOG)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The folder the books go into.")
@click.option("-f", "--format", "formats", default="epub", show_default=True, metavar="epub,pdf",
              callback=lambda _c, _p, v: _formats(v), help="What to build for each story.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Books built at once (default: the number of cores).")
@click.option("--force", is_flag=True, help="Rebuild books that are already up to date.")
@click.option("--theme", default=None, help="A built-in theme name or a theme folder.")
@click.option("--page-size", default=None, callback=lambda _c, _p, v: _page_size(v),
              help="PDF page size, as for `ficbook build`.")
@click.option("--print", "print_layout", is_flag=True, default=False,
              help="PDF for printing: mirrored margins, chapters open on a right-hand page.")
@click.option("--option", "theme_options", multiple=True, callback=cli_themes.theme_options,
              help=cli_themes.OPTION_HELP)
def batch_cmd(inputs: tuple[Path, ...], output: Path, formats: tuple[str, ...],
              jobs: int | None, force: bool, theme: str | None, page_size: str | None,
              print_layout: bool, theme_options: dict[str, Any]) -> None:
    """One book per story file (or folder of chapter files), in parallel; books already up
    to date are skipped.

    \b
    ficbook batch saved-fics/ -o library/ -f epub -j 4
    """
    from ..errors import EXIT_PARTIAL
    from ..pipeline.batch import batch

    options = BuildOptions(formats=formats, theme=theme or DEFAULT_THEME,
                           page_size=page_size or BuildOptions.page_size,
                           print_layout=print_layout, theme_options=theme_options)
    with _progress() as report:
        result = batch(list(inputs), output, options, jobs=jobs, force=force, progress=report)
    for path, reason in result.failed:
        click.echo(f"ficbook: failed: {path}: {reason}", err=True)
    click.echo(f"{len(result.built)} built, {len(result.skipped)} up to date (skipped), "
               f"{len(result.failed)} failed" + (f"; books in {output}" if result.built else ""))
    if result.failed:
        sys.exit(EXIT_PARTIAL)


class _progress:
    """A rich progress bar on a terminal (with the current story); silent otherwise."""

    def __enter__(self) -> Any:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(stderr=True)
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            console=console, transient=True, disable=not console.is_terminal)
        self.bar.__enter__()
        self.task = self.bar.add_task("starting", total=None)

        def report(path: Path, done: int, total: int, status: str) -> None:
            self.bar.update(self.task, completed=done, total=total,
                            description=f"{status} {path.name[:50]}")

        return report

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)


def main() -> None:
    try:
        cli(prog_name="ficbook")
        code = 0
    except SystemExit as exc:  # click's way of ending, and ours
        if isinstance(exc.code, str):
            click.echo(exc.code, err=True)
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except FicbookError as exc:  # raised outside a command (e.g. during option parsing)
        click.echo(f"ficbook: error: {exc}", err=True)
        code = EXIT_INPUT
    _leave(code)


def _leave(code: int) -> NoReturn:
    """End the process without tearing down every module and object one by one (a tenth of
    an anthology rebuild): by now each book is written and renamed into place, every pool and
    temporary folder closed; only what is buffered for the terminal remains to go out."""
    for stream in (sys.stdout, sys.stderr):
        # A reader that left (`| head`), or a closed stream: nothing more can go out.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    logging.shutdown()
    os._exit(code)
