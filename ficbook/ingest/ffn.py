"""FanFiction.net chapter pages, old (2000s) and current layouts: the profile, breadcrumb,
stats line and chapter menu around `#storytext` become metadata; one page is one chapter."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html

from ..errors import InputError
from ..model import Metadata, Story
from .dividers import mark_dividers
from .header import metadata_from_fields
from .htmlblocks import blocks_of, chapters_from_blocks, prepare, text_of
from .text import is_chapter_heading

_CATEGORIES = "anime|book|cartoon|comic|game|misc|movie|play|tv"
_FANDOM_HREF = re.compile(rf"^(?:https?:)?(?://[^/]+)?/(?:{_CATEGORIES})/[^/]+/?$")
_CROSSOVER_HREF = re.compile(r"_Crossovers?/", re.IGNORECASE)
_PAGE_TITLE = re.compile(r"^(?P<title>.+?)(?:\s+Chapter\s+\d+(?::.*?)?)?,\s+an?\s+(?P<fandom>.+?)"
                         r"\s+fanfic(?:tion)?\b", re.IGNORECASE)
_GENRES = {"adventure", "angst", "crime", "drama", "family", "fantasy", "friendship", "general",
           "horror", "humor", "hurt/comfort", "mystery", "parody", "poetry", "romance", "sci-fi",
           "spiritual", "supernatural", "suspense", "tragedy", "western"}
_STATS = {"rated": "Rating", "words": "Words", "published": "Published", "updated": "Updated",
          "status": "Status", "chapters": "Chapters"}
_NOISE = {"reviews", "favs", "follows", "id"}
_GENERIC_CHAPTER = re.compile(r"^chapter\s+\d+$", re.IGNORECASE)


def is_ffn(doc: lxml.html.HtmlElement) -> bool:
    """FanFiction.net (and FictionPress, the same site): the story sits in `#storytext`."""
    return _story(doc) is not None


def _story(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    found = doc.xpath("//*[@id='storytext']")
    return found[0] if found else None


def read_ffn(doc: lxml.html.HtmlElement, path: Path | None) -> Story:
    story = _story(doc)
    if story is None:
        raise InputError(path, "no story text found in this FanFiction.net page")
    meta, notes, meta_chapters = page_metadata(doc, story)
    if not meta.title:
        # No profile and no page title: the file's name, as the other readers do.
        stem = path.stem.replace("_", " ").replace("-", " ").strip().title() if path else ""
        meta = replace(meta, title=stem or "Untitled")
    number, total, name = chapter_menu(doc)
    total = max(total, meta_chapters)
    prepare(story)
    blocks = mark_dividers(blocks_of(story))
    title = name
    if blocks and blocks[0].kind in {"p", "heading"} and is_chapter_heading(blocks[0].text):
        # The author's own "Chapter One" over the text: the chapter's title, said once.
        first = blocks.pop(0).text
        title = name if name and not _GENERIC_CHAPTER.match(name) and \
            name.lower() not in first.lower() else first
    chapters, end_mark = chapters_from_blocks(blocks, meta.title, headings=False)
    if not chapters:
        raise InputError(path, "this FanFiction.net page has no story text in #storytext")
    if total > 1:
        chapters[0] = replace(chapters[0], title=title or f"Chapter {number}")
        notes.append(f"FanFiction.net page: chapter {number} of {total}")
        meta = _one_of_many(meta, number, total)
    else:
        notes.append("FanFiction.net page: the whole story")
    notes.append("site menus, reviews and the chapter menu: left out")
    return Story(metadata=meta, chapters=tuple(chapters), source=path, end_mark=end_mark,
                 reader="html/ffn", reader_notes=tuple(notes))


def _one_of_many(meta: Metadata, number: int, total: int) -> Metadata:
    """The stats count the whole story; the file holds one chapter of it. The whole story's
    size is kept as written, said to be the site's, and is not the book's word count."""
    size = [f"{total} chapters"]
    if meta.word_count:
        size.append(f"{meta.word_count:,} words")
    extra = (*meta.extra, ("Whole story on FanFiction.net",
                           f"{', '.join(size)} (this file holds chapter {number})"))
    return replace(meta, word_count=None, extra=extra)


def chapter_menu(doc: lxml.html.HtmlElement) -> tuple[int, int, str]:
    """(this chapter's number, how many chapters, its name) from the chapter menu."""
    menus = doc.xpath("//select[@id='chap_select' or @name='chapter' or contains(translate("
                      "@title, 'CN', 'cn'), 'chapter nav')]")
    if not menus:
        return 1, 1, ""
    options = menus[0].findall(".//option")
    chosen = next((o for o in options if o.get("selected") is not None), None)
    if chosen is None or not options:
        return 1, max(len(options), 1), ""
    number = options.index(chosen) + 1
    name = re.sub(r"^\s*\d+\.\s*", "", text_of(chosen))
    return number, len(options), name


def page_metadata(doc: lxml.html.HtmlElement,
                  story: lxml.html.HtmlElement) -> tuple[Metadata, list[str], int]:
    """Title, author, fandom, summary and stats (and the stats' chapter count), from wherever
    this layout keeps them."""
    fields: list[tuple[str, str]] = []
    top = doc.find(".//*[@id='profile_top']")
    page_title = _PAGE_TITLE.match(" ".join((doc.findtext(".//title") or "").split()))
    title = ""
    if top is not None and top.find(".//b") is not None:
        title = text_of(top.find(".//b"))
    elif page_title:
        title = page_title.group("title")
    if title:
        fields.append(("Title", title))
    before = _before(doc, story)
    authors = [text_of(a) for a in (top if top is not None else doc).xpath(
        ".//a[contains(@href, '/u/')]") if a in before and text_of(a)]
    if authors:
        fields.append(("Author", authors[0]))
    fandoms = _fandoms(doc, before)
    if not fandoms and page_title:
        fandoms = [page_title.group("fandom")]
    fields += [("Fandom", f) for f in fandoms]
    stats = _stats_text(doc, top, before)
    stat_fields = _stat_fields(stats)
    summary = _summary(doc, top, stats)
    if summary:
        fields.append(("Summary", summary))
    people = [(k, v) for k, v in stat_fields if k in {"Pairing", "Characters"}]
    counts = [v for k, v in stat_fields if k == "Chapters"]
    fields += [kv for kv in stat_fields if kv not in people and kv[0] != "Chapters"]
    meta = metadata_from_fields(fields, Metadata(title=""))
    # Set directly: FFN's names end in an initial and its full stop ("Harry P."), which the
    # header rules would trim as a sentence's end.
    meta = replace(meta, relationships=tuple(v for k, v in people if k == "Pairing"),
                   characters=tuple(n for k, v in people if k == "Characters"
                                    for n in v.split(", ")))
    chapters = int(counts[0].replace(",", "")) if counts and counts[0].replace(",", "").isdigit() \
        else 1
    return meta, ["FanFiction.net profile, breadcrumb and stats: read as metadata"], chapters


def _before(doc: lxml.html.HtmlElement, story: lxml.html.HtmlElement) -> set[object]:
    """Every element that comes before the story text (the page's header area)."""
    out: set[object] = set()
    for el in doc.iter():
        if el is story:
            break
        out.add(el)
    return out


def _fandoms(doc: lxml.html.HtmlElement, before: set[object]) -> list[str]:
    crumbs = doc.find(".//*[@id='pre_story_links']")
    links = [a for a in (crumbs if crumbs is not None else doc).iter("a") if a in before]
    for a in reversed(links):
        href, name = a.get("href", ""), text_of(a)
        if _CROSSOVER_HREF.search(href) or name.endswith(" Crossover"):
            return [p.strip() for p in re.split(r"\s+[+&]\s+", name.removesuffix(" Crossover"))
                    if p.strip()]
        if _FANDOM_HREF.match(href) and name:
            return [name]
    return []


def _stats_text(doc: lxml.html.HtmlElement, top: lxml.html.HtmlElement | None,
                before: set[object]) -> str:
    for span in doc.xpath("//span[@data-xutime]"):
        # The current layout shows "1/5" and keeps the date itself as a Unix time.
        stamp = span.get("data-xutime", "")
        if stamp.isdigit():
            try:
                span.text = datetime.fromtimestamp(int(stamp), UTC).date().isoformat()
            except (OverflowError, OSError, ValueError):
                continue  # no date a calendar holds: the span's text, as shown
            span.tail = " " + (span.tail or "")
            for child in list(span):
                span.remove(child)
    if top is not None:
        found = top.xpath(".//span[contains(@class, 'xgray')]")
        if found:
            return text_of(found[0])
    for node in doc.xpath("//text()[contains(., 'Rated:')]"):
        # The old layout's stats are loose text after an <hr>: the tail of that element.
        parent = node.getparent().getparent() if node.is_tail else node.getparent()
        if parent is not None and parent in before:
            m = re.search(r"Rated:.*?id:\s*\d+", text_of(parent), re.DOTALL)
            if m:
                return m.group(0)
    return ""


def _stat_fields(stats: str) -> list[tuple[str, str]]:
    """`Rated: T - English - Drama/Angst - [Harry P., Draco M.] Ron W. - Words: 1,096 - ...`"""
    fields: list[tuple[str, str]] = []
    parts = [p.strip() for p in stats.split(" - ")]
    for n, part in enumerate(parts):
        key, sep, value = part.partition(":")
        low = key.strip().lower()
        if sep and low in _STATS:
            value = re.sub(r"^Fiction\s+", "", value.strip())
            fields.append((_STATS[low], _date(value) if low in {"published", "updated"}
                           else value))
        elif sep and low in _NOISE:
            continue
        elif n == 1 and not sep:
            fields.append(("Language", part))
        elif not sep and _is_genres(part):
            fields.append(("Genre", ", ".join(_genres(part))))
        elif not sep and part:
            fields += _people(part)
    return fields


def _genres(part: str) -> list[str]:
    # "Hurt/Comfort" is one genre that has a slash in it.
    return re.findall(r"Hurt/Comfort|[^/]+", part)


def _is_genres(part: str) -> bool:
    return all(g.strip().lower() in _GENRES for g in _genres(part))


def _people(part: str) -> list[tuple[str, str]]:
    """Characters, with `[A, B]` pairings as relationships."""
    out = [("Pairing", "/".join(n.strip() for n in group.split(",")))
           for group in re.findall(r"\[([^\]]+)\]", part)]
    names = [n.strip() for n in re.split(r",|&|\[|\]", part) if n.strip()]
    if names:
        out.append(("Characters", ", ".join(names)))
    return out


def _date(value: str) -> str:
    """The old layout's `02-08-06` (month-day-year) as an ISO date; anything else as written."""
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{2})", value.strip())
    if not m:
        return value
    month, day, year = (int(g) for g in m.groups())
    return f"{(1900 if year > 90 else 2000) + year:04d}-{month:02d}-{day:02d}"


def _summary(doc: lxml.html.HtmlElement, top: lxml.html.HtmlElement | None, stats: str) -> str:
    if top is not None:
        found = top.xpath("./div[not(@class) or contains(@class, 'xcontrast_txt')]")
        texts = [text_of(d) for d in found if text_of(d)]
        if texts:
            return texts[0]
    # The old layout puts the summary only in the description, after a generated lead-in:
    # "Chapter 1 of a Harry Potter Drama fanfiction with characters Harry P.. The summary."
    desc = " ".join(str(v) for v in doc.xpath("//meta[@name='description']/@content"))
    desc = " ".join(desc.split())
    for lead in [f"with characters {p.strip()}." for p in stats.split(" - ")] + ["fanfiction."]:
        if lead in desc:
            return desc.split(lead, 1)[1].strip()
    return ""
