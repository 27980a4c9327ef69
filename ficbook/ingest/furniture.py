"""Page furniture in converted documents: running heads over every chapter, a title and byline
set as plain lines, boilerplate pasted into every chapter, and the empty chapters they make."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from ..model import Chapter
from ..xhtml import sanitize as xhtml
from .htmlblocks import Block
from .text import is_chapter_heading, is_scene_break

SHORT = 15  # words: a running head, a title or a byline is a short line
MAX_PREFACE = 2000  # words over the title block that are the author's notes, not a prologue
REPEATS = 3  # a line set over three or more chapters is furniture, not story
_BYLINE = re.compile(r"^(?:by|written by|a story by)\s*:?\s+(?P<name>\S.{0,60})$", re.IGNORECASE)


@dataclass
class Furniture:
    """What a document's furniture said, and the blocks left for the story."""

    blocks: list[Block]
    title: str = ""
    author: str = ""
    part: str = ""  # lines of the title block under the byline ("Book 3: The Looming ...")
    preface: list[Block] = field(default_factory=list)  # the author's text over the title block
    heads: int = 0  # running-head lines dropped
    boilerplate: int = 0  # repeated paragraphs dropped (the first copy stays)

    def notes(self) -> list[str]:
        """What the reader set aside, in words for `ficbook info`."""
        out = []
        if self.title or self.author:
            said = " and ".join(n for n, v in (("title", self.title), ("byline", self.author)) if v)
            out.append(f"{said} lines over the first chapter: read as metadata")
        if self.heads:
            out.append(f"running heads repeated over the chapters: {self.heads} lines left out")
        if self.boilerplate:
            out.append(f"paragraphs repeated in every chapter: kept once, {self.boilerplate} "
                       "copies left out")
        if self.preface:
            out.append("the text over the title: read as the story's notes")
        return out


def _key(block: Block) -> str:
    return " ".join(block.text.casefold().split())


def _is_chapter(block: Block) -> bool:
    if is_scene_break(block.text) or not block.text:
        return False
    return block.kind == "heading" or (block.kind == "p" and is_chapter_heading(block.text))


def _lines(blocks: list[Block]) -> Counter[str]:
    return Counter(_key(b) for b in blocks if b.kind in {"p", "heading"} and b.text)


def _running_heads(blocks: list[Block], counts: Counter[str]) -> set[str]:
    """Short lines repeated over and over that, nearly every time, stand (alone or with other
    such lines) right above a chapter heading: a book's running head, not its text."""
    candidates = {k for k, n in counts.items() if n >= REPEATS and len(k.split()) <= SHORT}
    heads = set()
    for key in candidates:
        places = [i for i, b in enumerate(blocks) if _key(b) == key]
        above = 0
        for i in places:
            j = i + 1
            while j < len(blocks) and _key(blocks[j]) in candidates:
                j += 1
            above += j < len(blocks) and _is_chapter(blocks[j])
        if above >= 0.8 * len(places):
            heads.add(key)
    return heads


def find_furniture(blocks: list[Block], said: tuple[str, ...] = ()) -> Furniture:
    """Running heads and repeated boilerplate out; the first title block read as metadata.
    `said`: header lines already read as metadata (a disclaimer pasted into every chapter
    again is a copy of the header's)."""
    counts = _lines(blocks)
    heads = _running_heads(blocks, counts)
    found = Furniture(blocks=list(blocks))
    start, end = _title_block(blocks, heads)
    if end > start:
        _read_title_block(found, blocks[start:end])
        preface = [b for b in blocks[:start] if b.kind != "hr"]
        if sum(len(b.text.split()) for b in preface) <= MAX_PREFACE:
            found.preface = preface
    kept: list[Block] = []
    seen = {" ".join(line.casefold().split()) for line in said}
    for n, block in enumerate(blocks):
        key = _key(block)
        if start <= n < end or (n < start and found.preface):
            seen.add(key)
            continue
        if key in heads:
            found.heads += 1
            continue
        if counts[key] >= REPEATS and len(key.split()) > SHORT and key in seen:
            found.boilerplate += 1
            continue
        seen.add(key)
        kept.append(block)
    found.blocks = kept
    return found


def _title_block(blocks: list[Block], heads: set[str]) -> tuple[int, int]:
    """Where the lines over the first chapter heading name the story: a run of running-head
    lines, or a short title line with a byline under it. (0, 0) when there is none."""
    first = next((n for n, b in enumerate(blocks) if _is_chapter(b) and _key(b) not in heads),
                 None)
    if first is None:
        return 0, 0
    start = first
    while start > 0 and first - start < 4 and (_short_line(blocks[start - 1])
                                                or _key(blocks[start - 1]) in heads):
        start -= 1
    run = blocks[start:first]
    if any(_key(b) in heads for b in run):
        while start < first and _key(blocks[start]) not in heads:
            start += 1
        return start, first
    byline = next((n for n, b in enumerate(run) if _BYLINE.match(b.text)), None)
    if byline is None or byline == 0:
        return 0, 0
    return start + byline - 1, first


def _short_line(block: Block) -> bool:
    if block.kind == "p" and _BYLINE.match(block.text):
        return True
    return (block.kind in {"p", "heading"} and bool(block.text)
            and len(block.text.split()) <= SHORT and not _is_chapter(block))


def _read_title_block(found: Furniture, run: list[Block]) -> None:
    rest: list[str] = []
    for block in run:
        text = _plain(block.text)
        m = _BYLINE.match(text)
        if m and not found.author:
            found.author = m.group("name").strip()
        elif not found.title and not found.author:
            found.title = text
        else:
            rest.append(text)
    found.part = ": ".join(rest) if found.author else ""


def _plain(text: str) -> str:
    return xhtml.to_text(xhtml.clean(text, typography=True)).strip()


_TAG = re.compile(r"<[^>]+>")


def _empty(chapter: Chapter) -> bool:
    return not _TAG.sub("", chapter.body).strip() and "<img" not in chapter.body


def tidy_chapters(chapters: tuple[Chapter, ...]) -> tuple[tuple[Chapter, ...], list[str]]:
    """Empty chapters are not chapters: one whose title repeats is a running head (left out);
    one over a chapter with text is the part that chapter opens ("Book Two")."""
    titles = Counter(c.title for c in chapters if _empty(c))
    out: list[Chapter] = []
    part = ""
    dropped = parts = 0
    for n, chapter in enumerate(chapters):
        if chapter.title.endswith(":"):  # "**Chapter 10:**" with its name left out
            chapter = replace(chapter, title=chapter.title.rstrip(" :"))
        if not _empty(chapter) or len(chapters) == 1:
            out.append(replace(chapter, part=chapter.part or part) if part else chapter)
            part = ""
        elif titles[chapter.title] > 1:
            dropped += 1
        elif n < len(chapters) - 1:
            part = chapter.title
            parts += 1
        else:
            out.append(chapter)
    notes = []
    if dropped:
        notes.append(f"{dropped} empty chapters made of a repeated line: left out")
    if parts:
        notes.append(f"{parts} empty chapters over the next one: read as parts")
    return tuple(out), notes
