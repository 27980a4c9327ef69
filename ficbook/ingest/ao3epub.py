"""AO3's EPUB downloads: calibre's split files joined back into the HTML download, then read.

AO3 makes its EPUBs with calibre from the HTML download. calibre splits the page at each
chapter heading (and at its size limit), repeats the wrappers (`#preface`, `#chapters`,
`#afterword`) in every file, renames the classes (`div.meta` -> `div.calibre1`) and leaves empty
page-break markers. The preface may be cut in two: tags and stats in one file, title, byline,
summary and notes in the next. Joining the wrappers' children in spine order gives back one page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import lxml.html

from ..model import Metadata, Story
from .ao3 import story_from_ao3
from .htmlblocks import HTML_PARSER, text_of

_WRAPPERS = ("preface", "chapters", "afterword")
_ESCAPED = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);", re.IGNORECASE)


def is_ao3_epub(publishers: Sequence[str], bodies: Sequence[lxml.html.HtmlElement]) -> bool:
    """AO3's own download: a `#preface` page, and the archive named as the publisher or in
    the preface (other tools' AO3 EPUBs have title and notes pages, not AO3's preface)."""
    prefaces = [b for b in bodies if b.xpath(".//*[@id='preface']")]
    if not prefaces:
        return False
    if any("archive of our own" in p.lower() for p in publishers):
        return True
    return any("Archive of Our Own" in text_of(b) or
               b.xpath(".//a[contains(@href, 'archiveofourown.org')]") for b in prefaces)


def join_pages(bodies: Sequence[lxml.html.HtmlElement]) -> lxml.html.HtmlElement:
    """One HTML download from the EPUB's pages: each wrapper's pieces, in reading order."""
    page = lxml.html.document_fromstring(
        "<html><body><div id='preface'></div><div id='chapters'></div>"
        "<div id='afterword'></div></body></html>", parser=HTML_PARSER)
    wrappers = {name: page.get_element_by_id(name) for name in _WRAPPERS}
    for body in bodies:
        for child in list(body):
            if not isinstance(child.tag, str):
                continue
            target = wrappers.get(child.get("id", ""))
            if target is not None:
                target.extend(list(child))
            else:  # something between the wrappers: it belongs to the story text
                wrappers["chapters"].append(child)
    return page


def story_from_epub(bodies: Sequence[lxml.html.HtmlElement], path: Path | None,
                    opf: Metadata) -> Story:
    """The story an AO3 EPUB holds; what the pages lack comes from the OPF (calibre writes
    title, authors, summary and language there too)."""
    files = sum(1 for body in bodies if text_of(body))  # before joining moves their content
    page = join_pages(bodies)
    preface = page.get_element_by_id("preface")
    titled = preface.find(".//h1") is not None
    story = story_from_ao3(page, path, "epub/ao3")
    meta = story.metadata
    if not titled:
        bold = preface.find(".//p/b")
        meta = replace(meta, title=_unescape(opf.title) or (
            text_of(bold) if bold is not None else "") or meta.title)
    meta = replace(
        meta,
        authors=meta.authors or opf.authors,
        summary=meta.summary or opf.summary,
        source_url=meta.source_url or opf.source_url,
        published=meta.published or opf.published,
        language=meta.language if meta.language != "en" or not opf.language else opf.language,
    )
    notes = (f"AO3 EPUB: {files} files calibre split joined back into "
             f"{len(story.chapters)} chapter(s)",)
    return replace(story, metadata=meta, reader_notes=(*notes, *story.reader_notes))


def _unescape(text: str) -> str:
    """calibre escapes AO3's already escaped title once more (`&amp;amp;` in the OPF)."""
    return html.unescape(text) if _ESCAPED.search(text) else text
