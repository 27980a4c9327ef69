"""One work on one site through FanFicFare: its page and chapters, the site's login, adult gate
and slow-down, every failure as one line, and no request to any other host.

FanFicFare is imported here only, when a link is fetched: file builds never load it."""

from __future__ import annotations

import html
import logging
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError
from ..options import FetchOptions
from .work import ChapterRef, Work, is_well_formed

log = logging.getLogger(__name__)

# FanFicFare settings ficbook always sets, over any personal.ini: pictures are not fetched but
# their tags kept, so the sanitizer leaves their alt text in their place (README "Safety"); no
# cover is fetched or made, nothing is read from a browser's cache on disk, and no proxy stands
# between ficbook and the site.
OVERRIDES = {
    "include_images": "false",
    "keep_img_tags": "true",
    "never_make_cover": "true",
    "use_browser_cache": "false",
    "use_browser_cache_only": "false",
    "use_flaresolverr_proxy": "false",
    "use_nsapa_proxy": "false",
    "http_proxy": "",
    "https_proxy": "",
    "continue_on_chapter_error": "false",
}

# The metadata fields ficbook reads (story.py's names); lists come back as lists.
LIST_FIELDS = ("author", "category", "fandoms", "ships", "characters", "warnings", "genre",
               "freeformtags", "ao3categories")
TEXT_FIELDS = ("title", "rating", "status", "datePublished", "dateUpdated", "numWords",
               "description", "series", "language", "langcode", "storyUrl", "site", "notes")
RICH_FIELDS = {"description", "notes"}  # HTML, read as such (convert.py sanitizes them)


def _fff() -> Any:
    import fanficfare.adapters
    import fanficfare.configurable
    import fanficfare.exceptions

    # FanFicFare logs every step on a handler of its own: ficbook says what matters, in its
    # own words, so FanFicFare's log goes through ficbook's (at --debug) or nowhere.
    fff_log = logging.getLogger("fanficfare")
    for handler in list(fff_log.handlers):
        fff_log.removeHandler(handler)
    fff_log.setLevel(logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.ERROR)
    # urllib3 warns at every retry FanFicFare's session makes; ficbook says it once, at the end.
    if not log.isEnabledFor(logging.DEBUG):
        logging.getLogger("urllib3").setLevel(logging.ERROR)
    return fanficfare


def supported_sites() -> list[tuple[str, list[str]]]:
    """Every site FanFicFare can fetch from, with its example addresses (not its test sites,
    test1.com to test4.com, which serve made-up works)."""
    return [(site, list(examples)) for site, examples in _fff().adapters.getSiteExamples()
            if not re.fullmatch(r"test\d\.com", site)]


