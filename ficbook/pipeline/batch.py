"""`ficbook batch`: one book per story (a file, or a folder of chapter files), in parallel,
skipping books that are up to date.

Inputs stream in (pipeline/inputs.py); an engine builds them: this process's pool of workers by
default, or a Dask cluster (pipeline/cluster.py). Either takes a job only when it has room, so
the batch's memory stays flat however many stories there are. Workers build into a private
temporary folder inside the output folder; this process gives each finished book a free name,
notes it in the manifest (cache/manifest.py: per input, the key of its bytes, the options and
ficbook's code, and the files it made) and renames it into place. So an interrupted batch leaves
the books that were finished, on record, and nothing of the ones in progress; the next run
skips them.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from ..backends import file_suffix
from ..cache.manifest import Manifest, input_key, options_fingerprint
from ..errors import BuildError, FicbookError, cannot_write
from ..files import book_stem
from ..options import BuildOptions
from ..theme import Theme, load_theme
from .inputs import stream_inputs
from .read import chapter_files, read_chapter_folder


@dataclass(frozen=True)
class Failure:
    """Why a story gave no book: `message` is the one line the user sees. `internal` is a bug in
    ficbook or a worker that died, not the story: the manifest does not remember it, so the next
    run tries again (the machine may have been at fault)."""

    message: str
    internal: bool = False


Built = tuple[str, tuple[str, ...], list[str]]  # a book's title, authors and the files made
Outcome = Built | Failure  # what a worker sends back for one story


@dataclass
class BatchResult:
    """What a batch did. With `record=False` only failures are listed (a batch of millions
    keeps counts, not a path per book); the counts are always there."""

    built: list[tuple[Path, list[Path]]] = field(default_factory=list)
    skipped: list[tuple[Path, list[Path]]] = field(default_factory=list)
    failed: list[tuple[Path, Failure]] = field(default_factory=list)
    built_count: int = 0
    skipped_count: int = 0


@dataclass(frozen=True)
class Job:
    """One input to build: `seq` is its place among the inputs built this run."""

    seq: int
    path: Path
    input_id: str
    key: str


# An engine builds the jobs it pulls (only as fast as it has room) into the temporary folder
# and yields each with its outcome, in any order.
Engine = Callable[[Iterator[Job], Path], Iterator[tuple[Job, Outcome]]]

# Progress callback: (input finished or started, inputs done, total or None while inputs are
# still being found, status).
Progress = Callable[[Path, int, int | None, str], None]


def batch(inputs: Sequence[Path | str], output: Path | str, options: BuildOptions | None = None,
          *, jobs: int | None = None, force: bool = False, progress: Progress | None = None,
          cluster: str | None = None, shared_fs: bool = False, listed: Path | None = None,
          record: bool = True) -> BatchResult:
    """Build one book per story file into `output`; failures are collected, never raised.
    `cluster`: a Dask scheduler's address or `local[:N]` (pipeline/cluster.py); `listed`: a
    file of paths, one a line, built after `inputs`."""
    options = options or BuildOptions()
    # A bad theme or option would fail every story the same way: say it once, up front.
    theme = load_theme(options.theme, options.theme_options)
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise BuildError(output, "is a file: a batch writes its books into a folder")
    engine: Engine
    if cluster is None:
        engine = local_engine(options, jobs)
    else:
        from .cluster import cluster_engine  # says how to install Dask if it is not there

        engine = cluster_engine(cluster, options, theme, shared_fs=shared_fs)
    # Every path named is checked now: a missing one is an error before any folder is made.
    found = stream_inputs(inputs, exclude=output, listed=listed)
    with _writing():
        output.mkdir(parents=True, exist_ok=True)
    with Manifest(output) as manifest:
        run = _Run(output, manifest, BatchResult(), progress, record)
        with _writing():
            tmp = Path(tempfile.mkdtemp(prefix=".ficbook-tmp-", dir=output))
        try:
            for job, outcome in engine(run.todo(found, options_fingerprint(options), force),
                                       tmp):
                run.finished(job, outcome)
        finally:
            # Interrupted: the books already finished still go into place, then the rest of
            # the temporary folder goes.
            run.place_ready(everything=True)
            shutil.rmtree(tmp, ignore_errors=True)
        return run.result


class _Run:
    """One batch's bookkeeping: which inputs to build, and each finished book named (in input
    order), put on record and renamed into place."""

    def __init__(self, output: Path, manifest: Manifest, result: BatchResult,
                 progress: Progress | None, record: bool) -> None:
        self.output, self.manifest, self.result = output, manifest, result
        self.progress, self.record = progress, record
        self.done = 0
        self.total: int | None = None
        # Finished books are named in input order, not finishing order, so two stories with
        # the same title and author get the same names on every run, whatever the engine.
        self.ready: dict[int, tuple[Job, Built]] = {}
        self.nameless: set[int] = set()  # failed: they take no name
        self.next_up = 0

    def todo(self, found: Iterator[Path], fingerprint: str, force: bool) -> Iterator[Job]:
        """The inputs that need building; the others are counted as skipped or failed."""
        seen = seq = 0
        for path in found:
            seen += 1
            input_id = _id(path)
            try:
                key = input_key(chapter_files(path) if path.is_dir() else [path], fingerprint)
            except OSError as exc:
                self._failed(path, Failure(f"cannot be read: {exc.strerror}"))
                continue
            entry = self.manifest.get(input_id)
            if not force and entry and entry.key == key and entry.error is not None:
                # The same bytes with the same options fail the same way: say so, no retry.
                self._failed(path, Failure(f"{entry.error} (unchanged since the last run)"))
            elif not force and entry and entry.key == key and all(
                    (self.output / name).is_file() for name in entry.outputs):
                self.result.skipped_count += 1
                if self.record:
                    self.result.skipped.append((path, [self.output / n for n in entry.outputs]))
                self._count(path, "skipped")
            else:
                yield Job(seq, path, input_id, key)
                seq += 1
        self.total = seen
        if self.progress and seen:
            self.progress(path, self.done, self.total, "found")

    def finished(self, job: Job, outcome: Outcome) -> None:
        if isinstance(outcome, Failure):
            self.nameless.add(job.seq)
            if outcome.internal:
                self.manifest.forget(job.input_id)
            else:  # the same bytes fail the same way: remember it
                self.manifest.failed(job.input_id, job.key, outcome.message)
        else:
            self.ready[job.seq] = (job, outcome)
        self.place_ready()
        if isinstance(outcome, Failure):
            self._failed(job.path, outcome)
        else:
            self._count(job.path, "built")

    def _failed(self, path: Path, failure: Failure) -> None:
        self.result.failed.append((path, failure))
        self._count(path, "failed")

    def _count(self, path: Path, status: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(path, self.done, self.total, status)

    def place_ready(self, everything: bool = False) -> None:
        while True:
            while self.next_up in self.nameless:
                self.nameless.discard(self.next_up)
                self.next_up += 1
            if self.next_up in self.ready:
                seq = self.next_up
            elif everything and self.ready:
                seq = min(self.ready)
            else:
                return
            job, (title, authors, temps) = self.ready.pop(seq)
            finals = _place(self.output, self.manifest, job, book_stem(title, authors), temps)
            self.result.built_count += 1
            if self.record:
                self.result.built.append((job.path, finals))
            self.next_up = seq + 1


@contextlib.contextmanager
def _writing() -> Iterator[None]:
    """The batch's own writes into the output folder (the folder, its temporary folder, books
    renamed into place, the manifest): an OSError there names the file that could not be
    written, as a BuildError."""
    try:
        yield
    except OSError as exc:
        raise cannot_write(exc) from exc


def _id(path: Path) -> str:
    return str(path.resolve())


def local_engine(options: BuildOptions, jobs: int | None) -> Engine:
    """This machine's cores: a process pool, with a few jobs queued per worker."""
    workers = jobs or os.cpu_count() or 1

    def run(todo: Iterator[Job], tmp: Path) -> Iterator[tuple[Job, Outcome]]:
        first = list(islice(todo, 2))
        if workers <= 1 or len(first) <= 1:  # one book: no worker processes to start
            for job in chain(first, todo):
                yield job, build_one(str(job.path), str(tmp / str(job.seq)), options)
            return
        yield from _pooled(chain(first, todo), tmp, options, workers)

    return run


