"""EPUB 3: the book's pages and files, ebooklib's package documents, one reproducible zip."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ...cache import key, library_stamp
from ...cache.book import BookCache
from ...cache.pages import Deflated, EpubCache
from ...files import atomic_write
from ...model import RenderedBook
from ...options import BuildOptions
from ...xhtml.language import direction
from .archive import Reused, members, pack

FOLDER = "EPUB"  # ebooklib's EpubBook.FOLDER_NAME, where the OPF and the pages go


def write_epub(rendered: RenderedBook, target: Path, options: BuildOptions,
               cache: BookCache) -> Path:
    # An anthology rebuilt after one edit deflates only the pages that changed (and when it
    # is built to EPUB alone, render() took unchanged stories' pages from this same store).
    data = epub_bytes(rendered, cache.epub(target))
    atomic_write(target, data)
    return target


def epub_bytes(rendered: RenderedBook, store: EpubCache | None = None) -> bytes:
    # ebooklib writes the package documents (OPF, NCX, nav, container) around empty items;
    # the pages' own bytes go straight into the one zip archive.py writes.
    contents = _contents(rendered, store.lent() if store else {})
    key = _package_key(rendered) if store else ""
    package = store.package(key) if store else None
    if package is None:  # ebooklib (and lxml) take ~60 ms for a thousand pages: only if needed
        from .package import package_documents

        package = package_documents(rendered, contents)
    files = [*contents.items(), *package.items()]
    deflated: Deflated = {}
    digests: dict[str, tuple[bytes, int]] = {}
    data = pack(members(files, store.deflated() if store else None, deflated, digests))
    if store:
        store.save(deflated, (key, package),
                  {name.removeprefix(f"{FOLDER}/"): found for name, found in digests.items()})
    return data


def _contents(rendered: RenderedBook,
              lent: Mapping[str, tuple[bytes, int]]) -> dict[str, bytes | Reused]:
    """The book's own files (pages, stylesheets, fonts, pictures, cover) by zip path; a page
    `lent` from the last build is its bytes' digest and size."""
    assert rendered.cover is not None
    files: list[tuple[str, bytes | Reused]] = [(rendered.cover.filename, rendered.cover.data)]
    files += [(a.filename, a.data) for a in rendered.assets]
    files += [(p.filename, Reused(*lent[p.filename]) if p.filename in lent
               else p.xhtml.encode()) for p in rendered.pages]
    return {f"{FOLDER}/{name}": data for name, data in files}


def _package_key(rendered: RenderedBook) -> str:
    """Everything _package() and ebooklib's writer read: book and story metadata (not the
    chapters' text), chapter titles, pages, contents, files' names and the date."""
    b = rendered.book
    first = b.stories[0]
    return key(ebooklib=library_stamp("ebooklib", "epub.py"), book=(
        b.identifier, b.title, b.subtitle, b.description, b.language, b.editors, b.authors,
        direction(b.language, first.chapters[0].body if first.chapters else ""),
        [(s.metadata, [c.title for c in s.chapters]) for s in b.stories]),
        pages=[(p.filename, p.title, p.kind, p.landmark) for p in rendered.pages],
        toc=rendered.toc, files=[(a.filename, a.media_type) for a in rendered.assets],
        cover=rendered.cover and rendered.cover.filename, modified=rendered.modified,
        theme=(rendered.theme, rendered.theme_options))
