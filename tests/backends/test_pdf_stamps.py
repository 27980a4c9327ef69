"""Running heads and page numbers drawn as stamps over a book laid out in parts: the same text,
font, size and place as one weasyprint pass, shared between pages, and not laid out again when
an edit moves every later page."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pypdf
import pytest
from test_pdf import (
    LONG,
    copy_samples,
    font_programs,
    force_parts,
    internal_links,
    outline,
    page_texts,
    pdf_options,
)

from ficbook import build

MARGIN = 40  # points: text this close to the top or bottom edge is a head or a number


def furniture(path: Path) -> list[list[tuple[str, int, int, str, float]]]:
    """Each page's text in its top and bottom margins: (text, x, y, font, size), positions in
    whole points, the font without its subset prefix."""
    pages = []
    for page in pypdf.PdfReader(path).pages:
        height = float(page.mediabox.height)
        found: list[tuple[str, int, int, str, float]] = []

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float,
                  found: list[tuple[str, int, int, str, float]] = found,
                  height: float = height) -> None:
            if not text.strip() or font is None:
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if y < MARGIN or y > height - MARGIN:
                name = str(font.get("/BaseFont", "")).split("+")[-1]
                found.append((text.strip(), round(x), round(y), name, round(size * cm[3], 2)))

        page.extract_text(visitor_text=visit)
        pages.append(sorted(found))
    return pages


@pytest.mark.parametrize("print_layout", [False, True])
def test_heads_and_numbers_look_as_one_pass_draws_them(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       print_layout: bool) -> None:
    one = build([LONG], tmp_path / "one.pdf", pdf_options(print_layout=print_layout))[0]
    force_parts(monkeypatch)
    parts = build([LONG], tmp_path / "parts.pdf", pdf_options(print_layout=print_layout))[0]
    expected, got = furniture(one), furniture(parts)
    assert len(got) == len(expected)
    assert sum(bool(p) for p in expected) >= len(expected) // 3  # (not title or blank pages)
    for n, (a, b) in enumerate(zip(expected, got, strict=True)):
        assert a == b, n
    # Each distinct stamp is one form XObject, shared: far fewer forms than stamped pages.
    reader = pypdf.PdfReader(parts)
    forms: set[int] = set()
    stamped = 0
    for page in reader.pages:
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        refs = [ref.idnum for name, ref in xobjects.items() if name.startswith("/FicbookStamp")]
        forms.update(refs)
        stamped += bool(refs)
    assert stamped > 10 and len(forms) < stamped


def test_shifted_rebuild_lays_out_no_stamp_again(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit that adds a page early in the book moves every later page number and side: the
    parts after it, every heads look and every block of numbers come from the cache (only the
    edited part, the numbered contents page and looks no build had are laid out), and the
    book is the one a build from nothing makes."""
    from ficbook.backends.pdf.parts import pipeline as pdf_pipeline
    from ficbook.backends.pdf.parts import workers as pdf_workers

    toml = copy_samples(tmp_path / "src")
    force_parts(monkeypatch, part_words=300)
    monkeypatch.setattr(pdf_pipeline, "JOBS", 1)  # laid out in this process, where the spy is
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    laid: list[tuple[str, int]] = []
    real_part, real_stamps = pdf_workers.lay_out_part, pdf_workers.lay_out_stamp_job

    def spy_part(job: Any) -> Any:
        laid.append((job.kind, 0))
        return real_part(job)

    def spy_stamps(job: Any) -> Any:
        laid.append((job.kind, len(job.requests)))
        return real_stamps(job)

    monkeypatch.setattr(pdf_workers, "lay_out_part", spy_part)
    monkeypatch.setattr(pdf_workers, "lay_out_stamp_job", spy_stamps)
    first = build([toml], tmp_path / "first.pdf", pdf_options())[0]
    cold_looks = sum(n for kind, n in laid if kind == "heads")
    assert cold_looks and any(kind == "numbers" for kind, _ in laid)
    # Fewer heads looks than pages: pages of a story on the same side share one.
    assert cold_looks < len(pypdf.PdfReader(first).pages)

    # The first story in the book, so every later page moves (one or more pages).
    story = _first_story(first, tmp_path / "src")
    story.write_text(story.read_text(encoding="utf-8") + "\n\n" + "\n\n".join(
        "She folded the letter twice, put it back in the drawer, and went out into the rain "
        "without her coat, because some answers only come walking." for _ in range(30)) + "\n",
        encoding="utf-8")
    laid.clear()
    time.sleep(0.05)
    shifted = build([toml], tmp_path / "shifted.pdf", pdf_options())[0]
    moved = len(pypdf.PdfReader(shifted).pages) - len(pypdf.PdfReader(first).pages)
    assert moved >= 1
    kinds = [kind for kind, _ in laid]
    assert 1 <= kinds.count("part") <= 2 and kinds.count("front") == 1
    relaid_looks = sum(n for kind, n in laid if kind == "heads")
    assert relaid_looks < cold_looks / 3, (relaid_looks, cold_looks)
    # Numbers: blocks are keyed by their numbers, so only a block past the old last page
    # can be new (at most one block of each side here).
    assert sum(n for kind, n in laid if kind == "numbers") <= 6

    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "empty"))
    cold = build([toml], tmp_path / "cold.pdf", pdf_options())[0]
    assert page_texts(shifted) == page_texts(cold)
    assert furniture(shifted) == furniture(cold)
    assert outline(pypdf.PdfReader(shifted)) == outline(pypdf.PdfReader(cold))
    assert internal_links(pypdf.PdfReader(shifted)) == internal_links(pypdf.PdfReader(cold))
    assert all(len(ids) == 1 for ids in font_programs(pypdf.PdfReader(shifted)).values())
    # Page numbers: a numbered page's last line is its number, in order, after the shift too.
    numbers = [(i, int(t.split()[-1])) for i, t in enumerate(page_texts(shifted))
               if t and t.split()[-1].isdigit() and i > 0]
    assert len(numbers) > 10 and all(n == i + 1 for i, n in numbers), numbers
    if shutil.which("qpdf"):
        proc = subprocess.run(["qpdf", "--check", str(shifted)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-500:]


def _first_story(pdf: Path, folder: Path) -> Path:
    """The story file (a copy in `folder`) whose title comes first in the book's outline."""
    from ficbook import read_story

    rows = [title for _, title, _ in outline(pypdf.PdfReader(pdf))]
    stories = sorted(folder.rglob("*.txt"))
    titles = {path: read_story(path).metadata.title for path in stories}
    return min(stories, key=lambda p: rows.index(titles[p]) if titles[p] in rows else 1 << 30)
