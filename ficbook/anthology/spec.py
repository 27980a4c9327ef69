"""anthology.toml -> BuildSpec. The whole file is checked and every problem reported at once."""

from __future__ import annotations

import datetime as dt
import difflib
import glob
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, FicbookError, ThemeOptionError
from ..model import MatterPage
from ..options import BuildOptions, with_file_settings
from .markdown import markdown

CONFIG_NAME = "anthology.toml"
TOP_KEYS = ("title", "subtitle", "editors", "description", "language", "date", "cover", "theme",
            "theme_options", "formats", "output", "page_size", "print_layout", "front_matter",
            "back_matter", "stories", "sort", "group_by")
STORY_KEYS = ("path", "title", "author", "authors", "summary", "position")
FRONT_MATTER = ("foreword", "introduction")
BACK_MATTER = ("afterword", "acknowledgements")
MATTER_KEYS = ("path", "title")
SORTS = ("as-listed", "title", "author", "fandom", "date", "word-count")
GROUPS = ("none", "fandom", "written-for", "prompt", "author", "rating")
_ALIASES = {"listed": "as-listed", "none": "as-listed", "manual": "as-listed",
            "words": "word-count", "wordcount": "word-count", "length": "word-count",
            "fandoms": "fandom", "authors": "author", "ratings": "rating",
            "challenge": "written-for", "acknowledgments": "acknowledgements"}
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_GLOB_CHARS = re.compile(r"[*?\[]")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


@dataclass(frozen=True)
class StoryEntry:
    """One story file of an anthology, with what the editor overrides."""

    path: Path
    key: str  # where it was listed, for messages: "stories[3]"
    title: str = ""
    authors: tuple[str, ...] = ()
    summary: str = ""  # sanitized XHTML
    position: int | None = None  # 1-based place in the book, whatever the sort says


@dataclass(frozen=True)
class BuildSpec:
    """Everything an anthology file says, checked, with paths resolved against its folder."""

    path: Path
    title: str
    stories: tuple[StoryEntry, ...]
    subtitle: str = ""
    editors: tuple[str, ...] = ()
    description: str = ""
    language: str = ""  # empty: the first story's
    date: str = ""
    cover: Path | None = None  # None: generated
    front_matter: tuple[MatterPage, ...] = ()
    back_matter: tuple[MatterPage, ...] = ()
    sort: str = "as-listed"
    group_by: str = "none"
    output: Path | None = None
    # BuildOptions fields the file sets (formats, theme, theme_options, page_size, ...).
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def options(self, base: BuildOptions | None = None,
                explicit: frozenset[str] | set[str] = frozenset()) -> BuildOptions:
        """The file's settings over the defaults; options named in `explicit` win over the file."""
        return with_file_settings(base or BuildOptions(), self.settings, explicit)


def load_spec(path: Path | str) -> BuildSpec:
    """Read and check an anthology file; raises ConfigError listing every problem found."""
    path = Path(path)
    if path.is_dir():
        path = path / CONFIG_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, ["no such file"]) from None
    except OSError as exc:
        raise ConfigError(path, [f"cannot be read: {exc.strerror}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(path, ["not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"invalid TOML: {exc}"]) from None
    return _Checker(path).check(data)


def suggest(key: str, known: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6) or [
        k for k in known if len(key) >= 3 and k.startswith(key.lower())][:1]
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known: {', '.join(known)}"


