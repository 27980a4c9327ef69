"""Pages saved instead of a story (content warnings, logins, errors, index pages): named, refused.

A site puts these in front of or instead of the entry: a "Discretion Advised" or adult-content
gate, a login form, a "not found" page, a browser check, or a listing of links to stories. They
are recognised by what they hold (little prose, a confirm button, a password field, mostly
links), never by the site, and refused with one line that says what the page looks like.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html

from ..errors import InputError
from .htmlblocks import text_of

SHORT = 250  # words: a gate or a login page says little; a drabble can still be 100 words
_GATE = re.compile(
    r"discretion advised|viewed with discretion|adult content|mature content|explicit content|"
    r"adult concepts|age verification|(?:over|at least|older than) (?:the age of )?1[89]\b|"
    r"confirm (?:that )?you (?:are|want)|are you sure you want to (?:view|continue|proceed)|"
    r"if you proceed|content warning|may contain (?:adult|mature|explicit)", re.IGNORECASE)
_ERROR = re.compile(
    r"\b(?:404|not found|page not found|no longer exists?|does not exist|has been deleted|"
    r"has been (?:suspended|purged)|is private|members only|access denied|forbidden|"
    r"story not found|error)\b", re.IGNORECASE)
_CHECK = re.compile(r"just a moment|checking your browser|enable (?:javascript|cookies)|"
                    r"attention required|are you a robot|captcha", re.IGNORECASE)
_LOGIN = re.compile(r"\b(?:log ?in|sign ?in|password|account name|username)\b", re.IGNORECASE)


def refuse_if_not_a_story(doc: lxml.html.HtmlElement, kept_text: str,
                          entry: lxml.html.HtmlElement | None, path: Path | None,
                          container: bool = False) -> None:
    """Raise InputError when the page's little text is a gate, a login, an error or a list.

    `entry` is what the reader read (None: nothing); `container` says a story container named
    it. Then the story's own words are the story's: "Just a moment," she said is not a browser
    check, and a story called "Forbidden" is not an error page. Only the headline and the page
    around the entry (its forms' labels left out) can say the page is a gate or a login."""
    words = len(kept_text.split())
    head = _headline(doc)
    body = doc.find("body")
    listed = entry if entry is not None else body
    if listed is not None and _mostly_links(listed):
        looks = "an index page that lists links to stories"
    elif words >= SHORT:
        return
    else:
        around = _around(doc, entry) if container and entry is not None else text_of(doc)
        looks = _looks_like(doc, kept_text, head, around, container)
    if looks:
        raise InputError(path, f"this page looks like {looks}, not a story ({words} words"
                               f"{f', headed {head!r}' if head else ''}): save the story's own "
                               "page (after confirming or logging in on the site) and try again")


def _headline(doc: lxml.html.HtmlElement) -> str:
    for el in doc.iter("h1", "h2", "title"):
        text = text_of(el)
        if text:
            return text[:60]
    return ""


# What a page says around an entry that is the site's, not a message to the reader: links
# (a journal's menu says "Login"), forms and their labels (a header login box), menus.
_UNSEEN = {"script", "style", "noscript", "template", "form", "a", "button", "label", "select",
           "nav", "header", "footer", "menu", "aside"}
_CHROME = re.compile(r"menu|nav|header|footer|sidebar|login|signin|auth|account|toolbar|"
                     r"masthead|breadcrumb|lang", re.IGNORECASE)


def _around(doc: lxml.html.HtmlElement, entry: lxml.html.HtmlElement) -> str:
    """The page's own words outside the entry: what a gate or a login page would say to the
    reader, leaving out links, forms, menus and the site's header."""
    parts: list[str] = []

    def walk(el: lxml.html.HtmlElement) -> None:
        if el is entry or not isinstance(el.tag, str) or el.tag in _UNSEEN or \
                _CHROME.search(f"{el.get('id', '')} {el.get('class', '')}"):
            return
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")

    walk(doc)
    return " ".join(" ".join(parts).split())


def _looks_like(doc: lxml.html.HtmlElement, kept: str, head: str, around: str,
                container: bool) -> str:
    said = f"{head} {around}"
    buttons = _buttons(doc)
    if _GATE.search(said) and (buttons or doc.find(".//form") is not None):
        return "an adult-content notice that asks to confirm before showing the entry"
    if _CHECK.search(said):
        return "a browser check page"
    if doc.xpath("//input[@type='password']") and _LOGIN.search(said):
        return "a login page"
    if not container and _ERROR.search(head) and len(kept.split()) < 80:
        return "an error page"
    return ""


def _buttons(doc: lxml.html.HtmlElement) -> list[str]:
    return [str(v) for v in doc.xpath("//input[@type='submit']/@value | //button/text()")]


def _mostly_links(el: lxml.html.HtmlElement) -> bool:
    """At least 10 links, and more of the words in links than outside them."""
    links = el.xpath(".//a[@href]")
    if len(links) < 10:
        return False
    in_links = sum(len(text_of(a).split()) for a in links)
    return in_links * 2 > len(text_of(el).split())
