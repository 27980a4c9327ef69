"""Links inside a story (footnotes and their way back) resolved to the page that holds them.

The sanitizer gives every id a story brings the `n-` prefix and keeps `#name` links as `#n-name`.
A chapter is one page, so such a link may point into another chapter, or at nothing that
survived: here, once the pages are rendered, each one points at the page of its own story
holding its id or loses its link and keeps its words; an id given twice on a page keeps
its first use. Pages with no story links are left as they are, untouched and unparsed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace

from ..model import Page
from ..xhtml.sanitize import ANCHOR_PREFIX

_ID = re.compile(rf'\sid="({ANCHOR_PREFIX}[^"]*)"')
_LINK = re.compile(rf'<a\b([^>]*?)\shref="#({ANCHOR_PREFIX}[^"]*)"([^>]*)>(.*?)</a>', re.DOTALL)


def resolve(pages: tuple[Page, ...]) -> tuple[Page, ...]:
    marked = f'"{ANCHOR_PREFIX}'
    if not any(f"id={marked}" in p.xhtml or f"#{ANCHOR_PREFIX}" in p.xhtml for p in pages):
        return pages
    pages = tuple(_first_ids_only(p) for p in pages)
    where: dict[tuple[int | None, str], str] = {}
    anywhere: dict[str, str] = {}
    for page in pages:
        for name in _ID.findall(page.xhtml):
            where.setdefault((page.story_index, name), page.filename)
            anywhere.setdefault(name, page.filename)
    return tuple(_relinked(p, where, anywhere) for p in pages)


def _first_ids_only(page: Page) -> Page:
    seen: set[str] = set()

    def once(m: re.Match[str]) -> str:
        if m.group(1) in seen:
            return ""
        seen.add(m.group(1))
        return m.group(0)

    xhtml = _ID.sub(once, page.xhtml)
    return page if xhtml == page.xhtml else replace(page, xhtml=xhtml)


def _relinked(page: Page, where: dict[tuple[int | None, str], str],
              anywhere: dict[str, str]) -> Page:
    if f'href="#{ANCHOR_PREFIX}' not in page.xhtml:
        return page
    folder = posixpath.dirname(page.filename)

    def link(m: re.Match[str]) -> str:
        before, name, after, words = m.groups()
        # A story's link stays in that story; an editor's page may point into any.
        target = where.get((page.story_index, name)) or (
            anywhere.get(name) if page.story_index is None else None)
        if target is None:  # nothing by that name reached the book
            attrs = f"{before}{after}".strip()
            return f"<a {attrs}>{words}</a>" if attrs else words
        href = f"#{name}" if target == page.filename else \
            f"{posixpath.relpath(target, folder)}#{name}"
        return f'<a{before} href="{href}"{after}>{words}</a>'

    return replace(page, xhtml=_LINK.sub(link, page.xhtml))
