"""Floors: the least work that still makes the file, to show how close a converter gets.

    python bench/floors.py zip IN... -o OUT [-j 2]        one deflated zip of each text file
    python bench/floors.py ebooklib IN... -o OUT [-j 2]   a bare ebooklib EPUB of each HTML file

An IN that is a folder means every file in it. ebooklib: one EpubHtml per <h1>/<h2> section of
the HTML (no sanitising, no typography, no theme), a nav and an NCX; what any EPUB writer that
uses ebooklib must at least spend.
"""

from __future__ import annotations

import argparse
import re
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_SECTION = re.compile(r"(?=<h[12]>)")
_HEADING = re.compile(r"<h[12]>(.*?)</h[12]>")
_BODY = re.compile(r"<body>(.*)</body>", re.S)


def zip_one(src: Path, out: Path) -> None:
    with zipfile.ZipFile(out / (src.stem + ".zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.write(src, src.name)


def ebooklib_one(src: Path, out: Path) -> None:
    from ebooklib import epub

    text = src.read_text(encoding="utf-8")
    m = _BODY.search(text)
    body = m.group(1) if m else text
    book = epub.EpubBook()
    book.set_identifier(src.stem)
    book.set_title(src.stem)
    book.set_language("en")
    chapters = []
    for n, part in enumerate(p for p in _SECTION.split(body) if p.strip()):
        h = _HEADING.search(part)
        ch = epub.EpubHtml(title=h.group(1) if h else f"Part {n}", file_name=f"c{n:04d}.xhtml",
                           lang="en")
        ch.content = part
        book.add_item(ch)
        chapters.append(ch)
    book.toc = chapters
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    epub.write_epub(str(out / (src.stem + ".epub")), book)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["zip", "ebooklib"])
    ap.add_argument("inputs", nargs="+", type=Path)
    ap.add_argument("-o", "--out", type=Path, required=True)
    ap.add_argument("-j", "--jobs", type=int, default=1)
    args = ap.parse_args()
    files = [f for p in args.inputs for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    args.out.mkdir(parents=True, exist_ok=True)
    work = zip_one if args.kind == "zip" else ebooklib_one
    if args.jobs <= 1:
        for f in files:
            work(f, args.out)
        return
    with ProcessPoolExecutor(args.jobs) as pool:
        list(pool.map(work, files, [args.out] * len(files), chunksize=16))


if __name__ == "__main__":
    main()
