"""HTML -> blocks -> Story: shared by the HTML, AO3, Markdown, DOCX and EPUB readers.

Untrusted HTML is parsed without network or entities, presentational styles the story needs
(centred, small caps, italics, bold) become classes and tags, colours and sizes are dropped,
`<br>` runs and dinkus paragraphs become scene breaks, and every block goes through
`xhtml.clean` before it reaches the model.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import lxml.html

from ..errors import InputError
from ..model import Chapter, Metadata, Story
from ..xhtml import parse
from ..xhtml import sanitize as xhtml
from .header import metadata_from_fields, parse_header
from .text import _CHAPTER, _END_MARK, SCENE_BREAK, is_chapter_heading, is_scene_break

HTML_PARSER = parse.PARSER
INLINE = {"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em", "font", "i",
          "img", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong",
          "sub", "sup", "time", "tt", "u", "var", "wbr", "ruby", "rt", "rp", "label"}
CONTAINERS = {"div", "center", "section", "article", "main", "body", "font", "span"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_BR = "\x00br\x00"


def parse_document(text: str) -> lxml.html.HtmlElement:
    """A whole HTML page, parsed without network access; comments and PIs dropped."""
    text = xhtml.strip_invalid_chars(_XML_DECL.sub("", text))
    if not text.strip():
        raise InputError(None, "the file is empty: there is no story to build")
    return parse.document(text)


def parse_fragment(text: str) -> lxml.html.HtmlElement:
    """An HTML fragment inside a <div> wrapper."""
    return parse.fragment(xhtml.strip_invalid_chars(text) or "<p></p>")


def text_of(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().replace("\xa0", " ").split())


def inner_html(el: lxml.html.HtmlElement) -> str:
    parts = [htmllib.escape(el.text or "", quote=False)]
    parts += [lxml.html.tostring(c, encoding="unicode", with_tail=True) for c in el
              if isinstance(c.tag, str) or c.tail]
    return "".join(p for p in parts if p)


# --- presentational styles -> classes and tags ------------------------------------------------

_STYLE = re.compile(r"([\w-]+)\s*:\s*([^;]+)")


def prepare(root: lxml.html.HtmlElement) -> None:
    """Keep the author's emphasis and centring; drop colours, sizes and site classes."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag == "a" and not el.get("href") and not (el.text or "").strip() and len(el) == 0:
            if not el.get("id") and el.get("name"):
                el.set("id", el.get("name", ""))  # an old anchor: a footnote links to it
            if not el.get("id"):
                el.drop_tag()  # a bare anchor with no name carries nothing
                continue
        styles = {k.lower(): v.strip().lower() for k, v in _STYLE.findall(el.get("style", ""))}
        classes = []
        if el.get("align", "").lower() == "center" or styles.get("text-align") == "center":
            classes.append("center")
        if styles.get("font-variant") == "small-caps" or "smallcaps" in el.get("class", ""):
            classes.append("smallcaps")
        for name in ("center", "big", "scene-break"):
            if name in el.get("class", "").split() and name not in classes:
                classes.append(name)
        # (ids stay: a footnote's link finds its note by them; the sanitizer renames them)
        for attr in ("style", "align", "class", "color", "face", "size", "bgcolor", "name"):
            el.attrib.pop(attr, None)
        if classes:
            el.set("class", " ".join(classes))
        if el.tag == "span":
            if styles.get("font-style") == "italic":
                el.tag = "em"
            elif styles.get("font-weight") in {"bold", "700", "800", "900"}:
                el.tag = "strong"
            elif "underline" in styles.get("text-decoration", ""):
                el.tag = "u"
            elif "line-through" in styles.get("text-decoration", ""):
                el.tag = "del"
            elif not el.attrib and el.getparent() is not None:
                el.drop_tag()  # a colour or a size, nothing else: keep the words only


# --- blocks ----------------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # "p", "hr", "heading", "other"
    html: str  # raw (not yet sanitized) HTML of the block; inner HTML for "p"
    text: str = ""
    level: int = 0
    cls: str = ""

    def lines(self) -> list[str]:
        return [line.strip() for line in self.html.split(_BR)]


