"""`ficbook batch urls.txt`: one book per link, fetched one after another (one request at a
time, the sites' own pace), skipping works whose book is up to date, going on past failures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FicbookError
from ..fetch import Fetcher, is_url
from ..model import Book
from ..options import BuildOptions, FetchOptions
from .build import build_book

# (the link, books done, books in all, what is happening)
LinkProgress = Callable[[str, int, int, str], None]


@dataclass
class LinksResult:
    built: list[tuple[str, list[Path]]] = field(default_factory=list)
    skipped: list[tuple[str, list[Path]]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # the link, why


def read_link_list(path: Path) -> list[str] | None:
    """The entries of a list of links, one a line (blank lines and `#` comments left out):
    a text file whose lines are single words, at least one of them a link. Entries that are
    not links are kept, to be reported as failures (a slip like `http//…` must not turn the
    list into a story). None when the file is not such a list (a story that is a .txt)."""
    if path.suffix.lower() not in {".txt", ".list", ".urls", ""} or not path.is_file():
        return None
    try:
        with path.open("rb") as f:
            head = f.read(1 << 20)
        text = head.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    lines = [line.split(" #", 1)[0].strip() for line in text.splitlines()]
    entries = [line for line in lines if line and not line.startswith("#")]
    if not any(is_url(e) for e in entries) or any(len(e.split()) > 1 for e in entries):
        return None
    return entries


def build_links(links: Sequence[str], output: Path, options: BuildOptions,
                fetch: FetchOptions | None = None, *, force: bool = False,
                progress: LinkProgress | None = None) -> LinksResult:
    """A book for each link into `output`. A link is skipped when the batch's manifest says
    its book there was made from the work as the site gives it now (chapter count, updated
    date, word count) with these options and this ficbook, and the files are still there;
    `force` builds every one again."""
    from ..cache import key
    from ..cache.manifest import Manifest, options_fingerprint

    result = LinksResult()
    unique = list(dict.fromkeys(link.strip() for link in links))
    made_with = options_fingerprint(options)
    output.mkdir(parents=True, exist_ok=True)
    with Manifest(output) as manifest:
        for n, link in enumerate(unique):
            if progress is not None:
                progress(link, n, len(unique), "fetching")
            try:
                fetcher = Fetcher(link, fetch)
                work = fetcher.work(fresh=True)
                book_key = key(work=work.state(), url=work.url, made_with=made_with)
                kept = manifest.get(link)
                if not force and kept is not None and kept.key == book_key and \
                        kept.error is None and all((output / o).is_file() for o in kept.outputs):
                    result.skipped.append((link, [output / o for o in kept.outputs]))
                    continue
                story = fetcher.story(work)  # only now: a skipped work's chapters are not needed
                written = build_book(Book.single(story), output, options)
                manifest.built(link, book_key, [p.name for p in written])
                result.built.append((link, written))
            except FicbookError as exc:
                result.failed.append((link, str(exc)))
            except OSError as exc:
                result.failed.append((link, f"cannot be written: {exc.strerror}"))
    if progress is not None:
        progress("", len(unique), len(unique), "done")
    return result
