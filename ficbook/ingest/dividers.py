"""Scene dividers fans draw in web posts (`.:O:.:O:.`, `xoxoxo`, `~~~~`, `-Line Break-`)."""

from __future__ import annotations

import re

from .htmlblocks import Block
from .text import is_scene_break

_MAX = 400  # a divider is one line, however long the run of glyphs
# Letters that decorate dividers (o, x, zero); any other letter makes the line words.
_DECOR_LETTERS = re.compile(r"[oOxX0]")
_PHRASE = re.compile(
    r"^[\W_]*(?:(?:line|scene|page|section|time|pov)[\s_-]*(?:break|change|skip|switch)"
    r"|break|LB)[\W_]*$", re.IGNORECASE)
# Speech that is only punctuation (`"..."`, `"?"`, a lone `…`) is a reply, not a divider.
_QUOTES = frozenset("\"'“”‘’«»„‚‹›`")
_PAUSES = frozenset(".…?!¿¡ ")
_MIN_GLYPHS = 3  # `* * *`, `~*~`, `-x-`: a lone `*` or `#` on a web page is not enough
# The same short unit over and over: `.:O:` in `.:O:.:O:.:O:.`, `xo` in `xoxoxo`.
_REPEATED = re.compile(r"^(?P<unit>\S{1,6}?)(?P=unit){2,}\S{0,6}$")


def is_divider(text: str) -> bool:
    """A line that only separates scenes: the shared rules, then the longer and wordier ones
    FanFiction.net and LiveJournal writers use. Never a line with quotation marks or one made
    only of `.` `…` `?` `!` (dialogue), and at least three glyphs."""
    s = " ".join(text.split())
    if not s or len(s) > _MAX:
        return False
    if _PHRASE.match(s):
        return True
    if _QUOTES & set(s) or set(s) <= _PAUSES or len(s.replace(" ", "")) < _MIN_GLYPHS:
        return False
    if is_scene_break(s):
        return True
    if not any(ch.isalnum() for ch in s):
        return True  # a run of glyphs too long for the shared rule (`~~~~...` x 80)
    squeezed = s.replace(" ", "")
    m = _REPEATED.match(squeezed)
    if m is None:
        return False
    unit = m.group("unit")
    letters = [ch for ch in unit if ch.isalnum()]
    # `xoxoxo`, `ooooo`, `.:O:.:O:.`: decoration letters only, never a word repeated
    # ("hahaha", "nonono").
    return all(_DECOR_LETTERS.match(ch) for ch in letters) and (
        len(letters) < len(unit) or len(squeezed) >= 6)


def mark_dividers(blocks: list[Block]) -> list[Block]:
    """Paragraphs (or headings) that are only a divider become scene breaks."""
    return [Block("hr", "<hr/>") if b.kind in {"p", "heading"} and "<img" not in b.html
            and is_divider(b.text) else b for b in blocks]
