"""A small generated library for batch tests: text posts, a Markdown story with a picture
beside it, a folder of chapter files, two stories with one title and author, a broken file."""

from __future__ import annotations

import io
from pathlib import Path

WORDS = ["the", "tide", "came", "in", "over", "the", "harbour", "wall", "and", "nobody",
         "looked", "up", "from", "the", "nets", "until", "the", "bell", "rang", "twice"]


def prose(n: int, words: int) -> str:
    """Deterministic paragraphs, different for each n."""
    picked = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(words)]
    lines = [" ".join(picked[i:i + 40]).capitalize() + "." for i in range(0, words, 40)]
    return "\n\n".join(lines)


def picture() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (24, 16), (180, 40, 40)).save(out, "PNG")
    return out.getvalue()


def write_library(folder: Path, stories: int = 24) -> Path:
    """`stories` text posts and the special cases above, under `folder`; returns `folder`."""
    (folder / "nested").mkdir(parents=True)
    for n in range(stories):
        where = folder / "nested" if n % 5 == 0 else folder
        (where / f"story-{n:03}.txt").write_text(
            f"Title: Tide {n} Rising\nAuthor: writer{n % 4}\nFandom: Harbour\nRating: General\n\n"
            f"{prose(n, 120 + 30 * n)}\n\n* * *\n\n{prose(n + 1, 80)}\n\nThe End\n")
    (folder / "twin.txt").write_text("Title: Tide 1 Rising\nAuthor: writer1\n\nThe other one.\n")
    pictured = folder / "pictured"
    pictured.mkdir()
    (pictured / "map.png").write_bytes(picture())
    (pictured / "unused.png").write_bytes(picture())
    (pictured / "voyage.md").write_text("---\ntitle: Voyage\nauthor: cartographer\n---\n\n"
                                        "# The Map\n\nShe unrolled it.\n\n![The map](map.png)\n\n"
                                        "The coast ran north.\n")
    chapters = folder / "long-road"
    chapters.mkdir()
    (chapters / "ch01.txt").write_text("Title: The Long Road\nAuthor: walker\n\n"
                                       f"{prose(3, 60)}\n")
    (chapters / "ch02.txt").write_text(f"{prose(4, 60)}\n\nThe End\n")
    (folder / "broken.txt").write_text("")
    return folder


def books(folder: Path) -> dict[str, bytes]:
    """The books in an output folder, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".")}
