"""Long books: lay out independent parts in parallel processes, then join them (pypdf).

weasyprint's layout cost grows faster than the document, so parts pay more than the core count.
What makes parts independent: every part starts on a new page (with --print, on a right-hand
page), and nothing in the body depends on page numbers. So:

1. the body (after the contents page) is cut into parts of about PART_WORDS words at section
   boundaries and each part is laid out alone, with no running heads or page numbers, in a pool
   of processes; each reports its PDF and how many pages each of its sections took;
2. the front matter (cover, title, contents) is laid out with the now-known page numbers;
3. a "furniture" document, the book's sections with their text replaced by that many empty
   pages, is laid out with the theme's own print.css: weasyprint itself puts the running heads,
   page numbers and blank pages exactly where a single pass would (it is all empty pages: fast);
4. the parts are joined, each body page stamped with its furniture page, the outline (book ->
   story -> chapter) and the metadata added.
Memory stays bounded by the largest part, not the book. Imports weasyprint.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from io import BytesIO

import pypdf
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)
from weasyprint import HTML

from ..model import RenderedBook
from ..theme import Theme
from .pagesize import PageSize
from .pdf_html import (
    BOOK_URL,
    MARGIN_BOXES,
    Section,
    document,
    outline_levels,
    page_id,
    sections,
    stylesheet_urls,
)
from .pdf_render import fetcher_for, pdf_identifier, quiet_weasyprint

log = logging.getLogger(__name__)

PART_WORDS = 8_000  # words per part: small parts lay out faster per word, each costs ~0.2 s
MIN_WORDS = 40_000  # below this one pass is as fast (tests lower it to exercise this path)
# Sections a part may start with: with --print they open on a right-hand page.
PRINT_OPENERS = ("book-title", "story-title", "contents", "chapter", "section")
NO_FURNITURE = "".join(f"@{box} {{ content: none !important; }} " for box in MARGIN_BOXES)


@dataclass(frozen=True)
class Job:
    """One part to lay out (picklable: sent to a worker process)."""

    index: int
    html: str
    pids: tuple[str, ...]
    assets: dict[str, tuple[bytes, str]]
    roots: tuple[str, ...]


@dataclass(frozen=True)
class Laid:
    index: int
    pdf: bytes
    pages: int
    starts: dict[str, int]  # section id -> page index in the part
    sizes: dict[str, int]  # section id -> pages it takes, blank pages before the next excluded


def plan_parts(body: Sequence[Section], print_layout: bool,
               part_words: int = PART_WORDS) -> list[list[Section]]:
    parts: list[list[Section]] = [[]]
    words = 0
    for sec in body:
        can_start = sec.page.kind in PRINT_OPENERS if print_layout else sec.page.kind != "colophon"
        if parts[-1] and can_start and words >= part_words:
            parts.append([])
            words = 0
        parts[-1].append(sec)
        words += sec.words
    return [p for p in parts if p]


def pdf_bytes_parts(rendered: RenderedBook, theme: Theme, size: PageSize, print_layout: bool,
                    jobs: int | None = None, progress: bool | None = None) -> bytes:
    quiet_weasyprint()
    secs = sections(rendered, ("cover",) if print_layout else ())
    contents = max((i for i, s in enumerate(secs) if s.page.kind == "contents"), default=-1)
    front, body = secs[:contents + 1], secs[contents + 1:]
    if print_layout and body and body[0].page.kind not in PRINT_OPENERS:
        front, body = secs, []
    parts = plan_parts(body, print_layout)
    fetcher = fetcher_for(rendered, theme)
    css_urls = stylesheet_urls(rendered, theme.find("css/print.css"))
    setup = size.css(print_layout)
    part_css = setup + "* { bookmark-level: none !important; }\n" + (
        f"@page {{ {NO_FURNITURE} }}\n@page :left {{ {NO_FURNITURE} }}\n"
        f"@page :right {{ {NO_FURNITURE} }}\n")
    todo = [Job(i, document(rendered, part, css_urls, part_css, print_layout),
                tuple(s.pid for s in part), fetcher.assets,
                tuple(str(r) for r in fetcher.roots)) for i, part in enumerate(parts)]
    laid = _run(todo, jobs, progress, sum(s.words for s in body))

    # Where every section lands in the joined book (front first; blanks added for --print).
    sizes: dict[str, int] = {}
    for result in laid:
        sizes.update(result.sizes)
    front_doc = None
    start: dict[str, int] = {}
    if front:
        # Lay the front out once to learn its length, then again with the real page numbers.
        front_doc = _layout(rendered, front, css_urls, setup, print_layout, fetcher, {})
    total = len(front_doc.pages) if front_doc else 0
    offsets = []
    for result in laid:
        if print_layout and total % 2 == 1:
            total += 1  # the part opens on a right-hand page: a blank page before it
        offsets.append(total)
        for pid, page in result.starts.items():
            start[pid] = total + page
        total += result.pages
    if front:
        front_doc = _layout(rendered, front, css_urls, setup, print_layout, fetcher, start)
        for i, page in enumerate(front_doc.pages):
            for pid in page.anchors:
                start.setdefault(pid, i)
    furniture = _furniture(rendered, secs, sizes, front_doc, css_urls, setup, print_layout,
                           fetcher)
    if len(furniture.pages) != total:
        raise RuntimeError(f"parts: furniture has {len(furniture.pages)} pages, book {total}")
    return _join(rendered, size, front_doc, laid, offsets, total, furniture, start)


def _run(todo: list[Job], jobs: int | None, progress: bool | None, words: int) -> list[Laid]:
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), len(todo)))
    show = sys.stderr.isatty() if progress is None else progress
    results: dict[int, Laid] = {}
    with _progress(show, len(todo), words) as advance:
        if jobs == 1:
            for job in todo:
                results[job.index] = lay_out_part(job)
                advance()
        else:
            # Largest first keeps both cores busy to the end.
            order = sorted(todo, key=lambda j: -len(j.html))
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(lay_out_part, job) for job in order]
                for future in as_completed(futures):
                    result = future.result()
                    results[result.index] = result
                    advance()
    return [results[i] for i in range(len(todo))]


class _progress:
    """A rich progress bar on stderr for long renders (only on a terminal)."""

    def __init__(self, show: bool, total: int, words: int) -> None:
        self.show, self.total, self.words = show, total, words

    def __enter__(self) -> Callable[[], None]:
        if not self.show:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.bar = Progress("PDF: laying out", BarColumn(), MofNCompleteColumn(), "parts",
                            TimeElapsedColumn(), transient=True)
        self.bar.start()
        task = self.bar.add_task(f"{self.words:,} words", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self.bar.stop()


def lay_out_part(job: Job) -> Laid:
    """In a worker process: one part, no heads or numbers, as PDF bytes and section sizes."""
    from pathlib import Path

    from .pdf_fetch import SafeFetcher

    quiet_weasyprint()
    fetcher = SafeFetcher(job.assets, [Path(r) for r in job.roots])
    doc = HTML(string=job.html, base_url=BOOK_URL + "text/book.html",
               url_fetcher=fetcher).render()
    starts: dict[str, int] = {}
    wanted = set(job.pids)
    for i, page in enumerate(doc.pages):
        for name in page.anchors:
            if name in wanted:
                starts.setdefault(name, i)
    order = [pid for pid in job.pids if pid in starts]
    sizes = {}
    for n, pid in enumerate(order):
        end = starts[order[n + 1]] if n + 1 < len(order) else len(doc.pages)
        while end - 1 > starts[pid] and doc.pages[end - 1]._page_box.page_type.blank:
            end -= 1  # a blank page before the next opening: the furniture adds it again
        sizes[pid] = end - starts[pid]
    data = doc.write_pdf()
    return Laid(job.index, data, len(doc.pages), starts, sizes)


def _layout(rendered: RenderedBook, secs: Sequence[Section], css_urls: list[str], setup: str,
            print_layout: bool, fetcher: object, numbers: dict[str, int]):  # type: ignore[no-untyped-def]
    """The front matter, its contents page numbered from where the sections landed."""
    rules = ["* { bookmark-level: none !important; }"]
    for pid, index in numbers.items():
        rules.append(f'nav.contents a[href="#{pid}"]::after {{ content: leader(". ") '
                     f'"{index + 1}"; }}')
    html = document(rendered, secs, css_urls, setup + "\n".join(rules) + "\n", print_layout)
    # Its links point into the other parts: weasyprint reports each as a missing anchor.
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    return HTML(string=html, base_url=BOOK_URL + "text/book.html", url_fetcher=fetcher).render()


def _furniture(rendered: RenderedBook, secs: Sequence[Section], sizes: dict[str, int],
               front_doc, css_urls: list[str], setup: str, print_layout: bool,  # type: ignore[no-untyped-def]
               fetcher: object):
    """The book's sections emptied to N blank pages each: heads, numbers and blanks only."""
    if front_doc is not None:
        starts = {}
        for i, page in enumerate(front_doc.pages):
            for pid in page.anchors:
                starts.setdefault(pid, i)
        front_ids = [s.pid for s in secs if s.pid in starts]
        for n, pid in enumerate(front_ids):
            end = starts[front_ids[n + 1]] if n + 1 < len(front_ids) else len(front_doc.pages)
            while end - 1 > starts[pid] and front_doc.pages[end - 1]._page_box.page_type.blank:
                end -= 1
            sizes.setdefault(pid, end - starts[pid])
    shells = []
    for sec in secs:
        head, _, _rest = sec.html.partition(">")
        sheets = '<div class="ficbook-sheet"></div>' * sizes.get(sec.pid, 1)
        shells.append(Section(sec.page, sec.pid, f"{head}>{sheets}</section>", 0))
    css = setup + ("* { bookmark-level: none !important; }\n"
                   ".ficbook-sheet { height: 1px; break-before: page; }\n"
                   ".ficbook-sheet:first-child { break-before: auto; }\n")
    html = document(rendered, shells, css_urls, css, print_layout)
    return HTML(string=html, base_url=BOOK_URL + "text/book.html", url_fetcher=fetcher).render()


def _join(rendered: RenderedBook, size: PageSize, front_doc, laid: list[Laid],  # type: ignore[no-untyped-def]
          offsets: list[int], total: int, furniture, start: dict[str, int]) -> bytes:
    writer = pypdf.PdfWriter()
    if front_doc is not None:
        writer.append(pypdf.PdfReader(BytesIO(front_doc.write_pdf())))
    width, height = size.width * 72 / 25.4, size.height * 72 / 25.4
    for result, offset in zip(laid, offsets, strict=True):
        while len(writer.pages) < offset:
            writer.add_blank_page(width, height)
        writer.append(pypdf.PdfReader(BytesIO(result.pdf)))
    stamps = pypdf.PdfReader(BytesIO(furniture.write_pdf()))
    first_body = offsets[0] if offsets else total
    for i in range(first_body, total):
        _stamp(writer, writer.pages[i], stamps.pages[i], f"/FicbookFurniture{i}")
    _outline(writer, rendered, start)
    _metadata(writer, rendered)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


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
    resources = page["/Resources"].get_object()
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
    parents: dict[int, object] = {}
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
