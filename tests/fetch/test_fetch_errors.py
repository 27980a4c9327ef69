"""Fetching that cannot work ends in one clear line and exit code 3, with no half book; the
chapters fetched before a failure are kept. test1.com's failing works stand in for real sites."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import SiteCalls, work_ini

from ficbook.cli import cli
from ficbook.errors import InputError
from ficbook.fetch import fetch_story
from ficbook.options import FetchOptions

pytestmark = pytest.mark.usefixtures("own_fetch_cache")


def failing(url: str, tmp_path: Path, *extra: str) -> str:
    result = CliRunner().invoke(cli, ["build", url, "-o", str(tmp_path), *extra])
    assert result.exit_code == 3, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ficbook: error: "), result.output
    assert not list(tmp_path.glob("*.epub"))  # nothing half-written
    return lines[0].removeprefix("ficbook: error: ")


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(("url", "extra", "says"), [
    ("http://test1.com?sid=666", (), "no such work: it was deleted, hidden, or the address "
                                     "is wrong"),
    ("http://test1.com?sid=665", (), "the site asks to confirm you are an adult: pass "
                                     "--is-adult"),
    ("http://test1.com?sid=668", (), "this work needs a login: pass --login and --password"),
    ("http://test1.com?sid=668", ("--login", "Someone"), "the login failed"),
    ("https://stories.example.org/work/12", (), "stories.example.org is not a site FanFicFare "
                                                "can fetch from (`ficbook sites` lists them)"),
    ("http://test1.com/no-story-here", (), "not the address of a work on test1.com"),
    ("https://", (), "not a web address ficbook can fetch"),
    ("https://exa mple.org/works/1", (), "not a web address ficbook can fetch"),
])
def test_each_failure_is_one_line_with_exit_3(url: str, extra: tuple[str, ...], says: str,
                                               tmp_path: Path) -> None:
    message = failing(url, tmp_path, *extra)
    assert message.startswith(url) and says in message


@pytest.mark.usefixtures("no_network")
def test_the_gate_and_the_login_open_with_the_options(tmp_path: Path) -> None:
    runner = CliRunner()
    adult = runner.invoke(cli, ["build", "http://test1.com?sid=665", "--is-adult", "-o",
                                str(tmp_path)])
    assert adult.exit_code == 0, adult.output
    login = runner.invoke(cli, ["build", "http://test1.com?sid=668", "-o", str(tmp_path)],
                          env={"FICBOOK_LOGIN": "Me", "FICBOOK_PASSWORD": "secret"})
    assert login.exit_code == 0, login.output
    for book in tmp_path.glob("*.epub"):  # the password never reaches the book
        assert b"secret" not in book.read_bytes()


@pytest.mark.usefixtures("no_network")
def test_a_failure_mid_fetch_keeps_the_chapters_already_fetched(
        tmp_path: Path, site_calls: SiteCalls) -> None:
    # sid=667: chapter 1 arrives, chapter 2 fails on the site.
    message = failing("http://test1.com?sid=667", tmp_path)
    assert "the site did not give the chapter" in message
    assert [u.rsplit("=", 1)[1] for u in site_calls.chapters] == ["1", "2"]
    with pytest.raises(InputError):
        fetch_story("http://test1.com?sid=667")
    assert [u.rsplit("=", 1)[1] for u in site_calls.chapters[2:]] == ["2"]  # 1 was kept


@pytest.mark.usefixtures("no_network")
def test_a_chapter_elsewhere_is_refused_unfetched(tmp_path: Path) -> None:
    # The ini points the work's chapter at another site: FanFicFare would fetch it; ficbook
    # fetches only from the work's own site (and no_network proves no connection was tried).
    ini = work_ini(tmp_path / "personal.ini", 1010, ["One"], "2024-01-01", "10")
    with ini.open("a", encoding="utf-8") as f:
        f.write("chapter_urls:\n https://elsewhere.example.net/post#p1,One\n")
    message = failing("http://test1.com?sid=1010", tmp_path, "--fff-ini", str(ini))
    assert "refused to fetch from elsewhere.example.net" in message


def test_no_network_is_tried_again_then_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[object] = []

    def unreachable(*args: object, **kwargs: object) -> None:
        tried.append(args)
        raise OSError("Network is unreachable")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(socket, "create_connection", unreachable)
    monkeypatch.setattr(socket, "getaddrinfo", unreachable)
    options = FetchOptions(retries=1)  # FanFicFare waits longer each time: keep the test short
    with pytest.raises(InputError) as caught:
        fetch_story("https://archiveofourown.org/works/1", options)
    assert "cannot reach archiveofourown.org after 2 tries (no network connection?)" in \
        caught.value.message
    assert len(tried) >= 2


def test_a_link_without_its_scheme_is_not_taken_for_a_missing_file(tmp_path: Path) -> None:
    message = failing("archiveofourown.org/works/123", tmp_path)
    assert message == "archiveofourown.org/works/123: no such file (a link starts with https://)"


def test_a_broken_personal_ini_names_the_file(tmp_path: Path) -> None:
    ini = tmp_path / "personal.ini"
    ini.write_text("this is not [an ini\n", encoding="utf-8")
    message = failing("http://test1.com?sid=8", tmp_path, "--fff-ini", str(ini))
    assert message.startswith(f"{ini}: not a FanFicFare ini file: line 1: ")
    assert "this is not [an ini" in message
