"""Title-page fields hold any fragment a reader made: inline text, paragraphs or a list."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from validate import epubcheck_many

from ficbook.model import Book, Chapter, Metadata, Story
from ficbook.options import BuildOptions
from ficbook.pipeline.build import build_book


@pytest.mark.parametrize("theme", ["default", "archive"])
def test_a_summary_that_is_a_list_or_plain_text_stays_valid(tmp_path: Path, theme: str) -> None:
    meta = Metadata(title="Salt and Starlight", authors=("tidewright",),
                    summary="<ul><li>Two sailors</li><li>one lighthouse</li></ul>",
                    notes="Written for a <em>winter</em> exchange.")
    story = Story(meta, (Chapter("One", "<p>The lamp was lit at dusk, as always.</p>"),))
    [epub] = build_book(Book.single(story), tmp_path / "salt.epub",
                        BuildOptions(formats=("epub",), theme=theme))
    with zipfile.ZipFile(epub) as z:
        page = z.read("EPUB/text/story-title.xhtml").decode()
    assert "<ul><li>Two sailors</li>" in page and "<p><ul>" not in page
    assert "<p>Written for a <em>winter</em> exchange.</p>" in page
    assert epubcheck_many([epub]) == {epub: []}
