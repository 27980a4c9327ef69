"""anthology.toml -> BuildSpec. The whole file is checked and every problem reported at once."""

from __future__ import annotations

import datetime as dt
import difflib
import glob
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from ..errors import ConfigError, FicbookError, ThemeOptionError
from ..fetch.work import is_url, is_well_formed
from ..model import MatterPage
from ..options import BuildOptions, with_file_settings
from .markdown import markdown

CONFIG_NAME = "anthology.toml"
# The top-level keys are KEYS, after the checker whose methods it names; nested tables keep
# their own lists here.
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
    """One story of an anthology (a file, or a web address to fetch), with what the editor
    overrides."""

    path: Path | str
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


SPEC: Final = "spec"  # the key's value is the BuildSpec field of its name
SETTING: Final = "setting"  # the key's value is the BuildOptions field of its name, in .settings


@dataclass(frozen=True)
class Key:
    """One top-level key of anthology.toml: how its value is checked, and where it goes."""

    name: str
    # (checker, key, value as written) -> the value kept; problems go to the checker. A SETTING
    # checked to None is not set (absent from the file, or unusable).
    check: Callable[[_Checker, str, Any], Any]
    into: Literal["spec", "setting"]  # SPEC or SETTING
    missing: str = ""  # the problem when the file leaves the key out; "": the key is optional
    # Keys are checked by `order`, then as listed: problems come out in the order they always
    # have, and a key whose check reads another's value (stories: the cover) comes after it.
    order: int = 100
    then: Callable[[_Checker], None] | None = None  # a check across keys, run after this one
    reported: bool = True  # False: a bad value is dropped without a problem (see KEYS)


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
        self.fields: dict[str, Any] = {}  # BuildSpec fields, as the keys are checked
        self.settings: dict[str, Any] = {}  # BuildOptions fields the file sets

    def problem(self, key: str, reason: str) -> None:
        self.problems.append(f"{key}: {reason}")

    def check(self, data: dict[str, Any]) -> BuildSpec:
        for name in data:
            if name not in TOP_KEYS:
                self.problem(name, f"unknown key ({suggest(name, TOP_KEYS)})")
        for key in _CHECK_ORDER:
            if key.name in data:
                self.take(key, data[key.name])
            elif key.missing:
                self.problem(key.name, key.missing)
            if key.then is not None:
                key.then(self)
        if self.problems:
            raise ConfigError(self.path, self.problems)
        return BuildSpec(path=self.path, settings=self.settings, **self.fields)

    def take(self, key: Key, value: Any) -> None:
        """Check one key's value and keep it where the key table says it goes."""
        reported = len(self.problems)
        kept = key.check(self, key.name, value)
        if not key.reported:
            del self.problems[reported:]
        if key.into == SPEC:
            self.fields[key.name] = kept
        elif kept is not None:
            self.settings[key.name] = kept

    # -- one value at a time: (key, value as written) -> the value kept ----------------------

    def text(self, key: str, value: Any) -> str:
        if not isinstance(value, str):
            self.problem(key, f"must be a string, not {_kind(value)}")
            return ""
        return value

    def name_list(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            self.problem(key, "must be a name or a list of names")
            return ()
        return tuple(v.strip() for v in value if v.strip())

    def string(self, table: dict[str, Any], key: str, where: str = "") -> str:
        """A string in a nested table (a story's, a page's); "" when it is not there."""
        return self.text(where + key, table.get(key, ""))

    def names(self, table: dict[str, Any], key: str, where: str = "") -> tuple[str, ...]:
        return self.name_list(where + key, table.get(key, ()))

    def title(self, key: str, value: Any) -> str:
        title = self.text(key, value)
        if isinstance(value, str) and not title.strip():
            self.problem(key, "is empty")
        return title.strip()

    def language(self, key: str, value: Any) -> str:
        language = self.text(key, value)
        if language and not _LANGUAGE.match(language):
            self.problem(key, f"'{language}' is not a language tag like 'en' or 'pt-BR'")
        return language

    def date(self, key: str, value: Any) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()[:10]
        if not isinstance(value, str):
            self.problem(key, "must be a date like 2026-03-01")
            return ""
        if value and not _DATE.match(value):
            self.problem(key, f"'{value}' is not a date like 2026-03-01")
        return value

    def output(self, key: str, value: Any) -> Path | None:
        output = self.text(key, value)
        return self.folder / output if output else None

    def flag(self, key: str, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem(key, "must be true or false")
        return None

    def theme(self, key: str, value: Any) -> str | None:
        return self.text(key, value) or None  # theme = "": the default, as if left out

    def theme_options(self, key: str, value: Any) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return dict(value)
        self.problem(key, "must be a table of option = value")
        return None

    def choice(self, key: str, value: Any, known: tuple[str, ...], default: str) -> str:
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

    def formats(self, key: str, value: Any) -> tuple[str, ...] | None:
        from ..backends import BACKENDS

        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.problem(key, "must be a list of formats, e.g. [\"epub\"]")
            return None
        for fmt in value:
            if fmt not in BACKENDS:
                self.problem(key, f"unknown format '{fmt}' (known: {', '.join(BACKENDS)})")
        return tuple(dict.fromkeys(value))

    def check_theme(self) -> None:
        """The theme the file names, loaded with the file's options: a missing theme or a bad
        option is one more problem, reported with the rest."""
        settings = self.settings
        if "theme" not in settings and "theme_options" not in settings:
            return
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

    def cover(self, key: str, value: Any) -> Path | None:
        value = self.text(key, value)
        if not value or value.lower() in {"generated", "generate", "auto"}:
            return None
        path = self.file(key, value)
        if path is not None and path.suffix.lower() not in IMAGE_SUFFIXES:
            self.problem(key, f"'{value}' is not an image (use a .jpg or .png, or "
                                  "\"generated\")")
            return None
        return path

    def matter(self, key: str, table: Any, kinds: tuple[str, ...]) -> tuple[MatterPage, ...]:
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

    def stories(self, name: str, items: Any) -> tuple[StoryEntry, ...]:
        if not isinstance(items, list) or not items:
            self.problem(name, "must be a non-empty list of paths, globs or tables")
            return ()
        # A glob takes none of the files the anthology uses otherwise (KEYS checks them first).
        pages = (*self.fields.get("front_matter", ()), *self.fields.get("back_matter", ()))
        used = {self.path.resolve(), *(m.source.resolve() for m in pages if m.source)}
        if self.fields.get("cover") is not None:
            used.add(self.fields["cover"].resolve())
        explicit: dict[Path, str] = {}
        links: dict[str, str] = {}  # web addresses: fetched when the book is built
        planned: list[tuple[str, Any]] = []
        # First pass: explicit files, so a glob never takes a file that has its own entry.
        for n, item in enumerate(items):
            key = f"{name}[{n}]"
            pattern = item.get("path") if isinstance(item, dict) else item
            if isinstance(item, dict):
                for k in item:
                    if k not in STORY_KEYS:
                        self.problem(f"{key}.{k}", f"unknown key ({suggest(k, STORY_KEYS)})")
            if not isinstance(pattern, str) or not pattern.strip():
                self.problem(key, "must be a path, a glob, or a table with a path")
                continue
            if is_url(pattern.strip()):
                url = pattern.strip()
                if not is_well_formed(url):
                    self.problem(key, f"'{url}': not a web address ficbook can fetch")
                elif url in links:
                    self.problem(key, f"duplicate story: '{url}' is already listed as "
                                      f"{links[url]}")
                else:
                    links[url] = key
                    planned.append((key, item))
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
            if is_url(pattern.strip()):
                entries.append(self.entry(key, pattern.strip(), item))
                continue
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

    def entry(self, key: str, path: Path | str, item: Any) -> StoryEntry:
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


# The top-level keys, in the order `known: ...` lists them: how each is checked, and whether it
# is the BuildSpec field (SPEC) or the BuildOptions setting (SETTING) of its name.
KEYS: tuple[Key, ...] = (
    Key("title", _Checker.title, SPEC, missing="missing: every anthology needs a title", order=0),
    # These three were checked only after the problems had been raised, so a bad value was
    # dropped unreported; kept so until reporting it is chosen as a change of its own.
    Key("subtitle", _Checker.text, SPEC, reported=False),
    Key("editors", _Checker.name_list, SPEC, reported=False),
    Key("description", _Checker.text, SPEC, reported=False),
    Key("language", _Checker.language, SPEC, order=6),
    Key("date", _Checker.date, SPEC, order=7),
    Key("cover", _Checker.cover, SPEC, order=12),
    Key("theme", _Checker.theme, SETTING, order=2),
    Key("theme_options", _Checker.theme_options, SETTING, order=3, then=_Checker.check_theme),
    Key("formats", _Checker.formats, SETTING, order=1),
    Key("output", _Checker.output, SPEC, order=13),
    Key("page_size", _Checker.text, SETTING, order=4),
    Key("print_layout", _Checker.flag, SETTING, order=5),
    Key("front_matter", lambda c, k, v: c.matter(k, v, FRONT_MATTER), SPEC, order=10),
    Key("back_matter", lambda c, k, v: c.matter(k, v, BACK_MATTER), SPEC, order=11),
    Key("stories", _Checker.stories, SPEC,
        missing="missing: list the story files (paths or globs)", order=14),
    Key("sort", lambda c, k, v: c.choice(k, v, SORTS, "as-listed"), SPEC, order=8),
    Key("group_by", lambda c, k, v: c.choice(k, v, GROUPS, "none"), SPEC, order=9),
)
TOP_KEYS = tuple(key.name for key in KEYS)
_CHECK_ORDER = tuple(sorted(KEYS, key=lambda key: key.order))


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)

