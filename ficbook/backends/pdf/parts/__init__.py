"""Long books: lay out independent parts in parallel processes, then join them (pypdf).

weasyprint's layout cost grows faster than the document, so parts pay more than the core count.
What makes parts independent: every part starts on a new page (with --print, on a right-hand
page), and nothing in the body depends on page numbers. So:

1. the body (after the contents page) is cut into parts of about PART_WORDS words at section
   boundaries and each part is laid out alone, with no running heads or page numbers, in a pool
   of processes (in book order, a few at a time); each writes its PDF to a temporary file and
   reports how many pages each of its sections took and its links into other parts;
2. the front matter (cover, title, contents) is laid out in the pool too, first to learn its
   length, and once every part is laid out again with the real page numbers;
3. as soon as every part before a part is done, its first page number and side are known, and
   so is each of its pages' look (page type and named strings, as its own layout found them):
   running heads are laid out once per distinct look and page numbers in blocks of numbers,
   as stamps (pdf_stamps, pdf_furniture), in the pool too, ahead of the parts still waiting;
4. pdf_join joins the pieces, draws the stamps over their pages, adds the links between pieces
   (the contents page's entries), the outline and the metadata, and writes the file.
Every piece is kept in pdf_cache, keyed by its document: a rebuild lays out only the parts that
changed, the contents page when page numbers moved, and the stamps no build laid out before.
Memory stays bounded by the largest part, not the book. Imports weasyprint.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weasyprint import HTML

from ....cache.pdf import PieceCache, environment
from ....model import RenderedBook
from ....theme import Theme
from ..html import (
    BOOK_URL,
    MARGIN_BOXES,
    PageSection,
    document,
    sections,
    stylesheet_urls,
)
from ..one_pass import fetcher_for, quiet_weasyprint
from ..pagesize import PageSize
from .fonts import record_originals, stop_recording, used_fonts
from .furniture import Furniture, StampJob
from .join import Link, join, timer
from .stamps import lay_out_stamps, page_selectors, part_looks, recording

log = logging.getLogger(__name__)

PART_WORDS = 8_000  # words per part: small parts lay out faster per word, each costs ~0.2 s
MIN_WORDS = 40_000  # below this one pass is as fast (tests lower it to exercise this path)
JOBS: int | None = None  # processes laying out; None: one per core (tests set 1: no pool)
# Sections a part may start with: with --print they open on a right-hand page.
PRINT_OPENERS = ("book-title", "story-title", "contents", "chapter", "section")
NO_FURNITURE = "".join(f"@{box} {{ content: none !important; }} " for box in MARGIN_BOXES)
PT_PER_PX = 0.75


@dataclass(frozen=True)
class Job:
    """One document to lay out in a worker process (picklable): a part of the body ("part"),
    or the front matter, to learn its length ("front-length") or numbered ("front")."""

    index: int  # the part's; -1 for the front matter
    kind: str
    html: str
    pids: tuple[str, ...]
    assets: dict[str, tuple[bytes, str]]
    roots: tuple[str, ...]
    path: str  # where the worker writes the PDF
    write: bool = True


@dataclass(frozen=True)
class Laid:
    """A laid-out document (by a worker, or from the cache)."""

    index: int
    kind: str
    path: str
    pages: int
    starts: dict[str, int]  # section id -> page index in the document
    sizes: dict[str, int]  # section id -> pages it takes, blank pages before the next excluded
    links: tuple[Link, ...]  # links to anchors it does not hold, page index in the document
    fonts: tuple[str, ...]  # the fonts it embeds (their originals are in the temp folder)
    written: bool = True
    looks: tuple[Any, ...] = ()  # a part's pages: [page type, {string: values set on it}]
    selectors: tuple[Any, ...] = ()  # a part's @page selectors (what tells looks apart)
    info: tuple[Any, ...] = ()  # a stamp document's pages: drawn?, number look


def plan_parts(body: Sequence[PageSection], print_layout: bool,
               part_words: int | None = None) -> list[list[PageSection]]:
    part_words = PART_WORDS if part_words is None else part_words  # read now: tests change it
    parts: list[list[PageSection]] = [[]]
    words = 0
    for sec in body:
        can_start = sec.page.kind in PRINT_OPENERS if print_layout else sec.page.kind != "colophon"
        if parts[-1] and can_start and words >= part_words:
            parts.append([])
            words = 0
        parts[-1].append(sec)
        words += sec.words
    return [p for p in parts if p]


def write_parts(rendered: RenderedBook, theme: Theme, size: PageSize, print_layout: bool,
                target: Path, cache: bool = True, jobs: int | None = None,
                progress: bool | None = None) -> None:
    """Lay the book out in parts (laid-out pieces from the cache when `cache`) and write the
    joined PDF to `target`."""
    phase = timer(time.perf_counter())
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
    store = PieceCache(environment(fetcher.assets, theme.chain), fetcher.roots) if cache else None
    with tempfile.TemporaryDirectory(prefix="ficbook-pdf-") as tmp:
        todo = [Job(i, "part", document(rendered, part, css_urls, part_css, print_layout),
                    tuple(s.pid for s in part), fetcher.assets, roots,
                    os.path.join(tmp, f"part-{i}.pdf")) for i, part in enumerate(parts)]
        front_pids = tuple(s.pid for s in front)

        def front_job(numbers: dict[str, int] | None) -> Job:
            """The front matter, its contents page numbered from where the sections landed
            (None: not yet known, only its length is wanted)."""
            rules = ["* { bookmark-level: none !important; }"]
            for pid, index in (numbers or {}).items():
                rules.append(f'nav.contents a[href="#{pid}"]::after {{ content: leader(". ") '
                             f'"{index + 1}"; }}')
            html = document(rendered, front, css_urls, setup + "\n".join(rules) + "\n",
                            print_layout)
            kind = "front" if numbers is not None else "front-length"
            return Job(-1, kind, html, front_pids, fetcher.assets, roots,
                       os.path.join(tmp, f"{kind}.pdf"), write=numbers is not None)

        def stamp_html(sheets: int) -> str:
            """A stamp document: empty sheets, one a page, with the book's style sheets."""
            section = PageSection(secs[0].page, "ficbook-stamps",
                                  '<div class="ficbook-sheet"></div>' * sheets, 0)
            css = setup + ("* { bookmark-level: none !important; }\n"
                           ".ficbook-sheet { height: 1px; break-before: page; }\n"
                           ".ficbook-sheet:first-child { break-before: auto; }\n")
            return document(rendered, [section] if sheets else [], css_urls, css, print_layout)

        furniture = Furniture(stamp_html, fetcher.assets, roots, Path(tmp), store)
        phase("parts planned")
        pipeline = _Pipeline(todo, front_job if front else None, furniture, print_layout,
                             Path(tmp), store)
        try:
            pipeline.run(jobs if jobs is not None else JOBS, progress,
                         sum(s.words for s in body))
            phase("parts laid out and stamped, front matter numbered")
            pieces = [(pipeline.laid[i].path, pipeline.offsets[i])
                      for i in range(pipeline.count)]
            front_pdf = pipeline.front.path if pipeline.front is not None else None
            join(rendered, size, front_pdf, pieces, furniture.stamps(), pipeline.total,
                 pipeline.start, pipeline.links, Path(tmp), target, phase)
        finally:
            stop_recording()  # (jobs == 1: the workers' font recording ran here)
    if store is not None:
        log.info("PDF: %d of %d pieces laid out, %d from the cache", pipeline.laid_out,
                 pipeline.laid_out + store.hits, store.hits)
        store.prune()


