"""Books built from text posts: EPUBCheck 0/0, complete metadata, reproducible bytes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.etree as etree
import pytest
from conftest import FIXTURES, SAMPLES, SEED_POST
from validate import epubcheck_many

from ficbook import build

OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
INPUTS = sorted(SAMPLES.glob("*.txt")) + sorted((FIXTURES / "posts").glob("*.txt"))


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("books")
    sources = INPUTS + ([SEED_POST] if SEED_POST.is_file() else [])
    return {src.name: build([src], out / f"{src.stem}.epub")[0] for src in sources}


def read(epub: Path, name: str) -> str:
    with zipfile.ZipFile(epub) as z:
        return z.read(name).decode()


def opf(epub: Path) -> etree._Element:
    return etree.fromstring(read(epub, "EPUB/content.opf").encode())


def test_every_book_passes_epubcheck_with_no_errors_or_warnings(books: dict[str, Path]) -> None:
    results = epubcheck_many(list(books.values()))
    problems = {path.name: found for path, found in results.items() if found}
    assert problems == {}


def test_seed_book_metadata_and_title_page(seed_post: Path, books: dict[str, Path]) -> None:
    epub = books[seed_post.name]
    root = opf(epub)
    assert root.findtext(".//dc:title", namespaces=OPF) == "Leaving, Not Running Away"
    assert root.findtext(".//dc:creator", namespaces=OPF) == "badly_knitted"
    assert root.findtext(".//dc:subject", namespaces=OPF) == "BtVS"
    assert root.findtext(".//dc:description", namespaces=OPF).startswith("Buffy can’t stay")
    assert root.findtext(".//dc:language", namespaces=OPF) == "en"
    title_page = read(epub, "EPUB/text/story-title.xhtml")
    assert "Buffy can’t stay in Sunnydale" in title_page
    assert "I don’t own BtVS, or the characters" in title_page
    assert "Challenge 303: Amnesty at fan_flashworks" in title_page
    chapter = read(epub, "EPUB/text/story-c001.xhtml")
    assert "Title:" not in chapter and "Disclaimer" not in chapter
    assert chapter.index("The portal was closed") < chapter.index("learn to live again")
    assert '<p class="end-mark">The End</p>' in chapter


def test_opf_carries_identifier_modified_accessibility_and_cover(books: dict[str, Path]) -> None:
    root = opf(books["lanterns-at-low-tide.txt"])
    assert root.findtext(".//dc:identifier", namespaces=OPF).startswith("urn:uuid:")
    props = {m.get("property") for m in root.iterfind(".//opf:meta", OPF)}
    assert {"dcterms:modified", "schema:accessMode", "schema:accessibilityFeature",
            "schema:accessibilityHazard", "schema:accessibilitySummary"} <= props
    cover = root.find(".//opf:item[@properties='cover-image']", OPF)
    assert cover is not None and cover.get("media-type") == "image/png"
    with zipfile.ZipFile(books["lanterns-at-low-tide.txt"]) as z:
        names = z.namelist()
    assert names[0] == "mimetype" and "EPUB/toc.ncx" in names and "EPUB/nav.xhtml" in names
    nav = read(books["lanterns-at-low-tide.txt"], "EPUB/nav.xhtml")
    assert 'epub:type="landmarks"' in nav and 'epub:type="bodymatter"' in nav


# epub:type values with a DPUB-ARIA role of their own: accessibility checkers (DAISY Ace) want
# the role beside the type on the same element.
DPUB_ROLES = {"chapter": "doc-chapter", "part": "doc-part", "colophon": "doc-colophon",
              "toc": "doc-toc", "foreword": "doc-foreword", "afterword": "doc-afterword",
              "introduction": "doc-introduction", "acknowledgments": "doc-acknowledgments",
              "dedication": "doc-dedication", "epigraph": "doc-epigraph",
              "endnotes": "doc-endnotes", "footnote": "doc-footnote"}


def test_package_language_and_roles_for_accessibility_checkers(books: dict[str, Path]) -> None:
    epub = books["the-cartographers-apprentice.txt"]
    assert opf(epub).get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    typed = "{http://www.idpf.org/2007/ops}type"
    seen = set()
    with zipfile.ZipFile(epub) as z:
        for name in z.namelist():
            if not name.endswith(".xhtml"):
                continue
            for el in etree.fromstring(z.read(name)).iter():
                for kind in (el.get(typed) or "").split():
                    # (the body takes no role; the landmarks' links name a type, they are not one)
                    if kind in DPUB_ROLES and not str(el.tag).endswith(("}body", "}a")):
                        seen.add(kind)
                        assert el.get("role") == DPUB_ROLES[kind], (name, kind)
    assert {"chapter", "colophon"} <= seen


def test_chapters_reach_nav_ncx_and_contents(books: dict[str, Path]) -> None:
    epub = books["the-cartographers-apprentice.txt"]
    nav, ncx = read(epub, "EPUB/nav.xhtml"), read(epub, "EPUB/toc.ncx")
    for title in ("Prologue", "Chapter One: The Salt Roads", "Chapter 2 - Ink and Weather",
                  "Epilogue"):
        assert title in nav and title in ncx
    contents = read(epub, "EPUB/text/contents.xhtml")
    assert contents.index("Prologue") < contents.index("Epilogue")
    title_page = read(epub, "EPUB/text/story-title.xhtml")
    assert "Soundtrack" in title_page and "Salt Roads, Paper Boats" in title_page
    assert "Mira/Tomas" in title_page


def test_declared_and_counted_words_shown_when_they_differ(books: dict[str, Path]) -> None:
    page = read(books["variants-bold-html.txt"], "EPUB/text/story-title.xhtml")
    assert "1,234 (ficbook counts 219)" in page


def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    src = SAMPLES / "the-cartographers-apprentice.txt"
    first = build([src], tmp_path / "a.epub")[0].read_bytes()
    second = build([src], tmp_path / "b.epub")[0].read_bytes()
    assert first == second


def identifier(epub: Path) -> str:
    opf = etree.fromstring(zipfile.ZipFile(epub).read("EPUB/content.opf"))
    return str(opf.findtext(".//dc:identifier", namespaces=OPF))


def test_a_corrected_or_updated_story_keeps_its_identifier(tmp_path: Path) -> None:
    # Readers (Kobo, Apple Books, calibre) know a book by its identifier: keeping it means a
    # rebuilt book replaces the old copy instead of sitting beside it.
    post = tmp_path / "post.txt"
    header = "Title: Salt Roads\nAuthor: gull_wing\nFandom: Harbour Lights\n\n"
    opening = ("The tide came in over the salt roads before dawn, the way it always did in "
               "the last week of the year, and the keeper counted the boats.")
    post.write_text(header + f"Chapter 1\n\n{opening}\n\nThe bell rnag twice.\n")
    first = identifier(build([post], tmp_path / "a.epub")[0])
    # The typo fixed, a chapter added, the file moved: the same book.
    post.unlink()
    post = tmp_path / "moved" / "salt-roads.txt"
    post.parent.mkdir()
    post.write_text(header + f"Chapter 1\n\n{opening}\n\nThe bell rang twice.\n\n"
                             "Chapter 2\n\nIt left.\n")
    assert identifier(build([post], tmp_path / "b.epub")[0]) == first

    other = tmp_path / "other.txt"
    other.write_text(header.replace("Salt Roads", "Salt Roads II") + "The tide came in.\n")
    second_work = identifier(build([other], tmp_path / "c.epub")[0])
    by_someone_else = tmp_path / "else.txt"
    by_someone_else.write_text(header.replace("gull_wing", "tern") + "The tide came in.\n")
    # Two ficlets both "Untitled", and a header whose Source: names the canon, not a URL.
    untitled = header.replace("Salt Roads", "Untitled") + "Source: Harbour Lights\n"
    (tmp_path / "one.txt").write_text(untitled + "\nA gull.\n")
    (tmp_path / "two.txt").write_text(untitled + "\nA tern.\n")
    ids = {first, second_work, identifier(build([by_someone_else], tmp_path)[0]),
           identifier(build([tmp_path / "one.txt"], tmp_path / "one.epub")[0]),
           identifier(build([tmp_path / "two.txt"], tmp_path / "two.epub")[0])}
    assert len(ids) == 5


def test_default_name_is_title_and_author(tmp_path: Path) -> None:
    [path] = build([SAMPLES / "lanterns-at-low-tide.txt"], tmp_path)
    assert path == tmp_path / "Lanterns at Low Tide - quiet_harbour.epub"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp files left behind
