"""KEPUB of the M novel: ficbook against kepubify and calibre, in one run.

    python bench/kepub_bench.py --corpus /tmp/corpus          # M, 5 rounds
    python bench/kepub_bench.py --corpus /tmp/corpus --runs 9 --size S

Peers, each skipped with a note when it is not installed:
- kepubify (a Go program, not in PyPI, npm or Debian): ficbook's EPUB, then kepubify on it;
- calibre 8 and newer: `ebook-convert novel.html book.kepub` (its own KEPUB output);
- calibre before 8 (Debian 12 has 6.13): `ebook-convert novel.html book.epub --output-profile
  kobo`, the EPUB half of the calibre + Kobo plugin pipeline (the plugin's KEPUB pass would come
  on top, so calibre's real time is longer than this row).
ficbook's plain EPUB is timed beside its KEPUB, to show what the spans cost. Tools take turns
round by round in a rotating order (as run.py's jobs do); medians of fresh processes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from installed import compile_ficbook
from run import PY, Result, Tool, machine, run_once, table

ROOT = Path(__file__).resolve().parent.parent


def calibre_major() -> int:
    if shutil.which("ebook-convert") is None:
        return 0
    import subprocess

    said = subprocess.run(["ebook-convert", "--version"], capture_output=True, text=True,
                          check=False).stdout
    found = re.search(r"calibre (\d+)\.", said)
    return int(found.group(1)) if found else 0


def tools(corpus: Path, size: str) -> tuple[list[Tool], list[str]]:
    stem = {"S": "story", "M": "novel"}[size]
    txt, html = corpus / size / f"{stem}.txt", corpus / size / f"{stem}.html"
    # This checkout's ficbook (the installed one may be another tree), compiled as installed.
    fb, here = [PY, "-m", "ficbook"], {"PYTHONPATH": str(ROOT)}
    chosen = [Tool("ficbook", [*fb, "build", str(txt), "-f", "kepub", "-o",
                               "{out}/book.kepub.epub"], env=here),
              Tool("ficbook -f epub", [*fb, "build", str(txt), "-o", "{out}/book.epub"],
                   env=here)]
    notes = []
    if shutil.which("kepubify"):
        script = (f"{' '.join(fb)} build '{txt}' -o {{out}}/book.epub && "
                  "kepubify -o {out} {out}/book.epub")
        chosen.append(Tool("ficbook EPUB + kepubify", ["sh", "-c", script], env=here))
    else:
        notes.append("kepubify: not installed (a Go binary from GitHub releases; no registry "
                     "here has it)")
    major = calibre_major()
    if major >= 8:
        chosen.append(Tool("calibre KEPUB", ["ebook-convert", str(html), "{out}/book.kepub"]))
    elif major:
        chosen.append(Tool(f"calibre {major} EPUB, Kobo profile (no KEPUB pass)",
                           ["ebook-convert", str(html), "{out}/book.epub",
                            "--output-profile", "kobo"]))
        notes.append(f"calibre {major} has no KEPUB output (it came in calibre 8); its row is "
                     "the EPUB half of calibre + the Kobo plugin")
    else:
        notes.append("calibre: not installed")
    return chosen, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--size", choices=("S", "M"), default="M")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compile_ficbook(ROOT)
    chosen, notes = tools(args.corpus, args.size)
    results = {t.name: Result(f"{args.size} -> KEPUB", t.name) for t in chosen}
    with tempfile.TemporaryDirectory(prefix="kepub-bench-") as folder:
        for round_ in range(args.runs):
            order = chosen[round_ % len(chosen):] + chosen[:round_ % len(chosen)]
            for tool in order:
                out = Path(folder) / f"{tool.name.split()[0]}-{round_}-{len(tool.name)}"
                out.mkdir()
                wall, cpu, rss, code = run_once(tool, out, timeout=600)
                if code == 0:
                    result = results[tool.name]
                    result.walls.append(wall)
                    result.cpus.append(cpu)
                    result.rss.append(rss)
                shutil.rmtree(out, ignore_errors=True)
    facts = machine()
    print(f"python {PY}; " + "; ".join(f"{k} {v}" for k, v in facts.items()))
    for note in notes:
        print(f"note: {note}")
    print(table(list(results.values())))  # "ficbook" is -f kepub; ratios are against it


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
