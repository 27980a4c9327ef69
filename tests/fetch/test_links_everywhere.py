"""Links go wherever story files go: an anthology.toml, a batch's list of links, and the list
of sites ficbook can fetch from. Pictures in fetched chapters stay out, their words kept."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLES
from pypdf import PdfReader
from sitekit import SiteCalls
from validate import epubcheck_messages

from ficbook.cli import cli

pytestmark = pytest.mark.usefixtures("no_network", "own_fetch_cache")


def test_an_anthology_mixes_files_and_links_into_epub_and_pdf(tmp_path: Path) -> None:
    (tmp_path / "harbour.txt").write_bytes((SAMPLES / "lanterns-at-low-tide.txt").read_bytes())
    (tmp_path / "anthology.toml").write_text("""
title = "Signals from the Shore"
editors = ["The Tidewatch Mods"]
formats = ["epub", "pdf"]
stories = [
  "harbour.txt",
  { path = "http://test1.com?sid=3", title = "Three, Retitled", position = 1 },
  "http://test1.com?sid=4",
]
""", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "anthology.toml"), "-o",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    epub = next((tmp_path / "out").glob("*.epub"))
    assert epubcheck_messages(epub) == []
    nav = zipfile.ZipFile(epub).read("EPUB/nav.xhtml").decode()
    order = [nav.index(t) for t in ("Three, Retitled", "Lanterns at Low Tide",
                                    "Test Story Title 4")]
    assert order == sorted(order)  # the pinned link first, then as listed
    pdf = PdfReader(epub.with_suffix(".pdf"))
    text = "".join(page.extract_text() for page in pdf.pages[:40]).replace("\x00", "")
    assert "Three, Retitled" in text and "Lanterns at Low Tide" in text


def test_an_anthology_names_a_bad_link_by_its_key(tmp_path: Path) -> None:
    (tmp_path / "anthology.toml").write_text(
        'title = "T"\nstories = ["http://test1.com?sid=666", "https://"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "anthology.toml")])
    assert result.exit_code == 3
    assert "stories[1]: 'https://': not a web address ficbook can fetch" in result.output


def test_a_batch_of_links_skips_what_is_up_to_date_and_goes_on_past_failures(
        tmp_path: Path, site_calls: SiteCalls) -> None:
    urls = tmp_path / "urls.txt"
    urls.write_text("# my reading list\nhttp://test1.com?sid=5\n\n"
                    "http://test1.com?sid=666   # deleted\nhttp://test1.com?sid=6\n",
                    encoding="utf-8")
    library = tmp_path / "library"
    runner = CliRunner()
    first = runner.invoke(cli, ["batch", str(urls), "-o", str(library)])
    assert first.exit_code == 5, first.output
    assert "2 built, 0 up to date (skipped), 1 failed" in first.output
    assert "http://test1.com?sid=666: no such work" in first.output
    assert sorted(p.name for p in library.glob("*.epub")) == [
        "Test Story Title 5 - Test Author aa.epub", "Test Story Title 6 - Test Author aa.epub"]
    chapters = len(site_calls.chapters)
    again = runner.invoke(cli, ["batch", str(urls), "-o", str(library)])
    assert "0 built, 2 up to date (skipped), 1 failed" in again.output
    assert len(site_calls.chapters) == chapters  # nothing but the works' pages asked


def test_sites_lists_fanficfare_s_sites() -> None:
    result = CliRunner().invoke(cli, ["sites"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) > 100
    assert any(line.startswith("archiveofourown.org ") for line in lines)
    some = CliRunner().invoke(cli, ["sites", "fanfiction.net"]).output
    assert "www.fanfiction.net  https://www.fanfiction.net/s/1234/1/" in some.splitlines()
    assert not any("archiveofourown" in line for line in some.splitlines())


def test_pictures_in_fetched_chapters_are_left_out_with_their_words(
        site_calls: SiteCalls) -> None:
    # sid=92's chapters hold pictures from other hosts; no_network proves none was fetched.
    result = CliRunner().invoke(cli, ["info", "--json", "http://test1.com?sid=92"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)["chapters"][1]["body"]
    assert "<img" not in body and body.count('<span class="image-placeholder">[image]</span>') == 4


def test_file_builds_never_load_fanficfare_nor_touch_the_network(tmp_path: Path) -> None:
    script = f"""
import socket, sys
def refuse(*a, **k):
    raise SystemExit("network touched")
socket.socket.connect = refuse
socket.create_connection = refuse
from ficbook.pipeline.build import build
build([{str(SAMPLES / 'lanterns-at-low-tide.txt')!r}], {str(tmp_path)!r})
build([{str(SAMPLES / 'anthology' / 'anthology.toml')!r}], {str(tmp_path / 'a')!r})
assert "fanficfare" not in sys.modules and "requests" not in sys.modules, "loaded"
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    assert proc.stdout.strip() == "ok", proc.stderr
