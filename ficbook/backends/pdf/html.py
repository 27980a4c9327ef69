"""The rendered pages as one HTML document for weasyprint: the same XHTML the EPUB ships, each
page a <section>, ids made unique, links between pages turned into in-document links (so the
contents page gets real page numbers with target-counter), plus the outline and page setup CSS.
Pure lxml: no weasyprint here."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree as etree
import lxml.html

from ...model import Page, RenderedBook, TocEntry, count_words

# The rendered book's in-memory files (css/book.css, images/cover.png) live under this URL.
BOOK_URL = "file:///__ficbook__/book/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ID_LISTS = ("aria-labelledby", "aria-describedby", "aria-controls", "headers", "for")
MARGIN_BOXES = ("top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
                "right-top", "right-middle", "right-bottom", "bottom-right-corner",
                "bottom-right", "bottom-center", "bottom-left", "bottom-left-corner",
                "left-bottom", "left-middle", "left-top")


@dataclass(frozen=True)
class PageSection:
    """One rendered page as a <section> of the PDF's document."""

    page: Page
    pid: str  # the section's id: links and bookmarks point here
    html: str
    words: int


def page_id(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    return "p-" + re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")


def sections(rendered: RenderedBook, skip_kinds: Sequence[str] = ()) -> list[PageSection]:
    ids = {p.filename: page_id(p.filename) for p in rendered.pages}
    book = rendered.book
    out = []
    for page in rendered.pages:
        if page.kind in skip_kinds:
            continue
        story = None
        if page.story_index is not None and 0 < page.story_index <= len(book.stories):
            story = book.stories[page.story_index - 1]
        head_title = story.metadata.title if story else book.title
        head_author = ", ".join(story.metadata.authors if story else (book.editors or book.authors))
        out.append(_section(page, ids, head_title, head_author))
    return out


def _section(page: Page, ids: dict[str, str], head_title: str, head_author: str) -> PageSection:
    root = etree.fromstring(page.xhtml.encode(), etree.XMLParser(resolve_entities=False,
                                                                 no_network=True))
    lang = root.get(XML_LANG) or root.get("lang") or ""
    body = next((el for el in root if etree.QName(el).localname == "body"), None)
    pid = ids[page.filename]
    section = etree.Element("section")
    body_class = body.get("class", "") if body is not None else ""
    section.set("class", f"page page-{page.kind} {body_class}".strip())
    section.set("id", pid)
    if lang:
        section.set("lang", lang)
    section.set("data-head-title", head_title)
    section.set("data-head-author", head_author)
    if body is not None:
        for child in body:
            section.append(child)
    folder = posixpath.dirname(page.filename)
    for el in section.iter():
        if not isinstance(el.tag, str):
            continue
        el.tag = etree.QName(el).localname
        for name in list(el.attrib):
            if name.startswith("{"):
                value = el.attrib.pop(name)
                if name == XML_LANG:
                    el.set("lang", value)
        if el is not section and el.get("id"):
            el.set("id", f"{pid}--{el.get('id')}")
        for name in ID_LISTS:
            if el.get(name):
                el.set(name, " ".join(f"{pid}--{v}" for v in el.get(name, "").split()))
        if el.tag == "a" and el.get("href"):
            el.set("href", _link(el.get("href", ""), folder, pid, ids))
        if el.tag == "img" and el.get("src") and not urlsplit(el.get("src", "")).scheme:
            el.set("src", BOOK_URL + posixpath.normpath(posixpath.join(folder, el.get("src", ""))))
    etree.cleanup_namespaces(section)
    html = lxml.html.tostring(section, method="html", encoding="unicode")
    words = count_words(html) if page.kind == "chapter" else 0
    return PageSection(page, pid, html, words)


def _link(href: str, folder: str, pid: str, ids: dict[str, str]) -> str:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return href  # an outside link stays a link; links are never fetched
    if not parts.path:
        return f"#{pid}--{parts.fragment}" if parts.fragment else href
    target = posixpath.normpath(posixpath.join(folder, parts.path))
    if target not in ids:
        return href
    return f"#{ids[target]}--{parts.fragment}" if parts.fragment else f"#{ids[target]}"


def outline_levels(rendered: RenderedBook) -> list[tuple[str, int, str]]:
    """PDF bookmarks book -> story -> chapter, from the same contents tree as the EPUB's nav:
    (page file name, level from 1, label) in page order."""
    levels: dict[str, tuple[int, str]] = {}
    base = 1
    title_page = next((p for p in rendered.pages if p.kind == "book-title"), None)
    if title_page is not None:
        levels[title_page.filename] = (1, rendered.book.title)
        base = 2

    def walk(entries: Sequence[TocEntry], level: int) -> None:
        for entry in entries:
            levels.setdefault(entry.href.split("#")[0], (level, entry.title))
            walk(entry.children, level + 1)

    toc = rendered.toc
    if not rendered.book.is_anthology and len(toc) > 1 and not any(e.children for e in toc):
        walk(toc[:1], base)  # one story: its chapters go under it
        walk(toc[1:], base + 1)
    else:
        walk(toc, base)
    for page in rendered.pages:
        if page.kind in ("contents", "colophon") and page.filename not in levels:
            levels[page.filename] = (base, page.title)
    return [(p.filename, *levels[p.filename]) for p in rendered.pages if p.filename in levels]


def outline_css(rendered: RenderedBook) -> str:
    rules = ["h1, h2, h3, h4, h5, h6 { bookmark-level: none; }"]
    for filename, level, label in outline_levels(rendered):
        rules.append(f"#{page_id(filename)} {{ bookmark-level: {level}; "
                     f"bookmark-label: {css_string(label)}; }}")
    return "\n".join(rules) + "\n"


def css_string(text: str) -> str:
    return '"' + re.sub(r'[\\"\n\r]', lambda m: "\\" + format(ord(m.group()), "x") + " ",
                        text) + '"'


def document(rendered: RenderedBook, parts: Sequence[PageSection], stylesheets: Sequence[str],
             css: str, print_layout: bool) -> str:
    """The whole HTML document weasyprint lays out, with the metadata the PDF gets."""
    book = rendered.book
    meta = [("generator", "ficbook"), ("dcterms.created", rendered.modified),
            ("dcterms.modified", rendered.modified)]
    meta += [("author", a) for a in (book.authors or book.editors)]
    fandoms = list(dict.fromkeys(f for s in book.stories for f in s.metadata.fandoms))
    tags = list(dict.fromkeys(t.replace(",", " ") for s in book.stories
                              for t in (*s.metadata.tags, *s.metadata.relationships)))
    if fandoms:
        meta.append(("description", ", ".join(fandoms)))
    if tags:
        meta.append(("keywords", ", ".join(tags)))
    head = [f"<title>{escape(book.title)}</title>", '<meta charset="utf-8">']
    head += [f'<meta name="{n}" content="{escape(v)}">' for n, v in meta]
    head += [f'<link rel="stylesheet" href="{escape(href)}">' for href in stylesheets]
    head.append(f"<style>\n{css}</style>")
    classes = "print-layout" if print_layout else "screen-layout"
    if book.is_anthology:
        classes += " anthology"
    return (f'<!DOCTYPE html>\n<html lang="{escape(book.language)}" class="{classes}">\n<head>\n'
            + "\n".join(head) + "\n</head>\n<body>\n" + "\n".join(s.html for s in parts)
            + "\n</body>\n</html>\n")


def stylesheet_urls(rendered: RenderedBook, print_css: Path | None) -> list[str]:
    urls = [BOOK_URL + a.filename for a in rendered.assets if a.media_type == "text/css"]
    if print_css is not None:
        urls.append(print_css.resolve().as_uri())
    return urls
