"""AO3 HTML downloads: the preface's tags and stats, chapters with their notes, the afterword.

The same structure is inside AO3's EPUB downloads, so the EPUB reader hands those here too.
AO3's own boilerplate ("Posted originally on the Archive of Our Own at ...", "Please drop by
the Archive and comment ...", "See the end of the work for more notes") is not story text.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import lxml.html

from ..errors import InputError
from ..model import Chapter, Metadata, Story
from ..xhtml.language import language_tag
from .decode import decode, read_bytes
from .htmlblocks import body_fragment, parse_document, text_of

# Preface labels (singular or plural, lowercased) -> Metadata list/str fields.
TAG_FIELDS = {
    "rating": "rating", "ratings": "rating",
    "archive warning": "warnings", "archive warnings": "warnings",
    "category": "categories", "categories": "categories",
    "fandom": "fandoms", "fandoms": "fandoms",
    "relationship": "relationships", "relationships": "relationships",
    "character": "characters", "characters": "characters",
    "additional tag": "tags", "additional tags": "tags", "freeform": "tags",
}
_WORKS_URL = re.compile(r"https?://[^\s\"'<>]*archiveofourown\.org/works/\d+", re.IGNORECASE)
_STAT = re.compile(r"([A-Z][\w ]*?):\s*(\S+)")
_SERIES = re.compile(r"^\s*Part\s+(\d+)\s+of\s+(.+?)\s*$", re.IGNORECASE)


def language_code(name: str) -> str:
    """'English' -> 'en'; a code stays a code; '' when the name is unknown."""
    return language_tag(name) or ""


def is_ao3(text: str) -> bool:
    """Sniff: AO3's download (a #preface naming the archive) or a work page, whole or saved
    as its body alone (recognised by the page's own structure, not by any name)."""
    head = text[:20000]
    if 'id="preface"' in head and ("Archive of Our Own" in head or "archiveofourown" in head):
        return True
    return is_ao3_page(text)


# What only an AO3 work page carries: its ids and class pairs (any quoting a saver left).
_PAGE_MARKS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"""\bid\s*=\s*["']?workskin\b""",
    r"""\bclass\s*=\s*["']?[^"'>]*\bwork meta group\b""",
    r"""\bclass\s*=\s*["']?[^"'>]*\bpreface group\b""",
    r"""\bclass\s*=\s*["']?[^"'>]*\btitle heading\b""",
    r"""\bclass\s*=\s*["']?[^"'>]*\bbyline heading\b""",
    r"""\bclass\s*=\s*["']?[^"'>]*\bsummary module\b""",
    r"""\bclass\s*=\s*["']?[^"'>]*\blandmark heading\b""",
))
_USERSTUFF = re.compile(r"""\bclass\s*=\s*["']?[^"'>]*\buserstuff\b""", re.IGNORECASE)


def is_ao3_page(text: str) -> bool:
    """An AO3 work page: the work's text block and two of the page's own landmarks."""
    if not _USERSTUFF.search(text):
        return False
    return sum(1 for mark in _PAGE_MARKS if mark.search(text)) >= 2


def read_ao3(path: Path) -> Story:
    return parse_ao3(decode(read_bytes(path), path), path)


def parse_ao3(text: str, path: Path | None = None, reader: str = "ao3") -> Story:
    try:
        doc = parse_document(text)
    except InputError:
        raise InputError(path, "the file is empty: there is no story to build") from None
    if _by_id(doc, "preface") is None and is_ao3_page(text):
        from .ao3page import story_from_page  # the work page reader, loaded when needed

        return story_from_page(doc, path)
    return story_from_ao3(doc, path, reader)


