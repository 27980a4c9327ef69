"""What an anthology rebuild costs after editing one story, against a build from nothing.

    python bench/anthology_rebuild.py                          # 40 generated stories
    python bench/anthology_rebuild.py --corpus /tmp/corpus/L   # issue 8's L: 300 stories
    python bench/anthology_rebuild.py --corpus /tmp/corpus/L --format pdf --rounds 1
    python bench/anthology_rebuild.py --corpus /tmp/corpus/L --watch  # and inside --watch

Each build is a fresh `python -m ficbook build` process, timed whole (wall, and CPU of it and
its children), as an editor would run it. A round is: a full build with an empty cache, a
rebuild with nothing changed, and a rebuild after one paragraph was added to one story (a
different story each round). With --watch, each round also starts `build --watch`, edits a
story and reads the rebuild's time from what it prints. The anthology is copied to a
temporary folder first; the corpus is never changed. Prints each round and the medians.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from installed import compile_ficbook

WORDS = (  # noqa: SIM905
    "tide lantern harbour bell salt map paper moth ferry river winter light rope stone "
    "window kettle coat gull shingle compass ink candle bridge tower wind rain").split()


def story(n: int, words: int, seed: int = 0) -> str:
    rng = random.Random(n * 1000 + seed)
    paras = []
    for _ in range(max(1, words // 80)):
        sentence = lambda: " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))  # noqa: E731
        paras.append(". ".join(sentence().capitalize() for _ in range(6)) + '. "Yes," she said...')
    chapters = [paras[i::3] for i in range(3)]
    body = "\n\n".join(f"Chapter {i + 1}\n\n" + "\n\n".join(c) for i, c in enumerate(chapters))
    return (f"Title: Bench Story {n:02d}\nAuthor: author_{n % 9}\nFandom: Fandom {n % 4}\n"
            f"Summary: Story {n}.\nDisclaimer: Invented.\n\n{body}\n\nThe End\n")


def generate(folder: Path, stories: int, words: int) -> None:
    for n in range(stories):
        (folder / f"s{n:02d}.txt").write_text(story(n, words))
    (folder / "anthology.toml").write_text(
        'title = "Bench"\nstories = ["*.txt"]\ngroup_by = "fandom"\n')


def timed(folder: Path, fmt: str, cache: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one whole build process."""
    env = dict(os.environ, FICBOOK_CACHE_DIR=str(cache))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ficbook", "build", "anthology.toml", "-f",
                             fmt, "-o", f"out/book.{fmt}"], cwd=folder, env=env,
                            stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"build failed in {folder} (status {status})")
    return wall, usage.ru_utime + usage.ru_stime


def edit_one(folder: Path, round_no: int) -> Path:
    stories = sorted(p for p in folder.rglob("*.txt") if p.is_file())
    victim = stories[(round_no * 37 + len(stories) // 2) % len(stories)]
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.rstrip("\n") + f"\n\nAn editor's fix, round {round_no}.\n",
                      encoding="utf-8")
    return victim


def watched(folder: Path, fmt: str, cache: Path, round_no: int) -> float:
    """Seconds `build --watch` reports for the rebuild after one edit (its process stays up)."""
    env = dict(os.environ, FICBOOK_CACHE_DIR=str(cache))
    proc = subprocess.Popen([sys.executable, "-m", "ficbook", "build", "anthology.toml", "-f",
                             fmt, "-o", f"out/book.{fmt}", "--watch"], cwd=folder, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    try:
        first = proc.stdout.readline()  # "built out/book.epub in 2.31 s"
        if not first.startswith("built"):
            raise SystemExit(f"--watch did not build: {first!r}")
        time.sleep(1)  # a new modification time, whatever the filesystem's resolution
        edit_one(folder, 100 + round_no)
        line = proc.stdout.readline()
        return float(line.rsplit(" in ", 1)[1].split()[0])
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    compile_ficbook()
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, help="a folder holding an anthology.toml")
    parser.add_argument("--stories", type=int, default=40)
    parser.add_argument("--words", type=int, default=3000)
    parser.add_argument("--format", default="epub", choices=("epub", "pdf"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--watch", action="store_true",
                        help="also time the rebuild inside one `build --watch` process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "anthology"
        if args.corpus:
            shutil.copytree(args.corpus, folder, ignore=shutil.ignore_patterns("*.epub", "*.pdf"))
            what = str(args.corpus)
        else:
            folder.mkdir()
            generate(folder, args.stories, args.words)
            what = f"{args.stories} generated stories x ~{args.words} words"
        rows = []
        for n in range(1, args.rounds + 1):
            cache = Path(tmp) / f"cache-{n}"
            full = timed(folder, args.format, cache)
            again = timed(folder, args.format, cache)
            victim = edit_one(folder, n)
            edited = timed(folder, args.format, cache)
            warm = watched(folder, args.format, cache, n) if args.watch else float("nan")
            rows.append((full, again, edited, warm))
            print(f"round {n}: full {full[0]:.2f} s (CPU {full[1]:.2f}), nothing changed "
                  f"{again[0]:.2f} s, {victim.name} edited {edited[0]:.2f} s "
                  f"(CPU {edited[1]:.2f}): {edited[0] / full[0]:.0%}"
                  + (f"; in --watch {warm:.2f} s: {warm / full[0]:.0%}" if args.watch else ""),
                  flush=True)
    full_wall = statistics.median(r[0][0] for r in rows)
    again_wall = statistics.median(r[1][0] for r in rows)
    edited_wall = statistics.median(r[2][0] for r in rows)
    print(f"\n{what} -> {args.format}, median of {args.rounds}")
    print(f"full build, empty cache:   {full_wall:7.2f} s")
    print(f"rebuild, nothing changed:  {again_wall:7.2f} s  ({again_wall / full_wall:.0%})")
    print(f"rebuild, one story edited: {edited_wall:7.2f} s  ({edited_wall / full_wall:.0%} "
          "of the full build; issue 8's target: under 20%)")
    if args.watch:
        warm_wall = statistics.median(r[3] for r in rows)
        print(f"the same, in build --watch: {warm_wall:6.2f} s  ({warm_wall / full_wall:.0%})")


if __name__ == "__main__":
    main()
