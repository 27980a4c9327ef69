"""Nothing lost without a word: a reader that keeps much less than its file shows says so."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from archives import CONTAINER, epub, opf

from ficbook.ingest import epub as epub_reader
from ficbook.ingest import read_story
from ficbook.model import Chapter, Metadata, Story

PROSE = " ".join(["The lighthouse keeper wrote every ship into the ledger, even the ones "
                  "that never came close enough to wave."] * 30)


def lighthouse_epub(tmp_path: Path) -> Path:
    page = ('<html xmlns="http://www.w3.org/1999/xhtml"><head><title>One</title></head>'
            f"<body><h1>The Ledger</h1><p>{PROSE}</p></body></html>")
    return epub(tmp_path / "ledger.epub", {"META-INF/container.xml": CONTAINER,
                                           "content.opf": opf("The Ledger"), "c.xhtml": page})


def test_a_whole_epub_read_whole_says_nothing(tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    story = read_story(lighthouse_epub(tmp_path))
    assert not [n for n in story.reader_notes if "missing" in n]
    assert "missing" not in caplog.text


def test_a_reader_that_drops_most_of_an_epub_warns_with_the_count(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def careless(package: object) -> Story:  # a reader that took one sentence of the book
        return Story(Metadata(title="The Ledger"),
                     (Chapter("One", "<p>The lighthouse keeper wrote.</p>"),), reader="epub")

    monkeypatch.setattr(epub_reader, "_parse_package", careless)
    with caplog.at_level(logging.WARNING):
        story = read_story(lighthouse_epub(tmp_path))
    [note] = [n for n in story.reader_notes if "missing" in n]
    assert note.startswith("kept 7 of ") and "words of the EPUB's pages" in note
    assert "ledger.epub" in caplog.text and "missing" in caplog.text
