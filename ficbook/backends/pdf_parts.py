"""Long books: lay out independent parts in parallel processes, then join them (pypdf).

weasyprint's layout cost grows faster than the document, so parts pay more than the core count.
What makes parts independent: every part starts on a new page (with --print, on a right-hand
page), and nothing in the body depends on page numbers. So:

1. the body (after the contents page) is cut into parts of about PART_WORDS words at section
   boundaries and each part is laid out alone, with no running heads or page numbers, in a pool
   of processes (in book order, a few at a time); each writes its PDF to a temporary file and
   reports how many pages each of its sections took;
2. meanwhile the front matter (cover, title, contents) is laid out here to learn its length;
3. as soon as every part before a run of parts is done, the run's first page number and side are
   known: a "furniture" document, its sections with their text replaced by that many empty pages,
   numbered from there (`@page :first { counter-reset: page N }`, `html { break-before: left }`),
   is laid out in the pool with the theme's own print.css, so weasyprint itself puts the running
   heads, page numbers and blank pages where a single pass would; the same job joins the run's
   parts and stamps each page with its furniture page. This runs ahead of the parts still
   waiting, so after the last layout only the last run's stamping is left;
4. the front matter is laid out again with the real page numbers, the runs are joined, the
   outline (book -> story -> chapter) and the metadata added.
Memory stays bounded by the largest part, not the book. Imports weasyprint.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

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
from .pdf_fonts import record_originals, share_fonts, stop_recording
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
FURNISH_PAGES = 120  # heads and numbers of this many pages at a time: ~0.25 s per weasyprint run
MIN_WORDS = 40_000  # below this one pass is as fast (tests lower it to exercise this path)
# Sections a part may start with: with --print they open on a right-hand page.
PRINT_OPENERS = ("book-title", "story-title", "contents", "chapter", "section")
_STARTED = [0.0]
NO_FURNITURE = "".join(f"@{box} {{ content: none !important; }} " for box in MARGIN_BOXES)


@dataclass(frozen=True)
class Job:
    """One part to lay out (picklable: sent to a worker process)."""

    index: int
    html: str
    pids: tuple[str, ...]
    assets: dict[str, tuple[bytes, str]]
    roots: tuple[str, ...]
    path: str  # where the worker writes the part's PDF


@dataclass(frozen=True)
class Laid:
    index: int
    path: str
    pages: int
    starts: dict[str, int]  # section id -> page index in the part
    sizes: dict[str, int]  # section id -> pages it takes, blank pages before the next excluded


@dataclass(frozen=True)
class Furnish:
    """Running heads and numbers for one laid-out part, once its first page number is known."""

    index: int  # of the run's first part
    html: str  # the parts' sections emptied to N sheets each, first page number and side set
    pages: int
    assets: dict[str, tuple[bytes, str]]
    roots: tuple[str, ...]
    pieces: tuple[tuple[str, int], ...]  # each part's PDF and its first page in the run
    path: str


def plan_parts(body: Sequence[Section], print_layout: bool,
               part_words: int | None = None) -> list[list[Section]]:
    part_words = PART_WORDS if part_words is None else part_words  # read now: tests change it
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
    _STARTED[0] = time.perf_counter()
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
    roots = tuple(str(r) for r in fetcher.roots)
    with tempfile.TemporaryDirectory(prefix="ficbook-pdf-") as tmp:
        todo = [Job(i, document(rendered, part, css_urls, part_css, print_layout),
                    tuple(s.pid for s in part), fetcher.assets, roots,
                    os.path.join(tmp, f"part-{i}.pdf")) for i, part in enumerate(parts)]

        def furnish(run: list[Laid], offsets: list[int]) -> Furnish:
            """Heads and numbers of a run of parts: their sections emptied to as many pages as
            each took, numbered from the run's first page on, on the same side of the spread."""
            first, last = run[0].index, run[-1].index
            offset = offsets[first]
            side = "right" if offset % 2 == 0 else "left"
            css = (f"html {{ break-before: {side}; }}\n"
                   f"@page :first {{ counter-reset: page {offset + 1}; }}\n")
            sizes: dict[str, int] = {}
            for result in run:
                sizes.update(result.sizes)
            secs = [sec for result in run for sec in parts[result.index]]
            html = _shells(rendered, secs, sizes, css_urls, setup + css, print_layout)
            pieces = tuple((r.path, offsets[r.index] - offset) for r in run)
            return Furnish(first, html, offsets[last] + run[-1].pages - offset, fetcher.assets,
                           roots, pieces, os.path.join(tmp, f"heads-{first}.pdf"))

        _phase("parts planned")
        front_doc, offsets, start, done, total = _run(
            todo, jobs, progress, sum(s.words for s in body),
            lambda: _front(rendered, front, css_urls, setup, print_layout, fetcher),
            print_layout, furnish)
        if front:  # again, with the real page numbers
            front_doc = None  # (two laid-out fronts at once: 100 MB for 300 stories)
            front_doc = _layout(rendered, front, css_urls, setup, print_layout, fetcher, start)
            for i, page in enumerate(front_doc.pages):
                for pid in page.anchors:
                    start.setdefault(pid, i)
        runs = [(offsets[first], heads, pieces) for first, (heads, _, pieces)
                in sorted(done.items())]
        _phase("parts laid out and stamped, front matter numbered")
        record_originals(Path(tmp))  # the front matter's fonts, laid out here
        try:
            return _join(rendered, size, front_doc, runs, total, start, Path(tmp))
        finally:
            stop_recording()


