"""Nothing lost without a word: compare what a reader kept with the source's main text.

Any reader can call `check(story, source_words, path)` after reading: when the story holds much
less than the source's main content, it warns (naming how much is missing) and says so in
`Story.reader_notes`. HTML readers find that main content with `densest_block(doc)`.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import lxml.html

from ..model import Story, count_words

log = logging.getLogger(__name__)

ENOUGH = 0.6  # below this share of the source's main text, the reader missed something
_SKIP = ("script", "style", "noscript", "template", "nav", "footer", "header", "form",
         "select", "option", "button", "textarea")
_CHROME = re.compile(r"comment|sidebar|footer|menu|navigation|(^|\W)nav($|\W)|advert|banner",
                     re.IGNORECASE)


def words_in(text: str) -> int:
    """Words as `count_words` counts them, in plain text."""
    return count_words(text.replace("<", " ").replace("&", " "))


def story_words(story: Story) -> int:
    """Everything the reader kept: the chapters' text and what it moved into metadata."""
    meta = story.metadata
    kept = [meta.title, meta.summary, meta.notes, meta.end_notes, meta.disclaimer,
            meta.written_for, meta.prompt, meta.spoilers, meta.status, meta.published,
            meta.updated, meta.series, meta.rating,
            *meta.authors, *meta.fandoms, *meta.relationships, *meta.characters,
            *meta.warnings, *meta.categories, *meta.genres, *meta.tags, *meta.betas]
    kept += [f"{k} {v}" for k, v in meta.extra]
    for chapter in story.chapters:
        kept += [chapter.title, chapter.summary, chapter.notes, chapter.end_notes, chapter.part]
    return story.counted_words + sum(count_words(k) for k in kept if k) + \
        count_words(story.end_mark)


def visible_words(el: lxml.html.HtmlElement) -> int:
    """Words a reader of the page sees in an element (scripts, menus and forms left out)."""
    count = 0
    for node in el.iter():
        if not isinstance(node.tag, str) or node.tag in _SKIP:
            continue
        if node is not el and _hidden(node, el):
            continue
        count += len((node.text or "").split())
        if node is not el:
            count += len((node.tail or "").split())
    return count


def _hidden(node: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> bool:
    for a in [node, *node.iterancestors()]:
        if a is root:
            return False
        if isinstance(a.tag, str) and a.tag in _SKIP:
            return True
    return False


def densest_block(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The element holding the most prose directly (its own text and paragraphs), outside
    comments, menus and sidebars: the page's main text as a person would point at it."""
    best, best_score = None, 0
    for el in doc.iter("div", "td", "section", "article", "main", "body", "blockquote"):
        if any(_CHROME.search(f"{a.get('id', '')} {a.get('class', '')}")
               for a in [el, *el.iterancestors()]):
            continue
        score = len((el.text or "").split()) + sum(
            len((c.tail or "").split()) + (visible_words(c) if c.tag in {"p", "blockquote"}
                                           else 0)
            for c in el if isinstance(c.tag, str))
        if score > best_score:
            best, best_score = el, score
    return best


def shortfall(kept: int, source: int) -> bool:
    return source > 0 and kept < ENOUGH * source


def check(story: Story, source_words: int, path: Path | None,
          what: str = "the page's main text") -> Story:
    """Warn loudly, and note it, when the story kept much less than its source holds."""
    kept = story_words(story)
    if not shortfall(kept, source_words):
        return story
    message = (f"kept {kept:,} of {source_words:,} words of {what} "
               f"({source_words - kept:,} missing): check the book against the source")
    log.warning("%s: %s", path, message)
    return story.evolve(reader_notes=(*story.reader_notes, message))
