"""How much an anthology rebuild costs after editing one story of forty.

    python bench/anthology_rebuild.py [--stories 40] [--words 3000]

Generates an anthology of original filler stories in a temporary folder, then times: a full
build with an empty cache, a rebuild with nothing changed, and a rebuild after one story was
edited. Prints the three times and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stories", type=int, default=40)
    parser.add_argument("--words", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["FICBOOK_CACHE_DIR"] = str(folder / "cache")
        from ficbook import build

        for n in range(args.stories):
            (folder / f"s{n:02d}.txt").write_text(story(n, args.words))
        (folder / "anthology.toml").write_text(
            'title = "Bench"\nstories = ["*.txt"]\ngroup_by = "fandom"\n')

        def timed() -> float:
            start = time.perf_counter()
            build([folder / "anthology.toml"], folder / "out")
            return time.perf_counter() - start

        full = timed()
        again = timed()
        (folder / "s07.txt").write_text(story(7, args.words, seed=1))
        edited = timed()
    print(f"{args.stories} stories x ~{args.words} words")
    print(f"full build, empty cache:  {full:6.2f} s")
    print(f"rebuild, nothing changed: {again:6.2f} s")
    print(f"rebuild, one story edited:{edited:6.2f} s  ({edited / full:.0%} of the full build)")


if __name__ == "__main__":
    main()