class _Pipeline:
    """Parts laid out in a pool; as soon as the parts before a part are done, its first page
    number is known, and the stamps its pages need that no build has laid out yet are laid out
    in the pool too, ahead of the parts still waiting (pipelined: the last looks and numbers
    are all that is left after the last layout). Pieces found in the cache are not laid out."""

    def __init__(self, todo: list[Job], front_job: Callable[[dict[str, int] | None], Job] | None,
                 furniture: Furniture, print_layout: bool, tmp: Path,
                 store: PieceCache | None) -> None:
        self.waiting = deque(todo)  # in book order: the first parts finish first
        todo.clear()  # a part's HTML is let go once it is sent (the whole book's, for anthologies)
        self.count = len(self.waiting)
        self.front_job, self.furniture, self.print_layout = front_job, furniture, print_layout
        self.tmp, self.store = tmp, store
        self.laid: dict[int, Laid] = {}
        self.front: Laid | None = None
        self.front_pages: int | None = None if front_job else 0
        self.offsets: list[int] = []  # first page of each part in the book
        self.start: dict[str, int] = {}  # section id -> page in the book
        self.links: list[Link] = []  # links between pieces, page in the book
        self.total = 0
        self.laid_out = 0
        self.keys: dict[tuple[str, int], str] = {}
        self.stamp_jobs: dict[int, StampJob] = {}
        self.pool: ProcessPoolExecutor | None = None

    def run(self, jobs: int | None, progress: bool | None, words: int) -> None:
        jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), self.count + 1))
        show = sys.stderr.isatty() if progress is None else progress
        running: set[Future[Laid]] = set()
        numbered = False
        with _progress(show, self.count, words) as advance:
            self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
            try:
                if self.front_job is not None:
                    running.add(self._start(lay_out_part, self.front_job(None)))
                self._fill(running, jobs)
                while running:
                    finished, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        result = self._finished(future.result())
                        if result.kind == "part":
                            self.laid[result.index] = result
                            advance()
                        elif result.kind in ("heads", "numbers"):
                            job = self.stamp_jobs.pop(result.index)
                            self.furniture.finished(job.requests, job.kind, result.path,
                                                    result.info, self._entry_key(job))
                        elif result.kind == "front-length":
                            self.front_pages = self.total = result.pages
                        else:
                            self._numbered_front(result)
                    if self.front_pages is not None:
                        self._place()
                    placed = len(self.offsets) == self.count and self.front_pages is not None
                    for job in self.furniture.jobs(final=placed):
                        self.stamp_jobs[job.index] = job
                        running.add(self._start(lay_out_stamp_job, job))
                    if placed and self.front_job and not numbered:
                        running.add(self._start(lay_out_part, self.front_job(self.start)))
                        numbered = True
                    self._fill(running, jobs)
            finally:
                if self.pool:
                    self.pool.shutdown(cancel_futures=True)
        if self.furniture.busy():
            raise RuntimeError("parts: stamps left without a layout")

    def _fill(self, running: set[Future[Laid]], jobs: int) -> None:
        while self.waiting and sum(not f.done() for f in running) < jobs:
            running.add(self._start(lay_out_part, self.waiting.popleft()))

    def _place(self) -> None:
        """Parts whose first page is now known, in book order: their pages' looks too."""
        while len(self.offsets) in self.laid:
            result = self.laid[len(self.offsets)]
            blank = self.print_layout and self.total % 2 == 1
            if blank:
                self.total += 1  # the part opens on a right-hand page: a blank page before it
            self.offsets.append(self.total)
            for pid, page in result.starts.items():
                self.start[pid] = self.total + page
            self.links += [(self.total + page, x1, y1, x2, y2, target)
                           for page, x1, y1, x2, y2, target in result.links]
            self.furniture.add_part(self.total, result.looks, blank, result.selectors)
            self.total += result.pages

    def _numbered_front(self, result: Laid) -> None:
        if result.pages != self.front_pages:
            raise RuntimeError(f"parts: the numbered front matter has {result.pages} pages, "
                               f"{self.front_pages} without numbers")
        self.front = result
        for pid, page in result.starts.items():
            self.start.setdefault(pid, page)
        self.links += result.links

    def _entry_key(self, job: Job | StampJob) -> str | None:
        if self.store is None:
            return None
        if isinstance(job, StampJob):
            return self.store.key(job.kind, job.key_text)
        return self.store.key(job.kind, job.html)

    def _start(self, fn: Callable[[Any], Laid], job: Job | StampJob) -> Future[Laid]:
        key = self._entry_key(job)
        if key is not None and self.store is not None:
            data = self.store.get(key, self.tmp, Path(job.path) if job.write else None)
            hit = _from_entry(job, data) if data is not None else None
            if hit is not None:
                return _done(hit)
            self.keys[job.kind, job.index] = key
        self.laid_out += 1
        if self.pool is None:
            return _done(fn(job))
        return self.pool.submit(fn, job)

    def _finished(self, result: Laid) -> Laid:
        key = self.keys.pop((result.kind, result.index), None)
        if key is not None and self.store is not None:
            entry = {"pages": result.pages, "starts": result.starts, "sizes": result.sizes,
                     "links": result.links, "looks": result.looks,
                     "selectors": result.selectors, "info": result.info}
            self.store.put(key, entry, Path(result.path) if result.written else None, self.tmp,
                           result.fonts)
        return result