def _pooled(todo: Iterator[Job], tmp: Path, options: BuildOptions, workers: int,
            ) -> Iterator[tuple[Job, Outcome]]:
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_ignore_sigint)
    window = 4 * workers  # enough queued that no worker waits, few enough to stay small
    pending: dict[Future[Outcome], Job] = {}
    try:
        for job in chain(todo, [None]):
            if job is not None:
                pending[pool.submit(build_one, str(job.path), str(tmp / str(job.seq)),
                                    options)] = job
            while pending and (job is None or len(pending) >= window):
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=lambda f: pending[f].seq):
                    try:
                        outcome = future.result()
                    except Exception as exc:  # a worker that died (out of memory, killed)
                        outcome = _internal(exc)
                    yield pending.pop(future), outcome
                if job is not None:
                    break
        pool.shutdown()
    except BaseException:
        # Ctrl-C: stop the workers now; their half-built books are only in `tmp`.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process decides what Ctrl-C does


def build_one(path: str, folder: str, options: BuildOptions) -> Outcome:
    """In a worker: one story -> files in `folder`, or why not."""
    from ..ingest import read_story
    from ..model import Book
    from .build import build_book

    try:
        source = Path(path)
        story = (read_chapter_folder(source, options.reader) if source.is_dir()
                 else read_story(source, options.reader))
        book = Book.single(story)
        # A batch rebuilds only changed stories, so a kept cover would never be used again.
        written = build_book(book, Path(folder), options, theme=_worker_theme(options),
                             keep_cover=False)
        return story.metadata.title, story.metadata.authors, [str(p) for p in written]
    except FicbookError as exc:
        return Failure(exc.message)
    except Exception as exc:  # a bug in ficbook: report it against this story, go on
        return _internal(exc)


