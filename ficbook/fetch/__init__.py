"""Stories from links: a web address the user gave, fetched through FanFicFare (site.py),
kept in the fetch cache (cache/fetched.py) and read into a Story (convert.py).

Only a URL the user gave is fetched, only from that work's site, one request after another."""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..model import Story
from ..options import FetchOptions
from .site import Site
from .work import ChapterRef, Work, is_url, is_well_formed

__all__ = ["ChapterRef", "Fetcher", "Work", "fetch_story", "is_url", "is_well_formed"]

log = logging.getLogger(__name__)

# (chapters done, chapters in all): a progress bar's view of a fetch
Progress = Callable[[int, int], None]


class Fetcher:
    """One work: its page (fresh, or from the fetch cache) and its chapters, each fetched only
    when the cache does not hold it. The site is set up only when something must be asked."""

    def __init__(self, url: str, options: FetchOptions | None = None) -> None:
        self.url = url.strip()
        self.options = options or FetchOptions()
        self._site: Site | None = None

    def site(self) -> Site:
        if self._site is None:
            self._site = Site(self.url, self.options)
        return self._site

    def work(self, fresh: bool = False) -> Work:
        """The work's page: from the cache while it is fresh (unless `fresh` or --refresh)."""
        from ..cache import fetched

        if self.options.cache and not (fresh or self.options.refresh):
            kept = fetched.recent_work(self.url)
            if kept is not None:
                return kept
        return self._fetch_work()

    def _fetch_work(self) -> Work:
        from ..cache import fetched

        work = self.site().work()
        if self.options.cache:
            fetched.keep_work(self.url, work)
        return work

    def story(self, work: Work | None = None, progress: Progress | None = None,
              refetch: bool = False) -> Story:
        """The work as a Story; chapters the cache holds are not fetched again (`refetch`:
        every chapter is)."""
        from ..cache import fetched
        from .convert import story_of

        work = work or self.work()
        texts = self._kept(work, refetch)
        missing = [n for n, t in enumerate(texts) if t is None]
        if missing and self._site is None:
            work = self._fetch_work()  # the site's adapter reads chapters after its page
            texts = self._kept(work, refetch)
            missing = [n for n, t in enumerate(texts) if t is None]
        done = len(texts) - len(missing)
        if progress is not None:
            progress(done, len(texts))
        for n in missing:
            ref = work.chapters[n]
            text = self.site().chapter_html(n, ref.url)
            if self.options.cache:
                fetched.keep_chapter(work, ref, text)
            texts[n] = text
            done += 1
            if progress is not None:
                progress(done, len(texts))
        return story_of(work, [t or "" for t in texts])

    def _kept(self, work: Work, refetch: bool) -> list[str | None]:
        """Each chapter's HTML from the fetch cache, None where it must be fetched."""
        from ..cache import fetched

        if refetch or not self.options.cache:
            return [None] * len(work.chapters)
        return [fetched.chapter(work, ref) for ref in work.chapters]


def fetch_story(url: str, options: FetchOptions | None = None,
                progress: Progress | None = None) -> Story:
    """The story at `url`, fetched through FanFicFare (what the fetch cache holds is not
    downloaded again)."""
    return Fetcher(url, options).story(progress=progress)