def _front(rendered: RenderedBook, front: Sequence[Section], css_urls: list[str], setup: str,
           print_layout: bool, fetcher: object) -> Any:
    """The front matter laid out once to learn its length (its contents not yet numbered)."""
    if not front:
        return None
    return _layout(rendered, front, css_urls, setup, print_layout, fetcher, {})


def _run(todo: list[Job], jobs: int | None, progress: bool | None, words: int,
         front: Callable[[], object], print_layout: bool,
         furnish: Callable[[list[Laid], list[int]], Furnish]
         ) -> tuple[Any, list[int], dict[str, int],
                    dict[int, tuple[str, int, tuple[tuple[str, int], ...]]], int]:
    """Parts laid out in a pool; as soon as the parts before a run of parts are done, its first
    page number is known and its heads and numbers are laid out and stamped in the pool too,
    ahead of the parts still waiting (pipelined: the last part's stamping is all that is left
    after the last layout)."""
    jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), len(todo) or 1))
    show = sys.stderr.isatty() if progress is None else progress
    laid: dict[int, Laid] = {}
    stamped: dict[int, tuple[str, int, tuple[tuple[str, int], ...]]] = {}  # run's first part ->
    # (its heads' PDF, its pages, each part's PDF and first page in the run)
    offsets: list[int] = []
    start: dict[str, int] = {}
    waiting = deque(todo)  # in book order: the first parts finish first
    count = len(todo)
    todo.clear()  # a part's HTML is let go once it is sent (the whole book's, for anthologies)
    batch: list[Laid] = []
    with _progress(show, count, words) as advance:
        pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        try:
            submit = pool.submit if pool else _inline
            running: set[Future[object]] = set()
            while waiting and len(running) < jobs:
                running.add(submit(lay_out_part, waiting.popleft()))
            front_doc: Any = front()  # meanwhile, here
            total = len(front_doc.pages) if front_doc is not None else 0
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    result = future.result()
                    if isinstance(result, Laid):
                        laid[result.index] = result
                        advance()
                    else:
                        stamped[result[0]] = result[1:]  # type: ignore[index]
                while len(offsets) in laid:
                    result = laid[len(offsets)]
                    if print_layout and total % 2 == 1:
                        total += 1  # the part opens on a right-hand page: a blank page before it
                    offsets.append(total)
                    for pid, page in result.starts.items():
                        start[pid] = total + page
                    total += result.pages
                    batch.append(result)
                if batch and (len(offsets) == count or
                              total - offsets[batch[0].index] >= FURNISH_PAGES):
                    running.add(submit(furnish_part, furnish(batch, offsets)))
                    batch = []
                while waiting and len(running) < jobs:
                    running.add(submit(lay_out_part, waiting.popleft()))
        finally:
            if pool:
                pool.shutdown(cancel_futures=True)
    return front_doc, offsets, start, stamped, total


def _inline(fn: Callable[..., object], *args: object) -> Future[object]:
    future: Future[object] = Future()
    future.set_result(fn(*args))
    return future


