"""What a reviewer testing as a new user found, kept fixed: update never drops a reader's
chapters without --force, a slip in a list of links is reported, a batch of links follows
changed options, and a bad --fff-ini is said once."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import work_ini

from ficbook.cli import cli

pytestmark = pytest.mark.usefixtures("no_network", "own_fetch_cache")

BOOK = "The Lighthouse Keeper’s Almanac - wren_and_tide.epub"


def built(tmp_path: Path, sid: int, chapters: list[str]) -> tuple[Path, Path]:
    ini = work_ini(tmp_path / "personal.ini", sid, chapters, "2024-02-01", "3,000")
    result = CliRunner().invoke(cli, ["build", f"http://test1.com?sid={sid}", "--fff-ini",
                                      str(ini), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return tmp_path / BOOK, ini


def test_update_keeps_the_book_when_the_site_lists_fewer_chapters(tmp_path: Path) -> None:
    book, ini = built(tmp_path, 1020, ["One", "Two", "Three"])
    before = book.read_bytes()
    work_ini(ini, 1020, ["One"], "2024-03-01", "1,000")
    runner = CliRunner()
    refused = runner.invoke(cli, ["update", str(book), "--fff-ini", str(ini)])
    assert refused.exit_code == 3
    assert refused.output.strip() == (
        f"ficbook: error: {book}: the site now lists 1 chapters and the book has 3: not "
        "updated (--force updates it anyway)")
    assert book.read_bytes() == before
    forced = runner.invoke(cli, ["update", str(book), "--fff-ini", str(ini), "--force"])
    assert forced.exit_code == 0 and "2 chapters removed from the site" in forced.output


def test_update_without_the_ini_that_made_the_work_changes_nothing(tmp_path: Path) -> None:
    book, _ = built(tmp_path, 1021, ["One", "Two"])
    before = book.read_bytes()
    result = CliRunner().invoke(cli, ["update", str(book)])  # --fff-ini forgotten
    assert result.exit_code == 3
    assert "the site now names the work “Test Story Title 1021” by Test Author aa" in \
        result.output
    assert book.read_bytes() == before


def test_update_in_another_theme_rebuilds_an_unchanged_work(tmp_path: Path) -> None:
    book, ini = built(tmp_path, 1022, ["One"])
    result = CliRunner().invoke(cli, ["update", str(book), "--fff-ini", str(ini),
                                      "--theme", "archive"])
    assert result.exit_code == 0
    assert result.output.strip() == f"{book}: updated: rebuilt in the archive theme"
    opf = zipfile.ZipFile(book).read("EPUB/content.opf").decode()
    assert 'property="ficbook:theme">archive<' in opf


def test_update_says_what_it_works_on(tmp_path: Path) -> None:
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    result = CliRunner().invoke(cli, ["update", str(pdf)])
    assert result.exit_code == 3
    assert "update works on the EPUBs ficbook made from links" in result.output


def test_a_slip_in_a_list_of_links_is_a_failure_not_a_story(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("http://test1.com?sid=10\nhttp//test1.com?sid=11\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(urls), "-o", str(tmp_path / "lib")])
    assert result.exit_code == 5, result.output
    assert "1 built, 0 up to date (skipped), 1 failed" in result.output
    assert "http//test1.com?sid=11: not a web address ficbook can fetch" in result.output
    assert [p.name for p in (tmp_path / "lib").glob("*.epub")] == [
        "Test Story Title 10 - Test Author aa.epub"]


def test_a_batch_of_links_follows_changed_options(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("http://test1.com?sid=12\n", encoding="utf-8")
    runner = CliRunner()
    lib = str(tmp_path / "lib")
    assert "1 built" in runner.invoke(cli, ["batch", str(urls), "-o", lib]).output
    assert "1 up to date" in runner.invoke(cli, ["batch", str(urls), "-o", lib]).output
    restyled = runner.invoke(cli, ["batch", str(urls), "-o", lib, "--theme", "modern"])
    assert "1 built, 0 up to date" in restyled.output


def test_a_bad_fff_ini_is_said_once_before_anything_is_fetched(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("http://test1.com?sid=12\nhttp://test1.com?sid=13\n", encoding="utf-8")
    missing = tmp_path / "nope.ini"
    for command in (["batch", str(urls), "-o", str(tmp_path)], ["update", str(tmp_path)]):
        result = CliRunner().invoke(cli, [*command, "--fff-ini", str(missing)])
        assert result.exit_code == 3
        assert result.output.strip() == (f"ficbook: error: {missing}: cannot be read: No "
                                         "such file or directory")


@pytest.mark.parametrize(("given", "says"), [
    ("ftp://archiveofourown.org/works/1", "ftp://archiveofourown.org/works/1: only http:// "
                                          "and https:// links can be fetched"),
    ("test1.com?sid=5", "test1.com?sid=5: no such file (a link starts with https://)"),
])
def test_other_schemes_and_bare_hosts_are_named_as_given(given: str, says: str) -> None:
    result = CliRunner().invoke(cli, ["build", given])
    assert result.exit_code == 3 and result.output.strip() == f"ficbook: error: {says}"


def test_an_anthology_names_a_failing_link_once(tmp_path: Path) -> None:
    (tmp_path / "anthology.toml").write_text(
        'title = "T"\nstories = ["http://test1.com?sid=666", "http://test1.com?sid=2"]\n',
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "anthology.toml")])
    assert result.exit_code == 3
    assert result.output.count("http://test1.com?sid=666") == 1


def test_a_list_of_links_given_with_list_is_fetched(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("http://test1.com?sid=14\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", "--list", str(urls), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "Test Story Title 14 - Test Author aa.epub").is_file()
