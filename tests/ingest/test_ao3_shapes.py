"""AO3 in the shapes fans save it: the work page (whole, saved, body only), the HTML download,
and AO3's own EPUB (calibre-split). Each gives the same story: title, byline, tags, every
chapter whole with its title and notes, and the site's chrome left out.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, real_file
from test_readers import zip_folder

from ficbook.cli import cli
from ficbook.errors import InputError
from ficbook.ingest import detect_format, read_story
from ficbook.ingest.ao3 import is_ao3

AO3 = FIXTURES / "ao3"
PAGE = AO3 / "work-page-lighthouse-ledger.html"
BODY = AO3 / "work-body-first-frost.html"


def test_a_whole_work_page_is_read_as_the_work_not_the_site() -> None:
    story = read_story(PAGE)
    m = story.metadata
    assert story.reader == "ao3/page"
    assert m.title == "The Lighthouse Ledger"
    assert m.authors == ("tidewright", "Salt Marsh (marshwren)")
    assert m.fandoms == ("Keepers of the Northern Light",)
    assert m.relationships == ("Wren Haldane/Ines Corrie",)
    assert m.categories == ("Gen", "F/F") and m.rating == "General Audiences"
    assert m.series == "The Northern Light Logbooks" and m.series_index == 3
    assert m.status == "Completed" and m.updated == "2023-04-01" and m.word_count == 132
    assert m.written_for == "gullfriend"
    assert m.source_url == "https://archiveofourown.org/works/91000002"
    assert "keeper’s log" in m.end_notes and "fog signals" in m.notes
    assert [c.title for c in story.chapters] == [
        "Chapter 1: Lamp Oil", "Chapter 2: The Second Column", "Chapter 3"]
    first, second, third = story.chapters
    assert "oil runs low" in first.summary and "gallons and in worry" in first.end_notes
    assert "invented" in first.notes and "fog rolled in" in second.notes
    assert third.notes == "" and "keeping watch" in third.end_notes  # the jump line is not a note
    assert '<hr class="scene-break"/>' in first.body
    assert first.body.startswith("<p>The first entry") and "harbourmaster" in third.body.lower()
    assert any("site chrome" in note for note in story.reader_notes)


def test_a_work_page_leaves_the_site_chrome_out() -> None:
    result = CliRunner().invoke(cli, ["info", "--json", str(PAGE)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    everything = json.dumps({k: v for k, v in data.items() if k != "reader_notes"})
    for chrome in ("Chapter Text", "Work Text", "left kudos", "What a lovely chapter",
                   "Post Comment", "Copy and paste", "Site Map", "Log In", "Entire Work",
                   "Fandoms", "See the end of", "388", "javascript"):
        assert chrome not in everything, chrome


def test_a_chapter_page_saved_as_its_body_alone(tmp_path: Path) -> None:
    story = read_story(BODY)
    assert story.reader == "ao3/page"
    assert story.metadata.title == "First Frost"
    assert story.metadata.authors == ("Hollow Pear (quillbarrow)",)
    assert story.metadata.status == "Work in Progress"
    assert [c.title for c in story.chapters] == ["Chapter 1: First Frost"]
    assert "Please do not write in" in story.chapters[0].end_notes
    # One chapter of two: the title page must not claim the whole work's word count.
    assert story.metadata.word_count is None
    assert any("1 of the work's 2" in note for note in story.reader_notes)
    # Recognised by content: with no suffix, and with a misleading one.
    for name in ("saved", "saved.htm", "saved.txt"):
        copy = tmp_path / name
        shutil.copy(BODY, copy)
        assert detect_format(copy) == "ao3", name


def test_a_page_that_only_mentions_the_archive_is_not_a_work_page() -> None:
    assert not is_ao3("<html><body><p>I posted it on the Archive of Our Own!</p>"
                      "<div class='userstuff'>x</div></body></html>")
    assert is_ao3(PAGE.read_text(encoding="utf-8"))


def test_a_work_page_without_work_text_is_refused_with_a_reason(tmp_path: Path) -> None:
    page = PAGE.read_text(encoding="utf-8")
    start, end = page.index('<div id="chapters"'), page.index('<div class="afterword')
    empty = tmp_path / "index.html"
    empty.write_text(page[:start] + page[end:], encoding="utf-8")
    with pytest.raises(InputError, match="no work text"):
        read_story(empty)


def test_the_adult_content_notice_is_refused_with_what_it_is(tmp_path: Path) -> None:
    notice = tmp_path / "work.html"
    notice.write_text(
        "<!DOCTYPE html><html><head><title>Tidemark [Archive of Our Own]</title></head><body>"
        "<div id='main' class='works-show region'><p class='caution'>This work could have "
        "adult content. If you continue, you have agreed that you are willing to see such "
        "content.</p><li class='work blurb group'><h4 class='heading'>Tidemark</h4>"
        "<blockquote class='userstuff summary'><p>A summary only.</p></blockquote></li>"
        "</div></body></html>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["info", str(notice)])
    assert result.exit_code == 3
    assert "adult-content notice, not the work" in result.output


def test_the_ao3_epub_gives_one_chapter_per_ao3_chapter(tmp_path: Path) -> None:
    epub = zip_folder(AO3 / "epub-download-salt-road", tmp_path / "salt.epub")
    story = read_story(epub)
    m = story.metadata
    assert story.reader == "epub/ao3"
    assert m.title == "The Salt Road & Other Weathers" and m.authors == ("brinewick",)
    assert m.fandoms == ("Ferry Tales (Podcast)",) and m.series == "Ferry Tales"
    assert "charity shop" in m.end_notes and "Be kind to the ferry" in m.notes
    assert [c.title for c in story.chapters] == [
        "Chapter 1: Salt", "Chapter 2: The Ferry", "Chapter 3"]
    first, second, third = story.chapters
    assert "sacks twice" in first.summary and "this one is not" in first.end_notes
    assert "by oarlock" in second.notes  # a chapter's own byline
    # Chapter 3 was split over two files by calibre: one chapter, both halves, in order.
    assert third.body.index("thaw came") < third.body.index("did not count anything")
    assert "riding along" in third.end_notes
    assert "Chapter End Notes" not in json.dumps([c.body for c in story.chapters])


# --- the real downloads, when ../shared/realworld is here -------------------------------------

REAL_CASES = [
    # file, title, author, chapters, (opening, last) words of the story text
    ("ao3_html/ao3page_little_cog.html", "Little Cog", "quiet_wraith", 1,
     ("When he was twelve years old", "died before t")),
    ("ao3_html/ao3frag_new_day_dawning.html", "New Day Dawning", "IncompleteSentanc (Erava)",
     1, ("Five year old Sakura", "he swears quietly")),
    ("ao3_html/ao3_test_downloads.html", "A Work To Test Downloads Again", "testy", 1,
     ("Tattooed etsy iPhone", "put a bird on it")),
    ("ao3_epub/ao3_test_downloads.epub", "A Work To Test Downloads Again", "testy", 1,
     ("Tattooed etsy iPhone", "put a bird on it")),
    ("ao3_epub/ao3_testing_backdating.epub", "testing backdating & previewing", "testy", 1,
     ("Lorem ipsum dolor", "")),
]


@pytest.mark.parametrize(("name", "title", "author", "count", "text"), REAL_CASES)
def test_real_ao3_files(name: str, title: str, author: str, count: int,
                        text: tuple[str, str]) -> None:
    story = read_story(real_file(name))
    assert story.reader.startswith(("ao3", "epub/ao3"))
    assert (story.metadata.title, story.metadata.authors[:1]) == (title, (author,))
    assert len(story.chapters) == count
    body = " ".join(c.body for c in story.chapters)
    opening, last = text
    assert opening in body
    assert last in body and body.index(opening) < body.rindex(last)
    assert "Chapter Text" not in body and "Work Text" not in body
