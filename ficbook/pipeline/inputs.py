"""A batch's inputs, streamed: story files and chapter folders one at a time, from the paths
given, the folders under them and a list file, so millions of inputs never sit in memory."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..errors import InputError
from .read import group_chapter_folders


def stream_inputs(inputs: Sequence[Path | str], exclude: Path | None = None,
                  listed: Path | None = None) -> Iterator[Path]:
    """Each thing to build, in order: the files given (a chapter folder's files, when all are
    named, as the folder), the story files under each folder given (sorted, as one sorted list
    of their paths would be), then the same for each line of `listed`. A path given that is
    not there is an error now, before anything is built."""
    items = [Path(p) for p in inputs]
    for item in items:
        if not item.exists():
            raise InputError(item, "no such file or folder")
    if listed is not None and not listed.is_file():
        raise InputError(listed, "no such list file")
    return _stream(items, exclude.resolve() if exclude is not None else None, listed)


def _stream(items: list[Path], skip: Path | None, listed: Path | None) -> Iterator[Path]:
    named = [p for p in items if not p.is_dir()]
    # A handful of paths on the command line: grouped and deduplicated as a whole.
    unit_of = dict(zip(named, _units(named), strict=True))
    given = set(named)
    seen: set[Path] = set()
    for item in items:
        if item.is_dir():
            for path in _walk(item, skip):
                if path not in given:
                    yield path
        elif unit_of[item] not in seen:
            seen.add(unit_of[item])
            yield unit_of[item]
    if listed is not None:
        yield from _listed(listed, skip)


def _units(files: list[Path]) -> list[Path]:
    """Each file's unit: itself, or its chapter folder."""
    folders = set(group_chapter_folders(files)) - set(files)
    return [f.parent if f.parent in folders else f for f in files]


def _walk(folder: Path, skip: Path | None) -> Iterator[Path]:
    """The story files under `folder`, depth first with each folder's entries sorted by name:
    the order of sorted(rglob()). A chapter folder is one unit, where its first file would be."""
    from ..ingest import SUFFIXES

    if skip is not None and folder.resolve().is_relative_to(skip):
        return
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    stories = [Path(e.path) for e in entries if not e.name.startswith(".") and _is_file(e)
               and Path(e.name).suffix and Path(e.name).suffix.lower() in SUFFIXES]
    units = dict(zip(stories, _units(stories), strict=True))
    placed = False
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        if path in units:
            unit = units[path]
            if unit == folder and placed:
                continue
            placed = placed or unit == folder
            yield unit
        elif _is_dir(entry):
            yield from _walk(path, skip)


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _listed(listed: Path, skip: Path | None) -> Iterator[Path]:
    """One path a line (blank lines and `#` comments skipped), relative to the current folder;
    consecutive files of one folder are grouped into their chapter folder as on the command
    line."""
    try:
        lines = listed.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(listed, f"the list cannot be read: {exc.strerror}") from None
    with lines:
        for run in _runs(line.rstrip("\r\n") for line in lines):
            if len(run) == 1 and run[0].is_dir():
                yield from _walk(run[0], skip)
            elif len(run) == 1 and not run[0].is_file():
                yield run[0]  # built as any input: it fails as a story that cannot be read
            else:
                yield from dict.fromkeys(_units(run))


def _runs(lines: Iterable[str]) -> Iterator[list[Path]]:
    """Paths in runs: consecutive existing files of one folder together, a folder alone. A
    path that is not there is yielded alone and fails as a story that cannot be read."""
    run: list[Path] = []
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        path = Path(line)
        if run and (path.is_dir() or not path.is_file() or path.parent != run[0].parent):
            yield run
            run = []
        if path.is_dir() or not path.is_file():
            yield [path]
        else:
            run.append(path)
    if run:
        yield run
