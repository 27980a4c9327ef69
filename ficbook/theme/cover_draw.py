"""Drawing a cover with Pillow in the theme's font and colours, legible as a thumbnail."""

from __future__ import annotations

import contextlib
import functools
import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops, ImageColor, ImageDraw, ImageFont

from ..errors import ThemeError
from ..model import Asset
from .png import png4

COVER_SIZE = (1600, 2560)  # what Kindle and Kobo recommend
MAX_COVER_SIDE = 3200
COLOURS = ("cover_background", "cover_foreground", "cover_accent")


@dataclass(frozen=True)
class _Style:
    font: Path | None
    background: str
    foreground: str
    accent: str


def draw(theme_name: str, font: Path | None, colours: tuple[str, str, str], layout: str,
         title: str, subtitle: str, label: str, byline: str) -> tuple[bytes, bool]:
    """The cover as a PNG, and whether the theme's font lacks letters of its words: an installed
    font stood in for them, or none had them yet; either way the picture depends on the fonts
    installed (a user who sees boxes installs one), not only on these values."""
    for key, colour in zip(COLOURS, colours, strict=True):
        try:
            ImageColor.getrgb(colour)
        except ValueError:
            raise ThemeError(None, f"theme '{theme_name}': {key} '{colour}' is not a colour "
                                   "(use #rrggbb)") from None
    style = _Style(font, *colours)
    with _spare() as canvas:
        canvas.start(style)
        {"framed": _framed, "bold": _bold, "banner": _banner}[layout](
            canvas, style, title, subtitle, label, byline)
        png = canvas.png()
    texts = (title, subtitle, label, label.upper(), byline)
    return png, font is not None and any(
        not text.isascii() and {ord(c) for c in text if not c.isspace()} - _letters(font)
        for text in texts)


# A cover is drawn in palette indices, never in RGB: a batch makes thousands of covers, and a
# 16-colour PNG of 1600x2560 pixels encodes in a fraction of the time of an RGB one (and needs no
# quantizing). The palette is the three theme colours and the blends between the background and
# the other two (the anti-aliased edges of text drawn on the background, or on the accent).
BG, FG, ACCENT = 0, 1, 2
_FG_STEPS, _ACCENT_STEPS = 8, 7  # 3 + 7 + 6 entries: the 16 a 4-bit PNG holds
_LEVELS = 64  # steps of glyph coverage (anti-aliasing) the blends are looked up in


def _ramp_index(pair_ink: int, step: int) -> int:
    """Palette index of the blend `step` of the way from the background to `pair_ink`."""
    if pair_ink == FG:
        return 3 + step - 1
    return 3 + _FG_STEPS - 1 + step - 1


def _blend(under: int, ink: int, coverage: float) -> int:
    """The palette entry nearest `ink` drawn over `under` with this coverage (0-1)."""
    if under == ink or coverage >= 1:
        return ink
    if coverage <= 0:
        return under
    if BG not in (under, ink):  # foreground on accent: no blends kept, the nearer one
        return ink if coverage >= 0.5 else under
    other = ink if under == BG else under
    steps = _FG_STEPS if other == FG else _ACCENT_STEPS
    toward_other = coverage if under == BG else 1 - coverage
    step = round(toward_other * steps)
    if step == 0:
        return BG
    return other if step == steps else _ramp_index(other, step)


def _pure(index: int) -> int:
    """The theme colour a palette entry is (nearest) to."""
    if index < 3:
        return index
    if index < 3 + _FG_STEPS - 1:
        return FG if index - 2 > _FG_STEPS / 2 else BG
    return ACCENT if index - 2 - (_FG_STEPS - 1) > _ACCENT_STEPS / 2 else BG


