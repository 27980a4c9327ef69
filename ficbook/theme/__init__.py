"""Themes: find one (path, user folder, built-in), follow `inherit`, make its jinja env."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ..errors import ThemeError, ThemeOptionError
from ..options import DEFAULT_THEME
from .environment import TemplateLoader

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
        from ..xhtml.sanitize import is_block_fragment

        loaders = [TemplateLoader(str(p / "templates")) for p in self.chain]
        env = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            bytecode_cache=compiled,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # `{% if text is block %}`: a fragment that opens with a block (a paragraph, a list)
        # goes in as it is; inline text gets a paragraph around it.
        env.tests["block"] = is_block_fragment
        return env


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


def option_text(key: str, value: Any) -> str:
    """`key=value` as parse_option reads it back (how a book records its theme options)."""
    return f"{key}={json.dumps(value, ensure_ascii=False)}"


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
