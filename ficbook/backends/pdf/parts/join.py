"""Joining laid-out pieces into one PDF (pypdf): the front matter, then the parts, blank pages
where a right-hand opening needs one, and the heads and numbers stamps drawn over them (each
stamp one form XObject, shared by every page that shows it); links between pieces, the outline,
the metadata and one program per font. Written straight to a file.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pypdf
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from ....model import RenderedBook
from ..html import outline_levels, page_id
from ..one_pass import pdf_identifier
from ..pagesize import PageSize
from . import internals
from .fonts import share_fonts

log = logging.getLogger(__name__)

# A link out of a piece: (page in the book, x1, y1, x2, y2 in PDF points, target anchor name).
Link = tuple[int, float, float, float, float, str]
Piece = tuple[str, int]  # (part PDF, its first page in the book)
Stamp = tuple[str, int]  # (stamp PDF, page in it)


def join(rendered: RenderedBook, size: PageSize, front: str | None, pieces: Sequence[Piece],
         stamps: dict[int, list[Stamp]], total: int, start: dict[str, int],
         links: Sequence[Link], fonts: Path, target: Path, phase: Callable[[str], None]) -> None:
    writer = pypdf.PdfWriter()
    if front is not None:
        writer.append(pypdf.PdfReader(front))
    width, height = size.width * 72 / 25.4, size.height * 72 / 25.4
    count = len(writer.pages)
    for path, first in pieces:
        while count < first:
            writer.add_blank_page(width, height)  # a right-hand opening (--print)
            count += 1
        reader = pypdf.PdfReader(path)
        count += len(reader.pages)
        writer.append(reader)
        del reader
    phase("parts joined")
    _draw_stamps(writer, stamps)
    gc.collect()  # the readers' objects: cycles, and the biggest thing here but the writer
    if count != total or len(writer.pages) != total:
        raise RuntimeError(f"parts: joined {len(writer.pages)} pages, expected {total}")
    phase("joined")
    dropped = share_fonts(writer, fonts)
    phase(f"{dropped} per-part font subsets merged")
    added = add_links(writer, links, start)
    phase(f"{added} links between parts added")
    _outline(writer, rendered, start)
    _metadata(writer, rendered)
    with target.open("wb") as out:
        writer.write(out)
    phase("written")


def add_links(writer: pypdf.PdfWriter, links: Sequence[Link], start: dict[str, int]) -> int:
    """Links whose target was laid out in another piece (the contents page, an anthology's
    list of contributors): a link annotation like weasyprint's, to the named destination the
    target's piece brought along, or else to the top of the page where its section starts."""
    if not links:
        return 0
    names = set(writer.named_destinations)
    added = 0
    for page_index, x1, y1, x2, y2, target in links:
        dest: Any
        if target in names:
            dest = TextStringObject(target)
        elif target.split("--")[0] in start:
            page = writer.pages[start[target.split("--")[0]]]
            dest = ArrayObject([page.indirect_reference, NameObject("/Fit")])
        else:
            continue  # weasyprint drops a link to a missing anchor the same way
        annot = DictionaryObject({
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (x1, y1, x2, y2)]),
            NameObject("/BS"): DictionaryObject({NameObject("/W"): NumberObject(0)}),
            NameObject("/Dest"): dest,
        })
        page = writer.pages[page_index]
        if "/Annots" not in page:
            page[NameObject("/Annots")] = ArrayObject()
        annots: Any = page["/Annots"].get_object()
        annots.append(internals.add_object(writer, annot))
        added += 1
    return added


def _draw_stamps(writer: pypdf.PdfWriter, stamps: dict[int, list[Stamp]]) -> None:
    """Each stamp page becomes one form XObject, drawn over every page that shows it."""
    readers: dict[str, pypdf.PdfReader] = {}
    forms: dict[Stamp, Any] = {}  # -> (name, reference), or None for an empty stamp
    begin = internals.add_object(writer, _stream(b"q\n"))  # one each, shared by every page
    for page_index in sorted(stamps):
        drawn = []
        for stamp in stamps[page_index]:
            if stamp not in forms:
                path, index = stamp
                if path not in readers:
                    readers[path] = pypdf.PdfReader(path)
                forms[stamp] = _form(writer, readers[path].pages[index], len(forms))
            if forms[stamp] is not None:
                drawn.append(forms[stamp])
        if drawn:
            _stamp(writer, writer.pages[page_index], drawn, begin)


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _form(writer: pypdf.PdfWriter, overlay: pypdf.PageObject, number: int) -> Any:
    """A stamp page as a form XObject (its content is not parsed), or None if it is empty."""
    data = overlay.get_contents()
    raw = data.get_data() if data is not None else b""
    if not raw.strip():
        return None
    form = _stream(raw)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(overlay.mediabox)
    form[NameObject("/Resources")] = overlay["/Resources"].clone(writer)
    return NameObject(f"/FicbookStamp{number}"), internals.add_object(writer, form)


def _stamp(writer: pypdf.PdfWriter, page: pypdf.PageObject, forms: list[Any],
           begin: Any) -> None:
    """Draw the forms over a body page, after its own content (saved and restored around)."""
    resources: Any = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    xobjects = resources["/XObject"].get_object()
    for name, ref in forms:
        xobjects[name] = ref
    after = _stream(("\nQ " + " ".join(f"q {name} Do Q" for name, _ in forms) + "\n").encode())
    contents = page.raw_get("/Contents")  # the reference, not the stream (streams are indirect)
    resolved = contents.get_object()
    existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([begin, *existing,
                                                 internals.add_object(writer, after)])


def _outline(writer: pypdf.PdfWriter, rendered: RenderedBook, start: dict[str, int]) -> None:
    parents: dict[int, Any] = {}
    for filename, level, label in outline_levels(rendered):
        pid = page_id(filename)
        if pid not in start:
            continue
        parent = parents.get(level - 1) if level > 1 else None
        parents[level] = writer.add_outline_item(title=label, page_number=start[pid], parent=parent)


def _metadata(writer: pypdf.PdfWriter, rendered: RenderedBook) -> None:
    book = rendered.book
    date = "D:" + rendered.modified.replace("-", "").replace(":", "").replace("T", "")[:14] + "Z"
    info = {"/Title": book.title, "/Creator": "ficbook", "/Producer": "ficbook (WeasyPrint, pypdf)",
            "/CreationDate": date, "/ModDate": date}
    if book.authors or book.editors:
        info["/Author"] = ", ".join(book.authors or book.editors)
    fandoms = list(dict.fromkeys(f for s in book.stories for f in s.metadata.fandoms))
    tags = list(dict.fromkeys(t for s in book.stories
                              for t in (*s.metadata.tags, *s.metadata.relationships)))
    if fandoms:
        info["/Subject"] = ", ".join(fandoms)
    if tags:
        info["/Keywords"] = ", ".join(tags)
    writer.add_metadata(info)
    internals.root_object(writer)[NameObject("/Lang")] = TextStringObject(book.language)
    ident = ByteStringObject(pdf_identifier(rendered))
    internals.set_file_id(writer, ArrayObject([ident, ByteStringObject(
        hashlib.md5(ident).hexdigest().encode())]))


def timer(started: float) -> Callable[[str], None]:
    """Timings for -v -v: wall and CPU seconds so far, this process's peak memory."""
    def phase(name: str) -> None:
        if log.isEnabledFor(logging.DEBUG):
            import resource

            usage = resource.getrusage(resource.RUSAGE_SELF)
            log.debug("PDF parts: %s after %.1f s, %.1f CPU s here (so far), peak %d MB", name,
                      time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
                      usage.ru_maxrss // 1024)
    return phase
