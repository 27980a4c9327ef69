"""The header block fans put on top of a post (`Title:`, `Pairing:`, `Summary:` ...)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

from ..model import Metadata
from ..xhtml import sanitize as xhtml
from ..xhtml.language import language_tag

# Canonical field -> the names fans actually type (compared lowercased, without punctuation noise).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "story title", "fic title", "name of fic", "work title"),
    "authors": ("author", "authors", "author(s)", "by", "writer", "writers", "written by",
                "author name", "pseud", "pseuds", "creator", "creators", "byline"),
    "fandoms": ("fandom", "fandoms", "fandom(s)", "show", "canon", "canons"),
    "relationships": ("pairing", "pairings", "pairing(s)", "relationship", "relationships",
                      "relationship(s)", "ship", "ships"),
    "characters": ("character", "characters", "character(s)", "characters/pairings", "chars"),
    "rating": ("rating", "rated", "ratings", "content rating", "age rating"),
    "warnings": ("warning", "warnings", "warning(s)", "content warning", "content warnings",
                 "archive warning", "archive warnings", "cw", "cws", "tw", "tws",
                 "trigger warning", "trigger warnings"),
    "categories": ("category", "categories", "category(s)"),
    "genres": ("genre", "genres", "genre(s)"),
    "tags": ("tag", "tags", "additional tags", "keywords", "keyword", "freeform", "freeforms",
             "other tags"),
    "notes": ("a/n", "an", "author's note", "author's notes", "authors note", "authors notes",
              "author note", "author notes", "notes", "note", "author's comments",
              "start note", "start notes", "beginning note", "beginning notes"),
    "end_notes": ("end notes", "end note", "endnote", "endnotes", "closing notes"),
    "prompt": ("prompt", "prompts"),
    "betas": ("beta", "betas", "beta(s)", "beta reader", "beta readers", "beta'd by", "betaed by",
              "beta'ed by", "thanks to"),
    "written_for": ("written for", "for", "gift for", "challenge", "written for challenge"),
    "word_count": ("word count", "words", "wordcount", "length", "word count (approx)"),
    "series": ("series", "series name", "series title"),
    "series_index": ("series index", "series number", "series part", "part of series",
                     "series position"),
    "status": ("status",),
    "published": ("date", "posted", "date posted", "published", "date written",
                  "date published", "published date", "publish date", "pubdate",
                  "date created", "created", "first published"),
    "updated": ("updated", "last updated", "date updated", "lastmod", "last modified",
                "last modified at", "modified", "date modified", "completed", "date completed"),
    "summary": ("summary", "description", "blurb", "synopsis", "abstract", "excerpt"),
    "disclaimer": ("disclaimer", "disclaimers"),
    "spoilers": ("spoilers", "spoiler", "spoiler(s)", "spoilers for"),
    "language": ("language", "lang", "locale"),
    "source_url": ("url", "link", "source", "originally posted at", "source url", "ao3 link",
                   "ao3 url", "ao3", "original url", "original link", "work url"),
}
log = logging.getLogger(__name__)
ALIASES: dict[str, str] = {name: canon for canon, names in FIELD_NAMES.items() for name in names}

LIST_FIELDS = {"authors", "fandoms", "relationships", "characters", "warnings", "categories",
               "genres", "tags", "betas"}
RICH_FIELDS = {"summary", "notes", "end_notes", "disclaimer"}

# `Key: value`, tolerating **Key:**, <b>Key:</b>, __Key__:, odd spaces and a space before the colon.
_BOLD_OPEN = r"(?:\*\*|__|<(?:b|strong)>)?"
_BOLD_CLOSE = r"(?:\*\*|__|</(?:b|strong)>)?"
_KEY_LINE = re.compile(
    rf"^\s*{_BOLD_OPEN}\s*(?P<key>[^\W\d_][\w '’/&().\-]{{0,38}}?)\s*{_BOLD_CLOSE}\s*:"
    rf"\s*{_BOLD_CLOSE}\s*(?P<value>.*?)\s*$"
)
_SUBJECT = re.compile(r"^(?P<prefix>.{1,60}?)\s*\b(?:fic|fanfic|fanfiction|drabble|ficlet)\s*:\s*"
                      r"(?P<title>.+)$", re.IGNORECASE)
_HEADER_RULE = re.compile(r"^\s*([-=_~*#.])\1{2,}\s*$")


def canonical(key: str) -> str | None:
    """The field a key names: `Content_Rating`, `content-rating` and `Content Rating` alike."""
    k = key.strip().lower().replace("’", "'").replace("_", " ").replace("-", " ")
    return ALIASES.get(re.sub(r"\s+", " ", k).strip(" ."))


@dataclass
class Header:
    """What the header block said, in order, before it is mapped into `Metadata`."""

    fields: list[tuple[str, str]] = field(default_factory=list)  # (key as written, value)
    subject: str = ""
    body_start: int = 0  # index of the first body line

    def __bool__(self) -> bool:
        return bool(self.fields)


_CLOSERS = {"**": "**", "__": "__", "<b>": "</b>", "<strong>": "</strong>"}


def _key_value(line: str) -> tuple[str, str] | None:
    m = _KEY_LINE.match(line)
    if not m or m.group("key").count(" ") > 4:
        return None
    return m.group("key").strip(), _unbold(line.lstrip(), m.group("value"))


def _unbold(line: str, value: str) -> str:
    """`**Disclaimer: not mine.**`: the whole line was bold, so the value loses its closer."""
    for opener, closer in _CLOSERS.items():
        inner = value[:-len(closer)]
        if line.lower().startswith(opener) and value.lower().endswith(closer) and \
                opener not in inner.lower():
            return inner.rstrip()
    return value


def parse_header(lines: list[str]) -> Header:
    """Find the header block at the top of `lines` (a subject line may come first)."""
    i = _skip_blank(lines, 0)
    header = Header(body_start=i)
    if i >= len(lines):
        return header
    first = _key_value(lines[i])
    if first is None or canonical(first[0]) is None:
        # Maybe a subject line ("BtVS Fic: Title") over the real header.
        j = _skip_blank(lines, i + 1)
        nxt = _key_value(lines[j]) if j < len(lines) else None
        if nxt is None or canonical(nxt[0]) is None or len(lines[i]) > 200:
            return header
        header.subject = lines[i].strip()
        i = j
    known = 0
    after_blank = False
    while i < len(lines):
        kv = _key_value(lines[i])
        if kv is None:
            break
        key, value = kv
        if canonical(key) is None and (known == 0 or (after_blank and not _all_keys(lines, i))):
            # After a blank line, only a known field (or a run of `Key:` lines) goes on with
            # the header: "Mom: Dinner!" opening the story is dialogue, not metadata.
            break
        known += canonical(key) is not None
        value_lines = [value] if value else []
        i += 1
        # Continuation lines: anything up to a blank line that is not another `Key:` line.
        while i < len(lines) and lines[i].strip() and _key_value(lines[i]) is None:
            value_lines.append(lines[i].strip())
            i += 1
        if not value_lines:
            # `Summary:` alone on its line: the value is the next paragraph.
            j = _skip_blank(lines, i)
            while j < len(lines) and lines[j].strip() and _key_value(lines[j]) is None:
                value_lines.append(lines[j].strip())
                j += 1
            i = j
        header.fields.append((key, " ".join(value_lines)))
        after_blank = i < len(lines) and not lines[i].strip()
        i = _skip_blank(lines, i)
    if not header.fields or known == 0:
        return Header(body_start=_skip_blank(lines, 0))
    # A rule line right under the header separates it from the story; it is not a scene break.
    if i < len(lines) and _HEADER_RULE.match(lines[i]):
        i = _skip_blank(lines, i + 1)
    header.body_start = i
    return header


def _all_keys(lines: list[str], i: int) -> bool:
    """A paragraph of two or more lines, every one of them a `Key: value` line."""
    j = i
    while j < len(lines) and lines[j].strip():
        if _key_value(lines[j]) is None:
            return False
        j += 1
    return j - i >= 2


def _skip_blank(lines: list[str], i: int) -> int:
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i


def _split_list(value: str) -> tuple[str, ...]:
    parts = re.split(r"\s*[,;]\s*", value)
    return tuple(p.strip().rstrip(".").strip() for p in parts if p.strip().rstrip(".").strip())


_COUNT = re.compile(r"(?<![\w.])(?P<n>\d(?:[\d,\s]*\d)?(?:\.\d+)?)\s*(?P<k>k)?(?!\w|\.\d)",
                    re.IGNORECASE)


def _word_count(value: str) -> int | None:
    """`902`, `1,234`, `~2000`, `about 5 000 words`, `1.5k`: a whole number of words (a
    fraction only before `k`). `1e400`, `2.5`, `3x` are not counts: kept as written."""
    m = _COUNT.search(value)
    if not m:
        return None
    digits = re.sub(r"[,\s]", "", m.group("n"))
    if "." in digits and not m.group("k"):
        return None
    number = float(digits) * 1000 if m.group("k") else int(digits)
    return int(number) if number < 10**12 else None


_SERIES_INDEX = re.compile(r"^(?P<name>.+?)\s*[\(\[,#]?\s*(?:part|book|#)\s*(?P<n>\d+(?:\.\d+)?)"
                           r"(?:\s*(?:of|/)\s*\d+)?\s*[\)\]]?\s*$", re.IGNORECASE)


def metadata_from_fields(fields: list[tuple[str, str]], base: Metadata,
                         source: object = None) -> Metadata:
    """Map (key, value) pairs into Metadata; unknown keys go to `extra`, in order.

    A one-value field given twice (two `Title:` lines) keeps the first value, with a warning
    naming the key and `source` (the file): the first is the one the author put on top. Lists
    and notes given twice are joined."""
    values: dict[str, Any] = {}
    extra: list[tuple[str, str]] = list(base.extra)
    labels = dict(base.labels)
    for key, raw in fields:
        canon = canonical(key)
        value = raw.strip()
        if canon is None or not value:
            if value:
                extra.append((key, value))
            continue
        if _own_label(key, canon) and canon not in values:
            labels.setdefault(canon, " ".join(key.split()))
        if canon in LIST_FIELDS:
            values[canon] = values.get(canon, ()) + _split_list(plain_field(value))
        elif canon in RICH_FIELDS:
            fragment = xhtml.clean(inline_markup(value), typography=True)
            values[canon] = (values.get(canon, "") + " " + fragment).strip()
        elif _first_given(canon, values):
            _warn_repeated(source, key, value, values, canon)
        elif not _scalar(canon, key, value, values):
            extra.append((key, value))
    return replace(base, **values, extra=tuple(extra), labels=tuple(labels.items()))




# A label as a person writes it ("Pairing", "Author's Note"), not a key a program wrote
# ("content_rating", "fandom"): only those are shown back on the title page.
_AUTHOR_LABEL = re.compile(r"^[A-Z][A-Za-z'’]*(?:[ /&-]+[A-Za-z'’]+)*$")


def _own_label(key: str, canon: str) -> bool:
    """Whether a key is the author's own word for a field ("Pairing" for relationships), not
    the field's name ("Fandom", "Word Count") or a program's key."""
    name = "_".join(key.lower().split())
    # (a list's label is made singular or plural by the title page; "Note" is not "Notes")
    same = {canon, canon.rstrip("s")} if canon in LIST_FIELDS else {canon}
    return bool(_AUTHOR_LABEL.match(key.strip())) and name not in same


def _first_given(canon: str, values: dict[str, Any]) -> bool:
    return canon in values


def _warn_repeated(source: object, key: str, value: str, values: dict[str, Any],
                   canon: str) -> None:
    kept = values.get(canon)
    if str(kept) != plain_field(value):
        log.warning("%s: the header gives %r twice; the first (%r) is kept, not %r",
                    source or "header", key, kept, plain_field(value))


def _scalar(canon: str, key: str, value: str, values: dict[str, Any]) -> bool:
    """Set a one-value field; False when the value cannot be read (it goes to `extra`)."""
    if canon == "word_count":
        count = _word_count(value)
        if count is not None:
            values["word_count"] = count
        return count is not None
    if canon == "series_index":
        m = re.search(r"\d+(?:\.\d+)?", value)
        if m:
            values["series_index"] = float(m.group())
        return m is not None
    if canon == "language":
        tag = language_tag(plain_field(value))
        if tag is not None:
            values["language"] = tag
        return tag is not None
    if canon == "series":
        m = _SERIES_INDEX.match(value)
        values["series"] = m.group("name").strip(" ,:-") if m else value
        if m:
            values["series_index"] = float(m.group("n"))
        return True
    values[canon] = plain_field(value)
    return True


# What sanitizing or typography could change in a one-line field (a leading BOM too): a value
# with none of these is only trimmed (0.1 ms saved a field, five fields a story).
_MARKUP_OR_PUNCTUATION = frozenset("<>&'\"-.`\\\ufeff")


def plain_field(value: str) -> str:
    """A one-line field as plain text, tags dropped, quotes and dashes made typographic."""
    if not _MARKUP_OR_PUNCTUATION.intersection(value):
        return " ".join(xhtml.strip_invalid_chars(value).split())
    return xhtml.to_text(xhtml.clean(value, typography=True))


_STAR_BOLD = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
_STAR_EM = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_UNDER_EM = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")


def inline_markup(text: str) -> str:
    """The emphasis fans type in plain text: **bold**, *italic*, _italic_."""
    # Each pass only where its marker is: most paragraphs with one have no other.
    if "**" in text:
        text = _STAR_BOLD.sub(r"<strong>\1</strong>", text)
    if "*" in text:
        text = _STAR_EM.sub(r"<em>\1</em>", text)
    if "_" in text:
        text = _UNDER_EM.sub(r"<em>\1</em>", text)
    return text


# "Idol RPF: Extra Credit (Adam/Kris)": a journal subject line naming fandom, title and pairing.
_SUBJECT_PAIRING = re.compile(r"^(?P<fandom>[^:]{2,60}?)\s*:\s+(?P<title>[^:]+?)\s*"
                              r"\((?P<pairing>[^()]*[/&][^()]*)\)\s*$")


def read_subject(subject: str) -> dict[str, Any]:
    """What an entry's subject line says, when it follows a fan convention: 'Idol RPF: Extra
    Credit (Adam/Kris)' or 'BtVS Fic: Leaving' give the title, fandom and pairing; any other
    subject is only a title."""
    m = _SUBJECT_PAIRING.match(subject)
    if m:
        return {"title": m.group("title").strip(), "fandoms": (m.group("fandom").strip(),),
                "relationships": tuple(p.strip() for p in m.group("pairing").split(",")
                                       if p.strip())}
    if _SUBJECT.match(subject):
        title, prefix = title_from_subject(subject)
        return {"title": title, **({"fandoms": (prefix,)} if prefix else {})}
    return {"title": subject}


def title_from_subject(subject: str) -> tuple[str, str]:
    """'BtVS Fic: Leaving, Not Running Away' -> ('Leaving, Not Running Away', 'BtVS')."""
    m = _SUBJECT.match(subject)
    if m:
        return m.group("title").strip(), m.group("prefix").strip()
    return subject.split(":", 1)[-1].strip(), ""
