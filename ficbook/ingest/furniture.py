"""Page furniture in converted documents: running heads over every chapter, a title and byline
set as plain lines, boilerplate pasted into every chapter, and the empty chapters they make."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from ..model import Chapter
from ..xhtml import sanitize as xhtml
from .header import canonical
from .htmlblocks import Block
from .text import is_chapter_heading, is_scene_break

SHORT = 15  # words: a running head, a title or a byline is a short line
MAX_PREFACE = 2000  # words over the title block that are the author's notes, not a prologue
REPEATS = 3  # a line set over three or more chapters is furniture, not story
EDGE = 2  # blocks of the author's own (a PS, a thank-you) beside pasted boilerplate
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


def _running_heads(blocks: list[Block], counts: Counter[str], names: set[str]) -> set[str]:
    """Short lines repeated over and over that, nearly every time, stand right above a chapter
    heading in a run that names the story (a byline, or the title or author the header gave),
    from that line down: a book's running head. A line that merely ends every chapter ("To be
    continued...") stands above the next heading too, but names nothing: it is story."""
    candidates = {k for k, n in counts.items() if n >= REPEATS and len(k.split()) <= SHORT}
    places: Counter[str] = Counter()
    for j, block in enumerate(blocks):
        if not _is_chapter(block) or _key(block) in candidates:
            continue
        i = j
        while i > 0 and _key(blocks[i - 1]) in candidates:
            i -= 1
        run = blocks[i:j]
        named = next((n for n, b in enumerate(run) if _names_story(b, names)), None)
        if named is None:
            continue
        if named > 0 and _byline(run[named].text, loose=True) and not _names_story(
                run[named - 1], names):
            named -= 1  # the title line over the byline
        places.update(_key(b) for b in run[named:])
    return {k for k in candidates if places[k] >= 0.8 * counts[k]}


def _names_story(block: Block, names: set[str]) -> bool:
    """A byline, or the story's title or author as the header gave them."""
    key = _key(block)
    name = _byline(block.text, loose=True)
    return key in names or name is not None


def _byline(text: str, *, loose: bool = False) -> str | None:
    """The name in `By Wren Hollis`, when it is a name: a few words, no sentence punctuation,
    and (unless `loose`: a line repeated over every chapter) capitalised or a handle
    (`gullwing_writes`, `xXwrenXx`), never `By morning the storm was gone.`"""
    m = _BYLINE.match(text.strip())
    if m is None:
        return None
    name = m.group("name").strip()
    words = name.split()
    if len(words) > 6 or _SENTENCE.search(name):
        return None
    if name.endswith(".") and len(words[-1]) > 3:
        return None
    if loose:
        return name
    first = words[0]
    if first[:1].isupper() or _HANDLE.search(first) or not first[:1].isalpha():
        return name
    return None


_SENTENCE = re.compile(r"[!?…;:\"“”]")
_HANDLE = re.compile(r"[\d_@]|.[A-Z]")


