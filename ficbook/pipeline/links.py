"""`ficbook batch urls.txt`: one book per link, fetched one after another (one request at a
time, the sites' own pace), skipping works whose book is up to date, going on past failures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FicbookError, InputError
from ..fetch import Fetcher, Work, is_url
from ..fetch.convert import metadata_of
from ..model import Book, Story
from ..options import BuildOptions, FetchOptions
from .build import build_book, output_paths
from .update import read_record, unchanged

# (the link, books done, books in all, what is happening)
LinkProgress = Callable[[str, int, int, str], None]


@dataclass
class LinksResult:
    built: list[tuple[str, list[Path]]] = field(default_factory=list)
    skipped: list[tuple[str, list[Path]]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # the link, why


def read_link_list(path: Path) -> list[str] | None:
    """The links a text file lists, one a line (blank lines and `#` comments left out); None
    when it is not such a list (a story that happens to be a .txt)."""
    if path.suffix.lower() not in {".txt", ".list", ".urls", ""} or not path.is_file():
        return None
    try:
        with path.open("rb") as f:
            head = f.read(1 << 20)
        text = head.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    lines = [line.split(" #", 1)[0].strip() for line in text.splitlines()]
    links = [line for line in lines if line and not line.startswith("#")]
    return links if links and all(is_url(line) for line in links) else None


def build_links(links: Sequence[str], output: Path, options: BuildOptions,
                fetch: FetchOptions | None = None, *, force: bool = False,
                progress: LinkProgress | None = None) -> LinksResult:
    """A book for each link into `output`; a link whose book there is up to date is skipped
    (its work's chapter count, updated date and word count are the book's), unless `force`."""
    result = LinksResult()
    unique = list(dict.fromkeys(link.strip() for link in links))
    for n, link in enumerate(unique):
        if progress is not None:
            progress(link, n, len(unique), "fetching")
        try:
            fetcher = Fetcher(link, fetch)
            work = fetcher.work(fresh=True)
            named = Book.single(Story(metadata=metadata_of(work), chapters=()))
            targets = output_paths(named, output, options.formats)  # (title and author)
            if not force and _up_to_date(work, targets):
                result.skipped.append((link, list(targets.values())))
                continue
            story = fetcher.story(work)  # only now: chapters of a skipped work are not needed
            result.built.append((link, build_book(Book.single(story), output, options)))
        except FicbookError as exc:
            result.failed.append((link, str(exc)))
        except OSError as exc:
            result.failed.append((link, f"cannot be written: {exc.strerror}"))
    if progress is not None:
        progress("", len(unique), len(unique), "done")
    return result


def _up_to_date(work: Work, targets: dict[str, Path]) -> bool:
    """The book is there in every format, and its EPUB records the work as the site gives it
    now (a PDF records nothing to compare: a PDF-only book is made again)."""
    epub = targets.get("epub")
    if epub is None or not all(p.is_file() for p in targets.values()):
        return False
    try:
        record = read_record(epub)
    except (InputError, OSError):
        return False
    return record.url == work.url and unchanged(record.story, work)
