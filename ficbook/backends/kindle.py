"""What Amazon publishes a Kindle book must be, checked on a rendered book (and met for AZW3).

Each rule names its source: Amazon's Kindle Publishing Guidelines (KPG, version 2019.2, the
document Send to Kindle's converter follows for EPUB) and the Send to Kindle help page. A
problem is a line a person can act on; the AZW3 writer logs them and tests/backends keeps
every theme's books free of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from ..model import RenderedBook, TocEntry

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # KPG 10.4: "5 MB per image"
MAX_SEND_BYTES = 50 * 1024 * 1024  # Send to Kindle by e-mail; the app and web take 200 MB
TOC_LEVELS = 2  # KPG 5.2: Kindle devices and apps show two levels of the NCX

_FORCED_COLOUR = re.compile(
    r"(?<![-\w])color\s*:\s*(?:#000(?:000)?|#fff(?:fff)?|black|white|rgb\(\s*0\s*,\s*0\s*,\s*0\s*\))"
    r"\s*[;}!]", re.I)
_FIXED_BODY_SIZE = re.compile(r"(?:^|[},\s])(?:body|p)\s*\{[^}]*font-size\s*:\s*[\d.]+(?:px|pt)",
                              re.I)
_POSITIONED = re.compile(r"position\s*:\s*(?:fixed|absolute)", re.I)
_FONT_FACE = re.compile(r"@font-face", re.I)
_UNSUPPORTED = re.compile(r"<(script|form|iframe|audio|video|object|embed)\b", re.I)


def kindle_problems(rendered: RenderedBook, fonts_asked: bool = False,
                    size: int | None = None) -> list[str]:
    """Every way `rendered` (written as an EPUB of `size` bytes, if known) falls short of
    Amazon's published requirements; `fonts_asked`: the theme's embed_fonts option is on."""
    problems: list[str] = []
    for check in _CHECKS:
        problems += check(rendered, fonts_asked)
    if size is not None and size > MAX_SEND_BYTES:
        problems.append(f"the book is {size / 2**20:.0f} MB; Send to Kindle takes 50 MB by "
                        "e-mail, 200 MB by the app (Send to Kindle help)")
    return problems


def _contents(rendered: RenderedBook, _fonts: bool) -> Iterator[str]:
    linked = {entry.href.split("#")[0] for entry in _entries(rendered.toc)}
    chapters = [p for p in rendered.pages if p.kind == "chapter"]
    # A story of one chapter is one entry, which may lead to its title page first.
    story_linked = {p.story_index for p in rendered.pages if p.filename in linked}
    alone = {p.story_index for p in chapters
             if sum(c.story_index == p.story_index for c in chapters) == 1}
    for page in chapters:
        if page.filename not in linked and page.story_index not in alone & story_linked:
            yield f"{page.filename}: a chapter with no contents entry (KPG 5.2, logical TOC)"


def _cover(rendered: RenderedBook, _fonts: bool) -> Iterator[str]:
    if rendered.cover is None or not any(p.kind == "cover" for p in rendered.pages):
        yield "no cover image and cover page (KPG 4.2, internal cover)"


def _images(rendered: RenderedBook, _fonts: bool) -> Iterator[str]:
    pictures = [a for a in rendered.assets if a.media_type.startswith("image/")]
    for asset in [*pictures, *([rendered.cover] if rendered.cover else [])]:
        if len(asset.data) > MAX_IMAGE_BYTES:
            yield f"{asset.filename}: {len(asset.data) / 2**20:.1f} MB, over 5 MB (KPG 10.4)"


def _fonts(rendered: RenderedBook, fonts_asked: bool) -> Iterator[str]:
    if fonts_asked:
        return
    for asset in rendered.assets:
        if asset.media_type.startswith("font/") or asset.filename.endswith((".otf", ".ttf")):
            yield f"{asset.filename}: a font embedded though embed_fonts is off (KPG 10.3.8)"
        elif asset.media_type == "text/css" and _FONT_FACE.search(asset.data.decode()):
            yield f"{asset.filename}: @font-face though embed_fonts is off (KPG 10.3.8)"


def _styles(rendered: RenderedBook, _fonts: bool) -> Iterator[str]:
    for asset in rendered.assets:
        if asset.media_type != "text/css":
            continue
        css = re.sub(r"/\*.*?\*/", "", asset.data.decode(), flags=re.S)
        if _FORCED_COLOUR.search(css):
            yield (f"{asset.filename}: text forced black or white, unreadable in a Kindle's "
                   "dark mode (KPG 10.3, text colour)")
        if _FIXED_BODY_SIZE.search(css):
            yield f"{asset.filename}: body text in a fixed size (KPG 10.3.1, text uses defaults)"
        if _POSITIONED.search(css):
            yield f"{asset.filename}: fixed or absolute positioning (KPG appendix, CSS support)"


def _markup(rendered: RenderedBook, _fonts: bool) -> Iterator[str]:
    for page in rendered.pages:
        found = _UNSUPPORTED.search(page.xhtml)
        if found:
            yield f"{page.filename}: <{found.group(1)}>, which Kindle does not support (KPG 6)"


_CHECKS: tuple[Callable[[RenderedBook, bool], Iterator[str]], ...] = (
    _contents, _cover, _images, _fonts, _styles, _markup)


def _entries(entries: tuple[TocEntry, ...]) -> Iterator[TocEntry]:
    for entry in entries:
        yield entry
        yield from _entries(entry.children)


def two_level_contents(rendered: RenderedBook) -> RenderedBook:
    """`rendered` with its contents at most two levels deep (KPG 5.2): an anthology's section
    becomes an entry of its own, followed by its stories, each with its chapters under it."""
    if _depth(rendered.toc) <= TOC_LEVELS:
        return rendered
    toc: list[TocEntry] = []
    for entry in rendered.toc:
        if _depth(entry.children) < TOC_LEVELS:
            toc.append(entry)
            continue
        toc.append(replace(entry, children=()))
        toc += [replace(child, children=tuple(replace(e, children=())
                                              for e in _entries(child.children)))
                for child in entry.children]
    return replace(rendered, toc=tuple(toc))


def _depth(entries: tuple[TocEntry, ...]) -> int:
    return 1 + max(_depth(e.children) for e in entries) if entries else 0
