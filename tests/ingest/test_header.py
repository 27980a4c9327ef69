"""The header block parser on the variants fans actually type."""

from __future__ import annotations

import pytest

from ficbook.ingest.header import canonical, inline_markup, metadata_from_fields, parse_header
from ficbook.model import Metadata


def meta_of(text: str) -> Metadata:
    header = parse_header(text.split("\n"))
    return metadata_from_fields(header.fields, Metadata(title=""))


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("Pairing", "relationships"), ("Pairings", "relationships"),
        ("Relationship", "relationships"), ("Relationships", "relationships"),
        ("Relationship(s)", "relationships"), ("Ship", "relationships"),
        ("Warning", "warnings"), ("Warnings", "warnings"), ("Genre", "genres"),
        ("Category", "categories"), ("Tags", "tags"), ("A/N", "notes"),
        ("Author's Note", "notes"), ("Author’s Notes", "notes"), ("Notes", "notes"),
        ("Prompt", "prompt"), ("Beta", "betas"), ("Written For", "written_for"),
        ("written for", "written_for"), ("For", "written_for"), ("Word Count", "word_count"),
        ("Words", "word_count"), ("Wordcount", "word_count"), ("Series", "series"),
        ("Status", "status"), ("Date", "published"), ("Rating", "rating"), ("Rated", "rating"),
        ("Fandom", "fandoms"), ("Fandoms", "fandoms"), ("Character", "characters"),
        ("Characters", "characters"), ("Spoilers", "spoilers"), ("Summary", "summary"),
        ("Disclaimer", "disclaimer"), ("TITLE", "title"), ("  author ", "authors"),
    ],
)  # fmt: skip
def test_every_common_variant_maps_to_its_field(key: str, field: str) -> None:
    assert canonical(key) == field


def test_bold_keys_in_markdown_and_html_are_understood() -> None:
    meta = meta_of("**Title:** Star Jar\n<b>Author:</b> quill\n__Fandom__: Orbit\n<strong>Rating:</strong> G\n\nBody.")
    assert (meta.title, meta.authors, meta.fandoms, meta.rating) == ("Star Jar", ("quill",), ("Orbit",), "G")


def test_odd_spacing_and_case() -> None:
    meta = meta_of("TITLE :  Rain Song\nauthor:wren\n  Relationship(s):  Ada & Bea\n\nText.")
    assert meta.title == "Rain Song"
    assert meta.authors == ("wren",)
    assert meta.relationships == ("Ada & Bea",)


def test_values_continue_on_following_lines() -> None:
    meta = meta_of("Title: Long\nSummary: The first line of a summary\nthat goes on here\nand ends here.\nRating: G\n\nBody.")
    assert meta.summary == "The first line of a summary that goes on here and ends here."
    assert meta.rating == "G"


def test_a_key_alone_takes_the_next_paragraph_as_its_value() -> None:
    meta = meta_of("Title: T\nSummary:\n\nA summary in its own paragraph.\n\nRating: G\n\nBody.")
    assert meta.summary == "A summary in its own paragraph."
    assert meta.rating == "G"


def test_unknown_keys_are_kept_in_order_as_written() -> None:
    meta = meta_of("Title: T\nSoundtrack: Song A\nMood: Rainy\nAuthor: me\n\nBody.")
    assert meta.extra == (("Soundtrack", "Song A"), ("Mood", "Rainy"))
    assert meta.authors == ("me",)


def test_lists_split_on_commas_and_lose_trailing_full_stops() -> None:
    meta = meta_of("Title: T\nCharacters: Buffy, Willow, Xander.\nTags: a; b\n\nBody.")
    assert meta.characters == ("Buffy", "Willow", "Xander")
    assert meta.tags == ("a", "b")


@pytest.mark.parametrize(("value", "count"), [("902", 902), ("1,234", 1234), ("~2000", 2000),
                                              ("approx. 1.5k", 1500), ("3k words", 3000)])
def test_declared_word_counts(value: str, count: int) -> None:
    assert meta_of(f"Title: T\nWord Count: {value}\n\nBody.").word_count == count


def test_unreadable_word_count_is_kept_as_written() -> None:
    meta = meta_of("Title: T\nWord Count: lots\n\nBody.")
    assert meta.word_count is None
    assert meta.extra == (("Word Count", "lots"),)


def test_series_part_number() -> None:
    meta = meta_of("Title: T\nSeries: Ferry Road (Part 2)\n\nBody.")
    assert (meta.series, meta.series_index) == ("Ferry Road", 2.0)