class Site:
    """A FanFicFare adapter for one work, set up the ficbook way."""

    def __init__(self, url: str, options: FetchOptions) -> None:
        if not is_well_formed(url):
            raise InputError(None, f"{url}: not a web address ficbook can fetch "
                                   "(expected https://site/…)")
        fff = _fff()
        self.given = url
        self.options = options
        config = _configuration(fff, url, options)
        try:
            self.adapter = fff.adapters.getAdapter(config, url)
        except fff.exceptions.InvalidStoryURL as exc:
            raise InputError(None, f"{url}: not the address of a work on {exc.domain} "
                                   f"(like {exc.example})") from None
        self.adapter.is_adult = options.is_adult
        if options.login:
            self.adapter.username = options.login
        if options.password:
            self.adapter.password = options.password
        self.domain = str(self.adapter.getSiteDomain())
        self._hosts = {d.lower() for d in self.adapter.getAcceptDomains()} | {self.domain}
        _only_from(config.get_fetcher(), self)

    def allows(self, url: str) -> bool:
        """Only the work's own site: its domains and their subdomains."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in self._hosts)

    def work(self) -> Work:
        """The work's page, read now."""
        story = self._call(self.adapter.getStoryMetadataOnly, get_cover=False)
        fields: dict[str, str | list[str]] = {}
        for name in LIST_FIELDS:
            values = [html.unescape(str(v)) for v in story.getList(name) if str(v).strip()]
            if values:
                fields[name] = values
        for name in TEXT_FIELDS:
            value = story.getMetadata(name)
            if value:
                fields[name] = str(value) if name in RICH_FIELDS else html.unescape(str(value))
        chapters = tuple(ChapterRef(title=html.unescape(str(c.get("title", ""))),
                                    url=str(c["url"]), date=str(c.get("date", "") or ""))
                         for c in self.adapter.get_chapters())
        url = str(story.getMetadata("storyUrl") or self.adapter.url)
        return Work(url=url, site=self.domain, fields=fields, chapters=chapters,
                    fetched_at=time.time())

    def chapter_html(self, index: int, url: str) -> str:
        """One chapter's HTML as the site gives it (FanFicFare's clean-up applied)."""
        return str(self._call(self.adapter.getChapterTextNum, url, index))

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """`fn` (FanFicFare's session tries again itself, waiting longer each time, when the
        network fails); FanFicFare's failures as one line each."""
        import requests

        try:
            return fn(*args, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            host = urlsplit(self.given).hostname
            tries = self.options.retries + 1
            raise InputError(None, f"{self.given}: cannot reach {host} after {tries} tries (no "
                                   f"network connection?): {type(exc).__name__}") from None
        except InputError:
            raise
        except Exception as exc:
            raise self._failure(exc) from None

    def _failure(self, exc: Exception) -> InputError:
        x = _fff().exceptions
        url = self.given
        if isinstance(exc, x.StoryDoesNotExist):
            return InputError(None, f"{url}: no such work: it was deleted, hidden, or the "
                                    "address is wrong")
        if isinstance(exc, x.AdultCheckRequired):
            return InputError(None, f"{url}: the site asks to confirm you are an adult: "
                                    "pass --is-adult")
        if isinstance(exc, (x.FailedToLogin, x.NeedTimedOneTimePassword)):
            how = ("the login failed: check --login and --password" if self.options.login
                   else "this work needs a login: pass --login and --password (or set "
                        "FICBOOK_LOGIN and FICBOOK_PASSWORD)")
            return InputError(None, f"{url}: {how}")
        if isinstance(exc, x.AccessDenied):
            return InputError(None, f"{url}: the site refused access: {exc}")
        if isinstance(exc, x.HTTPErrorFFF):
            code = exc.status_code
            if code in (404, 410):
                return InputError(None, f"{url}: no such work (HTTP {code}): it was deleted, "
                                        "hidden, or the address is wrong")
            if code in (401, 403):
                return InputError(None, f"{url}: the site refused access (HTTP {code}): it may "
                                        "need a login (--login, --password)")
            return InputError(None, f"{url}: the site answered HTTP {code}")
        if isinstance(exc, x.FailedToDownload):
            return InputError(None, f"{url}: the site did not give the chapter: {exc}")
        return InputError(None, f"{url}: FanFicFare could not read the work: "
                                f"{type(exc).__name__}: {exc}")


def _configuration(fff: Any, url: str, options: FetchOptions) -> Any:
    """FanFicFare's settings for the site: its defaults, the user's --fff-ini (no other file),
    then ficbook's overrides and the command line's site options."""
    try:
        config = fff.configurable.Configuration(fff.adapters.getConfigSectionsFor(url), "epub")
    except fff.exceptions.UnknownSite:
        host = urlsplit(url).hostname or url
        raise InputError(None, f"{url}: {host} is not a site FanFicFare can fetch from "
                               "(`ficbook sites` lists them)") from None
    config.read(str(Path(fff.__file__).parent / "defaults.ini"))
    if options.fff_ini is not None:
        _read_ini(config, options.fff_ini)
    if not config.has_section("overrides"):
        config.add_section("overrides")
    chosen = {**OVERRIDES, "max_request_retries": str(max(0, options.retries))}
    if options.is_adult:
        chosen["is_adult"] = "true"
    if options.login:
        chosen["username"] = options.login
    if options.password:
        chosen["password"] = options.password
    for key, value in chosen.items():
        config.set("overrides", key, value)
    return config


def _read_ini(config: Any, path: Path) -> None:
    config.read_string(checked_ini(path), source=str(path))


def checked_ini(path: Path) -> str:
    """A FanFicFare personal.ini's text, once it is known to be one: else one line naming the
    file (and the line), before any site is asked anything."""
    import configparser

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(path, f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text") from None
    try:
        configparser.RawConfigParser(strict=False).read_string(text, source=str(path))
    except configparser.Error as exc:
        where = getattr(exc, "errors", None) or [(getattr(exc, "lineno", "?"),
                                                  getattr(exc, "line", ""))]
        line, bad = where[0]
        raise InputError(path, f"not a FanFicFare ini file: line {line}: "
                               f"{str(bad).strip()[:60]!r}") from None
    return text


def _only_from(fetcher: Any, site: Site) -> None:
    """Every request FanFicFare makes for this work goes through here first: one to any other
    host (a picture elsewhere, a chapter linked off-site, a proxy) is refused unmade."""
    ask = fetcher.do_request

    def do_request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if not site.allows(url):
            host = urlsplit(url).hostname or url
            raise InputError(None, f"{site.given}: refused to fetch from {host}: ficbook "
                                   f"fetches only from the work's own site ({site.domain})")
        return ask(method, url, *args, **kwargs)

    fetcher.do_request = do_request
