"""Files on disk: safe names for books that strangers titled, and the one atomic writer."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

MAX_NAME_BYTES = 150  # leaves room for a suffix and a temp prefix under the 255-byte limit
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def safe_stem(text: str, fallback: str = "book") -> str:
    """A file name stem with no path parts, control or bidi characters, bounded in length."""
    text = unicodedata.normalize("NFC", text)
    # Drop control, format (zero-width, bidi overrides) and unassigned characters.
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _UNSAFE.sub(" ", text)
    text = re.sub(r"\.{2,}", "…", text)  # no ".." in a name, even a harmless one
    text = " ".join(text.split()).strip(" .-")
    while text.encode()[:MAX_NAME_BYTES] != text.encode():
        text = text[:-1]
    text = text.strip(" .-")
    if not text or text.split(".")[0].strip().lower() in _RESERVED:
        text = f"{fallback} {text}".strip() if text else fallback
    return text


def book_stem(title: str, authors: tuple[str, ...]) -> str:
    author = authors[0] + (" et al" if len(authors) > 1 else "") if authors else ""
    return safe_stem(f"{title} - {author}" if author else title)


@contextlib.contextmanager
def atomic_file(target: Path, *, mode: int | None = 0o644,
                drop_old_first: bool = False) -> Iterator[Path]:
    """A temporary file beside `target` to fill; renamed over `target` when the block ends
    without an error, removed when it fails: either the whole new file is there, or the old
    one (if any) is untouched. `mode` None keeps mkstemp's owner-only permissions.

    `drop_old_first` unlinks the old file just before the rename: renaming over a file makes
    ext4 write the new one out first (auto_da_alloc: 10-20 ms a MB), which a cache entry,
    unlike a book, does not need."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".part",
                                    dir=target.parent)
    except OSError as exc:
        raise _naming(exc, target) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if mode is not None:
            os.chmod(tmp, mode)
        if drop_old_first:
            target.unlink(missing_ok=True)
        os.replace(tmp, target)
    except OSError as exc:
        if exc.filename not in (None, name) or exc.errno is None:
            raise  # another file's error (the block read one), or not the system's
        raise _naming(exc, target) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _naming(exc: OSError, target: Path) -> OSError:
    """The error, naming the file the user asked for rather than its temporary name (a full
    disk names no file at all)."""
    return OSError(exc.errno, exc.strerror, str(target))


def atomic_write(target: Path, data: bytes | Callable[[BinaryIO], None], *,
                 mode: int | None = 0o644, drop_old_first: bool = False) -> None:
    """`data` (bytes, or a function that writes them to a file) into `target`, atomically
    (see atomic_file)."""
    with atomic_file(target, mode=mode, drop_old_first=drop_old_first) as tmp, \
            tmp.open("wb") as f:
        if isinstance(data, bytes):
            f.write(data)
        else:
            data(f)
