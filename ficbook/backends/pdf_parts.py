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
3. as soon as every part before a run of parts is done, the run's first page number and side are
   known: a "furniture" document, its sections with their text replaced by that many empty pages,
   numbered from there (`@page :first { counter-reset: page N }`, `html { break-before: left }`),
   is laid out in the pool with the theme's own print.css, so weasyprint itself puts the running
   heads, page numbers and blank pages where a single pass would. This runs ahead of the parts
   still waiting, so after the last layout only the last run's heads are left;
4. pdf_join joins the pieces, draws the heads over their pages, adds the links between pieces
   (the contents page's entries), the outline and the metadata, and writes the file.
Every piece is kept in pdf_cache, keyed by its document: a rebuild lays out only the parts that
changed, and the heads and contents whose page numbers moved. Memory stays bounded by the
largest part, not the book. Imports weasyprint.
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

from ..model import RenderedBook
from ..theme import Theme
from .pagesize import PageSize
from .pdf_cache import PieceCache, environment
from .pdf_fonts import record_originals, stop_recording, used_fonts
from .pdf_html import (
    BOOK_URL,
    MARGIN_BOXES,
    Section,
    document,
    sections,
    stylesheet_urls,
)
from .pdf_join import Link, join, timer
from .pdf_render import fetcher_for, quiet_weasyprint

log = logging.getLogger(__name__)

PART_WORDS = 8_000  # words per part: small parts lay out faster per word, each costs ~0.2 s
FURNISH_PAGES = 120  # heads and numbers of this many pages at a time: ~0.25 s per weasyprint run
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
class Furnish:
    """Running heads and numbers for a run of laid-out parts, once its first page is known."""

    index: int  # of the run's first part
    html: str  # the parts' sections emptied to N sheets each, first page number and side set
    pages: int
    assets: dict[str, tuple[bytes, str]]
    roots: tuple[str, ...]
    path: str
    kind: str = "heads"
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
            return Furnish(first, html, offsets[last] + run[-1].pages - offset, fetcher.assets,
                           roots, os.path.join(tmp, f"heads-{first}.pdf"))

        phase("parts planned")
        pipeline = _Pipeline(todo, front_job if front else None, furnish, print_layout,
                             Path(tmp), store)
        try:
            pipeline.run(jobs if jobs is not None else JOBS, progress,
                         sum(s.words for s in body))
            phase("parts laid out and stamped, front matter numbered")
            runs = [(pipeline.offsets[first], heads.path, pipeline.pieces[first])
                    for first, heads in sorted(pipeline.heads.items())]
            front_pdf = pipeline.front.path if pipeline.front is not None else None
            join(rendered, size, front_pdf, runs, pipeline.total, pipeline.start,
                 pipeline.links, Path(tmp), target, phase)
        finally:
            stop_recording()  # (jobs == 1: the workers' font recording ran here)
    if store is not None:
        log.info("PDF: %d of %d pieces laid out, %d from the cache", pipeline.laid_out,
                 pipeline.laid_out + store.hits, store.hits)
        store.prune()


class _Pipeline:
    """Parts laid out in a pool; as soon as the parts before a run of parts are done, its first
    page number is known and its heads and numbers are laid out in the pool too, ahead of the
    parts still waiting (pipelined: the last run's heads are all that is left after the last
    layout). Pieces found in the cache are not laid out."""

    def __init__(self, todo: list[Job], front_job: Callable[[dict[str, int] | None], Job] | None,
                 furnish: Callable[[list[Laid], list[int]], Furnish], print_layout: bool,
                 tmp: Path, store: PieceCache | None) -> None:
        self.waiting = deque(todo)  # in book order: the first parts finish first
        todo.clear()  # a part's HTML is let go once it is sent (the whole book's, for anthologies)
        self.count = len(self.waiting)
        self.front_job, self.furnish, self.print_layout = front_job, furnish, print_layout
        self.tmp, self.store = tmp, store
        self.laid: dict[int, Laid] = {}
        self.heads: dict[int, Laid] = {}  # run's first part -> its heads and numbers
        self.pieces: dict[int, tuple[tuple[str, int], ...]] = {}  # -> (part PDF, first page)
        self.front: Laid | None = None
        self.front_pages: int | None = None if front_job else 0
        self.offsets: list[int] = []  # first page of each part in the book
        self.start: dict[str, int] = {}  # section id -> page in the book
        self.links: list[Link] = []  # links between pieces, page in the book
        self.total = 0
        self.laid_out = 0
        self.keys: dict[tuple[str, int], str] = {}
        self.pool: ProcessPoolExecutor | None = None

    def run(self, jobs: int | None, progress: bool | None, words: int) -> None:
        jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), self.count + 1))
        show = sys.stderr.isatty() if progress is None else progress
        running: set[Future[Laid]] = set()
        batch: list[Laid] = []
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
                        elif result.kind == "heads":
                            self.heads[result.index] = result
                        elif result.kind == "front-length":
                            self.front_pages = self.total = result.pages
                        else:
                            self._numbered_front(result)
                    if self.front_pages is None:
                        self._fill(running, jobs)
                        continue
                    for result in self._place():
                        # Runs cut by pages, not by when parts arrive: the same book gives the
                        # same runs, so their heads come from the cache too.
                        batch.append(result)
                        first = self.offsets[batch[0].index]
                        if (self.offsets[result.index] + result.pages - first >= FURNISH_PAGES
                                or result.index == self.count - 1):
                            running.add(self._start(furnish_part,
                                                    self.furnish(batch, self.offsets)))
                            self.pieces[batch[0].index] = tuple(
                                (r.path, self.offsets[r.index] - first) for r in batch)
                            batch = []
                    if len(self.offsets) == self.count and self.front_job and not numbered:
                        running.add(self._start(lay_out_part, self.front_job(self.start)))
                        numbered = True
                    self._fill(running, jobs)
            finally:
                if self.pool:
                    self.pool.shutdown(cancel_futures=True)

    def _fill(self, running: set[Future[Laid]], jobs: int) -> None:
        while self.waiting and sum(not f.done() for f in running) < jobs:
            running.add(self._start(lay_out_part, self.waiting.popleft()))

    def _place(self) -> list[Laid]:
        """Parts whose first page is now known, in book order."""
        placed = []
        while len(self.offsets) in self.laid:
            result = self.laid[len(self.offsets)]
            if self.print_layout and self.total % 2 == 1:
                self.total += 1  # the part opens on a right-hand page: a blank page before it
            self.offsets.append(self.total)
            for pid, page in result.starts.items():
                self.start[pid] = self.total + page
            self.links += [(self.total + page, x1, y1, x2, y2, target)
                           for page, x1, y1, x2, y2, target in result.links]
            self.total += result.pages
            placed.append(result)
        return placed

    def _numbered_front(self, result: Laid) -> None:
        if result.pages != self.front_pages:
            raise RuntimeError(f"parts: the numbered front matter has {result.pages} pages, "
                               f"{self.front_pages} without numbers")
        self.front = result
        for pid, page in result.starts.items():
            self.start.setdefault(pid, page)
        self.links += result.links

    def _start(self, fn: Callable[[Any], Laid], job: Job | Furnish) -> Future[Laid]:
        if self.store is not None:
            key = self.store.key(job.kind, job.html)
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
                     "links": result.links}
            self.store.put(key, entry, Path(result.path) if result.written else None, self.tmp,
                           result.fonts)
        return result


