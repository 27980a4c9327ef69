"""Markdown front matter as static-site generators and AO3 exporters write it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

from ficbook.ingest import read_story
from ficbook.ingest.markdown import parse_markdown


def test_site_generator_key_spellings_map_to_their_fields() -> None:
    story = read_story(FIXTURES / "markdown" / "ember-road-site-front-matter.md")
    meta = story.metadata
    assert meta.title == "The Ember Road"
    assert meta.authors == ("kiln_and_quill",)
    assert meta.fandoms == ("Lantern Wars (Original Work)",)
    assert meta.relationships == ("Sefa/Ivo",)
    assert meta.rating == "Teen And Up Audiences"
    assert meta.warnings == ("No Archive Warnings Apply",)
    assert meta.word_count == 310
    assert meta.source_url == "https://example.org/works/1000001"
    assert "salt flats" in meta.summary and "winter exchange" in meta.notes
    assert meta.extra == ()  # every key understood, or set aside as the site's own
    assert "front matter site keys set aside: layout, permalink" in story.reader_notes


def test_dates_print_as_the_author_wrote_them() -> None:
    meta = read_story(FIXTURES / "markdown" / "ember-road-site-front-matter.md").metadata
    assert (meta.published, meta.updated) == ("2024-07-02", "2024-07-09")


@pytest.mark.parametrize("written", ["2024-07-02", "2024-07-02 00:00:00+00:00",
                                     "2024-07-02T10:30:00Z"])
def test_a_date_or_datetime_gives_the_day(written: str) -> None:
    story = parse_markdown(f"---\ntitle: T\ndate: {written}\n---\n\nText.\n", Path("t.md"))
    assert story.metadata.published == "2024-07-02"


@pytest.mark.parametrize(("key", "field", "value"), [
    ("content_rating", "rating", "Mature"), ("content-warning", "warnings", ("Violence",)),
    ("pairings", "relationships", ("A/B",)), ("fandom(s)", "fandoms", ("Orbit",)),
    ("writer", "authors", ("quill",)), ("author(s)", "authors", ("quill",)),
    ("description", "summary", "<p>Short.</p>"), ("wordcount", "word_count", 1200),
    ("lastmod", "updated", "2024-01-02"), ("lang", "language", "fr"),
])  # fmt: skip
def test_common_key_spellings(key: str, field: str, value: object) -> None:
    raw = {"Violence": "Violence", "A/B": "A/B"}
    shown = value[0] if isinstance(value, tuple) else value
    shown = raw.get(str(shown), shown)
    if field == "summary":
        shown = "Short."
    story = parse_markdown(f"---\ntitle: T\n{key}: {shown}\n---\n\nText.\n", Path("t.md"))
    assert getattr(story.metadata, field) == value


def test_the_title_comes_from_the_first_heading_not_the_file_name() -> None:
    story = parse_markdown("---\nauthor: quill\n---\n\n# The Lantern Year\n\nIt was dark.\n",
                           Path("lantern-year-draft.md"))
    assert story.metadata.title == "The Lantern Year"


@pytest.mark.parametrize("written", ["true", "yes", "False", "on"])
def test_a_yaml_boolean_in_a_text_field_is_kept_as_written(written: str) -> None:
    story = parse_markdown(f"---\ntitle: T\nfandom: {written}\n---\n\nText.\n", Path("t.md"))
    assert story.metadata.fandoms == (written,)


def test_a_yaml_null_in_a_text_field_is_left_out() -> None:
    story = parse_markdown("---\ntitle: T\nfandom: ~\ncharacters: null\n---\n\nText.\n",
                           Path("t.md"))
    assert story.metadata.fandoms == () and story.metadata.characters == ()


def test_a_number_that_is_not_a_word_count_is_kept_as_written() -> None:
    story = parse_markdown("---\ntitle: T\nwords: 1e400\n---\n\nText.\n", Path("t.md"))
    assert story.metadata.word_count is None
    assert ("words", "1e400") in story.metadata.extra


@pytest.mark.parametrize("flag", ["yes", "no", "true", "false"])
def test_a_site_published_flag_is_still_set_aside(flag: str) -> None:
    story = parse_markdown(f"---\ntitle: T\npublished: {flag}\n---\n\nText.\n", Path("t.md"))
    assert story.metadata.published == ""
