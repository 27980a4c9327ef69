"""Information pages that EPUB tools put before the story (FicHub, WebToEpub, AO3 downloaders).

Recognised by content, never by file name: a page that is mostly `Label: value` lines, a `<dl>`
of tags, or `Summary:` / `Notes:` blocks, with little other text. What such a page says becomes
metadata (rating, fandoms, relationships, tags, series, summary, notes, dates, source URL); the
tool's own lines ("Exported with the assistance of FicHub.net", "Packaged:") are left out.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace

import lxml.html

from ..model import Metadata
from ..xhtml import sanitize as xhtml
from .header import LIST_FIELDS, _key_value, canonical, metadata_from_fields, plain_field
from .htmlblocks import HEADINGS, Block, blocks_of, body_fragment, text_of
from .series import series_of, status_of

# Labels that open a rich block (a summary or notes quoted under them).
RICH_LABELS = {
    "summary": "summary", "description": "summary", "chapter summary": "summary",
    "notes": "notes", "author's note": "notes", "author's notes": "notes",
    "chapter notes": "notes", "a/n": "notes", "end notes": "end_notes",
    "chapter end notes": "end_notes",
}
# Labels the tools write that the header parser does not know: read, counted, some dropped.
STAT_LABELS = {"chapters", "words", "status", "rated", "reviews", "favs", "follows", "kudos",
               "hits", "bookmarks", "comments", "packaged", "publisher", "site", "story url",
               "original source", "table of contents url", "author url", "stats", "completed",
               "collections", "id", "storyid", "fandoms", "additional tags", "category"}
SOURCE_LABELS = {"original source", "table of contents url", "story url", "url", "source",
                 "link", "originally posted at"}
DROPPED_LABELS = {"packaged", "author url", "site", "storyid", "id", "chapters", "stats"}
# Lines a tool writes about itself: never the author's words.
TOOL_LINES = re.compile(r"^(exported with the assistance of\b.*|information|title page|"
                        r"(generated|created|made|downloaded|packaged) (by|with|using)\b.*|"
                        r"table of contents|contents)$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s\"'<>]+")
_FFN_STATS = re.compile(r"\s+-\s+(?=[A-Z][\w ]{0,20}:)")
STORY_WORDS = 40  # prose after a page's last field, at least this long: the story begins there
_MARK = "ficbook-field"  # stands where a summary or notes block was taken, to keep the order


@dataclass
class PageFields:
    """What one page says, before it is judged to be an information page or not."""

    pairs: list[tuple[str, str]] = field(default_factory=list)  # (label, plain value)
    rich: dict[str, str] = field(default_factory=dict)  # summary/notes/end_notes -> XHTML
    links: list[str] = field(default_factory=list)  # http(s) links of the title line
    heading: str = ""  # the page's first heading ("Title by Author")
    leftover: list[str] = field(default_factory=list)  # sanitized paragraphs with no label
    leftover_words: int = 0
    story: list[str] = field(default_factory=list)  # the prose after the last field (HTML)

    def keep_all_as_story(self) -> None:
        """The only page of a book: its unlabelled paragraphs are the story, not notes."""
        self.story, self.leftover, self.leftover_words = self.story + self.leftover, [], 0

    @property
    def known(self) -> int:
        return sum(1 for k, _ in self.pairs if _known(k))


def _label(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().rstrip(":").strip().lower().replace("’", "'"))


def _known(key: str) -> bool:
    k = _label(key)
    return canonical(k) is not None or k in STAT_LABELS or k in RICH_LABELS


def block_fragment(fragment: str) -> str:
    """A rich field as blocks: themes put a fragment that opens with inline text or a list in
    a <p>, where a list or a quote may not go."""
    if not fragment or fragment.lstrip().startswith(("<p", "<div", "<blockquote")):
        return fragment
    return f"<div>{fragment}</div>"


def rich_fragment(el: lxml.html.HtmlElement) -> str:
    """A summary or notes block as blocks; AO3's `blockquote.userstuff` is a frame, not a quote."""
    for quote in list(el.iterdescendants("blockquote")):
        if "userstuff" in quote.get("class", "").split():
            quote.drop_tag()
    return block_fragment(body_fragment(el))