def _from_entry(job: Job | Furnish, data: dict[str, Any]) -> Laid | None:
    try:
        links = tuple((int(p), float(a), float(b), float(c), float(d), str(t))
                      for p, a, b, c, d, t in data.get("links", ()))
        return Laid(job.index, job.kind, job.path, int(data["pages"]),
                    {str(k): int(v) for k, v in data.get("starts", {}).items()},
                    {str(k): int(v) for k, v in data.get("sizes", {}).items()},
                    links, tuple(data.get("fonts", {})), job.write)
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


def _render(job: Job | Furnish) -> Any:
    from .pdf_fetch import SafeFetcher

    quiet_weasyprint()
    record_originals(Path(job.path).parent)
    fetcher = SafeFetcher(job.assets, [Path(r) for r in job.roots])
    return HTML(string=job.html, base_url=BOOK_URL + "text/book.html",
                url_fetcher=fetcher).render()


def lay_out_part(job: Job) -> Laid:
    """In a worker process: one part (or the front matter), no heads or numbers, written as a
    PDF; where its sections start and how many pages each takes; its links to other parts."""
    doc = _render(job)
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
                used_fonts(), job.write)


def furnish_part(job: Furnish) -> Laid:
    """In a worker process: lay out a run of parts' heads and numbers (weasyprint places them,
    the theme's print.css decides) as a PDF of their own, drawn over the parts when joining."""
    furniture = _render(job)
    if len(furniture.pages) != job.pages:
        raise RuntimeError(f"parts: furniture of parts from {job.index} has "
                           f"{len(furniture.pages)} pages, the parts {job.pages}")
    furniture.write_pdf(job.path)
    return Laid(job.index, job.kind, job.path, job.pages, {}, {}, (), used_fonts())


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


