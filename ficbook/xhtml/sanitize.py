"""The one place where untrusted HTML becomes safe, well-formed XHTML fragments."""

from __future__ import annotations

import re

import lxml.etree as etree
import lxml.html
import nh3
import smartypants

from . import images

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
    "*": {"class", "lang", "dir", "title"},
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
_SMARTY = smartypants.Attr.q | smartypants.Attr.B | smartypants.Attr.i | smartypants.Attr.e
_SMARTY |= smartypants.Attr.u


def strip_invalid_chars(text: str) -> str:
    return _XML_INVALID.sub("", text)


# smartypants reads every word-initial ' as an apostrophe ('tis); in fic it is far more often
# an opening single quote (British dialogue, thoughts). Only these words start with elision.
_ELISIONS = {"tis", "twas", "twill", "em", "cause", "cos", "coz", "til", "till", "round", "bout",
             "n", "nother", "kay", "fraid", "scuse", "sup", "ello", "ow", "er", "ere", "appen"}
# A ' before a word, at the start or after a space, a tag, an opening bracket or quote, or a
# dash, opens a quotation unless the word is one of those. One C-level substitution: the quote
# comes first (the engine jumps from quote to quote), then what stands before it, as a
# lookbehind over the character and the quote; a callback per quote took five times as long.
_OPENERS = '>([\"“—–'
_OPENING_SINGLE = re.compile(
    "'(?<![^\\s" + re.escape(_OPENERS) + "]')(?=[A-Za-z])(?!(?:"
    + "|".join("".join(f"[{c}{c.upper()}]" for c in word) for word in sorted(_ELISIONS))
    + ")(?![A-Za-z]))")


def smarten(html: str) -> str:
    """Straight quotes to curly, -- to dashes, ... to ellipses; tags and curly input untouched."""
    if "'" in html:
        html = _OPENING_SINGLE.sub("‘", html)
    return _smartypants(html)


# smartypants.smartypants(text, _SMARTY), token for token, but each step runs only on text
# tokens that hold a character it could change (it runs ~20 regex passes on every token, most of
# them no-ops: 1.2 s of a 150,000-word novel's 3.5 s build). With Attr.B every straight ' has
# become &#8217; before the quote step, so only smartypants' double-quote passes can match there;
# their patterns are copied verbatim. tests/test_xhtml.py checks the two agree.
_PUNCT = r"""[!"#\$\%'()*+,-.\/:;<=>?\@\[\\\]\^_`{|}~]"""
_CLOSE = r"[^\ \t\r\n\[\{\(\-]"
_DOUBLE_QUOTE_STEPS = (
    (re.compile(r'^"(?=' + _PUNCT + r"\\B)"), "&#8221;"),
    # Verbatim, VERBOSE flag and all: the "#" of "&#8211;" starts a comment there, so the
    # decimal and hex entity branches become one, "&&#x2013;", in smartypants, and here.
    (re.compile(r"""
            (
                \s          |   # a whitespace char, or
                &nbsp;      |   # a non-breaking space entity, or
                --          |   # dashes, or
                &[mn]dash;  |   # named dash entities
                &#8211;|&#8212;          |   # or decimal entities
                &\#x201[34];    # or hex
            )
            "                 # the quote
            (?=\w)            # followed by a word character
            """, re.VERBOSE), r"\1&#8220;"),
    (re.compile(r'"(?=\s)'), "&#8221;"),
    (re.compile(r'^"(?=' + _PUNCT + ")"), "&#8221;"),
    (re.compile("(" + _CLOSE + ')"'), r"\1&#8221;"),
)
# The same two slow passes (they try an alternation at every character) as lookbehinds after
# the quote, so the regex engine jumps from quote to quote. Same matches: a prefix never holds
# a quote, so consuming it changes nothing; for the closing pass that holds unless a quote
# follows a quote ("" then takes the verbatim pass).
_OPEN_DOUBLE = re.compile(r'"(?=\w)(?:(?<=\s")|(?<=&nbsp;")|(?<=--")|(?<=&[mn]dash;")'
                          r'|(?<=&&\#x201[34];"))')
_CLOSE_DOUBLE = re.compile('"(?<=' + _CLOSE + '")')
_SKIP_TAGS = smartypants._tags_to_skip_regex()
_ENTITIES = {"&#8211;": "–", "&#8212;": "—", "&#8216;": "‘", "&#8217;": "’", "&#8220;": "“",
             "&#8221;": "”", "&#8230;": "…"}


