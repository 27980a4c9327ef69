"""What a site says of a work, read into ficbook's model: FanFicFare's fields, AO3's tags and
chapter notes (as FanFicFare lays them out in a chapter), odd titles, unicode, many authors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from validate import epubcheck_many

from ficbook.cli import cli
from ficbook.fetch import ChapterRef, Work
from ficbook.fetch.convert import story_of

AO3_LIKE = Work(
    url="https://archiveofourown.org/works/424242", site="archiveofourown.org",
    fields={"title": "The Cartographer's Tide", "author": ["inkwell_moth"],
            "fandoms": ["Original Work"], "category": ["Original Work"],
            "ships": ["Maren/Ilse"], "characters": ["Maren", "Ilse"],
            "rating": "Teen And Up Audiences", "warnings": ["No Archive Warnings Apply"],
            "freeformtags": ["Slow Burn", "Lighthouses"], "ao3categories": ["F/F"],
            "genre": ["Slow Burn", "Lighthouses", "F/F"], "status": "In-Progress",
            "datePublished": "2025-01-02", "dateUpdated": "2025-03-04", "numWords": "5,120",
            "description": "<blockquote class='userstuff'><p>Two keepers, one <b>light</b>."
                           "</p></blockquote>",
            "series": "Harbour Lights [2]", "language": "English", "langcode": "en"},
    chapters=(ChapterRef("1. Low Water", "https://archiveofourown.org/works/424242/chapters/1",
                         "2025-01-02"),
              ChapterRef("2. Fog", "https://archiveofourown.org/works/424242/chapters/2",
                         "2025-03-04")))

# As FanFicFare's AO3 adapter writes a chapter: AO3's own userstuff blocks under its labels.
CHAPTER_ONE = """<div class="chapter">
<div class="fff_chapter_notes fff_head_notes"><b>Summary for the Chapter:</b>
<blockquote class="userstuff"><p>The lamp goes out.</p></blockquote>
<b>Notes for the Chapter:</b>
<blockquote class="userstuff"><p>Thanks to my beta, sandpiper.</p></blockquote></div>
<p>The tide was out when Maren climbed the stairs.</p><p>* * *</p><p>Later, fog.</p>
<div class="fff_chapter_notes fff_foot_notes"><b>End Notes:</b>
<blockquote class="userstuff"><p>More soon!</p></blockquote></div></div>"""


def test_ao3_fields_and_chapter_notes_land_where_ficbook_keeps_them() -> None:
    story = story_of(AO3_LIKE, [CHAPTER_ONE, "<div><h2>2. Fog</h2><p>Grey.</p></div>"])
    meta = story.metadata
    assert meta.title == "The Cartographer’s Tide" and meta.authors == ("inkwell_moth",)
    assert meta.fandoms == ("Original Work",) and meta.relationships == ("Maren/Ilse",)
    assert meta.tags == ("Slow Burn", "Lighthouses") and meta.categories == ("F/F",)
    assert meta.genres == ()  # FanFicFare folds tags and categories into genre: not twice
    assert meta.status == "Work in Progress" and meta.word_count == 5120
    assert (meta.published, meta.updated) == ("2025-01-02", "2025-03-04")
    assert (meta.series, meta.series_index) == ("Harbour Lights", 2.0)
    assert meta.summary == "<p>Two keepers, one <b>light</b>.</p>"
    assert meta.source_url == "https://archiveofourown.org/works/424242"
    one, two = story.chapters
    assert one.title == "1. Low Water"
    assert one.summary == "<p>The lamp goes out.</p>"
    assert one.notes == "<p>Thanks to my beta, sandpiper.</p>"
    assert one.end_notes == "<p>More soon!</p>"
    assert one.body == ('<p>The tide was out when Maren climbed the stairs.</p>'
                        '<hr class="scene-break"/><p>Later, fog.</p>')
    assert two.body == "<p>Grey.</p>"  # the heading that repeats the chapter's title: once


@pytest.mark.usefixtures("no_network", "own_fetch_cache")
def test_odd_titles_unicode_and_many_authors_make_valid_books(tmp_path: Path) -> None:
    runner = CliRunner()
    for sid in (664, 15, 673, 0):  # odd title, a unicode series, 19 authors, hyphenation text
        result = runner.invoke(cli, ["build", f"http://test1.com?sid={sid}", "-o",
                                     str(tmp_path)])
        assert result.exit_code == 0, result.output
    books = sorted(tmp_path.glob("*.epub"))
    assert len(books) == 4
    assert all(not found for found in epubcheck_many(books).values())
    names = " ".join(b.name for b in books)
    assert "Test Story Title 664" in names and "et al" in names
