"""Rebuilding an anthology after one edit: only that story is parsed and its pages deflated
again, and the book is byte for byte the one a build from nothing gives."""

from __future__ import annotations

import random
import tempfile
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from harbour import write_anthology
from validate import epubcheck_messages

from ficbook import build, cache, ingest
from ficbook.backends.epub import archive as epub_zip
from ficbook.backends.epub.archive import Member, pack
from ficbook.options import BuildOptions


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The story files each build parsed (the others came from the cache)."""
    names: list[str] = []
    real = ingest.read_story

    def read_story(path: Path, reader: str | None = None) -> object:
        names.append(path.name)
        return real(path, reader)

    monkeypatch.setattr(ingest, "read_story", read_story)
    return names


@pytest.fixture
def deflated(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many zip entries were deflated (not reused from the last build)."""
    count: list[int] = []

    def counting(*args: int) -> object:
        count.append(1)
        return zlib.compressobj(*args)

    # Only the EPUB writer's own zlib: zipfile (inside ebooklib) keeps the real one.
    monkeypatch.setattr(epub_zip, "zlib", SimpleNamespace(
        compressobj=counting, crc32=zlib.crc32, DEFLATED=zlib.DEFLATED))
    return count


def test_one_edited_story_is_all_a_rebuild_parses_and_the_book_matches_a_cold_build(
        tmp_path: Path, parsed: list[str], deflated: list[int],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A cache of its own: the session's may hold these stories already (test_watch's).
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    [book] = build([toml], tmp_path / "out" / "harbour.epub")
    assert sorted(parsed) == [f"story-{n}.txt" for n in range(1, 6)]
    entries = len(zipfile.ZipFile(book).namelist())

    edited = tmp_path / "zine" / "story-3.txt"
    edited.write_text(edited.read_text().replace("the bell answered", "the bell rang back"))
    parsed.clear()
    deflated.clear()
    build([toml], book)
    assert parsed == ["story-3.txt"]
    # Only the edited story's four pages are deflated again: the OPF and NCX are unchanged,
    # since a book keeps its identifier when a story's text changes.
    assert len(deflated) == 4 and entries > 30

    [cold] = build([toml], tmp_path / "cold.epub", BuildOptions(cache=False))
    assert book.read_bytes() == cold.read_bytes()
    assert "the bell rang back" in zipfile.ZipFile(book).read(
        "EPUB/text/s003-c001.xhtml").decode()
    assert epubcheck_messages(book) == []


def test_a_damaged_cache_costs_time_never_the_book(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    [first] = build([toml], tmp_path / "a.epub")
    good = first.read_bytes()
    damaged = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert {p.suffix for p in damaged} >= {".pickle", ".cache"}  # stories, zip, templates
    rng = random.Random(7)
    for cut in (7, 20, 500):  # truncated, and then garbage of every kind
        for entry in damaged:
            entry.write_bytes(entry.read_bytes()[:cut] if cut < 500 else rng.randbytes(cut))
        [again] = build([toml], tmp_path / "a.epub")
        assert again.read_bytes() == good

    # A cache folder nothing can be written into (a full disk, a read-only mount).
    cache = tmp_path / "cache-2"

    def refusing(real: Any) -> Any:
        def make(*args: Any, **kwargs: Any) -> Any:
            if str(kwargs.get("dir", "")).startswith(str(cache)):
                raise PermissionError(13, "Permission denied")
            return real(*args, **kwargs)
        return make

    monkeypatch.setattr("tempfile.mkstemp", refusing(tempfile.mkstemp))
    monkeypatch.setattr("tempfile.NamedTemporaryFile", refusing(tempfile.NamedTemporaryFile))
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(cache))
    [third] = build([toml], tmp_path / "b.epub")
    assert third.read_bytes() == good


def test_no_cache_reads_and_writes_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    build([toml], tmp_path / "a.epub", BuildOptions(cache=False))
    assert not (tmp_path / "cache").exists()


