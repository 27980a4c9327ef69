"""Themes: find one (path, user folder, built-in), follow `inherit`, make its jinja env."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ..errors import ThemeError, ThemeOptionError
from ..options import DEFAULT_THEME

MAX_INHERIT_DEPTH = 8


def builtin_themes_dir() -> Path:
    """Installed wheels carry themes inside the package; a source checkout has them at the top."""
    package = Path(__file__).parent.parent
    inside = package / "themes"
    return inside if inside.is_dir() else package.parent / "themes"


def user_themes_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "ficbook" / "themes"


@dataclass(frozen=True)
class Theme:
    name: str
    description: str
    chain: tuple[Path, ...]  # this theme's folder first, then what it inherits from
    options: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)  # the theme's own defaults
    help: dict[str, str] = field(default_factory=dict)  # option -> one line of help

    def find(self, relative: str) -> Path | None:
        """The first theme in the chain that has this file wins (child overrides parent)."""
        for folder in self.chain:
            candidate = folder / relative
            if candidate.is_file():
                return candidate
        return None

    def files(self, subdir: str) -> dict[str, Path]:
        """Every file under `subdir` across the chain, by name, child first."""
        found: dict[str, Path] = {}
        for folder in reversed(self.chain):
            base = folder / subdir
            if base.is_dir():
                for f in sorted(base.rglob("*")):
                    if f.is_file():
                        found[f.relative_to(base).as_posix()] = f
        return dict(sorted(found.items()))

    def environment(self, compiled: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
        """The theme's templates; `compiled` keeps compiled ones between builds (jinja
        recompiles a template whose source changed)."""
        loaders = [_Loader(str(p / "templates")) for p in self.chain]
        return jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            bytecode_cache=compiled,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )


_BOOK = [0]  # which book is being rendered, as a count


def check_templates_again() -> None:
    """Templates are checked for edits once per book from now on (render() calls this)."""
    _BOOK[0] += 1


class _Loader(jinja2.FileSystemLoader):
    """Checks a template file for edits once per book, not once per page as jinja does (a
    thousand-page anthology stat'ed 2,000 files); a later book, or `build --watch`'s next
    rebuild, still sees an edit."""

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        checked = _BOOK[0]

        def once_per_book() -> bool:
            nonlocal checked
            if checked == _BOOK[0]:
                return True
            checked = _BOOK[0]
            return uptodate()

        return source, filename, once_per_book


def _locate(name: str) -> Path:
    as_path = Path(name)
    if as_path.is_dir() or "/" in name or name.startswith("."):
        if not (as_path / "theme.toml").is_file():
            raise ThemeError(as_path, "not a theme folder (no theme.toml in it)")
        return as_path
    for base in (user_themes_dir(), builtin_themes_dir()):
        if (base / name / "theme.toml").is_file():
            return base / name
    known = ", ".join(sorted(p.name for p in builtin_themes_dir().iterdir() if p.is_dir()))
    raise ThemeError(None, f"theme '{name}' not found (built-in themes: {known})")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(path, f"invalid TOML: {exc}") from None


def load_theme(name: str = DEFAULT_THEME, options: dict[str, Any] | None = None) -> Theme:
    folder = _locate(name)
    chain: list[Path] = []
    defaults: dict[str, Any] = {}
    helps: dict[str, str] = {}
    config = _read_toml(folder / "theme.toml")
    top = config
    current: Path | None = folder
    while current is not None:
        if len(chain) >= MAX_INHERIT_DEPTH or current.resolve() in [c.resolve() for c in chain]:
            raise ThemeError(current / "theme.toml", "theme inheritance loops or is too deep")
        chain.append(current)
        for key, spec in config.get("options", {}).items():
            defaults.setdefault(key, spec.get("default") if isinstance(spec, dict) else spec)
            if isinstance(spec, dict) and spec.get("help"):
                helps.setdefault(key, " ".join(str(spec["help"]).split()))
        parent = config.get("inherit")
        current = _locate(str(parent)) if parent else None
        if current is not None:
            config = _read_toml(current / "theme.toml")
    chosen = dict(defaults)
    for key, value in (options or {}).items():
        # The mistake is in the option given (command line or anthology.toml), not in the
        # theme's own file: name the theme, not its theme.toml.
        if key not in defaults:
            raise ThemeOptionError(None, f"unknown theme option '{key}' for theme '{name}' "
                                   f"(options: {', '.join(sorted(defaults)) or 'none'})")
        _check_type(key, value, defaults[key])
        chosen[key] = value
    return Theme(
        name=str(top.get("name", folder.name)),
        description=str(top.get("description", "")),
        chain=tuple(chain),
        options=chosen,
        defaults=defaults,
        help=helps,
    )


def _check_type(key: str, value: Any, default: Any) -> None:
    """An option keeps its default's type (a whole number may stand for a number)."""
    if default is None:
        return
    if isinstance(default, bool) or isinstance(value, bool):
        ok = isinstance(value, bool) and isinstance(default, bool)
    elif isinstance(default, float):
        ok = isinstance(value, int | float)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ThemeOptionError(None, f"theme option '{key}' must be {_kind(default)}, "
                                     f"not {value!r}")


def _kind(value: Any) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number",
            str: "a string"}.get(type(value), type(value).__name__)


