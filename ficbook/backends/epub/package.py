"""The package documents (container, OPF, NCX, nav with landmarks) ebooklib writes for a book."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection
from typing import Any

from ebooklib import epub

from ...model import FALLBACK_MODIFIED, Book, RenderedBook, Story, TocEntry
from ...xhtml.language import direction

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityHazard", "none"),
    ("schema:accessibilitySummary",
     "Text with headings, a table of contents and landmarks; the cover image has a text "
     "alternative. No audio, video or scripted content."),
)


def package_documents(rendered: RenderedBook, contents: Collection[str]) -> dict[str, bytes]:
    """The files ebooklib writes around the book's own `contents` (zip paths), by zip path."""
    writer = _PackageWriter("", _package(rendered), {
        "mtime": dt.datetime.strptime(rendered.modified, "%Y-%m-%dT%H:%M:%SZ"),
        "epub3_pages": False,
        "raise_exceptions": True,
        "landmark_title": "Landmarks",
    })
    writer.process()
    return {name: data for name, data in writer.files().items() if name not in contents}


class _Files:
    """Stands in for the ZipFile ebooklib writes into: keeps each file's bytes by name."""

    def __init__(self) -> None:
        self.written: dict[str, bytes] = {}

    def writestr(self, name: str, data: str | bytes, compress_type: int | None = None) -> None:
        self.written[name] = data.encode() if isinstance(data, str) else data


class _PackageWriter(epub.EpubWriter):  # type: ignore[misc]
    """ebooklib's writer with its files kept, not zipped (archive.py zips once, for everything).

    The steps are EpubWriter.write()'s in ebooklib 0.20, the version pyproject.toml pins;
    tests/backends/test_epub.py checks every book with EPUBCheck."""

    def files(self) -> dict[str, bytes]:
        self.out = _Files()
        self.out.writestr("mimetype", "application/epub+zip")
        self._write_container()
        self._write_opf()
        self._write_items()
        written: dict[str, bytes] = self.out.written
        return written

    def _write_opf_file(self, root: Any) -> None:
        # The package's own language, for reading systems and checkers (DAISY Ace) that look
        # for it there and not in dc:language.
        root.set(XML_LANG, self.book.language)
        super()._write_opf_file(root)


def _package(rendered: RenderedBook) -> epub.EpubBook:
    """The ebooklib book, its items empty: their bytes are _contents()."""
    b: Book = rendered.book
    book = epub.EpubBook()

    book.set_identifier(b.identifier)
    book.set_title(b.title)
    book.set_language(b.language)
    first = b.stories[0]
    if direction(b.language, first.chapters[0].body if first.chapters else "") == "rtl":
        book.set_direction("rtl")  # page-progression-direction on the spine
    _metadata(book, rendered)

    assert rendered.cover is not None
    book.set_cover(rendered.cover.filename, b"",
                   create_page=False)
    for asset in rendered.assets:
        book.add_item(epub.EpubItem(uid=_uid(asset.filename), file_name=asset.filename,
                                    media_type=asset.media_type,
                                    content=b""))
    items = {}
    for page in rendered.pages:
        # Plain EpubItem, not EpubHtml: EpubHtml rewrites the document it is given.
        item = epub.EpubItem(uid=_uid(page.filename), file_name=page.filename,
                             media_type="application/xhtml+xml",
                             content=b"")
        if page.kind == "cover":
            item.properties = []
        book.add_item(item)
        items[page.filename] = item
        if page.landmark:
            book.guide.append({"type": _GUIDE_TYPES.get(page.landmark, page.landmark),
                               "href": page.filename, "title": _LANDMARK_TITLES[page.landmark]})
    book.toc = [_toc(entry) for entry in rendered.toc]
    book.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title="Contents")
    book.add_item(nav)
    book.spine = [items[p.filename] for p in rendered.pages]
    return book


# ebooklib writes the EPUB 2 guide with these types and maps them to EPUB 3 landmarks.
_GUIDE_TYPES = {"titlepage": "title-page", "bodymatter": "text", "cover": "cover", "toc": "toc"}
_LANDMARK_TITLES = {"cover": "Cover", "titlepage": "Title page", "toc": "Contents",
                    "bodymatter": "Start of story"}


def _toc(entry: TocEntry) -> epub.Link | tuple[epub.Section, list[object]]:
    if entry.children:
        return (epub.Section(entry.title, href=entry.href), [_toc(c) for c in entry.children])
    return epub.Link(entry.href, entry.title, _uid(entry.href) + "-toc")