def story_from_ao3(doc: lxml.html.HtmlElement, path: Path | None, reader: str = "ao3") -> Story:
    preface = _by_id(doc, "preface")
    preface = doc if preface is None else preface
    meta = _preface(preface, doc)
    afterword = _by_id(doc, "afterword")
    if afterword is not None:
        meta = _afterword(afterword, meta)
    chapters_root = _by_id(doc, "chapters")
    if chapters_root is None:
        raise InputError(path, "this AO3 download has no chapters (no #chapters element)")
    chapters = _chapters(chapters_root)
    if not chapters:
        raise InputError(path, "no story text found in this AO3 download")
    if not meta.title:
        stem = path.stem.replace("_", " ").strip() if path else ""
        meta = replace(meta, title=stem or "Untitled")
    return Story(metadata=meta, chapters=tuple(chapters), source=path, reader=reader)


def _by_id(doc: lxml.html.HtmlElement, ident: str) -> lxml.html.HtmlElement | None:
    found = doc.xpath(f"//*[@id='{ident}']")
    return found[0] if found else None


def _classes(el: lxml.html.HtmlElement) -> set[str]:
    return set(el.get("class", "").split())


def _label(el: lxml.html.HtmlElement) -> str:
    return text_of(el).rstrip(":").strip().lower()


def _values(dd: lxml.html.HtmlElement) -> tuple[str, ...]:
    links = [text_of(a) for a in dd.iter("a")]
    if links:
        return tuple(v for v in links if v)
    return tuple(v.strip() for v in text_of(dd).split(", ") if v.strip())


def _preface(preface: lxml.html.HtmlElement, doc: lxml.html.HtmlElement) -> Metadata:
    values: dict[str, object] = {}
    extra: list[tuple[str, str]] = []
    for message in preface.xpath(".//p[contains(@class, 'message')]"):
        m = _WORKS_URL.search(lxml.html.tostring(message, encoding="unicode"))
        if m:
            values["source_url"] = m.group(0).replace("http://", "https://")
    tags = preface.xpath(".//dl[contains(@class, 'tags')]")
    if tags:
        _tags(tags[0], values, extra)
    meta_div = (preface.xpath(".//div[contains(@class, 'meta')]") or [preface])[0]
    h1 = meta_div.find(".//h1")
    if h1 is not None:
        values["title"] = text_of(h1)
    else:
        title = (doc.findtext(".//title") or "").split(" - ")[0]
        values["title"] = " ".join(title.split())
    byline = meta_div.xpath(".//*[contains(@class, 'byline')]")
    if byline:
        authors = [text_of(a) for a in byline[0].iter("a")]
        if not authors:
            authors = re.split(r",\s*|\s+and\s+", re.sub(r"^by\s+", "", text_of(byline[0])))
        values["authors"] = tuple(a for a in authors if a)
    for label, block in _labelled_blocks(meta_div):
        if label == "summary":
            values["summary"] = body_fragment(block)
        elif label == "notes":
            values["notes"] = body_fragment(block)
    for ul in meta_div.xpath("./ul"):
        related = "; ".join(text_of(li) for li in ul.iter("li") if text_of(li))
        if related:
            extra.append(("Related works", related))
    return Metadata(title=str(values.pop("title", "")), extra=tuple(extra), **values)  # type: ignore[arg-type]


def _tags(dl: lxml.html.HtmlElement, values: dict[str, object],
          extra: list[tuple[str, str]]) -> None:
    for dt in dl.iter("dt"):
        dd = dt.getnext()
        if dd is None or dd.tag != "dd":
            continue
        label = _label(dt)
        key = text_of(dt).rstrip(":").strip()
        if label in TAG_FIELDS:
            field = TAG_FIELDS[label]
            items = _values(dd)
            values[field] = items[0] if field == "rating" and items else items
        elif label == "language":
            name = text_of(dd)
            code = language_code(name)
            if code:
                values["language"] = code
            else:
                extra.append((key, name))
        elif label == "series":
            parts = [p.strip() for p in re.split(r",\s*(?=Part\s)", text_of(dd)) if p.strip()]
            for n, part in enumerate(parts):
                m = _SERIES.match(part)
                if n == 0 and m:
                    values["series"] = m.group(2)
                    values["series_index"] = float(m.group(1))
                else:
                    extra.append((key, part))
        elif label == "stats":
            stats_into(text_of(dd), values, extra)
        elif text_of(dd):
            extra.append((key, ", ".join(_values(dd))))


