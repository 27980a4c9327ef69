"""`ficbook batch --cluster` when things go wrong: a worker killed mid-run, a story that kills
every worker it touches, the scheduler going away, Ctrl-C."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from batchstories import books, write_library
from distributed import Client, LocalCluster, WorkerPlugin
from validate import epubcheck_many

from ficbook.cache.manifest import Manifest
from ficbook.errors import BuildError
from ficbook.pipeline.batch import batch


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[LocalCluster]:
    """Two worker processes that may be killed. A task whose worker dies is not tried again
    as it is (Dask's allowed-failures 0): its stories go again one a task, and one that kills
    its worker again fails."""
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
            env={"FICBOOK_CACHE_DIR": str(tmp_path / "worker-cache")}) as started:
        yield started


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """20 stories and a broken file, two stories a task: a run of ten tasks, so that things
    can go wrong between them."""
    from ficbook.pipeline import cluster

    monkeypatch.setattr(cluster, "STORIES_PER_TASK", 2)
    return write_library(tmp_path / "fics", stories=16)


def worker_pids(address: str) -> list[int]:
    with Client(address) as client:
        return sorted(client.run(os.getpid).values())


def test_a_worker_killed_mid_run_loses_no_book(
        cluster: LocalCluster, library: Path, tmp_path: Path) -> None:
    out = tmp_path / "books"
    [victim, _] = worker_pids(cluster.scheduler_address)

    killed: list[int] = []

    def kill_once(path: Path, done: int, total: int | None, status: str) -> None:
        if status == "built" and done >= 3 and not killed:
            os.kill(victim, signal.SIGKILL)  # a worker process this test started
            killed.append(victim)

    result = batch([library], out, cluster=cluster.scheduler_address, progress=kill_once)
    assert killed and victim not in worker_pids(cluster.scheduler_address)  # died, replaced
    assert result.built_count == 19 and len(result.failed) == 1
    made = books(out)
    assert len(made) == 19  # each once: none lost, none twice under a "(2)" name
    reference = tmp_path / "reference"
    batch([library], reference, jobs=1)
    assert made == books(reference)
    assert all(not p.name.startswith(".ficbook-tmp") for p in out.iterdir())
    # The same bytes as a build no one interrupted; EPUBCheck (a JVM a book) on a sample: the
    # picture book, the chapter folder and two of the rest.
    sample = [out / "Voyage - cartographer.epub", out / "The Long Road - walker.epub",
              *sorted(out.glob("Tide*.epub"))[::9]]
    problems = epubcheck_many(sample)
    assert all(not found for found in problems.values()), problems


class Poison(WorkerPlugin):
    """Makes one story kill the worker process that builds it, as a story that sends a library
    into a crash or out of memory would."""

    def setup(self, worker: Any) -> None:
        from ficbook.pipeline import batch as engine

        build_one = engine.build_one

        def crashing(path: str, folder: str, options: Any) -> Any:
            if Path(path).name == "poison.txt":
                os._exit(13)
            return build_one(path, folder, options)

        engine.build_one = crashing  # type: ignore[assignment]


def test_a_story_that_kills_every_worker_is_reported_failed_after_bounded_tries(
        cluster: LocalCluster, library: Path, tmp_path: Path) -> None:
    (library / "poison.txt").write_text("Title: Poison\nAuthor: nobody\n\nIt looks harmless.\n")
    with Client(cluster.scheduler_address) as client:
        client.register_plugin(Poison())
        pids = sorted(client.run(os.getpid).values())
    out = tmp_path / "books"
    result = batch([library], out, cluster=cluster.scheduler_address)
    failures = {p.name: f for p, f in result.failed}
    assert sorted(failures) == ["broken.txt", "poison.txt"]
    assert failures["poison.txt"].message.startswith("a worker died building it")
    assert result.built_count == 19 and len(books(out)) == 19
    assert set(worker_pids(cluster.scheduler_address)).isdisjoint(pids)  # both were killed
    # Remembered: the next run says so instead of killing workers again.
    again = batch([library], out, cluster=cluster.scheduler_address)
    assert "(unchanged since the last run)" in {p.name: f for p, f in again.failed}[
        "poison.txt"].message


def test_a_lost_scheduler_stops_the_batch_and_the_next_run_resumes(
        cluster: LocalCluster, library: Path, tmp_path: Path) -> None:
    out = tmp_path / "books"

    def lose_scheduler(path: Path, done: int, total: int | None, status: str) -> None:
        if status == "built" and done >= 4 and cluster.status.name == "running":
            cluster.close()

    with pytest.raises(BuildError, match=r"lost the Dask scheduler at tcp://.*run the "
                                         r"same command to go on"):
        batch([library], out, cluster=cluster.scheduler_address, progress=lose_scheduler)
    finished = books(out)
    assert 3 <= len(finished) < 19  # four done, one of them the broken story
    assert all(not p.name.startswith(".ficbook-tmp") for p in out.iterdir())
    with Manifest(out) as manifest:
        on_record = {name for e in manifest.entries().values() for name in e.outputs}
    assert on_record == set(finished)

    resumed = batch([library], out, cluster="local:2")
    assert resumed.skipped_count == len(finished)
    assert resumed.built_count == 19 - len(finished)
    reference = tmp_path / "reference"
    batch([library], reference, jobs=2)
    assert books(out) == books(reference)


def test_ctrl_c_keeps_the_finished_books_and_no_partial_one(
        cluster: LocalCluster, library: Path, tmp_path: Path) -> None:
    out = tmp_path / "books"

    def interrupt(path: Path, done: int, total: int | None, status: str) -> None:
        if status == "built" and done >= 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        batch([library], out, cluster=cluster.scheduler_address, progress=interrupt)
    left = sorted(p.name for p in out.iterdir())
    assert left[0] == ".ficbook-batch.db" and len(left) >= 2
    assert all(p.endswith(".epub") for p in left[1:])
    again = batch([library], out, cluster=cluster.scheduler_address)
    assert again.skipped_count == len(left) - 1 and again.built_count == 19 - (len(left) - 1)
