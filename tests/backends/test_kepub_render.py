"""A KEPUB page in a real browser laid out as a Kobo lays it out: columns of one screen each.

Chromium (headless) opens the page with a Kobo-like pagination style on div#book-columns and
a script that measures, then writes what it found into the page; --dump-dom hands it back.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLES

from ficbook import build
from ficbook.options import BuildOptions
from ficbook.theme import builtin_themes_dir

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed "
                                                        "(.ci/run installs Debian's chromium)")
THEMES = sorted(p.name for p in builtin_themes_dir().iterdir() if (p / "theme.toml").is_file())
WIDTH, HEIGHT = 480, 640  # CSS pixels of one screen, a small Kobo's shape

# What Kobo's reader does to a KEPUB page: the outer div becomes columns a screen wide.
PAGINATE = (f"html, body {{ margin: 0; padding: 0; height: {HEIGHT}px; }} "
            f"div#book-columns {{ height: {HEIGHT}px; column-width: {WIDTH}px; column-gap: 0; "
            "column-fill: auto; }")
MEASURE = """
window.addEventListener('load', function () {
  var columns = document.getElementById('book-columns');
  var spans = Array.prototype.slice.call(document.querySelectorAll('span.koboSpan'));
  var found = {pages: Math.round(columns.scrollWidth / WIDTH), spans: []};
  spans.forEach(function (span) {
    // A picture's span is measured by its picture (the span's own box is the line's text).
    var shape = span.querySelector('img') || span;
    var style = getComputedStyle(span), rects = shape.getClientRects(), inside = true;
    for (var i = 0; i < rects.length; i++) {
      if (rects[i].top < -1 || rects[i].bottom > HEIGHT + 1) { inside = false; }
    }
    found.spans.push({id: span.id, text: span.textContent, rects: rects.length,
      shown: style.visibility === 'visible' && style.display !== 'none'
             && style.opacity !== '0' && style.color !== 'rgba(0, 0, 0, 0)',
      inside: inside});
  });
  var out = document.createElementNS('http://www.w3.org/1999/xhtml', 'pre');
  out.id = 'measured';
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
});
""".replace("WIDTH", str(WIDTH)).replace("HEIGHT", str(HEIGHT))


def kepub_folder(story: Path, theme: str, folder: Path) -> Path:
    (book,) = build([story], folder, BuildOptions(formats=("kepub",), theme=theme))
    with zipfile.ZipFile(book) as z:
        z.extractall(folder / "unzipped")
    return folder / "unzipped" / "EPUB" / "text"


def measure(page: Path) -> dict:
    """Open `page` in Chromium as a Kobo would paginate it; what the script measured."""
    xhtml = page.read_text(encoding="utf-8")
    injected = (f'<style>{PAGINATE}</style><script><![CDATA[{MEASURE}]]></script></head>')
    shown = page.with_name("kobo-" + page.name)
    shown.write_text(xhtml.replace("</head>", injected, 1), encoding="utf-8")
    done = subprocess.run(
        [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={page.parent / 'profile'}", f"--window-size={WIDTH},{HEIGHT}",
         "--virtual-time-budget=5000", "--dump-dom", shown.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&lt;", "<")
                      .replace("&gt;", ">").replace("&amp;", "&"))


def spans_in(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), re.sub(r"<[^>]+>", "", m.group(2))) for m in re.finditer(
        r'<span class="koboSpan" id="([^"]+)">(.*?)</span>', page.read_text(), re.S)]


@pytest.mark.parametrize("theme", THEMES)
def test_every_themes_kepub_paginates_and_shows_every_span(theme: str, tmp_path: Path) -> None:
    pages = kepub_folder(FIXTURES / "kepub" / "the-night-ferry.txt", theme, tmp_path)
    for name in ("story-c001.xhtml", "cover.xhtml"):
        found = measure(pages / name)
        # Every span is laid out, visible, within one screen's height: columns, not a scroll.
        assert [(s["id"], s["text"]) for s in found["spans"]] == [
            (i, t.replace("&amp;", "&")) for i, t in spans_in(pages / name)]
        assert all(s["rects"] > 0 and s["shown"] and s["inside"] for s in found["spans"]), [
            s for s in found["spans"] if not (s["rects"] and s["shown"] and s["inside"])]
        if name == "story-c001.xhtml":
            assert found["pages"] > 1  # a chapter of 600 words is several screens


def test_a_long_chapter_is_many_screens(tmp_path: Path) -> None:
    pages = kepub_folder(SAMPLES / "the-cartographers-apprentice.txt", "default", tmp_path)
    found = measure(pages / "story-c002.xhtml")
    assert found["pages"] >= 5
    assert all(s["rects"] > 0 and s["shown"] and s["inside"] for s in found["spans"])
