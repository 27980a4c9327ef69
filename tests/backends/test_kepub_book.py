"""KEPUB books: valid EPUBs (EPUBCheck 0/0) whose spans hold every word once, in order."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest
from conftest import FIXTURES, SAMPLES
from lxml import etree
from validate import epubcheck_many

from ficbook import build
from ficbook.options import BuildOptions
from ficbook.theme import builtin_themes_dir

FERRY = FIXTURES / "kepub" / "the-night-ferry.txt"
GOLDEN = Path(__file__).parent / "kepub_golden"
XHTML = "{http://www.w3.org/1999/xhtml}"
_NOT_PROSE = {f"{XHTML}script", f"{XHTML}style", "{http://www.w3.org/2000/svg}svg",
              "{http://www.w3.org/1998/Math/MathML}math"}


def build_pair(story: Path, folder: Path, theme: str = "default") -> tuple[Path, Path]:
    """The story as an EPUB and as a KEPUB, side by side."""
    epub, kepub = build([story], folder, BuildOptions(formats=("epub", "kepub"), theme=theme))
    return epub, kepub


def pages(book: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(book) as z:
        return {n: z.read(n) for n in z.namelist() if n.startswith("EPUB/text/")}


def words(element: etree._Element) -> list[str]:
    """The words a reader sees in `element`, in order."""
    found: list[str] = []

    def walk(el: etree._Element) -> None:
        if el.tag in _NOT_PROSE:
            return
        found.extend((el.text or "").split())
        for child in el:
            if isinstance(child.tag, str):
                walk(child)
            found.extend((child.tail or "").split())

    walk(element)
    return found


def body(data: bytes) -> etree._Element:
    return etree.fromstring(data).find(f"{XHTML}body")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("kepub")
    made = {"ferry": build_pair(FERRY, out / "ferry"),
            "cartographer": build_pair(SAMPLES / "the-cartographers-apprentice.txt",
                                       out / "cartographer")}
    for folder in sorted(builtin_themes_dir().iterdir()):
        if folder.name != "default" and (folder / "theme.toml").is_file():
            made[f"ferry-{folder.name}"] = build_pair(FERRY, out / folder.name, folder.name)
    return made


def test_kepubs_of_every_theme_and_a_multi_chapter_sample_pass_epubcheck(
        books: dict[str, tuple[Path, Path]]) -> None:
    kepubs = [kepub for _, kepub in books.values()]
    assert all(k.name.endswith(".kepub.epub") for k in kepubs)
    assert {k.name: found for k, found in epubcheck_many(kepubs).items()} == {
        k.name: [] for k in kepubs}


def test_the_seed_kepub_passes_epubcheck(seed_post: Path, tmp_path: Path) -> None:
    (kepub,) = build([seed_post], tmp_path, BuildOptions(formats=("kepub",)))
    assert epubcheck_many([kepub]) == {kepub: []}
    assert all(b'class="koboSpan"' in page for name, page in pages(kepub).items()
               if "-c0" in name)


def test_spans_hold_every_word_exactly_once_in_order(
        books: dict[str, tuple[Path, Path]]) -> None:
    for epub, kepub in books.values():
        plain, kobo = pages(epub), pages(kepub)
        assert plain.keys() == kobo.keys()
        for name in plain:
            page = body(kobo[name])
            spans = page.iter(f"{XHTML}span")
            kobo_spans = [s for s in spans if s.get("class") == "koboSpan"]
            # Spans never nest, and outside them there is only space between the words.
            assert not any(s.getparent().get("class") == "koboSpan" for s in kobo_spans)
            in_spans = [w for s in kobo_spans for w in words(s)]
            assert in_spans == words(body(plain[name])), name
            # ids: Kobo's kobo.P.S, each once, counting up through the page.
            ids = [tuple(map(int, s.get("id").split(".")[1:])) for s in kobo_spans]
            assert ids == sorted(set(ids)), name
            assert all(s.get("id").startswith("kobo.") for s in kobo_spans)


def test_every_page_has_kobos_divs_and_its_one_style(
        books: dict[str, tuple[Path, Path]]) -> None:
    _, kepub = books["cartographer"]
    for name, data in pages(kepub).items():
        root = etree.fromstring(data)
        (columns,) = root.find(f"{XHTML}body")
        assert (columns.get("id"), [c.get("id") for c in columns]) == (
            "book-columns", ["book-inner"]), name
        styles = root.findall(f"{XHTML}head/{XHTML}style")
        assert [s.get("id") for s in styles] == ["kobostylehacks"], name


def test_the_cover_picture_is_in_a_span_of_its_own(books: dict[str, tuple[Path, Path]]) -> None:
    _, kepub = books["ferry"]
    cover = body(pages(kepub)["EPUB/text/cover.xhtml"])
    (img,) = cover.iter(f"{XHTML}img")
    assert img.getparent().get("class") == "koboSpan"
    assert img.getparent().get("id") == "kobo.1.1"


def test_golden_kepub_of_a_dialogue_heavy_story(books: dict[str, tuple[Path, Path]]) -> None:
    # The chapters' bodies, span for span (FICBOOK_UPDATE_GOLDEN=1 writes them anew; read the
    # diff before committing it).
    _, kepub = books["ferry"]
    for name in ("story-c001.xhtml", "story-c002.xhtml"):
        data = pages(kepub)[f"EPUB/text/{name}"].decode()
        found = re.search(r"<body.*</body>", data, re.S)
        assert found is not None
        golden = GOLDEN / name
        if os.environ.get("FICBOOK_UPDATE_GOLDEN"):
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(found.group(0) + "\n", encoding="utf-8")
        assert found.group(0) + "\n" == golden.read_text(encoding="utf-8"), name


def test_a_kepub_built_twice_is_the_same_bytes(tmp_path: Path) -> None:
    first = build([FERRY], tmp_path / "a", BuildOptions(formats=("kepub",), cache=False))
    again = build([FERRY], tmp_path / "b", BuildOptions(formats=("kepub",)))
    assert first[0].read_bytes() == again[0].read_bytes()


def test_output_names_say_which_format(tmp_path: Path) -> None:
    named = build([FERRY], tmp_path / "book.kepub.epub", BuildOptions(formats=("kepub", "epub")))
    assert sorted(p.name for p in named) == ["book.epub", "book.kepub.epub"]
