"""The author's own words for fields and subject lines: "Pairing", "Note", "Fandom: Title (A/B)"."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ficbook import build, read_story
from ficbook.ingest.header import read_subject


def test_the_title_page_says_pairing_and_note_when_the_author_did(tmp_path: Path) -> None:
    post = tmp_path / "tide.txt"
    post.write_text("Title: Tide Tables\nAuthor: gull_watch\nFandom: Harbour Lights\n"
                    "Pairing: Mara/Ines\nNote: For the harbour exchange.\n\n"
                    "The tide came in twice a day, and Mara counted both.\n", encoding="utf-8")
    story = read_story(post)
    assert dict(story.metadata.labels) == {"relationships": "Pairing", "notes": "Note"}
    assert story.metadata.relationships == ("Mara/Ines",)
    epub = build([post], tmp_path / "out")[0]
    with zipfile.ZipFile(epub) as z:
        page = z.read("EPUB/text/story-title.xhtml").decode()
        # ...and reading ficbook's own book back keeps them.
    assert "<dt>Pairing</dt>" in page and "<h2>Note</h2>" in page and "<dt>Fandom</dt>" in page
    assert read_story(epub).metadata.labels == story.metadata.labels


def test_journal_subject_lines_name_fandom_title_and_pairing() -> None:
    assert read_subject("Harbour Lights: Tide Tables (Mara/Ines)") == {
        "title": "Tide Tables", "fandoms": ("Harbour Lights",), "relationships": ("Mara/Ines",)}
    assert read_subject("Harbour Lights Fic: Tide Tables") == {
        "title": "Tide Tables", "fandoms": ("Harbour Lights",)}
    # A colon alone is part of a title, not a fandom.
    assert read_subject("Tide Tables: The Second Year") == {"title": "Tide Tables: The Second Year"}
