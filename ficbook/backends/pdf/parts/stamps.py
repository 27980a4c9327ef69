"""Running heads and page numbers as stamps: weasyprint lays out each distinct page look once.

A page's margin boxes depend on its page type (side, blank, named page and page groups: what
the theme's `@page` selectors can match), the named strings in effect (`string-set`) and the
counters. The parts' own layouts tell each page's type and strings (workers.py records them), so
the book needs only:

- a *heads* stamp per distinct look (which `@page` selectors match, the strings): the margin
  boxes that show no counter, e.g. a story's title on right-hand pages. A book of 4,500 pages has
  a few per story, and they do not change when an edit moves the pages after it;
- a *numbers* stamp per page number N and number look (the boxes that show a counter, their
  styles): page N is always on the same side, so these do not change either; they are laid out
  in blocks of N.

Stamps are laid out by weasyprint in a document of empty sheets, each page given the type and
strings it stands for (hooks into weasyprint's page maker, installed only while a stamp document
is laid out), so they look exactly as one pass draws them: same cascade, fonts and positions.
Imports weasyprint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from . import internals

# A page's look as JSON-friendly data: its weasyprint PageType as a list
# [side, blank, name, index, [[group, index], ...]], and the named strings in effect as
# [[name, [values assigned on the page], value before the page or None], ...].
PageTypeData = list[Any]
Strings = list[list[Any]]
COUNTERS = ("counter()", "counters()")


def page_type_data(page_type: Any) -> PageTypeData:
    return [page_type.side, bool(page_type.blank), page_type.name, page_type.index,
            [[name, index] for name, index in page_type.groups]]


def _page_type(data: PageTypeData) -> Any:
    side, blank, name, index, groups = data
    return internals.new_page_type(side, blank, name, index, tuple((g, i) for g, i in groups))


def page_selectors(context: Any) -> list[list[Any]]:
    """Every `@page` selector of the document's style sheets (what tells page looks apart)."""
    found: dict[str, list[Any]] = {}
    for side, blank, first, index, name in internals.page_selectors(context):
        data = [side, blank, first, list(index) if index is not None else None, name]
        found.setdefault(json.dumps(data), data)
    return list(found.values())


def matches(selectors: Sequence[Sequence[Any]], ptype: PageTypeData) -> tuple[bool, ...]:
    """Which selectors match a page type: pages that match the same ones get the same cascade."""
    page_type = _page_type(ptype)
    return tuple(internals.page_type_matches(
        page_type, side, blank, first, tuple(index) if index is not None else None, name)
        for side, blank, first, index, name in selectors)


def look_key(selectors: Sequence[Sequence[Any]], ptype: PageTypeData,
             strings: Strings) -> tuple[str, str]:
    """Pages with the same key get the same heads (and number look); and the key of their
    page type alone (which `@page` selectors match: whether any margin box shows at all)."""
    vector = matches(selectors, ptype)
    data = json.dumps([vector, strings], ensure_ascii=False)
    return (hashlib.sha256(data.encode()).hexdigest()[:32],
            hashlib.sha256(json.dumps(vector).encode()).hexdigest()[:32])


@contextmanager
def _hooks(requests: Sequence[dict[str, Any]]) -> Iterator[list[Any]]:
    """While a stamp document is laid out: sheet i becomes a page of request i's type, strings
    and number. Yields the list that receives the layout context."""
    contexts: list[Any] = []
    true_types = [_page_type(r["type"]) for r in requests]
    done: dict[Any, Any] = {}  # true page type -> the one whose cascade it shares
    real_type = internals.current(internals.PAGE_TYPE)
    real_styles = internals.current(internals.PAGE_TYPE_STYLES)
    real_boxes = internals.current(internals.MARGIN_BOX_MAKER)
    real_context = internals.current(internals.LAYOUT_CONTEXT)

    def fake_type(side: str, blank: bool, name: str, index: int, groups: Any) -> Any:
        # Never blank (a blank page would not use up its sheet); unique, so it shares nothing
        # by accident; its styles are the true type's, set below.
        true = true_types[index]
        return real_type(true.side, False, true.name, -1 - index, true.groups)

    def styles(page_type: Any, html: Any, style_for: Any) -> None:
        true = true_types[-1 - page_type.index]
        if true not in done:
            real_styles(true, html, style_for)
            done[true] = true
        computed = internals.computed_styles(style_for)
        # The page's known pseudo types, not a scan of every style: that grows with the document.
        for pseudo in internals.PAGE_PSEUDO_TYPES:
            style = computed.get((true, pseudo))
            if style is not None:
                computed[page_type, pseudo] = style

    def margin_boxes(context: Any, page: Any, state: Any) -> Any:
        number = requests[internals.page_number(context) - 1].get("number")
        if number is not None:
            state = internals.with_page_counter(state, number)
        return real_boxes(context, page, state)

    def strings(self: Any, page: Any, name: str, keyword: str = "first") -> Any:
        for string, assigned, before in requests[internals.page_number(self) - 1]["strings"]:
            if string == name:
                return internals.string_for(self, page, name, keyword, before, assigned)
        return ()

    class Context(real_context):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            contexts.append(self)

    with internals.replaced({internals.PAGE_TYPE: fake_type, internals.PAGE_TYPE_STYLES: styles,
                             internals.MARGIN_BOX_MAKER: margin_boxes,
                             internals.LAYOUT_CONTEXT: Context,
                             internals.STRING_SET_FOR: strings}):
        yield contexts


