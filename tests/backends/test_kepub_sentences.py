"""Where a KEPUB's sentence spans end: fic dialogue, titles, ellipses and dashes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ficbook.backends.kepub.sentences import sentences

# kepubify's rule, for comparison: after . ! ? : (and one quote), then any space.
KEPUBIFY = re.compile(r"(?s).*?[.!?:]['\"”’“…]?\s*")


def kepubify_pieces(text: str) -> list[str]:
    pieces = KEPUBIFY.findall(text)
    rest = text[sum(map(len, pieces)):]
    return [*pieces, rest] if rest else pieces


CASES = [
    # A dialogue tag after a question or exclamation stays with its line.
    ("“Really?” she asked. “Yes.”", ["“Really?” she asked. ", "“Yes.”"]),
    ("“Go away!” he shouted, and left.", ["“Go away!” he shouted, and left."]),
    # A comma inside the quote never ends anything.
    ("“Hi,” she said. Then she left.", ["“Hi,” she said. ", "Then she left."]),
    # Titles and initials before a name.
    ("Mr. Darcy and Mrs. Bennet met Dr. Who.", ["Mr. Darcy and Mrs. Bennet met Dr. Who."]),
    ("St. Mungo’s is near Prof. Snape’s.", ["St. Mungo’s is near Prof. Snape’s."]),
    ("J. K. Rowling wrote it. Then she rested.", ["J. K. Rowling wrote it. ", "Then she rested."]),
    ("It was I. Then it was you.", ["It was I. ", "Then it was you."]),
    ("No. 4 Privet Drive. No. Not there.", ["No. 4 Privet Drive. ", "No. ", "Not there."]),
    # Ellipses: a lower-case word after one goes on, a capital starts anew.
    ("“Wait… you’re leaving?”", ["“Wait… you’re leaving?”"]),
    ("Wait... what? Fine... Then go.", ["Wait... what? ", "Fine... ", "Then go."]),
    ("“One. Two. Three…”", ["“One. ", "Two. ", "Three…”"]),
    # Several marks and quotes close one sentence.
    ("“Mostly?!” He laughed.", ["“Mostly?!” ", "He laughed."]),
    ("She said, ‘Go.’” Then silence.", ["She said, ‘Go.’” ", "Then silence."]),
    # Dashes: speech cut off ends there, a dash inside a sentence does not.
    ("“I just—” “No.”", ["“I just—” ", "“No.”"]),
    ("“I’m actually — ” He stopped.", ["“I’m actually — ” ", "He stopped."]),
    ("He went — quietly — home. Then slept.", ["He went — quietly — home. ", "Then slept."]),
    # Times, decimals, colons and abbreviations mid-sentence.
    ("It’s 11:40. The sign says 3.5 miles: go.", ["It’s 11:40. ", "The sign says 3.5 miles: go."]),
    ("Bring tea, biscuits, etc. and a coat.", ["Bring tea, biscuits, etc. and a coat."]),
    # CJK full stops need no space.
    ("「こんにちは。」元気？はい。", ["「こんにちは。」", "元気？", "はい。"]),
    # Whitespace after a sentence stays with it; nothing is ever dropped.
    ("One.  Two.\nThree. ", ["One.  ", "Two.\n", "Three. "]),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sentences_end_where_a_reader_would_say(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_the_cases_kepubify_gets_wrong_are_the_fic_ones() -> None:
    # What these rules are for: kepubify cuts each of these lines in the wrong place.
    assert kepubify_pieces("“Really?” she asked.") == ["“Really?” ", "she asked."]
    assert kepubify_pieces("Mr. Darcy left.") == ["Mr. ", "Darcy left."]
    assert kepubify_pieces("It’s 11:40.") == ["It’s 11:", "40."]
    assert sentences("“Really?” she asked.") == ["“Really?” she asked."]
    assert sentences("Mr. Darcy left.") == ["Mr. Darcy left."]
    assert sentences("It’s 11:40.") == ["It’s 11:40."]


@given(st.text(alphabet=st.sampled_from(list("aA .!?…—–”’“‘\"'\n:;,1JMrDo")), max_size=80))
def test_the_pieces_are_always_the_whole_text_in_order(text: str) -> None:
    pieces = sentences(text)
    assert "".join(pieces) == text
    assert all(pieces)
