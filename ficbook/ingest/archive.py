"""Zip containers (EPUB, DOCX) opened defensively: no path tricks, no zip bombs."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from ..errors import InputError

MAX_ENTRIES = 5000
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, for entries big enough to matter


def open_zip(data: bytes, path: Path | None, kind: str) -> zipfile.ZipFile:
    """A checked ZipFile over `data`; raises InputError for anything suspicious."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise InputError(path, f"not a valid {kind} file (it is not a zip archive)") from None
    infos = z.infolist()
    if len(infos) > MAX_ENTRIES:
        raise InputError(path, f"{kind} has {len(infos)} files inside; refusing more than "
                               f"{MAX_ENTRIES}")
    total = 0
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
            raise InputError(path, f"{kind} contains an unsafe file name: {name!r}")
        if info.file_size > MAX_ENTRY_BYTES:
            raise InputError(path, f"{kind} entry {name!r} is too large "
                                   f"({info.file_size // 1_000_000} MB)")
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InputError(path, f"{kind} entry {name!r} is suspiciously compressed "
                                   "(a zip bomb?)")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise InputError(path, f"{kind} unpacks to {total // 1_000_000} MB; refusing more than "
                               f"{MAX_TOTAL_BYTES // 1_000_000} MB")
    return z


def read_member(z: zipfile.ZipFile, name: str, path: Path | None) -> bytes:
    """One entry, read with a hard cap (the header's size may lie)."""
    try:
        with z.open(name) as f:
            data = f.read(MAX_ENTRY_BYTES + 1)
    except KeyError:
        raise InputError(path, f"missing {name!r} inside the archive") from None
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise InputError(path, f"cannot read {name!r} inside the archive: {exc}") from None
    if len(data) > MAX_ENTRY_BYTES:
        raise InputError(path, f"{name!r} inside the archive is too large")
    return data