def _uid(filename: str) -> str:
    stem = filename.rsplit("/", 1)[-1].replace(".", "-")
    return f"{filename.split('/', 1)[0]}-{stem}" if "/" in filename else stem


def _creator(book: epub.EpubBook, name: str, role: str, uid: str) -> None:
    """dc:creator refined by file-as and a MARC role (ebooklib's add_author marks file-as
    with the MARC relators scheme, which is wrong for a name)."""
    book.add_metadata("DC", "creator", name, {"id": uid})
    book.add_metadata(None, "meta", name, {"refines": f"#{uid}", "property": "file-as"})
    book.add_metadata(None, "meta", role, {"refines": f"#{uid}", "property": "role",
                                           "scheme": "marc:relators"})


def _metadata(book: epub.EpubBook, rendered: RenderedBook) -> None:
    b = rendered.book
    for n, author in enumerate(b.authors, start=1):
        _creator(book, author, "aut", f"creator{n:02d}")
    for n, editor in enumerate(b.editors, start=1):
        _creator(book, editor, "edt", f"editor{n:02d}")
    description = b.description
    if not description and len(b.stories) == 1:
        from ...xhtml.sanitize import to_text  # lxml.html: not needed to package an anthology

        description = to_text(b.stories[0].metadata.summary)
    if description:
        book.add_metadata("DC", "description", description)
    subjects: dict[str, None] = {}
    for story in b.stories:
        for value in (*story.metadata.fandoms, *story.metadata.tags):
            subjects.setdefault(value, None)
    for subject in subjects:
        book.add_metadata("DC", "subject", subject)
    book.add_metadata("DC", "publisher", "ficbook")
    if rendered.modified != FALLBACK_MODIFIED:
        book.add_metadata("DC", "date", rendered.modified[:10])
    meta = b.stories[0].metadata
    if len(b.stories) == 1:
        _story_record(book, b.stories[0])
        if meta.source_url:
            book.add_metadata("DC", "source", meta.source_url)
        if meta.rating:
            book.add_metadata(None, "meta", meta.rating, {"property": "ficbook:rating"})
        if meta.series:
            # calibre reads these two; EPUB 3 readers read belongs-to-collection.
            book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": meta.series})
            if meta.series_index is not None:
                book.add_metadata(None, "meta", "", {"name": "calibre:series_index",
                                                     "content": f"{meta.series_index:g}"})
            book.add_metadata(None, "meta", meta.series,
                              {"property": "belongs-to-collection", "id": "series"})
            book.add_metadata(None, "meta", "series",
                              {"property": "collection-type", "refines": "#series"})
            if meta.series_index is not None:
                book.add_metadata(None, "meta", f"{meta.series_index:g}",
                                  {"property": "group-position", "refines": "#series"})
    if rendered.theme:  # how `ficbook update` rebuilds it
        book.add_metadata(None, "meta", rendered.theme, {"property": "ficbook:theme"})
        for option in rendered.theme_options:
            book.add_metadata(None, "meta", option, {"property": "ficbook:theme-option"})
    book.add_prefix("ficbook", "https://ficbook.invalid/vocab#")
    book.add_prefix("schema", "http://schema.org/")
    for prop, value in ACCESSIBILITY:
        book.add_metadata(None, "meta", value, {"property": prop})


def _story_record(book: epub.EpubBook, story: Story) -> None:
    """Every Metadata field as `ficbook:` metas, so ficbook can read its own book back exactly
    (ingest/epub.py); the title page stays the human-readable version of the same data."""
    for field in dataclasses.fields(story.metadata):
        name, value = field.name, getattr(story.metadata, field.name)
        if name in {"title", "rating", "extra", "labels"} or value in ("", (), None):
            continue
        for item in value if isinstance(value, tuple) else (value,):
            book.add_metadata(None, "meta", str(item),
                              {"property": f"ficbook:{name.replace('_', '-')}"})
    for n, (key, value) in enumerate(story.metadata.extra, start=1):
        book.add_metadata(None, "meta", value, {"property": "ficbook:extra",
                                                "id": f"ficbook-extra-{n:02d}"})
        book.add_metadata(None, "meta", key, {"property": "ficbook:extra-key",
                                              "refines": f"#ficbook-extra-{n:02d}"})
    for name, label in story.metadata.labels:
        book.add_metadata(None, "meta", f"{name}:{label}", {"property": "ficbook:label"})
    untitled = [str(n) for n, c in enumerate(story.chapters, start=1) if not c.title]
    if untitled:
        book.add_metadata(None, "meta", " ".join(untitled),
                          {"property": "ficbook:untitled-chapters"})
