"""Stories from the cache whose chapter text is read only when something asks for it.

An anthology rebuilt after one edit takes every other story's pages from the EPUB's zip cache,
so all it needs of those stories is what names them: metadata, chapter titles and notes, word
count and text digest. Their bodies (ten megabytes for 300 stories, a tenth of such a rebuild
to unpickle) are read from the full cache entry the first time a chapter's body is asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

from ..errors import InputError
from ..model import Chapter, Story

# A story's values derived from its text (functools.cached_property keeps them in the instance's
# __dict__): kept with its outline, so a story from the cache never reads its text to count it.
DERIVED = ("counted_words", "text_digest")

# What an outline entry holds: the story with every chapter's body left out, and its derived
# values (word count, text digest).
Outline = tuple[Story, dict[str, Any]]


def outline_of(story: Story) -> Outline:
    hollow = tuple(replace(c, body="") for c in story.chapters)
    derived = {name: getattr(story, name) for name in DERIVED}
    return replace(story, chapters=hollow), derived


class Bodies:
    """A story's chapter bodies, fetched on first use by `fetch` (the full cache entry) or,
    if that is gone or not the text the outline was made from, by `again` (parsing anew)."""

    def __init__(self, fetch: Callable[[], Story | None], again: Callable[[], Story],
                 digest: str, source: str) -> None:
        self._fetch, self._again, self._digest, self._source = fetch, again, digest, source
        self._bodies: tuple[str, ...] | None = None

    def __getitem__(self, n: int) -> str:
        if self._bodies is None:
            story = self._fetch()
            if story is None or story.text_digest != self._digest:
                story = self._again()
            if story.text_digest != self._digest:
                raise InputError(self._source, "changed while the book was being built: "
                                               "build it again")
            self._bodies = tuple(c.body for c in story.chapters)
        return self._bodies[n]


_NAMES = tuple(f.name for f in fields(Chapter))  # in order: what Chapter(*values) takes


class LazyChapter(Chapter):
    """A chapter whose body comes from `Bodies` the first time it is read; in every other
    way a Chapter (equal to one, and copied or pickled as one)."""

    _bodies: Bodies
    _number: int

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:  # dataclasses.replace() of one: an ordinary chapter, body and all
            return Chapter(*args, **kwargs)
        return super().__new__(cls)

    @classmethod
    def of(cls, chapter: Chapter, bodies: Bodies, number: int) -> LazyChapter:
        lazy: LazyChapter = cls.__new__(cls)
        for name in _NAMES:
            if name != "body":
                object.__setattr__(lazy, name, getattr(chapter, name))
        object.__setattr__(lazy, "_bodies", bodies)
        object.__setattr__(lazy, "_number", number)
        return lazy

    @property
    def body(self) -> str:
        return self._bodies[self._number]

    def _fields(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in _NAMES)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Chapter):
            return NotImplemented
        return self._fields() == tuple(getattr(other, name) for name in _NAMES)

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:  # never reads the text: a log line must not
        return f"LazyChapter(title={self.title!r}, number={self._number})"

    def __reduce__(self) -> tuple[type[Chapter], tuple[str, ...]]:
        return Chapter, self._fields()


def story_from(outline: Outline, bodies: Bodies) -> Story:
    """The outline's story, its chapters reading their bodies from `bodies` when asked."""
    hollow, derived = outline
    chapters = tuple(LazyChapter.of(c, bodies, n) for n, c in enumerate(hollow.chapters))
    story = replace(hollow, chapters=chapters)
    story.__dict__.update({name: derived[name] for name in DERIVED})
    return story
