"""The plain-text post reader on the seed, the samples and fixture posts."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLES

from ficbook import read_story
from ficbook.errors import InputError
from ficbook.ingest.text import is_scene_break, parse_text
from ficbook.xhtml.sanitize import to_text

POSTS = FIXTURES / "posts"


def test_seed_post_reads_completely_and_in_order(seed_post: Path) -> None:
    story = read_story(seed_post)
    m = story.metadata
    assert m.title == "Leaving, Not Running Away"
    assert m.authors == ("badly_knitted",)
    assert m.fandoms == ("BtVS",)
    assert m.characters == ("Buffy",)
    assert m.rating == "PG"
    assert m.word_count == 902
    assert m.spoilers == "Becoming Part 2."
    assert m.summary.startswith("Buffy can’t stay in Sunnydale")
    assert m.written_for.startswith("Challenge 303: Amnesty at fan_flashworks")
    assert m.disclaimer == "I don’t own BtVS, or the characters; they belong to the great Joss Whedon."
    assert story.end_mark == "The End"
    assert len(story.chapters) == 1
    text = to_text(story.chapters[0].body)
    # Every body paragraph of the source, in order, and none of the header.
    source = seed_post.read_text(encoding="utf-8").split("\n")
    paragraphs = [line for line in source[13:] if line.strip() and line != "The End"]
    positions = [text.find(p[:60]) for p in paragraphs]
    assert -1 not in positions and positions == sorted(positions)
    assert "Title:" not in text and "BtVS Fic" not in text and "The End" not in text
    # The seed already has curly quotes: they come out unchanged.
    assert "‘I’m leaving, not running away,’ she told herself firmly" in text
    assert story.counted_words == 902


def test_short_sample() -> None:
    story = read_story(SAMPLES / "lanterns-at-low-tide.txt")
    assert story.metadata.title == "Lanterns at Low Tide"
    assert story.metadata.characters == ("Nell Treharne", "Owen Fairweather")
    assert story.chapters[0].body.count('<hr class="scene-break"/>') == 1
    assert story.end_mark == "The End"
    assert story.counted_words == story.metadata.word_count == 912


def test_chaptered_hardwrapped_sample() -> None:
    story = read_story(SAMPLES / "the-cartographers-apprentice.txt")
    m = story.metadata
    assert m.title == "The Cartographer’s Apprentice"
    assert m.relationships == ("Mira/Tomas",)
    assert m.genres == ("Adventure", "Romance")
    assert m.betas == ("the ever-patient tidepool_beta",)
    assert ("Soundtrack", "Salt Roads, Paper Boats by The Weathervanes (on repeat)") in m.extra
    assert m.summary.endswith("Then the coast starts to move.")
    assert [c.title for c in story.chapters] == [
        "Prologue", "Chapter One: The Salt Roads", "Chapter 2 - Ink and Weather", "Epilogue"]
    breaks = [c.body.count('<hr class="scene-break"/>') for c in story.chapters]
    assert breaks == [0, 1, 2, 0]
    assert story.end_mark == "~fin~"
    body = "".join(c.body for c in story.chapters)
    # Hard wrapping undone: no paragraph holds a line break except the verse.
    assert body.count("<br/>") == 3
    assert "Trust the stone" in body
    # Straight quotes and dashes made typographic, emphasis honoured.
    assert '"' not in to_text(body) and " -- " not in body and "..." not in body
    assert "<em>Kestrel</em>" in body and "<i>Trust the stone</i>" in body


@pytest.mark.parametrize(
    ("name", "title", "authors", "fandoms"),
    [
        ("variants-bold-html.txt", "The Kettle and the Comet", ("marigold_ink",),
         ("Starlight Bakery", "Comet Watch")),
        ("variants-spacing.txt", "Rain on the Ferry Road", ("wrenfield",), ()),
        ("crlf-cp1252.txt", "The Café on Quay Street", ("bellweather",), ("Harbour Lights",)),
        ("utf16-bom.txt", "Snow on the Signal Box", ("northbound_quill",), ("Branch Line",)),
        ("hardwrapped.txt", "The Blue Shed", ("runnerbean_days",), ("Original Work",)),
    ],
)
def test_fixture_posts(name: str, title: str, authors: tuple[str, ...],
                       fandoms: tuple[str, ...]) -> None:
    story = read_story(POSTS / name)
    assert (story.metadata.title, story.metadata.authors, story.metadata.fandoms) == (
        title, authors, fandoms)
    assert "\ufffd" not in "".join(c.body for c in story.chapters)


def test_variant_fields_land() -> None:
    m = read_story(POSTS / "variants-bold-html.txt").metadata
    assert m.relationships == ("Juniper/Hal",)
    assert m.rating == "PG" and m.word_count == 1234
    assert m.written_for == "tansy_b’s winter exchange"
    assert m.notes.startswith("Crossover nobody asked for.")
    s = read_story(POSTS / "variants-spacing.txt")
    assert s.metadata.relationships == ("Ada & Bea", "Ada/Bea")
    assert (s.metadata.status, s.metadata.published, s.metadata.prompt) == (
        "Complete", "2009-03-14", "umbrellas, and the one that got away")
    assert [c.title for c in s.chapters] == ["Chapter 1", "Part 2"]
    assert [c.body.count("scene-break") for c in s.chapters] == [1, 1]


def test_cp1252_and_crlf_decode() -> None:
    story = read_story(POSTS / "crlf-cp1252.txt")
    body = story.chapters[0].body
    assert "café" in body.lower() and "…" in body and "\r" not in body


def test_hard_wrapped_paragraphs_are_unwrapped() -> None:
    story = read_story(POSTS / "hardwrapped.txt")
    assert story.chapters[0].body.count("<p>") == 3
    assert "<br/>" not in story.chapters[0].body


def test_body_without_header_is_titled_after_its_file() -> None:
    story = read_story(POSTS / "no-header.txt")
    assert story.metadata.title == "No Header"
    assert story.chapters[0].body.count("<p>") == 3


@pytest.mark.parametrize("line", ["* * *", "***", "~*~", "---", "-x-", "o0o", "oOo", "xXx",
                                  "~~~", "◇◇◇", "    *    ", "#", "-o-o-o-", "o0o0o0o"])
def test_scene_break_lines(line: str) -> None:
    assert is_scene_break(line)


@pytest.mark.parametrize("line", ["Ooh.", "ox", "No.", "“…”", "Hi", "xox is a word?"])
def test_not_scene_breaks(line: str) -> None:
    assert not is_scene_break(line)


def test_chapter_headings_and_end_marks() -> None:
    story = parse_text("Title: T\n\nPrologue\n\nOne.\n\nChapter Two: Later\n\nTwo.\n\n"
                       "Part 3\n\nThree.\n\nEpilogue\n\nFour.\n\n~fin~\n")
    assert [c.title for c in story.chapters] == ["Prologue", "Chapter Two: Later", "Part 3",
                                                 "Epilogue"]
    assert story.end_mark == "~fin~"


def test_typed_tags_and_markdown_emphasis_survive_and_scripts_do_not() -> None:
    story = parse_text("Title: T\n\nShe was <i>so</i> *very* _tired_ & <b>cross</b>.\n\n"
                       "<script>alert(1)</script><p onclick='x()'>Hi</p> a < b\n")
    body = story.chapters[0].body
    assert "<i>so</i> <em>very</em> <em>tired</em> &amp; <b>cross</b>" in body
    assert "script" not in body and "onclick" not in body and "a &lt; b" in body


def test_lone_cr_line_endings() -> None:
    story = parse_text("Title: Old Mac\rAuthor: a\r\rLine one.\r\rLine two.\r")
    assert story.metadata.authors == ("a",) and story.chapters[0].body.count("<p>") == 2


def test_empty_and_header_only_files_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("  \n\n")
    with pytest.raises(InputError, match="empty"):
        read_story(tmp_path / "empty.txt")
    (tmp_path / "header.txt").write_text("Title: T\nAuthor: a\n")
    with pytest.raises(InputError, match="no story under it"):
        read_story(tmp_path / "header.txt")


@pytest.mark.parametrize("line", [
    "Prologue to a disaster, that was what the meeting was.",
    "Epilogue: nobody ever reads those, she thought, and turned the page…",
    "Interlude music played softly while they waited.",
    "Part 2 of the plan was simple: run.",
    "Chapter 3 of the manual said nothing useful about dragons.",
    "Part two of me wanted to leave.",
])
def test_sentences_starting_with_chapter_words_stay_prose(line: str) -> None:
    story = parse_text(f"Title: T\n\nFirst.\n\n{line}\n\nLast.\n")
    assert len(story.chapters) == 1 and line.split()[0] in story.chapters[0].body


@pytest.mark.parametrize("line", ["Chapter 2.", "Part Two: The Return", "Epilogue",
                                  "Chapter 12 - Home Again", "~ Chapter 3 ~"])
def test_short_headings_still_split_chapters(line: str) -> None:
    story = parse_text(f"Title: T\n\nChapter 1\n\nFirst.\n\n{line}\n\nLast.\n")
    assert len(story.chapters) == 2


@pytest.mark.parametrize("width", [60, 72, 100, 120])
def test_hard_wrapping_at_any_usual_width_is_undone(width: int) -> None:
    import textwrap

    sentence = ("the tide went out of the bay the way it always did slowly and then all at "
                "once as though someone had pulled a plug at the bottom of the world")
    words = sentence.split()
    paragraphs = [" ".join(words[(n + i) % len(words)] for i in range(150)) for n in range(3)]
    story = parse_text("Title: W\n\n" + "\n\n".join(textwrap.fill(p, width) for p in paragraphs))
    assert story.chapters[0].body.count("<p>") == 3 and "<br/>" not in story.chapters[0].body


@pytest.mark.parametrize(("xhtml", "words"), [
    ("<p>“Hello,” she said -- and then... nothing.</p>", 6),
    ("<p>mid<em>word</em> tags</p><p>a—b &amp; c&#160;d</p>", 6),  # a tag parts words, a dash
    # joins them, an entity is the character it stands for
    ("<p>日本語 テスト 🙂 ---</p>", 2),
    ("", 0),
])
def test_words_are_whitespace_tokens_with_a_letter_or_digit(xhtml: str, words: int) -> None:
    from ficbook.model import count_words

    assert count_words(xhtml) == words
    text = html.unescape(re.sub(r"<[^>]+>", " ", xhtml))
    by_hand = [t for t in text.split() if any(c.isalnum() or c == "_" for c in t)]
    assert len(by_hand) == words


def test_the_wrap_column_is_statistics_ninetieth_percentile() -> None:
    import random
    import statistics

    from ficbook.ingest.text import _ninetieth

    rng = random.Random(5)
    for _ in range(2000):
        lengths = [rng.randint(0, 130) for _ in range(rng.randint(10, 200))]
        assert _ninetieth(lengths) == int(statistics.quantiles(lengths, n=10)[8])


def test_word_counts_match_counting_each_token_with_a_word_character() -> None:
    import random

    from ficbook.model import count_words

    pieces = ["a", "Zo", "1", "é", "日本", "—", "-", "*", "…", ".", ",", '"', "_", " ", "\n",
              "\t", "\u00a0", "\u2003", "<em>", "</em>", "<br/>", "&amp;", "&#8212;", "&#160;"]
    rng = random.Random(3)
    for _ in range(3000):
        xhtml = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        text = html.unescape(re.sub(r"<[^>]+>", " ", xhtml))
        assert count_words(xhtml) == len(re.findall(r"\S*\w\S*", text)), xhtml
