"""Cutting a long book into parts: when to, where, and the jobs and results workers exchange."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..html import MARGIN_BOXES, PageSection
from .join import Link

PART_WORDS = 8_000  # words per part: small parts lay out faster per word, each costs ~0.2 s
MIN_WORDS = 40_000  # below this one pass is as fast (tests lower it to exercise this path)
# Sections a part may start with: with --print they open on a right-hand page.
PRINT_OPENERS = ("book-title", "story-title", "contents", "chapter", "section")
# A part is laid out without heads or numbers: they are stamped over its pages when joining.
NO_FURNITURE = "".join(f"@{box} {{ content: none !important; }} " for box in MARGIN_BOXES)


@dataclass(frozen=True)
class Job:
    """One document to lay out in a worker process (picklable): a part of the body ("part"),
    or the front matter, to learn its length ("front-length") or numbered ("front")."""

    index: int  # the part's; -1 for the front matter
    kind: str
    html: str
    pids: tuple[str, ...]
    assets: dict[str, tuple[bytes, str]]
    roots: tuple[str, ...]
    path: str  # where the worker writes the PDF
    write: bool = True


@dataclass(frozen=True)
class Laid:
    """A laid-out document (by a worker, or from the cache)."""

    index: int
    kind: str
    path: str
    pages: int
    starts: dict[str, int]  # section id -> page index in the document
    sizes: dict[str, int]  # section id -> pages it takes, blank pages before the next excluded
    links: tuple[Link, ...]  # links to anchors it does not hold, page index in the document
    fonts: tuple[str, ...]  # the fonts it embeds (their originals are in the temp folder)
    written: bool = True
    looks: tuple[Any, ...] = ()  # a part's pages: [page type, {string: values set on it}]
    selectors: tuple[Any, ...] = ()  # a part's @page selectors (what tells looks apart)
    info: tuple[Any, ...] = ()  # a stamp document's pages: drawn?, number look


def plan_parts(body: Sequence[PageSection], print_layout: bool,
               part_words: int | None = None) -> list[list[PageSection]]:
    part_words = PART_WORDS if part_words is None else part_words  # read now: tests change it
    parts: list[list[PageSection]] = [[]]
    words = 0
    for sec in body:
        can_start = sec.page.kind in PRINT_OPENERS if print_layout else sec.page.kind != "colophon"
        if parts[-1] and can_start and words >= part_words:
            parts.append([])
            words = 0
        parts[-1].append(sec)
        words += sec.words
    return [p for p in parts if p]
