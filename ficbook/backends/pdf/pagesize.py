"""PDF page sizes: named sizes with margins and a text size that suit them, or WIDTHxHEIGHT.

Pure Python (no weasyprint): the CLI validates --page-size with it before anything is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import InputError

MM_PER = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


@dataclass(frozen=True)
class PageSize:
    name: str
    width: float  # mm
    height: float  # mm
    top: float  # margins, mm; inner is the spine side when mirrored (--print)
    bottom: float
    inner: float
    outer: float
    font_pt: float  # body text size

    def css(self, mirrored: bool) -> str:
        """The @page rules ficbook owns: size, margins (mirrored for print), base text size."""
        mm = _mm
        rules = [f"@page {{ size: {mm(self.width)} {mm(self.height)}; "
                 f"margin: {mm(self.top)} {mm(self.outer)} {mm(self.bottom)} {mm(self.inner)}; }}"]
        if mirrored:
            rules.append(f"@page :left {{ margin-left: {mm(self.outer)}; "
                         f"margin-right: {mm(self.inner)}; }}")
            rules.append(f"@page :right {{ margin-left: {mm(self.inner)}; "
                         f"margin-right: {mm(self.outer)}; }}")
        else:
            side = (self.inner + self.outer) / 2
            rules[0] = (f"@page {{ size: {mm(self.width)} {mm(self.height)}; "
                        f"margin: {mm(self.top)} {mm(side)} {mm(self.bottom)} {mm(side)}; }}")
        rules.append(f"html {{ font-size: {self.font_pt:g}pt; }}")
        return "\n".join(rules) + "\n"


# name: (width, height, top, bottom, inner, outer, font pt), all in mm
_NAMED: dict[str, tuple[float, ...]] = {
    "a4": (210, 297, 22, 25, 25, 20, 11.5),
    "letter": (215.9, 279.4, 22, 25, 25, 20, 11.5),
    "a5": (148, 210, 16, 19, 19, 14, 10.5),
    "b5": (176, 250, 19, 22, 22, 17, 11),
    "6x9in": (152.4, 228.6, 17, 20, 20, 15, 10.5),
    "5x8in": (127, 203.2, 15, 18, 17, 13, 10),
    "pocket": (107.95, 174.5, 12, 15, 14, 10, 9.5),
    # A 6-inch e-ink screen (about 91 x 122 mm): thin margins, the device adds its own.
    "ereader": (91, 122, 7, 8, 5, 5, 10),
}
ALIASES = {"trade": "6x9in", "6x9": "6x9in", "5x8": "5x8in", "4.25x6.87in": "pocket"}
PAGE_SIZES = tuple(_NAMED)
_NUM = r"(\d+(?:\.\d+)?)\s*"
_UNIT = r"(mm|cm|in|pt)"
_CUSTOM = re.compile(rf"^\s*{_NUM}{_UNIT}?\s*[x×]\s*{_NUM}{_UNIT}\s*$", re.IGNORECASE)


def parse_page_size(value: str) -> PageSize:
    """`a5`, `6x9in`, `pocket`, or a custom `140x216mm`, `5.5x8.5in`, `432x648pt`."""
    key = value.strip().lower()
    key = ALIASES.get(key, key)
    if key in _NAMED:
        return PageSize(key, *_NAMED[key])
    m = _CUSTOM.match(key)
    if not m:
        raise InputError(None, f"unknown page size '{value}' (use one of {', '.join(PAGE_SIZES)}, "
                               "or WIDTHxHEIGHT with a unit: 140x216mm, 5.5x8.5in, 432x648pt)")
    w_unit = (m.group(2) or m.group(4)).lower()
    width = float(m.group(1)) * MM_PER[w_unit]
    height = float(m.group(3)) * MM_PER[m.group(4).lower()]
    if not (50 <= width <= 1000 and 50 <= height <= 1000):
        raise InputError(None, f"page size '{value}' is out of range (each side 50 mm to 1 m)")
    # Margins and text size scale with the page, from A5's proportions.
    s = min(width / 148, height / 210)
    return PageSize(key, width, height, top=16 * s, bottom=19 * s, inner=19 * s, outer=14 * s,
                    font_pt=round(max(8.0, min(12.0, 10.5 * s ** 0.5)), 1))


def _mm(value: float) -> str:
    return f"{value:.2f}mm"
