"""Long books: lay out independent parts in parallel processes, then join them (pypdf).

weasyprint's layout cost grows faster than the document, so parts pay more than the core count.
What makes parts independent: every part starts on a new page (with --print, on a right-hand
page), and nothing in the body depends on page numbers. So:

1. the body (after the contents page) is cut into parts of about PART_WORDS words at section
   boundaries and each part is laid out alone, with no running heads or page numbers, in a pool
   of processes (in book order, a few at a time); each writes its PDF to a temporary file and
   reports how many pages each of its sections took and its links into other parts;
2. the front matter (cover, title, contents) is laid out in the pool too, first to learn its
   length, and once every part is laid out again with the real page numbers;
3. as soon as every part before a part is done, its first page number and side are known, and
   so is each of its pages' look (page type and named strings, as its own layout found them):
   running heads are laid out once per distinct look and page numbers in blocks of numbers,
   as stamps (parts/stamps.py, parts/furniture.py), in the pool too, ahead of the parts still
   waiting;
4. parts/join.py joins the pieces, draws the stamps over their pages, adds the links between
   pieces (the contents page's entries), the outline and the metadata, and writes the file.
Every piece is kept in the PieceCache (ficbook/cache/pdf.py), keyed by its document: a rebuild
lays out only the parts that changed, the contents page when page numbers moved, and the stamps
no build laid out before. Memory stays bounded by the largest part, not the book.

Here: write_parts. The cut and the jobs are in parts/plan.py, the pool in parts/pipeline.py,
what a worker process runs in parts/workers.py, one program per font in parts/fonts.py, and
every weasyprint and pypdf internal all this relies on in parts/internals.py (the reason for
their version pins). Imports weasyprint.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from ....cache.book import BookCache
from ....model import RenderedBook
from ....theme import Theme
from ..html import PageSection, document, sections, stylesheet_urls
from ..one_pass import fetcher_for, quiet_weasyprint
from ..pagesize import PageSize
from . import plan
from .fonts import stop_recording
from .furniture import Furniture
from .join import join, timer
from .pipeline import Pipeline
from .plan import NO_FURNITURE, PRINT_OPENERS, Job

log = logging.getLogger(__name__)


def write_parts(rendered: RenderedBook, theme: Theme, size: PageSize, print_layout: bool,
                target: Path, cache: BookCache, jobs: int | None = None,
                progress: bool | None = None) -> None:
    """Lay the book out in parts (laid-out pieces from `cache`, and kept there) and write the
    joined PDF to `target`."""
    phase = timer(time.perf_counter())
    quiet_weasyprint()
    secs = sections(rendered, ("cover",) if print_layout else ())
    contents = max((i for i, s in enumerate(secs) if s.page.kind == "contents"), default=-1)
    front, body = secs[:contents + 1], secs[contents + 1:]
    if print_layout and body and body[0].page.kind not in PRINT_OPENERS:
        front, body = secs, []
    parts = plan.plan_parts(body, print_layout)  # looked up now: tests replace it
    fetcher = fetcher_for(rendered, theme)
    css_urls = stylesheet_urls(rendered, theme.find("css/print.css"))
    setup = size.css(print_layout)
    part_css = setup + "* { bookmark-level: none !important; }\n" + (
        f"@page {{ {NO_FURNITURE} }}\n@page :left {{ {NO_FURNITURE} }}\n"
        f"@page :right {{ {NO_FURNITURE} }}\n")
    roots = tuple(str(r) for r in fetcher.roots)
    store = cache.pdf_pieces(fetcher.assets, theme.chain, fetcher.roots)
    with tempfile.TemporaryDirectory(prefix="ficbook-pdf-") as tmp:
        todo = [Job(i, "part", document(rendered, part, css_urls, part_css, print_layout),
                    tuple(s.pid for s in part), fetcher.assets, roots,
                    os.path.join(tmp, f"part-{i}.pdf")) for i, part in enumerate(parts)]
        front_pids = tuple(s.pid for s in front)

        def front_job(numbers: dict[str, int] | None) -> Job:
            """The front matter, its contents page numbered from where the sections landed
            (None: not yet known, only its length is wanted)."""
            rules = ["* { bookmark-level: none !important; }"]
            for pid, index in (numbers or {}).items():
                rules.append(f'nav.contents a[href="#{pid}"]::after {{ content: leader(". ") '
                             f'"{index + 1}"; }}')
            html = document(rendered, front, css_urls, setup + "\n".join(rules) + "\n",
                            print_layout)
            kind = "front" if numbers is not None else "front-length"
            return Job(-1, kind, html, front_pids, fetcher.assets, roots,
                       os.path.join(tmp, f"{kind}.pdf"), write=numbers is not None)

        def stamp_html(sheets: int) -> str:
            """A stamp document: empty sheets, one a page, with the book's style sheets."""
            section = PageSection(secs[0].page, "ficbook-stamps",
                                  '<div class="ficbook-sheet"></div>' * sheets, 0)
            css = setup + ("* { bookmark-level: none !important; }\n"
                           ".ficbook-sheet { height: 1px; break-before: page; }\n"
                           ".ficbook-sheet:first-child { break-before: auto; }\n")
            return document(rendered, [section] if sheets else [], css_urls, css, print_layout)

        furniture = Furniture(stamp_html, fetcher.assets, roots, Path(tmp), store)
        phase("parts planned")
        pipeline = Pipeline(todo, front_job if front else None, furniture, print_layout,
                            Path(tmp), store)
        try:
            pipeline.run(jobs, progress, sum(s.words for s in body))
            phase("parts laid out and stamped, front matter numbered")
            pieces = [(pipeline.laid[i].path, pipeline.offsets[i])
                      for i in range(pipeline.count)]
            front_pdf = pipeline.front.path if pipeline.front is not None else None
            join(rendered, size, front_pdf, pieces, furniture.stamps(), pipeline.total,
                 pipeline.start, pipeline.links, Path(tmp), target, phase)
        finally:
            stop_recording()  # (jobs == 1: the workers' font recording ran here)
    if store is not None:
        log.info("PDF: %d of %d pieces laid out, %d from the cache", pipeline.laid_out,
                 pipeline.laid_out + store.hits, store.hits)
        store.prune()
