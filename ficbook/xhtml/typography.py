"""Typography: straight quotes to curly, -- to dashes, ... to ellipses (smartypants, fast)."""

from __future__ import annotations

import re

import smartypants

_SMARTY = smartypants.Attr.q | smartypants.Attr.B | smartypants.Attr.i | smartypants.Attr.e
_SMARTY |= smartypants.Attr.u


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


# A line of dialogue that is only "?" or "!": smartypants closes a quote that punctuation
# follows, so it would open with a closing quote (”?”); at the start of a text it opens.
_OPENING_BEFORE_MARKS = re.compile(r'(?:(?<=>)|(?<=^)|(?<=\s))"(?=[?!]+")')


def smarten(html: str) -> str:
    """Straight quotes to curly, -- to dashes, ... to ellipses; tags and curly input untouched."""
    if "'" in html:
        html = _OPENING_SINGLE.sub("‘", html)
    if '"?' in html or '"!' in html:
        html = _OPENING_BEFORE_MARKS.sub("“", html)
    return _smartypants(html)


# smartypants.smartypants(text, _SMARTY), token for token, but each step runs only on text
# tokens that hold a character it could change (it runs ~20 regex passes on every token, most of
# them no-ops: 1.2 s of a 150,000-word novel's 3.5 s build). With Attr.B every straight ' has
# become &#8217; before the quote step, so only smartypants' double-quote passes can match there;
# their patterns are copied verbatim. tests/xhtml/test_typography.py checks the two agree.
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
