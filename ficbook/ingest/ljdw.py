"""LiveJournal and Dreamwidth entries: the poster as a fallback author, `<lj user>` as a name."""

from __future__ import annotations

import re

import lxml.html

from .htmlblocks import text_of

# An `<lj user=...>` rendering: a span with the user's name, a profile icon and links.
_LJUSER = (".//*[@*[name()='lj:user'] or @data-ljuser"
           " or contains(concat(' ', normalize-space(@class), ' '), ' ljuser ')]")
# Where a journal page names who posted the entry (DW/LJ site schemes, hentry microformats).
_POSTER = re.compile(r"(^|\s)(entry-poster|poster|b-singlepost-author\S*|p-author|author|vcard)"
                     r"(\s|$)")
_COMMENTS = re.compile(r"comment|talk|b-tree|b-grove|xylem", re.IGNORECASE)


def _ljusers(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    found: list[lxml.html.HtmlElement] = root.xpath(_LJUSER)
    # Only the outermost rendering (the span), not its inner links.
    return [el for el in found if not any(a in found for a in el.iterancestors())]


def user_name(el: lxml.html.HtmlElement) -> str:
    """The name an `<lj user>` rendering shows: its attribute, else its bold text."""
    for attr in ("lj:user", "data-ljuser"):
        if el.get(attr):
            return str(el.get(attr)).strip()
    bold = el.find(".//b")
    return text_of(bold if bold is not None else el)


def is_journal_page(doc: lxml.html.HtmlElement) -> bool:
    return bool(_ljusers(doc))


def users_as_text(entry: lxml.html.HtmlElement) -> int:
    """Each `<lj user>` rendering in the entry becomes the user's name as plain text: its
    profile icon would otherwise be "[image]" in the middle of a sentence."""
    spans = _ljusers(entry)
    for span in spans:
        name = user_name(span)
        for child in list(span):
            span.remove(child)
        span.attrib.clear()
        span.text = name
        span.drop_tag()
    return len(spans)


def _in_comments(el: lxml.html.HtmlElement) -> bool:
    return any(_COMMENTS.search(f"{a.get('id', '')} {a.get('class', '')}")
               for a in el.iterancestors())


def poster(doc: lxml.html.HtmlElement, entry: lxml.html.HtmlElement | None) -> str:
    """Who posted the entry: the user named in the entry's header (never a commenter's, never
    one the entry text mentions). In a community, the poster, not the community."""
    inside = set(entry.iter()) if entry is not None else set()
    candidates = [el for el in _ljusers(doc) if el not in inside and not _in_comments(el)]
    for el in candidates:
        if any(_POSTER.search(a.get("class", "")) for a in el.iterancestors()) and \
                not _is_community(el):
            return user_name(el)
    return ""


def _is_community(el: lxml.html.HtmlElement) -> bool:
    names = " ".join([el.get("class", "")] + [str(i.get("alt", "")) + str(i.get("src", ""))
                                             for i in el.iter("img")])
    return "comm" in names.lower()
