"""Format sniffing: what a file is, from its first bytes, when the suffix is not enough."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_HTML = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                   re.IGNORECASE | re.DOTALL)


def sniff(path: Path, suffix_format: str | None) -> str | None:
    """A better reader than the suffix says (AO3 HTML, Markdown in a .txt), or None."""
    try:
        with path.open("rb") as f:
            head = f.read(65536)
    except OSError:
        return None  # the reader reports what is wrong with the file
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path) or suffix_format
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    is_html = _HTML.match(head.lstrip(b"\xef\xbb\xbf")) is not None
    if suffix_format in {"html", None, "text"} and (
            is_html or suffix_format == "html" or _AO3_BODY.match(text)):
        from .ao3 import is_ao3  # the readers' modules load only when needed

        if is_ao3(text) or is_ao3(_more_of_an_archive_page(path, head)):
            return "ao3"
        return "html" if is_html or suffix_format == "html" else None
    if suffix_format == "text" and looks_like_markdown(text):
        return "markdown"
    return None


# An AO3 work page saved as its body alone starts with one of the page's own wrappers.
_AO3_BODY = re.compile(r"""^\s*<div\b[^>]*\b(?:id\s*=\s*["']?"""
                       r"""(?:outer|inner|main|workskin|chapters)\b"""
                       r"""|class\s*=\s*["']?[^"'>]*\b(?:work|wrapper|preface group)\b)""",
                       re.IGNORECASE)
_BIG_PAGE = 4 << 20  # enough for any saved AO3 page's scripts and menus before the work


def _more_of_an_archive_page(path: Path, head: bytes) -> str:
    """A saved AO3 page may put its scripts and menus before the work: when the first bytes
    name the archive, read further (bounded) before deciding it is not a work page."""
    if len(head) < 65536 or not re.search(rb"archiveofourown|Archive of Our Own", head):
        return ""
    try:
        with path.open("rb") as f:
            return f.read(_BIG_PAGE).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _zip_kind(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "mimetype" in names and z.open("mimetype").read(64).strip() == \
                    b"application/epub+zip":
                return "epub"
            if "META-INF/container.xml" in names:
                return "epub"
            if "word/document.xml" in names:
                return "docx"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    return None


_HEADING = re.compile(r"^#{1,3} \S", re.MULTILINE)  # one search, not a match per line


def looks_like_markdown(text: str) -> bool:
    """Sniff a .txt file: YAML front matter on top, or `#` headings."""
    text = text.lstrip("\ufeff").lstrip("\n")
    lines = text.split("\n", 4)[:4]
    if lines[0].strip() == "---" and any(
            re.match(r"^[A-Za-z][\w ]*:\s", line) for line in lines[1:4]):
        return True
    return _HEADING.search(text) is not None
