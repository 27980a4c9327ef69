"""Every weasyprint and pypdf internal the parts path relies on, named once (versions pinned)."""

# pyproject.toml pins weasyprint>=70,<71 and pypdf>=4.0,<8 because of this file: before raising
# either pin, check each name below against the new version. The other modules of parts/ use
# the libraries' internals only through these names. What they still use directly is public in
# name though undocumented, and is listed here so that an upgrade means reading this file:
# - weasyprint's PageType fields (side, blank, name, index, groups), which new_page_type takes;
#   the replacement functions in stamps.py and fonts.py take the arguments of the functions
#   they replace (PageType, set_page_type_computed_styles, make_margin_boxes,
#   LayoutContext.get_string_set_for, Font.clean);
# - weasyprint's boxes: a page box's children, a margin box's at_keyword, style["content"] (a
#   tuple of (function name, arguments) items, e.g. ("counter()", ...), ("string()", ...)),
#   copy_with_children() and descendants(); a text box's text;
# - weasyprint's Page.anchors, Page.links, Page.height and Document.pages, write_pdf (public).

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pypdf
import weasyprint.document
import weasyprint.layout
import weasyprint.layout.page as page_module
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject
from weasyprint.css import PageSelectorType, StyleFor
from weasyprint.layout import LayoutContext
from weasyprint.pdf import fonts as pdf_fonts

from ..html import MARGIN_BOXES

# --- weasyprint: functions replaced for a while (stamps.py) or for good (fonts.py) ---

Hook = tuple[Any, str]  # (module or class, attribute name)

# The page maker (weasyprint.layout.page) makes each page's type with this name...
PAGE_TYPE: Hook = (page_module, "PageType")
# ...and computes the styles of a new page type (the page, its margin boxes) with this one.
PAGE_TYPE_STYLES: Hook = (page_module, "set_page_type_computed_styles")
# weasyprint.layout lays out a page's margin boxes with its own import of this function.
MARGIN_BOX_MAKER: Hook = (weasyprint.layout, "make_margin_boxes")
# weasyprint.document makes a document's layout context with this class.
LAYOUT_CONTEXT: Hook = (weasyprint.document, "LayoutContext")
# A margin box's string() content is looked up with this method.
STRING_SET_FOR: Hook = (LayoutContext, "get_string_set_for")
# Each embedded font is subset by this method, its original file still at hand.
FONT_CLEAN: Hook = (pdf_fonts.Font, "clean")


def current(hook: Hook) -> Any:
    owner, name = hook
    return getattr(owner, name)


def replace(hook: Hook, value: Any) -> None:
    owner, name = hook
    setattr(owner, name, value)


@contextmanager
def replaced(replacements: dict[Hook, Any]) -> Iterator[None]:
    """The hooks replaced while the block runs (in this order), the ones found put back."""
    found = {hook: current(hook) for hook in replacements}
    for hook, value in replacements.items():
        replace(hook, value)
    try:
        yield
    finally:
        for hook, value in found.items():
            replace(hook, value)


# --- weasyprint: page types, @page selectors and the cascade of pages ---

# What weasyprint computes styles for on a page: the page, its margin boxes, footnotes, notes.
PAGE_PSEUDO_TYPES = (None, *(f"@{box}" for box in MARGIN_BOXES), "@footnote", "@note-area")


def new_page_type(side: str, blank: bool, name: str, index: int, groups: Any) -> Any:
    """A weasyprint PageType: what a page's cascade is computed for."""
    return page_module.PageType(side, blank, name, index, groups)


def page_selectors(context: Any) -> Iterator[tuple[Any, ...]]:
    """Every `@page` selector of a laid-out document's style sheets, repeats included:
    (side, blank, first, index, name), as page_type_matches takes them."""
    for sheet, _origin, _specificity in context.style_for._sheets:
        for _rule, selector_list, _declarations in sheet.page_rules:
            for _spec, _pseudo, sel in selector_list:
                yield sel.side, sel.blank, sel.first, sel.index, sel.name


