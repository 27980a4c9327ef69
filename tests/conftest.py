"""Shared fixtures: where the samples, fixtures and the seed story live."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_POST = SEEDS / "leaving-not-running-away.txt"

sys.path.insert(0, str(Path(__file__).resolve().parent))
pytest_plugins = ["sitekit"]  # fixtures for fetching by link (tests/fetch/)


@pytest.fixture(scope="session")
def _cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ficbook-cache")


@pytest.fixture(autouse=True)
def _private_cache(_cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Builds in tests use a cache of the test run's own, never the user's ~/.cache/ficbook."""
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(_cache_folder))
    return _cache_folder


@pytest.fixture
def seed_post() -> Path:
    if not SEED_POST.is_file():
        pytest.skip("../shared/seeds is not here (it is only on the project's machines)")
    return SEED_POST


REALWORLD = ROOT.parent / "shared" / "realworld"


def real_file(name: str) -> Path:
    """A real download from ../shared/realworld (never copied here: its text is its authors');
    the test is skipped where that folder is not."""
    path = REALWORLD / name
    if not path.is_file():
        pytest.skip(f"../shared/realworld/{name} is not here (it is only on the project's "
                    "machines)")
    return path


# Guards for hostile-input tests: a network connection or a stray file read fails the test.

_opened: list[str] | None = None


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _opened is not None and event == "open" and isinstance(args[0], str | Path):
        _opened.append(str(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; it records only while a test asks


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every connect attempt is recorded and refused; tests assert the list stays empty."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access attempted during a ficbook build")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    yield attempts
    assert attempts == [], f"network access attempted: {attempts}"


@pytest.fixture
def opened_files() -> Iterator[list[str]]:
    """The paths ficbook opens while the test runs (via the interpreter's audit hook)."""
    global _opened
    _opened = []
    yield _opened
    _opened = None


def outside(paths: list[str], *allowed: Path) -> list[str]:
    """Opened paths that are not in an allowed folder, nor Python's own files."""
    ok = [str(p.resolve()) for p in allowed] + [sys.prefix, sys.base_prefix, "/dev/"]
    ok += [str(Path(p).resolve()) for p in sys.path if p]
    bad = []
    for raw in paths:
        resolved = str(Path(raw).resolve())
        if not any(resolved.startswith(a) for a in ok):
            bad.append(raw)
    return bad
