"""Saved web pages (LiveJournal, Dreamwidth, FFN, Tumblr, blogs): the entry, not the site."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path

import lxml.etree
import lxml.html

from ..errors import InputError
from ..model import Metadata, Story
from . import coverage, ffn, ljdw, pagekind
from .decode import decode, read_bytes
from .dividers import mark_dividers
from .header import canonical, metadata_from_fields, parse_header, read_subject
from .htmlblocks import (
    _BR,
    Block,
    blocks_of,
    parse_document,
    prepare,
    split_header,
    story_from_blocks,
    text_of,
)

# Where sites put the post itself, most specific first.
ENTRY_XPATHS = (
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
    fields, text = page_fields(text, path)
    try:
        pristine = parse_document(text)  # the page as saved: never changed, for the checks
    except InputError:
        raise InputError(path, "the file is empty: there is no story to build") from None
    doc = copy.deepcopy(pristine)  # the readers rewrite their copy
    if ffn.is_ffn(doc):
        story = ffn.read_ffn(doc, path)
        if fields:
            story = story.evolve(metadata=metadata_from_fields(fields, story.metadata))
        return coverage.check(story, _entry_words(pristine, "//*[@id='storytext']"), path)
    entry, container = find_entry(doc)
    if entry is None:
        pagekind.refuse_if_not_a_story(pristine, text_of(pristine), None, path)
        raise InputError(path, "no story text found in this page")
    where = doc.getroottree().getpath(entry)
    story = _read_entry(doc, entry, path, fields)
    pagekind.refuse_if_not_a_story(pristine, _plain(story), pristine.xpath(where)[0], path,
                                   container=container)
    story = _better_candidate(pristine, story, where, path, fields)
    return coverage.check(story, _entry_words(pristine, where), path)


def page_fields(text: str, path: Path | None) -> tuple[list[tuple[str, str]], str]:
    """Metadata a page carries outside its text: YAML front matter on top of the file, or a
    `key: value` block in an HTML comment (`<!-- STORYINFO title: ... -->`)."""
    from .markdown import _front_matter  # the Markdown reader's YAML rules, not a copy

    lines = text.lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    found, rest = _front_matter(lines, path) if _mapping_block(lines) else (None, lines)
    fields = list(found or [])
    if found is not None:
        text = "\n".join(rest)
    for comment in _COMMENT.findall(text[:200_000])[:20]:
        header = parse_header([line.strip() for line in comment.split("\n")])
        if sum(canonical(k) is not None for k, _ in header.fields) >= 2:
            fields += header.fields
            break
    return fields, text


_YAML_LINE = re.compile(r"^(?:[A-Za-z_][\w .-]*:(?:\s|$)|\s+\S|-\s|#)")


def _mapping_block(lines: list[str]) -> bool:
    """A leading `---` block of `key: value` lines is front matter; `---` around paragraphs is
    the story's scene breaks, and stays in the text."""
    if not lines or lines[0].strip() != "---":
        return False
    block: list[str] = []
    for line in lines[1:2000]:
        if line.strip() in {"---", "..."}:
            break
        block.append(line)
    else:
        return False
    said = [line for line in block if line.strip()]
    return not said or (bool(re.match(r"^[A-Za-z_]", said[0])) and
                        all(_YAML_LINE.match(line) for line in said))


_COMMENT = re.compile(r"<!--(.{0,4000}?)-->", re.DOTALL)


def _entry_words(pristine: lxml.html.HtmlElement, where: str) -> int:
    """The visible words of the page's story container, counted on the page as saved (the
    reader has since rewritten its copy)."""
    found = pristine.xpath(where)
    return coverage.visible_words(found[0]) if found else 0


def _read_entry(doc: lxml.html.HtmlElement, entry: lxml.html.HtmlElement, path: Path | None,
                fields: list[tuple[str, str]]) -> Story:
    poster = ljdw.poster(doc, entry)
    users = ljdw.users_as_text(entry)
    comments = doc.xpath("//*[@id='comments' or contains(@class, 'comment-thread')]")
    _drop_chrome(entry)
    prepare(entry)
    blocks = mark_dividers(blocks_of(entry))
    meta = metadata_from_fields(fields, Metadata(title=""))
    blocks, meta = _header_under_title(blocks, meta)
    subject = _entry_title(doc)
    story = story_from_blocks(blocks, path, "html", meta, fallback_title=subject)
    notes: list[str] = []
    if subject and story.metadata.title == subject:  # no title but the entry's subject line
        said = read_subject(subject)
        story = story.evolve(metadata=replace(story.metadata, **{
            key: value for key, value in said.items()
            if key == "title" or not getattr(story.metadata, key)}))
        if len(said) > 1:
            notes.append("subject line: read as title, fandom and pairing")
    if not story.metadata.authors:
        author = _byline(blocks) or poster
        if author:
            story = story.evolve(metadata=replace(story.metadata, authors=(author,)))
            notes.append(f"author: {author}, from the " +
                         ("entry's poster" if author == poster and poster else "byline"))
    if poster:
        notes.insert(0, "LiveJournal/Dreamwidth entry: the entry text, without the journal")
        story = story.evolve(reader="html/journal")
    if users:
        notes.append(f"user names (<lj user>): kept as text ({users})")
    if comments:
        notes.append("comments: left out")
    return story.evolve(reader_notes=(*story.reader_notes, *notes))


