"""Scheduling the layouts in a process pool: parts in book order, stamps as pages get placed."""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from ....cache.pdf import PieceCache
from . import workers
from .furniture import Furniture, StampJob
from .join import Link
from .plan import Job, Laid

JOBS: int | None = None  # processes laying out; None: one per core (tests set 1: no pool)


class Pipeline:
    """Parts laid out in a pool; as soon as the parts before a part are done, its first page
    number is known, and the stamps its pages need that no build has laid out yet are laid out
    in the pool too, ahead of the parts still waiting (pipelined: the last looks and numbers
    are all that is left after the last layout). Pieces found in the cache are not laid out.
    The workers' functions are looked up in `workers` when used: tests replace them there."""

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
        jobs = JOBS if jobs is None else jobs  # read now: tests change it
        jobs = max(1, min(jobs or len(os.sched_getaffinity(0)), self.count + 1))
        show = sys.stderr.isatty() if progress is None else progress
        running: set[Future[Laid]] = set()
        numbered = False
        with _progress(show, self.count, words) as advance:
            self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
            try:
                if self.front_job is not None:
                    running.add(self._start(workers.lay_out_part, self.front_job(None)))
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
                        running.add(self._start(workers.lay_out_stamp_job, job))
                    if placed and self.front_job and not numbered:
                        running.add(self._start(workers.lay_out_part, self.front_job(self.start)))
                        numbered = True
                    self._fill(running, jobs)
            finally:
                if self.pool:
                    self.pool.shutdown(cancel_futures=True)
        if self.furniture.busy():
            raise RuntimeError("parts: stamps left without a layout")
    def _fill(self, running: set[Future[Laid]], jobs: int) -> None:
        while self.waiting and sum(not f.done() for f in running) < jobs:
            running.add(self._start(workers.lay_out_part, self.waiting.popleft()))

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
