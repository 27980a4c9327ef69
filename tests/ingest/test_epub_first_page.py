"""A hand-made EPUB whose first page opens with a header (fields, a "Notes:" block) and then
the story: the fields are metadata, the story stays the first chapter, and the only page is
never dropped. Also: unreadable ficbook metadata values, and absurd AO3 series numbers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

from ficbook.errors import InputError
from ficbook.ingest import read_story
from ficbook.ingest.series import series_of

LINE = "<p>The lamplighter counted the steps down to the quay and lost count at forty.</p>"
STORY = LINE * 10  # about 140 words
HEADER = "<p>Rating: General</p><p>Fandom: Lamp Street</p><p>Pairing: Ada/Wren</p>"


def make_epub(path: Path, pages: list[str], title: str = "Lamp Street",
              meta_extra: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml",
                   '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
                   'opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/'
                   'content.opf" media-type="application/oebps-package+xml"/></rootfiles>'
                   '</container>')
        items = "".join(f'<item id="s{i}" href="s{i}.xhtml" media-type="application/xhtml+xml"/>'
                        for i in range(len(pages)))
        spine = "".join(f'<itemref idref="s{i}"/>' for i in range(len(pages)))
        z.writestr("OEBPS/content.opf",
                   '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" '
                   'version="3.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/'
                   f'elements/1.1/"><dc:title>{title}</dc:title><dc:identifier id="id">x'
                   f'</dc:identifier><dc:language>en</dc:language>{meta_extra}</metadata>'
                   f'<manifest>{items}</manifest><spine>{spine}</spine></package>')
        for i, page in enumerate(pages):
            z.writestr(f"OEBPS/s{i}.xhtml",
                       '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
                       f"<title>t</title></head><body>{page}</body></html>")
    return path


def test_a_one_page_story_under_a_header_is_kept(tmp_path: Path) -> None:
    story = read_story(make_epub(tmp_path / "a.epub", ["<h1>Lamp Street</h1>" + HEADER + STORY]))
    m = story.metadata
    assert m.rating == "General" and m.fandoms == ("Lamp Street",)
    assert len(story.chapters) == 1 and story.chapters[0].body.count("lamplighter") == 10
    assert "Rating" not in story.chapters[0].body and "lamplighter" not in m.notes


def test_a_prologue_under_a_header_stays_a_chapter(tmp_path: Path) -> None:
    story = read_story(make_epub(tmp_path / "b.epub", [
        "<h1>Prologue</h1>" + HEADER + STORY, "<h1>Chapter 1</h1>" + STORY * 3]))
    assert [c.title for c in story.chapters] == ["Prologue", "Chapter 1"]
    assert story.chapters[0].body.count("lamplighter") == 10
    assert story.metadata.fandoms == ("Lamp Street",) and "lamplighter" not in story.metadata.notes


def test_a_notes_block_stops_where_the_story_starts(tmp_path: Path) -> None:
    story = read_story(make_epub(tmp_path / "c.epub", [
        "<h1>Prologue</h1><p>Notes:</p><p>Thanks to my patient beta.</p>" + LINE * 5,
        "<h1>Chapter 1</h1>" + STORY * 3]))
    assert [c.title for c in story.chapters] == ["Prologue", "Chapter 1"]
    assert story.chapters[0].body.count("lamplighter") == 5
    assert "patient beta" in story.metadata.notes + story.chapters[0].notes
    assert "lamplighter" not in story.metadata.notes + story.chapters[0].notes


def test_a_notes_block_runs_to_its_separator(tmp_path: Path) -> None:
    story = read_story(make_epub(tmp_path / "d.epub", [
        "<h1>Prologue</h1><p>Notes:</p><p>Thanks to my patient beta.</p>"
        "<p>And to the night shift.</p><hr/>" + LINE * 5,
        "<h1>Chapter 1</h1>" + STORY * 3]))
    notes = story.metadata.notes + story.chapters[0].notes
    assert "patient beta" in notes and "night shift" in notes
    assert story.chapters[0].body.count("lamplighter") == 5


def test_an_information_page_without_prose_is_still_metadata(tmp_path: Path) -> None:
    story = read_story(make_epub(tmp_path / "e.epub", [
        "<h1>Lamp Street</h1>" + HEADER + "<p>Summary:</p><blockquote><p>Ada keeps the lamps."
        "</p></blockquote>", "<h1>Chapter 1</h1>" + STORY]))
    assert [c.title for c in story.chapters] == ["Chapter 1"]
    assert "keeps the lamps" in story.metadata.summary


def test_unreadable_ficbook_numbers_are_ignored(tmp_path: Path) -> None:
    path = make_epub(tmp_path / "f.epub", ["<h1>Chapter 1</h1>" + STORY], meta_extra=(
        '<meta property="ficbook:word-count">many</meta>'
        '<meta property="ficbook:series-index">second</meta>'))
    try:
        story = read_story(path)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert story.metadata.word_count in (None, 0)


@pytest.mark.parametrize("value", ["Part 99999999999999999999999 of Lamps", "Lamps [1e400]",
                                   "Part 4000000 of Lamps"])
def test_absurd_series_numbers_are_not_an_index(value: str) -> None:
    series, index = series_of(value)
    assert index is None or index < 100000
    assert series


def test_an_absurd_part_number_on_an_ao3_page_is_no_series_index(tmp_path: Path) -> None:
    page = ROOT / "tests" / "fixtures" / "ao3" / "work-page-lighthouse-ledger.html"
    text = page.read_text(encoding="utf-8").replace(
        ">Part 3 of <", ">Part 99999999999999999999999 of <")
    (tmp_path / "page.html").write_text(text, encoding="utf-8")
    m = read_story(tmp_path / "page.html").metadata
    assert m.series_index is None or m.series_index < 100000
