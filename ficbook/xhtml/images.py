"""Story images: local files (or archive members) the author referenced, checked and bounded.

Readers run inside `collecting(loader)`; the sanitizer asks `current()` to resolve each `<img>`.
A loader turns a `src` into bytes or refuses it; nothing remote is ever fetched.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..model import Asset

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # a bigger file is refused unread
MAX_PIXELS = 40_000_000  # decompression bombs stop here
MAX_SIDE = 1600  # larger images are scaled down: e-readers gain nothing from more
MAX_IMAGES = 500  # per story
_KEEP = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "GIF": ("gif", "image/gif")}

Loader = Callable[[str], bytes | None]


class ImageCollector:
    """Resolves `src` values to book assets, once per distinct image."""

    def __init__(self, loader: Loader, origin: str) -> None:
        self.loader = loader
        self.origin = origin
        self.assets: dict[str, Asset] = {}
        self._by_src: dict[str, str | None] = {}

    def resolve(self, src: str) -> str | None:
        """The asset's book path ("images/….png"), or None when the image cannot be used."""
        if src not in self._by_src:
            self._by_src[src] = self._load(src)
        return self._by_src[src]

    def add_bytes(self, data: bytes, label: str) -> str | None:
        asset = prepare(data, f"{self.origin}: {label}")
        if asset is None or (len(self.assets) >= MAX_IMAGES and asset.filename not in self.assets):
            return None
        self.assets.setdefault(asset.filename, asset)
        return asset.filename

    def _load(self, src: str) -> str | None:
        try:
            data = self.loader(src)
        except OSError as exc:
            log.warning("%s: image %s not read: %s", self.origin, src[:120], exc.strerror or exc)
            return None
        if data is None:
            log.warning("%s: image %s not included (only images inside the story's folder are)",
                        self.origin, src[:120])
            return None
        return self.add_bytes(data, src[:120])


_current: ContextVar[ImageCollector | None] = ContextVar("ficbook_images", default=None)


@contextmanager
def collecting(loader: Loader, origin: str) -> Iterator[ImageCollector]:
    collector = ImageCollector(loader, origin)
    token = _current.set(collector)
    try:
        yield collector
    finally:
        _current.reset(token)


@contextmanager
def loading_with(loader: Loader) -> Iterator[None]:
    """Inside an archive reader: resolve `src` against the archive, collect into the same set."""
    collector = _current.get()
    if collector is None:
        yield
        return
    previous, collector.loader = collector.loader, loader
    collector._by_src.clear()
    try:
        yield
    finally:
        collector.loader = previous
        collector._by_src.clear()


def current() -> ImageCollector | None:
    return _current.get()


def folder_loader(folder: Path) -> Loader:
    """Relative paths inside `folder` only: no absolute paths, no `..` escape, no URLs."""
    root = folder.resolve()

    def load(src: str) -> bytes | None:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or src.startswith(("/", "\\")):
            return None
        target = (root / unquote(parts.path)).resolve()  # symlinks resolved before the check
        if not target.is_relative_to(root) or not target.is_file():
            return None
        if target.stat().st_size > MAX_IMAGE_BYTES:
            log.warning("%s: image larger than %d MB left out", target, MAX_IMAGE_BYTES >> 20)
            return None
        return target.read_bytes()

    return load


def prepare(data: bytes, label: str) -> Asset | None:
    """Check an image and make it e-reader friendly: JPEG/PNG/GIF, at most MAX_SIDE pixels."""
    if len(data) > MAX_IMAGE_BYTES:
        log.warning("%s: image larger than %d MB left out", label, MAX_IMAGE_BYTES >> 20)
        return None
    from PIL import Image, UnidentifiedImageError  # only for stories that have pictures

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise ValueError(f"{img.width}x{img.height} pixels is too large")
                fmt = img.format or ""
                if fmt in _KEEP and max(img.size) <= MAX_SIDE and fmt != "GIF":
                    img.verify()
                    ext, media = _KEEP[fmt]
                    out = data
                else:
                    img.seek(0)  # animated GIFs: the first frame
                    frame = img.convert("RGBA" if img.mode in {"RGBA", "LA", "P"} else "RGB")
                    frame.thumbnail((MAX_SIDE, MAX_SIDE))
                    buf = io.BytesIO()
                    if frame.mode == "RGBA":
                        frame.save(buf, "PNG", optimize=True)
                        ext, media = "png", "image/png"
                    else:
                        frame.save(buf, "JPEG", quality=88)
                        ext, media = "jpg", "image/jpeg"
                    out = buf.getvalue()
    except UnidentifiedImageError:
        log.warning("%s: not an image file; its alt text stays", label)
        return None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError) as exc:
        log.warning("%s: not a usable image (%s); its alt text stays", label, exc)
        return None
    name = hashlib.sha256(out).hexdigest()[:20]
    return Asset(f"images/{name}.{ext}", media, out)
