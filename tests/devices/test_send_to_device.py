"""--send: the right format lands in the right folder of a Kobo or a Kindle, never over
another work, replacing the same work's older copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SAMPLES
from validate import epubcheck_many

from ficbook.cli import cli
from ficbook.devices import KINDLE, KOBO, Device, find_device, find_devices
from ficbook.errors import InputError
from ficbook.pipeline.send import SENT_RECORD, identifier_of, send_book

FERRY = FIXTURES / "kepub" / "the-night-ferry.txt"
FERRY_BOOK = "The Night Ferry - slow_tide_writes"
has_calibre = shutil.which("ebook-convert") is not None


def kobo(root: Path) -> Path:
    (root / ".kobo").mkdir(parents=True)
    return root


def kindle(root: Path) -> Path:
    for folder in ("documents", "system"):
        (root / folder).mkdir(parents=True)
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def test_a_kobo_gets_the_kepub_at_its_top(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    device = kobo(tmp_path / "KOBOeReader")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    code, output = run("build", FERRY, "--device", device)
    assert code == 0, output
    book = device / f"{FERRY_BOOK}.kepub.epub"
    assert output.strip() == f"sent: {book} (Kobo)"
    assert epubcheck_many([book]) == {book: []}
    # Without -o only the device has the book: nothing was written here.
    assert sorted(p.name for p in device.iterdir()) == sorted([".kobo", SENT_RECORD, book.name])
    assert list(here.iterdir()) == []


def test_a_kindle_gets_its_format_in_documents(tmp_path: Path) -> None:
    device = kindle(tmp_path / "Kindle")
    code, output = run("build", FERRY, "--send", "--device", device)
    assert code == 0, output
    made = sorted(p.name for p in (device / "documents").iterdir() if p.name != SENT_RECORD)
    if has_calibre:
        assert made == [f"{FERRY_BOOK}.azw3"]
        assert (device / "documents" / made[0]).read_bytes()[60:68] == b"BOOKMOBI"
    else:
        assert made == [f"{FERRY_BOOK}.epub"]
        assert "install calibre for AZW3" in output


def test_sending_again_replaces_the_same_works_older_copy(tmp_path: Path) -> None:
    device = kobo(tmp_path / "KOBOeReader")
    story = tmp_path / "ferry.txt"
    story.write_text(FERRY.read_text(encoding="utf-8"), encoding="utf-8")
    run("build", story, "--device", device)
    book = device / f"{FERRY_BOOK}.kepub.epub"
    first = book.read_bytes()
    # The author fixed a typo: the same work, new text.
    story.write_text(story.read_text(encoding="utf-8").replace("stepped ashore",
                                                               "stepped onto the quay"))
    code, output = run("build", story, "--device", device)
    assert code == 0, output
    assert book.read_bytes() != first and b"stepped onto the quay" not in first
    assert [p.name for p in device.glob("*.kepub.epub")] == [book.name]
    # The same bytes again: nothing is copied.
    code, output = run("build", story, "--device", device)
    assert output.startswith("already there:")


def test_another_work_with_the_same_name_is_never_overwritten(tmp_path: Path) -> None:
    device = kobo(tmp_path / "KOBOeReader")
    theirs = device / f"{FERRY_BOOK}.kepub.epub"
    theirs.write_bytes(b"someone else's book, bought in the Kobo store")
    code, output = run("build", FERRY, "--device", device)
    assert code == 0, output
    assert theirs.read_bytes() == b"someone else's book, bought in the Kobo store"
    ours = device / f"{FERRY_BOOK} (2).kepub.epub"
    assert output.strip() == f"sent: {ours} (Kobo)"
    # A different work that ficbook made, named the same: told apart by its identifier.
    other = SAMPLES / "lanterns-at-low-tide.txt"
    (device / "Lanterns at Low Tide - quiet_harbour.kepub.epub").write_bytes(
        ours.read_bytes())  # the ferry's book under the lanterns' name
    code, output = run("build", other, "--device", device)
    assert "Lanterns at Low Tide - quiet_harbour (2).kepub.epub" in output
    assert identifier_of(device / "Lanterns at Low Tide - quiet_harbour.kepub.epub") == \
        identifier_of(ours)


def test_an_epub_sent_earlier_goes_when_the_same_work_comes_as_another_format(
        tmp_path: Path) -> None:
    device = Device(KINDLE, kindle(tmp_path / "Kindle"))
    old = tmp_path / "old.epub"
    old.write_bytes(b"old")
    send_book(old, "urn:uuid:1", device)
    new = tmp_path / "new.azw3"
    new.write_bytes(b"new")
    sent = send_book(new, "urn:uuid:1", device)
    assert sent.path == device.books / "new.azw3"
    assert sent.replaced == (device.books / "old.epub",)
    assert sorted(p.name for p in device.books.iterdir()) == [SENT_RECORD, "new.azw3"]


def test_batch_send_does_a_whole_folder(tmp_path: Path) -> None:
    device = kobo(tmp_path / "KOBOeReader")
    stories = tmp_path / "fics"
    stories.mkdir()
    for name in ("lanterns-at-low-tide.txt", "the-cartographers-apprentice.txt"):
        shutil.copy(SAMPLES / name, stories / name)
    code, output = run("batch", stories, "-o", tmp_path / "library", "--device", device)
    assert code == 0, output
    assert sorted(p.name for p in device.glob("*.kepub.epub")) == [
        "Lanterns at Low Tide - quiet_harbour.kepub.epub",
        "The Cartographer’s Apprentice - inkwell_and_compass.kepub.epub"]
    assert output.count("sent: ") == 2
    # Again: the books are up to date in the library and on the device.
    code, output = run("batch", stories, "-o", tmp_path / "library", "--device", device)
    assert code == 0 and output.count("already there: ") == 2


def test_devices_are_found_where_desktops_mount_them(tmp_path: Path) -> None:
    kobo(tmp_path / "media" / "KOBOeReader")
    kindle(tmp_path / "media" / "Kindle")
    (tmp_path / "media" / "USB STICK").mkdir()
    found = find_devices([tmp_path / "media"])
    assert sorted((d.kind, d.root.name) for d in found) == [(KINDLE, "Kindle"),
                                                           (KOBO, "KOBOeReader")]
    with pytest.raises(InputError, match=r"2 e-readers found.*choose one with --device"):
        find_device(roots=[tmp_path / "media"])


def test_no_device_is_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no Kobo or Kindle found"):
        find_device(roots=[tmp_path])
    code, output = run("build", FERRY, "--device", tmp_path)
    assert code == 3
    assert output.strip() == (f"ficbook: error: {tmp_path}: is not a Kobo or a Kindle: it has "
                              "no .kobo folder, nor documents and system folders (give the "
                              "top of the device)")
