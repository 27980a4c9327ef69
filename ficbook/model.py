"""The one document model every reader produces and every backend consumes."""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Metadata:
    """What the author said about the story. Rich fields (summary, notes...) are XHTML fragments."""

    title: str
    authors: tuple[str, ...] = ()
    fandoms: tuple[str, ...] = ()
    relationships: tuple[str, ...] = ()
    characters: tuple[str, ...] = ()
    rating: str = ""
    warnings: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    disclaimer: str = ""
    written_for: str = ""
    prompt: str = ""
    spoilers: str = ""
    betas: tuple[str, ...] = ()
    status: str = ""
    word_count: int | None = None  # as declared by the author
    language: str = "en"
    published: str = ""
    updated: str = ""
    series: str = ""
    series_index: float | None = None
    source_url: str = ""
    # Header fields ficbook did not recognise, in the author's order and words.
    extra: tuple[tuple[str, str], ...] = ()
    # The author's own word for a field ficbook knows ("Pairing" for relationships, "Note" for
    # notes), as (field name, label): the title page says it the author's way.
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Chapter:
    """One chapter: a sanitized XHTML body and its own optional notes."""

    title: str
    body: str
    summary: str = ""
    notes: str = ""
    end_notes: str = ""
    # The title of the part this chapter opens (one book of an anthology EPUB): the contents
    # list the part's chapters under it. Empty: the chapter continues the part before, if any.
    part: str = ""


@dataclass(frozen=True)
class Story:
    """A story as read from one input: metadata and chapters in reading order."""

    metadata: Metadata
    chapters: tuple[Chapter, ...]
    source: Path | None = None
    end_mark: str = ""  # "The End", "~fin~": kept and styled, not a stray paragraph
    reader: str = ""  # which reader produced it, for `ficbook info`
    # Images the chapters show, as "images/<hash>.<ext>" assets (bodies use those paths).
    images: tuple[Asset, ...] = ()
    # What the reader recognised and what it set aside, in words for `ficbook info`
    # ("AO3 preface page: read as metadata", "site navigation: left out").
    reader_notes: tuple[str, ...] = ()

    @cached_property  # a frozen dataclass still has a __dict__; pages ask for this often
    def counted_words(self) -> int:
        return sum(count_words(c.body) for c in self.chapters)

    @cached_property
    def text_digest(self) -> str:
        """SHA-256 of everything the chapters hold (and the end mark and pictures): what a
        rebuild compares to know a story's pages are the ones it built last time."""
        digest = hashlib.sha256(f"{self.end_mark}\0{[a.filename for a in self.images]}".encode())
        for chapter in self.chapters:
            for part in (chapter.title, chapter.body, chapter.summary, chapter.notes,
                         chapter.end_notes, chapter.part):
                digest.update(b"\0%d\0" % len(part))
                digest.update(part.encode())
        return digest.hexdigest()

    def evolve(self, **changes: Any) -> Story:
        """A copy with these fields changed (another path, the anthology's title for it). What
        is derived from the text alone (word count, digest) is not worked out again when the
        copy's text is the same: counting a novel's words takes a tenth of a second."""
        copy = replace(self, **changes)
        if not changes.keys() & {"chapters", "end_mark", "images"}:
            for name in ("counted_words", "text_digest"):
                if name in self.__dict__:  # (where functools.cached_property keeps a value)
                    copy.__dict__[name] = self.__dict__[name]
        return copy


@dataclass(frozen=True)
class MatterPage:
    """An editor's page: foreword, introduction, afterword, acknowledgements (sanitized XHTML)."""

    kind: str
    title: str
    body: str
    source: Path | None = None


@dataclass(frozen=True)
class Section:
    """A group of an anthology's stories (a fandom, a prompt...): indexes into Book.stories."""

    title: str
    stories: tuple[int, ...]


