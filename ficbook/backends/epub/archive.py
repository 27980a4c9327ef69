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
from typing import NamedTuple

from ...cache.pages import Deflated
from ...errors import BuildError

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
