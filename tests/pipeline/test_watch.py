"""`ficbook build --watch`: the book is built again after each change, errors and all."""

from __future__ import annotations

import queue
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from harbour import write_anthology

from ficbook import build
from ficbook.pipeline.watch import watch

Reports = queue.Queue[tuple[list[Path] | list[str], float]]


def start(toml: Path, out: Path) -> tuple[Reports, threading.Event, threading.Thread]:
    reports: Reports = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=watch, daemon=True, kwargs={
        "build": lambda: build([toml], out), "inputs": [toml], "theme": "default",
        "report": lambda result, seconds: reports.put((result, seconds)),
        "interval": 0.05, "stop": stop})
    thread.start()
    return reports, stop, thread


def test_each_save_rebuilds_and_a_broken_file_is_reported_then_watched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Content is compared for files saved in the last 0.1 s (not 2 s): the quiet half second
    # below then also checks that a file growing old is no change.
    monkeypatch.setattr("ficbook.pipeline.watch.RACY_SECONDS", 0.1)
    toml = write_anthology(tmp_path / "zine")
    out = tmp_path / "zine" / "out" / "harbour.epub"  # inside the watched folder
    reports, stop, thread = start(toml, out)
    try:
        first, _ = reports.get(timeout=60)
        assert first == [out]
        # Writing the book is not a change: nothing more happens until a story changes; nor
        # do an editor's swap, lock and backup files beside the stories.
        for junk in ("story-1.txt~", ".#story-1.txt", ".story-1.txt.swp", "notes.bak", "4913"):
            (tmp_path / "zine" / junk).write_text("scratch")
        assert reports.empty() and not thread.join(0.5) and reports.empty()

        story = tmp_path / "zine" / "story-2.txt"
        story.write_text(story.read_text().replace("The End", "A new last line.\n\nThe End"))
        assert reports.get(timeout=60)[0] == [out]
        assert "A new last line." in zipfile.ZipFile(out).read(
            "EPUB/text/s002-c003.xhtml").decode()

        good = toml.read_text()
        # The same size, saved twice within a moment: only the content tells them apart.
        toml.write_text(good.replace('title = "Harbour Lights"', 'titel = "Harbour Lights"'))
        error, _ = reports.get(timeout=60)
        assert any("titel" in line for line in error.lines()), error
        toml.write_text(good)
        assert reports.get(timeout=60)[0] == [out]
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_watch_is_on_the_build_command(tmp_path: Path) -> None:
    from ficbook.cli import cli

    result = CliRunner().invoke(cli, ["build", "--help"])
    assert "--watch" in result.output and "--no-cache" in result.output
