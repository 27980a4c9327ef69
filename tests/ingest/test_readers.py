"""Readers for AO3 HTML, saved pages, Markdown, DOCX and EPUB: golden models, EPUBCheck 0/0,
title pages that show every field, lossless round trips of ficbook's own EPUBs.

Golden files: tests/ingest/cases/<name>/expected.json is `ficbook info --json` of the input.
`FICBOOK_UPDATE_GOLDEN=1 python -m pytest tests/ingest/test_readers.py` rewrites them; review the diff.
"""

from __future__ import annotations

import html
import json
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT, SAMPLES
from validate import epubcheck_many
from wordfiles import make_styled_docx

from ficbook import build
from ficbook.cli import cli
from ficbook.ingest import detect_format, read_story
from ficbook.model import Story
from ficbook.theme.render import TITLE_PAGE_FIELDS

CASES = ROOT / "tests" / "ingest" / "cases"
UPDATE = os.environ.get("FICBOOK_UPDATE_GOLDEN") == "1"
# Fixture folders under tests/fixtures/epub/ (case "epub-<name>") and the reader each gets.
EPUB_TOOL_CASES = {"fichub-the-paper-lanterns": "epub", "webtoepub-the-tide-clock": "epub",
                   "ao3dl-salt-and-starlight": "epub", "epubmerge-winter-orchard": "epub/epubmerge"}


def zip_folder(src: Path, target: Path) -> Path:
    """An EPUB from a fixture folder: mimetype first and stored, as the spec asks."""
    with zipfile.ZipFile(target, "w") as z:
        z.write(src / "mimetype", "mimetype", compress_type=zipfile.ZIP_STORED)
        for p in sorted(src.rglob("*")):
            if p.is_file() and p.name != "mimetype":
                z.write(p, p.relative_to(src).as_posix(), compress_type=zipfile.ZIP_DEFLATED)
    return target


def make_docx(target: Path) -> Path:
    """A contributor's Word file: a header block, headings as chapters, italics and bold."""
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.core_properties.author = "Microsoft Office User"
    for line in ("Title: Letters from the Lock-Keeper", "Author: canal_rat",
                 "Fandom: Waterways (Original Work)", "Rating: G",
                 "Summary: Twelve letters, one canal, and a lock that never quite closes.",
                 "Prompt: “Write about a door that stays open.”"):
        doc.add_paragraph(line)
    doc.add_heading("The First Letter", level=1)
    p = doc.add_paragraph("Dear Ros, the lock is ")
    p.add_run("still").italic = True
    p.add_run(" leaking, and the heron has taken up residence on the gate again. ")
    p.add_run("I have named him Alderman.").bold = True
    doc.add_paragraph("The boats come through at their usual hour. Nobody asks after you, "
                      "which I take to mean everybody is thinking it.")
    doc.add_paragraph("* * *")
    doc.add_paragraph("P.S. The key is under the third flowerpot, as it always was.")
    doc.add_heading("The Last Letter", level=1)
    p = doc.add_paragraph("Dear Ros, I have stopped mending the gate. ")
    p.add_run("Some doors ought to stay open.").italic = True
    doc.add_paragraph("o0o0o0o")
    doc.add_paragraph("Come home by the towpath. Alderman will show you the way.")
    doc.save(str(target))
    return target


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every reader's fixtures, by case name (EPUBs and DOCX made here, from the fixtures)."""
    tmp = tmp_path_factory.mktemp("readers")
    found = {
        "ao3-the-orchard-accounts": FIXTURES / "ao3" / "the-orchard-accounts.html",
        "html-dw-saved-entry": FIXTURES / "html" / "dw-saved-entry.html",
        "html-ffn-chapter": FIXTURES / "html" / "ffn-chapter.html",
        "html-ffn-old-layout": FIXTURES / "html" / "ffn-old-layout.html",
        "html-ffn-current-layout": FIXTURES / "html" / "ffn-current-layout.html",
        "html-lj-entry": FIXTURES / "html" / "lj-entry.html",
        "html-dw-community-entry": FIXTURES / "html" / "dw-community-entry.html",
        "markdown-tidewater-front-matter": FIXTURES / "markdown" / "tidewater-front-matter.md",
        "markdown-lamplighter-header": FIXTURES / "markdown" / "lamplighter-header.md",
        "docx-letters-from-the-lock-keeper": make_docx(tmp / "letters-from-the-lock-keeper.docx"),
        "docx-styled-weir-keepers-almanac": make_styled_docx(tmp / "weir-keepers-almanac.docx"),
        "markdown-ember-road-site-front-matter":
            FIXTURES / "markdown" / "ember-road-site-front-matter.md",
        "markdown-harbourmaster-word-export": FIXTURES / "markdown" / "harbourmaster-word-export.md",
        "epub-fanficfare-the-night-market": zip_folder(
            FIXTURES / "epub" / "fanficfare-the-night-market", tmp / "the-night-market.epub"),
        "ao3-work-page-lighthouse-ledger": FIXTURES / "ao3" / "work-page-lighthouse-ledger.html",
        "ao3-work-body-first-frost": FIXTURES / "ao3" / "work-body-first-frost.html",
        "epub-ao3-salt-road": zip_folder(FIXTURES / "ao3" / "epub-download-salt-road",
                                         tmp / "The Salt Road _ Other Weathers.epub"),
    }
    # Other tools' EPUBs: FicHub, WebToEpub, an AO3 downloader, an EpubMerge anthology.
    for name in EPUB_TOOL_CASES:
        found[f"epub-{name}"] = zip_folder(FIXTURES / "epub" / name, tmp / f"{name}.epub")
    # ficbook's own books, built from a text post and from the AO3 download.
    found["epub-ficbook-cartographers-apprentice"] = build(
        [SAMPLES / "the-cartographers-apprentice.txt"], tmp / "cartographer.epub")[0]
    found["epub-ficbook-orchard-accounts"] = build(
        [found["ao3-the-orchard-accounts"]], tmp / "orchard.epub")[0]
    return found


