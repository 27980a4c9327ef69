"""`ficbook new anthology DIR`: an anthology.toml and an introduction listing DIR's stories."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .spec import CONFIG_NAME


def new_anthology(folder: Path) -> list[Path]:
    """Write DIR/anthology.toml and DIR/intro.md listing the story files found in DIR."""
    from ..ingest import SUFFIXES, read_story

    if not folder.is_dir():
        raise InputError(folder, "no such folder")
    config, intro = folder / CONFIG_NAME, folder / "intro.md"
    for path in (config, intro):
        if path.exists():
            raise InputError(path, "already exists; not overwriting it")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix
                   and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
                   and p.name != intro.name)
    title = folder.resolve().name.replace("-", " ").replace("_", " ").strip().title() or \
        "My Anthology"
    lines = [
        f"# ficbook anthology: build it with `ficbook build {CONFIG_NAME}`.",
        "# Paths are relative to this file. Only title and stories are required.",
        "", f"title = {_toml(title)}", 'subtitle = ""', "editors = []", 'description = ""',
        'language = "en"', 'cover = "generated"      # or "cover.jpg"', 'formats = ["epub"]',
        '# output = "out/"', 'sort = "as-listed"       # title, author, fandom, date, word-count',
        'group_by = "none"        # fandom, written-for, prompt, author, rating',
        "# Each story may be a table with overrides:",
        '#   { path = "story.txt", title = "...", author = "...", summary = "...", position = 1 }',
        "stories = ["]
    listing = []
    for path in files:
        rel = path.relative_to(folder).as_posix()
        try:
            story = read_story(path)
            about = f"{story.metadata.title}" + (
                f" by {', '.join(story.metadata.authors)}" if story.metadata.authors else "")
            listing.append(f"- *{_md(story.metadata.title)}*" + (
                f" by {_md(', '.join(story.metadata.authors))}" if story.metadata.authors else ""))
        except InputError as exc:
            about = f"cannot be read yet: {exc.message}"
        lines.append(f"    {_toml(rel)},  # {about}")
    lines += ["]", "", "[front_matter]", 'introduction = "intro.md"', ""]
    config.write_text("\n".join(lines), encoding="utf-8")
    intro.write_text(f"# Introduction\n\nWelcome to *{_md(title)}*. In this collection:\n\n"
                     + ("\n".join(listing) or "- (no stories yet)") + "\n", encoding="utf-8")
    return [config, intro]


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text)