def _edge(blocks: list[Block], n: int, counts: Counter[str], heads: set[str]) -> bool:
    """Whether block `n` sits at its chapter's edge: between it and the chapter's heading or
    its end (or an end of the document) nothing but other pasted paragraphs, running heads and
    dividers, and at most `EDGE` other blocks, in the outer quarter of the chapter."""
    def furniture(b: Block) -> bool:
        key = _key(b)
        return b.kind == "hr" or key in heads or (counts[key] >= REPEATS
                                                  and len(key.split()) > SHORT)

    def chapter(b: Block) -> bool:
        return _is_chapter(b) and _key(b) not in heads

    first = n
    while first > 0 and not chapter(blocks[first - 1]):
        first -= 1
    last = n
    while last + 1 < len(blocks) and not chapter(blocks[last + 1]):
        last += 1
    before = sum(not furniture(b) for b in blocks[first:n])
    after = sum(not furniture(b) for b in blocks[n + 1:last + 1])
    return min(before, after) <= min(EDGE, (before + after) // 4)


def find_furniture(blocks: list[Block], said: tuple[str, ...] = (),
                   names: tuple[str, ...] = ()) -> Furniture:
    """Running heads and repeated boilerplate out; a title block read as metadata.
    `said`: header lines already read as metadata (a disclaimer pasted into every chapter
    again is a copy of the header's); `names`: the title and authors the header gave."""
    counts = _lines(blocks)
    known = {" ".join(n.casefold().split()) for n in names if n.strip()}
    heads = _running_heads(blocks, counts, known)
    found = Furniture(blocks=list(blocks))
    start, end = _title_block(blocks, heads)
    if end > start:
        _read_title_block(found, blocks[start:end])
        preface = [b for b in blocks[:start] if b.kind != "hr"]
        if sum(len(b.text.split()) for b in preface) <= MAX_PREFACE and _authors_preface(
                preface):
            found.preface = preface
    boilerplate = _boilerplate(blocks, counts, heads)
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
        if key in boilerplate and key in seen:
            found.boilerplate += 1
            continue
        seen.add(key)
        kept.append(block)
    found.blocks = kept
    return found


def _boilerplate(blocks: list[Block], counts: Counter[str], heads: set[str]) -> set[str]:
    """Long paragraphs pasted into every chapter at the same place: each copy at a chapter's
    edge (its first or last blocks, among other repeated lines). A refrain or a letter quoted
    again inside the chapters is story, however often it comes back."""
    long = {k for k, n in counts.items() if n >= REPEATS and len(k.split()) > SHORT}
    out = set(long)
    for n, block in enumerate(blocks):
        key = _key(block)
        if key in out and block.kind in {"p", "heading"} and not _edge(blocks, n, counts, heads):
            out.discard(key)
    return out


_PREFACE_LABEL = re.compile(r"^\W*(?P<label>[^\W\d][\w '’/&.-]{0,30}?)\W*:|^\W*a/n\b",
                            re.IGNORECASE)
_PREFACE_FIELDS = {"notes", "end_notes", "disclaimer", "summary", "betas", "warnings"}


def _authors_preface(preface: list[Block]) -> bool:
    """Text over the title block that is clearly the author's (an Author's Note, a disclaimer,
    acknowledgements), not an untitled prologue."""
    for block in preface:
        m = _PREFACE_LABEL.match(block.text.strip())
        if m is None:
            continue
        label = m.group("label")
        if label is None or canonical(label) in _PREFACE_FIELDS or re.match(
                r"acknowledge?ments?|dedication", label, re.IGNORECASE):
            return True
    return False


def _title_block(blocks: list[Block], heads: set[str]) -> tuple[int, int]:
    """Where the lines over the first chapter heading name the story: a run of running-head
    lines, or, at the very top of the document, a short title line over a byline (or the
    byline alone). (0, 0) when there is none."""
    first = next((n for n, b in enumerate(blocks) if _is_chapter(b) and _key(b) not in heads),
                 None)
    if first is None:
        return 0, 0
    start = first
    while start > 0 and first - start < 4 and (_short_line(blocks[start - 1])
                                                or _key(blocks[start - 1]) in heads):
        start -= 1
    if any(_key(b) in heads for b in blocks[start:first]):
        while start < first and _key(blocks[start]) not in heads:
            start += 1
        return start, first
    top = next((n for n, b in enumerate(blocks) if b.kind != "hr"), first)
    run = blocks[top:first]
    if not 1 <= len(run) <= 4 or not all(_short_line(b) for b in run):
        return 0, 0
    byline = next((n for n, b in enumerate(run) if _byline(b.text) is not None), None)
    if byline is None or byline > 1:
        return 0, 0
    return top, first


def _short_line(block: Block) -> bool:
    if block.kind == "p" and _BYLINE.match(block.text):
        return True
    return (block.kind in {"p", "heading"} and bool(block.text)
            and len(block.text.split()) <= SHORT and not _is_chapter(block))


def _read_title_block(found: Furniture, run: list[Block]) -> None:
    rest: list[str] = []
    for block in run:
        text = _plain(block.text)
        name = _byline(text, loose=True)
        if name is not None and not found.author:
            found.author = name
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
