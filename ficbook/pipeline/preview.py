"""Previews: PNG pictures of a book's cover, title page and first chapter page, so people can look
at a theme instead of reading about it. Pages are laid out by the PDF backend (weasyprint, the
theme's print.css) and rasterised by poppler's pdftoppm, or pypdfium2 if that is installed."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image

from ..errors import BuildError
from ..model import Book, RenderedBook
from ..theme import Theme, load_theme
from ..theme.render import render
from ..theme.scaffold import available_themes

log = logging.getLogger(__name__)

PAGE_SIZE = "a5"
PANEL_WIDTH = 300  # each of the three pictures in a theme's sample strip
GAP = 16

# The sample `ficbook themes --preview` shows in every theme: original text, CC0.
SAMPLE_POST = """\
Title: The Lighthouse Keeper's Almanac
Author: sample_author
Fandom: Original Work
Rating: General Audiences
Relationships: Ada/Wren
Characters: Ada Merrow, Wren Tallis
Tags: Lighthouses, Found Family, Slow Burn, Weather
Summary: Ada keeps the light on Gull Skerry and writes the weather down every night. Wren \
arrives with the supply boat and a great many questions.
Notes: A sample story, written for ficbook's theme previews. Free for any use.

Chapter 1 - Fair, Wind Rising

The almanac lived on the shelf above the stove, where the heat kept its pages from curling in the \
damp. Ada Merrow had filled eleven of them, one for every year she had kept the light on Gull \
Skerry, and every one began the same way: the date, the wind, the sea, and whether the lamp had \
burned clean.

*Fair*, she wrote, the night the supply boat came late. *Wind rising from the south-west. Sea \
moderate. Lamp clean.* Then, because the almanac was honest or it was nothing, she added: *One \
passenger.*

The passenger was standing in her kitchen with a kitbag in each hand and salt in her hair, \
looking at the almanacs as though they were the most interesting thing she had ever seen.

"You write it all down," Wren said. "Every night?"

"Every night."

"Even when nothing happens?"

Ada considered the question, and the stranger, and the rising wind. "Something always happens," \
she said. "You only have to be there to see it."

* * *

By midnight the wind had backed into the west and the glass was falling. Ada climbed the \
ninety-one steps to the lamp room with Wren three steps behind her, asking the name of every \
star they could see through the slit windows, and, when the clouds closed over them, the names \
of the ones they could not.

Chapter 2 - Gale, Veering North

