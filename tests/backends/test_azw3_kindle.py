"""Kindle: Amazon's published requirements on every theme's books, and AZW3 through calibre."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES

from ficbook.anthology.assemble import assemble
from ficbook.anthology.spec import load_spec
from ficbook.backends.kindle import MAX_IMAGE_BYTES, kindle_problems, two_level_contents
from ficbook.cli import cli
from ficbook.ingest import read_story
from ficbook.model import Asset, Book, RenderedBook
from ficbook.pipeline.read import read_stories
from ficbook.theme import builtin_themes_dir, load_theme
from ficbook.theme.render import render

FERRY = FIXTURES / "kepub" / "the-night-ferry.txt"
THEMES = sorted(p.name for p in builtin_themes_dir().iterdir() if (p / "theme.toml").is_file())
needs_calibre = pytest.mark.skipif(shutil.which("ebook-convert") is None,
                                   reason="calibre's ebook-convert is not installed "
                                          "(.ci/run installs it)")


def story_book(theme: str = "default", **options: object) -> RenderedBook:
    return render(Book.single(read_story(FERRY)), load_theme(theme, dict(options)))


def anthology(theme: str = "default") -> RenderedBook:
    spec = load_spec(SAMPLES / "anthology" / "anthology.toml")
    stories = read_stories([e.path for e in spec.stories], None, cache=False)
    return render(assemble(spec, stories), load_theme(theme))


@pytest.mark.parametrize("theme", THEMES)
def test_every_theme_meets_amazons_requirements(theme: str) -> None:
    assert kindle_problems(story_book(theme)) == []
    assert kindle_problems(anthology(theme)) == []
    # Fonts go in only when asked, and then they are no problem.
    assert kindle_problems(story_book(theme, embed_fonts=True), fonts_asked=True) == []


def test_the_check_finds_what_kindle_rejects(tmp_path: Path) -> None:
    theme = tmp_path / "loud"
    (theme / "css").mkdir(parents=True)
    (theme / "theme.toml").write_text('name = "loud"\ninherit = "default"\n')
    (theme / "css" / "theme.css").write_text(
        "body { font-size: 12px; color: #000; }\n"
        "@font-face { font-family: X; src: url(x.otf); }\n"
        "aside { position: fixed; }\n")
    book = render(Book.single(read_story(FERRY)), load_theme(str(theme)))
    found = " | ".join(kindle_problems(book))
    for rule in ("dark mode", "fixed size", "@font-face", "positioning"):
        assert rule in found
    huge = Asset("images/map.png", "image/png", b"\0" * (MAX_IMAGE_BYTES + 1))
    no_toc = replace(story_book(), toc=(), assets=(*story_book().assets, huge))
    problems = kindle_problems(no_toc, size=60 * 2**20)
    assert sum("no contents entry" in p for p in problems) == 2
    assert any("images/map.png" in p and "5 MB" in p for p in problems)
    assert any("Send to Kindle" in p for p in problems)


def test_kindle_contents_are_two_levels_with_every_entry_in_order() -> None:
    book = anthology()

    def flat(entries: tuple) -> list[str]:
        return [h for e in entries for h in (e.href, *flat(e.children))]

    def depth(entries: tuple) -> int:
        return 1 + max(depth(e.children) for e in entries) if entries else 0

    assert depth(book.toc) == 3
    kindle = two_level_contents(book)
    assert depth(kindle.toc) == 2
    assert flat(kindle.toc) == flat(book.toc)
    assert two_level_contents(story_book()) == story_book()


@needs_calibre
def test_azw3_builds_with_calibre(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(FERRY), "-f", "azw3,epub", "-o",
                                      str(tmp_path)])
    assert result.exit_code == 0, result.output
    azw3 = tmp_path / "The Night Ferry - slow_tide_writes.azw3"
    data = azw3.read_bytes()
    assert data[60:68] == b"BOOKMOBI"  # a MOBI container, as KF8 is
    meta = subprocess.run(["ebook-meta", str(azw3)], capture_output=True, text=True,
                          check=True).stdout
    assert "The Night Ferry" in meta and "slow_tide_writes" in meta
    # Its text is the story's, all of it: calibre reads it back.
    text = tmp_path / "back.txt"
    subprocess.run(["ebook-convert", str(azw3), str(text)], capture_output=True, check=True)
    words = text.read_text(encoding="utf-8")
    assert "The quay lights came out of the fog one by one" in words
    assert "“I won’t,” she agreed, and stepped ashore." in words
    with zipfile.ZipFile(tmp_path / "The Night Ferry - slow_tide_writes.epub") as z:
        assert "mimetype" in z.namelist()


def test_without_calibre_azw3_is_one_clear_line(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = CliRunner().invoke(cli, ["build", str(FERRY), "-f", "azw3", "-o",
                                      str(tmp_path / "out")])
    assert result.exit_code == 4
    line = result.output.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "apt-get install calibre" in line and "calibre-ebook.com/download" in line
    assert not any((tmp_path / "out").glob("*.azw3"))
