"""`ficbook info`: what ficbook read from a story, as a table or as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from ..model import Story, chapter_label
from . import common, links


@click.command(epilog=common.EPILOG)
@click.argument("input")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed story as JSON.")
@click.option("--from", "reader", type=common.ReaderChoice(), default=None,
              help="Read the input with this reader instead of detecting its format.")
@links.site_options
def info(input: str, as_json: bool, reader: str | None, login: str | None,
         password: str | None, is_adult: bool, fff_ini: Path | None, refresh: bool) -> None:
    """Show what ficbook read from a story (a file or a link): metadata and chapters."""
    from ..fetch import fetch_story, is_url

    if is_url(input):
        with links.fetch_progress() as progress:
            story = fetch_story(input, links.fetch_settings(login, password, is_adult, fff_ini,
                                                            refresh),
                                lambda done, total: progress(input, done, total))
    else:
        from ..ingest import read_story

        story = read_story(Path(input), reader)
    if as_json:
        click.echo(json.dumps(story_json(story), ensure_ascii=False, indent=2))
        return
    _print_info(story)


def story_json(story: Story) -> dict[str, Any]:
    meta = asdict(story.metadata)
    meta["extra"] = [{"key": k, "value": v} for k, v in story.metadata.extra]
    return {
        "source": str(story.source) if story.source else story.metadata.source_url or None,
        "reader": story.reader,
        "reader_notes": list(story.reader_notes),
        "metadata": meta,
        "counted_words": story.counted_words,
        "end_mark": story.end_mark,
        "chapters": [
            {"title": c.title, "words": _words(c.body), "body": c.body, "summary": c.summary,
             "notes": c.notes, "end_notes": c.end_notes, **({"part": c.part} if c.part else {})}
            for c in story.chapters
        ],
    }


def _words(body: str) -> int:
    from ..model import count_words

    return count_words(body)


def _print_info(story: Story) -> None:
    m = story.metadata
    click.echo(f"{story.source or story.metadata.source_url}  (read as: {story.reader})")
    for note in story.reader_notes:
        click.echo(f"  - {note}")
    rows: list[tuple[str, str]] = [("Title", m.title)]
    for key, value in asdict(m).items():
        if key in {"title", "extra", "word_count"} or value in ("", (), None, []):
            continue
        if key == "language" and value == "en":
            continue
        if isinstance(value, list | tuple):
            value = "; ".join(map(str, value))
        elif key in {"summary", "notes", "end_notes", "disclaimer"}:
            from ..xhtml.sanitize import to_text  # lxml: only for a story that has these

            value = to_text(value.replace("</p><p", "</p> <p"))  # paragraphs keep a space
        elif isinstance(value, float):
            value = f"{value:g}"  # a series index: 8, 2.5
        rows.append((key.replace("_", " ").capitalize(), str(value)))
    for key, value in m.extra:
        rows.append((f"{key} (kept as written)", value))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"  {key.ljust(width)}  {value}")
    click.echo(f"  {'Words'.ljust(width)}  {story.counted_words:,} counted"
               + (f", {m.word_count:,} declared" if m.word_count is not None else ""))
    click.echo(f"  {len(story.chapters)} chapter(s):")
    for n, chapter in enumerate(story.chapters, start=1):
        label = chapter_label(story, chapter, n)
        if chapter.part:
            click.echo(f"         {chapter.part}")
        click.echo(f"    {n:>3}. {label}  ({_words(chapter.body):,} words)")
    if story.end_mark:
        click.echo(f"  End mark: {story.end_mark}")