def info_json(path: Path) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["info", "--json", str(path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    data["source"] = path.name  # not the machine's temp folder
    return data


CASE_NAMES = sorted(p.name for p in CASES.iterdir()) if CASES.is_dir() and not UPDATE else []


def test_golden_models(inputs: dict[str, Path]) -> None:
    """`ficbook info --json` of every fixture matches its reviewed expected.json."""
    mismatched = []
    for name, path in inputs.items():
        expected_file = CASES / name / "expected.json"
        got = info_json(path)
        if UPDATE or not expected_file.is_file():
            expected_file.parent.mkdir(parents=True, exist_ok=True)
            expected_file.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n")
            continue
        if json.loads(expected_file.read_text()) != got:
            mismatched.append(name)
    assert mismatched == [], f"golden mismatch (FICBOOK_UPDATE_GOLDEN=1 to rewrite): {mismatched}"
    assert set(CASE_NAMES) <= set(inputs), "a golden case has no input any more"


def test_formats_are_detected_by_suffix_then_content(inputs: dict[str, Path],
                                                     tmp_path: Path) -> None:
    readers = {name: read_story(path).reader for name, path in inputs.items()}
    assert readers == {
        "ao3-the-orchard-accounts": "ao3",
        "html-dw-saved-entry": "html",
        "html-ffn-chapter": "html/ffn",
        "html-ffn-old-layout": "html/ffn",
        "html-ffn-current-layout": "html/ffn",
        "html-lj-entry": "html/journal",
        "html-dw-community-entry": "html/journal",
        "markdown-tidewater-front-matter": "markdown",
        "markdown-lamplighter-header": "markdown",
        "docx-letters-from-the-lock-keeper": "docx",
        "docx-styled-weir-keepers-almanac": "docx",
        "markdown-ember-road-site-front-matter": "markdown",
        "markdown-harbourmaster-word-export": "markdown",
        "epub-fanficfare-the-night-market": "epub/fanficfare",
        "epub-ficbook-cartographers-apprentice": "epub/ficbook",
        "epub-ficbook-orchard-accounts": "epub/ficbook",
        **{f"epub-{name}": reader for name, reader in EPUB_TOOL_CASES.items()},
        "ao3-work-page-lighthouse-ledger": "ao3/page",
        "ao3-work-body-first-frost": "ao3/page",
        "epub-ao3-salt-road": "epub/ao3",
    }
    # Content wins over a misleading or missing suffix.
    renamed = tmp_path / "download.htm"
    renamed.write_bytes(inputs["ao3-the-orchard-accounts"].read_bytes())
    assert detect_format(renamed) == "ao3"
    front = tmp_path / "notes.txt"
    front.write_bytes(inputs["markdown-tidewater-front-matter"].read_bytes())
    assert detect_format(front) == "markdown"
    bare = tmp_path / "book"
    bare.write_bytes(inputs["epub-fanficfare-the-night-market"].read_bytes())
    assert detect_format(bare) == "epub"
    assert detect_format(SAMPLES / "lanterns-at-low-tide.txt") == "text"
    heading = tmp_path / "heading.txt"
    heading.write_text("Some words first.\n\n## Chapter One\n\nThe tide.\n")
    assert detect_format(heading) == "markdown"  # a `## ` heading on any line
    heading.write_text("Some words first.\n\n#### Too deep\n\n#hashtag\n")
    assert detect_format(heading) == "text"
    # --from overrides detection.
    forced = read_story(inputs["ao3-the-orchard-accounts"], "html")
    assert forced.reader == "html"


def test_ao3_download_keeps_metadata_and_drops_boilerplate(inputs: dict[str, Path]) -> None:
    story = read_story(inputs["ao3-the-orchard-accounts"])
    m = story.metadata
    assert m.source_url == "https://archiveofourown.org/works/90000001"
    assert m.series == "Seasons at Hearthstead" and m.series_index == 2
    assert ("Collections", "Autumn Swap 2021, Quiet Fics Archive") in m.extra
    assert m.rating == "Teen And Up Audiences" and m.status == "Completed"
    assert m.published == "2021-10-02" and m.updated == "2021-11-20" and m.word_count == 412
    assert [c.title for c in story.chapters] == [
        "Chapter 1: Windfall", "Chapter 2: The Second Column", "Chapter 3"]
    first, second, third = story.chapters
    assert "very large number of pears" in first.summary and "Fences" in first.end_notes
    assert "remembered death" in second.notes and third.summary and third.end_notes
    assert "<del>interest</del>" in second.body  # <strike> mapped to valid XHTML
    everything = json.dumps(info_json(inputs["ao3-the-orchard-accounts"]))
    for boilerplate in ("Posted originally", "drop by the Archive", "See the end of",
                        "Chapter Text", "color", "font-size", "Courier"):
        assert boilerplate not in everything


def test_scene_breaks_in_html_are_never_headings(inputs: dict[str, Path]) -> None:
    for name in ("html-dw-saved-entry", "ao3-the-orchard-accounts", "markdown-tidewater-"
                 "front-matter", "docx-letters-from-the-lock-keeper",
                 "epub-fanficfare-the-night-market"):
        story = read_story(inputs[name])
        titles = " ".join(c.title for c in story.chapters)
        bodies = "".join(c.body for c in story.chapters)
        assert "o0o" not in titles + bodies and "~~~" not in bodies and "◇" not in bodies
        assert "* * *" not in bodies and "xXx" not in bodies
        assert '<hr class="scene-break"/>' in bodies, name


def test_saved_page_drops_site_chrome(inputs: dict[str, Path]) -> None:
    story = read_story(inputs["html-dw-saved-entry"])
    text = json.dumps(info_json(inputs["html-dw-saved-entry"]))
    for chrome in ("Recent Entries", "Read more", "12 comments", "cry on the bus", "Powered by",
                   "Memories", "trackVisit"):
        assert chrome not in text
    assert [c.title for c in story.chapters] == ["Part One", "Part Two"]
    assert story.end_mark == "The End"
    assert ("Mood music", "sea shanties on repeat") in story.metadata.extra
    assert '<span class="smallcaps">' in story.chapters[0].body
    ffn = read_story(inputs["html-ffn-chapter"])
    assert ffn.metadata.authors == ("origami-ensign",) and ffn.metadata.rating == "K+"
    assert "Advertisement" not in json.dumps(info_json(inputs["html-ffn-chapter"]))


def test_docx_header_headings_and_emphasis(inputs: dict[str, Path]) -> None:
    story = read_story(inputs["docx-letters-from-the-lock-keeper"])
    assert story.metadata.title == "Letters from the Lock-Keeper"
    assert story.metadata.authors == ("canal_rat",)  # not Word's "Microsoft Office User"
    assert [c.title for c in story.chapters] == ["The First Letter", "The Last Letter"]
    assert "<em>still</em>" in story.chapters[0].body
    assert "<strong>I have named him Alderman.</strong>" in story.chapters[0].body


def normalised(story: Story) -> Story:
    """The story itself: not where it was read from, nor how (each reader says its own notes)."""
    return replace(story, source=None, reader="", reader_notes=())


@pytest.mark.parametrize("source", [
    SAMPLES / "the-cartographers-apprentice.txt",
    SAMPLES / "lanterns-at-low-tide.txt",
    FIXTURES / "posts" / "variants-bold-html.txt",
    FIXTURES / "ao3" / "the-orchard-accounts.html",
    FIXTURES / "html" / "dw-saved-entry.html",
    FIXTURES / "markdown" / "tidewater-front-matter.md",
])
def test_ficbook_epubs_read_back_losslessly(source: Path, tmp_path: Path) -> None:
    original = read_story(source)
    [epub] = build([source], tmp_path / "book.epub")
    again = read_story(epub)
    assert again.reader == "epub/ficbook"
    assert normalised(again) == normalised(original)
    # ...and the book rebuilt from the book is the same book.
    [rebuilt] = build([epub], tmp_path / "again.epub")
    assert rebuilt.read_bytes() == epub.read_bytes()


def test_every_format_builds_a_valid_epub_with_every_field_on_the_title_page(
        inputs: dict[str, Path], tmp_path: Path) -> None:
    books = {name: build([path], tmp_path / f"{name}.epub")[0] for name, path in inputs.items()}
    missing: dict[str, list[str]] = {}
    for name, book in books.items():
        story = read_story(inputs[name])
        with zipfile.ZipFile(book) as z:
            page = html.unescape(z.read("EPUB/text/story-title.xhtml").decode())
        shown = []
        for field, _label in TITLE_PAGE_FIELDS:
            value = getattr(story.metadata, field)
            if field == "language" and value == "en":
                continue
            shown += list(value) if isinstance(value, tuple) else [str(value)] if value else []
        shown += [v for kv in story.metadata.extra for v in kv]
        if story.metadata.word_count is not None:
            shown.append(f"{story.metadata.word_count:,}")
        missing[name] = [v for v in shown if v not in page]
    assert {k: v for k, v in missing.items() if v} == {}
    problems = {p.name: found for p, found in epubcheck_many(list(books.values())).items()
                if found}
    assert problems == {}


def ao3_epub(html_path: Path, target: Path) -> Path:
    """AO3's EPUB layout, made from the HTML download: preface, one file per chapter,
    afterword, each a complete XHTML page, with an EPUB 2 OPF as AO3 writes it."""
    import lxml.html

    doc = lxml.html.parse(str(html_path)).getroot()
    pieces: list[list[object]] = [[doc.get_element_by_id("preface")]]
    for child in doc.get_element_by_id("chapters"):
        if isinstance(child.tag, str) and "group" in child.get("class", ""):
            pieces.append([])
        if isinstance(child.tag, str):
            pieces[-1].append(child)
    pieces.append([doc.get_element_by_id("afterword")])
    names = ["preface.xhtml"] + [f"chapter_{n}.xhtml" for n in range(1, len(pieces) - 1)] + [
        "afterword.xhtml"]
    files: dict[str, str] = {}
    for name, els in zip(names, pieces, strict=True):
        inner = "".join(lxml.html.tostring(el, encoding="unicode", method="xml") for el in els)
        files[f"OEBPS/{name}"] = ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns='
                                  f'"http://www.w3.org/1999/xhtml"><head><title>{name}</title>'
                                  f"</head><body>{inner}</body></html>")
    items = "".join(f'<item id="i{n}" href="{name}" media-type="application/xhtml+xml"/>'
                    for n, name in enumerate(names))
    refs = "".join(f'<itemref idref="i{n}"/>' for n in range(len(names)))
    files["OEBPS/content.opf"] = (
        '<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" '
        'version="2.0" unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/'
        '1.1/" xmlns:opf="http://www.idpf.org/2007/opf"><dc:title>The Orchard Accounts'
        '</dc:title><dc:creator opf:role="aut">windfall_pears</dc:creator><dc:publisher>'
        'Archive of Our Own</dc:publisher><dc:identifier id="id">https://archiveofourown.org/'
        f'works/90000001</dc:identifier><dc:language>en</dc:language></metadata><manifest>'
        f'{items}</manifest><spine>{refs}</spine></package>')
    files["META-INF/container.xml"] = (
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:'
        'xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type='
        '"application/oebps-package+xml"/></rootfiles></container>')
    with zipfile.ZipFile(target, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for name, text in files.items():
            z.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
    return target


def test_ao3_epub_reads_like_the_html_download(inputs: dict[str, Path], tmp_path: Path) -> None:
    html_path = inputs["ao3-the-orchard-accounts"]
    story = read_story(ao3_epub(html_path, tmp_path / "orchard-ao3.epub"))
    assert story.reader == "epub/ao3"
    assert normalised(story) == normalised(read_story(html_path))
