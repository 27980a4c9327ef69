"""PDF benchmark: ficbook's PDF of a 150,000-word, 50-chapter novel against one plain weasyprint
pass over the same pages, and calibre's ebook-convert (EPUB -> PDF) when it is installed.

    python bench/pdf_bench.py                  # all three, A5; results printed as a table
    python bench/pdf_bench.py --words 30000 --chapters 10 --skip-single --skip-calibre

The novel is generated from a small seeded grammar (original prose, the same bytes every run).
Each tool runs in its own process; peak memory is that process's max RSS (children included).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

NAMES = ["Ada", "Bram", "Cass", "Dov", "Elin", "Fenn", "Greer", "Hal", "Isa", "Jory", "Kit",
         "Mara", "Nell", "Oren", "Pip", "Rook", "Sable", "Tam", "Wren", "Yara"]
ADJ = ["quiet", "old", "narrow", "bright", "cold", "silver", "crooked", "patient", "distant",
       "small", "heavy", "salt-stained", "borrowed", "green", "tired", "careful", "warm"]
NOUN = ["door", "lamp", "harbour", "letter", "bridge", "kettle", "map", "window", "road",
        "ferry", "bell", "garden", "staircase", "coat", "river", "clock", "orchard", "candle"]
VERB = ["watched", "opened", "followed", "carried", "found", "mended", "counted", "crossed",
        "folded", "touched", "answered", "kept", "lit", "closed", "studied", "lifted", "traced"]
SAID = ["said", "asked", "whispered", "muttered", "called", "admitted", "offered"]


def sentence(r: random.Random) -> str:
    a, b = r.sample(NAMES, 2)
    kind = r.random()
    if kind < 0.3:
        words = " ".join(r.choice(ADJ + NOUN + VERB) for _ in range(r.randint(4, 10)))
        return f'"{words.capitalize()}," {a} {r.choice(SAID)}. "Don\'t -- not yet..."'
    if kind < 0.4:
        return (f"{a} {r.choice(VERB)} the *{r.choice(ADJ)}* {r.choice(NOUN)} while {b} "
                f"{r.choice(VERB)} nothing at all.")
    return (f"{a} {r.choice(VERB)} the {r.choice(ADJ)} {r.choice(NOUN)} and {r.choice(VERB)} "
            f"the {r.choice(ADJ)} {r.choice(NOUN)}, because {b} had {r.choice(VERB)} the "
            f"{r.choice(NOUN)} by the {r.choice(ADJ)} {r.choice(NOUN)}.")


def novel(words: int, chapters: int, seed: str = "ficbook-pdf-bench") -> str:
    r = random.Random(seed)
    out = ["Title: The Long Harbour", "Author: bench_writer", "Fandom: Harbour Lights",
           "Rating: T", "Tags: slow burn, found family, maps",
           "Summary: A generated novel for measuring ficbook.",
           "Disclaimer: Generated text; nobody owns it.", ""]
    per_chapter = words // chapters
    for n in range(1, chapters + 1):
        out += [f"Chapter {n}: The {r.choice(ADJ).capitalize()} {r.choice(NOUN).capitalize()}", ""]
        count = 0
        while count < per_chapter:
            para = " ".join(sentence(r) for _ in range(r.randint(2, 6)))
            count += len(para.split())
            out += [para, ""]
            if r.random() < 0.03:
                out += ["* * *", ""]
    out += ["The End", ""]
    return "\n".join(out)


_WRAP = ("import resource, subprocess, sys, time\n"
         "t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True, stdout=-3)\n"
         "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
         "print(time.perf_counter() - t, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024)\n")


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (all its processes) and the largest process's peak RSS (MB)."""
    out = subprocess.run([sys.executable, "-c", _WRAP, *cmd], check=True, capture_output=True,
                         text=True).stdout.split()
    wall, cpu, rss = map(float, out)
    return wall, cpu, rss


SINGLE = """
import sys
from ficbook.backends.pdf.pagesize import parse_page_size
from ficbook.backends.pdf.one_pass import pdf_bytes
from ficbook.ingest import read_story
from ficbook.model import Book
from ficbook.theme.render import render
from ficbook.theme import load_theme
theme = load_theme()
rendered = render(Book.single(read_story(sys.argv[1])), theme)
open(sys.argv[2], "wb").write(pdf_bytes(rendered, theme, parse_page_size(sys.argv[3]), False))
"""


def pages(pdf: Path) -> int:
    import pypdf

    return len(pypdf.PdfReader(pdf).pages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=150_000)
    ap.add_argument("--chapters", type=int, default=50)
    ap.add_argument("--page-size", default="a5")
    ap.add_argument("--skip-single", action="store_true", help="no plain one-pass run")
    ap.add_argument("--skip-calibre", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ficbook-bench-"))
    src = work / "novel.txt"
    src.write_text(novel(args.words, args.chapters))
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"python {platform.python_version()}, cores: {len(os.sched_getaffinity(0))}")
    print(f"novel: {len(src.read_text().split()):,} words, {args.chapters} chapters, "
          f"page size {args.page_size}")
    rows = []
    out = work / "ficbook.pdf"
    t = timed([sys.executable, "-m", "ficbook", "build", str(src), "-f", "pdf", "--page-size",
               args.page_size, "-o", str(out)])
    rows.append(("ficbook build -f pdf (parts in parallel, joined)", *t, pages(out)))
    print(rows[-1], flush=True)
    if not args.skip_single:
        one = work / "single.pdf"
        t = timed([sys.executable, "-c", SINGLE, str(src), str(one), args.page_size])
        rows.append(("one weasyprint pass (same pages and CSS)", *t, pages(one)))
        print(rows[-1], flush=True)
    calibre = shutil.which("ebook-convert")
    if calibre and not args.skip_calibre:
        epub = work / "novel.epub"
        subprocess.run([sys.executable, "-m", "ficbook", "build", str(src), "-o", str(epub)],
                       check=True, stdout=subprocess.DEVNULL)
        cal = work / "calibre.pdf"
        # calibre's Qt WebEngine refuses to run as root with its sandbox (CI and here are root).
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
        try:
            t = timed([calibre, str(epub), str(cal), "--paper-size", args.page_size])
            rows.append(("calibre ebook-convert EPUB -> PDF", *t, pages(cal)))
        except subprocess.CalledProcessError as exc:
            print(f"calibre failed: {exc}")
    elif not args.skip_calibre:
        print("calibre: ebook-convert not installed (apt-get install -y calibre)")
    print("\n| tool | wall s | CPU s | peak RSS MB | pages |\n|---|---:|---:|---:|---:|")
    for name, wall, cpu, rss, n in rows:
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | {n} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
