"""`ficbook batch`: one book per story (a file, or a folder of chapter files), in parallel,
skipping books that are up to date.

Workers build into a private temporary folder inside the output folder; the main process gives
each finished book a free name and renames it into place. So an interrupted batch leaves the
books that were finished and nothing of the ones in progress. A small JSON manifest in the output
folder (cache/manifest.py) remembers, per input, the key of its bytes, the options and ficbook's
code, and the files it made: the next run skips those books.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..backends import file_suffix
from ..cache.manifest import input_key, load_manifest, options_fingerprint, save_manifest
from ..errors import BuildError, FicbookError, InputError, cannot_write
from ..files import book_stem
from ..options import BuildOptions
from ..theme import Theme, load_theme
from .read import chapter_files, group_chapter_folders, read_chapter_folder


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
    built: list[tuple[Path, list[Path]]] = field(default_factory=list)
    skipped: list[tuple[Path, list[Path]]] = field(default_factory=list)
    failed: list[tuple[Path, Failure]] = field(default_factory=list)


# Progress callback: (input finished or started, books done, total, status).
Progress = Callable[[Path, int, int, str], None]


def find_inputs(inputs: Sequence[Path | str], exclude: Path | None = None) -> list[Path]:
    """Story files: the files given, and every story file under the folders given (sorted)."""
    from ..ingest import SUFFIXES

    found: list[Path] = []
    skip = exclude.resolve() if exclude is not None else None
    for item in map(Path, inputs):
        if item.is_dir():
            for path in sorted(item.rglob("*")):
                rel = path.relative_to(item).parts
                if any(part.startswith(".") for part in rel) or not path.is_file():
                    continue
                if skip is not None and path.resolve().is_relative_to(skip):
                    continue
                if path.suffix and path.suffix.lower() in SUFFIXES:
                    found.append(path)
        elif item.exists():
            found.append(item)
        else:
            raise InputError(item, "no such file or folder")
    return list(dict.fromkeys(found))


def batch(inputs: Sequence[Path | str], output: Path | str, options: BuildOptions | None = None,
          *, jobs: int | None = None, force: bool = False,
          progress: Progress | None = None) -> BatchResult:
    """Build one book per story file into `output`; failures are collected, never raised."""
    options = options or BuildOptions()
    # A bad theme or option would fail every story the same way: say it once, up front.
    load_theme(options.theme, options.theme_options)
    output = Path(output)
    if output.exists() and not output.is_dir():
        raise BuildError(output, "is a file: a batch writes its books into a folder")
    # A folder of numbered chapter files (ch01.txt, ch02.txt) is one book, not one per file.
    files = group_chapter_folders(find_inputs(inputs, exclude=output))
    with _writing():
        output.mkdir(parents=True, exist_ok=True)
    manifest = load_manifest(output)
    books: dict[str, Any] = manifest["books"]
    fingerprint = options_fingerprint(options)
    result = BatchResult()
    # Each input's manifest id, resolved once (resolve() is a system call per folder above it).
    ids = {path: _id(path) for path in files}
    todo: list[tuple[Path, str]] = []
    total = len(files)
    for path in files:
        try:
            key = input_key(chapter_files(path) if path.is_dir() else [path], fingerprint)
        except OSError as exc:
            result.failed.append((path, Failure(f"cannot be read: {exc.strerror}")))
            continue
        entry = books.get(ids[path])
        if not force and entry and entry.get("key") == key and "error" in entry:
            # The same bytes with the same options fail the same way: say so, do not retry.
            failure = Failure(f"{entry['error']} (unchanged since the last run)")
            result.failed.append((path, failure))
            continue
        if not force and entry and entry.get("key") == key and all(
                (output / name).is_file() for name in entry.get("outputs", [])):
            result.skipped.append((path, [output / n for n in entry["outputs"]]))
            continue
        todo.append((path, key))
    done = len(result.skipped) + len(result.failed)
    if progress and done:
        progress(files[0], done, total, "skipped")
    with _writing():
        tmp = Path(tempfile.mkdtemp(prefix=".ficbook-tmp-", dir=output))
    order = {path: i for i, (path, _) in enumerate(todo)}
    # Finished books are named in input order, not finishing order, so two stories with the
    # same title and author get the same names on every run, however many jobs there are.
    ready: dict[int, tuple[Path, str, Built]] = {}
    # Which input each book file in the folder belongs to, kept up to date as books are placed
    # (asking the manifest afresh for every book made a batch of thousands quadratic).
    owners = {name: k for k, entry in books.items() for name in entry.get("outputs", [])}
    nameless: set[int] = set()  # failed: they take no name
    next_up = 0

    def place_ready(everything: bool = False) -> None:
        nonlocal next_up
        while True:
            while next_up in nameless:
                next_up += 1
            if next_up in ready:
                i = next_up
            elif everything and ready:
                i = min(ready)
            else:
                return
            path, key, (title, authors, temps) = ready.pop(i)
            finals = _place(output, books, owners, ids[path], book_stem(title, authors), temps)
            books[ids[path]] = {"key": key, "outputs": [p.name for p in finals]}
            result.built.append((path, finals))
            next_up = i + 1

    try:
        for n, (path, key, outcome) in enumerate(_run(todo, tmp, options, jobs, progress,
                                                      done, total), start=done + 1):
            if isinstance(outcome, Failure):
                result.failed.append((path, outcome))
                nameless.add(order[path])
                _disown(owners, books.pop(ids[path], {}))
                if not outcome.internal:  # the same bytes fail the same way: remember it
                    books[ids[path]] = {"key": key, "error": outcome.message, "outputs": []}
            else:
                ready[order[path]] = (path, key, outcome)
            place_ready()
            if progress:
                progress(path, n, total, "failed" if isinstance(outcome, Failure) else "built")
    finally:
        # Interrupted: the books already finished still go into place, then the rest of the
        # temporary folder goes.
        place_ready(everything=True)
        shutil.rmtree(tmp, ignore_errors=True)
        _save_manifest(output, manifest)
    return result


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


def _run(todo: list[tuple[Path, str]], tmp: Path, options: BuildOptions, jobs: int | None,
         progress: Progress | None, done: int, total: int,
         ) -> Iterator[tuple[Path, str, Outcome]]:
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(todo) <= 1:
        for n, (path, key) in enumerate(todo):
            if progress:
                progress(path, done, total, "building")
            yield path, key, build_one(str(path), str(tmp / str(n)), options)
        return
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), initializer=_ignore_sigint)
    try:
        pending: dict[Future[Outcome], tuple[Path, str]] = {
            pool.submit(build_one, str(path), str(tmp / str(n)), options): (path, key)
            for n, (path, key) in enumerate(todo)}
        # as_completed waits on every future once; wait(FIRST_COMPLETED) in a loop re-armed
        # all of those still pending each time, quadratic in a batch of thousands.
        for future in as_completed(pending):
            path, key = pending.pop(future)
            try:
                outcome = future.result()
            except Exception as exc:  # a worker that died (out of memory, killed)
                outcome = _internal(exc)
            yield path, key, outcome
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
    return Failure(f"internal error: {type(exc).__name__}: {exc}", internal=True)


_THEMES: dict[str, Theme] = {}


def _worker_theme(options: BuildOptions) -> Theme:
    """The batch's theme, loaded once per worker (a batch checks it up front and every book
    in it uses the same one)."""
    key = json.dumps([options.theme, options.theme_options], sort_keys=True, default=str)
    if key not in _THEMES:
        _THEMES.clear()
        _THEMES[key] = load_theme(options.theme, options.theme_options)
    return _THEMES[key]


def _place(output: Path, books: dict[str, Any], owners: dict[str, str], me: str, stem: str,
           temps: list[str]) -> list[Path]:
    """Rename finished files to '<Title> - <Author>.<fmt>', never over another input's book."""
    mine = set(books.get(me, {}).get("outputs", []))
    n = 1
    while True:
        candidate = stem if n == 1 else f"{stem} ({n})"
        names = [f"{candidate}{file_suffix(Path(t))}" for t in temps]
        if all(name in mine or (owners.get(name, me) == me and not (output / name).exists())
               for name in names):
            break
        n += 1
    finals: list[Path] = []
    with _writing():
        for temp, name in zip(temps, names, strict=True):
            os.replace(temp, output / name)
            finals.append(output / name)
            owners[name] = me
        for stale in mine - set(names):
            (output / stale).unlink(missing_ok=True)  # a renamed story: its old book goes
            owners.pop(stale, None)
    return finals


def _disown(owners: dict[str, str], entry: dict[str, Any]) -> None:
    for name in entry.get("outputs", []):
        owners.pop(name, None)


def _save_manifest(output: Path, manifest: dict[str, Any]) -> None:
    with _writing():
        save_manifest(output, manifest)