def _choice(value: str) -> str:
    v = re.sub(r"[\s_]+", "-", value.strip().lower())
    return _ALIASES.get(v, v)


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.parent
        self.problems: list[str] = []

    def problem(self, key: str, reason: str) -> None:
        self.problems.append(f"{key}: {reason}")

    def check(self, data: dict[str, Any]) -> BuildSpec:
        for key in data:
            if key not in TOP_KEYS:
                self.problem(key, f"unknown key ({suggest(key, TOP_KEYS)})")
        title = self.string(data, "title")
        if "title" not in data:
            self.problem("title", "missing: every anthology needs a title")
        elif not title.strip() and isinstance(data.get("title"), str):
            self.problem("title", "is empty")
        settings: dict[str, Any] = {}
        formats = self.formats(data)
        if formats is not None:
            settings["formats"] = formats
        theme = self.string(data, "theme")
        if theme:
            settings["theme"] = theme
        options = data.get("theme_options")
        if options is not None:
            if isinstance(options, dict):
                settings["theme_options"] = dict(options)
            else:
                self.problem("theme_options", "must be a table of option = value")
        if "theme" in settings or "theme_options" in settings:
            self.check_theme(settings)
        if "page_size" in data:
            settings["page_size"] = self.string(data, "page_size")
        if "print_layout" in data:
            if isinstance(data["print_layout"], bool):
                settings["print_layout"] = data["print_layout"]
            else:
                self.problem("print_layout", "must be true or false")
        language = self.string(data, "language")
        if language and not _LANGUAGE.match(language):
            self.problem("language", f"'{language}' is not a language tag like 'en' or 'pt-BR'")
        date = data.get("date", "")
        if isinstance(date, dt.date):
            date = date.isoformat()[:10]
        elif not isinstance(date, str):
            self.problem("date", "must be a date like 2026-03-01")
            date = ""
        elif date and not _DATE.match(date):
            self.problem("date", f"'{date}' is not a date like 2026-03-01")
        sort = self.choice(data, "sort", SORTS, "as-listed")
        group_by = self.choice(data, "group_by", GROUPS, "none")
        front = self.matter(data, "front_matter", FRONT_MATTER)
        back = self.matter(data, "back_matter", BACK_MATTER)
        cover = self.cover(data)
        output = self.string(data, "output")
        used = {self.path.resolve(), *(m.source.resolve() for m in (*front, *back) if m.source)}
        if cover is not None:
            used.add(cover.resolve())
        stories = self.stories(data, used)
        if self.problems:
            raise ConfigError(self.path, self.problems)
        return BuildSpec(
            path=self.path, title=title.strip(), stories=stories,
            subtitle=self.string(data, "subtitle"), editors=self.names(data, "editors"),
            description=self.string(data, "description"), language=language, date=str(date),
            cover=cover, front_matter=front, back_matter=back, sort=sort, group_by=group_by,
            output=self.folder / output if output else None, settings=settings)

    # -- one value at a time ---------------------------------------------------------------

    def string(self, table: dict[str, Any], key: str, where: str = "") -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            self.problem(where + key, f"must be a string, not {_kind(value)}")
            return ""
        return value

    def names(self, table: dict[str, Any], key: str, where: str = "") -> tuple[str, ...]:
        value = table.get(key, ())
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            self.problem(where + key, "must be a name or a list of names")
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def choice(self, data: dict[str, Any], key: str, known: tuple[str, ...], default: str) -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            self.problem(key, f"must be one of: {', '.join(known)}")
            return default
        chosen = _choice(value)
        if key == "group_by" and chosen == "as-listed":
            chosen = "none"
        if chosen not in known:
            self.problem(key, f"unknown value '{value}' ({suggest(chosen, known)})")
            return default
        return chosen

    def formats(self, data: dict[str, Any]) -> tuple[str, ...] | None:
        if "formats" not in data:
            return None
        from ..backends import BACKENDS

        value = data["formats"]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.problem("formats", "must be a list of formats, e.g. [\"epub\"]")
            return None
        for fmt in value:
            if fmt not in BACKENDS:
                self.problem("formats", f"unknown format '{fmt}' (known: {', '.join(BACKENDS)})")
        return tuple(dict.fromkeys(value))

    def check_theme(self, settings: dict[str, Any]) -> None:
        from ..theme import load_theme

        theme = settings.get("theme") or BuildOptions().theme
        if "/" in theme or theme.startswith("."):
            theme = str(self.folder / theme)
            settings["theme"] = theme
        try:
            load_theme(theme, settings.get("theme_options"))
        except ThemeOptionError as exc:  # an option the file gives, not the theme it names
            self.problem("theme_options", exc.message)
        except FicbookError as exc:
            self.problem("theme", exc.message)

    def file(self, key: str, value: str) -> Path | None:
        """A path the user named: relative to the anthology file, and it must exist."""
        path = self.folder / value
        if not path.is_file():
            self.problem(key, f"'{value}': no such file" if not path.exists()
                         else f"'{value}' is not a file")
            return None
        return path

    def cover(self, data: dict[str, Any]) -> Path | None:
        value = self.string(data, "cover")
        if not value or value.lower() in {"generated", "generate", "auto"}:
            return None
        path = self.file("cover", value)
        if path is not None and path.suffix.lower() not in IMAGE_SUFFIXES:
            self.problem("cover", f"'{value}' is not an image (use a .jpg or .png, or "
                                  "\"generated\")")
            return None
        return path

    def matter(self, data: dict[str, Any], key: str,
               kinds: tuple[str, ...]) -> tuple[MatterPage, ...]:
        table = data.get(key, {})
        if not isinstance(table, dict):
            self.problem(key, f"must be a table like [{key}] {kinds[0]} = \"{kinds[0]}.md\"")
            return ()
        pages = []
        for kind, value in table.items():
            where = f"{key}.{kind}"
            canon = _ALIASES.get(kind, kind)
            if canon not in kinds:
                self.problem(where, f"unknown key ({suggest(kind, kinds)})")
                continue
            title = ""
            if isinstance(value, dict):
                for k in value:
                    if k not in MATTER_KEYS:
                        self.problem(f"{where}.{k}", f"unknown key ({suggest(k, MATTER_KEYS)})")
                title = self.string(value, "title", where + ".")
                value = value.get("path")
                if value is None:
                    self.problem(where + ".path", "missing: which Markdown file?")
                    continue
            if not isinstance(value, str):
                self.problem(where, "must be the path of a Markdown file")
                continue
            path = self.file(where, value)
            if path is None:
                continue
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.problem(where, f"'{value}' is not UTF-8 text")
                continue
            heading, body = markdown(text)
            pages.append(MatterPage(kind=canon, title=title or heading, body=body, source=path))
        return tuple(pages)

    def stories(self, data: dict[str, Any], used: set[Path]) -> tuple[StoryEntry, ...]:
        if "stories" not in data:
            self.problem("stories", "missing: list the story files (paths or globs)")
            return ()
        items = data["stories"]
        if not isinstance(items, list) or not items:
            self.problem("stories", "must be a non-empty list of paths, globs or tables")
            return ()
        explicit: dict[Path, str] = {}
        planned: list[tuple[str, Any]] = []
        # First pass: explicit files, so a glob never takes a file that has its own entry.
        for n, item in enumerate(items):
            key = f"stories[{n}]"
            pattern = item.get("path") if isinstance(item, dict) else item
            if isinstance(item, dict):
                for k in item:
                    if k not in STORY_KEYS:
                        self.problem(f"{key}.{k}", f"unknown key ({suggest(k, STORY_KEYS)})")
            if not isinstance(pattern, str) or not pattern.strip():
                self.problem(key, "must be a path, a glob, or a table with a path")
                continue
            if isinstance(item, dict) and _GLOB_CHARS.search(pattern) and len(item) > 1:
                self.problem(key, "overrides need one file, not a glob")
                continue
            if not _GLOB_CHARS.search(pattern):
                path = self.file(key, pattern)
                if path is None:
                    continue
                real = path.resolve()
                if real in explicit:
                    self.problem(key, f"duplicate story: '{pattern}' is already listed as "
                                      f"{explicit[real]}")
                    continue
                explicit[real] = key
            planned.append((key, item))
        entries: list[StoryEntry] = []
        taken = set(explicit)
        for key, item in planned:
            pattern = str(item.get("path") if isinstance(item, dict) else item)  # checked above
            if not _GLOB_CHARS.search(pattern):
                entries.append(self.entry(key, self.folder / pattern, item))
                continue
            matches = self.glob(key, pattern, used)
            for path in matches:
                if path.resolve() not in taken:
                    taken.add(path.resolve())
                    entries.append(StoryEntry(path=path, key=f"{key} ({path.name})"))
        return tuple(entries)

    def glob(self, key: str, pattern: str, used: set[Path]) -> list[Path]:
        from ..ingest import SUFFIXES

        if Path(pattern).is_absolute():
            self.problem(key, f"'{pattern}': globs must be relative to the anthology file")
            return []
        inside = self.folder.resolve()
        found = []
        outside = 0
        for name in sorted(glob.glob(pattern, root_dir=self.folder, recursive=True)):
            path = self.folder / name
            if not path.is_file() or path.resolve() in used or name.startswith("."):
                continue
            if path.suffix.lower() not in SUFFIXES or not path.suffix:
                continue
            if not path.resolve().is_relative_to(inside):
                outside += 1  # a link out of the folder: only files named one by one
                continue
            found.append(path)
        if not found:
            why = (f" ({outside} outside the anthology's folder: name them one by one)"
                   if outside else "")
            self.problem(key, f"'{pattern}' matches no story files{why}")
        return found

    def entry(self, key: str, path: Path, item: Any) -> StoryEntry:
        if not isinstance(item, dict):
            return StoryEntry(path=path, key=key)
        where = key + "."
        position = item.get("position")
        if position is not None and (isinstance(position, bool) or not isinstance(position, int)
                                     or position < 1):
            self.problem(where + "position", "must be a whole number from 1")
            position = None
        authors = self.names(item, "authors", where) or self.names(item, "author", where)
        summary = self.string(item, "summary", where)
        return StoryEntry(path=path, key=key, title=self.string(item, "title", where).strip(),
                          authors=authors, summary=markdown(summary)[1] if summary else "",
                          position=position)


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)