def blocks_of(container: lxml.html.HtmlElement) -> list[Block]:
    """A container's content as a flat list of paragraphs, breaks, headings and other blocks."""
    out: list[Block] = []
    run: list[str] = []

    def flush(cls: str = "") -> None:
        out.extend(_split_run(run, cls))
        run.clear()

    if container.text:
        run.append(htmllib.escape(container.text, quote=False))
    for child in container:
        if not isinstance(child.tag, str):
            pass
        elif child.tag == "br":
            run.append(_BR)
        elif child.tag in INLINE and not _has_blocks(child):
            run.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
        else:
            flush()
            tag = child.tag
            if tag == "p":
                run.append(_inner_with_br(child))
                flush(child.get("class", ""))
            elif tag == "hr":
                out.append(Block("hr", "<hr/>"))
            elif tag in HEADINGS:
                out.append(Block("heading", inner_html(child), text_of(child),
                                 level=int(tag[1])))
            elif tag in CONTAINERS or tag in INLINE:
                cls = child.get("class", "")
                inner = blocks_of(child)
                for b in inner:
                    if cls and b.kind == "p" and not b.cls:
                        b.cls = cls
                out.extend(inner)
            else:
                out.append(Block("other", lxml.html.tostring(child, encoding="unicode",
                                                             with_tail=False), text_of(child)))
        if child.tail:
            run.append(htmllib.escape(child.tail, quote=False))
    flush()
    return out


def _has_blocks(el: lxml.html.HtmlElement) -> bool:
    return any(isinstance(d.tag, str) and d.tag not in INLINE and d.tag != "br"
               for d in el.iterdescendants())


def _inner_with_br(el: lxml.html.HtmlElement) -> str:
    parts = [htmllib.escape(el.text or "", quote=False)]
    for c in el:
        if isinstance(c.tag, str) and c.tag == "br":
            parts.append(_BR)
        elif isinstance(c.tag, str):
            parts.append(lxml.html.tostring(c, encoding="unicode", with_tail=False))
        if c.tail:
            parts.append(htmllib.escape(c.tail, quote=False))
    return "".join(parts)


def _split_run(run: list[str], cls: str) -> list[Block]:
    """Inline content with <br> markers: 1 br = line break, 2 = new paragraph, 3+ = scene break."""
    joined = "".join(run)
    if not joined.strip():
        return []
    out: list[Block] = []
    pieces = re.split(rf"((?:\s*{re.escape(_BR)}\s*)+)", joined)
    para: list[str] = []

    def end() -> None:
        html = _BR.join(para).strip()
        para.clear()
        text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html.replace(_BR, " ")))
                        .replace("\xa0", " ").split())
        if text or "<img" in html:
            out.append(Block("p", html, text, cls=cls))

    for n, piece in enumerate(pieces):
        if n % 2 == 0:
            if piece.strip():
                para.append(piece.strip())
            continue
        breaks = piece.count(_BR)
        if breaks == 1:
            continue
        end()
        if breaks >= 3:
            out.append(Block("hr", "<hr/>"))
    end()
    return out


# --- blocks -> Story -------------------------------------------------------------------------


def split_header(blocks: list[Block]) -> tuple[list[tuple[str, str]], list[Block], str]:
    """The plain-text header block (`Title:`, `Author:` ...) at the top of the blocks, if any."""
    lines: list[str] = []
    where: list[tuple[int, int]] = []
    for i, block in enumerate(blocks[:60]):
        if block.kind != "p":
            break
        for j, line in enumerate(block.lines()):
            lines.append(line)
            where.append((i, j))
        lines.append("")
        where.append((i + 1, 0))
    header = parse_header(lines)
    if not header:
        return [], blocks, ""
    if header.body_start >= len(lines):
        return header.fields, blocks[where[-1][0]:] if where else [], header.subject
    i, j = where[header.body_start]
    rest = list(blocks[i:])
    if j and rest:
        first = rest[0]
        rest[0] = replace(first, html=_BR.join(first.lines()[j:]))
    return header.fields, rest, header.subject


def fragment(block: Block, typography: bool = True) -> str:
    """One block as a sanitized XHTML fragment ('' if nothing is left)."""
    if block.kind == "hr":
        return SCENE_BREAK
    if block.kind == "p":
        inner = block.html.replace(_BR, "<br/>")
        cls = f' class="{htmllib.escape(block.cls)}"' if block.cls else ""
        return xhtml.clean(f"<p{cls}>{inner}</p>", typography=typography)
    if block.kind == "heading":
        return xhtml.clean(f"<h{block.level}>{block.html}</h{block.level}>",
                           typography=typography)
    return xhtml.clean(block.html, typography=typography)


