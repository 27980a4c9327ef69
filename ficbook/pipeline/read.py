"""Inputs read into stories: many at once (from the cache, or on every core), and a folder of
chapter files (`ch01.txt`, `ch02.txt`, ...) as one story.

The readers (lxml, nh3, ...) are imported only when something is parsed: a rebuild whose
stories all come from the cache never loads them."""

from __future__ import annotations

import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ..anthology.parts import join_parts
from ..cache import cached_story, prune, read_and_keep
from ..errors import ConfigError, FicbookError, InputError
from ..model import Chapter, Story
from ..options import FetchOptions

# (the link, chapters fetched or found in the fetch cache, chapters in all)
FetchProgress = Callable[[str, int, int], None]

# "ch01", "Chapter 2", "my-story_part3", "07": a shared prefix and a number.
_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<n>\d{1,4})(?P<rest>[^\d]*)$")
_HEAD_BYTES = 8192  # enough for any header block
CHAPTER_SUFFIXES = {".txt", ".text", ".md", ".markdown"}


def _number(path: Path) -> tuple[str, int] | None:
    m = _NUMBERED.match(path.stem)
    if not m or m.group("rest").strip(" -_."):
        return None
    return m.group("prefix").strip(" -_.").casefold(), int(m.group("n"))


def _header_title(path: Path) -> str | None:
    """The `Title:` a file's header gives, if any (read from its first few KB only)."""
    from ..ingest.decode import decode
    from ..ingest.header import canonical, parse_header

    with path.open("rb") as f:
        text = decode(f.read(_HEAD_BYTES), path)
    for key, value in parse_header(text.split("\n")[:80]).fields:
        if canonical(key) == "title":
            return value.strip()
    return None


def _base(title: str) -> str:
    title = re.sub(r"[\(\[]?\s*(?:part|pt\.?|chapter|ch\.?)?\s*\d+\s*(?:(?:/|of)\s*\d+)?\s*[\)\]]?"
                   r"\s*$", "", title, flags=re.IGNORECASE)
    return " ".join(re.sub(r"[^\w\s]", " ", title.casefold()).split())


def is_chapter_folder(files: Sequence[Path]) -> bool:
    """Two or more numbered text files with one prefix, where only the first names the story
    (later files have no `Title:` of their own, or the same title with a part number)."""
    if len(files) < 2 or any(f.suffix.lower() not in CHAPTER_SUFFIXES for f in files):
        return False
    numbered = [_number(f) for f in files]
    if any(n is None for n in numbered):
        return False
    prefixes = {n[0] for n in numbered if n is not None}
    numbers = [n[1] for n in numbered if n is not None]
    if len(prefixes) != 1 or len(set(numbers)) != len(numbers):
        return False
    ordered = sorted(files, key=lambda f: _number(f) or ("", 0))
    try:
        first = _header_title(ordered[0])
        # Lazily: a folder of numbered but unrelated stories (0001.txt ... 3000.txt) is told
        # apart at its second file, not after reading every header.
        return all(t is None or (first is not None and _base(t) == _base(first))
                   for t in map(_header_title, ordered[1:]))
    except OSError:
        return False


def group_chapter_folders(files: Sequence[Path]) -> list[Path]:
    """Files to build one by one, with each chapter folder's files replaced by the folder."""
    by_folder: dict[Path, list[Path]] = defaultdict(list)
    for f in files:
        by_folder[f.parent].append(f)
    # Only a folder whose chapter files were all named: the book is built from the folder, so
    # naming two files of a bigger folder must not pull the rest in.
    folders = {d for d, members in by_folder.items()
               if set(members) == set(chapter_files(d)) and is_chapter_folder(members)}
    units = dict.fromkeys(f.parent if f.parent in folders else f for f in files)
    return list(units)


def chapter_files(folder: Path) -> list[Path]:
    files = [f for f in folder.iterdir() if f.is_file() and f.suffix.lower() in CHAPTER_SUFFIXES
             and not f.name.startswith(".")]
    return sorted(files, key=lambda f: _number(f) or ("", 0))


def read_chapter_folder(folder: Path, reader: str | None = None) -> Story:
    """One story: the first file's header, every file's chapters in number order."""
    from ..ingest import read_story

    stories = [read_story(f, reader) for f in chapter_files(folder)]
    joined = join_parts(stories)
    if len(joined) == 1:
        return joined[0]
    first = stories[0]
    chapters: list[Chapter] = []
    for n, story in enumerate(stories, start=1):
        for chapter in story.chapters:
            # An untitled file is a chapter named by its place (its file name says nothing).
            title = chapter.title if chapter.title or len(story.chapters) > 1 else f"Chapter {n}"
            chapters.append(replace(chapter, title=title))
    images = {a.filename: a for s in stories for a in s.images}
    return replace(first, chapters=tuple(chapters), end_mark=stories[-1].end_mark,
                   images=tuple(images[k] for k in sorted(images)), source=folder)


