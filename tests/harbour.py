"""A small anthology of five harbour stories, written into a folder, for tests that rebuild it."""

from __future__ import annotations

from pathlib import Path

STORIES = ("Salt Roads", "The Lamplighter's Ledger", "Gull Weather", "Nine Bells", "Low Water")


def write_anthology(folder: Path) -> Path:
    folder.mkdir()
    for n, title in enumerate(STORIES, start=1):
        chapters = "\n\n".join(
            f"Chapter {c}\n\nThe tide came in over the flats at {title.lower()}, and "
            f"the keeper counted {n * c} boats against the light.\n\n* * *\n\n\"Again,\" "
            f"she said -- and the bell answered."
            for c in range(1, 4))
        (folder / f"story-{n}.txt").write_text(
            f"Title: {title}\nAuthor: writer{n}\nFandom: Tidewater\nRating: G\n"
            f"Summary: A night at the harbour, number {n}.\n\n{chapters}\n\nThe End\n")
    (folder / "anthology.toml").write_text(
        'title = "Harbour Lights"\neditors = ["The Tidewater Mods"]\nstories = ["story-*.txt"]\n')
    return folder / "anthology.toml"
