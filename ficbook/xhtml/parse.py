"""Untrusted HTML parsed one way: no network, limits lifted, and nesting past them flattened."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import lxml.etree
import lxml.html

# huge_tree lifts libxml2's limits (text nodes over 10 MB, nesting past 256 levels) to 2,048
# levels; past that it stops reading and everything after the deep part is lost, silently.
PARSER = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True,
                              recover=True, default_doctype=False, huge_tree=True)
# Flattened pages keep this much nesting: far more than any story's markup needs.
FLATTEN_DEPTH = 512
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}
# Tags HTML closes by itself when a sibling of the same kind opens (so `<p>a<p>b` is not nested).
_SELF_CLOSING_SIBLINGS = {"p", "li", "dt", "dd", "tr", "td", "th", "option"}


def document(text: str) -> lxml.html.HtmlElement:
    """A whole page. Text after markup nested past the parser's limit is kept, in order, and
    the tree is never deeper than FLATTEN_DEPTH (the readers walk it recursively)."""
    doc = lxml.html.document_fromstring(text, parser=PARSER)
    if _hit_limit() or _too_deep(doc):
        doc = lxml.html.document_fromstring(flatten(text), parser=PARSER)
    return doc


def fragment(text: str) -> lxml.html.HtmlElement:
    """A fragment inside a `<div>`, with the same promise as `document`."""
    root = lxml.html.fragment_fromstring(text, create_parent="div", parser=PARSER)
    if _hit_limit() or _too_deep(root):
        root = lxml.html.fragment_fromstring(flatten(text), create_parent="div", parser=PARSER)
    return root


def _hit_limit() -> bool:
    return any(e.type_name == "ERR_RESOURCE_LIMIT" for e in PARSER.error_log)


# Any element FLATTEN_DEPTH levels below the root: XPath steps one level at a time over the
# elements of each level, so the question costs one pass over the tree, in C.
_DEEPER = lxml.etree.XPath("boolean(" + "/".join(["."] + ["*"] * FLATTEN_DEPTH) + ")")


def _too_deep(root: lxml.html.HtmlElement) -> bool:
    return bool(_DEEPER(root))


def flatten(text: str, depth: int = FLATTEN_DEPTH) -> str:
    """The same HTML with tags nested deeper than `depth` taken out and their text kept.
    Python's own tokenizer has no nesting limit, so it reads what libxml2 gives up on."""
    flattener = _Flattener(depth)
    flattener.feed(text)
    flattener.close()
    return "".join(flattener.out)


class _Flattener(HTMLParser):
    def __init__(self, depth: int) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = depth
        self.out: list[str] = []
        self.open: list[tuple[str, bool]] = []  # (tag, written) for each element still open
        self.written = 0  # how many of the open elements were written

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.out.append(_tag(tag, attrs))
            return
        if tag in _SELF_CLOSING_SIBLINGS and self.open and self.open[-1][0] == tag:
            self.handle_endtag(tag)
        keep = self.written < self.depth
        self.open.append((tag, keep))
        if keep:
            self.written += 1
            self.out.append(_tag(tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(_tag(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        if not any(name == tag for name, _ in self.open):
            return  # a stray end tag: nothing to close
        while self.open:
            name, kept = self.open.pop()
            if kept:
                self.written -= 1
                self.out.append(f"</{name}>")
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def _tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    written = "".join(f' {name}="{html.escape(value or "")}"' for name, value in attrs)
    return f"<{tag}{written}>"
