"""The command line, as a user runs it: real subprocesses and click's runner."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner
from conftest import ROOT, SAMPLES

from ficbook.cli import cli

SAMPLE = SAMPLES / "lanterns-at-low-tide.txt"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ficbook", *args], cwd=cwd, capture_output=True,
                          text=True, check=False)


def test_build_writes_title_author_epub_in_current_folder(tmp_path: Path) -> None:
    proc = run("build", str(SAMPLE), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    book = tmp_path / "Lanterns at Low Tide - quiet_harbour.epub"
    assert proc.stdout.strip() == str(book)
    assert zipfile.ZipFile(book).read("mimetype") == b"application/epub+zip"


def test_build_into_a_folder_or_a_named_file(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path / "books") + "/"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "books" / "Lanterns at Low Tide - quiet_harbour.epub").is_file()
    result = runner.invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path / "mine.epub")])
    assert result.exit_code == 0 and (tmp_path / "mine.epub").is_file()


def test_info_is_readable_and_json_is_parseable() -> None:
    runner = CliRunner()
    text = runner.invoke(cli, ["info", str(SAMPLES / "the-cartographers-apprentice.txt")])
    assert text.exit_code == 0
    assert "Mira/Tomas" in text.output and "Soundtrack (kept as written)" in text.output
    assert "Chapter One: The Salt Roads" in text.output
    data = json.loads(runner.invoke(cli, ["info", "--json", str(SAMPLE)]).output)
    assert data["metadata"]["title"] == "Lanterns at Low Tide"
    assert data["reader"] == "text" and data["chapters"][0]["words"] == 912


def test_the_process_ends_with_everything_written_and_the_right_code(tmp_path: Path) -> None:
    # The CLI leaves with os._exit once done: what it printed must all be out by then.
    info = run("info", "--json", str(SAMPLE), cwd=tmp_path)
    assert info.returncode == 0 and json.loads(info.stdout)["chapters"][0]["words"] == 912
    usage = run("build", "--no-such-option", cwd=tmp_path)
    assert usage.returncode == 2 and "No such option" in usage.stderr
    assert run("--version", cwd=tmp_path).stdout.startswith("ficbook, version ")


def test_bad_input_is_one_line_and_non_zero_without_traceback(tmp_path: Path) -> None:
    missing = run("build", "nope.txt", cwd=tmp_path)
    assert missing.returncode == 3
    assert missing.stderr == "ficbook: error: nope.txt: no such file\n"
    (tmp_path / "empty.txt").write_text("")
    empty = run("info", "empty.txt", cwd=tmp_path)
    assert empty.returncode == 3 and "Traceback" not in empty.stderr
    assert empty.stderr.startswith("ficbook: error: empty.txt: the file is empty")
    weird = run("build", str(tmp_path), cwd=tmp_path)
    assert weird.returncode == 3 and len(weird.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == [tmp_path / "empty.txt"]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    proc = run("--debug", "build", "nope.txt", cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_help_explains_commands_and_exit_codes(tmp_path: Path) -> None:
    proc = run("--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert "build" in proc.stdout and "info" in proc.stdout and "Exit codes" in proc.stdout


def test_console_script_is_installed() -> None:
    proc = subprocess.run(["ficbook", "--version"], capture_output=True, text=True, check=False,
                          cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.startswith("ficbook, version")


def test_mistakes_a_new_user_made_get_clear_answers(tmp_path: Path) -> None:
    (tmp_path / "st").mkdir()
    (tmp_path / "st" / "a.txt").write_text("Title: A\nAuthor: x\n\nOne.\n")
    (tmp_path / "st" / "b.txt").write_text("Title: B\nAuthor: y\n\nTwo.\n")
    folder = run("build", "st", cwd=tmp_path)  # separate stories are not one book
    assert folder.returncode == 3 and "use `ficbook batch`" in folder.stderr
    wrong = run("build", "st/a.txt", "-o", "x.pdf", "-f", "epub", cwd=tmp_path)
    assert wrong.returncode == 3 and "names a .pdf file but the format is epub" in wrong.stderr
    both = run("build", "st/a.txt", "-o", "out/book.epub", "-f", "epub,pdf", cwd=tmp_path)
    assert both.returncode == 0, both.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["book.epub", "book.pdf"]
    (tmp_path / "junk.txt").write_bytes(bytes(range(256)) * 8)
    junk = run("build", "junk.txt", cwd=tmp_path)
    assert junk.returncode == 3 and "not a text file" in junk.stderr
    nowhere = run("build", "st/a.txt", "-o", "/proc/no-such-folder/", cwd=tmp_path)
    assert nowhere.returncode == 4 and nowhere.stderr.startswith("ficbook: error: /proc/")
    assert "internal error" not in nowhere.stderr and "Traceback" not in nowhere.stderr


def test_piping_into_head_is_quiet(tmp_path: Path) -> None:
    proc = subprocess.run(f"{sys.executable} -m ficbook info --json {SAMPLE} | head -c 10",
                          shell=True, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert proc.stderr == "" and proc.stdout == '{\n  "sourc'
