"""Plain-text posts (LiveJournal/Dreamwidth style): a header block over prose and chapters."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

from ..errors import InputError
from ..model import Chapter, Metadata, Story
from ..xhtml import sanitize as xhtml
from .decode import decode, read_bytes
from .header import inline_markup, metadata_from_fields, parse_header, title_from_subject

SCENE_BREAK = '<hr class="scene-break"/>'

_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
                 "fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty")
_DECOR = r"[\s~*=_#\-–—:.\[\]()<>|+]*"
_CHAPTER = re.compile(
    rf"^{_DECOR}(?P<label>(?:chapter|part|ch\.?|book)\s+(?:\d+|[ivxlc]+|(?:{_NUMBER_WORDS})"
    rf"(?:[\s-](?:{_NUMBER_WORDS}))?)|prologue|epilogue|interlude|coda)\b"
    rf"(?:\s*(?:[:.\-–—]+|\s)\s*(?P<title>.*?))?{_DECOR}$",
    re.IGNORECASE,
)
_END_MARK = re.compile(
    r"^[\s~*\-_=.(\[]*(?P<mark>the\s+end|fin|finis|end|the\s+end\s+for\s+now|end\s+of\s+story)"
    r"[\s~*\-_=.!)\]]*$",
    re.IGNORECASE,
)
_GLYPHS = re.compile(r"^[^\w\s\"'“”‘’«»()\[\]?!,;:]+(?:\s+[^\w\s\"'“”‘’«»()\[\]?!,;:]+)*$")
_PAUSES = frozenset(".… ")
_OXO = re.compile(r"^[\W_]*[oO0xX](?:[\W_]*[oO0xX])*[\W_]*$")
_MAX_HEADING = 90
MAX_WRAP = 120  # hard-wrapped posts break lines at 60-120 columns; longer lines are paragraphs


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*$")


def is_chapter_heading(line: str) -> bool:
    """`Chapter 2: Title`, `Part Two`, `Epilogue`; not a sentence that starts with those words
    ("Part 2 of the plan was simple: run.")."""
    text = line.strip()
    if len(text) > _MAX_HEADING or not _CHAPTER.match(text):
        return False
    return not (_SENTENCE_END.search(text) and len(text.split()) > 4)


def is_scene_break(line: str) -> bool:
    """`* * *`, `~*~`, `---`, `-x-`, `o0o`, `oOo`, `xXx`, centred glyph runs."""
    s = line.strip()
    if not s or len(s) > 60 or set(s) <= _PAUSES:
        return False  # `...`, `…`: a silence in the dialogue
    if _GLYPHS.match(s):
        return True
    if _OXO.match(s):
        letters = re.sub(r"[\W_]", "", s)
        # "oOo", "o0o", "xXx", "-x-": mixed case, a zero, or decoration around the letters.
        return "0" in letters or (letters != letters.lower() and letters != letters.upper()) or \
            len(letters) < len(s)
    return False


def read_text(path: Path) -> Story:
    return parse_text(decode(read_bytes(path), path), path)


def parse_text(text: str, path: Path | None = None) -> Story:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    if not any(line.strip() for line in lines):
        raise InputError(path, "the file is empty: there is no story to build")
    header = parse_header(lines)
    fallback = path.stem.replace("_", " ").replace("-", " ").strip().title() if path else ""
    meta = metadata_from_fields(header.fields, Metadata(title=""), path)
    if header.subject and not meta.title:
        title, _ = title_from_subject(header.subject)
        meta = replace(meta, title=title)
    if not meta.title:
        meta = replace(meta, title=fallback or "Untitled")
    blocks = _blocks(lines[header.body_start:])
    chapters, end_mark = _chapters(blocks)
    if not chapters:
        raise InputError(path, "the header has no story under it")
    return Story(metadata=meta, chapters=tuple(chapters), source=path, end_mark=end_mark,
                 reader="text")


def _blocks(lines: list[str]) -> list[list[str]]:
    """Group lines into blank-line separated blocks."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _wrap_width(blocks: list[list[str]]) -> int:
    """The column a hard-wrapped file breaks at (0 if it is not hard-wrapped)."""
    lengths = [len(line) for block in blocks if len(block) > 1 for line in block[:-1]]
    if len(lengths) < 3:
        return 0
    width = _ninetieth(lengths) if len(lengths) >= 10 else max(lengths)
    return width if 40 <= width <= MAX_WRAP else 0


