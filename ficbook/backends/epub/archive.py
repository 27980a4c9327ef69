"""The EPUB's zip: reproducible, deflated on every core, reusing what the last build deflated.

zipfile cannot write an entry that is compressed already, and deflating ten megabytes of XHTML
is most of the time an anthology rebuild takes, so the archive is written here: mimetype first
and stored, then the entries in name order, every timestamp fixed (the same book gives the
same bytes, as Standard Ebooks' tools do). The format is PKZIP's APPNOTE, without zip64: an
EPUB over 4 GB or 65,535 files is refused.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ...cache import cache_dir, load_pickle, prune, store_pickle
from ...errors import BuildError
from ...model import Page

DOS_DATE = (2000 - 1980) << 9 | 1 << 5 | 1  # 2000-01-01, 00:00:00
LEVEL = 6
THREADED_BYTES = 1_000_000
_PACKED = (".jpg", ".jpeg", ".png", ".gif", ".woff", ".woff2")  # deflating again gains ~nothing
_UTF8_NAME = 0x800
_UNIX_FILE = 0o100644 << 16


@dataclass(frozen=True)
class Member:
    name: str
    crc: int
    size: int
    method: int  # 0 stored, 8 deflated
    data: bytes  # as it is in the archive


# What earlier builds deflated: sha256 of an entry's bytes -> its CRC and deflated bytes.
Deflated = dict[bytes, tuple[int, bytes]]


class Reused(NamedTuple):
    """An entry whose bytes this build never made: the last build's, by SHA-256 and size."""

    digest: bytes
    size: int


def members(files: Sequence[tuple[str, bytes | Reused]], reuse: Deflated | None = None,
            kept: Deflated | None = None,
            digests_of: dict[str, tuple[bytes, int]] | None = None) -> list[Member]:
    """`files` as zip members: "mimetype" first and stored, the rest by name and deflated
    (from `reuse` when an entry's bytes are the same, or it is Reused; every deflated entry
    goes into `kept`, and its SHA-256 and size by name into `digests_of`)."""
    reuse = reuse or {}
    ordered = sorted(files, key=lambda f: (f[0] != "mimetype", f[0]))
    stored = [n == "mimetype" or n.lower().endswith(_PACKED) for n, _ in ordered]
    digests = [data.digest if isinstance(data, Reused) else
               b"" if keep else hashlib.sha256(data).digest()
               for (_, data), keep in zip(ordered, stored, strict=True)]
    todo = [(digest, data) for (_, data), digest in zip(ordered, digests, strict=True)
            if isinstance(data, bytes) and digest and digest not in reuse]
    # zlib lets go of the GIL while it deflates: for a big book two threads use both cores,
    # each taking every other entry (a thousand one-page tasks would cost more than that).
    # A short story's pages deflate faster than threads start.
    if sum(len(data) for _, data in todo) < THREADED_BYTES:
        done = [(digest, _deflate(data)) for digest, data in todo]
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = [entry for batch in pool.map(lambda part: [
                (digest, _deflate(data)) for digest, data in todo[part::2]], (0, 1))
                for entry in batch]
    found = dict(reuse)
    found.update(done)
    out = []
    for (name, data), keep, digest in zip(ordered, stored, digests, strict=True):
        if isinstance(data, Reused):
            crc, packed = reuse[digest]
            out.append(Member(name, crc, data.size, 8, packed))
        elif keep:
            out.append(Member(name, zlib.crc32(data), len(data), 0, data))
            continue
        else:
            crc, packed = found[digest]
            out.append(Member(name, crc, len(data), 8, packed))
        if kept is not None:
            kept[digest] = (crc, packed)
        if digests_of is not None:
            digests_of[name] = (digest, out[-1].size)
    return out


def _deflate(data: bytes) -> tuple[int, bytes]:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)  # raw deflate, as zip wants
    return zlib.crc32(data), packer.compress(data) + packer.flush()


