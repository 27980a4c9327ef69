"""ficbook's cache: one folder, one fingerprint of ficbook's code, one key helper, one pruner,
and the store of parsed stories.

Every store that outlives a build lives in this package, each in its own folder of cache_dir():
parsed stories (here: editors rebuild one anthology many times while fixing one story, and every
story that did not change comes back from here instead of being parsed again), compiled
templates (templates.py), drawn covers and a book's EPUB pages (book.py, pages.py), laid-out PDF
pieces (pdf.py); a batch's manifest lives in its output folder (manifest.py). render() and the
writers are handed one BookCache and ask it for what they need.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import pickle
import time
from functools import cache
from pathlib import Path

from .. import __version__
from ..files import atomic_write
from ..model import Story
from .outline import Bodies, outline_of, story_from

log = logging.getLogger(__name__)
FORMAT = 1


def cache_dir() -> Path:
    """$FICBOOK_CACHE_DIR, else $XDG_CACHE_HOME/ficbook, else ~/.cache/ficbook."""
    explicit = os.environ.get("FICBOOK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ficbook"


@cache
def code_fingerprint() -> str:
    """ficbook's version and its code: the one answer to "did ficbook change?" for every store
    and for the batch's manifest (a changed reader never serves a stale parse, an edited
    renderer never leaves a stale book). By each file's size and time, not its bytes: reading
    the package would cost every build more than the rare reinstall with same-size files."""
    digest = hashlib.sha256(f"{__version__}/{FORMAT}".encode())
    package = Path(__file__).parent.parent
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def key(**parts: object) -> str:
    """The one key helper: a SHA-256 of ficbook's code and the named parts something is made of
    (their repr, so anything with a stable repr can be a part)."""
    named = repr((code_fingerprint(), sorted(parts.items())))
    return hashlib.sha256(named.encode()).hexdigest()


def story_key(digest: str, reader: str | None) -> str:
    """The entry of a file whose bytes have this SHA-256, read by this reader and this code."""
    return key(file_sha256=digest, reader=reader or "")


def read_and_keep(path: Path, digest: str, reader: str | None = None,
                  folder: Path | None = None) -> Story:
    """read_story, the story then kept in the cache for the file's bytes (their SHA-256
    `digest`, which cached_story() found no entry for)."""
    from ..ingest import read_story

    story = read_story(path, reader)
    entry = _entry(digest, reader, folder)
    _store(entry, story)
    _LOADED[(entry, path)] = story
    return story


@cache
def library_stamp(module: str, file: str = "") -> str:
    """Which version of an installed library (its `file`, else its package's __init__) is
    here, by size and time, without importing it: part of the key of what it made."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return ""
    path = Path(spec.origin)
    stat = (path.parent / file if file else path).stat()
    return f"{module}:{stat.st_size}/{stat.st_mtime_ns}"


def cached_story(path: Path, digest: str, reader: str | None = None,
                 folder: Path | None = None) -> Story | None:
    """The story from the cache, or None if a file with these bytes (their SHA-256 `digest`)
    was never read before."""
    return _load(_entry(digest, reader, folder), path, reader)


def _entry(digest: str, reader: str | None, folder: Path | None) -> Path:
    return (folder or cache_dir()) / "stories" / f"{story_key(digest, reader)}.pickle"


# Stories already loaded by this process (a `build --watch` rebuilds in one), by entry and
# path: no unpickling. (By path too: a story reads its text, if it ever must parse it again,
# from the file it was loaded for.)
_LOADED: dict[tuple[Path, Path], Story] = {}
_LOADED_MAX = 4096


def _load(entry: Path, path: Path, reader: str | None) -> Story | None:
    story = _LOADED.get((entry, path))
    if story is None:
        story = _from_outline(entry, path, reader)
        if story is None:  # no outline (pruned, damaged, an older cache): the full entry
            loaded = load_pickle(entry)
            if not isinstance(loaded, Story):
                return None
            story = loaded
            store_pickle(_outline_entry(entry), outline_of(story))  # for the next build
            touch(entry)
    if len(_LOADED) >= _LOADED_MAX:
        _LOADED.clear()
    _LOADED[(entry, path)] = story
    return story.evolve(source=path)


def _outline_entry(entry: Path) -> Path:
    return entry.with_name(entry.name.removesuffix(".pickle") + ".outline.pickle")


def _from_outline(entry: Path, path: Path, reader: str | None) -> Story | None:
    """The story of a full `entry`, from its outline: its chapters' bodies are unpickled from
    the full entry only if something reads them (or parsed again, if it went meanwhile)."""
    outline = load_pickle(_outline_entry(entry))
    if not (isinstance(outline, tuple) and len(outline) == 2 and isinstance(outline[0], Story)
            and isinstance(outline[1], dict) and isinstance(outline[1].get("text_digest"), str)
            and isinstance(outline[1].get("counted_words"), int)):
        return None
    try:
        used = entry.stat().st_mtime
    except OSError:  # pruned: a hit would parse the story in the middle of every build
        return None
    digest = outline[1]["text_digest"]

    def full() -> Story | None:
        story = load_pickle(entry)
        return story if isinstance(story, Story) else None

    def again() -> Story:
        from ..ingest import read_story

        story = read_story(path, reader)
        if story.text_digest != digest:  # the next build parses it, and keeps it anew
            _outline_entry(entry).unlink(missing_ok=True)
        return story

    if used < time.time() - 3600:  # pruning goes by the hour: 600 system calls a rebuild less
        touch(entry)
        touch(_outline_entry(entry))
    return story_from(outline, Bodies(full, again, digest, str(path)))


def _store(entry: Path, story: Story) -> None:
    if story.images:
        return  # the key covers the story's bytes, not the image files it points at
    # Counting 1.5 million words takes 0.4 s: count once, keep the count with the story.
    _ = story.counted_words, story.text_digest  # worked out now: pickled with the story
    store_pickle(entry, story)
    store_pickle(_outline_entry(entry), outline_of(story))  # written last: read first


def load_pickle(entry: Path) -> object | None:
    """What store_pickle() kept at `entry`, or None if it is missing, damaged or not ours."""
    try:
        with entry.open("rb") as f:
            if not ours(os.fstat(f.fileno())):
                log.warning("cache: ignoring %s: another user could have written it", entry)
                return None
            value: object = pickle.load(f)
            return value
    except Exception:  # any damage (garbage can raise almost anything) is a miss
        return None


def ours(stat: os.stat_result) -> bool:
    """Written by this user and writable by no one else: unpickling runs code, so a cache
    entry someone else could have placed (a shared or world-writable folder) is not read."""
    return (not hasattr(os, "geteuid") or stat.st_uid == os.geteuid()) and not stat.st_mode & 0o022


def store_pickle(entry: Path, value: object) -> None:
    """Write atomically (a reader never sees half an entry); a failure only costs speed."""
    try:
        atomic_write(entry, lambda f: pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL),
                     mode=None, drop_old_first=True)
    except OSError as exc:  # a read-only or full disk costs speed, never the build
        log.debug("cache: cannot store %s: %s", entry, exc)