The storm broke on the third night, and the almanac got a whole page to itself.
"""


def preview_story(path: Path, out_dir: Path, theme_name: str = "default",
                  options: dict[str, Any] | None = None, *, cover: Path | None = None,
                  width: int = 600) -> list[Path]:
    """cover.png, title.png and chapter.png for a story in a theme; returns the paths."""
    from ..ingest import read_story
    from .build import read_cover

    theme = load_theme(theme_name, options)
    book = Book.single(read_story(path))
    if cover is not None:
        book = replace(book, cover_image=read_cover(cover))
    images = page_images(render(book, theme), theme, width)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, image in zip(("cover", "title", "chapter"), images, strict=True):
        target = out_dir / f"{name}.png"
        target.write_bytes(_png(image))
        written.append(target)
    return written


def preview_themes(out_dir: Path, names: Sequence[str] | None = None,
                   width: int = PANEL_WIDTH) -> list[Path]:
    """One picture per theme (cover, title page, first chapter page side by side) of a sample
    story, named after the theme; returns the paths."""
    from ..ingest import read_story

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="ficbook-preview-") as tmp:
        sample = Path(tmp) / "sample.txt"
        sample.write_text(SAMPLE_POST, encoding="utf-8")
        book = Book.single(read_story(sample))
        themes = [load_theme(n) for n in names] if names is not None else [
            info.theme for info in available_themes() if info.theme is not None]
        for theme in themes:
            strip = _strip(page_images(render(book, theme), theme, width))
            target = out_dir / f"{Path(theme.chain[0]).name}.png"
            target.write_bytes(_png(strip))
            written.append(target)
    return written


def page_images(rendered: RenderedBook, theme: Theme, width: int) -> list[Image.Image]:
    """The cover, the (first) title page and the first chapter page, `width` pixels wide."""
    assert rendered.cover is not None
    with Image.open(io.BytesIO(rendered.cover.data)) as img:
        cover = img.convert("RGB")
    height = round(cover.height * width / cover.width)
    cover = cover.resize((width, height), Image.Resampling.LANCZOS)
    title = next(p for p in rendered.pages if p.kind in ("book-title", "story-title"))
    chapter = next(p for p in rendered.pages if p.kind == "chapter")
    pages = _rasterise(_pdf_pages(replace(rendered, pages=(title, chapter)), theme,
                                  [title.filename, chapter.filename]), width)
    return [cover, *pages]


def _pdf_pages(rendered: RenderedBook, theme: Theme, filenames: list[str]) -> bytes:
    """A PDF of the first page of each of these rendered pages, through the PDF backend."""
    try:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration

        from ..backends.pdf.html import page_id
        from ..backends.pdf.one_pass import book_html, fetcher_for, quiet_weasyprint
        from ..backends.pdf.pagesize import parse_page_size
    except (ImportError, OSError) as exc:
        raise BuildError(None, f"previews need the PDF backend (weasyprint and Pango): {exc}") \
            from None
    from ..backends.pdf.html import BOOK_URL

    html = book_html(rendered, theme, parse_page_size(PAGE_SIZE), False)
    quiet_weasyprint()
    doc = HTML(string=html, base_url=BOOK_URL + "text/book.html",
               url_fetcher=fetcher_for(rendered, theme)).render(font_config=FontConfiguration())
    wanted = []
    for filename in filenames:
        anchor = page_id(filename)
        wanted.append(next(p for p in doc.pages if anchor in p.anchors))
    data: bytes = doc.copy(wanted).write_pdf()
    return data


def _rasterise(pdf: bytes, width: int) -> list[Image.Image]:
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory(prefix="ficbook-preview-") as tmp:
            src = Path(tmp) / "pages.pdf"
            src.write_bytes(pdf)
            subprocess.run(["pdftoppm", "-png", "-scale-to-x", str(width), "-scale-to-y", "-1",
                            str(src), str(Path(tmp) / "page")], check=True, capture_output=True)
            images = []
            for png in sorted(Path(tmp).glob("page-*.png")):
                with Image.open(png) as img:
                    images.append(img.convert("RGB"))
            return images
    try:
        import pypdfium2  # type: ignore[import-not-found]
    except ImportError:
        raise BuildError(None, "previews need poppler's pdftoppm (Debian: apt-get install "
                               "poppler-utils) or pypdfium2 (pip install pypdfium2)") from None
    document = pypdfium2.PdfDocument(pdf)
    images = []
    for page in document:
        scale = width / page.get_width()
        images.append(page.render(scale=scale).to_pil().convert("RGB"))
    return images


def _strip(images: list[Image.Image]) -> Image.Image:
    """Pictures side by side on a light grey ground, each with a hairline edge."""
    height = max(i.height for i in images)
    width = sum(i.width for i in images) + GAP * (len(images) + 1)
    strip = Image.new("RGB", (width, height + 2 * GAP), "#e4e4e4")
    x = GAP
    for image in images:
        strip.paste((160, 160, 160), (x - 1, GAP - 1, x + image.width + 1, GAP + image.height + 1))
        strip.paste(image, (x, GAP))
        x += image.width + GAP
    return strip


def _png(image: Image.Image) -> bytes:
    """A small PNG: 128 colours are plenty for text, a rule and a cover."""
    out = io.BytesIO()
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, "PNG", optimize=True)
    return out.getvalue()
