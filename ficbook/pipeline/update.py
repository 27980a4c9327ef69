"""`ficbook update`: books made from links brought up to date with their works, in place.

A book ficbook made from a link records the work's address, and the theme it was built in.
Updating asks the site for the work's page; when its chapter count, updated date and word count
are the book's, the book is up to date and is left as it is, byte for byte. Otherwise only the
chapters the fetch cache does not hold are fetched (every chapter, when the work was edited
without a new one), and the book is written again under the same name and identifier."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import FicbookError, InputError
from ..fetch import Fetcher, Work
from ..model import Book, Story
from ..options import DEFAULT_THEME, BuildOptions, FetchOptions
from .build import build_book


@dataclass(frozen=True)
class Outcome:
    """What updating one book did: "updated", "up to date", "skipped" or "failed", and how."""

    path: Path
    status: str
    detail: str = ""


class NotFromALink(InputError):
    """An EPUB that records no work's address (another tool's, or made from a file)."""


@dataclass(frozen=True)
class Record:
    """What a book says of how it was made: its story, link, theme and theme options."""

    story: Story
    url: str
    theme: str
    theme_options: tuple[str, ...]


def read_record(path: Path) -> Record:
    """The book's own record; an error when it is not a ficbook book made from a link."""
    from ..ingest.decode import read_bytes
    from ..ingest.epub import parse_epub
    from ..ingest.epub_opf import open_package

    data = read_bytes(path)
    story = parse_epub(data, path)
    if story.reader != "epub/ficbook" or not story.metadata.source_url.startswith("http"):
        raise NotFromALink(path, "not a book ficbook made from a link: nothing to update it "
                                 "from")
    metas = open_package(data, path).metas()
    theme = next((m.text or "" for m in metas if m.get("property") == "ficbook:theme"), "")
    options = tuple(m.text or "" for m in metas if m.get("property") == "ficbook:theme-option")
    return Record(story=story, url=story.metadata.source_url, theme=theme,
                  theme_options=options)


def unchanged(kept: Story, work: Work) -> bool:
    """The book's story records the work as the site gives it now: the same chapter count,
    updated date and word count."""
    from ..fetch.convert import metadata_of

    now = metadata_of(work)
    return (len(kept.chapters), kept.metadata.updated, kept.metadata.word_count) == \
        (len(work.chapters), now.updated, now.word_count)


def update_book(path: Path, fetch: FetchOptions | None = None,
                options: BuildOptions | None = None,
                progress: Callable[[str, int, int], None] | None = None,
                force: bool = False) -> Outcome:
    """Bring one book up to date with its work (`options`: a theme to use instead of the
    book's own). A work the site now lists with fewer chapters than the book, or under another
    title or author, is not written over unless `force`: a site's glitch, a page cut short or a
    missing --fff-ini must not cost a reader the chapters they have."""
    from ..fetch.convert import metadata_of
    from ..theme import parse_option

    if path.suffix.lower() != ".epub":
        raise InputError(path, "update works on the EPUBs ficbook made from links; make "
                               "other formats again with `ficbook build LINK -f …`")
    record = read_record(path)
    fetcher = Fetcher(record.url, fetch)
    work = fetcher.work(fresh=True)  # always ask the site: that is what updating is
    if options is None:
        chosen = dict(parse_option(o) for o in record.theme_options)
        options = BuildOptions(theme=record.theme or DEFAULT_THEME, theme_options=chosen)
    restyled = (options.theme, _options_text(options)) != (record.theme or DEFAULT_THEME,
                                                          sorted(record.theme_options))
    changed = not unchanged(record.story, work)
    if not changed and not restyled:
        return Outcome(path, "up to date")
    old, now = record.story.metadata, metadata_of(work)
    if not force:
        if (old.title, old.authors) != (now.title, now.authors):
            raise InputError(path, f"the site now names the work “{now.title}” by "
                                   f"{', '.join(now.authors) or 'no one'}, not “{old.title}”: "
                                   "not updated (a personal.ini missing? --force updates it)")
        if len(work.chapters) < len(record.story.chapters):
            raise InputError(path, f"the site now lists {len(work.chapters)} chapters and the "
                                   f"book has {len(record.story.chapters)}: not updated "
                                   "(--force updates it anyway)")
    edited = len(work.chapters) <= len(record.story.chapters)  # no new chapter: an edit
    story = fetcher.story(work, _progress_for(record.url, progress), refetch=edited and changed)
    build_book(Book.single(story), path, replace(options, formats=("epub",)))
    said = _changes(record.story, story, work) if changed else \
        f"rebuilt in the {options.theme} theme"
    if path.with_suffix(".pdf").is_file():
        said += "; the PDF beside it was not updated (`ficbook build LINK -f pdf`)"
    return Outcome(path, "updated", said)


def _options_text(options: BuildOptions) -> list[str]:
    """The theme options as the book records them (key=value, sorted)."""
    from ..theme import option_text

    return sorted(option_text(k, v) for k, v in options.theme_options.items())


def _progress_for(url: str, progress: Callable[[str, int, int], None] | None
                  ) -> Callable[[int, int], None] | None:
    return None if progress is None else lambda done, total: progress(url, done, total)


def _changes(old: Story, new: Story, work: Work) -> str:
    """What changed, in words: new chapters by title, a new title, else an edit."""
    renamed = ""
    if old.metadata.title != new.metadata.title:
        renamed = f"; retitled “{new.metadata.title}”"
    return _chapters_changed(old, new, work) + renamed


def _chapters_changed(old: Story, new: Story, work: Work) -> str:
    added = [c.title for c in new.chapters[len(old.chapters):]]
    if added:
        shown = ", ".join(f"“{t}”" for t in added[:3] if t)
        more = f" and {len(added) - 3} more" if len(added) > 3 else ""
        n = len(added)
        return f"{n} new chapter{'s' if n != 1 else ''}" + (f": {shown}{more}" if shown else "")
    if len(new.chapters) < len(old.chapters):
        n = len(old.chapters) - len(new.chapters)
        return f"{n} chapter{'s' if n != 1 else ''} removed from the site"
    return f"the work was edited (updated {work.text('dateUpdated') or 'on the site'})"


def books_in(targets: Sequence[Path]) -> Iterator[Path]:
    """The books named, and every .epub under each folder named, in name order."""
    for target in targets:
        if target.is_dir():
            yield from sorted(p for p in target.rglob("*.epub") if not p.name.startswith("."))
        else:
            yield target


def update_books(targets: Sequence[Path], fetch: FetchOptions | None = None,
                 options: BuildOptions | None = None,
                 progress: Callable[[str, int, int], None] | None = None,
                 each: Callable[[Outcome], None] | None = None,
                 force: bool = False) -> list[Outcome]:
    """Every book named or found in the folders named, one after another (one request at a
    time); a book that fails is reported and the rest go on. A folder's books that were not
    made from a link are skipped."""
    outcomes = []
    for path in books_in(targets):
        try:
            outcome = update_book(path, fetch, options, progress, force)
        except NotFromALink as exc:  # in a folder: another book of the library
            outcome = Outcome(path, "failed" if path in targets else "skipped", exc.message)
        except FicbookError as exc:
            outcome = Outcome(path, "failed", exc.message)
        except OSError as exc:
            outcome = Outcome(path, "failed", f"cannot be read or written: {exc.strerror}")
        outcomes.append(outcome)
        if each is not None:
            each(outcome)
    return outcomes
