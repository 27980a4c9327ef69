"""Stories posted in parts (`Title (1/3)`, `Part 2 of 3`): recognised and joined into one story."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from ..model import Chapter, Story, count_words

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_NUM = r"\d{1,3}|" + "|".join(_NUMBERS)
# "Title (1/3)", "Title [2 of 3]", "Title 3/3"
_SLASH = re.compile(r"^(?P<base>.+?)(?:\s*[\(\[]\s*|\s+)(?P<n>\d{1,3})\s*(?:/|of)\s*"
                    r"(?P<total>\d{1,3}|\?)\s*[\)\]]?\s*$", re.IGNORECASE)
# "Title, Part 2", "Title - Part 2 of 3", "Title (Part Two)", "Title: pt. 2"
_PART = re.compile(rf"^(?P<base>.+?)\s*[,:;\-–—]?\s*[\(\[]?\s*(?:part|pt\.?)\s*(?P<n>{_NUM})"
                   rf"(?:\s*(?:/|of)\s*(?P<total>{_NUM}|\?))?\s*[\)\]]?\s*$", re.IGNORECASE)
# A chapter heading that only says which part this is.
_PART_HEADING = re.compile(rf"^\W*(?:part|pt\.?)\s*(?P<n>{_NUM})"
                           rf"(?:\W*(?:/|of)\s*(?:{_NUM}|\?))?\W*$", re.IGNORECASE)
_FIELD = re.compile(rf"^\s*(?P<n>{_NUM})\s*(?:(?:/|of)\s*(?P<total>{_NUM}|\?))?\s*$",
                    re.IGNORECASE)
# Boilerplate at the end of a part and at the start of the next one.
_TO_BE_CONTINUED = re.compile(
    r"^\W*(?:to\s+be\s+continued|tbc|cont(?:inued|\.)?(?:\s+(?:in|on)\s+(?:the\s+)?"
    r"(?:next\s+)?(?:part|post|chapter|entry)?\s*(?:\d+|" + "|".join(_NUMBERS) + r")?)?"
    r"|end\s+of\s+part\s+\S+(?:\s+of\s+\S+)?|(?:on\s+to|go\s+to|read)?\s*(?:the\s+)?"
    r"next\s+part(?:\s+here)?|part\s+\S+\s+(?:coming\s+soon|to\s+follow|is\s+next)"
    r"|to\s+be\s+concluded)\W*$",
    re.IGNORECASE)
_CONTINUED_FROM = re.compile(
    r"^\W*(?:continued\s+from\s+(?:the\s+)?(?:part\s+\S+|previous\s+(?:part|post|chapter)|"
    r"last\s+(?:part|post|chapter))|(?:previous|last)\s+part(?:\s+here)?|"
    r"parts?\s+[\d\-–, ]+\s+(?:here|at\s+\S+)|part\s+\S+\s+of\s+\S+)\W*$",
    re.IGNORECASE)
_PARA = re.compile(r"<p\b[^>]*>.*?</p>", re.DOTALL)


@dataclass(frozen=True)
class PartInfo:
    base: str  # the story's title without the part marker
    number: int
    total: int | None


def _number(text: str | None) -> int | None:
    if not text or text == "?":
        return None
    text = text.lower()
    return int(text) if text.isdigit() else _NUMBERS.get(text)


def part_info(story: Story) -> PartInfo | None:
    """Which part of a longer story this post is, from its title, header or first heading."""
    title = story.metadata.title.strip()
    for pattern in (_PART, _SLASH):
        m = pattern.match(title)
        total = _number(m.group("total")) if m else None
        if m and (n := _number(m.group("n"))) and (total is None or n <= total):
            base = m.group("base").strip(" ,:;-–—([")
            if base:
                return PartInfo(base, n, total)
    for key, value in story.metadata.extra:
        if key.strip().lower() in {"part", "parts"} and (m := _FIELD.match(value)):
            n = _number(m.group("n"))
            if n:
                return PartInfo(title, n, _number(m.group("total")))
    first = story.chapters[0].title if story.chapters else ""
    if first and (m := _PART_HEADING.match(first)) and (n := _number(m.group("n"))):
        return PartInfo(title, n, None)
    return None


def _key(title: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", title.casefold()).split())


def join_parts(stories: list[Story]) -> list[Story]:
    """Stories in order; posts that are parts of one story become one story where part 1 was."""
    infos = [part_info(s) for s in stories]
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    order: list[tuple[str, tuple[str, ...]] | int] = []
    for i, (story, info) in enumerate(zip(stories, infos, strict=True)):
        if info is None:
            order.append(i)
            continue
        authors = tuple(sorted(a.casefold() for a in story.metadata.authors))
        key = (_key(info.base), authors)
        if key not in groups and not authors:
            # A later part with a short header (no author): join the part that names one.
            key = next((k for k in groups if k[0] == key[0]), key)
        elif key not in groups and (key[0], ()) in groups:
            groups[key] = groups.pop((key[0], ()))
            order = [key if o == (key[0], ()) else o for o in order]
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(i)
    result: list[Story] = []
    for item in order:
        if isinstance(item, int):
            result.append(stories[item])
            continue
        members = groups[item]
        numbers = [infos[i].number for i in members]  # type: ignore[union-attr]
        if len(members) < 2 or len(set(numbers)) != len(numbers):
            result.extend(stories[i] for i in members)  # not parts of one story after all
            continue
        ordered = sorted(members, key=lambda i: infos[i].number)  # type: ignore[union-attr]
        result.append(_join([stories[i] for i in ordered],
                            [infos[i] for i in ordered]))  # type: ignore[misc]
    return result


def _join(parts: list[Story], infos: list[PartInfo]) -> Story:
    first = parts[0]
    chapters: list[Chapter] = []
    for k, (part, info) in enumerate(zip(parts, infos, strict=True)):
        last_part = k == len(parts) - 1
        own = list(part.chapters)
        for j, chapter in enumerate(own):
            body = chapter.body
            if j == 0 and k > 0:
                body = _drop_edge(body, _CONTINUED_FROM, first=True)
            if j == len(own) - 1 and not last_part:
                body = _drop_edge(body, _TO_BE_CONTINUED, first=False)
            title = chapter.title
            if not title or _PART_HEADING.match(title):
                title = f"Part {info.number}" if len(own) == 1 else title
            notes = chapter.notes
            if j == 0 and k > 0 and part.metadata.notes:
                notes = part.metadata.notes + notes
            end_notes = chapter.end_notes
            if j == len(own) - 1 and not last_part and part.metadata.end_notes:
                end_notes += part.metadata.end_notes
            chapters.append(replace(chapter, title=title, body=body, notes=notes,
                                    end_notes=end_notes))
    meta = first.metadata
    fill: dict[str, Any] = {}
    for name in ("authors", "fandoms", "rating", "relationships", "characters"):
        if not getattr(meta, name):  # a field part 1 left out, given by a later part
            fill[name] = next((getattr(p.metadata, name) for p in parts
                               if getattr(p.metadata, name)), getattr(meta, name))
    declared = [p.metadata.word_count for p in parts]
    counted = sum(count_words(c.body) for c in chapters)
    if all(d is not None for d in declared):
        word_count: int | None = sum(d for d in declared if d is not None)
    else:
        word_count = meta.word_count if meta.word_count and meta.word_count >= counted * 0.8 \
            else None
    end_notes = parts[-1].metadata.end_notes
    meta = replace(meta, title=infos[0].base, word_count=word_count, end_notes=end_notes,
                   extra=tuple((k, v) for k, v in meta.extra
                               if k.strip().lower() not in {"part", "parts"}), **fill)
    return replace(first, metadata=meta, chapters=tuple(chapters), end_mark=parts[-1].end_mark)


def _drop_edge(body: str, pattern: re.Pattern[str], *, first: bool) -> str:
    """Drop boilerplate paragraphs at the start (first=True) or end of a chapter body."""
    while True:
        paras = list(_PARA.finditer(body))
        if not paras:
            return body
        m = paras[0] if first else paras[-1]
        edge = body[:m.start()] if first else body[m.end():]
        if edge.strip() or not pattern.match(_text(m.group(0))):
            return body
        body = body[m.end():] if first else body[:m.start()]
        body = re.sub(r'^\s*<hr class="scene-break"/>' if first else
                      r'<hr class="scene-break"/>\s*$', "", body)


def _text(fragment: str) -> str:
    from ..xhtml.sanitize import to_text  # lxml: loaded only when a story's edge is looked at

    return to_text(fragment)
