"""Joining laid-out pieces into one PDF (pypdf): the front matter, then each run of parts with
its heads and numbers drawn over it, blank pages where a right-hand opening needs one; links
between pieces, the outline, the metadata and one program per font. Written straight to a file.
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

from ..model import RenderedBook
from .pagesize import PageSize
from .pdf_fonts import share_fonts
from .pdf_html import outline_levels, page_id
from .pdf_render import pdf_identifier

log = logging.getLogger(__name__)

# A link out of a piece: (page in the book, x1, y1, x2, y2 in PDF points, target anchor name).
Link = tuple[int, float, float, float, float, str]
Run = tuple[int, str, tuple[tuple[str, int], ...]]  # (first page, heads PDF, (part PDF, page))


def join(rendered: RenderedBook, size: PageSize, front: str | None, runs: Sequence[Run],
         total: int, start: dict[str, int], links: Sequence[Link], fonts: Path, target: Path,
         phase: Callable[[str], None]) -> None:
    writer = pypdf.PdfWriter()
    if front is not None:
        writer.append(pypdf.PdfReader(front))
    width, height = size.width * 72 / 25.4, size.height * 72 / 25.4
    count = len(writer.pages)
    for offset, heads, pieces in runs:
        for path, first in pieces:
            while count < offset + first:
                writer.add_blank_page(width, height)  # a right-hand opening (--print)
                count += 1
            reader = pypdf.PdfReader(path)
            count += len(reader.pages)
            writer.append(reader)
            del reader
        stamps = pypdf.PdfReader(heads)
        for i, overlay in enumerate(stamps.pages):
            _stamp(writer, writer.pages[offset + i], overlay, f"/FicbookFurniture{offset + i}")
        del stamps
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
        annots.append(writer._add_object(annot))
        added += 1
    return added


def _stamp(writer: pypdf.PdfWriter, page: pypdf.PageObject, overlay: pypdf.PageObject,
           name: str) -> None:
    """Draw the furniture page over a body page as a form XObject (no content parsing)."""
    data = overlay.get_contents()
    if data is None:
        return
    raw = data.get_data()
    if not raw.strip():
        return
    form = DecodedStreamObject()
    form.set_data(raw)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(overlay.mediabox)
    form[NameObject("/Resources")] = overlay["/Resources"].clone(writer)
    ref = writer._add_object(form)
    resources: Any = page["/Resources"].get_object()
    if "/XObject" not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources["/XObject"].get_object()[NameObject(name)] = ref
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(f"\nQ q {name} Do Q\n".encode())
    contents = page.raw_get("/Contents")  # the reference, not the stream (streams are indirect)
    resolved = contents.get_object()
    existing = list(resolved) if isinstance(resolved, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *existing,
                                                 writer._add_object(after)])


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
    writer._root_object[NameObject("/Lang")] = TextStringObject(book.language)
    ident = ByteStringObject(pdf_identifier(rendered))
    writer._ID = ArrayObject([ident, ByteStringObject(hashlib.md5(ident).hexdigest().encode())])


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
