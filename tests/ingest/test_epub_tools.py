"""Other tools' EPUBs: information pages read as metadata, chapters with their own notes, and
EpubMerge anthologies whose books stay parts. Fixtures are invented stories laid out as FicHub,
WebToEpub, an AO3 downloader and EpubMerge lay theirs out; real downloads are read when present."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, real_file
from test_readers import zip_folder

from ficbook.ingest import read_story
from ficbook.model import Story


def tool_epub(name: str, tmp_path: Path) -> Story:
    return read_story(zip_folder(FIXTURES / "epub" / name, tmp_path / f"{name}.epub"))


def everything(story: Story) -> str:
    return json.dumps([[c.title, c.body, c.summary, c.notes, c.end_notes] for c in story.chapters])


def test_fichub_information_page_is_metadata_not_a_chapter(tmp_path: Path) -> None:
    story = tool_epub("fichub-the-paper-lanterns", tmp_path)
    m = story.metadata
    assert [c.title for c in story.chapters] == ["Folding", "Floating"]
    assert m.rating == "T" and m.genres == ("Drama", "Friendship")
    assert m.characters == ("Tamsin R.", "Old Hob") and m.status == "Completed"
    assert m.source_url.endswith("/s/1234567/1/The-Paper-Lanterns") and m.word_count == 212
    assert story.reader_notes == ("FicHub information page: read as metadata",)
    assert "Exported with" not in everything(story) + json.dumps(m.extra)


def test_webtoepub_information_page_and_ao3_chapter_notes(tmp_path: Path) -> None:
    story = tool_epub("webtoepub-the-tide-clock", tmp_path)
    m = story.metadata
    assert m.fandoms == ("Clockwork Harbour (Web Serial)",) and m.tags == ("Found Family",
                                                                          "Automatons")
    assert (m.series, m.series_index) == ("Harbour Mechanics", 3.0)
    assert m.status == "Completed" and m.updated == "2022-05-09"
    assert m.summary.startswith("<p>A mechanic") and "spring swap" in m.notes
    first = story.chapters[0]
    assert first.title == "Chapter 1: The Tide Clock" and "running backwards" in first.summary
    assert "eventually say it" in first.end_notes and first.body.startswith("<p>The tide clock")
    assert "See the end" not in everything(story) and "Information" not in everything(story)


def test_ao3_downloader_notes_and_work_text_labels_leave_the_text(tmp_path: Path) -> None:
    story = tool_epub("ao3dl-salt-and-starlight", tmp_path)
    m = story.metadata
    assert m.title == "salt and starlight" and m.authors == ("moth_in_amber",)
    assert m.fandoms == ("Lighthouse Keepers (Original Work)",) and m.categories == ("F/F",)
    assert m.status == "Work in Progress" and "weather is bad" in m.notes
    assert [c.title for c in story.chapters] == ["Chapter 1: low tide", "Chapter 2: high water"]
    text = everything(story)
    for label in ("Chapter Text", "Notes:", "See the end", "Work Text"):
        assert label not in text
    assert "short, sorry" in story.chapters[1].notes
    assert story.reader_notes == ("Information page: read as metadata",
                                  "Notes page: read as metadata")


def test_epubmerge_anthology_keeps_each_book_as_a_part(tmp_path: Path) -> None:
    story = tool_epub("epubmerge-winter-orchard", tmp_path)
    m = story.metadata
    assert story.reader == "epub/epubmerge"
    assert m.title == "Winter Orchard Anthology" and m.authors == ("orchardist",)
    assert m.series == "Winter Orchard" and "<" not in m.series  # plain text, never markup
    assert m.rating == "Mature" and m.status == "Work in Progress" and m.summary == ""
    assert [(c.part, c.title) for c in story.chapters] == [
        ("Winter Orchard 1", "1. First Frost"), ("", "2. Grafting"),
        ("Winter Orchard 2", "1. Budding")]
    first = story.chapters[0]
    assert first.summary == ("<p>Bramble tends the orchard through the first frost.</p>"
                             "<p>Bramble is not ready.</p>")
    assert "Thanks for reading" in story.chapters[1].notes
    assert "spring" in story.chapters[1].end_notes


@pytest.mark.parametrize(("name", "title", "author", "fandom"), [
    ("epub_generic/fichub_hunted.epub", "Hunted", "Bex-chan", ""),
    ("epub_generic/ao3dl_crimson_supernova.epub", "crimson supernova", "serenadewave",
     "Jujutsu Kaisen"),
    ("fff_epub/fff_anthology_in_arduis_fidelis.epub", "In Arduis Fidelis Anthology",
     "DontAppallMeWhenImHigh", "Sherlock"),
])
def test_real_tool_epubs(name: str, title: str, author: str, fandom: str) -> None:
    story = read_story(real_file(name))
    m = story.metadata
    assert (m.title, m.authors[0]) == (title, author)
    assert fandom in " ".join(m.fandoms)
    assert story.reader_notes and all("<" not in v for v in (m.series, m.rating, *m.tags))
    for c in story.chapters:
        assert c.title not in {"Notes:", "Notes", "Work Text:", "Introduction", "Title page"}
    if "anthology" in name:
        assert sum(1 for c in story.chapters if c.part) == 7