def test_the_zip_is_mimetype_first_stored_then_every_entry_readable(tmp_path: Path) -> None:
    data = b"<html>caf\xc3\xa9</html>" * 100
    entries = epub_zip.members([("EPUB/text/caf\u00e9.xhtml", data),
                                ("mimetype", b"application/epub+zip"),
                                ("EPUB/images/a.jpg", b"\xff\xd8jpeg")])
    (tmp_path / "t.zip").write_bytes(pack(entries))
    with zipfile.ZipFile(tmp_path / "t.zip") as z:
        assert z.testzip() is None
        first = z.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert z.read("EPUB/text/caf\u00e9.xhtml") == data
        assert z.getinfo("EPUB/text/caf\u00e9.xhtml").compress_type == zipfile.ZIP_DEFLATED
        assert z.getinfo("EPUB/images/a.jpg").compress_type == zipfile.ZIP_STORED
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
    assert isinstance(entries[0], Member)


def test_a_cache_entry_others_could_have_written_is_never_unpickled(
        tmp_path: Path, parsed: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Unpickling runs code: an entry in a shared or world-writable cache is parsed afresh."""
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    build([toml], tmp_path / "a.epub")
    for entry in (tmp_path / "cache" / "stories").glob("*.pickle"):
        entry.chmod(0o666)
    cache._LOADED.clear()  # as a new process: nothing loaded yet
    parsed.clear()
    build([toml], tmp_path / "a.epub")
    assert sorted(parsed) == [f"story-{n}.txt" for n in range(1, 6)]


def test_the_cache_keeps_to_its_size_dropping_what_was_used_longest_ago(tmp_path: Path) -> None:
    import os

    folder = tmp_path / "cache" / "stories"
    folder.mkdir(parents=True)
    for n in range(10):
        entry = folder / f"{n}.pickle"
        entry.write_bytes(bytes(1000))
        os.utime(entry, (1_000_000 + n, 1_000_000 + n))  # 0 is the least recently used
    cache.prune("stories", limit=5000, folder=tmp_path / "cache")
    assert sorted(int(p.stem) for p in folder.iterdir()) == [7, 8, 9]  # down to 3/4 of 5000
    cache.prune("stories", limit=5000, folder=tmp_path / "cache")
    assert len(list(folder.iterdir())) == 3  # under the limit: nothing more goes


def test_a_drawn_cover_is_kept_and_drawn_again_only_when_its_words_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ficbook.theme import cover_draw

    drawn: list[str] = []
    real = cover_draw.draw

    def draw(*args: Any) -> tuple[bytes, bool]:
        drawn.append(args[4])  # the title
        return real(*args)

    monkeypatch.setattr(cover_draw, "draw", draw)
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    [book] = build([toml], tmp_path / "a.epub")
    story = tmp_path / "zine" / "story-2.txt"
    story.write_text(story.read_text() + "\n\nOne more boat.\n")
    build([toml], book)
    assert drawn == ["Harbour Lights"]
    [cold] = build([toml], tmp_path / "cold.epub", BuildOptions(cache=False))
    assert book.read_bytes() == cold.read_bytes()

    toml.write_text(toml.read_text().replace("Harbour Lights", "Harbour Lights Again"))
    [renamed] = build([toml], book)
    assert drawn == ["Harbour Lights", "Harbour Lights", "Harbour Lights Again"]
    assert zipfile.ZipFile(renamed).read("EPUB/images/cover.png") != \
        zipfile.ZipFile(cold).read("EPUB/images/cover.png")


def test_a_cover_drawn_with_an_installed_font_is_not_kept(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Letters the theme's font lacks come from whatever fontconfig finds, which can change.
    from ficbook.theme import cover_draw

    calls: list[int] = []
    real = cover_draw.draw

    def draw(*args: Any) -> tuple[bytes, bool]:
        calls.append(1)
        return real(*args)[0], True

    monkeypatch.setattr(cover_draw, "draw", draw)
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    build([toml], tmp_path / "a.epub")
    build([toml], tmp_path / "a.epub")
    assert len(calls) == 2


def test_package_documents_are_written_again_only_when_what_they_list_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ficbook.backends.epub import package as epub_package

    written: list[int] = []
    real = epub_package._PackageWriter.process

    def process(self: Any) -> None:
        written.append(1)
        real(self)

    monkeypatch.setattr(epub_package._PackageWriter, "process", process)
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    [book] = build([toml], tmp_path / "a.epub")
    story = tmp_path / "zine" / "story-4.txt"
    story.write_text(story.read_text().replace("the bell answered", "the bell was still"))
    build([toml], book)
    assert len(written) == 1  # the OPF, NCX and nav list no chapter text

    story.write_text(story.read_text().replace("Title: Nine Bells", "Title: Ten Bells"))
    build([toml], book)
    assert len(written) == 2
    nav = zipfile.ZipFile(book).read("EPUB/nav.xhtml").decode()
    assert "Ten Bells" in nav and "Nine Bells" not in nav
    [cold] = build([toml], tmp_path / "cold.epub", BuildOptions(cache=False))
    assert book.read_bytes() == cold.read_bytes()


def test_unchanged_stories_pages_are_not_rendered_again_and_every_edit_still_shows(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from ficbook.theme import builtin_themes_dir
    from ficbook.theme import render as render_module

    rendered: list[str] = []
    real = render_module._render

    def counting(env: Any, theme: Any, template: str, **context: Any) -> str:
        rendered.append(template)
        return real(env, theme, template, **context)

    monkeypatch.setattr(render_module, "_render", counting)
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    theme = tmp_path / "mine"
    (theme / "templates").mkdir(parents=True)
    (theme / "theme.toml").write_text('name = "mine"\ninherit = "default"\n')
    shutil.copy(builtin_themes_dir() / "default" / "templates" / "chapter.xhtml",
                theme / "templates" / "chapter.xhtml")
    options = BuildOptions(theme=str(theme))
    book = tmp_path / "out" / "harbour.epub"

    def rebuild_matches_a_cold_build() -> list[str]:
        rendered.clear()
        build([toml], book, options)
        again = list(rendered)
        [cold] = build([toml], tmp_path / "cold.epub", replace(options, cache=False))
        assert book.read_bytes() == cold.read_bytes()
        return again

    build([toml], book, options)
    everything = len(rendered)
    assert everything == 25  # 5 stories of a title page and 3 chapters, and 5 book pages
    assert "chapter.xhtml" not in rebuild_matches_a_cold_build()  # nothing changed

    story = tmp_path / "zine" / "story-3.txt"
    story.write_text(story.read_text().replace("the bell answered", "the bell rang once"))
    assert sorted(rebuild_matches_a_cold_build()).count("chapter.xhtml") == 3  # story 3's
    fourth = tmp_path / "zine" / "story-4.txt"  # a line after "The End": no end mark now
    fourth.write_text(fourth.read_text() + "\nAn editor's note.\n")
    assert sorted(rebuild_matches_a_cold_build()).count("chapter.xhtml") == 3  # story 4's

    # What a story's pages show of the rest of the book: every story is rendered again.
    other = tmp_path / "zine" / "story-5.txt"
    other.write_text(other.read_text().replace("Title: Low Water", "Title: Slack Water"))
    assert len(rebuild_matches_a_cold_build()) == everything
    toml.write_text(toml.read_text() + 'sort = "title"\n')  # every story moves
    assert len(rebuild_matches_a_cold_build()) == everything
    chapter = theme / "templates" / "chapter.xhtml"
    chapter.write_text(chapter.read_text().replace('<div class="text">',
                                                   '<div class="text" data-edited="yes">'))
    assert len(rebuild_matches_a_cold_build()) == everything
    assert b'data-edited="yes"' in zipfile.ZipFile(book).read("EPUB/text/s001-c001.xhtml")
    options = replace(options, theme_options={"show_colophon": False})
    assert len(rebuild_matches_a_cold_build()) == everything - 1  # no colophon
    assert epubcheck_messages(book) == []


def test_a_cover_with_letters_the_themes_font_lacks_is_drawn_again_next_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Drawn as boxes while no installed font has them: the user's fix is to install one.
    from ficbook.theme import cover_draw

    monkeypatch.setattr(cover_draw, "_system_font", lambda char: None)
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    post = tmp_path / "shalom.txt"
    post.write_text("Title: שלום עולם\nAuthor: gull_wing\n\nThe tide came in.\n")
    build([post], tmp_path / "a.epub")
    assert not list((tmp_path / "cache" / "covers").glob("*.pickle"))
    post.write_text("Title: Salt Roads\nAuthor: gull_wing\n\nThe tide came in.\n")
    build([post], tmp_path / "b.epub")
    assert len(list((tmp_path / "cache" / "covers").glob("*.pickle"))) == 1


def test_a_story_from_the_cache_reads_its_text_only_when_something_asks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib
    import pickle

    from ficbook.errors import InputError
    from ficbook.model import Chapter

    monkeypatch.setattr(cache, "_LOADED", {})  # this process's memo would hide the cache
    folder = tmp_path / "cache"
    path = tmp_path / "story.txt"
    path.write_text("Title: Low Water\nAuthor: writer\n\nChapter 1\n\nThe flats, at dawn.\n\n"
                    "Chapter 2\n\n\"Again,\" she said -- and the bell answered.\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    parsed = cache.read_and_keep(path, digest, folder=folder)
    unpickled: list[str] = []
    real = cache.load_pickle

    def counting(entry: Path) -> object:
        unpickled.append(entry.name)
        return real(entry)

    monkeypatch.setattr(cache, "load_pickle", counting)
    cache._LOADED.clear()
    story = cache.cached_story(path, digest, folder=folder)
    assert story is not None
    assert [c.title for c in story.chapters] == [c.title for c in parsed.chapters]
    assert (story.counted_words, story.text_digest) == (parsed.counted_words, parsed.text_digest)
    assert all(name.endswith(".outline.pickle") for name in unpickled)  # no text yet
    assert story == parsed and story.chapters[1].body == parsed.chapters[1].body
    assert len(unpickled) == 2  # the text, once, when the first body was read
    # Sent to another process (a PDF part) or copied, a chapter is an ordinary one.
    sent = pickle.loads(pickle.dumps(story))
    assert sent == parsed and type(sent.chapters[0]) is Chapter
    assert type(replace(story.chapters[0], title="One")) is Chapter

    # Pruning took one file of the two: the other does not make a hit of half a story...
    fulls = [e for e in (folder / "stories").glob("*.pickle")
             if not e.name.endswith(".outline.pickle")]
    outlines = list((folder / "stories").glob("*.outline.pickle"))
    for outline in outlines:
        outline.unlink()
    cache._LOADED.clear()
    whole = cache.cached_story(path, digest, folder=folder)
    assert whole is not None and whole == parsed
    assert all(o.exists() for o in outlines)  # ...and an outline is written again
    for full in fulls:
        full.unlink()
    cache._LOADED.clear()
    assert cache.cached_story(path, digest, folder=folder) is None  # parsed and kept anew

    # The text went from the cache while a build ran, and the file changed: a clear error,
    # and the next build parses the file again.
    cache.read_and_keep(path, digest, folder=folder)
    cache._LOADED.clear()
    changed = cache.cached_story(path, digest, folder=folder)
    assert changed is not None
    for full in fulls:
        full.unlink()
    path.write_text(path.read_text().replace("dawn", "dusk"))
    with pytest.raises(InputError, match="changed while the book was being built"):
        changed.chapters[0].body  # noqa: B018
    cache._LOADED.clear()
    assert cache.cached_story(path, digest, folder=folder) is None


def test_a_story_moved_while_watching_reads_its_text_from_where_it_is_now(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.setattr(cache, "_LOADED", {})  # what `build --watch` keeps between builds
    folder = tmp_path / "cache"
    old, new = tmp_path / "a.txt", tmp_path / "b.txt"
    old.write_text("Title: Gull Weather\nAuthor: writer\n\nThe gulls, at noon.\n")
    digest = hashlib.sha256(old.read_bytes()).hexdigest()
    cache.read_and_keep(old, digest, folder=folder)
    cache._LOADED.clear()
    assert cache.cached_story(old, digest, folder=folder) is not None
    old.rename(new)
    moved = cache.cached_story(new, digest, folder=folder)
    assert moved is not None and moved.source == new
    for full in (folder / "stories").glob("*.pickle"):
        if not full.name.endswith(".outline.pickle"):
            full.unlink()  # the text must now come from the file itself: the one at b.txt
    assert "The gulls, at noon." in moved.chapters[0].body


def test_an_unchanged_rebuild_unpickles_the_text_of_no_story_but_the_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FICBOOK_CACHE_DIR", str(tmp_path / "cache"))
    toml = write_anthology(tmp_path / "zine")
    [book] = build([toml], tmp_path / "harbour.epub")
    good = book.read_bytes()
    texts: list[str] = []
    real = cache.load_pickle

    def counting(entry: Path) -> object:
        if entry.parent.name == "stories" and not entry.name.endswith(".outline.pickle"):
            texts.append(entry.name)
        return real(entry)

    monkeypatch.setattr(cache, "load_pickle", counting)
    monkeypatch.setattr(cache, "_LOADED", {})
    [again] = build([toml], book)
    assert again.read_bytes() == good
    # Every story's pages came from the zip cache; the first story's opening still tells
    # which way the book reads (left to right, or right to left).
    assert len(texts) == 1