def _from_entry(job: Job | StampJob, data: dict[str, Any]) -> Laid | None:
    try:
        links = tuple((int(p), float(a), float(b), float(c), float(d), str(t))
                      for p, a, b, c, d, t in data.get("links", ()))
        return Laid(job.index, job.kind, job.path, int(data["pages"]),
                    {str(k): int(v) for k, v in data.get("starts", {}).items()},
                    {str(k): int(v) for k, v in data.get("sizes", {}).items()},
                    links, tuple(data.get("fonts", {})), job.write,
                    tuple(data.get("looks", ())), tuple(data.get("selectors", ())),
                    tuple(data.get("info", ())))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _done(result: Laid) -> Future[Laid]:
    future: Future[Laid] = Future()
    future.set_result(result)
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


def _render(job: Job | StampJob) -> Any:
    from ..fetch import SafeFetcher

    quiet_weasyprint()
    record_originals(Path(job.path).parent)
    fetcher = SafeFetcher(job.assets, [Path(r) for r in job.roots])
    return HTML(string=job.html, base_url=BOOK_URL + "text/book.html",
                url_fetcher=fetcher).render()


def lay_out_part(job: Job) -> Laid:
    """In a worker process: one part (or the front matter), no heads or numbers, written as a
    PDF; where its sections start and how many pages each takes; its links to other parts;
    each page's type and named strings (its look, for its heads and number)."""
    with recording() as contexts:
        doc = _render(job)
    looks = part_looks(doc, contexts[-1]) if job.kind == "part" else []
    selectors = page_selectors(contexts[-1]) if job.kind == "part" else []
    starts: dict[str, int] = {}
    wanted = set(job.pids)
    anchors: set[str] = set()
    for i, page in enumerate(doc.pages):
        anchors.update(page.anchors)
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
    links: list[Link] = []
    for i, page in enumerate(doc.pages):  # as weasyprint's PDF would place them
        height = page.height * PT_PER_PX
        for link_type, target, (x1, y1, x2, y2), _box in page.links:
            if link_type == "internal" and target not in anchors:
                links.append((i, x1 * PT_PER_PX, height - y1 * PT_PER_PX, x2 * PT_PER_PX,
                              height - y2 * PT_PER_PX, target))
    # Links into other parts (an anthology's pages pointing at other stories) are reported as
    # missing anchors, once per part: not news to the user (the join adds them back).
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    if job.write:
        doc.write_pdf(job.path)
    return Laid(job.index, job.kind, job.path, len(doc.pages), starts, sizes, tuple(links),
                used_fonts(), job.write, tuple(looks), tuple(selectors))


def lay_out_stamp_job(job: StampJob) -> Laid:
    """In a worker process: a stamp document (heads looks or a block of numbers), as a PDF of
    its own, drawn over the parts' pages when joining."""
    doc, info = lay_out_stamps(lambda: _render(job), job.requests, job.kind)
    doc.write_pdf(job.path)
    return Laid(job.index, job.kind, job.path, len(doc.pages), {}, {}, (), used_fonts(),
                info=tuple(info))
