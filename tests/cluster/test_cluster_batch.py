"""`ficbook batch --cluster`: the same books as the local batch, built on Dask workers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from batchstories import books, write_library
from click.testing import CliRunner

from ficbook.cli import cli
from ficbook.errors import EXIT_PARTIAL
from ficbook.pipeline.batch import batch


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler with two worker processes, as a cluster elsewhere would be (its workers keep
    a ficbook cache of their own)."""
    from distributed import LocalCluster

    cache = tmp_path_factory.mktemp("worker-cache")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", env={"FICBOOK_CACHE_DIR": str(cache)}) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path_factory.mktemp("saved") / "fics")


@pytest.fixture(scope="module")
def local_books(library: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("local") / "books"
    batch([library], out, jobs=2)
    return books(out)


def test_a_local_cluster_builds_the_bytes_of_the_local_batch(
        library: Path, local_books: dict[str, bytes], tmp_path: Path) -> None:
    out = tmp_path / "books"
    result = CliRunner().invoke(cli, ["batch", str(library), "-o", str(out),
                                      "--cluster", "local:2"])
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "27 built, 0 up to date (skipped), 1 failed" in result.stdout
    assert f"ficbook: failed: {library / 'broken.txt'}: the file is empty" in result.stderr
    made = books(out)
    assert sorted(made) == sorted(local_books) and len(made) == 27
    assert made == local_books  # names and bytes: the picture beside voyage.md travelled too
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        ".ficbook-batch.db"]  # no temporary folder left


def test_up_to_date_books_are_skipped_whichever_engine_made_them(
        library: Path, scheduler: str, tmp_path: Path) -> None:
    out = tmp_path / "books"
    first = batch([library], out, jobs=2)
    assert first.built_count == 27
    again = batch([library], out, cluster=scheduler)
    assert again.built_count == 0 and again.skipped_count == 27
    assert [f.message for _, f in again.failed] == [
        "the file is empty: there is no story to build (unchanged since the last run)"]

    edited = library / "story-003.txt"
    before = edited.read_text()
    try:
        edited.write_text(before.replace("The End", "Later, the end."))
        on_cluster = batch([library], out, cluster=scheduler)
        assert [p.name for p, _ in on_cluster.built] == ["story-003.txt"]
        assert batch([library], out, jobs=2).skipped_count == 27
    finally:
        edited.write_text(before)


def test_shared_fs_workers_read_and_write_the_files_themselves(
        library: Path, scheduler: str, local_books: dict[str, bytes], tmp_path: Path) -> None:
    out = tmp_path / "books"
    result = batch([library], out, cluster=scheduler, shared_fs=True)
    assert result.built_count == 27 and books(out) == local_books


def test_a_list_file_names_the_inputs_one_a_line(
        library: Path, scheduler: str, local_books: dict[str, bytes], tmp_path: Path) -> None:
    listed = tmp_path / "archive.txt"
    listed.write_text(f"# two stories and a folder\n{library / 'story-001.txt'}\n\n"
                      f"{library / 'long-road'}\n{library / 'missing.txt'}\n"
                      f"{library / 'pictured' / 'voyage.md'}\n")
    out = tmp_path / "books"
    result = CliRunner().invoke(cli, ["batch", "--list", str(listed), "-o", str(out),
                                      "--cluster", scheduler])
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "3 built, 0 up to date (skipped), 1 failed" in result.stdout
    assert f"{library / 'missing.txt'}: cannot be read: No such file or directory" in result.stderr
    made = books(out)
    assert made == {name: local_books[name] for name in made}
    assert sorted(made) == ["The Long Road - walker.epub", "Tide 1 Rising - writer1.epub",
                            "Voyage - cartographer.epub"]


def test_a_theme_folder_without_a_shared_filesystem_is_refused_up_front(
        tmp_path: Path) -> None:
    theme = tmp_path / "my-theme"
    theme.mkdir()
    (theme / "theme.toml").write_text('name = "mine"\ninherit = "classic"\n')
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Title: A\nAuthor: b\n\nText.\n")
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                                      "--theme", str(theme), "--cluster", "tcp://127.0.0.1:1"])
    assert result.exit_code == 3
    assert result.output.strip() == (f"ficbook: error: {theme}: a theme folder needs --shared-fs "
                                     "on a cluster (the workers read it at the same path); "
                                     "without it, use a built-in theme")
    assert not (tmp_path / "out").exists()


# Runs ficbook's CLI with dask and distributed unimportable, as where the extra is not installed.
_WITHOUT_DASK = """
import importlib.abc, sys
class NoDask(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("dask", "distributed"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, NoDask())
from ficbook.cli import main
sys.argv = ["ficbook", *sys.argv[1:]]
main()
"""


def test_without_the_cluster_extra_cluster_is_one_line_that_says_how_to_install_it(
        tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Title: A\nAuthor: b\n\nText.\n")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", _WITHOUT_DASK, "batch",
                               str(tmp_path / "in"), *args], capture_output=True, text=True,
                              check=False, env={**os.environ, "PYTHONPATH": os.getcwd()})

    missing = run("-o", str(tmp_path / "out"), "--cluster", "local:2")
    assert missing.returncode == 4
    assert missing.stderr == ("ficbook: error: --cluster needs Dask, which is not installed: "
                              "pip install 'ficbook[cluster]'\n")
    # The same interpreter builds without --cluster: only the cluster needs the extra.
    fine = run("-o", str(tmp_path / "out"), "-j", "1")
    assert fine.returncode == 0, fine.stderr
    assert (tmp_path / "out" / "A - b.epub").is_file()
