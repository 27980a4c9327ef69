"""The fetch cache: works' pages and chapters as sites gave them, so building a work again (in
another theme or format, after an interruption, or to add one new chapter) downloads only what
is missing.

Entries are the site's data, not ficbook's work, so they are kept across ficbook versions and
never pruned for space: a fetched chapter costs the site a request and the reader a wait.
A chapter is keyed by its address and the date the site gives it (if any); a work's page is
kept with the time it was fetched, and used again only while it is fresh."""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from pathlib import Path

from ..errors import FicbookError
from ..fetch.work import ChapterRef, Work
from ..files import atomic_write
from . import cache_dir

FRESH_SECONDS = 3600  # a work's page fetched this recently is not asked for again


def _folder(work_url: str) -> Path:
    return cache_dir() / "fetched" / hashlib.sha256(work_url.encode()).hexdigest()[:32]


def recent_work(url: str, max_age: float = FRESH_SECONDS) -> Work | None:
    """The work's page as fetched within `max_age` seconds, if it was."""
    try:
        data = json.loads((_folder(url) / "work.json").read_text(encoding="utf-8"))
        work = Work.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return work if time.time() - work.fetched_at <= max_age else None


def keep_work(given_url: str, work: Work) -> None:
    """Keep the work's page under the address the user gave and the site's own."""
    data = json.dumps(work.to_json(), ensure_ascii=False).encode()
    for url in dict.fromkeys((given_url, work.url)):
        # A cache that cannot be written only costs time.
        with contextlib.suppress(OSError, FicbookError):
            atomic_write(_folder(url) / "work.json", data)


def _chapter_file(work: Work, chapter: ChapterRef) -> Path:
    name = hashlib.sha256(f"{chapter.url}\0{chapter.date}".encode()).hexdigest()[:32]
    return _folder(work.url) / "chapters" / f"{name}.html"


def chapter(work: Work, ref: ChapterRef) -> str | None:
    """A chapter's HTML as fetched before, if it was (same address, same date)."""
    try:
        return _chapter_file(work, ref).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def keep_chapter(work: Work, ref: ChapterRef, text: str) -> None:
    """Keep a chapter the moment it arrives: a fetch cut short resumes after it."""
    with contextlib.suppress(OSError, FicbookError):
        atomic_write(_chapter_file(work, ref), text.encode())


def forget_chapters(work: Work) -> None:
    """Drop a work's kept chapters (it was edited somewhere: fetch them all again)."""
    folder = _folder(work.url) / "chapters"
    for path in folder.glob("*.html") if folder.is_dir() else ():
        with contextlib.suppress(OSError):
            path.unlink()
