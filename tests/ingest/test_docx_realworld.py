"""Real Word files from pandoc's and mammoth's test suites (../shared/realworld, when present)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from conftest import real_file

from ficbook.ingest import read_story


def _real(name: str) -> Path:
    return real_file(f"docx/{name}")


def test_pandoc_metadata_styles() -> None:
    story = read_story(_real("pandoc_metadata.docx"))
    assert story.metadata.title == "This Is the Title"
    assert story.metadata.authors == ("Mary Ann Evans", "Aurore Dupin")
    assert story.metadata.published == "July 28, 2014"
    assert "Mary Ann Evans" not in "".join(c.body for c in story.chapters)


def test_localized_microsoft_account_is_not_the_author() -> None:
    story = read_story(_real("pandoc_i18n_blocks.docx"))
    assert story.metadata.authors == ()
    assert any("placeholder" in n for n in story.reader_notes)


def test_external_picture_is_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        read_story(_real("mammoth_external-picture.docx"))
    assert any("tiny-picture.png" in r.getMessage() for r in caplog.records)
