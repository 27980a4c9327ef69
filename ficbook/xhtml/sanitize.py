"""The one place where untrusted HTML becomes safe, well-formed XHTML fragments."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

import lxml.etree as etree
import lxml.html
import nh3

from . import images
from .typography import smarten

# What a story may contain: prose structure and emphasis. No scripts, forms, frames, media.
ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "dd", "del",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s",
    "samp", "section", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
    # Obsolete tags old archives still use; mapped to valid XHTML below.
    "center", "font", "strike", "big", "tt",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"class", "lang", "dir", "title", "id"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "font": set(),
}
# Elements whose content is never text a reader should see.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template",
                     "svg", "math", "form", "textarea", "select", "button", "head", "title"}
URL_SCHEMES = {"http", "https", "mailto"}

# Obsolete presentational tags -> (valid tag, class that keeps the author's intent).
_RENAMES = {
    "center": ("div", "center"),
    "font": ("span", ""),
    "strike": ("del", ""),
    "big": ("span", "big"),
    "tt": ("code", ""),
}
_BLOCKS = {"p", "div", "blockquote", "ul", "ol", "dl", "table", "pre", "hr", "figure",
           "section", "h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_START = re.compile(r"\s*<({})\b".format("|".join(sorted(_BLOCKS))))
# Characters XML 1.0 forbids; old files and hostile ones both carry them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# huge_tree: libxml2 silently drops text nodes over 10 MB otherwise (a story on one line).
# Input size is bounded before this (decode.MAX_INPUT_BYTES). No network, no entities.
_PARSER = lxml.html.HTMLParser(huge_tree=True, no_network=True, remove_comments=True)
def strip_invalid_chars(text: str) -> str:
    return _XML_INVALID.sub("", text)


def clean(html: str, *, typography: bool = False) -> str:
    """Sanitize an HTML fragment and return it as XHTML (self-closed voids, escaped text)."""
    html = strip_invalid_chars(html)
    if not html.strip():
        return ""
    safe = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel=None,
    )
    safe = _limit_depth(safe)
    if typography:
        safe = smarten(safe)
    root = lxml.html.fragment_fromstring(safe, create_parent="div", parser=_PARSER)
    _normalise(root)
    return _serialise_children(root)


MAX_DEPTH = 64  # deeper markup is flattened: libxml2 gives up (silently) past 256 levels
_TAG_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = {"br", "hr", "img", "wbr"}


# For a quick look at how deep a fragment goes: tags as marks, in C (no callback per tag).
_EMPTY_TAG = re.compile(r"</?(?:br|hr|img|wbr)\b[^>]*>|<[^>]*/>", re.IGNORECASE)
_CLOSE_TAG = re.compile(r"</[a-zA-Z][^>]*>")
_OPEN_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_NOT_A_MARK = re.compile(r"[^\x01\x02]+")  # XML has no such characters: clean() took them out


def _too_deep(html: str) -> bool:
    """Whether nesting may pass MAX_DEPTH: the innermost open-close pairs are taken away, layer
    after layer (a chapter of paragraphs needs two or three); unbalanced input says yes."""
    marks = _NOT_A_MARK.sub("", _OPEN_TAG.sub("\x01", _CLOSE_TAG.sub("\x02", _EMPTY_TAG.sub(
        "", html))))
    for _ in range(MAX_DEPTH):
        if not marks:
            return False
        shorter = marks.replace("\x01\x02", "")
        if shorter == marks:
            return True
        marks = shorter
    return bool(marks)


def _limit_depth(html: str) -> str:
    """Drop tags nested deeper than MAX_DEPTH, keeping their text (input is nh3's balanced HTML)."""
    if html.count("<") < MAX_DEPTH or not _too_deep(html):
        return html
    kept: list[bool] = []
    depth = 0  # how many of the open tags were kept
    out: list[str] = []
    last = 0
    for m in _TAG_TOKEN.finditer(html):
        out.append(html[last:m.start()])
        last = m.end()
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _VOID or selfclosing:
            out.append(m.group(0))
        elif closing:
            if kept and kept.pop():
                depth -= 1
                out.append(m.group(0))
        else:
            keep = depth < MAX_DEPTH
            kept.append(keep)
            if keep:
                depth += 1
                out.append(m.group(0))
    out.append(html[last:])
    return "".join(out)


def _normalise(root: lxml.html.HtmlElement) -> None:
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag in _RENAMES:
            tag, cls = _RENAMES[el.tag]
            el.tag = tag
            if cls:
                el.set("class", " ".join(filter(None, [el.get("class", ""), cls])))
        if el.tag == "hr":
            el.set("class", "scene-break")
        elif el.tag == "img":
            _resolve_image(el)
        if el.get("id") is not None:
            el.set("id", anchor_id(el.get("id", "")))
        if el.tag == "a":
            href = el.get("href", "").strip()
            if href.startswith("#") and len(href) > 1:
                el.set("href", "#" + anchor_id(href[1:]))  # theme/anchors.py resolves it
            elif href := external_href(href):
                el.set("href", href)
            elif el.get("id") is not None:
                el.attrib.pop("href", None)  # a link's own id may be a footnote's way back
            else:
                el.drop_tag()  # the words stay, the link goes
        elif el.tag == "wbr" and (el.text or len(el)):
            _empty_void(el)
        # XHTML's lang is xml:lang in EPUB 2 readers; keep both in step.
        lang = el.get("lang")
        if lang is not None:
            el.set("{http://www.w3.org/XML/1998/namespace}lang", lang)


# Browsers ignore tabs and newlines anywhere in a URL and spaces around it: "jav&#9;ascript:" is
# javascript:, so the scheme is judged on the URL with those taken out.
_URL_IGNORED = re.compile(r"[\t\n\r]")
_LINK_SCHEMES = {"http", "https", "mailto"}


ANCHOR_PREFIX = "n-"  # a story's ids never meet the theme's ("chapter-title") on a page
_NOT_IN_ID = re.compile(r"[^A-Za-z0-9_.-]+")


def anchor_id(name: str) -> str:
    """A story's anchor name as an id that is valid XML and cannot clash with the theme's
    (cleaning twice gives the same id: ficbook's own books are read back through here)."""
    name = _NOT_IN_ID.sub("-", unquote(name).strip()).removeprefix(ANCHOR_PREFIX)
    return ANCHOR_PREFIX + name[:80]


def external_href(href: str) -> str:
    """The one link policy: an absolute http(s) or mailto address stays a link (returned
    normalised); anything else (site-relative, `../`, a query, `#anchor`, any other scheme,
    obfuscated or not) gives '' and the words are kept without it. Links between a book's
    own pages are made by the theme, never taken from a story's HTML."""
    url = _URL_IGNORED.sub("", href).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
                                            "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
                                            "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    try:
        parts = urlsplit(_STRAY_PERCENT.sub("%25", url))
        scheme = parts.scheme.lower()
        if scheme == "mailto":
            query = f"?{quote(parts.query, safe=_SAFE + '?')}" if parts.query else ""
            return f"mailto:{quote(parts.path, safe=_SAFE)}{query}" if parts.path.strip() else ""
        host = parts.hostname
        if scheme not in _LINK_SCHEMES or not host or "@" in parts.netloc or \
                not _HOST.fullmatch(host := unquote(host).encode("idna").decode("ascii")):
            # no host, a user name in it (a trick: http://bank@evil), or not a name (libxml2
            # writes a non-ASCII host escaped: it is unescaped before it becomes punycode)
            return ""
        port = f":{parts.port}" if parts.port is not None else ""
    except (ValueError, UnicodeError):  # "http://[::1", a port out of range, a bad IDN
        return ""
    link = f"{scheme}://{host}{port}{quote(parts.path, safe=_SAFE) or '/'}"
    if parts.query:
        link += "?" + quote(parts.query, safe=_SAFE + "?")
    if parts.fragment:
        link += "#" + quote(parts.fragment, safe=_SAFE + "?")
    return link


# What may stand unescaped in a URL's path, query and fragment (RFC 3986), and '%' already
# starting an escape; a '%' that does not start one is escaped itself.
_SAFE = "!$%&'()*+,-./:;=@_~"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.?")


def _empty_void(el: lxml.html.HtmlElement) -> None:
    """libxml2 reads `<wbr>text` as a wbr holding the text; move what it holds out after it."""
    parent = el.getparent()
    if parent is None:
        return
    at = parent.index(el)
    kids = list(el)
    for n, kid in enumerate(kids, start=1):
        parent.insert(at + n, kid)  # (moves it, its tail with it)
    if kids:
        kids[-1].tail = (kids[-1].tail or "") + (el.tail or "")
        el.tail = el.text
    else:
        el.tail = (el.text or "") + (el.tail or "")
    el.text = None


def _resolve_image(img: lxml.html.HtmlElement) -> None:
    """Local images the reader can vouch for become book assets; remote or unresolved ones
    never reach the book: their alt text stays in their place."""
    collector = images.current()
    src = img.get("src", "").strip()
    book_path = collector.resolve(src) if collector is not None and src else None
    if book_path is not None:
        # Fan art is content, not decoration: an image with no alt text still gets a name.
        alt_text = " ".join(img.get("alt", "").split()) or "Illustration"
        img.attrib.clear()
        img.set("src", book_path)
        img.set("alt", alt_text)
        return
    alt = img.get("alt", "").strip()
    span = lxml.html.Element("span")
    span.set("class", "image-placeholder")
    span.text = f"[image: {alt}]" if alt else "[image]"
    span.tail = img.tail
    parent = img.getparent()
    if parent is not None:
        parent.replace(img, span)


def _serialise_children(root: lxml.html.HtmlElement) -> str:
    parts: list[str] = []
    if root.text:
        parts.append(_escape(root.text))
    for child in root:
        parts.append(etree.tostring(child, method="xml", encoding="unicode"))
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_text(xhtml: str) -> str:
    """Plain text of a fragment, for metadata fields that must not carry markup."""
    if not xhtml:
        return ""
    root = lxml.html.fragment_fromstring(xhtml, create_parent="div", parser=_PARSER)
    return " ".join(root.text_content().split())


def is_block_fragment(xhtml: str) -> bool:
    return bool(_BLOCK_START.match(xhtml))
