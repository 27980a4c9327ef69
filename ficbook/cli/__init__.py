"""The command line: the `ficbook` group, each error as one line, and how the process ends."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import EXIT_BUILD, EXIT_INPUT, FicbookError
from . import batch, build, info, links, new, themes, update
from .common import EPILOG

# One module per command, each importing only click at the top: the readers, the backends and
# their libraries (lxml, ebooklib, PIL, jinja2, ftfy, ...) load only when a command needs them,
# so `ficbook --help` starts in a fraction of the time.


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
            # The disk or the system, not ficbook: which file and the system's reason. What was
            # being done with it is not known here (writers that know raise a BuildError that
            # says "cannot write"), so nothing is guessed.
            if ctx.obj and ctx.obj.get("debug"):
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"ficbook: error: {where}{exc.strerror or exc}", err=True)
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


cli.add_command(build.build_cmd, name="build")
cli.add_command(themes.themes)
cli.add_command(themes.theme)
cli.add_command(themes.preview)
cli.add_command(info.info)
cli.add_command(new.new)
cli.add_command(batch.batch_cmd, name="batch")
cli.add_command(update.update)
cli.add_command(links.sites)


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
