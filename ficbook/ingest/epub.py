"""EPUBs: ficbook's own (read back exactly), AO3's, FanFicFare's, and EPUBs in general.

Read with zipfile + lxml, defensively: no network, no DTDs, no entity expansion, no `../` or
absolute names, no zip bombs (archive.py). Metadata comes from the OPF (and the title page or
preface where the tool put it); chapters come from the spine, in reading order, without the
tool's own cover, title, contents and log pages.
"""

from __future__ import annotations

import dataclasses
import html
import math
import posixpath
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.etree as etree
import lxml.html

from ..errors import InputError
from ..model import Chapter, Metadata, Story
from ..xhtml import images
from ..xhtml import sanitize as xhtml
from . import coverage, epub_fanficfare, epub_merge
from .ao3epub import is_ao3_epub, story_from_epub
from .archive import read_member
from .decode import read_bytes
from .epub_chapter import has_story_text, sectioned_chapter
from .epub_info import (
    PageFields,
    apply_fields,
    is_information_page,
    read_fields,
    story_title,
)
from .epub_opf import NS, Package, dc, open_package, opf_metadata, package_at
from .htmlblocks import (
    HTML_PARSER,
    body_fragment,
    text_of,
)

# Pages a tool adds around the story (FanFicFare, calibre, Sigil, ficbook itself).
TOOL_PAGES = re.compile(r"(^|[/_-])(cover|titlepage|title_page|title-page|toc|toc_page|"
                        r"contents|nav|log_page|colophon|copyright|about|jacket)[^/]*\.x?html?$",
                        re.IGNORECASE)


def read_epub(path: Path) -> Story:
    return parse_epub(read_bytes(path), path)


def parse_epub(data: bytes, path: Path | None = None) -> Story:
    pkg = open_package(data, path)
    # Pictures come from inside the EPUB, relative to the chapter files; never from outside.
    with images.loading_with(_member_loader(pkg)):
        story = _parse_package(pkg)
    if story.reader == "epub/ficbook":
        return story  # read back exactly
    # Nothing lost without a word: every page's words against what the reader kept.
    return coverage.check(story, _page_words(pkg), path, "the EPUB's pages")