def test_subject_line_is_recognised_and_not_body() -> None:
    header = parse_header(["BtVS Fic: Leaving Home", "", "Title: Leaving Home", "Author: x", "", "Body."])
    assert header.subject == "BtVS Fic: Leaving Home"
    assert header.body_start == 5


def test_prose_without_a_header_is_not_a_header() -> None:
    header = parse_header(["She said: no.", "Then she left.", "", "More."])
    assert not header
    assert header.body_start == 0


def test_summary_typography_and_emphasis() -> None:
    meta = meta_of("Title: T\nSummary: \"Don't,\" she said -- *really*...\n\nBody.")
    assert meta.summary == "“Don’t,” she said — <em>really</em>…"


def test_inline_markup_leaves_usernames_alone() -> None:
    assert inline_markup("for fan_flashworks and *me*") == "for fan_flashworks and <em>me</em>"


def test_dialogue_opening_the_story_is_not_a_header_field() -> None:
    header = parse_header(["Title: T", "Author: a", "", "Mom: Dinner's ready!", "", "She ran."])
    assert [k for k, _ in header.fields] == ["Title", "Author"]
    assert header.body_start == 3


def test_known_fields_and_key_runs_after_blank_lines_stay_in_the_header() -> None:
    text = "Title: T\n\nAuthor: a\n\nMood: calm\nMusic: rain\n\nStory starts: here."
    header = parse_header(text.split("\n"))
    assert [k for k, _ in header.fields] == ["Title", "Author", "Mood", "Music"]


def test_a_plain_field_comes_out_as_the_sanitizer_and_typography_would_make_it() -> None:
    # Fields with nothing to sanitize or make typographic skip both: the same text results.
    import random

    from ficbook.ingest.header import plain_field
    from ficbook.xhtml import sanitize as xhtml

    rng = random.Random(6)
    chars = list("abXZ09 ,;:!?()[]*_#/@%$~|+=é日本🙂\t\r\u00a0\u2003\x00\x01\x0c\ufffe\u200b\u0301"
                 "'\"-.&<>`\\\ufeff")
    for _ in range(5000):
        value = "".join(rng.choice(chars) for _ in range(rng.randint(0, 24)))
        assert plain_field(value) == xhtml.to_text(xhtml.clean(value, typography=True)), value


def test_a_repeated_key_keeps_the_first_value_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    header = parse_header(["Title: The First Name", "Author: me", "Title: A Second Name", "", "Body."])
    meta = metadata_from_fields(header.fields, Metadata(title=""), "story.txt")
    assert meta.title == "The First Name"
    assert any("story.txt" in r.getMessage() and "'Title'" in r.getMessage() for r in caplog.records)


def test_repeated_list_keys_are_joined_without_warning(caplog: pytest.LogCaptureFixture) -> None:
    meta = meta_of("Title: T\nPairing: A/B\nRelationship: C/D\n\nBody.")
    assert meta.relationships == ("A/B", "C/D")
    assert caplog.records == []


def test_a_whole_bold_key_line_loses_its_closing_marker() -> None:
    meta = meta_of("**Disclaimer: Not mine, sadly.**\n**Title: Lark**\n\nBody.")
    assert (meta.disclaimer, meta.title) == ("Not mine, sadly.", "Lark")


@pytest.mark.parametrize(("key", "field"), [
    ("content_rating", "rating"), ("Content-Warning", "warnings"), ("date_published", "published"),
    ("lastmod", "updated"), ("Author(s)", "authors"), ("ao3_link", "source_url"),
    ("start_note", "notes"), ("end_note", "end_notes"), ("series_index", "series_index"),
])  # fmt: skip
def test_site_generator_spellings(key: str, field: str) -> None:
    assert canonical(key) == field


@pytest.mark.parametrize("value", ["1e400", "2.5", "12e3", "1.5.2", "3x"])
def test_a_count_that_is_not_a_whole_number_of_words_is_kept_as_written(value: str) -> None:
    meta = meta_of(f"Title: T\nWord Count: {value}\n\nBody.")
    assert meta.word_count is None
    assert meta.extra == (("Word Count", value),)


@pytest.mark.parametrize(("value", "count"), [("5 000", 5000), ("about 4,200 words", 4200),
                                              ("12k", 12000), ("2,345+", 2345), ("902.", 902)])
def test_more_declared_word_counts(value: str, count: int) -> None:
    assert meta_of(f"Title: T\nWord Count: {value}\n\nBody.").word_count == count
