"""PDF books: opened with pypdf (never byte-compared): pages, sizes, outline, text, fonts, safety."""

from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pypdf
import pytest
from click.testing import CliRunner
from conftest import SAMPLES, SEED_POST

from ficbook import build
from ficbook.backends.pdf.pagesize import PAGE_SIZES, parse_page_size
from ficbook.cli import cli
from ficbook.errors import InputError
from ficbook.model import Book, Chapter, Metadata, Story
from ficbook.options import BuildOptions
from ficbook.pipeline.build import build_book

MM = 72 / 25.4
SHORT = SAMPLES / "lanterns-at-low-tide.txt"
LONG = SAMPLES / "the-cartographers-apprentice.txt"


def pdf_options(**kw: object) -> BuildOptions:
    return BuildOptions(formats=("pdf",), **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every sample, the sample anthology and the seed in A5 and in every page size; the long
    sample for print."""
    out = tmp_path_factory.mktemp("pdfs")
    built = {}
    sources = [*sorted(SAMPLES.glob("*.txt")), SAMPLES / "anthology" / "anthology.toml",
               *([SEED_POST] if SEED_POST.is_file() else [])]
    for src in sources:
        name = src.parent.name if src.suffix == ".toml" else src.name
        built[name] = build([src], out / f"{src.stem}.pdf", pdf_options())[0]
        for size in [*PAGE_SIZES, "140x216mm"]:
            built[f"{name}@{size}"] = build([src], out / f"{src.stem}-{size}.pdf",
                                            pdf_options(page_size=size))[0]
    for size in [*PAGE_SIZES, "140x216mm"]:
        built[f"short@{size}"] = built[f"{SHORT.name}@{size}"]
    built["long@print"] = build([LONG], out / "long-print.pdf",
                                pdf_options(print_layout=True, page_size="6x9in"))[0]
    return built


def text_of(reader: pypdf.PdfReader) -> str:
    return "\n".join(p.extract_text() for p in reader.pages)


def flat(text: str) -> str:
    """Extracted text with hyphenation and line breaks undone, for 'appears in order' checks."""
    return " ".join(re.sub(r"-\n", "", text).split())


def in_order(text: str, parts: list[str]) -> bool:
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            raise AssertionError(f"not found in order: {part!r}")
    return True


def outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    rows: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                rows.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return rows


def fonts_of(reader: pypdf.PdfReader) -> dict[str, bool]:
    """Every font the pages use -> whether its program is embedded (FontFile, 2 or 3)."""
    found: dict[str, bool] = {}
    resources = [page.get("/Resources") for page in reader.pages]
    for res in resources:  # pages, then the form XObjects they draw (running heads)
        res = res.get_object() if res is not None else {}
        for xobj in res.get("/XObject", {}).values() if "/XObject" in res else []:
            if xobj.get_object().get("/Subtype") == "/Form" and "/Resources" in xobj.get_object():
                resources.append(xobj.get_object()["/Resources"])
    for res in resources:
        res = res.get_object() if res is not None else {}
        if "/Font" not in res:
            continue
        for ref in res["/Font"].get_object().values():
            font = ref.get_object()
            for f in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                desc = f.get("/FontDescriptor")
                if desc is not None:
                    desc = desc.get_object()
                    found[str(f["/BaseFont"])] = any(
                        k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def font_programs(reader: pypdf.PdfReader) -> dict[str, set[int]]:
    """Every font the pages (and their forms) use -> the objects holding its program."""
    programs: dict[str, set[int]] = {}
    resources = [page.get("/Resources") for page in reader.pages]
    for res in resources:
        res = res.get_object() if res is not None else {}
        for xobj in res.get("/XObject", {}).values() if "/XObject" in res else []:
            if "/Resources" in xobj.get_object():
                resources.append(xobj.get_object()["/Resources"])
        for ref in res["/Font"].get_object().values() if "/Font" in res else []:
            font = ref.get_object()
            for f in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                desc = f.get("/FontDescriptor")
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if desc is not None and key in desc.get_object():
                        programs.setdefault(str(f["/BaseFont"]), set()).add(
                            desc.get_object().raw_get(key).idnum)
    return programs


def test_every_pdf_is_valid_with_every_font_embedded_and_subset(pdfs: dict[str, Path]) -> None:
    for name, path in pdfs.items():
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) >= 3, name
        fonts = fonts_of(reader)
        assert fonts and all(fonts.values()), (name, fonts)
        assert all(re.match(r"/[A-Z]{6}\+", f) for f in fonts), (name, fonts)  # subset tags
        assert any("Garamond" in f for f in fonts), name


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_qpdf_check_passes(pdfs: dict[str, Path]) -> None:
    for name, path in pdfs.items():
        proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0, (name, proc.stdout[-500:], proc.stderr[-500:])


def test_page_sizes(pdfs: dict[str, Path]) -> None:
    sizes = [*PAGE_SIZES, "140x216mm"]
    for name, path in pdfs.items():
        if name.partition("@")[2] not in sizes:
            continue  # A5 books, and the long sample laid out for print
        expected = parse_page_size(name.partition("@")[2])
        for page in pypdf.PdfReader(path).pages:
            assert float(page.mediabox.width) == pytest.approx(expected.width * MM, abs=0.5), name
            assert float(page.mediabox.height) == pytest.approx(expected.height * MM, abs=0.5), name
    a5 = pypdf.PdfReader(pdfs[SHORT.name]).pages[0].mediabox
    assert (round(float(a5.width)), round(float(a5.height))) == (420, 595)  # the default


def test_custom_and_bad_page_sizes() -> None:
    assert parse_page_size("6x9in").width == pytest.approx(152.4)
    assert parse_page_size("trade").name == "6x9in"
    assert parse_page_size("432x648pt").height == pytest.approx(228.6)
    assert parse_page_size("5.5x8.5in").width == pytest.approx(139.7)
    for bad in ("huge", "10x10mm", "6x9cm4", "axbmm"):
        with pytest.raises(InputError):
            parse_page_size(bad)


def test_title_page_and_story_text_in_order(pdfs: dict[str, Path]) -> None:
    text = flat(text_of(pypdf.PdfReader(pdfs[LONG.name])))
    order = ["Mira Vell has been apprenticed to the last honest mapmaker",
             "everyone in the chat who listened",
             "The Meridian Chronicles and everyone in it are invented",
             "The first map Mira Vell ever drew was of her mother",
             "The Salt Roads", "Ink and Weather", "Epilogue"]
    assert in_order(text, order)
    assert "Soundtrack" in text  # header fields ficbook does not know are still shown


def test_seed_post(seed_post: Path, pdfs: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(pdfs[seed_post.name])
    text = flat(text_of(reader))
    assert text.index("Buffy can’t stay in Sunnydale") < text.index("I don’t own BtVS")
    assert text.index("I don’t own BtVS") < text.index("The portal was closed")
    assert text.index("The portal was closed") < text.index("learn to live again")
    assert reader.metadata.title == "Leaving, Not Running Away"
    assert reader.metadata.author == "badly_knitted"
    assert reader.metadata.subject == "BtVS"


def test_outline_and_contents_page_numbers(pdfs: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(pdfs[LONG.name])
    rows = outline(reader)
    titles = [(depth, title) for depth, title, _ in rows]
    assert titles == [(0, "Contents"), (0, "The Cartographer’s Apprentice"), (1, "Prologue"),
                      (1, "Chapter One: The Salt Roads"), (1, "Chapter 2 - Ink and Weather"),
                      (1, "Epilogue"), (0, "Colophon")]
    contents = reader.pages[rows[0][2]].extract_text()
    for depth, title, page_index in rows[2:-1]:
        assert depth == 1
        # The contents line ends with the real page number (1-based) of the chapter.
        line = next(ln for ln in contents.splitlines() if title.split(":")[0] in ln)
        assert line.rstrip().endswith(str(page_index + 1)), (title, line)
        assert title.split(" - ")[-1].split(": ")[-1] in flat(reader.pages[page_index]
                                                              .extract_text())


def test_running_heads_and_page_numbers(pdfs: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(pdfs[LONG.name])
    openings = {page for _, _, page in outline(reader)}
    heads = {"The Cartographer’s Apprentice", "inkwell_and_compass"}
    first_chapter = outline(reader)[2][2]
    for index in range(first_chapter, len(reader.pages) - 1):
        lines = [ln.strip() for ln in reader.pages[index].extract_text().splitlines() if ln.strip()]
        if index in openings:  # chapter-opening page: no head, no number
            assert lines[-1] != str(index + 1) and lines[0] not in heads, index
        else:
            assert lines[-1] == str(index + 1), (index, lines[-1])
            # Left (even) pages carry the author, right (odd) ones the title; weasyprint draws
            # the margin boxes after the text, so they come out last.
            left = (index + 1) % 2 == 0
            expected = "inkwell_and_compass" if left else "The Cartographer’s Apprentice"
            assert lines[-2] == expected, (index, lines[-2])
    # The cover and the story's title page carry neither.
    assert reader.pages[0].extract_text().strip() == ""
    title_page = outline(reader)[1][2]
    lines = reader.pages[title_page].extract_text().strip().splitlines()
    assert lines[-1] != str(title_page + 1) and lines[0] == "The Cartographer’s Apprentice"


def test_print_layout_opens_chapters_on_right_hand_pages(pdfs: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(pdfs["long@print"])
    rows = outline(reader)
    assert [t for _, t, _ in rows][:3] == ["Contents", "The Cartographer’s Apprentice", "Prologue"]
    for _depth, title, page_index in rows:
        if title != "Colophon":
            assert page_index % 2 == 0, (title, page_index)  # page 1, 3, 5...: right-hand
    assert "Cover" not in text_of(reader)[:50]  # no cover page in a book for the printer
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 432


def test_pdf_metadata(pdfs: dict[str, Path]) -> None:
    reader = pypdf.PdfReader(pdfs[LONG.name])
    meta = reader.metadata
    assert meta.title == "The Cartographer’s Apprentice"
    assert meta.author == "inkwell_and_compass"
    assert meta.subject == "The Meridian Chronicles"
    assert "Mira/Tomas" in meta["/Keywords"]
    assert meta["/CreationDate"].startswith("D:2000")  # from the content, not the clock
    assert str(reader.trailer["/Root"]["/Lang"]) == "en"


def test_same_input_gives_same_pdf_content(tmp_path: Path) -> None:
    a = build([SHORT], tmp_path / "a.pdf", pdf_options())[0]
    b = build([SHORT], tmp_path / "b.pdf", pdf_options())[0]
    ra, rb = pypdf.PdfReader(a), pypdf.PdfReader(b)
    assert text_of(ra) == text_of(rb) and ra.metadata == rb.metadata
    assert ra.trailer["/ID"] == rb.trailer["/ID"]


def test_remote_and_outside_files_are_never_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    secret = tmp_path / "outside" / "secret.png"
    secret.parent.mkdir()
    secret.write_bytes(b"not for the book")
    body = ('<p>Before.</p><p><img src="file:///etc/passwd" alt="a"/>'
            '<img src="http://example.com/tracker.png" alt="b"/>'
            '<img src="https://example.com/x.png" alt="c"/>'
            f'<img src="{secret.as_uri()}" alt="d"/>'
            '<img src="ftp://example.com/y.png" alt="e"/>'
            '<a href="http://example.com/">a link stays a link</a></p><p>After.</p>')
    story_dir = tmp_path / "story"
    story_dir.mkdir()
    story = Story(Metadata(title="Unsafe"), (Chapter("One", body),), source=story_dir / "s.txt")
    with caplog.at_level(logging.WARNING):
        [pdf] = build_book(Book.single(story), tmp_path / "unsafe.pdf", pdf_options())
    text = flat(text_of(pypdf.PdfReader(pdf)))
    assert text.index("Before.") < text.index("After.")
    refused = " ".join(r.getMessage() for r in caplog.records if "refused" in r.getMessage())
    for url in ("file:///etc/passwd", "http://example.com/tracker.png",
                "https://example.com/x.png", secret.as_uri(), "ftp://example.com/y.png"):
        assert url in refused, url
    assert "root:" not in text


def test_cli_builds_both_formats_and_rejects_bad_options(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(SHORT), "-f", "epub,pdf", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".epub", ".pdf"]
    result = runner.invoke(cli, ["build", str(SHORT), "-f", "pdf", "--page-size", "huge",
                                 "-o", str(tmp_path)])
    assert result.exit_code == 2 and "unknown page size" in result.output
    result = runner.invoke(cli, ["build", str(SHORT), "-f", "mobi", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "unknown format" in result.output


def test_help_does_not_import_weasyprint() -> None:
    code = ("import sys, ficbook.cli\n"
            "try:\n    ficbook.cli.cli(['--help'], prog_name='ficbook')\n"
            "except SystemExit: pass\n"
            "assert 'weasyprint' not in sys.modules, 'weasyprint imported'\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("print_layout", [False, True])
def test_parts_laid_out_in_parallel_match_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   print_layout: bool) -> None:
    """Long books are laid out in parts in parallel and joined: same pages, text, heads,
    numbers, contents and outline as one pass."""
    from ficbook.backends.pdf.parts import plan as pdf_plan

    one = build([LONG], tmp_path / "one.pdf", pdf_options(print_layout=print_layout))[0]
    monkeypatch.setattr(pdf_plan, "MIN_WORDS", 0)
    monkeypatch.setattr(pdf_plan, "PART_WORDS", 500)  # a part per chapter or so
    stamp_documents_small(monkeypatch)  # heads and numbers laid out a few at a time
    calls: list[int] = []
    real = pdf_plan.plan_parts

    def plan(*args: Any, **kwargs: Any) -> Any:
        planned = real(*args, **kwargs)
        calls.append(len(planned))
        return planned

    monkeypatch.setattr(pdf_plan, "plan_parts", plan)
    parts = build([LONG], tmp_path / "parts.pdf", pdf_options(print_layout=print_layout))[0]
    assert calls and calls[0] >= 3  # several parts, each numbered and headed on its own
    a, b = pypdf.PdfReader(one), pypdf.PdfReader(parts)
    assert len(a.pages) == len(b.pages)
    for n, (pa, pb) in enumerate(zip(a.pages, b.pages, strict=True)):
        assert pa.extract_text().strip() == pb.extract_text().strip(), n
    assert outline(a) == outline(b)
    assert b.metadata.title == a.metadata.title and b.metadata.author == a.metadata.author
    assert b.metadata.subject == a.metadata.subject
    fonts = fonts_of(b)
    assert fonts and all(fonts.values())
    # One embedded program per font, not one per part, and no bigger than one pass's.
    assert all(len(ids) == 1 for ids in font_programs(b).values()), font_programs(b)
    assert parts.stat().st_size < 1.3 * one.stat().st_size
    if shutil.which("qpdf"):
        proc = subprocess.run(["qpdf", "--check", str(parts)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-500:]


def force_parts(monkeypatch: pytest.MonkeyPatch, part_words: int = 500) -> None:
    """Any book through the parts path: a part per chapter or so, heads a few parts a run."""
    from ficbook.backends.pdf.parts import plan as pdf_plan

    monkeypatch.setattr(pdf_plan, "MIN_WORDS", 0)
    monkeypatch.setattr(pdf_plan, "PART_WORDS", part_words)
    stamp_documents_small(monkeypatch)


def stamp_documents_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """Heads looks and numbers laid out a few at a time: many stamp documents in a small book."""
    from ficbook.backends.pdf.parts import furniture as pdf_furniture

    monkeypatch.setattr(pdf_furniture, "FURNISH_PAGES", 3)
    monkeypatch.setattr(pdf_furniture, "NUMBER_BLOCK", 6)


def internal_links(reader: pypdf.PdfReader) -> list[tuple[int, tuple[int, ...], int]]:
    """Every link to a place in the book: (its page, its rectangle in whole points, the page it
    goes to), whether its destination is named (weasyprint's) or a page (added after a join)."""
    names = reader.named_destinations
    found: list[tuple[int, tuple[int, ...], int]] = []
    for index, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            dest = annot.get("/Dest")
            if annot.get("/Subtype") != "/Link" or dest is None:
                continue
            if isinstance(dest, str):
                target = reader.get_destination_page_number(names[dest])
            else:
                target = reader.get_page_number(dest[0].get_object())
            rect = tuple(round(float(v)) for v in annot["/Rect"])
            assert target is not None, (index, dest)  # a link to a page in the book
            found.append((index, rect, target))
    return found


@pytest.mark.parametrize("source", [LONG, SAMPLES / "anthology" / "anthology.toml"])
def test_links_between_parts_go_where_one_pass_goes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: Path) -> None:
    """The front matter and each part are laid out alone, so the contents page's entries (and
    an anthology's links between stories) point into other documents: the join adds them back,
    each to the page the one-pass book sends it to, which is where that story or chapter
    starts."""
    one = pypdf.PdfReader(build([source], tmp_path / "one.pdf", pdf_options())[0])
    force_parts(monkeypatch)
    parts = pypdf.PdfReader(build([source], tmp_path / "parts.pdf", pdf_options())[0])
    expected, got = internal_links(one), internal_links(parts)
    rows = outline(parts)
    contents = next(page for _, title, page in rows if title == "Contents")
    on_contents = {target for page, _, target in got if page == contents}
    entries = {page for depth, title, page in rows if title not in ("Contents", "Colophon")
               and page > contents}
    assert entries and entries <= on_contents  # every story and chapter has its entry
    assert sorted(got) == sorted(expected)
    for _, _, target in got:  # each goes to a page that opens what its entry names
        assert target in entries or target in {page for _, _, page in rows}, target


def test_an_anthology_in_parts_reports_no_links_into_other_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Laid out alone, the contents page and each part link into the others: weasyprint calls
    each such link an undefined anchor. The join adds them back, so the user hears nothing
    (an anthology of 300 stories printed 900 such lines)."""
    from ficbook.backends.pdf.parts import pipeline as pdf_pipeline

    force_parts(monkeypatch)
    monkeypatch.setattr(pdf_pipeline, "JOBS", 1)  # laid out in this process, where caplog is
    with caplog.at_level(logging.WARNING):
        [pdf] = build([SAMPLES / "anthology" / "anthology.toml"], tmp_path / "a.pdf",
                      pdf_options(cache=False))
    assert len(pypdf.PdfReader(pdf).pages) > 10
    assert not [r for r in caplog.records if "anchor" in r.getMessage()], caplog.text[:500]


def copy_samples(to: Path) -> Path:
    """The sample anthology and the stories it names, to edit without touching the samples."""
    shutil.copytree(SAMPLES / "anthology", to / "anthology")
    for story in SAMPLES.glob("*.txt"):
        shutil.copy(story, to / story.name)
    return to / "anthology" / "anthology.toml"


def page_texts(path: Path) -> list[str]:
    return [page.extract_text().strip() for page in pypdf.PdfReader(path).pages]


def test_rebuild_lays_out_only_the_changed_story(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Laid-out parts are cached: a rebuild after editing one story lays out only the part(s)
    holding that story's pages (and the front matter and heads, whose page numbers moved), and
    gives the same pages as a build from nothing; a broken cache entry is laid out again."""
    from ficbook.backends.pdf.parts import pipeline as pdf_pipeline
    from ficbook.backends.pdf.parts import workers as pdf_workers

    toml = copy_samples(tmp_path / "src")
    force_parts(monkeypatch, part_words=300)
    monkeypatch.setattr(pdf_pipeline, "JOBS", 1)  # laid out in this process, where the spy is
    cache = tmp_path / "cache"
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(cache))
    laid: list[tuple[str, tuple[str, ...], bool]] = []  # (kind, sections, holds the story?)
    real = pdf_workers.lay_out_part
    real_heads = pdf_workers.lay_out_stamp_job

    def spy(job: Any) -> Any:
        moths = any(s in job.html for s in ("folded by Tomas", "Tomas cannot draw a straight"))
        laid.append((job.kind, job.pids, moths))
        return real(job)

    def spy_heads(job: Any) -> Any:  # stamps of heads and numbers are laid out too
        laid.append((job.kind, (), False))
        return real_heads(job)

    monkeypatch.setattr(pdf_workers, "lay_out_part", spy)
    monkeypatch.setattr(pdf_workers, "lay_out_stamp_job", spy_heads)
    first = build([toml], tmp_path / "first.pdf", pdf_options())[0]
    parts = [(pids, moths) for kind, pids, moths in laid if kind == "part"]
    assert len(parts) >= 5 and 1 <= sum(moths for _, moths in parts) < len(parts) / 2
    laid.clear()
    again = build([toml], tmp_path / "again.pdf", pdf_options())[0]
    assert laid == []  # nothing changed: every piece from the cache
    assert page_texts(again) == page_texts(first)

    story = tmp_path / "src" / "anthology" / "paper-moths.txt"
    story.write_text(story.read_text(encoding="utf-8") + "\n\nOne more paragraph, added in an "
                     "edit, long enough to need a line or two of its own on the page.\n",
                     encoding="utf-8")
    laid.clear()
    time.sleep(0.1)  # what this build reads or writes is newer than anything before it
    editing = time.time()
    edited = build([toml], tmp_path / "edited.pdf", pdf_options())[0]
    redone = [(pids, moths) for kind, pids, moths in laid if kind == "part"]
    assert redone and all(moths for _, moths in redone), (redone, parts)
    assert {pids for pids, _ in redone} <= {pids for pids, _ in parts}  # same cuts
    assert "One more paragraph, added in an edit" in flat(text_of(pypdf.PdfReader(edited)))

    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "empty"))
    cold = build([toml], tmp_path / "cold.pdf", pdf_options())[0]
    assert page_texts(edited) == page_texts(cold)
    assert internal_links(pypdf.PdfReader(edited)) == internal_links(pypdf.PdfReader(cold))
    assert outline(pypdf.PdfReader(edited)) == outline(pypdf.PdfReader(cold))
    reader = pypdf.PdfReader(edited)
    assert all(len(ids) == 1 for ids in font_programs(reader).values())

    # Broken entries (a cut PDF, a JSON that is not one) are misses, never errors.
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(cache))
    # Entries the edited book uses (a hit touches its JSON), not ones the edit left stale:
    # breaking a stale one would ask nothing of the next build.
    metas = sorted(m for m in (cache / "pdf").glob("*.json")
                   if m.stat().st_mtime >= editing - 0.05)
    pdfs = [m.with_suffix(".pdf") for m in metas if m.with_suffix(".pdf").exists()]
    pdfs[0].write_bytes(pdfs[0].read_bytes()[:100])
    metas[-1].write_text("{not json", encoding="utf-8")
    laid.clear()
    repaired = build([toml], tmp_path / "repaired.pdf", pdf_options())[0]
    assert 1 <= len(laid) <= 2
    assert page_texts(repaired) == page_texts(cold)
    if shutil.which("qpdf"):
        for path in (edited, repaired):
            proc = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stdout[-500:]


def test_no_cache_reads_and_keeps_no_laid_out_parts(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """--no-cache (BuildOptions.cache=False): every part laid out, nothing kept."""
    force_parts(monkeypatch)
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    pdf = build([LONG], tmp_path / "book.pdf", pdf_options(cache=False))[0]
    assert not (tmp_path / "cache" / "pdf").exists()
    assert "Epilogue" in text_of(pypdf.PdfReader(pdf))
    result = CliRunner().invoke(cli, ["build", str(LONG), "-f", "pdf", "--no-cache",
                                      "-o", str(tmp_path / "cli.pdf")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "cache" / "pdf").exists()
    build([LONG], tmp_path / "cached.pdf", pdf_options())
    assert list((tmp_path / "cache" / "pdf").glob("*.pdf"))