def chapters_from_blocks(blocks: list[Block], title: str = "", *, headings: bool = True,
                         typography: bool = True) -> tuple[list[Chapter], str]:
    """Split at chapter headings (the top heading level, or `Chapter 2` lines); find scene
    breaks and a closing end mark."""
    levels = [b.level for b in blocks if b.kind == "heading" and not is_scene_break(b.text)]
    top = min(levels) if levels and headings else 0
    chapters: list[Chapter] = []
    body: list[str] = []
    chapter_title = ""
    end_mark = ""
    started = False

    def flush() -> None:
        while body and body[0] == SCENE_BREAK:
            body.pop(0)
        while body and body[-1] == SCENE_BREAK:
            body.pop()
        if body or chapter_title:
            chapters.append(Chapter(title=chapter_title, body="".join(body)))

    last_text = max((n for n, b in enumerate(blocks) if b.kind != "hr"), default=-1)
    for n, block in enumerate(blocks):
        text = block.text
        if block.kind == "hr" or (block.kind in {"p", "heading"} and is_scene_break(text)):
            if body and body[-1] != SCENE_BREAK:
                body.append(SCENE_BREAK)
            continue
        is_heading = (block.kind == "heading" and block.level == top) or (
            headings and block.kind == "p" and "<br" not in block.html and _BR not in block.html
            and is_chapter_heading(text))
        if is_heading:
            if not started and not body and not chapters and same_words(text, title):
                continue  # the story's title repeated over the text
            flush()
            chapter_title = xhtml.to_text(xhtml.clean(text, typography=typography))
            body = []
            started = True
            continue
        if n == last_text and block.kind == "p" and _END_MARK.match(text):
            end_mark = text
            continue
        piece = fragment(block, typography)
        if piece.strip():
            body.append(piece)
    flush()
    return chapters, end_mark


def same_words(a: str, b: str) -> bool:
    """`a` says what `b` (not empty) says, case, spaces and punctuation aside."""

    def norm(s: str) -> str:
        return re.sub(r"\W+", "", s.lower())
    return bool(b) and norm(a) == norm(b)


def story_from_blocks(blocks: list[Block], path: Path | None, reader: str,
                      meta: Metadata | None = None, fallback_title: str = "",
                      header: bool = True) -> Story:
    """The common tail of the HTML-ish readers: header block, chapters, end mark."""
    meta = meta or Metadata(title="")
    if header:
        fields, blocks, subject = split_header(blocks)
        meta = metadata_from_fields(fields, meta, path)
        if subject and not meta.title:
            from .header import title_from_subject

            meta = replace(meta, title=title_from_subject(subject)[0])
    blocks, meta = _title_heading(blocks, meta)
    if not meta.title:
        stem = path.stem.replace("_", " ").replace("-", " ").strip().title() if path else ""
        meta = replace(meta, title=fallback_title or stem or "Untitled")
    chapters, end_mark = chapters_from_blocks(blocks, meta.title)
    if not chapters:
        raise InputError(path, "no story text found")
    return Story(metadata=meta, chapters=tuple(chapters), source=path, end_mark=end_mark,
                 reader=reader)


def _title_heading(blocks: list[Block], meta: Metadata) -> tuple[list[Block], Metadata]:
    """A lone top-level heading over the whole text is the story's title, not a chapter."""
    if not blocks or blocks[0].kind != "heading":
        return blocks, meta
    first = blocks[0]
    peers = [b for b in blocks if b.kind == "heading" and b.level <= first.level]
    deeper = [b for b in blocks if b.kind == "heading" and b.level > first.level]
    if len(peers) != 1 or _CHAPTER.match(first.text):
        return blocks, meta
    if meta.title and not same_words(first.text, meta.title):
        return blocks, meta
    if not meta.title and not deeper and len(blocks) > 1 and blocks[1].kind == "heading":
        return blocks, meta
    title = meta.title or xhtml.to_text(xhtml.clean(first.text, typography=True))
    return blocks[1:], replace(meta, title=title)


def body_fragment(el: lxml.html.HtmlElement, typography: bool = True) -> str:
    """An element's content as one sanitized body (scene breaks found, no chapter splitting)."""
    prepare(el)
    pieces: list[str] = []
    for block in blocks_of(el):
        if block.kind == "hr" or (block.kind == "p" and is_scene_break(block.text)):
            if pieces and pieces[-1] != SCENE_BREAK:
                pieces.append(SCENE_BREAK)
            continue
        piece = fragment(block, typography)
        if piece.strip():
            pieces.append(piece)
    while pieces and pieces[-1] == SCENE_BREAK:
        pieces.pop()
    while pieces and pieces[0] == SCENE_BREAK:
        pieces.pop(0)
    return "".join(pieces)
