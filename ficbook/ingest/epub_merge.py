"""Anthologies of EPUBs (EpubMerge, as FanFicFare users make them): each book kept as a part.

EpubMerge puts each book in a folder of its own (1/, 2/ ...) and keeps that book's package
document beside it (media type `origrootfile/xml`). Each book is read as the EPUB it was; the
first chapter of each opens a part named after the book, so the contents list the chapters
under their book. The whole work's title and authors come from the anthology's own package.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from pathlib import Path

from ..model import Asset, Chapter, Metadata, Story

ORIGINAL_PACKAGE = "origrootfile/xml"
LIST_FIELDS = ("fandoms", "relationships", "characters", "warnings", "categories", "genres",
               "tags")
# Ratings from mildest to strongest (AO3's, FFN's, the MPAA-style ones fans use).
RATINGS = ("general audiences", "g", "k", "k+", "pg", "teen and up audiences", "t", "pg-13",
           "mature", "m", "r", "explicit", "ma", "nc-17", "e", "x")
_BOOK_LIST = re.compile(r"^\s*(<p>)?\s*anthology containing:", re.IGNORECASE)


def book_packages(manifest: dict[str, tuple[str, str, str]],
                  spine: list[str]) -> list[tuple[str, list[str]]]:
    """(a book's package document, its pages in the anthology's reading order) for each book;
    [] when the EPUB is not an anthology of books."""
    books = []
    for name, media, _ in manifest.values():
        folder = posixpath.dirname(name)
        if media != ORIGINAL_PACKAGE or not folder:
            continue
        pages = [page for page in spine if page.startswith(folder + "/")]
        if pages:
            books.append((spine.index(pages[0]), name, pages))
    books.sort()
    return [(name, pages) for _, name, pages in books] if len(books) >= 2 else []


def merge(top: Metadata, books: list[Story], path: Path | None) -> Story:
    """One story of the books, each a part; the anthology's metadata from the books' own."""
    chapters: list[Chapter] = []
    for n, book in enumerate(books, 1):
        first, *rest = book.chapters
        # The book's summary heads its first chapter's own (the book has no page of its own).
        first = replace(first, part=book.metadata.title or f"Book {n}",
                        summary=book.metadata.summary + first.summary,
                        notes=first.notes or book.metadata.notes)
        chapters += [first, *rest]
    notes = [f"EpubMerge anthology: {len(books)} books kept as parts"]
    meta = _merged_metadata(top, [b.metadata for b in books])
    if _BOOK_LIST.match(top.summary):
        meta = replace(meta, summary="")
        notes.append("the anthology's list of its books: left out (the contents list them)")
    for book in books:
        notes += [n for n in book.reader_notes if n not in notes]
    images: dict[str, Asset] = {}
    for book in books:
        images.update({a.filename: a for a in book.images})
    return Story(metadata=meta, chapters=tuple(chapters), source=path,
                 end_mark=books[-1].end_mark, reader="epub/epubmerge",
                 images=tuple(images.values()), reader_notes=tuple(notes))


def _merged_metadata(top: Metadata, books: list[Metadata]) -> Metadata:
    values: dict[str, object] = {}
    for name in LIST_FIELDS:
        merged: list[str] = []
        for book in books:
            merged += [v for v in getattr(book, name) if v not in merged]
        values[name] = tuple(merged)
    ratings = [b.rating for b in books if b.rating]
    values["rating"] = max(ratings, key=_severity) if ratings else top.rating
    statuses = {b.status for b in books if b.status}
    values["status"] = statuses.pop() if len(statuses) == 1 else (
        "Work in Progress" if statuses else top.status)
    published = sorted(b.published for b in books if b.published)
    updated = sorted(b.updated for b in books if b.updated)
    values["published"] = published[0] if published else top.published
    values["updated"] = updated[-1] if updated else top.updated
    counts = [b.word_count for b in books]
    values["word_count"] = sum(c for c in counts if c) if all(counts) else None
    series = {b.series for b in books if b.series}
    values["series"] = series.pop() if len(series) == 1 else top.series
    values["series_index"] = None if values["series"] != top.series else top.series_index
    extra: list[tuple[str, str]] = list(top.extra)
    for book in books:
        extra += [kv for kv in book.extra if kv not in extra]
    values["extra"] = tuple(extra)
    values["authors"] = top.authors or tuple(dict.fromkeys(a for b in books for a in b.authors))
    values["source_url"] = top.source_url or books[0].source_url
    return replace(top, **values)  # type: ignore[arg-type]


def _severity(rating: str) -> int:
    r = rating.strip().lower()
    return RATINGS.index(r) if r in RATINGS else -1
