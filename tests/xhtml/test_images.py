"""Pictures in stories: local ones come along (checked, bounded), nothing else is ever read."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from validate import epubcheck_many

from ficbook import build, read_story
from ficbook.xhtml.images import MAX_SIDE


def picture(path: Path, size: tuple[int, int], color: str = "teal", fmt: str = "PNG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, fmt)
    return path


def epub_images(epub: Path) -> dict[str, tuple[int, int]]:
    with zipfile.ZipFile(epub) as z:
        return {n: Image.open(io.BytesIO(z.read(n))).size for n in z.namelist()
                if n.startswith("EPUB/images/") and "cover" not in n}


@pytest.fixture
def illustrated(tmp_path: Path) -> Path:
    folder = tmp_path / "story"
    picture(folder / "art" / "map.jpg", (300, 200), fmt="JPEG")
    picture(folder / "art" / "huge.png", (4000, 3000))
    (folder / "art" / "fake.png").write_bytes(b"not a picture")
    picture(tmp_path / "outside.png", (10, 10))
    os.symlink(tmp_path / "outside.png", folder / "art" / "link.png")
    (folder / "story.txt").write_text(
        "Title: Pictures\nAuthor: me\n\n"
        'The map: <img src="art/map.jpg" alt="the map"/>\n\n'
        'Huge <img src="art/huge.png"/> and the map again <img src="art/map.jpg" alt="again"/>\n\n'
        'Broken <img src="art/fake.png" alt="fake"/> <img src="../outside.png" alt="up"/> '
        f'<img src="{tmp_path}/outside.png" alt="abs"/> <img src="art/link.png" alt="link"/> '
        '<img src="http://example.com/a.png" alt="remote"/>\n')
    return folder / "story.txt"


def test_local_pictures_come_along_and_nothing_else(illustrated: Path, tmp_path: Path) -> None:
    story = read_story(illustrated)
    assert len(story.images) == 2  # the map once, however often it appears; the huge one
    body = story.chapters[0].body
    assert body.count('src="images/') == 3
    for alt in ("fake", "up", "abs", "link", "remote"):
        assert f"[image: {alt}]" in body
    [epub] = build([illustrated], tmp_path / "out.epub")
    sizes = epub_images(epub)
    assert sorted(sizes.values()) == [(300, 200), (MAX_SIDE, MAX_SIDE * 3 // 4)]
    with zipfile.ZipFile(epub) as z:
        chapter = z.read("EPUB/text/story-c001.xhtml").decode()
    assert 'src="../images/' in chapter and 'alt="the map"' in chapter


def test_decompression_bombs_are_left_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "s"
    # A 1-bit PNG of 30,000 x 30,000 pixels is a few hundred KB on disk.
    folder.mkdir()
    Image.new("1", (30_000, 30_000)).save(folder / "bomb.png")
    (folder / "s.txt").write_text('Title: B\n\nLook <img src="bomb.png" alt="bomb"/>.\n')
    story = read_story(folder / "s.txt")
    assert story.images == () and "[image: bomb]" in story.chapters[0].body
    assert "not a usable image" in caplog.text


def test_docx_pictures_and_epub_round_trip_keep_images(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    png = picture(tmp_path / "p.png", (120, 80), "orange")
    doc = docx.Document()
    doc.add_paragraph("Title: Drawn")
    doc.add_paragraph("Author: someone")
    doc.add_paragraph("")
    doc.add_paragraph("Here is what she drew.")
    doc.add_picture(str(png))
    doc.save(tmp_path / "drawn.docx")
    story = read_story(tmp_path / "drawn.docx")
    assert len(story.images) == 1
    [epub] = build([tmp_path / "drawn.docx"], tmp_path / "drawn.epub")
    assert list(epub_images(epub).values()) == [(120, 80)]
    again = read_story(epub)
    assert [a.data for a in again.images] == [a.data for a in story.images]
    [rebuilt] = build([epub], tmp_path / "rebuilt.epub")
    assert rebuilt.read_bytes() == epub.read_bytes()
    assert epubcheck_many([epub]) == {epub: []}


def test_pdf_shows_the_pictures(illustrated: Path, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    [pdf] = build([illustrated], tmp_path / "out.pdf", _pdf_options())
    reader = pypdf.PdfReader(pdf)
    assert sum(len(page.images) for page in reader.pages) >= 2


def _pdf_options():  # type: ignore[no-untyped-def]
    from ficbook.options import BuildOptions

    return BuildOptions(formats=("pdf",))