def read_fields(body: lxml.html.HtmlElement) -> PageFields:
    """Everything a page says as labels and values (the page itself is left as it was)."""
    root = copy.deepcopy(body)
    found = PageFields()
    _take_lists(root, found)
    _take_rich_blocks(root, found)
    _take_lines(root, found)
    return found


def is_information_page(found: PageFields) -> bool:
    """Mostly labels: three or more known fields, or a summary/notes block, with little else
    before the story (a story that follows the fields is `found.story`, kept as a chapter)."""
    if found.known >= 3:
        return found.leftover_words <= 150
    if found.rich:
        return found.leftover_words <= 60
    return False


# --- reading the page ------------------------------------------------------------------------


def _take_lists(root: lxml.html.HtmlElement, found: PageFields) -> None:
    """`<dl>` of tags (AO3's work meta, as WebToEpub copies it): dt labels, dd values."""
    for dl in list(root.iter("dl")):
        if dl.getparent() is None or any(a.tag == "dl" for a in dl.iterancestors()):
            continue
        _pairs_of_dl(dl, found)
        dl.drop_tree()


def _pairs_of_dl(dl: lxml.html.HtmlElement, found: PageFields) -> None:
    for dt in dl.iterchildren("dt"):
        dd = dt.getnext()
        if dd is None or dd.tag != "dd":
            continue
        inner = dd.find(".//dl")
        if inner is not None:  # AO3's "Stats:" holds a dl of its own
            _pairs_of_dl(inner, found)
            continue
        key = text_of(dt).rstrip(":").strip()
        kind = RICH_LABELS.get(_label(key))
        if kind:
            found.rich[kind] = rich_fragment(dd)
            continue
        links = [text_of(a) for a in dd.iter("a") if text_of(a)]
        plain = _label(key) in SOURCE_LABELS | {"series"}  # "Part 3 of <a>Name</a>": all words
        value = ", ".join(links) if links and not plain else text_of(dd)
        found.pairs.append((key, value))


def _label_element(el: lxml.html.HtmlElement) -> str | None:
    """'summary'/'notes'/'end_notes' when the element is a label over a block, else None."""
    if not isinstance(el.tag, str) or el.tag not in HEADINGS | {"p", "b", "strong", "div",
                                                                 "span", "dt"}:
        return None
    own = text_of(el)
    if el.tag == "div" or (el.tag == "p" and len(el)):
        own = (el.text or "").strip()  # `<div>Summary: <blockquote>...`: the div's own words
    if not own.endswith(":") and el.tag not in HEADINGS:
        return None
    return RICH_LABELS.get(_label(own))


def _take_rich_blocks(root: lxml.html.HtmlElement, found: PageFields) -> None:
    for el in list(root.iter()):
        if el is root or not _inside(el, root):
            continue  # already taken with an earlier block
        kind = _label_element(el)
        if kind is None:
            continue
        if el.tag == "div" or (el.tag == "p" and len(el)):
            el.text = ""
            holder = el
        else:
            holder = lxml.html.Element("div")
            siblings = list(el.itersiblings())
            for sib in siblings[:_note_length(siblings)]:
                if _label_element(sib) or (_key_value(text_of(sib)) and sib.tag in {"b", "strong"}):
                    break
                if sib.tag == "br" and holder.text is None and not len(holder):
                    sib.drop_tree()
                    continue
                holder.append(sib)  # moves it out of the page
                if sib.tag == "br":
                    break
            tail = el.tail
            el.tail = None
            if tail and tail.strip():
                holder.text = tail
            el.addprevious(lxml.html.Element(_MARK))
            el.drop_tree()
        fragment = rich_fragment(holder)
        if fragment and kind not in found.rich:
            found.rich[kind] = fragment
        if holder is el:
            el.addprevious(lxml.html.Element(_MARK))
            el.drop_tree()