def parse_option(text: str) -> tuple[str, Any]:
    """`key=value` from the command line; the value is read as a TOML scalar (true, 12, 1.5,
    "text"), and anything that is not one is taken as a plain string (#2b2d42, Font.otf)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key or not key.replace("_", "").replace("-", "").isalnum():
        raise ThemeOptionError(None, f"theme option '{text}' is not key=value")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return key, raw
    if isinstance(value, dict | list):
        raise ThemeOptionError(None, f"theme option '{key}' takes one value, not {raw}")
    return key, value


@dataclass(frozen=True)
class ThemeInfo:
    """A theme `ficbook themes` lists: where it comes from and what it offers."""

    name: str
    folder: Path
    origin: str  # "built-in" or "user"
    theme: Theme | None  # None when it could not be loaded
    problem: str = ""


def available_themes() -> list[ThemeInfo]:
    """Every theme in the user folder and built in, by name; a user theme hides a built-in one
    of the same name (as it does when a book is built)."""
    found: dict[str, ThemeInfo] = {}
    for origin, base in (("user", user_themes_dir()), ("built-in", builtin_themes_dir())):
        if not base.is_dir():
            continue
        for folder in sorted(base.iterdir()):
            if folder.name in found or not (folder / "theme.toml").is_file():
                continue
            try:
                theme: Theme | None = load_theme(str(folder))
                problem = ""
            except ThemeError as exc:
                theme, problem = None, str(exc)
            found[folder.name] = ThemeInfo(folder.name, folder, origin, theme, problem)
    return sorted(found.values(), key=lambda t: (t.name != DEFAULT_THEME, t.name))


def new_theme(name: str, source: str = DEFAULT_THEME, into: Path | None = None) -> Path:
    """Copy a theme (its whole inherit chain, flattened) into a new folder to edit freely."""
    if not name or "/" in name or name.startswith("."):
        raise ThemeError(None, f"'{name}' is not a theme name (use letters, digits, - and _)")
    theme = load_theme(source)
    target = (into if into is not None else user_themes_dir()) / name
    if target.exists():
        raise ThemeError(target, "already exists: choose another name or remove it first")
    files: dict[str, Path] = {}
    for folder in reversed(theme.chain):  # parent first: the child's files win
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative != "theme.toml" and "__pycache__" not in relative:
                files[relative] = path
    for relative, path in sorted(files.items()):
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        data = path.read_bytes()
        if relative.endswith(".css"):
            data = _inline_imports(data.decode("utf-8"), path, theme.chain).encode("utf-8")
        out.write_bytes(data)
    (target / "theme.toml").write_text(_theme_toml(name, theme, source), encoding="utf-8")
    return target


_IMPORT = re.compile(r'@import\s+url\(\s*["\']?([^"\')]+)["\']?\s*\)\s*;')


def _inline_imports(css: str, path: Path, chain: tuple[Path, ...]) -> str:
    """A child's print.css that @imports its parent's gets the parent's rules in its place,
    so the copy stands on its own."""

    def inline(match: re.Match[str]) -> str:
        imported = (path.parent / match.group(1)).resolve()
        if any(imported.is_relative_to(folder.resolve()) for folder in chain) and \
                imported.is_file():
            inner = _inline_imports(imported.read_text(encoding="utf-8"), imported, chain)
            return f"/* from {imported.parent.parent.name}/css/{imported.name} */\n{inner}"
        return match.group(0)

    return _IMPORT.sub(inline, css)


def _theme_toml(name: str, theme: Theme, source: str) -> str:
    lines = [f"name = {_toml_value(name)}",
             f"description = {_toml_value(f'My theme, started from {theme.name}.')}",
             f"# Copied from '{source}' by `ficbook theme new`: every file is yours to change.",
             "", "[options]"]
    for key, default in theme.defaults.items():
        spec = f"default = {_toml_value(default)}"
        if theme.help.get(key):
            spec += f", help = {_toml_value(theme.help[key])}"
        lines.append(f"{key} = {{ {spec} }}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
