"""Themes a user can list and start from: `ficbook themes` and `ficbook theme new`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ThemeError
from ..options import DEFAULT_THEME
from . import Theme, builtin_themes_dir, load_theme, user_themes_dir


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
