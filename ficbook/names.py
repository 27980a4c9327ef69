"""Safe output file names from titles and authors that strangers wrote."""

from __future__ import annotations

import re
import unicodedata

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
