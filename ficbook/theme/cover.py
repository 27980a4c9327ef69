"""A book's cover: the user's picture, or one drawn in the theme's font and colours.

A drawn cover is kept in the cache by everything it is drawn from, so a rebuild neither draws
it again nor loads Pillow."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..cache import code_fingerprint, library_stamp, load_pickle, prune, store_pickle, touch
from ..errors import ThemeError
from ..model import Asset, Book
from . import Theme

LAYOUTS = ("framed", "bold", "banner")
_DEFAULT_COLOURS = {"cover_background": "#2b2d42", "cover_foreground": "#f8f4e3",
                    "cover_accent": "#d9a441"}


def render_cover(book: Book, theme: Theme, cache: Path | None = None) -> Asset:
    """The book's cover; drawn ones are kept in (and taken from) `cache`, if given."""
    if book.cover_image is not None:
        from .cover_draw import user_cover

        return user_cover(book.cover_image)
    opts = theme.options
    font_name = opts.get("cover_font")
    font = theme.find(f"fonts/{font_name}") if font_name else None
    if font_name and font is None:
        raise ThemeError(None, f"theme '{theme.name}': cover_font '{font_name}' is not in its "
                               "fonts/ folder")
    layout = str(opts.get("cover_layout", "framed"))
    if layout not in LAYOUTS:
        raise ThemeError(None, f"theme '{theme.name}': cover_layout '{layout}' is not one of "
                               f"{', '.join(LAYOUTS)}")
    bg, fg, accent = (str(opts.get(key, default)) for key, default in _DEFAULT_COLOURS.items())
    fandoms = sorted({f for s in book.stories for f in s.metadata.fandoms})
    label = " · ".join(fandoms[:3]) + (" …" if len(fandoms) > 3 else "")
    names = book.editors or book.authors
    byline = (("edited by " if book.editors else "") + _names(names)) if names else ""
    texts = (book.title, book.subtitle, label, byline)
    entry = None
    if cache is not None:
        entry = cache / f"{_key(font, (bg, fg, accent), layout, texts)}.pickle"
        kept = load_pickle(entry)
        if isinstance(kept, bytes):
            touch(entry)
            return Asset("images/cover.png", "image/png", kept)
    from .cover_draw import draw

    png, needs_installed_fonts = draw(theme.name, font, (bg, fg, accent), layout, *texts)
    if entry is not None and not needs_installed_fonts:  # else fontconfig has a say too
        store_pickle(entry, png)
        prune(entry.parent.name, folder=entry.parent.parent)
    return Asset("images/cover.png", "image/png", png)


def _key(font: Path | None, colours: tuple[str, str, str], layout: str,
         texts: tuple[str, ...]) -> str:
    """Everything a drawn cover depends on: the drawing code, the font file, the theme's
    choices and the words."""
    stat = font.stat() if font is not None else None
    made_of = [code_fingerprint(), library_stamp("PIL"), str(font),
               stat and [stat.st_size, stat.st_mtime_ns], colours, layout, texts]
    return hashlib.sha256(json.dumps(made_of, ensure_ascii=False).encode()).hexdigest()


def _names(names: tuple[str, ...]) -> str:
    if len(names) > 4:
        return ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