def _note_length(siblings: list[lxml.html.HtmlElement]) -> int:
    """How many siblings a label's block may take. Loose paragraphs under a label run to a
    separator (a rule, a heading, a blank or scene-break paragraph, the next label) when they
    are a note's length; longer, the note is its first paragraph and a new run of prose (the
    story) starts after it. A quote, a div or a list under the label is the block as it is."""
    start = 0
    while start < len(siblings) and siblings[start].tag == "br":
        start += 1
    if start == len(siblings) or siblings[start].tag != "p":
        return len(siblings)
    words = 0
    for n in range(start, len(siblings)):
        sib = siblings[n]
        text = text_of(sib)
        if sib.tag in HEADINGS | {"hr", "br"} or _label_element(sib) or not re.search(r"\w", text):
            return n if words <= 150 else start + 1
        words += len(text.split())
    return len(siblings) if words <= 60 else start + 1


def _inside(el: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> bool:
    return any(a is root for a in el.iterancestors())


def _take_lines(root: lxml.html.HtmlElement, found: PageFields) -> None:
    """Labelled lines as pairs, the rest as leftover; prose after the last field (or block, or
    the page's heading) long enough to be a story is the story."""
    blocks = blocks_of(root)
    last = -1  # the last block that said something as a field
    leftover: list[tuple[int, str, int]] = []  # block number, paragraph, words
    for n, block in enumerate(blocks):
        if _is_mark(block):
            last = n
            continue
        if block.kind == "hr":
            continue
        if block.kind == "heading" and not found.heading:
            found.heading = block.text
            found.links = _URL.findall(block.html)
            last = n
            continue
        for html_line in block.lines() if block.kind == "p" else [block.html]:
            text = xhtml.to_text(xhtml.clean(html_line))
            if not text:
                continue
            pairs = _line_pairs(text, html_line)
            if pairs:
                found.pairs.extend(pairs)
                last = n
            elif not TOOL_LINES.match(text.strip().rstrip(".:")):
                leftover.append((n, xhtml.clean(f"<p>{html_line}</p>", typography=True),
                                 len(text.split())))
    if sum(words for n, _, words in leftover if n > last) >= STORY_WORDS:
        found.story = [_block_html(b) for b in blocks[last + 1:] if not _is_mark(b)]
        leftover = [item for item in leftover if item[0] <= last]
    found.leftover = [p for _, p, _ in leftover]
    found.leftover_words = sum(words for _, _, words in leftover)


def _is_mark(block: Block) -> bool:
    return block.kind == "other" and block.html.startswith(f"<{_MARK}")


def _block_html(block: Block) -> str:
    if block.kind == "p":
        return f"<p>{'<br/>'.join(block.lines())}</p>"
    if block.kind == "heading":
        return f"<h{block.level}>{block.html}</h{block.level}>"
    return block.html


def _line_pairs(text: str, html_line: str) -> list[tuple[str, str]]:
    """`Key: value` (several on a line, FFN-style: `Rated: M - Language: English - ...`)."""
    parts = _FFN_STATS.split(text) if " - " in text else [text]
    pairs = []
    for part in parts:
        kv = _key_value(part)
        if kv is None or not (_known(kv[0]) or _short_label(kv[0])):
            return []
        key, value = kv
        if _label(key) in SOURCE_LABELS:
            urls = _URL.findall(html_line) or _URL.findall(value)
            value = urls[0] if urls else value
        pairs.append((key, value))
    return pairs


def _short_label(key: str) -> bool:
    """An unknown `Label:` still reads as a field when it is a word or two, capitalised."""
    return len(key.split()) <= 2 and key[:1].isupper()


# --- what it means ---------------------------------------------------------------------------


def apply_fields(found: PageFields, meta: Metadata) -> Metadata:
    """Fill the metadata from a page's fields; what the OPF already said about the title and
    authors stays."""
    fields: list[tuple[str, str]] = []
    values: dict[str, object] = {}
    lists: dict[str, tuple[str, ...]] = {}
    for key, value in found.pairs:
        label = _label(key)
        value = value.strip()
        if not value or label in DROPPED_LABELS - {"chapters"}:
            continue
        if label in SOURCE_LABELS:
            url = (_URL.findall(value) or [""])[0]
            if url:
                values.setdefault("source_url", url)
            continue
        if label == "chapters":
            posted, _, total = value.replace(" ", "").partition("/")
            if total == "?" or (total and total != posted):
                values.setdefault("status", "Work in Progress")
            continue
        if label in {"title", "author", "authors", "by"} and (
                meta.title if label == "title" else meta.authors):
            continue
        if label == "rated":
            value = re.sub(r"^fiction\s+", "", value, flags=re.IGNORECASE)
        if label in {"genre", "genres"}:
            value = value.replace("/", ", ")
        if label == "series":
            series, index = series_of(value)
            values["series"] = series
            if index is not None:
                values["series_index"] = index
            continue
        if label == "status":
            values["status"] = status_of(value)
            continue
        if label == "completed":  # AO3's stats: the date it was completed
            values.update(status="Completed", updated=value)
            continue
        canon = canonical(label)
        if canon in LIST_FIELDS:  # split here: "Draco M., Hermione G." keeps its full stops
            items = tuple(v.strip() for v in re.split(r"\s*[,;]\s*", plain_field(value))
                          if v.strip())
            lists[canon] = lists.get(canon, ()) + items
            continue
        fields.append((key, value))
    meta = metadata_from_fields(fields, meta)
    meta = replace(meta, **{k: v for k, v in lists.items()
                            if not (k == "authors" and meta.authors)})  # type: ignore[arg-type]
    meta = replace(meta, **{k: v for k, v in values.items()
                            if not getattr(meta, k) or k == "status"})  # type: ignore[arg-type]
    for kind, fragment in found.rich.items():
        if not getattr(meta, kind) or (kind == "summary" and _same_text(meta.summary, fragment)):
            meta = replace(meta, **{kind: fragment})  # type: ignore[arg-type]
    if not meta.source_url and found.links:
        meta = replace(meta, source_url=found.links[0])
    return _leftover(found, meta)


def _leftover(found: PageFields, meta: Metadata) -> Metadata:
    """Unlabelled paragraphs go to the notes (the title, byline and summary repeated: dropped)."""
    kept = [p for p in found.leftover if not _same_text(p, meta.summary)
            and not _title_line(xhtml.to_text(p), meta)]
    if not kept:
        return meta
    return replace(meta, notes="".join(kept) + meta.notes)


def _title_line(text: str, meta: Metadata) -> bool:
    """'By: x' already read, or the title/author repeated on a line of its own."""
    norm = _norm(text)
    names = [meta.title, *meta.authors, f"{meta.title} by {', '.join(meta.authors)}"]
    return any(norm == _norm(n) or norm == _norm(f"by {n}") for n in names if n)


def _norm(text: str) -> str:
    return re.sub(r"\W+", "", xhtml.to_text(text).lower())


def _same_text(a: str, b: str) -> bool:
    return bool(a) and bool(b) and _norm(a) == _norm(b)


def story_title(found: PageFields, meta: Metadata) -> str:
    """The title of the story that follows a page's fields: the page's heading, unless that
    is the book's title (or 'Title by Author')."""
    if not found.heading or _title_line(found.heading, meta) or \
            _same_text(heading_title(found)[0], meta.title):
        return ""
    return found.heading


def heading_title(found: PageFields) -> tuple[str, str]:
    """'Title by Author' on the page's heading -> (title, author); ('', '') otherwise."""
    m = re.match(r"^(.+?)\s+by\s+(.+)$", found.heading)
    return (m.group(1).strip(), m.group(2).strip()) if m else (found.heading, "")
