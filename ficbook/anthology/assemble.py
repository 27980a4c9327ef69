"""Stories + an anthology spec -> a Book: overrides, parts joined, sorting, sections."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ..model import Book, Section, Story
from .parts import join_parts
from .spec import BuildSpec, StoryEntry

RATING_ORDER = ("g", "general", "general audiences", "k", "k+", "pg", "t", "teen",
                "teen and up audiences", "pg-13", "m", "mature", "r", "ma", "nc-17", "explicit")
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y",
                 "%b %d, %Y", "%Y-%m", "%Y")


def apply_overrides(story: Story, entry: StoryEntry) -> Story:
    meta = story.metadata
    changes: dict[str, Any] = {}
    if entry.title:
        changes["title"] = entry.title
    if entry.authors:
        changes["authors"] = entry.authors
    if entry.summary:
        changes["summary"] = entry.summary
    if not changes:
        return story
    return story.evolve(metadata=replace(meta, **changes))


def assemble(spec: BuildSpec, stories: Sequence[Story], cover: bytes | None = None) -> Book:
    """The anthology as the file describes it. `stories` are read from spec.stories, in order."""
    stories = [apply_overrides(s, e) for s, e in zip(stories, spec.stories, strict=True)]
    # Pinned by the story read for the entry (a fetched story has no file), or by its file
    # when parts were joined into a new story.
    pinned = {id(s): e.position for s, e in zip(stories, spec.stories, strict=True)
              if e.position is not None}
    by_file = {e.path: e.position for e in spec.stories if e.position is not None}
    joined = join_parts(stories)
    ordered = sort_stories(joined, spec.sort)
    places = {i: pinned.get(id(s)) or (by_file.get(s.source) if s.source else None)
              for i, s in enumerate(ordered)}
    ordered = _pin(ordered, {i: p for i, p in places.items() if p is not None})
    ordered, sections = group_stories(ordered, spec.group_by, keep_order=spec.sort == "as-listed")
    language = spec.language or (ordered[0].metadata.language if ordered else "en")
    return Book(title=spec.title, stories=tuple(ordered), editors=spec.editors,
                subtitle=spec.subtitle, description=spec.description, language=language,
                cover_image=cover, front_matter=spec.front_matter, back_matter=spec.back_matter,
                sections=tuple(sections), date=spec.date, collection=True)


def quick_book(stories: Sequence[Story], title: str | None = None, editors: Sequence[str] = (),
               subtitle: str = "") -> Book:
    """Several story files on the command line: parts joined, one book, in the order given."""
    joined = join_parts(list(stories))
    if len(joined) == 1 and not title and not editors and not subtitle:
        return Book.single(joined[0])
    if not title:
        names = [s.metadata.title for s in joined]
        title = names[0] if len(names) == 1 else (
            ", ".join(names[:-1]) + " and " + names[-1] if len(names) <= 3
            else f"{names[0]} and {len(names) - 1} more stories")
    return Book(title=title, stories=tuple(joined), editors=tuple(editors), subtitle=subtitle,
                language=joined[0].metadata.language, collection=True)


# -- sorting -------------------------------------------------------------------------------

def _fold(text: str) -> str:
    return _ARTICLE.sub("", text.strip()).casefold()


def story_date(story: Story) -> dt.date | None:
    for value in (story.metadata.published, story.metadata.updated):
        value = value.strip()
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        m = re.search(r"(\d{4})-(\d{2})-(\d{2})", value)
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                pass
    return None


def _first(values: tuple[str, ...]) -> str:
    return values[0].casefold() if values else "\uffff"  # stories without one go last


SORT_KEYS: dict[str, Callable[[Story], Any]] = {
    "title": lambda s: _fold(s.metadata.title),
    "author": lambda s: (_first(s.metadata.authors), _fold(s.metadata.title)),
    "fandom": lambda s: (_first(s.metadata.fandoms), _fold(s.metadata.title)),
    "date": lambda s: (story_date(s) is None, story_date(s) or dt.date.min,
                       _fold(s.metadata.title)),
    "word-count": lambda s: (s.counted_words, _fold(s.metadata.title)),
}


def sort_stories(stories: Sequence[Story], how: str) -> list[Story]:
    if how == "as-listed":
        return list(stories)
    return sorted(stories, key=SORT_KEYS[how])  # stable: ties keep the listed order


def _pin(stories: list[Story], pins: dict[int, int]) -> list[Story]:
    """Stories with a `position` go exactly there (1-based); the others keep their order."""
    if not pins:
        return stories
    rest = [s for i, s in enumerate(stories) if i not in pins]
    for i, position in sorted(pins.items(), key=lambda kv: (kv[1], kv[0])):
        rest.insert(min(position - 1, len(rest)), stories[i])
    return rest


# -- grouping ------------------------------------------------------------------------------

def group_key(story: Story, how: str) -> str:
    meta = story.metadata
    if how == "fandom":
        return " / ".join(meta.fandoms) or "Other fandoms"
    if how == "author":
        return " & ".join(meta.authors) or "Anonymous"
    if how == "rating":
        return meta.rating or "Not rated"
    if how == "written-for":
        return meta.written_for or meta.prompt or "Other stories"
    if how == "prompt":
        return meta.prompt or meta.written_for or "Other stories"
    raise ValueError(how)


_LAST = {"Other fandoms", "Anonymous", "Not rated", "Other stories"}


def group_stories(stories: Sequence[Story], how: str,
                  keep_order: bool = False) -> tuple[list[Story], list[Section]]:
    """Stories made contiguous per group, and the sections over them (in reading order)."""
    if how == "none":
        return list(stories), []
    groups: dict[str, list[Story]] = {}
    for story in stories:
        groups.setdefault(group_key(story, how), []).append(story)
    names = list(groups)
    if not keep_order:
        def order(name: str) -> tuple[bool, int, str]:
            rank = RATING_ORDER.index(name.lower()) if how == "rating" and \
                name.lower() in RATING_ORDER else len(RATING_ORDER)
            return (name in _LAST, rank, _fold(name))
        names.sort(key=order)
    ordered: list[Story] = []
    sections = []
    for name in names:
        start = len(ordered)
        ordered.extend(groups[name])
        sections.append(Section(title=name, stories=tuple(range(start, len(ordered)))))
    return ordered, sections
