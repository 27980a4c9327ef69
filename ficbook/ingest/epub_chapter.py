"""A chapter page laid out as AO3 lays one out (as AO3 downloaders and WebToEpub copy it).

Its title, "Notes:" and "Chapter Summary" blocks become the chapter's own notes and summary, the
end notes its end notes; the screen-reader labels ("Chapter Text", "Work Text:") and AO3's
pointers ("See the end of the chapter for notes") are not story text.
"""

from __future__ import annotations

import re

import lxml.html

from ..model import Chapter
from .epub_info import block_fragment, rich_fragment
from .htmlblocks import HEADINGS, body_fragment, text_of

_NOTE_BLOCKS = (".//*[contains(concat(' ', normalize-space(@class), ' '), ' notes ') or "
                "contains(concat(' ', normalize-space(@class), ' '), ' summary ') or "
                "contains(concat(' ', normalize-space(@class), ' '), ' end-notes ') or "
                "@id='notes' or @id='summary' or contains(@class, 'fff_chapter_notes')]")
BODY_LABELS = re.compile(r"^(work|chapter|story) text:?$", re.IGNORECASE)
SECTION_LABELS = {"summary": "summary", "chapter summary": "summary", "notes": "notes",
                  "chapter notes": "notes", "author's note": "notes", "author's notes": "notes",
                  "end notes": "end_notes", "chapter end notes": "end_notes",
                  "summary for the chapter": "summary", "notes for the chapter": "notes",
                  "end notes for the chapter": "end_notes"}
POINTER = re.compile(r"^\(?\s*see the (end|beginning) of the (chapter|work) for\s*(more)?\s*"
                     r"notes\.?\s*\)?$", re.IGNORECASE)


def has_story_text(body: lxml.html.HtmlElement) -> bool:
    """The page holds a chapter's text as AO3 marks it (so it is no information page, however
    short): `div.userstuff.module`, `role="article"`, or a "Chapter Text" label."""
    if body.xpath(".//*[@role='article' or @id='chapters' or (contains(@class, 'userstuff') "
                  "and contains(@class, 'module'))]"):
        return True
    return any(BODY_LABELS.match(text_of(h)) or "landmark" in _classes(h)
               for h in body.iter(*HEADINGS))


def _classes(el: lxml.html.HtmlElement) -> set[str]:
    return set(el.get("class", "").split())


def _label(el: lxml.html.HtmlElement) -> str:
    return text_of(el).rstrip(":").strip().lower().replace("’", "'")


def sectioned_chapter(body: lxml.html.HtmlElement) -> Chapter | None:
    """The chapter, when the page has AO3's sections (by class or by label); None otherwise."""
    blocks = [el for el in body.xpath(_NOTE_BLOCKS)
              if not any(_kind_or_none(a) for a in el.iterancestors())]  # outermost only
    labels = [h for h in body.iter(*HEADINGS) if BODY_LABELS.match(text_of(h))
              or "landmark" in _classes(h)]
    if not blocks and not labels:
        return None
    if not blocks:
        return _by_labels(body)
    parts: dict[str, str] = {}
    for block in blocks:
        for kind, fragment in _block_parts(block):
            parts[kind] = parts.get(kind, "") + fragment
        block.drop_tree()
    title = ""
    for heading in body.iter(*HEADINGS):
        if any(c == "title" or c.endswith("_title") for c in _classes(heading)):
            title = text_of(heading)
            heading.drop_tree()
            break
    for label in labels:
        if label.getparent() is not None:
            label.drop_tree()
    return Chapter(title=title, body=body_fragment(body), summary=parts.get("summary", ""),
                   notes=parts.get("notes", ""), end_notes=parts.get("end_notes", ""))


def _kind_or_none(el: lxml.html.HtmlElement) -> str | None:
    classes = _classes(el)
    if classes & {"notes", "summary", "end-notes", "fff_chapter_notes"} or \
            el.get("id") in {"notes", "summary"}:
        return _kind(el)
    return None


def _kind(el: lxml.html.HtmlElement) -> str:
    classes = _classes(el)
    ident = el.get("id", "")
    if classes & {"end", "end-notes", "fff_foot_notes"} or "endnotes" in ident:
        return "end_notes"
    if "summary" in classes or ident == "summary":
        return "summary"
    return "notes"


def _block_parts(block: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """A notes block's words, by kind, without labels and AO3's pointers. FanFicFare labels
    each piece inside one block (`<b>Summary for the Chapter:</b><blockquote>`)."""
    kind = _kind(block)
    if "fff_foot_notes" not in _classes(block):
        inner = [el for el in block.iter("b", "strong") if _label(el) in SECTION_LABELS]
        if inner:
            out = []
            for label in inner:
                quote = label.getnext()
                if quote is not None and quote.tag in {"blockquote", "div"}:
                    text = _text(quote)
                    if text:
                        out.append((SECTION_LABELS[_label(label)], text))
            return out
    for heading in list(block.iter(*HEADINGS, "b", "strong")):
        if _label(heading) in SECTION_LABELS or "heading" in _classes(heading):
            heading.drop_tree()
    text = _text(block)
    return [(kind, text)] if text else []


def _text(el: lxml.html.HtmlElement) -> str:
    for p in list(el.iter("p")):
        if POINTER.match(text_of(p)):
            p.drop_tree()
    if POINTER.match(text_of(el)):
        return ""
    return rich_fragment(el)


def _by_labels(body: lxml.html.HtmlElement) -> Chapter:
    """No classes, only labels: `Notes:` ... `Work Text:` ... `Notes:` in reading order."""
    holders: dict[str, lxml.html.HtmlElement] = {
        k: lxml.html.Element("div") for k in ("title", "summary", "notes", "body", "end_notes")}
    section = "title"
    seen_body = False
    for el in list(_top_blocks(body)):
        label = _label(el)
        if el.tag in HEADINGS | {"p"} and BODY_LABELS.match(text_of(el)):
            section, seen_body = "body", True
            continue
        if el.tag in HEADINGS | {"p", "b", "strong"} and label in SECTION_LABELS and \
                (el.tag in HEADINGS or text_of(el).endswith(":")):
            kind = SECTION_LABELS[label]
            section = "end_notes" if seen_body and kind == "notes" else kind
            continue
        if POINTER.match(text_of(el)):
            continue
        if section == "title" and el.tag not in HEADINGS:
            section = "body"
        holders[section].append(el)
    title = text_of(holders["title"])
    return Chapter(title=title, body=body_fragment(holders["body"]),
                   summary=block_fragment(body_fragment(holders["summary"])),
                   notes=block_fragment(body_fragment(holders["notes"])),
                   end_notes=block_fragment(body_fragment(holders["end_notes"])))


def _top_blocks(body: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Block elements in reading order, wrappers (a div holding blocks) opened up."""
    out: list[lxml.html.HtmlElement] = []
    for child in body:
        if not isinstance(child.tag, str):
            continue
        if child.tag in {"div", "section", "article"} and any(
                isinstance(c.tag, str) and c.tag in HEADINGS | {"p", "div", "blockquote"}
                for c in child):
            out.extend(_top_blocks(child))
        else:
            out.append(child)
    return out
