"""A book's cover: the user's picture, or one drawn in the theme's font and colours.

A drawn cover is kept in the cache by everything it is drawn from, so a rebuild neither draws
it again nor loads Pillow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ThemeError
from ..model import Asset, Book
from . import Theme

if TYPE_CHECKING:
    from ..cache.book import BookCache

LAYOUTS = ("framed", "bold", "banner")
_DEFAULT_COLOURS = {"cover_background": "#2b2d42", "cover_foreground": "#f8f4e3",
                    "cover_accent": "#d9a441"}


def render_cover(book: Book, theme: Theme, cache: BookCache | None = None) -> Asset:
    """The book's cover: the user's picture, or one drawn (or kept in `cache` from the last
    build that drew it from the same font, colours, layout and words)."""
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
    stat = font.stat() if font is not None else None
    made_of = [str(font), stat and [stat.st_size, stat.st_mtime_ns], (bg, fg, accent), layout,
               texts]

    def draw() -> tuple[bytes, bool]:
        from .cover_draw import draw

        return draw(theme.name, font, (bg, fg, accent), layout, *texts)

    png = cache.cover(made_of, draw) if cache is not None else draw()[0]
    return Asset("images/cover.png", "image/png", png)


def _names(names: tuple[str, ...]) -> str:
    if len(names) > 4:
        return ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
