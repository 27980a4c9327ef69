"""Hostile and broken text posts: safe output, clear errors, nothing read or written astray."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import outside
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ficbook import build, read_story
from ficbook.errors import FicbookError, InputError
from ficbook.ingest.header import parse_header
from ficbook.ingest.text import parse_text

# Every test here fails if anything tries to connect to the network.
pytestmark = pytest.mark.usefixtures("no_network")


def post(tmp_path: Path, body: str, header: str = "Title: T\nAuthor: a\n", name: str = "s.txt",
         ) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(header + "\n" + body, encoding="utf-8")
    return path


def epub_text(epub: Path) -> str:
    with zipfile.ZipFile(epub) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))


def test_active_content_never_reaches_the_book(tmp_path: Path) -> None:
    src = post(tmp_path, '<script>alert(1)</script><p onclick="steal()">Hi</p>\n\n'
                         '<a href="javascript:alert(1)">link</a> <iframe src="x"></iframe>\n\n'
                         '<svg><script>x</script><foreignObject>f</foreignObject></svg>'
                         '<object data="x"></object><form><input/></form>'
                         '<img src="x" onerror="alert(1)"/> done')
    [epub] = build([src], tmp_path / "out")
    text = epub_text(epub)
    for needle in ("<script", "onclick", "onerror", "javascript:", "<iframe", "<object",
                   "<form", "<input", "foreignObject", "<svg"):
        assert needle not in text
    with zipfile.ZipFile(epub) as z:
        assert 'properties="scripted"' not in z.read("EPUB/content.opf").decode()


def test_remote_and_local_file_images_are_not_fetched_or_read(
        tmp_path: Path, opened_files: list[str], no_network: list[object],
        _private_cache: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    src = post(tmp_path, '<img src="http://example.com/a.png" alt="a remote picture"/>\n\n'
                         f'<img src="file://{secret}" alt="x"/> <img src="../secret.txt"/>\n\n'
                         '<img src="file:///etc/passwd"/>')
    opened_files.clear()  # only what the build opens counts
    [epub] = build([src], tmp_path / "out")
    assert no_network == []
    # The story's folder, the output, ficbook's own files and its cache (the drawn cover).
    assert outside(opened_files, src.parent, tmp_path / "out", Path(__file__).parents[2],
                   _private_cache) == []
    text = epub_text(epub)
    assert "[image: a remote picture]" in text and "passwd" not in text and "secret" not in text


@pytest.mark.parametrize("title", ["../../etc/x", "/abs", "C:\\x", "a/b", "..", "CON",
                                   "x\x07y", "'quote\" $(rm)", "‮evil", "é" * 5000])
def test_hostile_titles_stay_inside_the_output_folder(tmp_path: Path, title: str) -> None:
    src = post(tmp_path, "Some words.", header=f"Title: {title}\nAuthor: ../me\n")
    out = tmp_path / "out"
    [epub] = build([src], out)
    assert epub.parent == out and epub.is_file()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file() and p.suffix == ".epub") \
        == [epub.name]


def test_failed_build_leaves_previous_book_and_no_partial_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = post(tmp_path, "Words.")
    target = tmp_path / "out" / "book.epub"
    build([src], target)
    before = target.read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    import ficbook.files as files

    monkeypatch.setattr(files.os, "replace", boom)
    src.write_text("Title: Changed\n\nOther words.\n")
    with pytest.raises(OSError):
        build([src], target)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == ["book.epub"]


def test_input_files_are_never_modified(tmp_path: Path) -> None:
    src = post(tmp_path, "Words -- \"quoted\"...\r\n")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    build([src], tmp_path / "out")
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest


def test_huge_and_deep_inputs_build(tmp_path: Path) -> None:
    one_line = post(tmp_path, "word " * 4_000_000, name="line.txt")  # a 20 MB single line
    assert read_story(one_line).counted_words == 4_000_000
    many = post(tmp_path, "\n\n".join(f"Para {i}." for i in range(100_000)), name="many.txt")
    assert read_story(many).chapters[0].body.count("<p>") == 100_000
    deep = post(tmp_path, "<i>" * 10_000 + "deep" + "</i>" * 10_000 + "\n\n"
                + "<blockquote>" * 10_000 + "deeper", name="deep.txt")
    [epub] = build([deep], tmp_path / "out")
    assert "deeper" in epub_text(epub)


def test_input_size_limit_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ficbook.ingest.decode as decode

    monkeypatch.setattr(decode, "MAX_INPUT_BYTES", 1000)
    src = post(tmp_path, "x" * 2000)
    with pytest.raises(InputError, match="ficbook reads stories up to"):
        read_story(src)


def test_text_survives_rtl_cjk_emoji_combining_and_bidi(tmp_path: Path) -> None:
    body = ("שלום עולם, זה סיפור.\n\n漢字とかな。\n\n🏳️‍🌈 emoji e\u0301\n\n"
            "zero\u200bwidth and \u202eoverride\u202c kept")
    src = post(tmp_path, body, header="Title: \u202eevil\u200b title\nLanguage: Hebrew\n")
    story = read_story(src)
    text = "".join(c.body for c in story.chapters)
    for piece in ("שלום עולם", "漢字とかな", "🏳️‍🌈", "e\u0301", "zero\u200bwidth"):
        assert piece in text
    [epub] = build([src], tmp_path / "out")
    assert "\u202e" not in epub.name and "\u200b" not in epub.name
    assert 'dir="rtl"' in epub_text(epub)


def test_invalid_utf8_is_decoded_with_a_warning(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    src = tmp_path / "bad.txt"
    src.write_bytes("Title: Caf\u00e9\n\nIt\u2019s fine ".encode() + b"\xff\xfe\xc3 here.\n")
    story = read_story(src)
    assert story.metadata.title == "Café"
    assert "here." in story.chapters[0].body


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "the file is empty"), ("   \n\t\n", "the file is empty"),
     ("Title: T\nAuthor: a\n", "the header has no story under it")],
)
def test_empty_inputs_get_clear_messages(tmp_path: Path, content: str, message: str) -> None:
    src = tmp_path / "s.txt"
    src.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "ficbook", "build", "s.txt"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 3
    assert proc.stderr.startswith(f"ficbook: error: s.txt: {message}")
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["s.txt"]


def test_body_without_header_is_a_book_titled_after_its_file(tmp_path: Path) -> None:
    src = tmp_path / "my_lost-story.txt"
    src.write_text("Just prose, no header.\n")
    [epub] = build([src], tmp_path)
    assert epub.name == "My Lost Story.epub"


_texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
_lines = st.lists(st.one_of(st.sampled_from(["", "Title: x", "Summary:", "* * *", "Chapter 1",
                                              "The End", "**Author:** y", "<b>For:</b>", "---",
                                              "o0o", "Part 2", "<i>", "&amp;", "'\"--..."]),
                            _texts), max_size=30).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_lines)
def test_any_text_gives_a_story_or_a_ficbook_error(text: str) -> None:
    try:
        story = parse_text(text)
    except FicbookError:
        return
    assert story.chapters and story.metadata.title is not None
    for chapter in story.chapters:
        assert "<script" not in chapter.body


@settings(max_examples=200, deadline=None)
@given(_lines)
def test_header_parser_never_fails_and_body_start_is_in_range(text: str) -> None:
    lines = text.split("\n")
    header = parse_header(lines)
    assert 0 <= header.body_start <= len(lines)


def test_books_from_hostile_input_still_pass_epubcheck(tmp_path: Path) -> None:
    from validate import epubcheck_many

    sources = [
        post(tmp_path, '<script>x</script><p onclick="y">a</p><strike>old</strike><center>c'
                       '</center><font color="red" size="7">big</font><u>u</u> <tt>t</tt>\n\n'
                       '<img src="http://e.com/a.png"/> & < > "q" \x01\x0b bad chars',
             name="active.txt"),
        post(tmp_path, "<blockquote>" * 300 + "deep" + "\n\n" + "<i><b>" * 200 + "x",
             name="deep.txt"),
        post(tmp_path, "مرحبا بالعالم.\n\nשלום.", header="Title: عربي\nLanguage: Arabic\n",
             name="rtl.txt"),
        post(tmp_path, "Words.", header="Title: \u202e../../x\x07\nAuthor: CON\n",
             name="names.txt"),
    ]
    books = [build([s], tmp_path / "out" / f"{s.stem}.epub")[0] for s in sources]
    assert {p.name: m for p, m in epubcheck_many(books).items() if m} == {}


def test_nesting_is_cut_at_the_limit_and_everyday_markup_is_left_alone() -> None:
    from ficbook.xhtml.sanitize import MAX_DEPTH, _limit_depth

    paragraphs = '<p>a <em>b</em> <a title="x>y">c</a><br/></p>' * 300
    assert _limit_depth(paragraphs) == paragraphs
    over = MAX_DEPTH + 10
    assert _limit_depth("<span>" * over + "core" + "</span>" * over) == \
        "<span>" * MAX_DEPTH + "core" + "</span>" * MAX_DEPTH
    # Deep by opening a new level beside each finished paragraph.
    stairs = "<div><p>x</p>" * over + "</div>" * over
    cut = _limit_depth(stairs)
    assert cut.count("<div>") == MAX_DEPTH and cut.count("x") == over  # every word kept