@dataclass(frozen=True)
class Book:
    """What gets built: one or more stories with book-level metadata."""

    title: str
    stories: tuple[Story, ...]
    editors: tuple[str, ...] = ()
    subtitle: str = ""
    description: str = ""
    language: str = "en"
    cover_image: bytes | None = None  # a user-supplied cover; None means generate one
    # Anthologies: the editor's pages, and stories grouped into sections (by fandom, prompt...).
    front_matter: tuple[MatterPage, ...] = ()
    back_matter: tuple[MatterPage, ...] = ()
    sections: tuple[Section, ...] = ()  # empty: no grouping
    date: str = ""
    collection: bool = False  # built from an anthology file: anthology pages even for one story

    @property
    def is_anthology(self) -> bool:
        return self.collection or len(self.stories) > 1

    @property
    def authors(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for story in self.stories:
            for author in story.metadata.authors:
                seen.setdefault(author, None)
        return tuple(seen)

    @property
    def identifier(self) -> str:
        """A stable id from what names the work, never from its text: a corrected typo or a new
        chapter of a work in progress keeps the id, so a reader replaces its old copy (keeping
        the reading position) instead of shelving a second book. Same input, same id."""
        if self.collection:  # an anthology file: the collection, whichever stories it holds
            names: list[object] = ["anthology", self.title, self.subtitle, self.editors, self.date]
        elif len(self.stories) == 1:
            names = _work_names(self.stories[0])
        else:
            names = [self.title, self.subtitle, self.editors,
                     *(_work_names(story) for story in self.stories)]
        h = hashlib.sha256(json.dumps(names, ensure_ascii=False).encode()).hexdigest()
        return f"urn:uuid:{h[:8]}-{h[8:12]}-5{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    @classmethod
    def single(cls, story: Story) -> Book:
        return cls(title=story.metadata.title, stories=(story,), language=story.metadata.language)


def _work_names(story: Story) -> list[object]:
    """What tells one work from another: its web address when it was downloaded (AO3,
    FanFicFare), else its title, authors and fandoms and how it opens (two ficlets both
    "Untitled", or the posts of one story, are different books; wherever the file is kept,
    and read back from ficbook's own EPUB, it is the same one)."""
    meta = story.metadata
    if re.match(r"https?://", meta.source_url):
        return ["url", meta.source_url]
    first = story.chapters[0].body[:4000] if story.chapters else ""
    opening = " ".join(html.unescape(_TAG.sub(" ", first)).split())[:OPENING]
    return ["work", meta.title, meta.authors, meta.fandoms, opening]


OPENING = 100  # characters of a story's text that are part of its identity


def chapter_label(story: Story, chapter: Chapter, number: int) -> str:
    """What a chapter is called in contents and headings when its author gave it no title."""
    if chapter.title:
        return chapter.title
    return story.metadata.title if len(story.chapters) == 1 else f"Chapter {number}"


_TAG = re.compile(r"<[^>]+>")
# A token of only dashes, stars, dots..., with the space before it (the text is padded with
# spaces): the engine then tries the class only after whitespace, twice as fast as lookarounds.
_NOT_A_WORD = re.compile(r"\s[^\w\s]+(?=\s)")


def count_words(xhtml: str) -> int:
    """Words as a reader would count them (tags and entities ignored)."""
    # Whitespace-separated tokens with a letter or digit in them, as `wc -w` and AO3 count:
    # every token, less the few made of punctuation alone ("—", "* * *"). Twice as fast as
    # collecting the words one by one (str.split and the regex agree on what whitespace is).
    text = _TAG.sub(" ", xhtml)
    if "&" in text:
        text = html.unescape(text)
    return len(text.split()) - len(_NOT_A_WORD.findall(f" {text} "))


@dataclass(frozen=True)
class Page:
    """One rendered XHTML document of the book, in reading order."""

    filename: str  # relative to the book's content folder, e.g. "text/s01-c001.xhtml"
    title: str
    xhtml: str  # a complete XHTML document
    kind: str  # cover, book-title, story-title, contents, chapter, colophon, ...
    landmark: str = ""  # EPUB landmark type (cover, titlepage, toc, bodymatter), if any
    story_index: int | None = None  # which story the page belongs to, for running heads/parts


@dataclass(frozen=True)
class TocEntry:
    title: str
    href: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class Asset:
    """A file shipped with the pages: stylesheet, font, image."""

    filename: str
    media_type: str
    data: bytes


# dcterms:modified when no story gives a date (and no SOURCE_DATE_EPOCH): never the clock.
FALLBACK_MODIFIED = "2000-01-01T00:00:00Z"


@dataclass(frozen=True)
class RenderedBook:
    """Everything a backend needs: pages, contents tree, assets. Backends add packaging only."""

    book: Book
    pages: tuple[Page, ...]
    toc: tuple[TocEntry, ...]
    assets: tuple[Asset, ...]
    cover: Asset | None
    modified: str  # ISO 8601 UTC, derived from the content so builds are reproducible
    # The built-in theme the pages are in and the options chosen away from its defaults
    # ("key=value"), recorded in the book so `ficbook update` rebuilds it the same way; empty
    # for a theme folder of the user's own (its path stays off the book).
    theme: str = ""
    theme_options: tuple[str, ...] = ()
