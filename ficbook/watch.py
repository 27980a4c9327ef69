"""`ficbook build --watch`: build, then build again whenever a file the book is made from changes.

An editor fixing stories one after another keeps one process: imports, compiled templates and
parsed stories stay warm, so each rebuild costs only what changed. Files are polled (their
size and modification time), which needs no extra dependency and works on every filesystem.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .config import CONFIG_NAME, load_spec
from .errors import FicbookError
from .theme import builtin_themes_dir, load_theme

Fingerprint = frozenset[tuple[str, int, int]]
# What a build reports: the paths written, or the error's lines; and the seconds it took.
Report = Callable[[list[Path] | list[str], float], None]


def watch(build: Callable[[], list[Path]], inputs: Sequence[Path], theme: str,
          report: Report, *, interval: float = 0.5,
          stop: threading.Event | None = None) -> None:
    """Run `build` now and after every change to the inputs, until `stop` is set (or Ctrl-C).

    A failed build is reported and watched on: the next save may fix it."""
    stop = stop or threading.Event()
    written: list[Path] = []
    seen: Fingerprint | None = None
    while not stop.is_set():
        now = fingerprint(watched_files(inputs, theme), exclude=written)
        if now != seen:
            seen = now
            start = time.perf_counter()
            try:
                written = build()
                report(written, time.perf_counter() - start)
            except FicbookError as exc:
                report(exc.lines(), time.perf_counter() - start)
            # What the build wrote is not an input, even when it lands beside the stories.
            seen = fingerprint(watched_files(inputs, theme), exclude=written)
        stop.wait(interval)


def watched_files(inputs: Sequence[Path], theme: str) -> list[Path]:
    """The files a build reads: the inputs (a folder: every file in it), an anthology's folder
    and the story files it names, and a theme of the user's own."""
    files: list[Path] = []
    for item in inputs:
        config = item if item.suffix.lower() == ".toml" else item / CONFIG_NAME
        if config.is_file():
            files += _tree(config.parent)
            try:
                spec = load_spec(config)
            except FicbookError:
                continue  # half-edited: its folder is watched, the next save is seen
            files += [entry.path for entry in spec.stories]
            theme = str(spec.settings.get("theme", theme))
        elif item.is_dir():
            files += _tree(item)
        else:
            files.append(item)
    try:
        chain = load_theme(theme).chain
    except FicbookError:
        chain = ()
    builtin = builtin_themes_dir().resolve()
    for folder in chain:
        if not folder.resolve().is_relative_to(builtin):
            files += _tree(folder)
    return files


def fingerprint(files: Iterable[Path], exclude: Iterable[Path] = ()) -> Fingerprint:
    skip = {str(p.resolve()) for p in exclude}
    found = set()
    for path in files:
        resolved = str(path.resolve())
        if resolved in skip:
            continue
        try:
            stat = path.stat()
        except OSError:
            found.add((resolved, -1, -1))  # gone: that is a change too
            continue
        found.add((resolved, stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


def _tree(folder: Path) -> list[Path]:
    """Every file under `folder`, hidden files and folders (.git, caches) left out."""
    return [p for p in folder.rglob("*")
            if p.is_file() and not any(part.startswith(".")
                                       for part in p.relative_to(folder).parts)]