PARALLEL_READ_MIN = 24  # below this, starting worker processes costs more than it saves


def read_stories(paths: Sequence[Path | str], reader: str | None = None, *,
                 cache: bool = True, labels: Sequence[str] | None = None,
                 config: Path | None = None, meanwhile: Callable[[], None] | None = None,
                 fetch: FetchOptions | None = None,
                 progress: FetchProgress | None = None) -> list[Story]:
    """Read every story (a web address is fetched, `fetch` says how); if any fail, one error
    that lists each failure (and duplicates). `meanwhile` runs while worker processes parse,
    if they do."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    todo: list[tuple[int, Path | str]] = []
    digests: dict[int, str] = {}
    known: dict[int, Story] = {}  # from the cache, or fetched: no workers needed for these
    for n, path in enumerate(paths):
        label = labels[n] if labels else str(path)
        if isinstance(path, str):  # a link: fetched here, one after another (one site at a time)
            if path in seen:
                problems.append(f"{label}: duplicate story: the same link as {seen[path]}")
                continue
            seen[path] = label
            story_or_error = _fetch_one(path, fetch, progress)
            if isinstance(story_or_error, Story):
                known[n] = story_or_error
                todo.append((n, path))
            else:
                # (the message starts with the link, which the label already says)
                problems.append(f"{label}: {story_or_error.message.removeprefix(path + ': ')}"
                                if labels else str(story_or_error))
            continue
        try:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
        except FileNotFoundError:
            problems.append(f"{label}: no such file")
            continue
        except OSError as exc:
            problems.append(f"{label}: cannot be read: {exc.strerror}")
            continue
        if digest in seen:
            problems.append(f"{label}: duplicate story: the same text as {seen[digest]}")
            continue
        seen[digest] = label
        todo.append((n, path))
        digests[n] = digest
        story = cached_story(path, digest, reader) if cache else None
        if story is not None:
            known[n] = story
    fresh = iter(_read_all([(p, digests[n]) for n, p in todo
                            if n not in known and isinstance(p, Path)],  # (links are known)
                           reader, cache, meanwhile))
    stories: list[Story] = []
    for n, path in todo:
        outcome = known[n] if n in known else next(fresh)
        if isinstance(outcome, Story):
            stories.append(outcome)
        else:
            problems.append(f"{labels[n] if labels else path}: {outcome.message}")
    if problems:
        if len(problems) == 1 and config is None:
            raise InputError(None, problems[0])
        raise ConfigError(config, problems)
    return stories


def _read_all(files: list[tuple[Path, str]], reader: str | None, cache: bool,
              meanwhile: Callable[[], None] | None = None) -> list[Story | FicbookError]:
    """Each story (given its path and its bytes' SHA-256), or the error that says why it could
    not be read; on every core for many (`meanwhile` runs as they parse)."""
    cores = os.cpu_count() or 1
    read: list[Story | FicbookError]
    if len(files) < PARALLEL_READ_MIN or cores < 2:
        read = [_read_one(p, d, reader, cache) for p, d in files]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(cores, 8)) as pool:
            results = pool.map(_read_one, *zip(*files, strict=True),
                               [reader] * len(files), [cache] * len(files), chunksize=2)
            if meanwhile is not None:  # this process would only wait for the workers
                meanwhile()
            read = list(results)
    if cache and files:
        prune("stories")  # what was just stored may take the cache past its limit
    return read


def _fetch_one(url: str, options: FetchOptions | None,
               progress: FetchProgress | None) -> Story | FicbookError:
    from ..fetch import fetch_story

    try:
        return fetch_story(url, options, None if progress is None
                           else lambda done, total: progress(url, done, total))
    except FicbookError as exc:
        return exc


def _read_one(path: Path, digest: str, reader: str | None, cache: bool) -> Story | FicbookError:
    try:
        if cache:  # cached_story() found none: parse, and keep it for the next build
            return read_and_keep(path, digest, reader)
        from ..ingest import read_story  # the readers (lxml, nh3...): only when parsing

        return read_story(path, reader)
    except FileNotFoundError:
        return InputError(path, "no such file")
    except OSError as exc:
        return InputError(path, f"cannot be read: {exc.strerror}")
    except FicbookError as exc:
        return exc