def _ninetieth(values: list[int]) -> int:
    """statistics.quantiles(values, n=10)[8], truncated (importing statistics, fractions and
    decimal costs a rebuild that parses one story 4 ms)."""
    data = sorted(values)
    m = len(data) + 1
    j = min(max(9 * m // 10, 1), len(data) - 1)
    delta = 9 * m - j * 10
    return int((data[j - 1] * (10 - delta) + data[j] * delta) / 10)


def _block_paragraphs(block: list[str], width: int) -> list[str]:
    """One block of lines -> paragraphs of inline text ("\n" marks a kept line break)."""
    if len(block) == 1:
        return [block[0].strip()]
    if all(len(line) > MAX_WRAP for line in block[:-1]) and not width:
        # One long line per paragraph, no blank lines between them.
        return [line.strip() for line in block]
    if width and all(len(line) >= width - 20 for line in block[:-1]):
        # Hard-wrapped prose; an indented line starts a new paragraph.
        paras: list[list[str]] = [[]]
        for line in block:
            if paras[-1] and re.match(r"^(\t| {2,})\S", line):
                paras.append([])
            paras[-1].append(line.strip())
        return [" ".join(p) for p in paras if p]
    # Short lines on purpose: verse, a letter, text messages.
    return ["\n".join(line.strip() for line in block)]


def _raw_inline(text: str) -> str:
    """Plain text (which may carry a few tags the author typed) -> HTML, not yet sanitized."""
    # Bare "<" that does not open a tag is text, not markup.
    if "<" in text:
        text = re.sub(r"<(?![a-zA-Z/!])", "&lt;", text)
    if "&" in text:
        text = re.sub(r"&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)", "&amp;", text)
    if "*" in text or "_" in text:  # its three regex passes cost 0.3 s on a 150,000-word novel
        text = inline_markup(text)
    return text.replace("\n", "<br/>")


_EMPTY_P = re.compile(r"<p>(?:\s|<br/>)*</p>|<p/>")


def _chapters(blocks: list[list[str]]) -> tuple[list[Chapter], str]:
    width = _wrap_width(blocks)
    chapters: list[Chapter] = []
    title = ""
    body: list[str] = []
    end_mark = ""

    def flush() -> None:
        # Scene breaks at the edges of a chapter separate nothing.
        while body and body[0] == SCENE_BREAK:
            body.pop(0)
        while body and body[-1] == SCENE_BREAK:
            body.pop()
        # One sanitizer pass per chapter, not per paragraph: 100,000 paragraphs stay fast.
        clean = _EMPTY_P.sub("", xhtml.clean("".join(body), typography=True)) if body else ""
        if clean.strip() or title:
            chapters.append(Chapter(title=title, body=clean))

    for n, block in enumerate(blocks):
        first = block[0].strip()
        if len(block) == 1 and is_scene_break(first):
            if body and body[-1] != SCENE_BREAK:
                body.append(SCENE_BREAK)
            continue
        if len(block) <= 2 and is_chapter_heading(first):
            flush()
            title = _heading(block)
            body = []
            continue
        if n == len(blocks) - 1 and len(block) == 1 and (m := _END_MARK.match(first)):
            end_mark = html.unescape(first.strip())
            if m:
                continue
        for para in _block_paragraphs(block, width):
            fragment = _raw_inline(para)
            body.append(fragment if xhtml.is_block_fragment(fragment) else f"<p>{fragment}</p>")
    flush()
    return chapters, end_mark


def _heading(block: list[str]) -> str:
    """'Chapter One: The Salt Roads' stays as written; a title on the next line joins it."""
    first = re.sub(r"^[\s~*=_#\-–—\[(]+|[\s~*=_#\-–—\])]+$", "", block[0].strip())
    if len(block) == 2:
        first = f"{first}: {block[1].strip()}"
    return xhtml.to_text(xhtml.clean(first, typography=True))
