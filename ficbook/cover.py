"""A generated cover in the theme's font and colours, legible as a thumbnail."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .model import Asset, Book
from .theme import Theme

COVER_SIZE = (1600, 2560)  # what Kindle and Kobo recommend
MAX_COVER_SIDE = 3200


def render_cover(book: Book, theme: Theme) -> Asset:
    if book.cover_image is not None:
        return _user_cover(book.cover_image)
    opts = theme.options
    bg = str(opts.get("cover_background", "#2b2d42"))
    fg = str(opts.get("cover_foreground", "#f8f4e3"))
    accent = str(opts.get("cover_accent", "#d9a441"))
    font_name = opts.get("cover_font")
    font_path = theme.find(f"fonts/{font_name}") if font_name else None
    width, height = COVER_SIZE
    image = Image.new("RGB", COVER_SIZE, bg)
    draw = ImageDraw.Draw(image)
    margin = 140
    # A frame and rule give the thumbnail a shape even when the text is too small to read.
    draw.rectangle((60, 60, width - 60, height - 60), outline=accent, width=8)
    fandoms = sorted({f for s in book.stories for f in s.metadata.fandoms})
    top = 300
    if fandoms:
        label = " · ".join(fandoms[:3]) + (" …" if len(fandoms) > 3 else "")
        top = _text_block(draw, label.upper(), _font(font_path, 64), fg, top, width, margin, 3)
        top += 80
    draw.line((width // 2 - 200, top, width // 2 + 200, top), fill=accent, width=6)
    top += 120
    title_size = 200 if len(book.title) < 30 else 150 if len(book.title) < 70 else 110
    top = _text_block(draw, book.title, _font(font_path, title_size), fg, top, width, margin, 6)
    if book.subtitle:
        top = _text_block(draw, book.subtitle, _font(font_path, 80), fg, top + 40, width, margin, 3)
    names = book.editors or book.authors
    if names:
        byline = ("edited by " if book.editors else "") + _names(names)
        _text_block(draw, byline, _font(font_path, 96), accent, height - 560, width, margin, 3)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)  # PNG has no timestamps: same input, same bytes
    return Asset("images/cover.png", "image/png", out.getvalue())


def _names(names: tuple[str, ...]) -> str:
    if len(names) > 4:
        return ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _text_block(draw: ImageDraw.ImageDraw, text: str,
                font: ImageFont.FreeTypeFont | ImageFont.ImageFont, fill: str, top: int,
                width: int, margin: int, max_lines: int) -> int:
    """Centre `text`, wrapped to the width; returns the y below it."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width - 2 * margin:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += " …"
    for line in lines:
        box = draw.textbbox((0, 0), line, font=font)
        line_width = box[2] - box[0]
        draw.text(((width - line_width) // 2, top), line, font=font, fill=fill)
        top += int((box[3] - box[1]) * 1.35) + 10
    return top


def _user_cover(data: bytes) -> Asset:
    """A supplied cover is used as it is, unless it is huge or not a format readers show."""
    with Image.open(io.BytesIO(data)) as img:
        fmt = (img.format or "").upper()
        if fmt in {"JPEG", "PNG"} and max(img.size) <= MAX_COVER_SIDE:
            return Asset(f"images/cover.{'jpg' if fmt == 'JPEG' else 'png'}",
                         "image/jpeg" if fmt == "JPEG" else "image/png", data)
        rgb = img.convert("RGB")
        rgb.thumbnail((MAX_COVER_SIDE, MAX_COVER_SIDE))
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=90)
        return Asset("images/cover.jpg", "image/jpeg", out.getvalue())