def _internal(exc: BaseException) -> Failure:
    return Failure(" ".join(f"internal error: {type(exc).__name__}: {exc}".split()),
                   internal=True)


_THEMES: dict[str, Theme] = {}


def _worker_theme(options: BuildOptions) -> Theme:
    """The batch's theme, loaded once per worker (a batch checks it up front and every book
    in it uses the same one)."""
    key = json.dumps([options.theme, options.theme_options], sort_keys=True, default=str)
    if key not in _THEMES:
        _THEMES.clear()
        _THEMES[key] = load_theme(options.theme, options.theme_options)
    return _THEMES[key]


def _place(output: Path, manifest: Manifest, job: Job, stem: str,
           temps: list[str]) -> list[Path]:
    """Name finished files '<Title> - <Author>.<fmt>', never over another input's book; put
    them on record, then rename them into place (a batch killed in between finds the record,
    not the files, and builds the book again under the same names)."""
    entry = manifest.get(job.input_id)
    mine = set(entry.outputs if entry else ())
    n = 1
    while True:
        candidate = stem if n == 1 else f"{stem} ({n})"
        names = [f"{candidate}{file_suffix(Path(t))}" for t in temps]
        if all(name in mine or (manifest.owner(name) in (None, job.input_id)
                                and not (output / name).exists()) for name in names):
            break
        n += 1
    manifest.built(job.input_id, job.key, names)
    finals: list[Path] = []
    with _writing():
        for temp, name in zip(temps, names, strict=True):
            os.replace(temp, output / name)
            finals.append(output / name)
        for stale in mine - set(names):
            (output / stale).unlink(missing_ok=True)  # a renamed story: its old book goes
    return finals
