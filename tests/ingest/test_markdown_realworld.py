"""Real Markdown stories (../shared/realworld, when present): front matter and a Word export."""

from __future__ import annotations

from pathlib import Path

from conftest import real_file

from ficbook.ingest import read_story


def _real(name: str) -> Path:
    return real_file(f"markdown/{name}")


def test_eleventy_front_matter() -> None:
    meta = read_story(_real("a_life_in_your_shape.md")).metadata
    assert meta.title == "a life in your shape"
    assert meta.fandoms == ("Genshin Impact",)
    assert meta.rating == "Teen and Up"
    assert meta.published == "2021-01-21"


def test_word_export_has_its_chapters_and_title() -> None:
    story = read_story(_real("aci100_perversion_of_purity_book3.md"))
    assert story.metadata.title == "Harry Potter and the Perversion of Purity"
    assert story.metadata.authors == ("ACI100",)
    assert len(story.chapters) == 11
    assert all(c.title.startswith("Chapter ") for c in story.chapters)