LIMIT = 512 * 1024 * 1024  # per kind of entry; pruned to 3/4, least recently used first


def touch(entry: Path) -> None:
    """Mark an entry used now: pruning takes the ones unused the longest."""
    with contextlib.suppress(OSError):
        os.utime(entry)


def prune(kind: str, limit: int = LIMIT, folder: Path | None = None) -> bool:
    """The one pruner: keep one kind of entry ("stories", "zip", "covers", "pdf") under `limit`
    bytes, dropping the least recently used first, down to 3/4 of it: an editor's every edit
    and a batch's every story leave an entry, and nothing else would ever remove them. An
    entry is every file named `<key>.*` (a PDF piece's .json and .pdf go together); it was
    used when its newest file was. True if anything went."""
    entries: dict[str, list[tuple[float, int, str]]] = {}
    try:
        # os.scandir, not Path.glob: a thousand entries are looked at after every parse.
        with os.scandir((folder or cache_dir()) / kind) as found:
            for item in found:
                if item.name.startswith(".") or not item.is_file(follow_symlinks=False):
                    continue  # a write in progress, or a folder of its own (PDF fonts)
                stat = item.stat(follow_symlinks=False)
                entries.setdefault(item.name.split(".", 1)[0], []).append(
                    (stat.st_mtime, stat.st_size, item.path))
    except OSError:
        return False
    total = sum(size for files in entries.values() for _, size, _ in files)
    if total <= limit:
        return False
    for files in sorted(entries.values(), key=lambda files: max(files)[0]):  # oldest first
        for _, size, path in files:
            with contextlib.suppress(OSError):
                os.unlink(path)
                total -= size
        if total <= limit * 3 // 4:
            break
    return True
