"""A story in parts (the books of an anthology EPUB): contents nest the chapters under each part."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from validate import epubcheck_many

from ficbook.model import Book, Chapter, Metadata, Story
from ficbook.options import BuildOptions
from ficbook.pipeline.build import build_book

THEMES = ("default", "modern", "archive", "classic")


def story_in_two_books() -> Story:
    def chapter(title: str, part: str = "") -> Chapter:
        return Chapter(title=title, part=part,
                       body=f"<p>The canal froze in {title.lower()}, and nobody minded.</p>")

    return Story(Metadata(title="The Lock-Keeper Cycle", authors=("canal_rat",)), (
        chapter("Prologue"),
        chapter("Ice", "Book One: Winter"), chapter("Thaw"),
        chapter("Flood", "Book Two: Spring"), chapter("Heron")))


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("parts")
    book = Book.single(story_in_two_books())
    return {theme: build_book(book, out / f"{theme}.epub",
                              BuildOptions(formats=("epub",), theme=theme))[0]
            for theme in THEMES}


def test_parts_nest_their_chapters_in_nav_and_contents(books: dict[str, Path]) -> None:
    with zipfile.ZipFile(books["default"]) as z:
        nav = z.read("EPUB/nav.xhtml").decode()
        contents = z.read("EPUB/text/contents.xhtml").decode()
        first_of_book_two = z.read("EPUB/text/story-c004.xhtml").decode()
        continuing = z.read("EPUB/text/story-c005.xhtml").decode()
    for page in (nav, contents):
        winter, spring = page.index("Book One: Winter"), page.index("Book Two: Spring")
        assert page.index("Prologue") < winter < page.index("Ice") < page.index("Thaw") < \
            spring < page.index("Flood") < page.index("Heron")
        # Thaw sits in Book One's list: that list closes after it, before Book Two opens.
        assert "</ol>" in page[page.index("Thaw"):spring]
    assert '<h1 class="part-title">Book Two: Spring</h1>' in first_of_book_two
    assert "part-title" not in continuing


def test_every_theme_shows_parts_and_passes_epubcheck(books: dict[str, Path]) -> None:
    assert {p.name: found for p, found in epubcheck_many(list(books.values())).items()
            if found} == {}
    for path in books.values():
        with zipfile.ZipFile(path) as z:
            assert "Book One: Winter" in z.read("EPUB/text/story-c002.xhtml").decode()
