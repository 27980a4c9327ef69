"""Real saved pages from ../shared/realworld (skipped when absent): title, author and the story
text come through; a page that is not a story is refused with one line."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from conftest import real_file

from ficbook.errors import InputError
from ficbook.ingest import read_story
from ficbook.ingest.coverage import story_words

# file -> (title, author, fandom or "", the story container's XPath or "")
EXPECTED = {
    "ffn_html/ffn_child_of_four_ch1.html": ("Child of Four", "sarini", "Harry Potter",
                                            "//*[@id='storytext']"),
    "ffn_html/ffn_little_cog.html": ("Little Cog", "quietwraith", "Hunger Games",
                                     "//*[@id='storytext']"),
    "lj_dw/lj_rebecca2525_importing_test.html": ("Importing Test", "rebecca2525", "Lewis", ""),
    # The subject line "Idol RPF: Extra Credit (Adam/Kris)": fandom, title and pairing.
    "lj_dw/dw_astolat_extra_credit.html": ("Extra Credit", "astolat", "Idol RPF", ""),
    "lj_dw/dw_rebecca2525_importing_test2_tables.html": ("Importing Test", "rebecca2525",
                                                         "Lewis", ""),
    "lj_dw/lj_ao3_testing_story2.html": ("Story2", "ao3_testing", "Testing", ""),
    "other/intimations_huddling.html": ("Huddling", "astolat", "Idol RPF", ""),
    "other/yuletide_commonplaces.html": ("Commonplaces", "astolat",
                                         "Arthur Conan Doyle - Sherlock Holmes series", ""),
}
# Header labels ("Pairing:") become the title page's field names; their values are checked.
LABELS = {"title", "author", "fandom", "pairing", "rating", "warnings", "summary", "note",
          "characters", "ship"}
ENTRY = "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]"


def real(name: str) -> Path:
    return real_file(name)


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{4,}", text)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_page_keeps_title_author_and_text(name: str) -> None:
    path = real(name)
    title, author, fandom, container = EXPECTED[name]
    story = read_story(path)
    assert story.metadata.title == title
    assert story.metadata.authors == (author,)
    assert not fandom or story.metadata.fandoms == (fandom,)
    doc = lxml.html.parse(str(path)).getroot()
    region = doc.xpath(container or ENTRY) or [doc.find("body")]
    source = words(" ".join(t for el in region for t in el.itertext())) - LABELS
    meta = story.metadata
    kept = words(" ".join([c.body for c in story.chapters] + [c.title for c in story.chapters]
                          + [meta.summary, meta.notes, meta.written_for, meta.rating,
                             *meta.fandoms, *meta.relationships, *meta.characters,
                             *meta.warnings, meta.title]))
    if container or doc.xpath(ENTRY):
        assert len(source & kept) >= 0.9 * len(source), sorted(source - kept)[:20]
    assert story_words(story) > 20


def test_real_interstitial_is_refused() -> None:
    with pytest.raises(InputError, match="adult-content notice"):
        read_story(real("other/dw_discretion_advised_interstitial.html"))


def test_real_ffn_chapter_is_one_chapter_of_many() -> None:
    story = read_story(real("ffn_html/ffn_child_of_four_ch1.html"))
    assert len(story.chapters) == 1 and story.metadata.word_count is None
    assert "FanFiction.net page: chapter 1 of 68" in story.reader_notes
    assert ".:O:." not in story.chapters[0].body
