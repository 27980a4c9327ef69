"""Series and status as fans and tools write them, read one way by every reader."""

from __future__ import annotations

import re

from ..model import Metadata
from ..xhtml import sanitize as xhtml
from .ao3 import MAX_SERIES_INDEX, series_part
from .header import metadata_from_fields

_BRACKET_INDEX = re.compile(r"^(.+?)\s*\[(\d+(?:\.\d+)?)\]\s*$")


def series_of(value: str) -> tuple[str, float | None]:
    """'Part 2 of Name', 'Name [2]', 'Name #2' -> ('Name', 2.0): plain text, never markup."""
    value = xhtml.to_text(xhtml.clean(value)).strip()
    part = series_part(value)
    if part:
        return part
    m = _BRACKET_INDEX.match(value)
    if m:
        return m.group(1), _index(float(m.group(2)))
    parsed = metadata_from_fields([("Series", value)], Metadata(title=""))
    return parsed.series, _index(parsed.series_index)


def _index(number: float | None) -> float | None:
    """A place in a series; None for an absurd one ('Part 99999999999999999999 of ...')."""
    return number if number is not None and 0 <= number <= MAX_SERIES_INDEX else None


def status_of(value: str) -> str:
    v = re.sub(r"[\s_-]+", " ", value.strip().lower())
    if v in {"complete", "completed", "finished", "done"}:
        return "Completed"
    if v in {"in progress", "wip", "incomplete", "ongoing", "work in progress", "unfinished"}:
        return "Work in Progress"
    return value.strip()
