"""Bytes become text in one place: BOMs, UTF-8, a detected legacy encoding, mojibake repaired."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from ..errors import InputError

log = logging.getLogger(__name__)

# Bigger inputs are almost certainly not a story (or are hostile); refuse before reading.
MAX_INPUT_BYTES = 64 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(path, f"file is {size // 1_000_000} MB; ficbook reads stories up to "
                                   f"{MAX_INPUT_BYTES // 1_000_000} MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a story file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None


def decode(data: bytes, path: Path | None = None) -> str:
    """Decode story bytes to text with normalised newlines."""
    if _looks_binary(data):
        raise InputError(path, "not a text file (it holds binary data): is it the story?")
    text = _decode(data, path)
    if not text.isascii():  # mojibake is never ASCII; ftfy takes 50 ms to import
        import ftfy

        # Repair text that was decoded wrongly before it reached us (UTF-8 read as cp1252).
        text = ftfy.fix_encoding(text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes, path: Path | None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # only legacy (non-UTF) input needs it: 20 ms of start-up

    best = charset_normalizer.from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in {"ascii", "utf_8"}:
        # Mostly UTF-8 with some bad bytes: keep what is good and say so.
        log.warning("%s: invalid UTF-8 bytes replaced with \ufffd", path or "input")
        return data.decode("utf-8", errors="replace")
    log.info("%s: decoded as %s", path or "input", encoding)
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        log.warning("%s: undecodable bytes replaced with \ufffd", path or "input")
        return data.decode("cp1252", errors="replace")


def _looks_binary(data: bytes) -> bool:
    """NUL bytes outside UTF-16/32, or mostly control bytes: an image, archive or program."""
    head = data[:8192]
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return len(head) > 0 and controls / len(head) > 0.1


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
