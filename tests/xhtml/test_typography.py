"""xhtml's fast smartypants must give exactly what smartypants itself gives (same EPUB bytes)."""

from __future__ import annotations

import random
import re

import pytest
import smartypants

from ficbook.xhtml import typography as xhtml

PIECES = ["'", '"', '""', "-", "--", "---", ".", "...", ". . .", "`", "\\", "\\\"", "&", "&&#x2014;",
          "&#x2013;", "&#8212;", "&nbsp;", "&mdash;", "&ndash;", " ", "\n", "\t", "\u00a0", "a",
          "s", "1", "80s", "é", "(", "[", "!", "?", ",", "\\B", "“", "<p>", "</p>", "<em>",
          "</em>", "<pre>", "</pre>", "<code>", "</code>", "<br/>", '<a title="x\'y">', "</a>",
          "<!-- x -->", "<!-- a -- b -->", "<", ">"]


def reference(text: str) -> str:
    return str(smartypants.smartypants(text, xhtml._SMARTY))


def test_fast_smartypants_matches_smartypants_on_random_fragments() -> None:
    rng = random.Random(8)
    for _ in range(10_000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 30)))
        assert xhtml._smartypants(text) == reference(text), text


def test_joined_smartypants_matches_smartypants_on_random_fragments() -> None:
    # Without escapes, comments or <pre>/<code>, all the text between tags is done at once.
    pieces = [p for p in PIECES if "\\" not in p and "!--" not in p and "pre" not in p
              and "code" not in p] + ["<hr class=\"scene-break\"/>", '<span title="--">']
    rng = random.Random(9)
    for _ in range(10_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        if "<!--" in text:  # "<", "!" and "--" can still make a comment
            continue
        assert xhtml._smartypants_joined(text) == reference(text), text


def test_fast_smartypants_matches_smartypants_on_prose() -> None:
    text = ('<p>"It\'s later than you think," Ada said -- and then... \'Twas "odd".</p>'
            '<p>She said, "\'Quoted\' words." The \'80s. "Hi"" <em>"</em>x<em>"</em></p>'
            '<pre>"raw" -- \'kept\'</pre><p>&nbsp;"a" &mdash;"b" &&#x2014;"c" `d\' \\"e\\"</p>')
    assert xhtml._smartypants(text) == reference(text)


def opening_single_quotes(text: str) -> str:
    """The rule, spelt out: a ' before a word opens a quotation when it starts the text or
    follows a space, a tag, an opening bracket or quote, or a dash, unless the word is one
    that starts with an elision ('tis, 'em)."""
    def one(match: re.Match[str]) -> str:
        start = match.start()
        before = text[start - 1] if start else " "
        if not (before.isspace() or before in '>(["“—–'):
            return match.group(0)
        if match.group(1).lower() in xhtml._ELISIONS:
            return match.group(0)
        return "‘" + match.group(1)

    return re.sub(r"'([A-Za-z]+)", one, text)


def test_opening_single_quotes_are_found_as_the_rule_says() -> None:
    pieces = ["'", "''", "a", "tis", "Tis", "TIS", "til", "till", "n", "nother", "em", "cause",
              " ", "\u00a0", "\n", ">", "<p>", "(", "[", '"', "“", "—", "–", "-", "’", ".",
              "x", "1", "é", "ſ", "K"]
    rng = random.Random(10)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14)))
        assert xhtml._OPENING_SINGLE.sub("‘", text) == opening_single_quotes(text), text


@pytest.mark.parametrize(("line", "curled"), [
    ('<p>"?"</p>', "<p>“?”</p>"),
    ('<p>"!?" she asked.</p>', "<p>“!?” she asked.</p>"),
    ('<p>He only said, "?"</p>', "<p>He only said, “?”</p>"),
    ('<p>"Really?!"</p>', "<p>“Really?!”</p>"),
])
def test_a_line_of_dialogue_that_is_only_marks_opens_with_an_opening_quote(
        line: str, curled: str) -> None:
    assert xhtml.smarten(line) == curled
