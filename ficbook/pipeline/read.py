"""A folder of chapter files (`ch01.txt`, `ch02.txt`, ...) read as one story."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..anthology.parts import join_parts
from ..ingest import read_story
from ..ingest.decode import decode
from ..ingest.header import canonical, parse_header
from ..model import Chapter, Story

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