_UNDER = [_pure(i) * _LEVELS for i in range(16)] + [0] * 240
_INK = {ink: [_blend(key // _LEVELS, ink, (key % _LEVELS) / (_LEVELS - 1)) if key < 3 * _LEVELS
              else 0 for key in range(256)] for ink in (BG, FG, ACCENT)}


class _Canvas:
    """A cover being drawn: one byte a pixel, holding palette indices.

    A canvas is 4 MB: fresh memory for each of a batch's thousands of covers cost as much in
    page faults as drawing them, so one canvas is kept and reused."""

    def __init__(self) -> None:
        self._pixels = Image.new("L", COVER_SIZE, BG)
        self.draw = ImageDraw.Draw(self._pixels)  # shapes: whole pixels, no blending needed
        self._colours: list[tuple[int, ...]] = []

    def start(self, style: _Style) -> None:
        self._colours = [ImageColor.getrgb(c)[:3] for c in (style.background, style.foreground,
                                                            style.accent)]
        self._pixels.paste(BG, (0, 0, *COVER_SIZE))

    def text(self, xy: tuple[int, int], line: str,
             font: ImageFont.FreeTypeFont | ImageFont.ImageFont, ink: int) -> None:
        """`line` anti-aliased onto whatever is under it, in palette entries."""
        left, top, right, bottom = _bbox(font, line)
        if right <= left or bottom <= top:
            return
        # Glyph coverage drawn straight in _LEVELS steps (0 to _LEVELS - 1), not 0 to 255.
        coverage = Image.new("L", (right - left, bottom - top), 0)
        ImageDraw.Draw(coverage).text((-left, -top), line, font=font, fill=_LEVELS - 1)
        box = (xy[0] + left, xy[1] + top, xy[0] + right, xy[1] + bottom)
        key = ImageChops.add(self._pixels.crop(box).point(_UNDER), coverage)
        self._pixels.paste(key.point(_INK[ink]), box)

    def palette(self) -> bytes:
        entries = [v for rgb in self._colours for v in rgb]
        for other, steps in ((FG, _FG_STEPS), (ACCENT, _ACCENT_STEPS)):
            for step in range(1, steps):
                t = step / steps
                entries += [round(x + (y - x) * t) for x, y in
                            zip(self._colours[BG], self._colours[other], strict=True)]
        return bytes(entries)

    def png(self) -> bytes:
        width, height = self._pixels.size
        return png4(self._pixels.tobytes("raw", "L;4"), width, height, self.palette())


_SPARES: list[_Canvas] = []
_SPARES_LOCK = threading.Lock()


@contextlib.contextmanager
def _spare() -> Iterator[_Canvas]:
    """A canvas to draw on, kept for the next cover afterwards (one per thread drawing)."""
    with _SPARES_LOCK:
        canvas = _SPARES.pop() if _SPARES else None
    canvas = canvas or _Canvas()
    try:
        yield canvas
    finally:
        with _SPARES_LOCK:
            if len(_SPARES) < 2:
                _SPARES.append(canvas)


def _framed(canvas: _Canvas, style: _Style, title: str, subtitle: str, label: str,
            byline: str) -> None:
    """Centred text in a thin frame: a printed novel's jacket."""
    width, height = COVER_SIZE
    margin = 170
    # A frame and rule give the thumbnail a shape even when the text is too small to read.
    canvas.draw.rectangle((60, 60, width - 60, height - 60), outline=ACCENT, width=8)
    canvas.draw.rectangle((84, 84, width - 84, height - 84), outline=ACCENT, width=2)
    top = 300
    if label:
        top = _text_block(canvas, label.upper(), _font(_face(label, style.font), 64), FG, top,
                          margin, 3)
        top += 80
    canvas.draw.line((width // 2 - 200, top, width // 2 + 200, top), fill=ACCENT, width=6)
    top += 140
    _titles(canvas, style, title, subtitle, top, height - 620, 220, 6, margin)
    if byline:
        _text_block(canvas, byline, _fit(byline, style.font, 100, width - 2 * margin, 3),
                    ACCENT, height - 560, margin, 3)


def _bold(canvas: _Canvas, style: _Style, title: str, subtitle: str, label: str,
          byline: str) -> None:
    """Left-aligned and large, with a bar of colour: a contemporary paperback."""
    width, height = COVER_SIZE
    margin = 150
    canvas.draw.rectangle((0, 0, width, 36), fill=ACCENT)
    top = 260
    if label:
        top = _text_block(canvas, label.upper(), _font(_face(label, style.font), 60), ACCENT,
                          top, margin,
                          3, centre=False)
    top += 180
    canvas.draw.rectangle((margin, top, margin + 180, top + 24), fill=ACCENT)
    top += 110
    _titles(canvas, style, title, subtitle, top, height - 480, 250, 6, margin, centre=False)
    if byline:
        font = _fit(byline, style.font, 100, width - 2 * margin, 2)
        _text_block(canvas, byline, font, ACCENT, height - 420, margin, 2, centre=False)


def _banner(canvas: _Canvas, style: _Style, title: str, subtitle: str, label: str,
            byline: str) -> None:
    """A band of colour across the top holding the fandom, the title below: an archive page."""
    width, height = COVER_SIZE
    margin = 150
    band = 520
    canvas.draw.rectangle((0, 0, width, band), fill=ACCENT)
    canvas.draw.rectangle((0, height - 120, width, height), fill=ACCENT)
    if label:
        font = _fit(label.upper(), style.font, 76, width - 2 * margin, 3)
        lines = _wrap(label.upper(), font, width - 2 * margin, 3)
        block = len(lines) * _line_height(font)
        _text_block(canvas, label.upper(), font, BG, (band - block) // 2, margin, 3)
    top = _titles(canvas, style, title, subtitle, band + 220, height - 660, 200, 5, margin)
    canvas.draw.line((width // 2 - 160, top + 70, width // 2 + 160, top + 70), fill=ACCENT,
              width=6)
    if byline:
        font = _fit(byline, style.font, 100, width - 2 * margin, 2)
        _text_block(canvas, byline, font, ACCENT, max(top + 180, height - 480), margin, 2)


def _titles(canvas: _Canvas, style: _Style, title: str, subtitle: str, top: int, bottom: int,
            size: int, max_lines: int, margin: int, centre: bool = True) -> int:
    """The title, as large as fits (up to `size`), and the subtitle under it, between `top`
    and `bottom` (where the byline starts); returns the y below them."""
    room = COVER_SIZE[0] - 2 * margin
    sub_font = _font(_face(subtitle, style.font), 80)
    reserve = 40 + 2 * _line_height(sub_font) if subtitle else 0
    height = max(bottom - top - reserve, 0)
    font = _fit(title, style.font, size, room, max_lines, height)
    lines = max(1, min(max_lines, height // _line_height(font)))
    top = _text_block(canvas, title, font, FG, top, margin, lines, centre)
    if subtitle:
        top = _text_block(canvas, subtitle, sub_font, FG, top + 40, margin, 2, centre)
    return top


@functools.lru_cache(maxsize=64)
def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Cached: fitting a title tries several sizes, and a batch draws thousands of covers.
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


@functools.lru_cache(maxsize=4096)
def _length(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> float:
    # Cached: fitting and wrapping a title measure the same few words and lines over and over
    # (25 layouts a cover, 5 of them different), and a batch's covers share bylines and fandoms.
    return font.getlength(text)


@functools.lru_cache(maxsize=1024)
def _bbox(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str
          ) -> tuple[int, int, int, int]:
    left, top, right, bottom = font.getbbox(text)
    return int(left), int(top), int(right), int(bottom)


def _face(text: str, theme_font: Path | None) -> Path | None:
    """The theme's font, or for text it has no letters for (Japanese, Arabic, Hebrew...) an
    installed font that has them all, found through fontconfig; the theme's if there is none."""
    if theme_font is None or text.isascii():
        return theme_font
    missing = {ord(c) for c in text if not c.isspace()} - _letters(theme_font)
    if not missing:
        return theme_font
    fallback = _system_font(min(missing))
    return fallback if fallback is not None and missing <= _letters(fallback) else theme_font


@functools.lru_cache(maxsize=32)
def _letters(path: Path) -> frozenset[int]:
    """The characters a font file has glyphs for."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    try:
        with TTFont(str(path), lazy=True, fontNumber=0) as font:
            # Glyph names are not needed, only which characters have a glyph: numbered names
            # spare decompiling a CFF font's charset to find the real ones (20 ms).
            font.setGlyphOrder([f"g{n}" for n in range(font["maxp"].numGlyphs)])
            return frozenset(font.getBestCmap() or {})
    except Exception:  # not a font fontTools can read: say it has nothing
        return frozenset()


@functools.lru_cache(maxsize=64)
def _system_font(char: int) -> Path | None:
    """fontconfig's best installed font for a character (it may still lack it: checked by the
    caller), if it is a font Pillow can draw at any size (not a bitmap emoji font)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run([fc_match, "--format=%{file}", f":charset={char:x}"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        path = Path(found)
        if not found or path.suffix.lower() not in {".ttf", ".otf", ".ttc"}:
            return None
        ImageFont.truetype(found, 37)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return path


def _fit(text: str, path: Path | None, size: int, room: int, max_lines: int,
         max_height: int | None = None) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """The largest size up to `size` at which the longest word fits, the text takes at most
    `max_lines` lines and `max_height` pixels (long titles shrink, never below 40% of the start
    size; a word still too long is then broken where it reaches the edge)."""
    floor = max(24, int(size * 0.4))
    path = _face(text, path)
    while True:
        font = _font(path, size)
        lines = _wrap(text, font, room, max_lines + 1, break_words=False)
        fits = all(_length(font, line) <= room for line in lines)
        tall = max_height is not None and len(lines) * _line_height(font) > max_height
        if size <= floor or (fits and len(lines) <= max_lines and not tall):
            return font
        size = max(floor, int(size * 0.9))


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, room: int,
          max_lines: int, break_words: bool = True) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if break_words and _length(font, word) > room:
            lines += _pieces(word, font, room, max_lines)  # each piece a line of its own
        elif lines and _length(font, candidate := f"{lines[-1]} {word}") <= room:
            lines[-1] = candidate
        else:
            lines.append(word)
        if len(lines) > max_lines:
            break
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += " …"
    return lines


def _pieces(word: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, room: int,
            most: int) -> list[str]:
    """A word too wide for the cover, cut where it reaches the edge (at most `most` + 1
    pieces: the rest would not be drawn)."""
    pieces = [""]
    for char in word:
        if pieces[-1] and font.getlength(pieces[-1] + char) > room:  # not kept: one-offs
            if len(pieces) > most:
                break
            pieces.append(char)
        else:
            pieces[-1] += char
    return pieces


def _line_height(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> int:
    if isinstance(font, ImageFont.FreeTypeFont):
        ascent, descent = font.getmetrics()
        return int((ascent + descent) * 1.08)
    return int(font.getbbox("Ag")[3] * 1.3)


def _text_block(canvas: _Canvas, text: str,
                font: ImageFont.FreeTypeFont | ImageFont.ImageFont, ink: int, top: int,
                margin: int, max_lines: int, centre: bool = True) -> int:
    """`text` wrapped to the width, centred or from the left margin; returns the y below it."""
    width = COVER_SIZE[0]
    for line in _wrap(text, font, width - 2 * margin, max_lines):
        x = (width - _length(font, line)) / 2 if centre else margin
        canvas.text((int(x), top), line, font, ink)
        top += _line_height(font)
    return top


def user_cover(data: bytes) -> Asset:
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
