"""BookCache: all that render() and the writers know of caching, one object per book built."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Book
from . import cache_dir, key, library_stamp, load_pickle, prune, store_pickle, touch
from .pages import EpubCache, NoStoryPages, StoryPages

if TYPE_CHECKING:
    import jinja2

    from ..theme import Theme
    from .pdf import PieceCache

# One jinja environment per theme (by its folders) per process: a batch worker compiles each
# template once, not once per book (0.085 s of a 1,000-word story's 0.36 s). jinja reloads a
# template whose file changed.
_ENVIRONMENTS: dict[tuple[str, ...], jinja2.Environment] = {}


class BookCache:
    """What one book's build finds from earlier builds and keeps for later ones, in `folder`
    (None: nothing is read or kept; the build is the same, only slower).

    `pages_for`: the EPUB file whose story pages may be reused unrendered (an anthology built
    to EPUB alone; a PDF needs every page's XHTML). `keep_cover`: a drawn cover is kept (a
    batch rebuilds only changed stories, so it would never be used again)."""

    def __init__(self, folder: Path | None, book: Book, *, pages_for: Path | None = None,
                 keep_cover: bool = True) -> None:
        self.folder = folder
        self._book = book
        self._keep_cover = keep_cover
        self._epub = EpubCache(pages_for, folder) if folder and pages_for else None

    @classmethod
    def for_book(cls, book: Book, targets: Mapping[str, Path], enabled: bool,
                 keep_cover: bool = True) -> BookCache:
        """The cache folder's (cache_dir()) for this build of `book` into `targets`."""
        if not enabled:
            return cls(None, book)
        epub_only = book.is_anthology and list(targets) == ["epub"]
        return cls(cache_dir(), book, pages_for=targets["epub"] if epub_only else None,
                   keep_cover=keep_cover)

    def environment(self, theme: Theme) -> jinja2.Environment:
        """The theme's jinja environment, made once per process, its compiled templates kept."""
        from .templates import compiled_templates

        folder = self.folder / "templates" if self.folder else None
        made_of = (str(folder), *(str(p) for p in theme.chain))
        if not all(p.is_absolute() for p in theme.chain):
            made_of = (os.getcwd(), *made_of)  # a relative theme folder means another one
        env = _ENVIRONMENTS.get(made_of)
        if env is None:
            if len(_ENVIRONMENTS) >= 8:
                _ENVIRONMENTS.clear()
            env = _ENVIRONMENTS[made_of] = theme.environment(
                compiled_templates(folder) if folder else None)
        return env

    def cover(self, made_of: object, draw: Callable[[], tuple[bytes, bool]]) -> bytes:
        """A drawn cover's PNG: kept from a build that drew it from the same `made_of`, else
        `draw()`n, and kept unless draw says it used installed fonts (fontconfig, not the
        theme, had a say in it)."""
        entry = None
        if self.folder is not None and self._keep_cover:
            name = key(cover=made_of, pil=library_stamp("PIL"))
            entry = self.folder / "covers" / f"{name}.pickle"
            kept = load_pickle(entry)
            if isinstance(kept, bytes):
                touch(entry)
                return kept
        png, installed_fonts = draw()
        if entry is not None and not installed_fonts:
            store_pickle(entry, png)
            prune("covers", folder=self.folder)
        return png

    def story_pages(self, theme: Theme, stylesheets: list[str], cover: str) -> StoryPages:
        """Where render() finds stories' pages from the last build and leaves new ones."""
        if self._epub is None:
            return NoStoryPages()
        return StoryPages(self._epub, self._book, theme, stylesheets, cover)

    def epub(self, target: Path) -> EpubCache | None:
        """What the last build of the EPUB `target` lends this one: an anthology rebuilt after
        one edit deflates only the pages that changed (a single story deflates quickly)."""
        if self._epub is not None and self._epub.target == target:
            return self._epub
        if self.folder is None or not self._book.is_anthology:
            return None
        return EpubCache(target, self.folder)

    def pdf_pieces(self, assets: Mapping[str, tuple[bytes, str]], theme_roots: Iterable[Path],
                   roots: Iterable[Path]) -> PieceCache | None:
        """Laid-out PDF pieces, for a book laid out in parts (`assets`, `theme_roots`: what a
        piece's layout depends on besides its document; `roots`: folders it may name files in)."""
        if self.folder is None:
            return None
        from .pdf import PieceCache, environment

        return PieceCache(environment(assets, theme_roots), roots, self.folder)
