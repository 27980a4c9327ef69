"""Test kit for fetching by link, offline: FanFicFare's own test1.com adapter serves made-up
works from memory, and every request asked of it is counted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class SiteCalls:
    """What ficbook asked of the site: its work pages and chapters, by address."""

    pages: list[str] = field(default_factory=list)
    chapters: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.pages) + len(self.chapters)


@pytest.fixture
def own_fetch_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test starts with an empty cache (fetched works live there)."""
    folder = tmp_path / "ficbook-cache"
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def site_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[SiteCalls]:
    """Counts every page and chapter FanFicFare's test1.com adapter is asked for."""
    from fanficfare.adapters.adapter_test1 import TestSiteAdapter

    calls = SiteCalls()
    page, chapter = TestSiteAdapter.extractChapterUrlsAndMetadata, TestSiteAdapter.getChapterText

    def counted_page(self: TestSiteAdapter) -> None:
        calls.pages.append(self.url)
        page(self)

    def counted_chapter(self: TestSiteAdapter, url: str) -> str:
        calls.chapters.append(url)
        return str(chapter(self, url))

    monkeypatch.setattr(TestSiteAdapter, "extractChapterUrlsAndMetadata", counted_page)
    monkeypatch.setattr(TestSiteAdapter, "getChapterText", counted_chapter)
    yield calls


def work_ini(path: Path, sid: int, chapters: list[str], updated: str, words: str) -> Path:
    """A FanFicFare personal.ini that makes test1.com?sid=<sid> (1000 and up) the work it
    describes: the way FanFicFare's own tests drive the adapter."""
    titles = ",".join(t.replace(",", r"\,") for t in chapters)
    path.write_text(f"""[teststory:{sid}]
title:The Lighthouse Keeper's Almanac
author_list:wren_and_tide
category_list:Original Work
ships_list:Maren/Ilse
characters_list:Maren,Ilse
rating:General Audiences
warnings_list:No Archive Warnings Apply
genre_list:Hurt/Comfort
datePublished:2024-01-05
dateUpdated:{updated}
numWords:{words}
status:In-Progress
description:<p>Maren keeps the light. Ilse keeps the <em>almanac</em>.</p>
chaptertitles:{titles}
""", encoding="utf-8")
    return path
