"""Saved web pages (LiveJournal, Dreamwidth, FFN, Tumblr, blogs): the entry, not the site."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html

from ..errors import InputError
from ..model import Metadata, Story
from .decode import decode, read_bytes
from .header import metadata_from_fields
from .htmlblocks import blocks_of, parse_document, prepare, story_from_blocks, text_of

# Where sites put the post itself, most specific first.
ENTRY_XPATHS = (
    "//*[@id='storytext']",  # FanFiction.net
    "//*[@itemprop='articleBody']",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",  # DW, LJ, WP
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry_text ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' asset-body ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-body ')]",  # Blogger
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' userstuff ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' body-text ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-content ')]",  # Tumblr
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry ')]",
    "//article",
    "//main",
)
ENTRY_TITLE_XPATHS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' post-title ')]",
    "//meta[@property='og:title']/@content",
)
# Site chrome that can sit inside an entry: comment links, share buttons, tag lists, ads.
_CHROME = re.compile(r"(^|[\s_-])(comments?|share|sharing|social|nav|navigation|footer|sidebar|"
                     r"related|breadcrumbs?|pagination|advert\w*|ads?|entry-management|"
                     r"metadata|tag-list|reblog|notes-count|byline-tools|cuttag\w*|cut-open|"
                     r"cut-close)($|[\s_-])",
                     re.IGNORECASE)
_DROP_TAGS = ("script", "style", "nav", "footer", "aside", "form", "iframe", "noscript",
              "button", "header", "menu")


def read_html(path: Path) -> Story:
    return parse_html(decode(read_bytes(path), path), path)


def parse_html(text: str, path: Path | None = None) -> Story:
    try:
        doc = parse_document(text)
    except InputError:
        raise InputError(path, "the file is empty: there is no story to build") from None
    entry = find_entry(doc)
    if entry is None:
        raise InputError(path, "no story text found in this page")
    meta = _ffn_profile(doc)
    _drop_chrome(entry)
    prepare(entry)
    title = _entry_title(doc)
    return story_from_blocks(blocks_of(entry), path, "html", meta, fallback_title=title)


_FFN_STATS = {"rated": "Rating", "words": "Words", "published": "Published",
              "updated": "Updated", "status": "Status", "chapters": "Chapters"}
_FFN_NOISE = {"reviews", "favs", "follows", "id"}


def _ffn_profile(doc: lxml.html.HtmlElement) -> Metadata:
    """FanFiction.net keeps title, author, summary and stats above the story, not in it."""
    top = doc.find(".//*[@id='profile_top']")
    if top is None:
        return Metadata(title="")
    fields: list[tuple[str, str]] = []
    title = top.find(".//b")
    if title is not None:
        fields.append(("Title", text_of(title)))
    fields += [("Author", text_of(a)) for a in top.xpath(".//a[contains(@href, '/u/')]")]
    summary = top.xpath("./div")
    if summary:
        fields.append(("Summary", text_of(summary[0])))
    stats = top.xpath(".//span[contains(@class, 'xgray')]")
    plain = [part.strip() for part in text_of(stats[0]).split(" - ")] if stats else []
    for n, part in enumerate(plain):
        key, sep, value = part.partition(":")
        if sep and key.strip().lower() in _FFN_STATS:
            value = value.strip().removeprefix("Fiction ").strip()
            fields.append((_FFN_STATS[key.strip().lower()], value))
        elif sep and key.strip().lower() in _FFN_NOISE:
            continue
        elif n == 1 and not sep:
            fields.append(("Language", part))
        elif n == 2 and not sep:
            fields.append(("Genre", part.replace("/", ", ")))
        elif not sep:
            fields.append(("Characters", part))
    # The header parser already turns a "Language" field into a BCP 47 tag.
    return metadata_from_fields(fields, Metadata(title=""))


def find_entry(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    for xpath in ENTRY_XPATHS:
        found = [el for el in doc.xpath(xpath) if len(text_of(el)) > 80]
        if found:
            return max(found, key=lambda el: len(text_of(el))) if len(found) > 1 and \
                xpath.endswith("' entry ')]") else found[0]
    return _largest_text_block(doc)


def _largest_text_block(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The element with the most prose directly in it (its own text and paragraphs)."""
    best, best_score = None, 0
    for el in doc.iter("div", "td", "section", "article", "body", "blockquote"):
        score = len((el.text or "").strip()) + sum(
            len((c.tail or "").strip()) + (len(text_of(c)) if c.tag == "p" else 0)
            for c in el if isinstance(c.tag, str))
        if score > best_score:
            best, best_score = el, score
    return best


def _drop_chrome(entry: lxml.html.HtmlElement) -> None:
    for el in list(entry.iter(*_DROP_TAGS)):
        if el is not entry:
            el.drop_tree()
    for el in list(entry.iterdescendants()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        names = f"{el.get('class', '')} {el.get('id', '')}"
        hidden = re.search(r"display\s*:\s*none", el.get("style", ""), re.IGNORECASE)
        if hidden or (_CHROME.search(names) and el.tag not in {"p", "em", "i", "strong"}):
            el.drop_tree()


def _entry_title(doc: lxml.html.HtmlElement) -> str:
    for xpath in ENTRY_TITLE_XPATHS:
        for found in doc.xpath(xpath):
            value = found if isinstance(found, str) else text_of(found)
            value = " ".join(str(value).split())
            if value:
                return value
    title = doc.findtext(".//title") or ""
    # "Title - Site name" / "user: Title": keep the part that is not the site.
    return " ".join(re.split(r"\s+[|–—-]\s+", title.strip())[0].split())
