"""`ficbook build URL`: a work fetched through FanFicFare (its test1.com adapter, offline)
becomes a valid book with the work's metadata; a second build downloads nothing."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from pypdf import PdfReader
from sitekit import SiteCalls
from validate import epubcheck_messages

from ficbook.cli import cli

pytestmark = pytest.mark.usefixtures("no_network", "own_fetch_cache")  # test1.com: offline

WORK = "http://test1.com?sid=8"
BOOK = "Test Story Title 8 - Test Author aa.epub"


def read(book: Path, name: str) -> str:
    return zipfile.ZipFile(book).read(name).decode()


def test_a_link_becomes_a_valid_book_with_its_metadata_and_nine_chapters(
        tmp_path: Path, site_calls: SiteCalls) -> None:
    result = CliRunner().invoke(cli, ["build", WORK, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    book = tmp_path / BOOK
    assert epubcheck_messages(book) == []
    names = zipfile.ZipFile(book).namelist()
    title_page = read(book, next(n for n in names if n.endswith("title.xhtml")))
    for shown in ("Tweenie", "Harry Potter/Ginny Weasley", "Bob Smith", "Swearing", "Furbie",
                  "The Great Test", "I suck at summaries!", "Completed"):
        assert shown in title_page.replace("&amp;", "&"), shown
    nav = read(book, "EPUB/nav.xhtml")
    contents = re.findall(r'<a href="text/[^"]+">([^<]+)</a>', nav)
    chapters = [
        "Prologue tests:[bare amp(&amp;) qt(’) amp(&amp;) gt(&gt;) lt(&lt;) ATnT(AT&amp;T) "
        "L(£) Onna(女)]", "Chapter 1, Xenos on Cinnabar", "Chapter 2, Sinmay on Kintikin",
        "Chapter 3, “Over” Cinnabar", "Chapter 4 &amp; 4.5", "Chapter 5 &lt; 5.4",
        "Chapter A &amp; B &lt; C &gt; D", "Chapter 7", "Chapter 8"]
    start = contents.index(chapters[0])  # after the title page
    assert contents[start:] == chapters
    opf = read(book, "EPUB/content.opf")
    assert "<dc:source>http://test1.com?sid=8</dc:source>" in opf
    assert len(site_calls.chapters) == 9 and len(site_calls.pages) == 1


def test_a_second_build_in_another_theme_downloads_nothing(
        tmp_path: Path, site_calls: SiteCalls) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["build", WORK, "-o", str(tmp_path / "a")]).exit_code == 0
    first = site_calls.total
    result = runner.invoke(cli, ["build", WORK, "-o", str(tmp_path / "b"), "--theme", "modern",
                                 "-f", "epub,pdf"])
    assert result.exit_code == 0, result.output
    assert site_calls.total == first  # nothing asked of the site the second time
    assert (tmp_path / "b" / BOOK).is_file()
    pdf = PdfReader((tmp_path / "b" / BOOK).with_suffix(".pdf"))
    assert len(pdf.pages) > 9 and pdf.metadata is not None
    assert pdf.metadata.title == "Test Story Title 8"
    nested = [o for o in pdf.outline if isinstance(o, list)]  # the story's chapters
    assert "Chapter 1, Xenos on Cinnabar" in [o.title for o in nested[0]]


def test_an_interrupted_fetch_resumes_where_it_stopped(
        tmp_path: Path, site_calls: SiteCalls, monkeypatch: pytest.MonkeyPatch) -> None:
    from fanficfare.adapters.adapter_test1 import TestSiteAdapter

    counted = TestSiteAdapter.getChapterText

    def cut_at_chapter_five(self: TestSiteAdapter, url: str) -> str:
        if url.endswith("chapter=5"):
            raise KeyboardInterrupt
        return str(counted(self, url))

    monkeypatch.setattr(TestSiteAdapter, "getChapterText", cut_at_chapter_five)
    with pytest.raises(KeyboardInterrupt):
        from ficbook.pipeline.build import build

        build([WORK], tmp_path)
    assert not list(tmp_path.glob("*.epub"))  # no half book
    assert len(site_calls.chapters) == 4
    monkeypatch.setattr(TestSiteAdapter, "getChapterText", counted)
    result = CliRunner().invoke(cli, ["build", WORK, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [u.rsplit("=", 1)[1] for u in site_calls.chapters[4:]] == ["5", "6", "7", "8", "9"]


def test_info_reads_a_link_like_a_file(site_calls: SiteCalls) -> None:
    result = CliRunner().invoke(cli, ["info", "--json", WORK])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    meta = data["metadata"]
    assert meta["title"] == "Test Story Title 8" and meta["authors"] == ["Test Author aa"]
    assert meta["series"] == "The Great Test" and meta["series_index"] == 8
    assert meta["word_count"] == 123456 and meta["updated"] == "1975-04-15"
    assert meta["relationships"][0] == "Harry Potter & Hermione Granger"
    assert data["reader"] == "url/fanficfare" and len(data["chapters"]) == 9
    # Chapter text went through the sanitizer: the site's <style> and inline styles are gone.
    body = data["chapters"][1]["body"]
    assert "<style" not in body and "style=" not in body and "color: red" not in body
    assert "<i>italics</i>" in body


def test_links_and_files_together_make_a_quick_anthology(
        tmp_path: Path, site_calls: SiteCalls) -> None:
    story = SAMPLES / "lanterns-at-low-tide.txt"
    result = CliRunner().invoke(cli, ["build", WORK, "http://test1.com?sid=1", str(story),
                                      "--title", "Mixed Tape", "-o", str(tmp_path / "m.epub")])
    assert result.exit_code == 0, result.output
    nav = read(tmp_path / "m.epub", "EPUB/nav.xhtml")
    for title in ("Test Story Title 8", "Test Story Title 1", "Lanterns at Low Tide"):
        assert title in nav
    assert epubcheck_messages(tmp_path / "m.epub") == []
