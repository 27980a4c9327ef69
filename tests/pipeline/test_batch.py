"""`ficbook batch`: one book per story, broken ones reported, up-to-date ones skipped."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from ficbook.cache.manifest import MANIFEST, Manifest
from ficbook.cli import cli
from ficbook.errors import EXIT_PARTIAL
from ficbook.options import BuildOptions
from ficbook.pipeline.batch import batch


def story(title: str, author: str = "amy", words: str = "A short story.") -> str:
    return f"Title: {title}\nAuthor: {author}\nFandom: Tidewater\n\n{words}\n\nThe End\n"


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    folder = tmp_path / "saved-fics"
    (folder / "old").mkdir(parents=True)
    (folder / "one.txt").write_text(story("One"))
    (folder / "two.txt").write_text(story("Two", "bob"))
    (folder / "old" / "three.txt").write_text(story("Three"))
    (folder / "same-title.txt").write_text(story("One"))  # same title and author as one.txt
    (folder / "empty.txt").write_text("")
    (folder / "header-only.txt").write_text("Title: Nothing\nAuthor: amy\n")
    (folder / "notes.xyz").write_text("not a story")  # not a story format: not an input
    return folder


def test_batch_builds_the_good_reports_the_broken_and_skips_on_the_second_run(
        saved: Path, tmp_path: Path) -> None:
    library = tmp_path / "library"
    runner = CliRunner()
    first = runner.invoke(cli, ["batch", str(saved), "-o", str(library), "-f", "epub", "-j", "2"])
    assert first.exit_code == EXIT_PARTIAL, first.output
    assert "4 built, 0 up to date (skipped), 2 failed" in first.stdout
    assert f"{saved / 'empty.txt'}: the file is empty" in first.stderr
    assert f"{saved / 'header-only.txt'}: the header has no story under it" in first.stderr
    books = sorted(p.name for p in library.iterdir() if not p.name.startswith("."))
    assert books == ["One - amy (2).epub", "One - amy.epub", "Three - amy.epub", "Two - bob.epub"]
    assert [p.name for p in library.iterdir() if p.name.startswith(".")] == [MANIFEST]

    second = runner.invoke(cli, ["batch", str(saved), "-o", str(library), "-j", "2"])
    assert second.exit_code == EXIT_PARTIAL
    assert "0 built, 4 up to date (skipped), 2 failed" in second.stdout
    assert "unchanged since the last run" in second.stderr

    (saved / "two.txt").write_text(story("Two", "bob", "Edited."))
    third = batch([saved], library, jobs=1)
    assert [p.name for p, _ in third.built] == ["two.txt"] and len(third.skipped) == 3
    forced = batch([saved], library, jobs=1, force=True)
    assert len(forced.built) == 4 and not forced.skipped
    # Names stay with their inputs across runs.
    with Manifest(library) as manifest:
        outputs = {Path(k).name: e.outputs for k, e in manifest.entries().items()}
    assert outputs["same-title.txt"] == ("One - amy (2).epub",)


def test_interrupted_batch_keeps_finished_books_and_leaves_no_partial_file(
        saved: Path, tmp_path: Path) -> None:
    library = tmp_path / "library"

    def interrupt(path: Path, done: int, total: int, status: str) -> None:
        if status == "built":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch([saved], library, jobs=1, progress=interrupt)
    left = sorted(p.name for p in library.iterdir())
    assert left == [MANIFEST, "Three - amy.epub"]  # no temp folder, no half a book
    again = batch([saved], library, jobs=1)
    assert len(again.skipped) == 1 and len(again.built) == 3


def test_a_folder_of_chapter_files_is_one_book(tmp_path: Path) -> None:
    from ficbook import build, read_story
    from ficbook.pipeline.read import is_chapter_folder

    saved = tmp_path / "saved"
    fic = saved / "the-long-road"
    fic.mkdir(parents=True)
    (fic / "ch01.txt").write_text("Title: The Long Road\nAuthor: walker\nSummary: A walk.\n\n"
                                  "They set out at dawn.\n")
    (fic / "ch02.txt").write_text("Evening came slowly.\n\n* * *\n\nThey camped.\n")
    (fic / "ch10.txt").write_text("Chapter 10: Home\n\nThey came home.\n\nThe End\n")
    # Numbered files that are separate stories (each names itself) stay separate books.
    (saved / "story1.txt").write_text(story("First Light"))
    (saved / "story2.txt").write_text(story("Second Wind"))
    assert not is_chapter_folder([saved / "story1.txt", saved / "story2.txt"])

    result = batch([saved], tmp_path / "library", BuildOptions(), jobs=1)
    assert sorted(p.name for _, paths in result.built for p in paths) == [
        "First Light - amy.epub", "Second Wind - amy.epub", "The Long Road - walker.epub"]
    book = read_story(tmp_path / "library" / "The Long Road - walker.epub")
    assert [c.title for c in book.chapters] == ["Chapter 1", "Chapter 2", "Chapter 10: Home"]
    assert book.metadata.summary == "A walk." and book.end_mark == "The End"

    # Editing one chapter rebuilds that book only.
    (fic / "ch02.txt").write_text("Evening came quickly.\n")
    again = batch([saved], tmp_path / "library", BuildOptions(), jobs=1)
    assert [p.name for p, _ in again.built] == ["the-long-road"] and len(again.skipped) == 2

    [single] = build([fic], tmp_path / "one")
    assert single.name == "The Long Road - walker.epub"


def test_batch_takes_pdf_options_and_checks_the_theme_once(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(story("Alpha"))
    bad = runner.invoke(cli, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                              "--option", "nope=1"])
    assert bad.exit_code == 3 and "unknown theme option 'nope'" in bad.output
    assert not (tmp_path / "out").exists()
    ok = runner.invoke(cli, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                             "-f", "epub,pdf", "--page-size", "6x9in", "-j", "1"])
    assert ok.exit_code == 0, ok.output
    assert sorted(p.name for p in (tmp_path / "out").glob("Alpha*")) == [
        "Alpha - amy.epub", "Alpha - amy.pdf"]


def test_a_retitled_story_frees_its_old_name_for_another(saved: Path, tmp_path: Path) -> None:
    library = tmp_path / "library"
    batch([saved], library, jobs=2)
    (saved / "two.txt").write_text(story("Two, Revised", "bob"))
    (saved / "four.txt").write_text(story("One"))  # a third "One - amy": it takes (3)
    second = batch([saved], library, jobs=2)
    assert sorted(p.name for p, _ in second.built) == ["four.txt", "two.txt"]
    books = sorted(p.name for p in library.glob("*.epub"))
    assert books == ["One - amy (2).epub", "One - amy (3).epub", "One - amy.epub",
                     "Three - amy.epub", "Two, Revised - bob.epub"]
    (saved / "five.txt").write_text(story("Two", "bob"))  # the freed name is free again
    third = batch([saved], library, jobs=1)
    assert [fs[0].name for _, fs in third.built] == ["Two - bob.epub"]


def test_numbered_unrelated_stories_are_told_apart_at_the_second_header(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A saved-fics folder of 0001.txt ... 3000.txt must not cost a header read per file."""
    from ficbook.pipeline import read as chapters

    files = []
    for n in range(1, 51):
        files.append(tmp_path / f"{n:04d}.txt")
        files[-1].write_text(story(f"Story {n} of Many Different Names"))
    read: list[Path] = []
    real = chapters._header_title

    def counting(path: Path) -> str | None:
        read.append(path)
        return real(path)

    monkeypatch.setattr(chapters, "_header_title", counting)
    assert chapters.group_chapter_folders(files) == files
    assert read == files[:2]