def stats_into(text: str, values: dict[str, object], extra: list[tuple[str, str]]) -> None:
    """`Published: 2021-10-02 Words: 1,234 Chapters: 2/5` -> dates, word count, status."""
    for key, value in _STAT.findall(text):
        k = key.strip().lower()
        if k == "published":
            values["published"] = value
        elif k in {"updated", "completed"}:
            values["updated"] = value
            values["status"] = "Completed" if k == "completed" else "Work in Progress"
        elif k == "words":
            digits = value.replace(",", "").replace(".", "").replace("\u202f", "")
            if digits.isdigit():
                values["word_count"] = int(digits)
        elif k == "chapters":
            posted, _, total = value.partition("/")
            if total and total == posted:
                values.setdefault("status", "Completed")
            else:
                values["status"] = "Work in Progress"
                extra.append(("Chapters", value))
        else:
            extra.append((key.strip(), value))


def _labelled_blocks(parent: lxml.html.HtmlElement) -> list[tuple[str, lxml.html.HtmlElement]]:
    """AO3 writes `<p>Summary</p><blockquote class="userstuff">...`: pair labels and quotes."""
    pairs = []
    for p in parent.iterchildren("p"):
        nxt = p.getnext()
        if nxt is not None and nxt.tag == "blockquote":
            pairs.append((_label(p), nxt))
    return pairs


def _chapters(root: lxml.html.HtmlElement) -> list[Chapter]:
    chapters: list[dict[str, str]] = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        classes = _classes(child)
        if child.tag in {"h2", "h3"}:  # older downloads: a bare heading per chapter
            chapters.append({"title": text_of(child)})
        elif "meta" in classes and "group" in classes:
            heading = child.xpath(".//h2 | .//h3")
            if not chapters or chapters[-1].get("body") is not None or \
                    (heading and chapters[-1].get("title")):
                chapters.append({})
            current = chapters[-1]
            if heading:
                current["title"] = text_of(heading[0])
            byline = child.xpath(".//p[contains(@class, 'byline')]")
            for label, block in _labelled_blocks(child):
                if label == "chapter summary":
                    current["summary"] = body_fragment(block)
                elif label in {"chapter notes", "notes"}:
                    current["notes"] = body_fragment(block)
            if byline:
                by = f"<p>{_escape(text_of(byline[0]))}</p>"
                current["notes"] = by + current.get("notes", "")
        elif "meta" in classes:  # chapter end notes
            if chapters:
                for label, block in _labelled_blocks(child):
                    if "end notes" in label or label == "notes":
                        chapters[-1]["end_notes"] = body_fragment(block)
        elif "userstuff" in classes or child.tag == "div":
            if not chapters or chapters[-1].get("body") is not None:
                chapters.append({})
            for landmark in child.xpath(".//h3[contains(@class, 'landmark')]"):
                landmark.drop_tree()  # "Chapter Text", AO3's screen-reader label
            chapters[-1]["body"] = body_fragment(child)
    if not chapters and text_of(root):
        chapters.append({"body": body_fragment(root)})
    return [Chapter(title=c.get("title", ""), body=c.get("body", ""),
                    summary=c.get("summary", ""), notes=c.get("notes", ""),
                    end_notes=c.get("end_notes", ""))
            for c in chapters if c.get("body") or c.get("title")]


def _afterword(afterword: lxml.html.HtmlElement, meta: Metadata) -> Metadata:
    end_notes = ""
    extra = list(meta.extra)
    for parent in [afterword, *afterword.iter("div")]:
        for label, block in _labelled_blocks(parent):
            if label in {"end notes", "notes"}:
                end_notes = body_fragment(block)
    for dl in afterword.iter("dl"):
        for dt in dl.iter("dt"):
            works = [text_of(dd) for dd in dt.itersiblings("dd")]
            if works:
                extra.append((text_of(dt).rstrip(":"), "; ".join(works)))
    return replace(meta, end_notes=end_notes or meta.end_notes, extra=tuple(extra))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