class _progress:
    """A rich progress bar on stderr for long renders (only on a terminal)."""

    def __init__(self, show: bool, total: int, words: int) -> None:
        self.show, self.total, self.words = show, total, words

    def __enter__(self) -> Callable[[], None]:
        if not self.show:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.bar = Progress("PDF: laying out", BarColumn(), MofNCompleteColumn(), "steps",
                            TimeElapsedColumn(), transient=True)
        self.bar.start()
        task = self.bar.add_task(f"{self.words:,} words", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.show:
            self.bar.stop()


def lay_out_part(job: Job) -> Laid:
    """In a worker process: one part, no heads or numbers, written as a PDF; section sizes."""
    from .pdf_fetch import SafeFetcher

    quiet_weasyprint()
    record_originals(Path(job.path).parent)
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
    # Links into other parts (an anthology's pages pointing at other stories) are reported as
    # missing anchors, once per part: not news to the user.
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    doc.write_pdf(job.path)
    return Laid(job.index, job.path, len(doc.pages), starts, sizes)


def furnish_part(job: Furnish) -> tuple[int, str, int, tuple[tuple[str, int], ...]]:
    """In a worker process: lay out a run of parts' heads and numbers (weasyprint places them,
    the theme's print.css decides) as a PDF of their own, drawn over the parts when joining."""
    from .pdf_fetch import SafeFetcher

    quiet_weasyprint()
    record_originals(Path(job.path).parent)
    fetcher = SafeFetcher(job.assets, [Path(r) for r in job.roots])
    furniture = HTML(string=job.html, base_url=BOOK_URL + "text/book.html",
                     url_fetcher=fetcher).render()
    if len(furniture.pages) != job.pages:
        raise RuntimeError(f"parts: furniture of parts from {job.index} has "
                           f"{len(furniture.pages)} pages, the parts {job.pages}")
    furniture.write_pdf(job.path)
    return job.index, job.path, job.pages, job.pieces


def _layout(rendered: RenderedBook, secs: Sequence[Section], css_urls: list[str], setup: str,
            print_layout: bool, fetcher: object, numbers: dict[str, int]) -> Any:
    """The front matter, its contents page numbered from where the sections landed."""
    rules = ["* { bookmark-level: none !important; }"]
    for pid, index in numbers.items():
        rules.append(f'nav.contents a[href="#{pid}"]::after {{ content: leader(". ") '
                     f'"{index + 1}"; }}')
    html = document(rendered, secs, css_urls, setup + "\n".join(rules) + "\n", print_layout)
    # Its links point into the other parts: weasyprint reports each as a missing anchor.
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    return HTML(string=html, base_url=BOOK_URL + "text/book.html", url_fetcher=fetcher).render()


def _shells(rendered: RenderedBook, secs: Sequence[Section], sizes: dict[str, int],
            css_urls: list[str], css: str, print_layout: bool) -> str:
    """Sections emptied to N blank pages each: laid out, only heads, numbers and blanks show."""
    shells = []
    for sec in secs:
        head, _, _rest = sec.html.partition(">")
        sheets = '<div class="ficbook-sheet"></div>' * sizes.get(sec.pid, 1)
        shells.append(Section(sec.page, sec.pid, f"{head}>{sheets}</section>", 0))
    css += ("* { bookmark-level: none !important; }\n"
            ".ficbook-sheet { height: 1px; break-before: page; }\n"
            ".ficbook-sheet:first-child { break-before: auto; }\n")
    return document(rendered, shells, css_urls, css, print_layout)


def _join(rendered: RenderedBook, size: PageSize, front_doc,  # type: ignore[no-untyped-def]
          runs: list[tuple[int, str, tuple[tuple[str, int], ...]]], total: int,
          start: dict[str, int], fonts: Path) -> bytes:
    writer = pypdf.PdfWriter()
    if front_doc is not None:
        writer.append(pypdf.PdfReader(BytesIO(front_doc.write_pdf())))
    width, height = size.width * 72 / 25.4, size.height * 72 / 25.4
    for offset, heads, pieces in runs:
        while len(writer.pages) < offset:
            writer.add_blank_page(width, height)
        for path, first in pieces:
            while len(writer.pages) < offset + first:
                writer.add_blank_page(width, height)  # a right-hand opening (--print)
            writer.append(pypdf.PdfReader(path))
        stamps = pypdf.PdfReader(heads)
        for i, overlay in enumerate(stamps.pages):
            _stamp(writer, writer.pages[offset + i], overlay, f"/FicbookFurniture{offset + i}")
    if len(writer.pages) != total:
        raise RuntimeError(f"parts: joined {len(writer.pages)} pages, expected {total}")
    _phase("joined")
    dropped = share_fonts(writer, fonts)
    _phase(f"{dropped} per-part font subsets merged")
    _outline(writer, rendered, start)
    _metadata(writer, rendered)
    out = BytesIO()
    writer.write(out)
    _phase("written")
    return out.getvalue()


def _phase(name: str) -> None:
    """Timings for -v -v: wall and CPU seconds so far, this process's peak memory."""
    if log.isEnabledFor(logging.DEBUG):
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        log.debug("PDF parts: %s after %.1f s, %.1f CPU s here (so far), peak %d MB", name,
                  time.perf_counter() - _STARTED[0], usage.ru_utime + usage.ru_stime,
                  usage.ru_maxrss // 1024)


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