def page_type_matches(page_type: Any, side: Any, blank: Any, first: Any, index: Any,
                      name: Any) -> bool:
    """Whether an `@page` selector matches a page type, as weasyprint's cascade decides."""
    matched: bool = StyleFor._page_type_match(PageSelectorType(side, blank, first, index, name),
                                              page_type)
    return matched


def style_for(context: Any) -> Any:
    """A layout context's StyleFor (the cascade of its document)."""
    return context.style_for


def computed_styles(styles: Any) -> Any:
    """A StyleFor's computed styles, (element or page type, pseudo type) -> style; writable."""
    return styles._computed_styles


def cascaded_styles(styles: Any) -> Any:
    """A StyleFor's cascaded declarations, (element or page type, pseudo type) -> {...}."""
    return styles._cascaded_styles


# --- weasyprint: laid-out pages and the layout context ---


def page_box(page: Any) -> Any:
    """A laid-out Page's page box (its page_type, its margin boxes among its children)."""
    return page._page_box


def set_page_box(page: Any, box: Any) -> None:
    """What a Page draws when written: its page box."""
    page._page_box = box


def page_number(context: Any) -> int:
    """The page a layout context is making, from 1."""
    number: int = context.current_page
    return number


def named_strings(context: Any) -> Any:
    """A layout context's named strings: {name: {page number: [values set on that page]}}."""
    return context.string_set


def string_for(context: Any, page: Any, name: str, keyword: str, before: Any,
               assigned: list[Any]) -> Any:
    """What string(name, keyword) shows on a page where `assigned` values are set, `before`
    being the value in effect before it (None: none): weasyprint's own lookup, given a store
    where the page before is page 1 and this page is page 2."""
    store = {name: {1: [before]} if before is not None else {}}
    if assigned:
        store[name][2] = list(assigned)
    current, context.current_page = context.current_page, 2
    try:
        return context.get_string_or_element_for(store, page, name, keyword)
    finally:
        context.current_page = current


def with_page_counter(state: Any, number: int) -> Any:
    """The page maker's state for a page (quote depth, counter values, counter scopes, string
    sets) with its `page` counter set to `number`."""
    counters = dict(state[1])
    counters["page"] = [number]
    return (state[0], counters, state[2], state[3])


# --- weasyprint: fonts ---


def font_name(font: Any) -> str:
    """A weasyprint Font's PDF name (from its description: the same in every process)."""
    name: str = font.name.decode()
    return name


def font_index(font: Any) -> int:
    """A weasyprint Font's face index in its file."""
    index: int = font.index
    return index


def font_data(font: Any) -> bytes:
    """A weasyprint Font's original file, before subsetting."""
    data: bytes = font.file_content
    return data


def harfbuzz() -> tuple[Any, Any, Any, Callable[[Any], bytes]]:
    """weasyprint's HarfBuzz bindings: its cffi FFI, libharfbuzz, libharfbuzz-subset (None when
    missing) and get_hb_object_data. Raises ImportError or OSError where they are unusable."""
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    return ffi, harfbuzz, harfbuzz_subset, get_hb_object_data


def hb_face_create(ffi: Any, harfbuzz: Any) -> Any:
    """hb_face_create, declared here if weasyprint's bindings do not declare it."""
    try:
        return harfbuzz.hb_face_create
    except AttributeError:
        ffi.cdef("hb_blob_t * hb_blob_create (const char *data, unsigned int length, "
                 "int mode, void *user_data, void *destroy);\n"
                 "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);")
        return harfbuzz.hb_face_create


# --- pypdf: a PdfWriter's objects, root and file identifier ---


def add_object(writer: pypdf.PdfWriter, obj: PdfObject) -> IndirectObject:
    """An object added to the writer (written with the file): a reference to it."""
    return writer._add_object(obj)


def drop_object(writer: pypdf.PdfWriter, idnum: int) -> None:
    """An object the writer holds, not written after all (nothing may refer to it)."""
    writer._objects[idnum - 1] = None


def root_object(writer: pypdf.PdfWriter) -> DictionaryObject:
    """The document catalog (where /Lang goes)."""
    return writer._root_object


def set_file_id(writer: pypdf.PdfWriter, ident: ArrayObject) -> None:
    """The file identifier (/ID in the trailer) the writer writes."""
    writer._ID = ident