def _edge(at_keyword: str) -> str:
    """Margin boxes of one edge share its width; corners are laid out alone."""
    return at_keyword if "corner" in at_keyword else at_keyword.split("-")[0]


def _counts(box: Any) -> bool:
    content = box.style["content"]
    return isinstance(content, tuple) and any(
        isinstance(item, tuple) and item and item[0] in COUNTERS for item in content)


def _text(box: Any) -> str:
    return "".join(getattr(b, "text", "") for b in box.descendants())


def lay_out_stamps(render: Any, requests: Sequence[dict[str, Any]],
                   draw: str) -> tuple[Any, list[dict[str, Any]]]:
    """Lay out one stamp page per request with `render()` (a weasyprint HTML's render, of a
    document with one empty sheet per request) and keep only the boxes to `draw`: "heads"
    (boxes with no counter) or "numbers" (boxes with one). Returns the document and, per
    page, whether it draws anything and (for heads) its number look, None if it has none."""
    with _hooks(requests) as contexts:
        doc = render()
    if len(doc.pages) != len(requests):
        raise RuntimeError(f"stamps: {len(doc.pages)} pages for {len(requests)} looks")
    cascaded = internals.cascaded_styles(internals.style_for(contexts[-1]))
    info = []
    for page, request in zip(doc.pages, requests, strict=True):
        box = internals.page_box(page)
        margins = [b for b in box.children if getattr(b, "at_keyword", None)]
        counted = [b for b in margins if _counts(b)]
        kept = counted if draw == "numbers" else [b for b in margins if not _counts(b)]
        number_look, number_strings = None, True
        if draw == "heads" and counted:
            true = _page_type(request["type"])
            edges = {_edge(b.at_keyword) for b in counted}
            parts: list[Any] = [repr(sorted(cascaded.get((true, None), {}).items()))]
            for b in margins:
                if _edge(b.at_keyword) in edges:
                    declared = cascaded.get((true, b.at_keyword), {})
                    parts.append([b.at_keyword, repr(sorted(declared.items())),
                                  None if b in counted else _text(b)])
            if any(isinstance(item, tuple) and item and item[0] == "string()"
                   for b in counted for item in b.style["content"]):
                parts.append(request["strings"])  # the number's box shows a string too
            # Strings change the number stamp only through boxes of its edges (its own
            # content, or a neighbour's width): else its block is laid out without them.
            number_strings = any(
                isinstance(item, tuple) and item and item[0] == "string()"
                for b in margins if _edge(b.at_keyword) in edges for item in b.style["content"])
            number_look = hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=repr)
                                         .encode()).hexdigest()[:32]
        internals.set_page_box(page, box.copy_with_children(kept))  # no sheet: only boxes
        info.append({"drawn": bool(kept), "number_look": number_look, "boxes": bool(margins),
                     "number_strings": number_strings})
    return doc, info


@contextmanager
def recording() -> Iterator[list[Any]]:
    """While a part is laid out: keep its layout context (named strings, style sheets)."""
    contexts: list[Any] = []
    real_context = internals.current(internals.LAYOUT_CONTEXT)

    class Context(real_context):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            contexts.append(self)

    with internals.replaced({internals.LAYOUT_CONTEXT: Context}):
        yield contexts


def part_looks(doc: Any, context: Any) -> list[list[Any]]:
    """Each page of a laid-out part: [its page type, {string name: [values assigned on it]}]."""
    looks = []
    for number, page in enumerate(doc.pages, start=1):
        assigned = {name: list(pages[number])
                    for name, pages in internals.named_strings(context).items()
                    if pages.get(number)}
        looks.append([page_type_data(internals.page_box(page).page_type), assigned])
    return looks
