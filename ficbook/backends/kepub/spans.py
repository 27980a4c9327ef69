"""One page made Kobo's way: body in div#book-columns > div#book-inner, a koboSpan per sentence.

Kobo's reader finds its places (reading position, highlights, bookmarks, statistics) by span ids
`kobo.P.S`: P counts the blocks that hold text, S the pieces within one. As kepubify and
calibre's Kobo output do, every run of text in the body is cut into sentences (sentences.py) and
each sentence wrapped; an image gets a span of its own, as a block. Unlike them, text in a
`pre` is wrapped too (one span per run, its spacing untouched), so every word of the page is
in exactly one span. SVG, MathML, scripts and styles are left alone.
"""

from __future__ import annotations

from lxml import etree

from .sentences import sentences

XHTML = "http://www.w3.org/1999/xhtml"
SPAN = f"{{{XHTML}}}span"
SPAN_CLASS = "koboSpan"
# The one style Kobo's own books and kepubify add (without the margin overrides they dropped),
# and one rule more: a cover sized to its page (height: 100%) still is, inside Kobo's divs
# (tests/backends/test_kepub_render.py measures it).
KOBO_STYLE_ID = "kobostylehacks"
KOBO_CSS = ("div#book-inner { margin-top: 0; margin-bottom: 0; } "
            "body.cover div#book-columns, body.cover div#book-inner { height: 100%; }")
# Elements whose text is not the reader's prose (or where an XHTML span may not go).
_SKIPPED = frozenset({"script", "style", "svg", "math", "template"})
# A new block starts a new paragraph number (counted only if it holds text).
_BLOCKS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "td", "th", "caption",
    "figcaption", "blockquote", "pre", "div", "section", "aside", "header", "footer", "nav",
    "ol", "ul", "dl", "table", "figure", "address", "details", "summary",
})
_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True, remove_blank_text=False,
                          no_network=True)


def kobo_page(xhtml: str) -> str:
    """A complete XHTML page with Kobo's divs, spans and style added."""
    root = etree.fromstring(xhtml.encode(), _PARSER)
    head = root.find(f"{{{XHTML}}}head")
    body = root.find(f"{{{XHTML}}}body")
    if head is None or body is None:
        return xhtml  # not a page of ours: nothing to number
    style = etree.SubElement(head, f"{{{XHTML}}}style", {"id": KOBO_STYLE_ID})
    style.text = KOBO_CSS
    style.tail = "\n"
    _Spans().wrap(_wrap_body(body))
    page: str = etree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n{page}\n'


def _wrap_body(body: etree._Element) -> etree._Element:
    """body's content moved into div#book-columns > div#book-inner (Kobo paginates those)."""
    columns = etree.Element(f"{{{XHTML}}}div", {"id": "book-columns"})
    inner = etree.SubElement(columns, f"{{{XHTML}}}div", {"id": "book-inner"})
    inner.text, body.text = body.text, "\n"
    inner.extend(list(body))
    body.append(columns)
    columns.tail = "\n"
    return inner


class _Spans:
    """Numbers kobo.P.S across one page, in reading order."""

    def __init__(self) -> None:
        self.paragraph = 0
        self.segment = 0
        self.new_block = True

    def wrap(self, element: etree._Element, verbatim: bool = False) -> None:
        """Wrap the text inside `element` (its own and its children's, not its tail)."""
        name = etree.QName(element).localname
        verbatim = verbatim or name == "pre"
        if name in _BLOCKS:
            self.new_block = True
        children = list(element)
        if element.text and not element.text.isspace():
            element.text, spans = self._spans(element.text, element, verbatim)
            for index, span in enumerate(spans):
                element.insert(index, span)
        for child in children:
            child_name = etree.QName(child).localname if isinstance(child.tag, str) else ""
            holder = child
            if child_name == "img":
                holder = self._image(child)
            elif child_name and child_name not in _SKIPPED:
                self.wrap(child, verbatim)
            if child_name in _BLOCKS:
                self.new_block = True  # text after a nested block is a block of its own
            if holder.tail and not holder.tail.isspace():
                holder.tail, spans = self._spans(holder.tail, element, verbatim)
                at = element.index(holder) + 1
                for offset, span in enumerate(spans):
                    element.insert(at + offset, span)

    def _spans(self, text: str, parent: etree._Element,
               verbatim: bool) -> tuple[str, list[etree._Element]]:
        """The leading whitespace (it stays outside, where it was) and a span per sentence."""
        body = text.lstrip()
        lead = text[:len(text) - len(body)]
        pieces = [body] if verbatim else sentences(body)
        spans = []
        for piece in pieces:
            span = self._span(parent)
            span.text = piece
            spans.append(span)
        return lead, spans

    def _span(self, parent: etree._Element) -> etree._Element:
        if self.new_block:
            self.paragraph += 1
            self.segment = 0
            self.new_block = False
        self.segment += 1
        return parent.makeelement(SPAN, {"class": SPAN_CLASS,
                                         "id": f"kobo.{self.paragraph}.{self.segment}"})

    def _image(self, image: etree._Element) -> etree._Element:
        """An image in a span of its own, numbered as a block of its own."""
        self.new_block = True
        parent = image.getparent()
        assert parent is not None
        span = self._span(parent)
        parent.replace(image, span)
        span.append(image)
        span.tail, image.tail = image.tail, None
        self.new_block = True
        return span
