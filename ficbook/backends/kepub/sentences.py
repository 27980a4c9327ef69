"""Where sentences end in a run of fic prose: the pieces Kobo's spans wrap, nothing lost.

kepubify ends a sentence after every `. ! ? :` (and one quote) followed by space; calibre asks
ICU. Both cut fic dialogue in the wrong places: `“Really?” she asked` is one sentence,
`Mr. Darcy` and `Wait… what?` too, while `“I just—” “No.”` is two. The rules here:

- an end is `. ! ? ‽ …` (or a run of them), or a dash that closes a quotation, then every
  closing quote or bracket, then whitespace (CJK `。！？` need no space after them);
- a lower-case letter after the space means the sentence goes on (a dialogue tag, `etc. and`,
  `Wait… what`);
- a title (`Mr.`, `Dr.`, `Prof.`), an initial (`J. K.`) or `No.` before a number is no end;
- a dash ends a sentence only where a quotation closes after it (`“I just—” “No.”`).

The pieces always add up to the text: each piece is a sentence with the space after it.
"""

from __future__ import annotations

import re

# Titles and other abbreviations that stand before a name or a number, never at a sentence's
# end in fic ("St." as in saint or street; "No." only before a digit, see _ends_at).
TITLES = frozenset({
    "Mr", "Mrs", "Ms", "Mx", "Messrs", "Mme", "Mlle", "Dr", "Prof", "Rev", "Fr", "Sr", "Br",
    "St", "Mt", "Ft", "Capt", "Cpt", "Col", "Gen", "Lt", "Sgt", "Cpl", "Pvt", "Maj", "Adm",
    "Cmdr", "Cdr", "Insp", "Det", "Supt", "Gov", "Sen", "Rep", "Pres", "Hon", "Sec", "vs",
})
_NUMBER_WORDS = frozenset({"No", "no", "Nos", "Vol", "vol", "Ch", "ch", "pp", "p", "Fig", "fig"})

_CLOSERS = "\"'”’»›)]}"
_OPENERS = "\"'“‘«‹([{"
# A candidate end: terminal marks (or dashes), closing quotes/brackets, then the space after.
_END = re.compile(
    # A dash may stand apart from the quote it ends, as fic often types it: "actually — ”".
    rf"(?P<marks>[.!?‽…]+|[—–]+(?: (?=[{re.escape(_CLOSERS)}]))?|[。！？]+)"
    rf"(?P<closers>[{re.escape(_CLOSERS)}」』）]*)"
    r"(?P<space>\s+|(?<=[。！？」』）])(?=\S))"
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)$")


def sentences(text: str) -> list[str]:
    """`text` cut after each sentence (with the whitespace that follows it); joined, the
    pieces are `text` again."""
    pieces: list[str] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if end >= len(text) or not _ends_at(text, match):
            continue
        pieces.append(text[start:end])
        start = end
    if start < len(text):
        pieces.append(text[start:])
    return pieces


def _ends_at(text: str, match: re.Match[str]) -> bool:
    marks, closers = match["marks"], match["closers"]
    following = text[match.end()]
    if marks[0] in "。！？":
        return True
    if following.islower():
        return False  # a dialogue tag, "etc. and", "Wait… what"
    if marks[0] in "—–":
        # A dash ends a sentence only where speech is cut off: a quote closes after it.
        return bool(closers) and (following in _OPENERS or following.isupper())
    if marks == "." and not closers:
        # Only the last few characters can hold the word (searching from 0 was quadratic).
        word = _WORD_BEFORE.search(text, max(0, match.start() - 16), match.start())
        before = word.group(1) if word else ""
        if before in TITLES and (following.isupper() or following.isdigit()):
            return False  # Mr. Darcy, St. Mungo's, Dr. 2
        if before in _NUMBER_WORDS and following.isdigit():
            return False  # No. 4 Privet Drive
        if (len(before) == 1 and before.isupper() and before != "I" and following.isupper()
                and _starts_word(text, match.start() - 1)):
            return False  # J. K. Rowling
    return True


def _starts_word(text: str, index: int) -> bool:
    return index == 0 or (not text[index - 1].isalnum() and text[index - 1] not in "'’")
