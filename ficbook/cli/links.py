"""What commands that take links share: the site options (FanFicFare's way), a fetch's progress
bar, and `ficbook sites`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from ..options import FetchOptions
from . import common

F = TypeVar("F", bound=Callable[..., Any])


def site_options(command: F) -> F:
    """--login, --password, --is-adult, --fff-ini and --refresh, for a command that fetches."""
    for decorator in reversed((
        click.option("--login", envvar="FICBOOK_LOGIN", default=None, metavar="NAME",
                     help="Your user name on the site, for works that need a login "
                          "(or set FICBOOK_LOGIN). Never stored in the book."),
        click.option("--password", envvar="FICBOOK_PASSWORD", default=None,
                     help="Your password on the site (better: set FICBOOK_PASSWORD). "
                          "Never stored in the book."),
        click.option("--is-adult", is_flag=True,
                     help="Confirm you are an adult where a site asks (adult-content gates)."),
        click.option("--fff-ini", type=click.Path(path_type=Path, dir_okay=False),
                     default=None, metavar="PATH",
                     help="A FanFicFare personal.ini whose site settings to use."),
        click.option("--refresh", is_flag=True,
                     help="Fetch each work's page again, even if it was fetched within the "
                          "hour (chapters already fetched are not downloaded again)."),
    )):
        command = decorator(command)
    return command


def fetch_settings(login: str | None, password: str | None, is_adult: bool,
                   fff_ini: Path | None, refresh: bool, cache: bool = True) -> FetchOptions:
    """The site options as FetchOptions; a --fff-ini that is not one is said once, now (not
    once per book of a batch)."""
    if fff_ini is not None:
        from ..fetch.site import checked_ini

        checked_ini(fff_ini)
    return FetchOptions(login=login or None, password=password or None, is_adult=is_adult,
                        fff_ini=fff_ini, refresh=refresh, cache=cache)


@contextlib.contextmanager
def fetch_progress() -> Iterator[Callable[[str, int, int], None]]:
    """The bar of a fetch: the chapters of the work being fetched (or the books of a folder
    being updated)."""
    with common.progress_bar() as bar:
        task = bar.tasks[0]

        def report(what: str, done: int, total: int) -> None:
            bar.update(task.id, completed=done, total=total, description=f"fetching {what[:60]}")

        yield report


@click.command()
@click.argument("match", required=False)
def sites(match: str | None) -> None:
    """List the sites ficbook can fetch from (FanFicFare's list), with example addresses.

    \b
    ficbook sites            -> every site
    ficbook sites archive    -> those whose name has "archive" in it
    """
    from ..fetch.site import supported_sites

    shown = 0
    for site, examples in supported_sites():
        if match and match.lower() not in site.lower():
            continue
        click.echo(f"{site}  {examples[0] if examples else ''}".rstrip())
        shown += 1
    if not shown:
        from ..errors import InputError

        raise InputError(None, f"no supported site matches '{match}' (`ficbook sites` lists "
                               "them all)")
