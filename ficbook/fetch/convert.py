"""A fetched work read into a Story: FanFicFare's metadata fields as ficbook's, and each
chapter's HTML through the same sanitizer, scene-break and notes rules as a file's."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..model import Chapter, Metadata, Story
from .work import Work

if TYPE_CHECKING:
    import lxml.html

READER = "url/fanficfare"


def story_of(work: Work, chapters: Sequence[str]) -> Story:
    """The Story of `work`, whose chapters' HTML is `chapters`, in the index's order."""
    from ..ingest.htmlblocks import parse_fragment, same_words

    read = [_chapter(parse_fragment(text), _plain(ref.title))
            for ref, text in zip(work.chapters, chapters, strict=True)]
    notes = [f"{work.site}: fetched through FanFicFare, {len(read)} "
             f"chapter{'s' if len(read) != 1 else ''}"]
    if len(read) == 1 and same_words(read[0].title, work.text("title")):
        read[0] = replace(read[0], title="")
    return Story(metadata=metadata_of(work), chapters=tuple(read), source=None,
                 reader=READER, reader_notes=tuple(notes))


def metadata_of(work: Work) -> Metadata:
    from ..ingest.ao3 import language_code
    from ..ingest.series import series_of, status_of
    from ..xhtml import sanitize as xhtml

    tags = work.list("freeformtags")
    categories = work.list("ao3categories")
    genres = [g for g in work.list("genre") if g not in tags and g not in categories]
    series, index = series_of(work.text("series")) if work.text("series") else ("", None)
    words = re.sub(r"[^\d]", "", work.text("numWords"))
    language = work.text("langcode") or language_code(work.text("language")) or "en"
    return Metadata(
        title=_plain(work.text("title")) or "Untitled",
        authors=tuple(work.list("author")),
        fandoms=tuple(work.list("fandoms") or work.list("category")),
        relationships=tuple(work.list("ships")),
        characters=tuple(work.list("characters")),
        rating=work.text("rating"),
        warnings=tuple(work.list("warnings")),
        categories=tuple(categories),
        genres=tuple(genres),
        tags=tuple(tags),
        summary=_rich(work.text("description")),
        notes=_rich(work.text("notes")),
        status=status_of(work.text("status")) if work.text("status") else "",
        word_count=int(words) if words else None,
        language=language,
        published=_date(work.text("datePublished")),
        updated=_date(work.text("dateUpdated")),
        series=xhtml.to_text(xhtml.clean(series)) if series else "",
        series_index=index,
        source_url=work.url,
    )


def _plain(text: str) -> str:
    """A one-line field the site gave as text: tags and stray markup shown as words, quotes
    and dashes made typographic, as a file's header fields are."""
    from ..ingest.header import plain_field

    return plain_field(html.escape(text, quote=False))


def _rich(text: str) -> str:
    """A summary or notes field (HTML from the site) as sanitized blocks."""
    if not text.strip():
        return ""
    from ..ingest.epub_info import rich_fragment
    from ..ingest.htmlblocks import parse_fragment

    return rich_fragment(parse_fragment(text))


def _date(value: str) -> str:
    m = re.match(r"\d{4}-\d{2}-\d{2}", value.strip())
    return m.group(0) if m else ""


def _chapter(body: lxml.html.HtmlElement, title: str) -> Chapter:
    """One chapter: FanFicFare's notes blocks as the chapter's notes, a heading over the text
    that only repeats the chapter's title left out, the rest as the body."""
    from ..ingest.epub_chapter import sectioned_chapter
    from ..ingest.htmlblocks import HEADINGS, body_fragment, same_words, text_of

    for el in body.iter(*HEADINGS, "p"):
        if el.tag in HEADINGS:
            if same_words(text_of(el), title):
                el.drop_tree()
            break
        if text_of(el):
            break  # text comes first: a heading further on is the author's
    sectioned = sectioned_chapter(body)
    if sectioned is not None:
        return Chapter(title=title, body=sectioned.body, summary=sectioned.summary,
                       notes=sectioned.notes, end_notes=sectioned.end_notes)
    return Chapter(title=title, body=body_fragment(body))
