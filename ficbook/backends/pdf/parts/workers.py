"""What runs in a worker process: one part, the front matter or a stamp document laid out."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from weasyprint import HTML

from ..html import BOOK_URL
from ..one_pass import quiet_weasyprint
from . import internals
from .fonts import record_originals, used_fonts
from .furniture import StampJob
from .join import Link
from .plan import Job, Laid
from .stamps import lay_out_stamps, page_selectors, part_looks, recording

PT_PER_PX = 0.75  # weasyprint lays out in CSS px (96 an inch), PDF links are in points


def _render(job: Job | StampJob, *, links_out: bool = False) -> Any:
    """Lay `job`'s document out. `links_out`: it links into documents laid out apart (a part,
    the front matter), which weasyprint reports as a missing anchor per link, from the layout
    (target-counter) and the PDF: not news to the user, the join adds them back."""
    from ..fetch import SafeFetcher

    quiet_weasyprint()
    if links_out:
        logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    record_originals(Path(job.path).parent)
    fetcher = SafeFetcher(job.assets, [Path(r) for r in job.roots])
    return HTML(string=job.html, base_url=BOOK_URL + "text/book.html",
                url_fetcher=fetcher).render()


def lay_out_part(job: Job) -> Laid:
    """In a worker process: one part (or the front matter), no heads or numbers, written as a
    PDF; where its sections start and how many pages each takes; its links to other parts;
    each page's type and named strings (its look, for its heads and number)."""
    with recording() as contexts:
        doc = _render(job, links_out=True)
    looks = part_looks(doc, contexts[-1]) if job.kind == "part" else []
    selectors = page_selectors(contexts[-1]) if job.kind == "part" else []
    starts: dict[str, int] = {}
    wanted = set(job.pids)
    anchors: set[str] = set()
    for i, page in enumerate(doc.pages):
        anchors.update(page.anchors)
        for name in page.anchors:
            if name in wanted:
                starts.setdefault(name, i)
    order = [pid for pid in job.pids if pid in starts]
    sizes = {}
    for n, pid in enumerate(order):
        end = starts[order[n + 1]] if n + 1 < len(order) else len(doc.pages)
        while end - 1 > starts[pid] and internals.page_box(doc.pages[end - 1]).page_type.blank:
            end -= 1  # a blank page before the next opening: the furniture adds it again
        sizes[pid] = end - starts[pid]
    links: list[Link] = []
    for i, page in enumerate(doc.pages):  # as weasyprint's PDF would place them
        height = page.height * PT_PER_PX
        for link_type, target, (x1, y1, x2, y2), _box in page.links:
            if link_type == "internal" and target not in anchors:
                links.append((i, x1 * PT_PER_PX, height - y1 * PT_PER_PX, x2 * PT_PER_PX,
                              height - y2 * PT_PER_PX, target))
    if job.write:
        doc.write_pdf(job.path)
    return Laid(job.index, job.kind, job.path, len(doc.pages), starts, sizes, tuple(links),
                used_fonts(), job.write, tuple(looks), tuple(selectors))


def lay_out_stamp_job(job: StampJob) -> Laid:
    """In a worker process: a stamp document (heads looks or a block of numbers), as a PDF of
    its own, drawn over the parts' pages when joining."""
    doc, info = lay_out_stamps(lambda: _render(job), job.requests, job.kind)
    doc.write_pdf(job.path)
    return Laid(job.index, job.kind, job.path, len(doc.pages), {}, {}, (), used_fonts(),
                info=tuple(info))
