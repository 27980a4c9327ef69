"""Rebuilding a long anthology's PDF after editing one story, against a build from nothing.

    python bench/corpus.py --out /tmp/corpus L      # once: 300 stories, 1.5 million words
    python bench/pdf_rebuild.py --corpus /tmp/corpus/L

Copies the corpus to a temporary folder (the original is never touched), builds it to an A5 PDF
with an empty cache (parsed stories and laid-out PDF pieces both cold), appends a paragraph to
one story (the middle one unless --story says which; --paragraphs for more), builds again with
the cache the first build filled, and prints wall and CPU seconds of both, the main process's
peak memory (from `-v -v`), how many pieces were laid out, and the rebuild's share of the cold
build.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from installed import compile_ficbook


class Result(NamedTuple):
    wall: float
    cpu: float
    peak: float  # MB, the main process (the pool's processes are not in it)
    pieces: str


def run(folder: Path, out: Path, cache: Path, log: Path) -> Result:
    env = {**os.environ, "FICBOOK_CACHE_DIR": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("w") as err:
        subprocess.run([sys.executable, "-m", "ficbook", "-v", "-v", "build", "anthology.toml",
                        "-f", "pdf", "--page-size", "a5", "-o", str(out)],
                       cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=err, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = log.read_text(encoding="utf-8", errors="replace")
    peaks = [int(m) for m in re.findall(r"PDF parts: .* peak (\d+) MB", text)]
    pieces = re.findall(r"PDF: (\d+ of \d+ pieces laid out, \d+ from the cache)", text)
    return Result(wall, cpu, max(peaks) if peaks else float("nan"), pieces[-1] if pieces else "?")


def main() -> None:
    compile_ficbook()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/corpus/L"),
                        help="a corpus folder holding anthology.toml (bench/corpus.py L)")
    parser.add_argument("--story", type=int, default=None,
                        help="which story to edit, from 1 (default: the middle one)")
    parser.add_argument("--paragraphs", type=int, default=1,
                        help="how many paragraphs to append (enough of them add pages, and then "
                             "every later page number moves)")
    parser.add_argument("--shift", type=int, default=0,
                        help="then append this many paragraphs to the first story and rebuild "
                             "again (every later page number moves)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    if not (args.corpus / "anthology.toml").is_file():
        sys.exit(f"{args.corpus}: no anthology.toml (python bench/corpus.py --out ... L)")
    work = Path(tempfile.mkdtemp(prefix="ficbook-pdf-rebuild-"))
    try:
        folder = work / "corpus"
        shutil.copytree(args.corpus, folder)
        stories = sorted((folder / "stories").glob("*.txt"))
        story = stories[(args.story - 1) if args.story else len(stories) // 2]
        cache = work / "cache"
        print(f"corpus: {args.corpus} ({len(stories)} stories); editing {story.name}; "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
        cold = run(folder, work / "cold.pdf", cache, work / "cold.log")
        print(f"cold build:  {cold.wall:7.1f} s wall, {cold.cpu:7.1f} s CPU, main peak "
              f"{cold.peak} MB, {cold.pieces}", flush=True)
        edits = [(story, args.paragraphs, "rebuild")]
        if args.shift:  # then enough text early in the book to move every later page
            edits.append((stories[0], args.shift, f"rebuild after {args.shift} paragraphs in "
                                                  f"{stories[0].name}"))
        for n, (edited, paragraphs, label) in enumerate(edits):
            with edited.open("a", encoding="utf-8") as f:
                for _ in range(paragraphs):
                    f.write("\n\nShe folded the letter twice, put it back in the drawer, and "
                            "went out into the rain without her coat, because some answers "
                            "only come walking.\n")
            warm = run(folder, work / f"rebuild-{n}.pdf", cache, work / f"rebuild-{n}.log")
            print(f"{label}: {warm.wall:7.1f} s wall, {warm.cpu:7.1f} s CPU, main peak "
                  f"{warm.peak} MB, {warm.pieces}")
            print(f"  / cold: {warm.wall / cold.wall:.1%} of the wall time, "
                  f"{warm.cpu / cold.cpu:.1%} of the CPU time; load average "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
        if args.keep:
            print(f"kept: {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
