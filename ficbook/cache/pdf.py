"""A cache of laid-out PDF pieces (parts, front matter, heads), so a rebuild after editing one
story lays out only what changed.

Laying out is the expensive step (weasyprint: ~1 s per 8,000-word part); a piece's layout
depends only on its HTML document (which holds the page setup CSS and the text), the
stylesheets and fonts it loads (the book's assets, the theme's files, files it names in the
stories' folders) and the code (ficbook's PDF modules, weasyprint, pydyf). All of that goes into
the key. Whatever depends on page numbers (heads and numbers, the contents page, the join) is
keyed by a document that holds those numbers, so it is laid out again when they move.

An entry is `<key>.json` (pages, where sections start, links out of the piece, fonts by name ->
the SHA-256 of their original file) and `<key>.pdf` (its SHA-256 is in the JSON). Original font
files are kept once, as `fonts/<sha256>.font`. Every write is a temp file and a rename; an entry
that does not parse or whose files do not match their hashes is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..files import atomic_write
from . import LIMIT, cache_dir, prune
from . import key as cache_key

log = logging.getLogger(__name__)

FORMAT = 2  # 2: parts record their pages' types and strings; heads and numbers stamps
_FILE_URL = re.compile(r"""file://[^"'\s)<>]+""")


def font_file(folder: Path, name: str) -> Path:
    """Where a font's original file is saved in `folder`, by its name in the PDF (weasyprint
    names a font after its description: the same in every worker process)."""
    return folder / (re.sub(r"[^A-Za-z0-9+-]", "_", name.lstrip("/")) + ".font")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def environment(assets: Mapping[str, tuple[bytes, str]], theme_roots: Iterable[Path]) -> str:
    """Everything besides a piece's own document that its layout depends on."""
    import pydyf  # type: ignore[import-untyped]
    import weasyprint

    theme = []
    for root in theme_roots:  # the theme and the themes it inherits: css, fonts, templates
        root = Path(root)
        theme += [(path.relative_to(root).as_posix(), _sha256(path.read_bytes()))
                  for path in sorted(p for p in root.rglob("*") if p.is_file())]
    return cache_key(pdf=FORMAT, weasyprint=weasyprint.__version__, pydyf=pydyf.__version__,
                     assets=[(name, media_type, _sha256(data))
                             for name, (data, media_type) in sorted(assets.items())],
                     theme=theme)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PieceCache:
    def __init__(self, env: str, roots: Iterable[Path], folder: Path | None = None) -> None:
        self.folder = (folder or cache_dir()) / "pdf"
        self.env = env
        self.roots = tuple(dict.fromkeys(Path(r).resolve() for r in roots))  # files it may name
        self.hits = 0

    def key(self, kind: str, html: str) -> str:
        """A piece's key: its document, the files it names in the stories' folders (outside
        ones are refused when laid out) and everything else its layout depends on."""
        files = []
        for url in sorted(set(_FILE_URL.findall(html))):
            path = Path(unquote(urlsplit(url).path)).resolve()
            inside = any(path.is_relative_to(root) for root in self.roots)
            files.append((url, _sha256(path.read_bytes()) if inside and path.is_file() else ""))
        return cache_key(env=self.env, kind=kind, html=_sha256(html.encode()), files=files)

    def get(self, key: str, fonts_to: Path, pdf_to: Path | None) -> dict[str, Any] | None:
        """The entry's data, its PDF linked (or copied) to pdf_to and its fonts' originals put
        in fonts_to (where the parts' font merging looks for them); None if missing or broken."""
        meta = self.folder / f"{key}.json"
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                return None
            fonts = data.get("fonts", {})
            for name, sha in fonts.items():  # before the PDF: it must not outlive its fonts
                target = font_file(fonts_to, name)
                if not target.exists():
                    source = self.folder / "fonts" / f"{sha}.font"
                    if sha256_file(source) != sha:
                        return None
                    _place(source, target)
            if pdf_to is not None:
                pdf = self.folder / f"{key}.pdf"
                if data.get("sha256") != sha256_file(pdf):
                    return None
                _place(pdf, pdf_to)
            os.utime(meta)  # recently used: pruned last
            self.hits += 1
            return data
        except FileNotFoundError:
            return None  # not laid out before (or pruned)
        except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
            log.debug("PDF cache: entry %s not usable (%s)", key[:12], exc)
            return None

    def put(self, key: str, data: dict[str, Any], pdf: Path | None, fonts_from: Path,
            fonts: Iterable[str]) -> None:
        """Store a piece (best effort: a full or read-only disk costs speed, not the build)."""
        try:
            shas = {}
            (self.folder / "fonts").mkdir(parents=True, exist_ok=True)
            for name in fonts:
                original = font_file(fonts_from, name)
                if not original.exists():
                    return  # a font not saved (a collection): this piece is not cached
                sha = sha256_file(original)
                stored = self.folder / "fonts" / f"{sha}.font"
                if not stored.exists():
                    _atomic_copy(original, stored)
                shas[name] = sha
            entry = {**data, "format": FORMAT, "fonts": shas}
            if pdf is not None:
                entry["sha256"] = sha256_file(pdf)
                _atomic_copy(pdf, self.folder / f"{key}.pdf")
            atomic_write(self.folder / f"{key}.json", json.dumps(entry).encode())
        except OSError as exc:
            log.debug("PDF cache: cannot store %s: %s", key[:12], exc)

    def pointer(self, name: str) -> dict[str, Any] | None:
        """A small record naming where something is kept (a heads look: which entry, which
        page), or None."""
        try:
            data = json.loads((self.folder / "looks" / f"{name}.json").read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else None
        except (OSError, ValueError):
            return None

    def point(self, name: str, data: dict[str, Any]) -> None:
        try:
            (self.folder / "looks").mkdir(parents=True, exist_ok=True)
            atomic_write(self.folder / "looks" / f"{name}.json", json.dumps(data).encode())
        except OSError as exc:
            log.debug("PDF cache: cannot store pointer %s: %s", name[:12], exc)

    def prune(self, limit: int = LIMIT) -> None:
        """Least recently used pieces go once the cache is over `limit` bytes (the one pruner),
        then the fonts and pointers only they needed."""
        if not prune(self.folder.name, limit, self.folder.parent):
            return
        try:
            wanted = set()
            for meta in self.folder.glob("*.json"):
                try:
                    wanted.update(json.loads(meta.read_text(encoding="utf-8")).get(
                        "fonts", {}).values())
                except (OSError, ValueError, AttributeError):
                    continue
            for font in (self.folder / "fonts").glob("*.font"):
                if font.stem not in wanted:
                    font.unlink(missing_ok=True)
            for pointer in (self.folder / "looks").glob("*.json"):  # to entries pruned
                entry = (self.pointer(pointer.stem) or {}).get("entry")
                if not (self.folder / f"{entry}.json").exists():
                    pointer.unlink(missing_ok=True)
        except OSError as exc:
            log.debug("PDF cache: cannot prune %s: %s", self.folder, exc)


def _place(source: Path, target: Path) -> None:
    """A hard link when it can (cheap; a pruned entry cannot pull the file away), else a copy."""
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:
        _atomic_copy(source, target)


def _atomic_copy(source: Path, target: Path) -> None:
    with source.open("rb") as src:
        atomic_write(target, lambda out: shutil.copyfileobj(src, out), mode=None)