_HEAD = re.compile(r"<head\b.*?</head>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _page_words(pkg: Package) -> int:
    """The words of every page in the EPUB, markup and heads left out."""
    pages = [n for n in pkg.zip.namelist() if n.lower().endswith((".xhtml", ".html", ".htm"))]
    text = " ".join(_TAG.sub(" ", _HEAD.sub(" ", read_member(pkg.zip, name, pkg.path).decode(
        "utf-8", errors="replace"))) for name in pages)
    return coverage.words_in(html.unescape(text))


def _member_loader(pkg: Package) -> images.Loader:
    folders = sorted({posixpath.dirname(name) for name in pkg.spine})
    names = set(pkg.zip.namelist())

    def load(src: str) -> bytes | None:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or src.startswith("/"):
            return None
        for folder in folders:
            name = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
            if name in names and not name.startswith("../"):
                return read_member(pkg.zip, name, pkg.path)
        return None

    return load


def _parse_package(pkg: Package) -> Story:
    props = {m.get("property", "") for m in pkg.metas()}
    if "ficbook:untitled-chapters" in props or any(p.startswith("ficbook:") for p in props):
        own = _ficbook(pkg)
        if own is not None:
            return own  # else: ficbook's properties without its pages, read as any EPUB
    books = epub_merge.book_packages(pkg.manifest, pkg.spine)
    if books:
        return _anthology(pkg, books)
    docs = [(name, pkg.html(name)) for name in pkg.spine]
    if is_ao3_epub([p.text or "" for p in dc(pkg, "publisher")], [d for _, d in docs]):
        return _ao3(pkg, docs)
    if epub_fanficfare.is_fanficfare(pkg):
        return _fanficfare(pkg, docs)
    return _generic(pkg, docs, "epub")


def _anthology(pkg: Package, books: list[tuple[str, list[str]]]) -> Story:
    """Each book of an EpubMerge anthology read as the EPUB it was, then kept as a part."""
    stories = [_parse_package(package_at(pkg.zip, opf, pkg.path, pages))
               for opf, pages in books]
    return epub_merge.merge(opf_metadata(pkg), stories, pkg.path)


# --- ficbook's own books -------------------------------------------------------------------


def _ficbook(pkg: Package) -> Story | None:
    meta = opf_metadata(pkg)
    meta = replace(meta, tags=(), summary="", published="", updated="", source_url="")
    values: dict[str, Any] = {}
    extra_values: dict[str, str] = {}
    extra_keys: dict[str, str] = {}
    untitled: set[int] = set()
    types = {f.name: f.type for f in dataclasses.fields(Metadata)}
    for m in pkg.metas():
        prop = m.get("property", "")
        if not prop.startswith("ficbook:"):
            continue
        name, text = prop[len("ficbook:"):].replace("-", "_"), m.text or ""
        if name == "extra":
            extra_values[m.get("id", "")] = text
        elif name == "extra_key":
            extra_keys[m.get("refines", "").lstrip("#")] = text
        elif name == "label":
            field, _, label = text.partition(":")
            values["labels"] = (*values.get("labels", ()), (field, label))
        elif name == "untitled_chapters":
            untitled = {int(n) for n in text.split() if n.isdigit()}
        elif name in types and name != "title":
            kind = str(types[name])
            if "tuple" in kind:
                values[name] = (*values.get(name, ()), text)
            elif "int" in kind or "float" in kind:
                number = _number(text, int if "int" in kind else float)
                if number is not None:  # an unreadable value is left out, never a crash
                    values[name] = number
            else:
                values[name] = text
    extra = tuple((extra_keys.get(i, ""), v) for i, v in extra_values.items())
    meta = replace(meta, **values, extra=extra)
    chapters: list[Chapter] = []
    end_mark = ""
    for name in pkg.spine:
        root = pkg.xml(name)
        for el in root.iter():
            if isinstance(el.tag, str):
                el.tag = etree.QName(el).localname
        etree.cleanup_namespaces(root)
        section = root.find(".//section[@class='chapter']")
        if section is None:
            continue
        parts = {cls: section.find(f".//*[@class='{cls}']") for cls in (
            "chapter-title", "chapter-summary", "chapter-notes", "text", "end-mark",
            "chapter-end-notes")}
        n = len(chapters) + 1
        title = "" if n in untitled or parts["chapter-title"] is None else \
            "".join(parts["chapter-title"].itertext())
        if parts["end-mark"] is not None:
            end_mark = "".join(parts["end-mark"].itertext())
        chapters.append(Chapter(title=title, body=_inner(parts["text"], strip=True),
                                summary=_inner(parts["chapter-summary"]),
                                notes=_inner(parts["chapter-notes"]),
                                end_notes=_inner(parts["chapter-end-notes"])))
    if not chapters:
        return None
    return Story(metadata=meta, chapters=tuple(chapters), source=pkg.path, end_mark=end_mark,
                 reader="epub/ficbook")


def _number(text: str, kind: type[int] | type[float]) -> int | float | None:
    """A count or a series index as ficbook wrote it; None when it is no finite number."""
    try:
        number = kind(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) and abs(number) < 1e12 else None


def _inner(el: etree._Element | None, strip: bool = False) -> str:
    """An element's content as a sanitized fragment, exactly as ficbook wrote it."""
    if el is None:
        return ""
    text = el.text or ""
    children = list(el)
    parts = [xhtml._escape(text.strip() if strip and not text.strip() else text)]
    for n, child in enumerate(children):
        tail = child.tail
        if strip and n == len(children) - 1 and tail is not None and not tail.strip():
            child.tail = None
        parts.append(etree.tostring(child, encoding="unicode", method="xml", with_tail=True))
        child.tail = tail
    return xhtml.clean("".join(parts))


# --- AO3 -----------------------------------------------------------------------------------


def _ao3(pkg: Package, docs: list[tuple[str, lxml.html.HtmlElement]]) -> Story:
    """AO3's EPUB holds its HTML download split over files by calibre: joined back together
    and read with the AO3 reader (ao3epub.py)."""
    bodies = [body for _, doc in docs if (body := doc.find("body")) is not None]
    return story_from_epub(bodies, pkg.path, opf_metadata(pkg))


# --- FanFicFare ----------------------------------------------------------------------------


def _fanficfare(pkg: Package, docs: list[tuple[str, lxml.html.HtmlElement]]) -> Story:
    meta, docs, notes = epub_fanficfare.read_title_page(opf_metadata(pkg), docs)
    story = _generic(pkg, docs, "epub/fanficfare", meta)
    return replace(story, reader_notes=(*notes, *story.reader_notes))


# --- EPUBs in general -----------------------------------------------------------------------


def _toc_labels(pkg: Package) -> dict[str, str]:
    """zip name -> its label in the table of contents (nav, then NCX)."""
    labels: dict[str, str] = {}
    for _, (name, _media, props) in pkg.manifest.items():
        if "nav" in props.split() and name in pkg.zip.namelist():
            nav = pkg.html(name)
            base = posixpath.dirname(name)
            for a in nav.xpath("//nav[contains(@*[local-name()='type'], 'toc')]//a[@href] "
                               "| //nav[@id='toc']//a[@href]"):
                target = posixpath.normpath(posixpath.join(base, unquote(
                    a.get("href", "").split("#")[0])))
                labels.setdefault(target, text_of(a))
    if labels:
        return labels
    for _, (name, media, _) in pkg.manifest.items():
        if media == "application/x-dtbncx+xml" and name in pkg.zip.namelist():
            ncx = pkg.xml(name)
            base = posixpath.dirname(name)
            for point in ncx.iter(f"{{{NS['ncx']}}}navPoint"):
                label = point.findtext("ncx:navLabel/ncx:text", namespaces=NS) or ""
                content = point.find("ncx:content", NS)
                if content is not None:
                    target = posixpath.normpath(posixpath.join(base, unquote(
                        content.get("src", "").split("#")[0])))
                    labels.setdefault(target, " ".join(label.split()))
    return labels


def _tool_page(pkg: Package, name: str) -> bool:
    for _, (item_name, _, props) in pkg.manifest.items():
        if item_name == name and "nav" in props.split():
            return True
    for ref in pkg.opf.findall("opf:guide/opf:reference", NS):
        target = posixpath.normpath(posixpath.join(pkg.base, unquote(
            ref.get("href", "").split("#")[0])))
        if target == name and ref.get("type", "") in {"cover", "toc", "title-page",
                                                      "copyright-page", "colophon"}:
            return True
    return bool(TOOL_PAGES.search(name))


def _generic(pkg: Package, docs: list[tuple[str, lxml.html.HtmlElement]], reader: str,
             meta: Metadata | None = None) -> Story:
    meta = meta or opf_metadata(pkg)
    chapters, meta, notes = _pages(pkg, docs, meta)
    if not chapters:
        raise InputError(pkg.path, "no story text found in this EPUB")
    if len(chapters) == 1 and chapters[0].title == meta.title:
        chapters = [replace(chapters[0], title="")]
    if not meta.title:
        meta = replace(meta, title=pkg.path.stem if pkg.path else "Untitled")
    return Story(metadata=meta, chapters=tuple(chapters), source=pkg.path, reader=reader,
                 reader_notes=tuple(notes))


def _pages(pkg: Package, docs: list[tuple[str, lxml.html.HtmlElement]],
           meta: Metadata) -> tuple[list[Chapter], Metadata, list[str]]:
    """The spine's pages as chapters; information pages before the first chapter as metadata."""
    labels = _toc_labels(pkg)
    chapters: list[Chapter] = []
    notes: list[str] = []
    bodies = [(name, body) for name, doc in docs
              if (body := doc.find("body")) is not None and text_of(body)]
    only_page = len([n for n, _ in bodies if not _tool_page(pkg, n)]) == 1
    for name, body in bodies:
        if not chapters and not has_story_text(body):
            found = read_fields(body)
            if is_information_page(found):
                if only_page and not found.story:
                    found.keep_all_as_story()  # never the book's only page dropped
                meta = apply_fields(found, meta)
                notes.append(f"{_page_kind(pkg, body, found)}: read as metadata")
                story = _story_after_fields(found, meta, labels.get(name, ""))
                if story is not None:
                    chapters.append(story)
                continue
        if _tool_page(pkg, name):
            continue
        label = labels.get(name, "")
        chapter = sectioned_chapter(body)
        if chapter is not None:
            if chapter.body or chapter.title:
                chapters.append(replace(chapter, title=chapter.title or label))
            continue
        chapter = _plain_chapter(body)
        if chapter is None:
            continue
        if not chapter.title and chapters and not label:
            # A file split mid-chapter (calibre does that): it continues the chapter before.
            last = chapters[-1]
            chapters[-1] = replace(last, body=last.body + chapter.body)
            continue
        chapters.append(replace(chapter, title=chapter.title or label))
    return chapters, meta, notes


def _story_after_fields(found: PageFields, meta: Metadata, label: str) -> Chapter | None:
    """The story that follows an information page's fields, as the page's chapter."""
    if not found.story:
        return None
    body = lxml.html.fragment_fromstring("".join(found.story), create_parent="body",
                                         parser=HTML_PARSER)
    chapter = _plain_chapter(body)
    if chapter is None:
        return None
    return replace(chapter, title=chapter.title or story_title(found, meta) or label)


def _plain_chapter(body: lxml.html.HtmlElement) -> Chapter | None:
    """A page of story text: its leading heading is the chapter's title."""
    heading = next((h for h in body.iter("h1", "h2", "h3") if text_of(h)), None)
    title = ""
    if heading is not None and _first_content(body) is heading:
        assert heading is not None
        title = text_of(heading)
        heading.drop_tree()
    fragment = body_fragment(body)
    return Chapter(title=title, body=fragment) if fragment else None


def _page_kind(pkg: Package, body: lxml.html.HtmlElement, found: PageFields) -> str:
    """'FicHub information page', 'notes page': what the reader set aside, in words."""
    what = "information page" if found.known >= 3 else (
        "notes page" if "notes" in found.rich else "summary page")
    said = " ".join(c.text or "" for c in [*dc(pkg, "contributor"), *dc(pkg, "publisher")])
    said += " " + " ".join(m.get("content", "") for m in pkg.metas())
    page = text_of(body)
    for tool in ("FicHub", "WebToEpub", "FanFicFare", "fanfic-downloader", "AO3Downloader"):
        if tool.lower() in page.lower() or tool.lower() in said.lower():
            return f"{tool} {what}"
    return what[0].upper() + what[1:]


def _first_content(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The first element that carries text (wrappers skipped)."""
    for el in body.iter():
        if el is body or not isinstance(el.tag, str):
            continue
        if el.tag in {"h1", "h2", "h3", "h4", "p", "blockquote", "li", "pre"} and text_of(el):
            return el
        if (el.text or "").strip():
            return el
    return None
