"""AO3 HTML downloads: the preface's tags and stats, chapters with their notes, the afterword.

The same structure is inside AO3's EPUB downloads, so the EPUB reader hands those here too.
AO3's own boilerplate ("Posted originally on the Archive of Our Own at ...", "Please drop by
the Archive and comment ...", "See the end of the work for more notes") is not story text.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape
from pathlib import Path

import lxml.html

from ..errors import InputError
from ..model import Chapter, Metadata, Story
from ..xhtml.language import language_tag
from . import coverage
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
_SERIES = re.compile(r"Part\s+(\d+)\s+of\s+(.+?)\s*$", re.IGNORECASE)
MAX_SERIES_INDEX = 100_000  # a larger "Part N" is no place in a series


def series_part(text: str, anywhere: bool = False) -> tuple[str, float] | None:
    """'Part 2 of Name' -> ('Name', 2.0) (the one reading of AO3's words, used by every
    reader); `anywhere`: the words may follow others. None when absent or the number is absurd."""
    text = text.strip()
    m = _SERIES.search(text) if anywhere else _SERIES.match(text)
    if not m or int(m.group(1)) > MAX_SERIES_INDEX:
        return None
    return m.group(2).strip(), float(m.group(1))


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


# Pages AO3 serves instead of a work: what each one is, for the error that refuses it.
NOTICES = {
    "This work could have adult content": "AO3's adult-content notice, not the work (save the "
                                          "page again after choosing to proceed)",
    "only available to registered users of the Archive": "AO3's notice that the work is for "
                                                         "logged-in users, not the work",
}


def ao3_notice(text: str) -> str:
    """What an AO3 notice page is ('' when the text is no such notice)."""
    if "Archive of Our Own" not in text and "archiveofourown" not in text:
        return ""
    return next((what for phrase, what in NOTICES.items() if phrase in text), "")


def is_ao3_page(text: str) -> bool:
    """An AO3 work page: the work's text block and two of the page's own landmarks (or a
    notice AO3 shows in the work's place, so that it is refused with a reason)."""
    if ao3_notice(text):
        return True
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
    # Nothing lost without a word: the page's main text, counted before the reader takes the
    # page apart, against what the reader kept.
    main = coverage.densest_block(doc)
    shown = coverage.visible_words(main) if main is not None else 0
    if _by_id(doc, "preface") is None and is_ao3_page(text):
        from .ao3page import story_from_page  # the work page reader, loaded when needed

        return coverage.check(story_from_page(doc, path), shown, path)
    return coverage.check(story_from_ao3(doc, path, reader), shown, path)


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
    notes = ["AO3 preface: read as metadata (title, byline, tags, stats, summary, notes); "
             "the archive's notice of where the work was posted left out"]
    if afterword is not None:
        notes.append("AO3 afterword: end notes kept" if meta.end_notes else
                     "AO3 afterword: the archive's request for comments left out")
    return Story(metadata=meta, chapters=tuple(chapters), source=path, reader=reader,
                 reader_notes=tuple(notes))


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
    """The preface by its content, not its class names (calibre renames those in AO3's EPUBs:
    `div.meta` becomes `div.calibre1`)."""
    values: dict[str, object] = {}
    extra: list[tuple[str, str]] = []
    for message in preface.xpath(".//p[contains(@class, 'message')] | .//p[.//b]"):
        m = _WORKS_URL.search(lxml.html.tostring(message, encoding="unicode"))
        if m:
            values["source_url"] = m.group(0).replace("http://", "https://")
            break
    tags = preface.xpath(".//dl[contains(@class, 'tags')]") or preface.xpath(".//dl")
    if tags:
        _tags(tags[0], values, extra)
    meta_div = (preface.xpath(".//div[contains(@class, 'meta')]") or [preface])[0]
    if meta_div.find(".//h1") is None:
        meta_div = preface
    h1 = meta_div.find(".//h1")
    if h1 is not None:
        values["title"] = text_of(h1)
    else:
        title = (doc.findtext(".//title") or "").split(" - ")[0]
        values["title"] = " ".join(title.split())
    authors = _byline(meta_div)
    if authors:
        values["authors"] = authors
    for label, block in _labelled_blocks(meta_div, deep=True):
        if label == "summary":
            values["summary"] = body_fragment(block)
        elif label == "notes":
            values["notes"] = body_fragment(block)
    for ul in meta_div.xpath(".//ul[not(ancestor::blockquote)]"):
        related = "; ".join(text_of(li) for li in ul.iter("li") if text_of(li))
        if related:
            extra.append(("Related works", related))
    return Metadata(title=str(values.pop("title", "")), extra=tuple(extra), **values)  # type: ignore[arg-type]


def _byline(meta_div: lxml.html.HtmlElement) -> tuple[str, ...]:
    """`by <a rel="author">pseud</a>, ...`: the div.byline, else the block that starts "by"."""
    bylines = meta_div.xpath(".//*[contains(@class, 'byline')]") or [
        el for el in meta_div.iter("div", "p")
        if text_of(el).startswith("by ") and el.xpath(".//a[@rel='author']")]
    if not bylines:
        return ()
    authors = [text_of(a) for a in bylines[0].iter("a")]
    if not authors:
        authors = re.split(r",\s*|\s+and\s+", re.sub(r"^by\s+", "", text_of(bylines[0])))
    return tuple(a for a in authors if a)


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
                found = series_part(part)
                if n == 0 and found:
                    values["series"], values["series_index"] = found
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


def _labelled_blocks(parent: lxml.html.HtmlElement,
                     deep: bool = False) -> list[tuple[str, lxml.html.HtmlElement]]:
    """AO3 writes `<p>Summary</p><blockquote class="userstuff">...`: pair labels and quotes
    (the parent's own paragraphs, or any not inside a quote when `deep`)."""
    pairs = []
    paragraphs = parent.xpath(".//p[not(ancestor::blockquote)]") if deep else \
        parent.iterchildren("p")
    for p in paragraphs:
        nxt = p.getnext()
        if nxt is not None and nxt.tag == "blockquote":
            pairs.append((_label(p), nxt))
    return pairs


# Labels of a chapter's end notes (the HTML download's words).
_END_LABELS = {"chapter end notes", "end notes"}


def _chapters(root: lxml.html.HtmlElement) -> list[Chapter]:
    """Chapters from `#chapters`' pieces, told apart by content: a heading with notes, the
    text, the end notes. Class names are not trusted: calibre renames them in AO3's EPUBs."""
    chapters: list[dict[str, str]] = []
    last = ""
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag in {"h2", "h3"}:  # a bare heading: the one chapter's (or work's) title
            chapters.append({"title": text_of(child)})
            last = "head"
            continue
        if not text_of(child) and not child.xpath(".//img"):
            continue  # calibre's page-break markers, empty wrappers left by its splits
        kind = _piece_kind(child)
        if kind == "head":
            has_heading = _heading(child) is not None
            if not chapters or "body" in chapters[-1] or (has_heading and
                                                          "title" in chapters[-1]):
                chapters.append({})
            _chapter_head(child, chapters[-1])
        elif kind == "end":
            if not chapters:
                chapters.append({})
            for label, block in _labelled_blocks(child, deep=True):
                if label in _END_LABELS or label == "notes":
                    chapters[-1]["end_notes"] = body_fragment(block)
        elif chapters and last == "body":  # a chapter calibre split in two files
            chapters[-1]["body"] += _chapter_text(child)
        else:
            if not chapters or "body" in chapters[-1]:
                chapters.append({})
            chapters[-1]["body"] = _chapter_text(child)
        last = kind
    if not chapters and text_of(root):
        chapters.append({"body": body_fragment(root)})
    return [Chapter(title=c.get("title", ""), body=c.get("body", ""),
                    summary=c.get("summary", ""), notes=c.get("notes", ""),
                    end_notes=c.get("end_notes", ""))
            for c in chapters if c.get("body") or c.get("title")]


def _heading(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    first = next((c for c in el if isinstance(c.tag, str)), None)
    return first if first is not None and first.tag in {"h2", "h3", "h4"} else None


def _outside_quotes(el: lxml.html.HtmlElement) -> int:
    """How much text a piece has outside its blockquotes (notes pieces have little)."""
    quoted = sum(len(text_of(q)) for q in el.xpath(".//blockquote[not(ancestor::blockquote)]"))
    return len(text_of(el)) - quoted


def _piece_kind(el: lxml.html.HtmlElement) -> str:
    """'head' (a chapter's heading and notes), 'end' (its end notes) or 'body' (its text)."""
    classes = _classes(el)
    if any(c.startswith("userstuff") for c in classes):  # calibre: userstuff2, ...
        return "body"
    labels = {label for label, _ in _labelled_blocks(el)}
    short = _outside_quotes(el) < 400
    if _heading(el) is not None and ({"meta", "group"} <= classes or short):
        return "head"
    if (labels & _END_LABELS and short) or el.get("id", "").startswith("endnotes"):
        return "end"
    if "meta" in classes and labels:
        return "head" if "group" in classes else "end"
    return "body"


def _chapter_head(el: lxml.html.HtmlElement, current: dict[str, str]) -> None:
    heading = _heading(el)
    if heading is not None:
        current["title"] = text_of(heading)
    for label, block in _labelled_blocks(el):
        if label in {"chapter summary", "summary"}:
            current["summary"] = body_fragment(block)
        elif label in {"chapter notes", "notes"}:
            current["notes"] = body_fragment(block)
    byline = el.xpath("./p[contains(@class, 'byline')]") or [
        p for p in el.iterchildren("p") if text_of(p).startswith("by ")]
    if byline:
        byline_text = escape(text_of(byline[0]), quote=False)
        current["notes"] = f"<p>{byline_text}</p>" + current.get("notes", "")


def _chapter_text(el: lxml.html.HtmlElement) -> str:
    for landmark in el.xpath(".//h3[contains(@class, 'landmark')]"):
        landmark.drop_tree()  # "Chapter Text", AO3's screen-reader label
    return body_fragment(el)


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
