"""A story packed for a worker that shares no filesystem with the client: its bytes, a chapter
folder's files, and the pictures beside it that it names, at the same relative paths.

Which pictures a story names is found without parsing it (the client would do the workers'
work): every `src=`, Markdown target and link definition that looks like a path is tried with
the readers' own rule (xhtml/images.folder_loader: inside the story's folder, no `..`, no
URL), and whatever that rule would load is packed. A name the scan misses is a picture the
book goes without, as when it is not there; `--shared-fs` reads the folder itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..xhtml.images import folder_loader
from .read import chapter_files

# `src="a.png"`, `src=a.png`, `](a.png "title")`, `](<a b.png>)`, `[ref]: a.png`: the places
# a picture is named.
_NAMED = re.compile(rb"""(?:\bsrc\s*=\s*["']?|\]\(\s*|^\s*\[[^\]\n]+\]:\s*)"""
                    rb"""(?:<([^<>\n]+)>|([^"'\s<>()]+))""", re.IGNORECASE | re.MULTILINE)
_SELF_CONTAINED = {".epub", ".docx", ".zip"}  # their pictures travel inside them


@dataclass(frozen=True)
class Shipment:
    """`name`: the story file's or chapter folder's name; `files`: relative path -> bytes, the
    story's own first. `problem`: why it could not be packed (the worker reports it)."""

    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    problem: str | None = None


def shipment(path: Path) -> Shipment:
    """`path` (a story file or a chapter folder) and the pictures it names, packed."""
    if path.is_dir():
        stories = [(f"{path.name}/{f.name}", f) for f in chapter_files(path)]
    else:
        stories = [(path.name, path)]
    files: dict[str, bytes] = {}
    for relative, story in stories:
        data = story.read_bytes()
        files[relative] = data
        if story.suffix.lower() not in _SELF_CONTAINED:
            files.update(_pictures(data, story.parent, os.path.dirname(relative)))
    return Shipment(path.name, files)


def _pictures(data: bytes, folder: Path, prefix: str) -> dict[str, bytes]:
    load = folder_loader(folder)
    found: dict[str, bytes] = {}
    for bracketed, bare in dict.fromkeys(_NAMED.findall(data)):
        src = (bracketed or bare).decode("utf-8", "replace")
        relative = os.path.normpath(unquote(urlsplit(src).path))
        if relative.startswith("..") or relative in (".", "") or os.path.isabs(relative):
            continue
        try:
            picture = load(src)
        except (OSError, ValueError):
            continue
        if picture is not None:
            found[os.path.join(prefix, relative)] = picture
    return found


def materialize(parcel: Shipment, root: Path) -> Path:
    """On the worker: the packed files under `root`, at their relative paths; the story's
    path (a file, or its chapter folder)."""
    for relative, data in parcel.files.items():
        target = (root / relative).resolve()
        if not target.is_relative_to(root.resolve()):  # packed by ficbook, checked anyway
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root / parcel.name
