"""What a site says about a work, as plain data: kept in the fetch cache, read into a Story."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)


def is_url(value: object) -> bool:
    """An input that is a web address (`https://…`, `http://…`) rather than a file."""
    return isinstance(value, str) and value[:8].lower().startswith(("http://", "https://"))


def is_well_formed(url: str) -> bool:
    """A web address with a host that has a dot in it and no spaces."""
    return bool(_URL.match(url))


@dataclass(frozen=True)
class ChapterRef:
    """A chapter as the work's index lists it: its title, address and date (when the site
    gives one per chapter)."""

    title: str
    url: str
    date: str = ""


@dataclass(frozen=True)
class Work:
    """The work's page as FanFicFare read it: its metadata fields (strings, or lists of them)
    and its chapters in order, and when it was fetched."""

    url: str  # the site's own address for the work (FanFicFare's normal form)
    site: str  # the site's domain ("archiveofourown.org")
    fields: dict[str, str | list[str]]
    chapters: tuple[ChapterRef, ...]
    fetched_at: float = 0.0

    def text(self, name: str) -> str:
        value = self.fields.get(name, "")
        return ", ".join(value) if isinstance(value, list) else value

    def list(self, name: str) -> list[str]:
        value = self.fields.get(name, [])
        return value if isinstance(value, list) else [value] if value else []

    def state(self) -> tuple[int, str, str]:
        """What says whether a work changed since a book was made of it: its chapter count,
        the site's updated date and its word count."""
        return len(self.chapters), self.text("dateUpdated"), self.text("numWords")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Work:
        return cls(url=data["url"], site=data["site"], fields=dict(data["fields"]),
                   chapters=tuple(ChapterRef(**c) for c in data["chapters"]),
                   fetched_at=float(data.get("fetched_at", 0.0)))