# The shortcuts below hold for exactly these attributes.
_EXPECTED = (smartypants.Attr.q | smartypants.Attr.B | smartypants.Attr.i | smartypants.Attr.e
             | smartypants.Attr.u)
assert _SMARTY == _EXPECTED


def _double_quotes(t: str) -> str:
    """smartypants.convert_quotes for a token with no straight ' left in it."""
    first, _opening, closing_space, first_punct, closing = _DOUBLE_QUOTE_STEPS
    t = first[0].sub(first[1], t)
    t = _OPEN_DOUBLE.sub("&#8220;", t)
    t = closing_space[0].sub(closing_space[1], t)
    t = first_punct[0].sub(first_punct[1], t)
    t = _CLOSE_DOUBLE.sub("&#8221;", t) if '""' not in t else closing[0].sub(closing[1], t)
    return t.replace('"', "&#8220;")


def _anywhere_steps(t: str) -> str:
    """The steps that change characters whatever is around them: dashes, ellipses, backticks
    and apostrophes (every straight ' left is one, with Attr.B)."""
    if "--" in t:
        t = t.replace("---", "&#8211;").replace("--", "&#8212;")
    if "." in t:
        t = t.replace("...", "&#8230;").replace(". . .", "&#8230;")
    if "`" in t or "'" in t:
        t = t.replace("`", "&#8216;").replace("'", "&#8217;")
    return t


def _smartypants(text: str) -> str:
    if not any(c in text for c in "'\"-.`\\&"):
        return text  # nothing any step could change
    if "\\" not in text and "<!--" not in text and "\0" not in text and not _SKIP_TAGS.search(
            text):
        return _smartypants_joined(text)
    skipped: list[str] = []
    result: list[str] = []
    in_pre = False
    prev_last = ""
    for kind, t in smartypants._tokenize(text):
        if kind == "tag":
            result.append(t)
            m = _SKIP_TAGS.match(t)
            if m:
                if not m.group(1):
                    skipped.append(m.group(2).lower())
                    in_pre = True
                else:
                    if skipped and m.group(2).lower() == skipped[-1]:
                        skipped.pop()
                    if not skipped:
                        in_pre = False
            continue
        last = t[-1:]
        if not in_pre:
            if "\\" in t:
                t = smartypants.process_escapes(t)
            t = _anywhere_steps(t)
            if t == '"':
                t = "&#8221;" if prev_last and not prev_last.isspace() else "&#8220;"
            elif '"' in t:
                t = _double_quotes(t)
            if "&#" in t:
                for entity, char in _ENTITIES.items():
                    t = t.replace(entity, char)
        prev_last = last
        result.append(t)
    return "".join(result)


_TAG = re.compile(r"(<[^>]*>)")  # smartypants._tokenize's tags, where there are no comments


def _smartypants_joined(text: str) -> str:
    """_smartypants() for text with no escapes, comments or tags whose content is skipped: the
    steps that change characters whatever is around them run once over all the text between
    tags (joined by NULs, which no step matches across), not once a token; only tokens with a
    straight double quote still go one by one."""
    parts = _TAG.split(text)  # text, tag, text, tag, ..., text
    originals = parts[0::2]
    joined = _anywhere_steps("\0".join(originals))
    if '"' in joined:
        texts = joined.split("\0")
        prev_last = ""  # the last character of the text token before (tags do not count)
        for n, (original, t) in enumerate(zip(originals, texts, strict=True)):
            if not original:
                continue  # between two tags: no token at all for smartypants
            if t == '"':
                texts[n] = "&#8221;" if prev_last and not prev_last.isspace() else "&#8220;"
            elif '"' in t:
                texts[n] = _double_quotes(t)
            prev_last = original[-1]
        joined = "\0".join(texts)
    if "&#" in joined:
        for entity, char in _ENTITIES.items():
            joined = joined.replace(entity, char)
    parts[0::2] = joined.split("\0")
    return "".join(parts)


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
        elif el.tag == "a":
            href = el.get("href", "")
            if not href or href.startswith("#"):
                # In-document anchors do not survive re-pagination; keep the words only.
                el.attrib.pop("href", None)
        # XHTML's lang is xml:lang in EPUB 2 readers; keep both in step.
        lang = el.get("lang")
        if lang is not None:
            el.set("{http://www.w3.org/XML/1998/namespace}lang", lang)


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
