"""FanFicFare's EPUBs: its title page read as metadata (its chapters are read as any EPUB's)."""

from __future__ import annotations

import re
from dataclasses import replace

import lxml.html

from ..model import Metadata
from .ao3 import language_code
from .epub_opf import Package, dc
from .header import metadata_from_fields
from .htmlblocks import blocks_of, prepare, split_header
from .series import series_of, status_of

Docs = list[tuple[str, lxml.html.HtmlElement]]
FFF_DROP = {"packaged", "chapters", "author url", "site", "storyid"}


def is_fanficfare(pkg: Package) -> bool:
    contributors = " ".join(c.text or "" for c in dc(pkg, "contributor"))
    names = " ".join(pkg.spine)
    return "FanFicFare" in contributors or "title_page.xhtml" in names or \
        "log_page.xhtml" in names


def read_title_page(meta: Metadata, docs: Docs) -> tuple[Metadata, Docs, list[str]]:
    """The title page's fields over the OPF's metadata; the pages without it; a reader note."""
    title_page = next((d for n, d in docs if "title_page" in n), None)
    if title_page is not None:
        body = title_page.find("body")
        prepare(body)
        fields, _, _ = split_header([b for b in blocks_of(body) if b.kind == "p"])
        kept: list[tuple[str, str]] = []
        for key, value in fields:
            k = key.strip().lower()
            if k in FFF_DROP:
                continue
            if k in {"story url", "url"}:
                meta = replace(meta, source_url=plain_url(value) or meta.source_url)
                continue
            if k == "language":
                code = language_code(value.strip())
                if code:
                    meta = replace(meta, language=code)
                    continue
            if k == "status":
                meta = replace(meta, status=status_of(value))
                continue
            if k == "series":
                series, index = series_of(value)  # a link on the page: its words, not markup
                meta = replace(meta, series=series, series_index=index)
                continue
            if k == "category":
                key = "Fandom"  # FanFicFare's "Category" is the fandom on most sites
            if k in {"summary", "genre"} or (k == "author" and meta.authors):
                if k == "summary" and meta.summary:
                    continue
                if k == "author":
                    continue
                if k == "genre":
                    meta = replace(meta, tags=())  # dc:subject repeats genre and category
            kept.append((key, value))
        meta = metadata_from_fields(kept, meta)
        docs = [(n, d) for n, d in docs if d is not title_page]
        notes = ["FanFicFare title page: read as metadata"]
    else:
        notes = []
    return meta, docs, notes


def plain_url(value: str) -> str:
    m = re.search(r"https?://[^\s\"'<>]+", value)
    return m.group(0) if m else ""
