"""`ficbook update`: a book made from a link gets its work's new chapters, keeps its file and
identifier, and is left byte for byte when nothing changed. The work changes through a
FanFicFare personal.ini, as FanFicFare's own tests drive its test1.com adapter."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sitekit import SiteCalls, work_ini
from validate import epubcheck_messages

from ficbook.cli import cli

pytestmark = pytest.mark.usefixtures("no_network", "own_fetch_cache")

WORK = "http://test1.com?sid=1001"
BOOK = "The Lighthouse Keeper’s Almanac - wren_and_tide.epub"  # typographic, as titles are


def identifier(book: Path) -> str:
    opf = zipfile.ZipFile(book).read("EPUB/content.opf").decode()
    found = re.search(r"<dc:identifier[^>]*>([^<]+)<", opf)
    assert found
    return found.group(1)


def chapters_in(book: Path) -> list[str]:
    nav = zipfile.ZipFile(book).read("EPUB/nav.xhtml").decode()
    return re.findall(r'<a href="text/[^"]*c\d+[^"]*">([^<]+)</a>', nav)


def test_update_adds_the_new_chapters_and_keeps_the_identifier(
        tmp_path: Path, site_calls: SiteCalls) -> None:
    ini = work_ini(tmp_path / "personal.ini", 1001, ["Low Water", "The Lamp Room", "Fog"],
                   "2024-02-01", "3,000")
    runner = CliRunner()
    built = runner.invoke(cli, ["build", WORK, "--fff-ini", str(ini), "-o", str(tmp_path),
                                "--theme", "modern"])
    assert built.exit_code == 0, built.output
    book = tmp_path / BOOK
    before = identifier(book)
    assert chapters_in(book) == ["Low Water", "The Lamp Room", "Fog"]

    work_ini(ini, 1001, ["Low Water", "The Lamp Room", "Fog", "Spring Tide"], "2024-03-01",
             "4,100")
    fetched_before = len(site_calls.chapters)
    result = runner.invoke(cli, ["update", str(book), "--fff-ini", str(ini)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{book}: updated: 1 new chapter: “Spring Tide”"
    assert chapters_in(book) == ["Low Water", "The Lamp Room", "Fog", "Spring Tide"]
    assert identifier(book) == before  # e-readers replace the old copy
    assert site_calls.chapters[fetched_before:] == [f"{WORK}&chapter=4"]  # only the new one
    assert "modern" in zipfile.ZipFile(book).read("EPUB/content.opf").decode()  # its theme
    assert epubcheck_messages(book) == []
    assert list(tmp_path.glob(".*.part")) == []


def test_an_unchanged_work_leaves_the_book_byte_identical(
        tmp_path: Path, site_calls: SiteCalls) -> None:
    ini = work_ini(tmp_path / "personal.ini", 1002, ["One", "Two"], "2024-02-01", "2,000")
    runner = CliRunner()
    assert runner.invoke(cli, ["build", WORK.replace("1001", "1002"), "--fff-ini", str(ini),
                               "-o", str(tmp_path)]).exit_code == 0
    book = tmp_path / BOOK
    data, stamp = book.read_bytes(), book.stat().st_mtime_ns
    chapters_fetched = len(site_calls.chapters)
    result = runner.invoke(cli, ["update", str(book), "--fff-ini", str(ini)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{book}: up to date"
    assert book.read_bytes() == data and book.stat().st_mtime_ns == stamp
    assert len(site_calls.chapters) == chapters_fetched  # the work's page only


def test_an_edit_without_new_chapters_fetches_the_chapters_again(
        tmp_path: Path, site_calls: SiteCalls) -> None:
    ini = work_ini(tmp_path / "personal.ini", 1003, ["One", "Two"], "2024-02-01", "2,000")
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "http://test1.com?sid=1003", "--fff-ini", str(ini),
                               "-o", str(tmp_path)]).exit_code == 0
    work_ini(ini, 1003, ["One", "Two"], "2024-02-09", "2,150")
    site_calls.chapters.clear()
    result = runner.invoke(cli, ["update", str(tmp_path / BOOK), "--fff-ini", str(ini)])
    assert result.exit_code == 0, result.output
    assert "the work was edited" in result.output
    assert len(site_calls.chapters) == 2


def test_a_library_folder_is_updated_with_a_summary(tmp_path: Path,
                                                    site_calls: SiteCalls) -> None:
    from conftest import SAMPLES

    library = tmp_path / "library"
    ini = work_ini(tmp_path / "personal.ini", 1004, ["One"], "2024-02-01", "900")
    runner = CliRunner()
    assert runner.invoke(cli, ["build", "http://test1.com?sid=1004", "--fff-ini", str(ini),
                               "-o", str(library)]).exit_code == 0
    assert runner.invoke(cli, ["build", "http://test1.com?sid=2", "-o",
                               str(library)]).exit_code == 0
    assert runner.invoke(cli, ["build", str(SAMPLES / "lanterns-at-low-tide.txt"), "-o",
                               str(library)]).exit_code == 0
    (library / "broken.epub").write_bytes(b"not a zip")
    work_ini(ini, 1004, ["One", "Two"], "2024-02-10", "1,800")
    result = runner.invoke(cli, ["update", str(library), "--fff-ini", str(ini)])
    assert result.exit_code == 5, result.output
    assert "4 books: 1 updated, 1 up to date, 1 not made from a link, 1 failed" in result.output
    assert "broken.epub: failed" in result.output


def test_a_book_not_made_from_a_link_is_a_clear_error(tmp_path: Path) -> None:
    from conftest import SAMPLES

    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(SAMPLES / "lanterns-at-low-tide.txt"), "-o",
                               str(tmp_path)]).exit_code == 0
    book = next(tmp_path.glob("*.epub"))
    result = runner.invoke(cli, ["update", str(book)])
    assert result.exit_code == 3
    assert result.output.strip() == (f"ficbook: error: {book}: not a book ficbook made from a "
                                     "link: nothing to update it from")
