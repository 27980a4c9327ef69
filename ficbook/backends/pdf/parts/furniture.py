"""Which heads and numbers stamps a book joined from parts needs, which the cache already has,
and which to lay out (stamps.py explains the stamps). Runs in the main process, in book order
as the parts' first pages become known.

Heads are looked up one look at a time (a small pointer per look, to the cache entry of the
stamp document that holds it), so a look laid out in any earlier build is found wherever it
was; numbers are laid out in blocks of NUMBER_BLOCK page numbers per number look and side,
keyed by the block alone, so they are found again whatever moved.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ....cache.pdf import PieceCache
from .join import Stamp
from .stamps import look_key

FURNISH_PAGES = 120  # heads looks laid out per weasyprint document (each run costs ~0.2 s)
NUMBER_BLOCK = 240  # page numbers per numbers document (half of them: one side's)


@dataclass(frozen=True)
class StampJob:
    """A stamp document to lay out in a worker process (picklable)."""

    index: int
    kind: str  # "heads" or "numbers"
    html: str
    requests: tuple[dict[str, Any], ...]
    key_text: str  # what its cache key is made of
    assets: dict[str, tuple[bytes, str]]
    roots: tuple[str, ...]
    path: str
    write: bool = True


@dataclass
class _Page:
    look: str
    ptype: list[Any]
    strings: list[list[Any]]


@dataclass
class Furniture:
    """The stamps of every body page (page index in the book -> its stamps)."""

    stamp_html: Callable[[int], str]  # a stamp document of that many empty sheets
    assets: dict[str, tuple[bytes, str]]
    roots: tuple[str, ...]
    tmp: Path
    store: PieceCache | None
    pages: dict[int, _Page] = field(default_factory=dict)
    looks: dict[str, dict[str, Any]] = field(default_factory=dict)  # look -> stamp, number look
    bare: set[str] = field(default_factory=set)  # page types that show no margin box at all
    asked: set[str] = field(default_factory=set)  # looks being laid out
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)  # looks to lay out
    blocks: dict[tuple[str, int, int], dict[int, Stamp]] = field(default_factory=dict)
    entries: dict[str, str] = field(default_factory=dict)  # cache entry -> its PDF here
    carried: dict[str, str] = field(default_factory=dict)  # named strings so far
    selectors: list[list[Any]] = field(default_factory=list)
    count: int = 0

    def add_part(self, offset: int, looks: Sequence[Sequence[Any]], blank_before: bool,
                 selectors: Sequence[Sequence[Any]]) -> None:
        """A placed part's pages (their types and strings as laid out alone), from `offset`
        on; a blank page before it when the join adds one (a right-hand opening)."""
        self.selectors = [list(s) for s in selectors] or self.selectors
        flip = offset % 2 == 1  # laid out alone, a part starts on page 1's side
        if flip and any(ptype[1] for ptype, _ in looks):
            raise RuntimeError("parts: a part with blank pages starts on the other side")
        if blank_before and looks:
            side = looks[0][0][0]
            other = "left" if side == "right" else "right"
            self._add(offset - 1, [other, True, "", offset - 1, []], {})
        for i, (ptype, assigned) in enumerate(looks):
            side, blank, name, _index, groups = ptype
            if flip:
                side = "left" if side == "right" else "right"
            self._add(offset + i, [side, blank, name, offset + i, groups], assigned)

    def _add(self, page: int, ptype: list[Any], assigned: dict[str, list[str]]) -> None:
        strings = [[name, list(assigned.get(name, ())), self.carried.get(name)]
                   for name in sorted({*self.carried, *assigned})]
        for name, values in assigned.items():
            if values:
                self.carried[name] = values[-1]
        key, vector = look_key(self.selectors, ptype, strings)
        self.pages[page] = _Page(key, ptype, strings)
        if key in self.looks or key in self.asked or key in self.pending:
            return
        if vector not in self.bare and self.store is not None and self.store.pointer(
                self.store.key("bare", self.stamp_html(0) + vector)) is not None:
            self.bare.add(vector)
        if vector in self.bare:  # (title pages, chapter openings): no stamp, whatever moved
            self.looks[key] = {"stamp": None, "number_look": None}
            return
        found = self._pointer(key)
        if found is not None:
            self.looks[key] = found
        else:
            self.pending[key] = {"look": key, "vector": vector, "type": ptype,
                                 "strings": strings}

    def _pointer(self, key: str) -> dict[str, Any] | None:
        if self.store is None:
            return None
        data = self.store.pointer(self.store.key("look", self.stamp_html(0) + key))
        if data is None:
            return None
        path = self._entry(str(data.get("entry")))
        if path is None:
            return None
        return {"stamp": (path, int(data["page"])) if data.get("drawn") else None,
                "number_look": data.get("number_look"),
                "number_strings": data.get("number_strings", True)}

    def _entry(self, key: str) -> str | None:
        """A cached stamp document's PDF, placed in the temporary folder once."""
        if key not in self.entries:
            path = self.tmp / f"stamps-{len(self.entries)}-{key[:16]}.pdf"
            if self.store is None or self.store.get(key, self.tmp, path) is None:
                return None
            self.entries[key] = str(path)
        return self.entries[key]

    def jobs(self, final: bool) -> list[StampJob]:
        """Stamp documents to lay out now: heads once enough new looks wait (all at the end),
        then every block of numbers whose look is known and that nothing holds yet."""
        out = []
        if self.pending and (final or len(self.pending) >= FURNISH_PAGES):
            requests = tuple(self.pending.values())
            self.asked.update(self.pending)
            self.pending = {}
            html = self.stamp_html(len(requests))
            out.append(self._job("heads", html, requests, html + json.dumps(requests)))
        wanted: dict[tuple[str, int, int], tuple[_Page, bool]] = {}
        for page, info in self.pages.items():
            look = self.looks.get(info.look)
            if look is None or look.get("number_look") is None:
                continue
            block = (str(look["number_look"]), page // NUMBER_BLOCK, page % 2)
            if block not in self.blocks:
                wanted.setdefault(block, (info, bool(look.get("number_strings", True))))
        for block, (info, strings) in wanted.items():
            number_look, index, parity = block
            numbers = range(index * NUMBER_BLOCK + parity, (index + 1) * NUMBER_BLOCK, 2)
            key_text = self.stamp_html(0) + json.dumps([number_look, index, parity])
            cached = self._cached("numbers", key_text)
            if cached is not None:
                self.blocks[block] = {n: (cached, i) for i, n in enumerate(numbers)}
                continue
            self.blocks[block] = {}  # asked
            # Without the strings when they cannot change it: no heads text to lay out.
            requests = tuple({"type": info.ptype, "strings": info.strings if strings else [],
                              "number": n + 1, "block": list(block)} for n in numbers)
            out.append(self._job("numbers", self.stamp_html(len(requests)), requests, key_text))
        return out

    def _cached(self, kind: str, key_text: str) -> str | None:
        if self.store is None:
            return None
        return self._entry(self.store.key(kind, key_text))

    def _job(self, kind: str, html: str, requests: tuple[dict[str, Any], ...],
             key_text: str) -> StampJob:
        self.count += 1
        return StampJob(self.count, kind, html, requests, key_text, self.assets, self.roots,
                        os.path.join(self.tmp, f"{kind}-{self.count}.pdf"))

    def finished(self, job_requests: Sequence[dict[str, Any]], kind: str, path: str,
                 info: Sequence[dict[str, Any]], entry: str | None) -> None:
        """A stamp document laid out (or found in the cache by its own key)."""
        for i, (request, page) in enumerate(zip(job_requests, info, strict=True)):
            if kind == "numbers":
                block = tuple(request["block"])
                self.blocks[block][request["number"] - 1] = (path, i)
                continue
            key = request["look"]
            self.asked.discard(key)
            self.looks[key] = {"stamp": (path, i) if page["drawn"] else None,
                               "number_look": page["number_look"],
                               "number_strings": page.get("number_strings", True)}
            if not page.get("boxes", True) and request["vector"] not in self.bare:
                self.bare.add(request["vector"])
                if self.store is not None:
                    self.store.point(self.store.key("bare", self.stamp_html(0)
                                                    + request["vector"]), {"bare": True})
            if self.store is not None and entry is not None:
                self.store.point(self.store.key("look", self.stamp_html(0) + key),
                                 {"entry": entry, "page": i, "drawn": page["drawn"],
                                  "number_look": page["number_look"],
                                  "number_strings": page.get("number_strings", True)})

    def busy(self) -> bool:
        return bool(self.pending or self.asked)

    def stamps(self) -> dict[int, list[Stamp]]:
        """Every body page's stamps: heads, then its number."""
        out: dict[int, list[Stamp]] = {}
        for page, info in self.pages.items():
            look = self.looks[info.look]
            drawn = [look["stamp"]] if look["stamp"] is not None else []
            if look["number_look"] is not None:
                drawn.append(self.blocks[str(look["number_look"]), page // NUMBER_BLOCK,
                                         page % 2][page])
            if drawn:
                out[page] = drawn
        return out