def test_chapter_files_named_one_by_one_never_pull_in_the_rest_of_their_folder(
        tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ch01.txt").write_text("Title: Long Road\nAuthor: a\n\nOne.\n")
    (folder / "ch02.txt").write_text("Two.\n")
    (folder / "notes.txt").write_text(story("Unrelated Thing", "zed", "ZZUNRELATED"))
    result = batch([folder / "ch01.txt", folder / "ch02.txt"], tmp_path / "out", jobs=1)
    # Not the whole folder as one book: each file named is built, and nothing else.
    assert sorted(p.name for p, _ in result.built) == ["ch01.txt", "ch02.txt"]
    books = [p for _, paths in result.built for p in paths]
    assert not any(b"ZZUNRELATED" in zipfile.ZipFile(b).read(n) for b in books
                   for n in zipfile.ZipFile(b).namelist())


def test_an_output_that_is_a_file_is_one_clear_line(saved: Path) -> None:
    result = CliRunner().invoke(cli, ["batch", str(saved), "-o", str(saved / "one.txt")])
    assert result.exit_code == 4
    assert result.output.strip() == (f"ficbook: error: {saved / 'one.txt'}: is a file: a batch "
                                     "writes its books into a folder")


def test_books_made_by_other_ficbook_code_are_built_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest keys a book on ficbook's code, not its version number: a renderer edited
    since the last run rebuilds the books it made, unchanged inputs and options or not."""
    from ficbook import cache

    (tmp_path / "fics").mkdir()
    (tmp_path / "fics" / "one.txt").write_text(story("One"))
    library = tmp_path / "library"
    assert len(batch([tmp_path / "fics"], library, jobs=1).built) == 1
    assert len(batch([tmp_path / "fics"], library, jobs=1).skipped) == 1
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "an edited renderer")
    again = batch([tmp_path / "fics"], library, jobs=1)
    assert [p.name for p, _ in again.built] == ["one.txt"] and not again.skipped
