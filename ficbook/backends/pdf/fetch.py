"""The only way weasyprint gets bytes while making a PDF: the book's own assets, the theme's own
files and files inside the input stories' folders. Everything else is refused and logged, never
fetched: no network, no file:// elsewhere, no big data: URLs. Imports weasyprint: load lazily."""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .html import BOOK_URL

log = logging.getLogger(__name__)

MAX_DATA_URL = 100_000  # characters; small inline images are fine, a data: payload is not


class RefusedURL(ValueError):
    """weasyprint catches this, logs it and goes on without the resource."""


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    def __init__(self, assets: Mapping[str, tuple[bytes, str]], roots: Iterable[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False,
                         fail_on_errors=False)
        self.assets = dict(assets)
        self.roots = tuple(dict.fromkeys(r.resolve() for r in roots))

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url.startswith(BOOK_URL):
            name = posixpath.normpath(unquote(url[len(BOOK_URL):].split("?")[0].split("#")[0]))
            if name in self.assets:
                data, media_type = self.assets[name]
                return URLFetcherResponse(url, data, {"Content-Type": media_type})
            return self._refuse(url, "not one of the book's files")
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                return self._refuse(url, f"data: URL larger than {MAX_DATA_URL:,} characters")
            return super().fetch(url, headers)
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()  # symlinks and .. resolved before checking
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                          {"Content-Type": media_type})
            return self._refuse(url, "outside the theme and the story's folder")
        return self._refuse(url, "remote and other URLs are never fetched")

    def _refuse(self, url: str, why: str) -> URLFetcherResponse:
        shown = url if len(url) < 120 else url[:117] + "..."
        log.warning("PDF: refused to load %s (%s)", shown, why)
        raise RefusedURL(f"ficbook refused {shown}: {why}")
