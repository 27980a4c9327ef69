"""A Word document exported to Markdown: running heads over every chapter are not chapters,
the title block names the story, and boilerplate pasted into every chapter is kept once."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES

from ficbook.ingest import read_story
from ficbook.ingest.markdown import parse_markdown

EXPORT = FIXTURES / "markdown" / "harbourmaster-word-export.md"


def test_running_heads_are_not_chapters() -> None:
    story = read_story(EXPORT)
    assert [c.title for c in story.chapters] == [
        "Chapter 1: The Empty Berth", "Chapter 2: Ledger Lines", "Chapter 3: Low Water"]
    assert story.chapters[0].part == "Book 2: The Low Tide Years"
    assert all(c.body for c in story.chapters)
    text = "".join(c.body for c in story.chapters)
    assert "The Harbourmaster Cycle</strong>" not in text and "gullwing_writes" not in text


def test_the_title_block_names_the_story_not_the_file_name() -> None:
    meta = read_story(EXPORT).metadata
    assert meta.title == "The Harbourmaster Cycle"
    assert meta.authors == ("gullwing_writes",)
    assert "Welcome to Book 2" in meta.notes


def test_boilerplate_in_every_chapter_is_kept_once_and_said() -> None:
    story = read_story(EXPORT)
    text = "".join(c.body for c in story.chapters) + story.metadata.notes
    assert text.count("vote on which ship sinks next") == 1
    assert "I only borrow the boats" in story.metadata.disclaimer
    assert "I only borrow the boats" not in text
    assert "running heads repeated over the chapters: 6 lines left out" in story.reader_notes


def test_story_lines_that_repeat_inside_chapters_stay() -> None:
    story = read_story(EXPORT)
    text = "".join(c.body for c in story.chapters)
    assert text.count("Saltmouth Quay") == 2  # a place heading, not a running head
    assert text.count("Please read and review.") == 3  # a short note, not above a chapter


def test_empty_chapters_over_a_chapter_are_its_part() -> None:
    story = parse_markdown("# Part One\n\n# The Well\n\nWater.\n\n# The Rope\n\nMore water.\n",
                           Path("w.md"))
    assert [(c.title, c.part) for c in story.chapters] == [
        ("The Well", "Part One"), ("The Rope", "")]


def test_a_repeated_empty_heading_is_left_out() -> None:
    text = "\n\n".join(["# Tales", "# One", "First.", "# Tales", "# Two", "Second."])
    story = parse_markdown(text + "\n", Path("t.md"))
    assert [c.title for c in story.chapters] == ["One", "Two"]
    assert "2 empty chapters made of a repeated line: left out" in story.reader_notes
