"""What a story's pages are made from, as one key: a rebuild reuses the pages of every story
whose key did not change (only for EPUB-only builds, through the EPUB's zip cache)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import jinja2

from .. import __version__
from ..model import Book, Story
from ..theme import Theme
from . import code_fingerprint


def story_page_keys(book: Book, theme: Theme, stylesheets: list[str],
                    cover: str) -> Callable[[Story, int, bool], str]:
    """The key of a story's pages, given the story, its number and whether its first chapter
    starts the book's body. A story page's template may read anything about the book and what
    the other stories are called (their metadata and chapter titles), but not their text: all
    of that, with the templates themselves, goes into every key; the story's own text, end
    mark, file and reader into its own."""
    templates = []
    for folder in theme.chain:
        for path in sorted((folder / "templates").rglob("*")):
            if path.is_file():
                stat = path.stat()
                templates.append((str(path), stat.st_size, stat.st_mtime_ns))
    outline = [(s.metadata, [c.title for c in s.chapters]) for s in book.stories]
    made_of = (__version__, code_fingerprint(), jinja2.__version__, templates,
               sorted(theme.options.items()), stylesheets, cover, book.title, book.subtitle,
               book.editors, book.description, book.language, book.options, book.front_matter,
               book.back_matter, book.sections, book.date, book.collection, outline)
    book_key = hashlib.sha256(repr(made_of).encode()).hexdigest()

    def key(story: Story, number: int, starts_body: bool) -> str:
        own = (number, starts_body, story.text_digest, str(story.source), story.reader)
        return hashlib.sha256(f"{book_key}/{own}".encode()).hexdigest()

    return key
