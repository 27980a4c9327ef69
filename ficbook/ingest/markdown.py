"""Markdown stories: YAML front matter or the plain-text header block, `#` headings as chapters."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt

from ..errors import InputError
from ..model import Metadata, Story
from .decode import decode, read_bytes
from .header import metadata_from_fields, parse_header
from .htmlblocks import blocks_of, parse_fragment, prepare, story_from_blocks
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
    fields, body = _front_matter(lines, path)
    if fields is None:
        header = parse_header(lines)
        fields, body = header.fields, lines[header.body_start:]
    md = _md()
    fields = [(k, md.render(v) if _canon(k) in _RICH else v) for k, v in fields]
    meta = metadata_from_fields(fields, Metadata(title=""))
    root = parse_fragment(md.render("\n".join(_scene_breaks(body))))
    prepare(root)
    return story_from_blocks(blocks_of(root), path, "markdown", meta, header=False)


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


def _safe_yaml(source: str, path: Path | None) -> Any:
    """yaml.safe_load without anchors and aliases (no billion-laughs expansion)."""
    try:
        for event in yaml.parse(source, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError(path, "front matter uses YAML anchors/aliases; ficbook does "
                                       "not expand them")
        return yaml.safe_load(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""
        raise InputError(path, f"{where}front matter is not valid YAML") from None


def _flatten(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_flatten(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()

