"""Tiny hand-made EPUB archives for the hostile-input tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

CONTAINER = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:'
             'opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" '
             'media-type="application/oebps-package+xml"/></rootfiles></container>')


def opf(title: str = "T", doctype: str = "") -> str:
    """A package with one chapter, c.xhtml; `doctype` goes before the root element."""
    return ('<?xml version="1.0"?>' + doctype + '<package xmlns="http://www.idpf.org/2007/opf" '
            'version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:title>{title}</dc:title></metadata><manifest><item id="c" href="c.xhtml" '
            'media-type="application/xhtml+xml"/></manifest><spine><itemref idref="c"/>'
            '</spine></package>')


OPF = opf()


def epub(path: Path, entries: dict[str, str | bytes]) -> Path:
    """A zip with the EPUB mimetype first, then `entries` as given (hostile names included)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/epub+zip")
        for name, data in entries.items():
            z.writestr(name, data)
    return path
