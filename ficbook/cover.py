"""A generated cover in the theme's font and colours, legible as a thumbnail."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from .errors import ThemeError
from .model import Asset, Book
from .theme import Theme

COVER_SIZE = (1600, 2560)  # what Kindle and Kobo recommend
MAX_COVER_SIDE = 3200


LAYOUTS = ("framed", "bold", "banner")


@dataclass(frozen=True)
class _Style:
    font: Path | None
    background: str
    foreground: str
    accent: str


def render_cover(book: Book, theme: Theme) -> Asset:
    if book.cover_image is not None:
        return _user_cover(book.cover_image)
    opts = theme.options
    font_name = opts.get("cover_font")
    font_path = theme.find(f"fonts/{font_name}") if font_name else None
    if font_name and font_path is None:
        raise ThemeError(None, f"theme '{theme.name}': cover_font '{font_name}' is not in its "
                               "fonts/ folder")
    style = _Style(font_path, str(opts.get("cover_background", "#2b2d42")),
                   str(opts.get("cover_foreground", "#f8f4e3")),
                   str(opts.get("cover_accent", "#d9a441")))
    layout = str(opts.get("cover_layout", "framed"))
    if layout not in LAYOUTS:
        raise ThemeError(None, f"theme '{theme.name}': cover_layout '{layout}' is not one of "
                               f"{', '.join(LAYOUTS)}")
    try:
        image = Image.new("RGB", COVER_SIZE, style.background)
    except ValueError:
        raise ThemeError(None, f"theme '{theme.name}': cover_background '{style.background}' "
                               "is not a colour (use #rrggbb)") from None
    draw = ImageDraw.Draw(image)
    for key, colour in (("cover_foreground", style.foreground), ("cover_accent", style.accent)):
        try:
            ImageColor.getrgb(colour)
        except ValueError:
            raise ThemeError(None, f"theme '{theme.name}': {key} '{colour}' is not a colour "
                                   "(use #rrggbb)") from None
    fandoms = sorted({f for s in book.stories for f in s.metadata.fandoms})
    label = " · ".join(fandoms[:3]) + (" …" if len(fandoms) > 3 else "")
    names = book.editors or book.authors
    byline = (("edited by " if book.editors else "") + _names(names)) if names else ""
    {"framed": _framed, "bold": _bold, "banner": _banner}[layout](
        draw, style, book.title, book.subtitle, label, byline)
    out = io.BytesIO()
    # The cover has three colours and their anti-aliased blends: as a palette PNG it encodes in
    # a third of the time and size of RGB (a batch makes thousands). No timestamps: same bytes.
    paletted = image.quantize(palette=_palette(style), dither=Image.Dither.NONE)
    paletted.save(out, "PNG", compress_level=3)  # level 6 halves the size, doubles the time
    return Asset("images/cover.png", "image/png", out.getvalue())


BLEND_STEPS = 16


def _palette(style: _Style) -> Image.Image:
    """The three theme colours and BLEND_STEPS blends between each pair (text edges)."""
    colours = [ImageColor.getrgb(c)[:3] for c in (style.background, style.foreground,
                                                   style.accent)]
    entries: list[int] = [v for rgb in colours for v in rgb]
    for a, b in ((0, 1), (0, 2), (1, 2)):
        for step in range(1, BLEND_STEPS):
            t = step / BLEND_STEPS
            entries += [round(x + (y - x) * t) for x, y in zip(colours[a], colours[b], strict=True)]
    palette = Image.new("P", (1, 1))
    palette.putpalette(entries)
    return palette


def _framed(draw: ImageDraw.ImageDraw, style: _Style, title: str, subtitle: str, label: str,
            byline: str) -> None:
    """Centred text in a thin frame: a printed novel's jacket."""
    width, height = COVER_SIZE
    margin = 170
    # A frame and rule give the thumbnail a shape even when the text is too small to read.
    draw.rectangle((60, 60, width - 60, height - 60), outline=style.accent, width=8)
    draw.rectangle((84, 84, width - 84, height - 84), outline=style.accent, width=2)
    top = 300
    if label:
        top = _text_block(draw, label.upper(), _font(style.font, 64), style.foreground, top,
                          margin, 3)
        top += 80
    draw.line((width // 2 - 200, top, width // 2 + 200, top), fill=style.accent, width=6)
    top += 140
    font = _fit(draw, title, style.font, 220, width - 2 * margin, 6)
    top = _text_block(draw, title, font, style.foreground, top, margin, 6)
    if subtitle:
        top = _text_block(draw, subtitle, _font(style.font, 80), style.foreground, top + 40,
                          margin, 3)
    if byline:
        _text_block(draw, byline, _fit(draw, byline, style.font, 100, width - 2 * margin, 3),
                    style.accent, height - 560, margin, 3)


def _bold(draw: ImageDraw.ImageDraw, style: _Style, title: str, subtitle: str, label: str,
          byline: str) -> None:
    """Left-aligned and large, with a bar of colour: a contemporary paperback."""
    width, height = COVER_SIZE
    margin = 150
    draw.rectangle((0, 0, width, 36), fill=style.accent)
    top = 260
    if label:
        top = _text_block(draw, label.upper(), _font(style.font, 60), style.accent, top, margin,
                          3, centre=False)
    top += 180
    draw.rectangle((margin, top, margin + 180, top + 24), fill=style.accent)
    top += 110
    font = _fit(draw, title, style.font, 250, width - 2 * margin, 6)
    top = _text_block(draw, title, font, style.foreground, top, margin, 6, centre=False)
    if subtitle:
        _text_block(draw, subtitle, _font(style.font, 84), style.foreground, top + 40, margin,
                    3, centre=False)
    if byline:
        font = _fit(draw, byline, style.font, 100, width - 2 * margin, 2)
        _text_block(draw, byline, font, style.accent, height - 420, margin, 2, centre=False)


def _banner(draw: ImageDraw.ImageDraw, style: _Style, title: str, subtitle: str, label: str,
            byline: str) -> None:
    """A band of colour across the top holding the fandom, the title below: an archive page."""
    width, height = COVER_SIZE
    margin = 150
    band = 520
    draw.rectangle((0, 0, width, band), fill=style.accent)
    draw.rectangle((0, height - 120, width, height), fill=style.accent)
    if label:
        font = _fit(draw, label.upper(), style.font, 76, width - 2 * margin, 3)
        lines = _wrap(draw, label.upper(), font, width - 2 * margin, 3)
        block = len(lines) * _line_height(font)
        _text_block(draw, label.upper(), font, style.background, (band - block) // 2, margin, 3)
    top = band + 220
    font = _fit(draw, title, style.font, 200, width - 2 * margin, 5)
    top = _text_block(draw, title, font, style.foreground, top, margin, 5)
    if subtitle:
        top = _text_block(draw, subtitle, _font(style.font, 80), style.foreground, top + 40,
                          margin, 2)
    draw.line((width // 2 - 160, top + 70, width // 2 + 160, top + 70), fill=style.accent,
              width=6)
    if byline:
        font = _fit(draw, byline, style.font, 100, width - 2 * margin, 2)
        _text_block(draw, byline, font, style.accent, max(top + 180, height - 480), margin, 2)


def _names(names: tuple[str, ...]) -> str:
    if len(names) > 4:
        return ", ".join(names[:3]) + f" and {len(names) - 3} more"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _fit(draw: ImageDraw.ImageDraw, text: str, path: Path | None, size: int, room: int,
         max_lines: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The largest size up to `size` at which the longest word fits and the text takes at most
    `max_lines` lines (long titles shrink a little, never below 40% of the start size)."""
    floor = max(24, int(size * 0.4))
    while True:
        font = _font(path, size)
        lines = _wrap(draw, text, font, room, max_lines + 1)
        fits = all(draw.textlength(line, font=font) <= room for line in lines)
        if size <= floor or (fits and len(lines) <= max_lines):
            return font
        size = max(floor, int(size * 0.9))


def _wrap(draw: ImageDraw.ImageDraw, text: str,
          font: ImageFont.FreeTypeFont | ImageFont.ImageFont, room: int,
          max_lines: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= room:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += " …"
    return lines


def _line_height(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> int:
    if isinstance(font, ImageFont.FreeTypeFont):
        ascent, descent = font.getmetrics()
        return int((ascent + descent) * 1.08)
    return int(font.getbbox("Ag")[3] * 1.3)


def _text_block(draw: ImageDraw.ImageDraw, text: str,
                font: ImageFont.FreeTypeFont | ImageFont.ImageFont, fill: str, top: int,
                margin: int, max_lines: int, centre: bool = True) -> int:
    """`text` wrapped to the width, centred or from the left margin; returns the y below it."""
    width = COVER_SIZE[0]
    for line in _wrap(draw, text, font, width - 2 * margin, max_lines):
        line_width = draw.textlength(line, font=font)
        x = (width - line_width) / 2 if centre else margin
        draw.text((int(x), top), line, font=font, fill=fill)
        top += _line_height(font)
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
