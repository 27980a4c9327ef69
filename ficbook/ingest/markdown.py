"""Markdown stories: YAML front matter or the plain-text header block, `#` headings as chapters."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from ..errors import InputError
from ..model import Metadata, Story
from .decode import decode, read_bytes
from .furniture import Furniture, find_furniture, tidy_chapters
from .header import metadata_from_fields, parse_header
from .htmlblocks import blocks_of, fragment, parse_fragment, prepare, story_from_blocks
from .text import is_scene_break

MAX_FRONT_MATTER = 64 * 1024
_FENCE = re.compile(r"^(---|\+\+\+)\s*$")
_CLOSE = re.compile(r"^(---|\.\.\.)\s*$")
_RICH = {"summary", "notes", "end_notes", "disclaimer"}


def _md() -> MarkdownIt:
    # Raw HTML is allowed (fans type <i> and <center>); xhtml.clean sanitizes all of it later.
    return MarkdownIt("commonmark", {"html": True, "breaks": False}).enable(
        ["strikethrough", "table"])


def read_markdown(path: Path) -> Story:
    return parse_markdown(decode(read_bytes(path), path), path)


def parse_markdown(text: str, path: Path | None = None) -> Story:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(path, "the file is empty: there is no story to build")
    lines = text.split("\n")
    notes: list[str] = []
    fields, body = _front_matter(lines, path)
    if fields is None:
        header = parse_header(lines)
        fields, body = header.fields, lines[header.body_start:]
    else:
        fields, notes = _front_matter_fields(fields)
    md = _md()
    plain_fields = fields
    fields = [(k, md.render(v) if _canon(k) in _RICH else v) for k, v in fields]
    meta = metadata_from_fields(fields, Metadata(title=""), path)
    root = parse_fragment(md.render("\n".join(_scene_breaks(body))))
    prepare(root)
    found = find_furniture(blocks_of(root), tuple(f"{k}: {v}" for k, v in plain_fields),
                           (meta.title, *meta.authors))
    meta = _furniture_metadata(meta, found)
    story = story_from_blocks(found.blocks, path, "markdown", meta, header=False)
    chapters, tidied = tidy_chapters(story.chapters)
    if found.part and chapters and not chapters[0].part:
        chapters = (replace(chapters[0], part=found.part), *chapters[1:])
    return replace(story, chapters=chapters,
                   reader_notes=(*story.reader_notes, *notes, *found.notes(), *tidied))


def _furniture_metadata(meta: Metadata, found: Furniture) -> Metadata:
    """A title block the front matter did not already give; the preface as the story's notes."""
    if found.title and not meta.title:
        meta = replace(meta, title=found.title)
    if found.author and not meta.authors:
        meta = replace(meta, authors=(found.author,))
    if found.preface:
        preface = "".join(fragment(b) for b in found.preface)
        meta = replace(meta, notes=" ".join(filter(None, (meta.notes, preface))))
    return meta


# Keys a static site generator (Jekyll, Hugo, 11ty) reads for itself: not the story's.
SITE_KEYS = {"layout", "permalink", "slug", "draft", "weight", "aliases", "type", "menu",
             "eleventynavigation", "eleventyexcludefromcollections", "eleventycomputed",
             "sitemap", "toc", "comments"}
_DATE_TIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[Tt]|\s+)\d{1,2}:\d{2}")
_FLAGS = {"yes", "no", "true", "false", "on", "off", "y", "n"}  # Jekyll's `published: false`
_PUBLISHED_KEYS = {"published", "date published", "published date", "publish date", "pubdate",
                   "first published", "date posted", "posted"}


def _front_matter_fields(fields: list[tuple[str, str]]) -> tuple[list[tuple[str, str]],
                                                                   list[str]]:
    """Front matter in the story's words: site keys set aside, dates as the author wrote them
    (the day, without a midnight time), and `date` beside a published date is the update."""
    site = [k for k, _ in fields if k.lower() in SITE_KEYS]
    named = {re.sub(r"[\s_-]+", " ", k.lower()).strip() for k, _ in fields}
    out = []
    for key, value in fields:
        if key.lower() in SITE_KEYS or (key.lower() == "published"
                                        and value.lower() in _FLAGS):
            continue
        if key.lower() == "date" and named & _PUBLISHED_KEYS:
            key = "Updated"
        if _canon(key) in {"published", "updated"} and (m := _DATE_TIME.match(value)):
            value = m.group(1)
        out.append((key, value))
    notes = [f"front matter site keys set aside: {', '.join(site)}"] if site else []
    return out, notes


def _canon(key: str) -> str | None:
    from .header import canonical

    return canonical(key)


def _scene_breaks(lines: list[str]) -> list[str]:
    """`~~~` would open a code block and `---` under text makes a heading: a dinkus alone
    between blank lines is a scene break, so say so in Markdown's own words."""
    out = []
    for n, line in enumerate(lines):
        before = lines[n - 1].strip() if n else ""
        after = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if not before and not after and is_scene_break(line) and not line.lstrip().startswith(
                ("#", "```")):
            out.append("<hr/>")
        else:
            out.append(line)
    return out


def _front_matter(lines: list[str], path: Path | None) -> tuple[
        list[tuple[str, str]] | None, list[str]]:
    if not lines or not _FENCE.match(lines[0]) or lines[0].strip() == "+++":
        return None, lines
    for end in range(1, min(len(lines), 2000)):
        if _CLOSE.match(lines[end]):
            break
    else:
        return None, lines
    source = "\n".join(lines[1:end])
    if len(source.encode()) > MAX_FRONT_MATTER:
        raise InputError(path, f"front matter is larger than {MAX_FRONT_MATTER // 1024} KB")
    data = _safe_yaml(source, path)
    if data is None:
        return [], lines[end + 1:]
    if not isinstance(data, dict):
        raise InputError(path, "front matter must be a mapping of `key: value` lines")
    fields = [(str(k), _flatten(v)) for k, v in data.items() if v is not None]
    return fields, lines[end + 1:]


class _Loader(yaml.SafeLoader):  # type: ignore[misc]
    """yaml's SafeLoader that leaves dates and booleans as the author wrote them
    (`2024-07-02`, not a datetime that prints as `2024-07-02 00:00:00+00:00`; `fandom: true`
    is the word "true", not a yes)."""


_AS_WRITTEN = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool"}
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _AS_WRITTEN]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _safe_yaml(source: str, path: Path | None) -> Any:
    """yaml.safe_load without anchors and aliases (no billion-laughs expansion)."""
    try:
        for event in yaml.parse(source, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError(path, "front matter uses YAML anchors/aliases; ficbook does "
                                       "not expand them")
        return yaml.load(source, Loader=_Loader)  # a SafeLoader (below)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""
        raise InputError(path, f"{where}front matter is not valid YAML") from None


def _flatten(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_flatten(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, bool):  # an explicit `!!bool`: the plain word, never a "yes"
        return str(value).lower()
    return str(value).strip()

