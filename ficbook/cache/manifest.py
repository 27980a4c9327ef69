"""A batch's manifest, in its output folder: per input, the key of what its book was made from
(its bytes, the options, ficbook's code) and the files it made, so the next run skips it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .. import __version__
from ..files import atomic_write
from ..options import BuildOptions
from . import key

MANIFEST = ".ficbook-batch.json"


def options_fingerprint(options: BuildOptions) -> str:
    """The options and ficbook's code: an edited renderer rebuilds every book."""
    return key(options=json.dumps(asdict(options), sort_keys=True, default=str))


def input_key(files: Sequence[Path], fingerprint: str) -> str:
    """The key of a book made from `files` (a story, or a folder's chapter files) with the
    options and code of `fingerprint`."""
    digest = hashlib.sha256()
    for part in files:
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    return key(files=digest.hexdigest(), made_with=fingerprint)


def load_manifest(output: Path) -> dict[str, Any]:
    """The manifest of the batch built into `output`; an empty one if there is none (or it
    is damaged: every book is then built again)."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("books"), dict):
            return data
    except (OSError, ValueError):
        pass
    return {"ficbook": __version__, "books": {}}


def save_manifest(output: Path, manifest: dict[str, Any]) -> None:
    manifest["ficbook"] = __version__
    data = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write(output / MANIFEST, data.encode())