def pack(entries: Sequence[Member]) -> bytes:
    if len(entries) >= 0xFFFF:
        raise BuildError(None, f"an EPUB of {len(entries)} files is more than a zip can index")
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for m in entries:
        name = m.name.encode()
        flags = 0 if m.name.isascii() else _UTF8_NAME
        if max(m.size, len(m.data), offset) >= 0xFFFFFFFF:
            raise BuildError(None, "the EPUB would be over 4 GB, more than a zip can hold")
        fixed = (20, flags, m.method, 0, DOS_DATE, m.crc, len(m.data), m.size, len(name))
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", *fixed, 0)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 3 << 8 | 20, *fixed,
                                   0, 0, 0, 0, _UNIX_FILE, offset) + name)
        out += (local, name, m.data)
        offset += len(local) + len(name) + len(m.data)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(directory), offset, 0)
    return b"".join(out) + directory + end


# The package documents (container, OPF, NCX, nav) by zip path, and the key of what they
# were written from.
Package = tuple[str, dict[str, bytes]]


_FORMAT = 2  # what a ZipCache entry holds; another is a miss


class PageRecord(NamedTuple):
    """A page as the last build wrote it: the Page fields, and its bytes' SHA-256 and size."""

    filename: str
    title: str
    kind: str
    landmark: str
    story_index: int | None
    digest: bytes
    size: int


class ZipCache:
    """What the last build of one output file lends the next, in ficbook's cache folder: its
    deflated entries; its package documents with the key of what they were made from; and
    each story's pages, by the key of what render() made them from (render() asks for them
    through pages() and hands new ones to keep(); the EPUB backend saves them)."""

    def __init__(self, target: Path, folder: Path | None = None) -> None:
        key = hashlib.sha256(str(target.resolve()).encode()).hexdigest()
        self._entry = (folder or cache_dir()) / "zip" / f"{key}.pickle"
        self._deflated: Deflated = {}
        self._package: Package | None = None
        self._stories: dict[str, list[PageRecord]] = {}
        self._used: dict[str, list[PageRecord]] = {}  # this build's, from the last
        self._new: dict[str, list[Page]] = {}  # this build's, rendered again
        kept = load_pickle(self._entry)
        if (isinstance(kept, dict) and kept.get("format") == _FORMAT
                and isinstance(kept.get("deflated"), dict)):
            self._deflated = kept["deflated"]
            package, stories = kept.get("package"), kept.get("stories")
            if isinstance(package, tuple) and len(package) == 2:
                self._package = package
            if isinstance(stories, dict):
                self._stories = stories

    def deflated(self) -> Deflated:
        return self._deflated

    def package(self, key: str) -> dict[str, bytes] | None:
        """The package documents, if the last build wrote them from the same `key`."""
        return self._package[1] if self._package and self._package[0] == key else None

    def pages(self, key: str) -> list[Page] | None:
        """A story's pages from the last build, made from the same `key`: each holds its
        bytes' SHA-256 and size instead of its XHTML (the deflated bytes are here)."""
        records = self._stories.get(key)
        if not isinstance(records, list) or not records or not all(
                isinstance(r, PageRecord) and r.digest in self._deflated for r in records):
            return None
        self._used[key] = records
        return [Page(r.filename, r.title, "", r.kind, r.landmark, r.story_index, r.digest,
                     r.size) for r in records]

    def keep(self, key: str, pages: list[Page]) -> None:
        """A story's pages, rendered again: saved with their digests by save()."""
        self._new[key] = pages

    def save(self, deflated: Deflated, package: Package,
             digests: dict[str, tuple[bytes, int]]) -> None:
        """Keep this build's entries and pages (not the last one's too: it never grows), given
        each page's SHA-256 and size by filename; nothing is written when nothing changed,
        since a 3 MB rewrite costs a rebuild ~20 ms."""
        stories = dict(self._used)
        for key, pages in self._new.items():
            stories[key] = [PageRecord(p.filename, p.title, p.kind, p.landmark, p.story_index,
                                       *digests[p.filename]) for p in pages]
        same = (deflated.keys() == self._deflated.keys() and stories.keys() == self._stories.keys()
                and package[0] == (self._package or ("",))[0])
        self._deflated, self._package, self._stories = deflated, package, stories
        self._used, self._new = {}, {}
        if not same:
            store_pickle(self._entry, {"format": _FORMAT, "deflated": deflated,
                                       "package": package, "stories": stories})
            prune("zip")  # one entry per book built
