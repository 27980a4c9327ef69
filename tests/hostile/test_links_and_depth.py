"""Links, deep nesting and odd void tags from saved pages: one link policy, no text lost."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from validate import epubcheck_messages

from ficbook import build, read_story
from ficbook.options import BuildOptions
from ficbook.xhtml.sanitize import clean, external_href

pytestmark = pytest.mark.usefixtures("no_network")

# What saved pages carry: site-relative and parent links, queries, other schemes, and
# javascript: hidden behind an entity, a tab or a newline inside the scheme.
HOSTILE_LINKS = [
    "users/someone/pseuds/someone", "../", "/get_fandom_quicksearch.cgi?Fandom=X%20Y",
    "?page=2", "file:///etc/passwd", "data:text/html,<b>hi</b>",
    "jav&#x09;ascript:alert(1)", "java&#10;script:alert(1)", "jav\tascript:alert(2)",
    "&#106;avascript:alert(3)", " JaVaScRiPt:alert(4)", "vbscript:msgbox(1)", "//evil.example/x",
    "http:/no-host", "mailto:",
]
# Anchors the page had but the book does not: kept by the sanitizer, dropped by the theme.
LINKS_TO_NOTHING = ["#comments", "#", "#%20"]
# Web addresses written badly: kept as valid links (escaped, the host in punycode) or dropped.
ODD_WEB_LINKS = ["http://example.com/a%zzb", "http://example.com/#a#b", "http://example.com/[x]",
                 "http://a@b@c/", "http://bank.example@evil.example/", "http://ексампл.рф/путь",
                 "http://example.com:99999/", "http://[::1/"]
KEPT_LINKS = {"https://example.org/works/1": "https://example.org/works/1",
              "http://example.org/a page": "http://example.org/a%20page",
              "mailto:writer@example.org": "mailto:writer@example.org"}


@pytest.mark.parametrize("href", HOSTILE_LINKS)
def test_a_link_that_is_not_web_or_mail_keeps_its_words_and_loses_its_link(href: str) -> None:
    out = clean(f'<p>Read <a href="{href}">the next part</a> here.</p>')
    assert out == "<p>Read the next part here.</p>"


@pytest.mark.parametrize(("href", "kept"), KEPT_LINKS.items())
def test_web_and_mail_links_stay_links(href: str, kept: str) -> None:
    assert external_href(href) == kept
    assert f'href="{kept}"' in clean(f'<p><a href="{href}">there</a></p>')


STORY = "".join(f"<p>{line}</p>" for line in (
    "The night ferry crossed the bay twice, whatever the weather, and Ines crossed with it.",
    "She knew every rivet of the rail by now, and every passenger by the way they stood.",
    "Tonight there was only the old man with the birdcage, and the cage was empty.",
    "He said the bird had flown at the harbour mouth. She said birds came back. He smiled."))


def page(body: str) -> str:
    """A journal entry: a story with the hostile markup in the middle of it."""
    return ("<html><head><title>Night Ferry - a journal</title></head><body>"
            f'<div class="entry-content">{STORY}{body}{STORY}</div></body></html>')


def test_a_book_from_a_page_full_of_hostile_links_passes_epubcheck(tmp_path: Path) -> None:
    links = " ".join(f'<a href="{h}">link {n}</a>'
                     for n, h in enumerate(HOSTILE_LINKS + ODD_WEB_LINKS + LINKS_TO_NOTHING))
    source = tmp_path / "ferry.html"
    source.write_text(page(f"<p>The ferry left at nine, as it always did. {links}</p>"
                           "<p>Read more at http://dw.example/3506.h<wbr>tml, or don't.</p>"))
    epub = build([source], tmp_path / "out", BuildOptions(formats=("epub",)))[0]
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert "javascript" not in text.lower() and 'href="../"' not in text
    last = len(HOSTILE_LINKS + ODD_WEB_LINKS + LINKS_TO_NOTHING) - 1
    assert "link 0" in text and f"link {last}</p>" in text and 'href="#' not in text
    assert 'href="http://xn--80ajpfesl.xn--p1ai/' in text and "evil.example" not in text
    assert "3506.h<wbr/>tml" in text


def test_no_pdf_link_points_at_a_file(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    links = " ".join(f'<a href="{h}">link {n}</a>' for n, h in enumerate(HOSTILE_LINKS))
    source = tmp_path / "ferry.html"
    source.write_text(page(f"<p>The ferry left at nine. {links} "
                           '<a href="https://example.org/ferry">timetable</a></p>'))
    pdf = build([source], tmp_path / "out", BuildOptions(formats=("pdf",)))[0]
    uris = [annot.get_object().get("/A", {}).get("/URI")
            for p in pypdf.PdfReader(pdf).pages for annot in p.get("/Annots") or []]
    assert "https://example.org/ferry" in uris
    assert not [u for u in uris if u and not str(u).startswith(("https:", "http:", "mailto:"))]


@pytest.mark.parametrize("depth", [300, 1000, 1500, 3000, 20000])
def test_text_after_markup_nested_past_any_limit_is_kept_in_order(
        tmp_path: Path, depth: int) -> None:
    nested = "<div><span>" * depth + "the deep middle" + "</span></div>" * depth
    source = tmp_path / "deep.html"
    source.write_text(page("<p>The ferry left at nine, as it always did on Thursdays.</p>"
                           f"{nested}<p>The last line, after all that.</p>"))
    text = " ".join(c.body for c in read_story(source).chapters)
    assert text.index("left at nine") < text.index("the deep middle") < text.index("last line")


def test_links_inside_the_story_reach_their_notes_across_chapters(tmp_path: Path) -> None:
    source = tmp_path / "ledger.html"
    source.write_text(
        "<html><head><title>The Ledger</title></head><body><article>"
        "<h2>One</h2><p>The keeper wrote every ship down.<a href='#fn1' id='r1'>[1]</a> "
        "Even the <a href='#nowhere'>lost ones</a>, and <a href='#top'>back up</a>.</p>"
        "<p id='r1'>A second anchor of the same name.</p>"
        "<h2>Notes</h2><p><a name='fn1'></a>[1] Ships that never came close enough to "
        "wave. <a href='#r1'>Back</a></p></article></body></html>", encoding="utf-8")
    epub = build([source], tmp_path / "out", BuildOptions(formats=("epub",)))[0]
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as z:
        one = z.read("EPUB/text/story-c001.xhtml").decode()
        notes = z.read("EPUB/text/story-c002.xhtml").decode()
    assert '<a href="story-c002.xhtml#n-fn1" id="n-r1">[1]</a>' in one
    assert "Even the lost ones, and back up." in one
    assert '<a id="n-fn1"/>' in notes and '<a href="story-c001.xhtml#n-r1">Back</a>' in notes
