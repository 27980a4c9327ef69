"""Each story's rendered pages, cached by everything they are made from.

An editor who fixes a typo in one story of three hundred and rebuilds gets that story's pages
rendered afresh and the others' from here. The key covers ficbook's code, the theme's templates
and options, the parsed story itself and every book-level value a story page is given (see
render.StoryPageBook), so a stale page can only come from a template that reads something it
was not given.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

from .cache import cache_dir, code_fingerprint, load_pickle, store_pickle
from .model import Page, Story
from .theme import Theme


class PageCache:
    def __init__(self, theme: Theme, folder: Path | None = None) -> None:
        self._folder = (folder or cache_dir()) / "pages"
        self._theme = theme_fingerprint(theme)

    def key(self, story: Story, *context: object) -> str:
        """The key of a story's pages: the story, the theme, and the rest of their context
        (given as plain values whose repr says everything about them)."""
        digest = hashlib.sha256(f"{code_fingerprint()}\0{self._theme}\0".encode())
        digest.update(pickle.dumps(story, protocol=pickle.HIGHEST_PROTOCOL))
        digest.update(repr(context).encode())
        return digest.hexdigest()

    def get(self, key: str) -> list[Page] | None:
        pages = load_pickle(self._folder / f"{key}.pickle")
        if isinstance(pages, list) and all(isinstance(p, Page) for p in pages):
            return pages
        return None

    def put(self, key: str, pages: list[Page]) -> None:
        store_pickle(self._folder / f"{key}.pickle", pages)


def theme_fingerprint(theme: Theme) -> str:
    """The theme's name, chosen options and every template in its chain, by content."""
    digest = hashlib.sha256(f"{theme.name}\0{sorted(theme.options.items())!r}".encode())
    for folder in theme.chain:
        templates = folder / "templates"
        if templates.is_dir():
            for path in sorted(templates.rglob("*")):
                if path.is_file():
                    digest.update(f"\0{path.relative_to(folder)}\0".encode())
                    digest.update(path.read_bytes())
    return digest.hexdigest()
