"""A 40-story anthology: EPUBCheck 0/0, nested contents, title pages, contributors, languages."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import lxml.etree as etree
import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from validate import epubcheck_many

from ficbook import build
from ficbook.cli import cli

FANDOMS = ("Tidewater", "The Meridian Chronicles", "Lantern Street", "Hollow Pines")
AUTHORS = tuple(f"writer_{n:02d}" for n in range(1, 13))
WORDS = ("The tide came in over the flats while the lanterns burned low and the bell rang "
         "once, far out, under the water. ")


def make_story(n: int) -> str:
    """Story n of the generated anthology: varied fandoms, authors, ratings, chapters."""
    fandom = FANDOMS[n % len(FANDOMS)]
    lines = [f"Title: Story Number {n:02d}", f"Author: {AUTHORS[n % len(AUTHORS)]}",
             f"Fandom: {fandom}", f"Rating: {('G', 'PG', 'PG-13', 'R')[n % 4]}",
             f"Written For: Prompt {n % 5 + 1} at test_fest",
             f"Summary: The summary of story {n}, which is about {fandom}.",
             f"Disclaimer: Disclaimer number {n}: everything here is invented."]
    if n == 7:
        lines.append("Language: Deutsch")
    body = [WORDS * 3]
    if n % 6 == 0:
        body = ["Chapter 1", WORDS * 2, "Chapter 2: The Second", WORDS * 2]
    return "\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n\nThe End\n"


def story_file(n: int) -> tuple[str, str]:
    """Mixed input formats: most stories are text posts, some Markdown, some HTML."""
    text = make_story(n)
    if n % 10 == 3:
        return ".md", text.replace("Chapter 1\n", "# Chapter 1\n").replace(
            "Chapter 2: The Second\n", "# Chapter 2: The Second\n")
    if n % 10 == 8:
        header, body = text.split("\n\n", 1)
        fields = "<br/>".join(f"<b>{k}:</b>{v}" for k, v in
                              (line.split(":", 1) for line in header.splitlines()))
        paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n") if p.strip())
        return ".html", (f"<html><head><title>Story Number {n:02d}</title></head><body>"
                         f"<p>{fields}</p>{paras}</body></html>")
    return ".txt", text


@pytest.fixture(scope="module")
def anthology(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("zine")
    (folder / "stories").mkdir()
    for n in range(1, 39):
        suffix, text = story_file(n)
        (folder / "stories" / f"story-{n:02d}{suffix}").write_text(text, encoding="utf-8")
    # A 39th story posted in two parts, with short headers on the second.
    (folder / "stories" / "long-walk-1.txt").write_text(
        "Title: The Long Walk (1/2)\nAuthor: writer_01\nFandom: Hollow Pines\n"
        "Summary: A walk in two parts.\nDisclaimer: Invented.\n\n" + WORDS + "\n\nTo be continued\n")
    (folder / "stories" / "long-walk-2.txt").write_text(
        "Title: The Long Walk (2/2)\nAuthor: writer_01\n\nContinued from Part 1\n\n" + WORDS)
    (folder / "foreword.md").write_text("# A Word First\n\nThank you, *everyone*.\n")
    (folder / "thanks.md").write_text("Our thanks to the mods.\n")
    (folder / "anthology.toml").write_text('''
title = "Test Fest 2026"
subtitle = "Forty Stories"
editors = ["The Mods", "Another Mod"]
description = "Everything from the fest."
date = "2026-03-01"
sort = "title"
group_by = "fandom"
stories = [
    "stories/*.*",
    "''' + str(SAMPLES / "lanterns-at-low-tide.txt") + '''",
    { path = "stories/story-05.txt", title = "Story Five, Retitled", position = 1 },
]
[front_matter]
foreword = "foreword.md"
[back_matter]
acknowledgements = { path = "thanks.md", title = "With Thanks" }
''', encoding="utf-8")
    [epub] = build([folder / "anthology.toml"], folder / "out")
    return epub


def read(epub: Path, name: str) -> str:
    with zipfile.ZipFile(epub) as z:
        return z.read(name).decode()


def names(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as z:
        return z.namelist()


def test_the_anthology_passes_epubcheck_and_is_named_for_its_editors(anthology: Path) -> None:
    assert anthology.name == "Test Fest 2026 - The Mods et al.epub"
    samples = SAMPLES / "anthology" / "anthology.toml"
    out = anthology.parent / "sample"
    built = build([samples], out)  # as the README's first command: the formats the file names
    assert sorted(p.suffix for p in built) == [".epub", ".pdf"]
    [sample] = [p for p in built if p.suffix == ".epub"]
    assert epubcheck_many([anthology, sample]) == {anthology: [], sample: []}


def test_nav_and_ncx_nest_sections_stories_chapters(anthology: Path) -> None:
    nav = read(anthology, "EPUB/nav.xhtml")
    toc = nav[:nav.index('epub:type="landmarks"')]
    sections = re.findall(r'<a href="text/part-\d+\.xhtml">([^<]+)</a>', toc)
    assert sections == ["Hollow Pines", "Lantern Street", "The Meridian Chronicles", "Tidewater"]
    assert toc.index("A Word First") < toc.index("Hollow Pines")
    assert toc.index("Tidewater") < toc.index("With Thanks") < toc.index("Contributors")
    # Story Five is pinned first; it sits in its fandom's section, first of the book.
    assert toc.index("Story Five, Retitled") < toc.index("Story Number 01")
    ncx = read(anthology, "EPUB/toc.ncx")
    # section > story > chapter: three levels of navPoint for a story with chapters.
    root = etree.fromstring(ncx.encode())
    ns = {"n": "http://www.daisy.org/z3986/2005/ncx/"}
    label = "n:navLabel/n:text/text()"
    [section] = root.xpath("//n:navMap/n:navPoint[n:navLabel/n:text='Tidewater']", namespaces=ns)
    [story] = section.xpath("n:navPoint[n:navLabel/n:text='Story Number 12']", namespaces=ns)
    assert story.xpath(f"n:navPoint/{label}", namespaces=ns) == ["Chapter 1",
                                                                 "Chapter 2: The Second"]
    contents = read(anthology, "EPUB/text/contents.xhtml")
    assert 'class="toc-section"' in contents and "writer_07" in contents


def test_every_story_title_page_shows_summary_and_disclaimer(anthology: Path) -> None:
    titles = [n for n in names(anthology) if re.search(r"text/s\d+-title\.xhtml$", n)]
    assert len(titles) == 40  # 38 stories, the two-part story as one, the sample
    for name in titles:
        page = read(anthology, name)
        assert 'class="summary"' in page and 'class="disclaimer"' in page, name


def test_parts_are_one_story_and_languages_are_kept(anthology: Path) -> None:
    pages = {n: read(anthology, n) for n in names(anthology) if n.startswith("EPUB/text/")}
    [walk] = [n for n, p in pages.items() if "<h1 class=\"title\" id=\"story-title\">The Long Walk"
              in p]
    prefix = walk.removesuffix("-title.xhtml")
    chapters = [pages[f"{prefix}-c001.xhtml"], pages[f"{prefix}-c002.xhtml"]]
    assert "Part 1" in chapters[0] and "Part 2" in chapters[1]
    assert not any("continued" in c.lower() for c in chapters)
    [german] = [n for n, p in pages.items() if "Story Number 07</h1>" in p]
    assert 'lang="de"' in pages[german]
    assert 'xml:lang="en"' in pages["EPUB/text/title.xhtml"]


def test_contributors_index_links_every_author_and_opf_lists_them(anthology: Path) -> None:
    page = read(anthology, "EPUB/text/contributors.xhtml")
    for author in (*AUTHORS, "quiet_harbour"):
        entry = page[page.index(f"<dt class=\"contributor\">{author}</dt>"):]
        assert entry.split("</dt>", 1)[1].lstrip().startswith("<dd><a href=\"../text/s"), author
    opf = read(anthology, "EPUB/content.opf")
    creators = re.findall(r'<dc:creator id="([^"]+)">([^<]+)', opf)
    assert {name for _, name in creators} == {*AUTHORS, "quiet_harbour", "The Mods",
                                              "Another Mod"}
    assert len({uid for uid, _ in creators}) == len(creators)
    assert opf.count(">edt</meta>") == 2
    for fandom in FANDOMS:
        assert f"<dc:subject>{fandom}</dc:subject>" in opf


def test_quick_anthology_from_the_command_line(tmp_path: Path) -> None:
    for n in (1, 2, 3):
        (tmp_path / f"{n}.txt").write_text(make_story(n))
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "1.txt"), str(tmp_path / "2.txt"),
                                      str(tmp_path / "3.txt"), "--title", "Flash Fics",
                                      "--editor", "The Mods", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    epub = tmp_path / "Flash Fics - The Mods.epub"
    assert result.output.strip() == str(epub)
    assert "Story Number 03" in read(epub, "EPUB/text/contents.xhtml")


def test_cli_options_given_override_the_file_and_unset_ones_do_not(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(make_story(1))
    (tmp_path / "anthology.toml").write_text('title = "T"\nstories = ["a.txt"]\n'
                                             'output = "from-file/"\n')
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(tmp_path / "anthology.toml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "from-file" / "T.epub").is_file()
    result = runner.invoke(cli, ["build", str(tmp_path / "anthology.toml"), "-o",
                                 str(tmp_path / "given.epub"), "--title", "Given"])
    assert result.exit_code == 0 and (tmp_path / "given.epub").is_file()
    assert "<dc:title>Given</dc:title>" in read(tmp_path / "given.epub", "EPUB/content.opf")


def test_config_problems_are_one_line_each_and_exit_3(tmp_path: Path) -> None:
    (tmp_path / "anthology.toml").write_text('titel = "T"\nstories = ["gone.txt"]\n')
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "anthology.toml")])
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines == [
        f"ficbook: error: {tmp_path / 'anthology.toml'}: titel: unknown key (did you mean "
        "'title'?)",
        f"ficbook: error: {tmp_path / 'anthology.toml'}: title: missing: every anthology needs "
        "a title",
        f"ficbook: error: {tmp_path / 'anthology.toml'}: stories[0]: 'gone.txt': no such file"]


def test_new_anthology_scaffolds_a_buildable_file(tmp_path: Path) -> None:
    for n in (1, 2):
        (tmp_path / f"story-{n}.txt").write_text(make_story(n))
    runner = CliRunner()
    result = runner.invoke(cli, ["new", "anthology", str(tmp_path)])
    assert result.exit_code == 0, result.output
    config = (tmp_path / "anthology.toml").read_text()
    assert '"story-1.txt",  # Story Number 01 by writer_02' in config
    assert "*Story Number 02* by writer\\_03" in (tmp_path / "intro.md").read_text()
    again = runner.invoke(cli, ["new", "anthology", str(tmp_path)])
    assert again.exit_code == 3 and "already exists" in again.stderr
    result = runner.invoke(cli, ["build", str(tmp_path / "anthology.toml"), "-o",
                                 str(tmp_path / "out")])
    assert result.exit_code == 0, result.output


def test_many_stories_are_read_in_parallel_and_every_failure_is_listed(tmp_path: Path) -> None:
    from ficbook.errors import FicbookError
    from ficbook.pipeline.read import PARALLEL_READ_MIN, read_stories

    paths = []
    for n in range(PARALLEL_READ_MIN + 6):
        path = tmp_path / f"s{n:02d}.txt"
        path.write_text(f"Title: Story {n}\nAuthor: a{n}\n\nWords for story {n}.\n")
        paths.append(path)
    waited: list[str] = []
    stories = read_stories(paths, cache=False, meanwhile=lambda: waited.append("imported"))
    assert [s.metadata.title for s in stories] == [f"Story {n}" for n in range(len(paths))]
    assert waited == ["imported"]  # the main process did its own work while workers parsed
    paths[3].write_text("")
    paths[17].write_text("Title: Only a header\n")
    with pytest.raises(FicbookError) as caught:
        read_stories(paths, cache=False)
    message = str(caught.value)
    assert "s03.txt: the file is empty" in message
    assert "s17.txt: the header has no story under it" in message


def test_what_a_build_imports_ahead_never_fails_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from ficbook.backends import HEAVY_MODULES
    from ficbook.options import BuildOptions
    from ficbook.pipeline.build import preload

    # A writer whose libraries are missing says so itself, when it runs.
    monkeypatch.setitem(HEAVY_MODULES, "epub", ("ficbook_no_such_module",))
    preload(BuildOptions(), drawn_cover=True)
    assert "ficbook.theme.cover_draw" in sys.modules


def test_the_anthology_as_a_pdf_has_a_nested_outline_and_every_story(anthology: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    from ficbook.options import BuildOptions

    folder = anthology.parent.parent
    [pdf] = build([folder / "anthology.toml"], folder / "pdf", BuildOptions(formats=("pdf",)))
    reader = pypdf.PdfReader(pdf)

    def titles(items: list[object]) -> list[object]:
        return [titles(i) if isinstance(i, list) else i.title for i in items]  # type: ignore[attr-defined]

    # book > section > story > chapter
    book_title, book = titles(reader.outline)
    assert book_title == "Test Fest 2026"
    assert [t for t in book if isinstance(t, str)] == [
        "A Word First", "Contents", "Hollow Pines", "Lantern Street", "The Meridian Chronicles",
        "Tidewater", "With Thanks", "Contributors", "Colophon"]
    tidewater = book[book.index("Tidewater") + 1]
    assert "Story Number 12" in tidewater
    story12 = tidewater[tidewater.index("Story Number 12") + 1]
    assert story12 == ["Chapter 1", "Chapter 2: The Second"]
    text = " ".join(page.extract_text() for page in reader.pages)
    for n in (1, 12, 38):
        assert f"Story Number {n:02d}" in text
    assert "Contributors" in text
