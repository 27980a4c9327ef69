"""The batch manifest: one book at a time on record, one batch per folder, old manifests read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ficbook.cache.manifest import MANIFEST, Entry, Manifest
from ficbook.errors import BuildError
from ficbook.pipeline.batch import batch


def test_each_book_is_on_record_as_soon_as_it_is_placed(tmp_path: Path) -> None:
    with Manifest(tmp_path) as manifest:
        manifest.built("/fics/a.txt", "k1", ["A - amy.epub"])
        manifest.failed("/fics/b.txt", "k2", "the file is empty")
        assert manifest.get("/fics/a.txt") == Entry("k1", ("A - amy.epub",))
        assert manifest.owner("A - amy.epub") == "/fics/a.txt"
        manifest.built("/fics/a.txt", "k3", ["A, Retitled - amy.epub"])
        assert manifest.owner("A - amy.epub") is None  # the old name is free again
    with Manifest(tmp_path) as reopened:
        assert reopened.entries() == {
            "/fics/a.txt": Entry("k3", ("A, Retitled - amy.epub",)),
            "/fics/b.txt": Entry("k2", (), "the file is empty")}
        reopened.forget("/fics/b.txt")
        assert reopened.get("/fics/b.txt") is None


def test_a_batch_killed_mid_run_leaves_every_placed_book_on_record(tmp_path: Path) -> None:
    killed = subprocess.run([sys.executable, "-c", (
        "import os, sys; from pathlib import Path; from ficbook.cache.manifest import Manifest\n"
        "m = Manifest(Path(sys.argv[1])); m.built('/fics/a.txt', 'k1', ['A - amy.epub'])\n"
        "os._exit(9)  # no close, no clean exit: as kill -9 would end it"), str(tmp_path)],
        check=False)
    assert killed.returncode == 9
    with Manifest(tmp_path) as manifest:
        assert manifest.get("/fics/a.txt") == Entry("k1", ("A - amy.epub",))


def test_a_second_batch_into_the_same_folder_is_one_clear_line(tmp_path: Path) -> None:
    with Manifest(tmp_path), pytest.raises(BuildError, match="another batch is writing"):
        Manifest(tmp_path)


def test_a_damaged_manifest_is_set_aside_and_every_book_built_again(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_bytes(b"not a database at all" * 100)
    with Manifest(tmp_path) as manifest:
        assert manifest.entries() == {}
    assert (tmp_path / ".ficbook-batch.damaged").is_file()


def test_a_manifest_from_before_sqlite_is_taken_over(tmp_path: Path) -> None:
    fics = tmp_path / "fics"
    fics.mkdir()
    (fics / "one.txt").write_text("Title: One\nAuthor: amy\n\nText.\n")
    library = tmp_path / "library"
    batch([fics], library, jobs=1)
    with Manifest(library) as manifest:
        entries = manifest.entries()
    (library / MANIFEST).unlink()
    old = {"ficbook": "0.1.0", "books": {k: {"key": e.key, "outputs": list(e.outputs)}
                                         for k, e in entries.items()}}
    (library / ".ficbook-batch.json").write_text(json.dumps(old))
    again = batch([fics], library, jobs=1)
    assert again.skipped_count == 1 and again.built_count == 0
    assert not (library / ".ficbook-batch.json").exists()
