"""Word files: the Title/Author/Date/Abstract styles are metadata, Word's own placeholders are
not authors, small caps stay, and a linked picture is named in a warning."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from wordfiles import make_styled_docx

from ficbook.ingest import read_story


@pytest.fixture(scope="module")
def almanac(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_styled_docx(tmp_path_factory.mktemp("docx") / "almanac.docx")


def test_styled_paragraphs_become_metadata_not_story(almanac: Path) -> None:
    story = read_story(almanac)
    meta = story.metadata
    assert meta.title == "The Weir-Keeper’s Almanac"
    assert meta.authors == ("Orla Fenwick", "Tamsin Reed")
    assert meta.published == "March 3, 2022"
    assert "loses count only once" in meta.summary
    assert ("Subtitle", "Being a Year of Small Floods") in meta.extra
    text = "".join(c.body for c in story.chapters)
    assert "Orla Fenwick" not in text and "March 3" not in text and "loses count" not in text
    assert [c.title for c in story.chapters] == ["January", "February"]


def test_reader_says_what_it_read_and_what_it_ignored(almanac: Path) -> None:
    notes = read_story(almanac).reader_notes
    assert "Word Title/Subtitle/Author/Date/Abstract paragraphs: read as metadata" in notes
    assert "document properties author 'Microsoft account' ignored: a placeholder" in notes


def test_small_caps_are_kept(almanac: Path) -> None:
    body = read_story(almanac).chapters[0].body
    assert '<span class="smallcaps">Ice Expected</span>' in body


def test_linked_picture_is_named_in_a_warning(almanac: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        story = read_story(almanac)
    assert any("sluice-gate.png" in r.getMessage() and "never fetches" in r.getMessage()
               for r in caplog.records)
    assert "a linked picture, not in the file" in story.chapters[1].body
    assert story.images == ()


@pytest.mark.parametrize("creator", ["Учетная запись Майкрософт", "Microsoft-Konto",
                                     "Compte Microsoft", "Microsoft Office User", "Windows User"])
def test_word_placeholders_are_not_authors(creator: str) -> None:
    from ficbook.ingest.docx import _placeholder

    assert _placeholder(creator)


def test_a_real_name_in_the_properties_is_an_author() -> None:
    from ficbook.ingest.docx import _placeholder

    assert not _placeholder("Jesse Rosenthal")


def test_title_styled_paragraphs_further_down_are_chapter_headings(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.core_properties.author = "wren_h"
    doc.add_paragraph("Salt and Iron", style="Title")
    doc.add_paragraph("The forge went cold the night the letter came.")
    doc.add_paragraph("The Second Night", style="Title")
    doc.add_paragraph("By morning the anvil had rusted through.")
    doc.save(str(tmp_path / "salt.docx"))
    story = read_story(tmp_path / "salt.docx")
    assert story.metadata.title == "Salt and Iron"
    assert story.metadata.authors == ("wren_h",)
    assert [c.title for c in story.chapters][-1] == "The Second Night"
