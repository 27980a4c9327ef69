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

from ..anthology.spec import CONFIG_NAME, IMAGE_SUFFIXES, load_spec
from ..errors import FicbookError
from ..ingest import SUFFIXES
from ..theme import builtin_themes_dir, load_theme

Fingerprint = dict[str, tuple[int, int, int | None]]  # path: mtime, size, content hash
# What a build reports: the paths written, or the error that stopped it; and the seconds it took.
Report = Callable[[list[Path] | FicbookError, float], None]


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
        if changed(seen, now):
            start = time.perf_counter()
            try:
                written = build()
                report(written, time.perf_counter() - start)
            except FicbookError as exc:
                report(exc, time.perf_counter() - start)
            # What the build wrote is not an input, even when it lands beside the stories;
            # a save made while it ran is seen on the next look.
            out = {str(p.resolve()) for p in written}
            seen = {path: state for path, state in now.items() if path not in out}
        stop.wait(interval)


def watched_files(inputs: Sequence[Path], theme: str) -> list[Path]:
    """The files a build reads: the inputs (a folder: every file in it), an anthology's folder
    and the story files it names, and a theme of the user's own."""
    files: list[Path] = []
    for item in inputs:
        config = item if item.suffix.lower() == ".toml" else item / CONFIG_NAME
        if config.is_file():
            # What an anthology can name: stories, Markdown matter pages, pictures, the file
            # itself (not an editor's swap files or backups, which would rebuild as you type).
            files += [p for p in _tree(config.parent) if p.suffix.lower() in _PROJECT_SUFFIXES]
            try:
                spec = load_spec(config)
            except FicbookError:
                continue  # half-edited: its folder is watched, the next save is seen
            files += [e.path for e in spec.stories if isinstance(e.path, Path)]  # not links
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


RACY_SECONDS = 2.0


def fingerprint(files: Iterable[Path], exclude: Iterable[Path] = ()) -> Fingerprint:
    """Each file's modification time and size; and for a file modified in the last moments,
    a hash of its content: two saves of the same size within one tick of the filesystem's
    clock have the same time (git calls such files "racily clean")."""
    skip = {str(p.resolve()) for p in exclude}
    recent = time.time_ns() - int(RACY_SECONDS * 1e9)
    found: dict[str, tuple[int, int, int | None]] = {}
    for path in files:
        resolved = str(path.resolve())
        if resolved in skip:
            continue
        try:
            stat = path.stat()
            content = hash(path.read_bytes()) if stat.st_mtime_ns > recent else None
        except OSError:
            found[resolved] = (-1, -1, None)  # gone: that is a change too
            continue
        found[resolved] = (stat.st_mtime_ns, stat.st_size, content)
    return found


def changed(before: Fingerprint | None, now: Fingerprint) -> bool:
    if before is None or before.keys() != now.keys():
        return True
    for path, (mtime, size, content) in now.items():
        old_mtime, old_size, old_content = before[path]
        if (mtime, size) != (old_mtime, old_size):
            return True
        if content is not None and old_content is not None and content != old_content:
            return True
    return False


def _tree(folder: Path) -> list[Path]:
    """Every file under `folder`, hidden ones (.git, .#lock) and editors' backups left out."""
    return [p for p in folder.rglob("*")
            if p.is_file() and not p.name.endswith(_BACKUPS)
            and not any(part.startswith(".") for part in p.relative_to(folder).parts)]


_BACKUPS = ("~", ".swp", ".swo", ".swx", ".bak", ".tmp", ".part")
_PROJECT_SUFFIXES = frozenset({*SUFFIXES, ".toml", *IMAGE_SUFFIXES} - {""})