def _header_under_title(blocks: list[Block], meta: Metadata) -> tuple[list[Block], Metadata]:
    """`<h2>Title</h2>` then `Fandom: ... / by Name`: the header block under the title."""
    if len(blocks) < 2 or blocks[0].kind != "heading" or blocks[1].kind != "p":
        return blocks, meta
    fields, rest, _ = split_header(_bylines_as_fields(blocks[1:]))
    if not fields:
        return blocks, meta
    return [blocks[0], *rest], metadata_from_fields(fields, meta)


# `by Name`, `by Name for the exchange`, `by Name (site)`: never `By morning, the ...`.
_BYLINE = re.compile(r"^(?:written\s+)?(?i:by):?\s+"
                     r"(?P<name>[^\s,;:()]+(?:\s+[A-Z][^\s,;:()]*){0,2})"
                     r"(?P<rest>\s+(?:for|in|on|at|with)\b.*|\s*[(—–-].*|\.)?$")
_FIELD_LINE = re.compile(r"^[A-Z][\w ()'/-]{0,40}:\s*\S")


def _bylines_as_fields(blocks: list[Block]) -> list[Block]:
    """A bare `by Name` line inside a header block is its author, not the line before's
    continuation."""
    out = list(blocks)
    for n, block in enumerate(out[:3]):
        lines = block.lines()
        if block.kind != "p" or len(lines) < 2:
            continue
        plain = [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines]
        fixed = [f"Author: {m.group('name').rstrip('.')}" if i and (m := _BYLINE.match(text))
                 and ":" in plain[i - 1] and text.lower().startswith("by ") else lines[i]
                 for i, text in enumerate(plain)]
        out[n] = replace(block, html=_BR.join(fixed))
    return out


def _byline(blocks: list[Block]) -> str:
    """`by Name` (or `by Name for the exchange`) in the header under the title: only the
    first paragraphs, up to the first sentence of the story."""
    for block in [b for b in blocks if b.kind != "heading"][:4]:
        if block.kind != "p":
            break
        header = True
        for line in block.lines():
            plain = " ".join(re.sub(r"<[^>]+>", " ", line).split())
            name = _byline_name(line, plain)
            if name:
                return name
            header = header and bool(_FIELD_LINE.match(plain) or (
                len(plain.split()) <= 12 and not re.search(r"[.!?…\"”]$", plain)))
        if not header:
            break
    return ""


def _byline_name(line: str, plain: str) -> str:
    """The name a byline gives, when it looks like a name: capitalised, a link or a user
    name, or a lowercase handle alone on its line or before `for ...`; never `by` and an
    ordinary word in a sentence."""
    m = _BYLINE.match(plain)
    if not m or len(plain) >= 160:
        return ""
    name, rest = m.group("name").rstrip("."), (m.group("rest") or "").strip()
    if name != m.group("name"):
        rest = "." + rest  # `By dawn.`: a sentence
    linked = "<a" in line and name in _link_texts(line)
    if name[:1].isupper() or linked or re.search(r"[_\d]", name) or \
            not rest or rest.startswith(("for ", "(")):
        return name
    return ""


def _link_texts(line: str) -> list[str]:
    try:
        return [text_of(a) for a in lxml.html.fragment_fromstring(
            line, create_parent="div").iter("a")]
    except (lxml.etree.ParserError, ValueError):
        return []


def _plain(story: Story) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", " ".join(
        [story.metadata.title] + [c.body for c in story.chapters])).split())


def _better_candidate(pristine: lxml.html.HtmlElement, story: Story, where: str,
                      path: Path | None, fields: list[tuple[str, str]]) -> Story:
    """When the page's densest block of prose holds much more than the entry that was read
    (and is not part of it), read that block instead, and say so."""
    main = coverage.densest_block(pristine)
    entry = pristine.xpath(where)
    if main is None or not entry or main is entry[0] or entry[0] in main.iterancestors() or \
            main in entry[0].iterancestors():
        return story
    if not coverage.shortfall(coverage.story_words(story), coverage.visible_words(main)):
        return story
    doc = copy.deepcopy(pristine)
    try:
        other = _read_entry(doc, doc.xpath(pristine.getroottree().getpath(main))[0], path,
                            fields)
    except InputError:
        return story
    if coverage.story_words(other) <= coverage.story_words(story):
        return story
    note = "the story container was nearly empty: read the page's densest block of prose"
    return other.evolve(reader_notes=(*other.reader_notes, note))


def find_entry(doc: lxml.html.HtmlElement) -> tuple[lxml.html.HtmlElement | None, bool]:
    """The entry, and whether a story container named it (True) or it is only the page's
    densest block of prose outside comments, menus and sidebars (False). None: no prose at
    all outside them."""
    for xpath in ENTRY_XPATHS:
        found = [el for el in doc.xpath(xpath) if len(text_of(el)) > 80]
        if found:
            return (max(found, key=lambda el: len(text_of(el))) if len(found) > 1 and
                    xpath.endswith("' entry ')]") else found[0]), True
    return coverage.densest_block(doc), False


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
    if not title.strip():
        headings = doc.xpath("//h1[normalize-space()]")
        title = text_of(headings[0]) if len(headings) == 1 else ""
    # "Title - Site name" / "user: Title": keep the part that is not the site.
    return " ".join(re.split(r"\s+[|–—-]\s+", title.strip())[0].split())
