"""One EPUB's store: what its last build lends the next (deflated entries, package documents,
each story's pages), and the key of what a story's pages are made from."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..model import Book, Page, Story
from . import cache_dir, key, load_pickle, prune, store_pickle

if TYPE_CHECKING:
    from ..theme import Theme

# What earlier builds deflated: sha256 of an entry's bytes -> its CRC and deflated bytes.
Deflated = dict[bytes, tuple[int, bytes]]

# The package documents (container, OPF, NCX, nav) by zip path, and the key of what they
# were written from.
PackageDocuments = tuple[str, dict[str, bytes]]


_FORMAT = 2  # what an EpubCache entry holds; another is a miss


class PageRecord(NamedTuple):
    """A page as the last build wrote it: the Page fields, and its bytes' SHA-256 and size."""

    filename: str
    title: str
    kind: str
    landmark: str
    story_index: int | None
    digest: bytes
    size: int


class EpubCache:
    """What the last build of one output file lends the next, in ficbook's cache folder: its
    deflated entries; its package documents with the key of what they were made from; and
    each story's pages, by the key of what render() made them from (render() asks for them
    through pages() and hands new ones to keep(); the EPUB backend saves them)."""

    def __init__(self, target: Path, folder: Path | None = None) -> None:
        self.target = target
        self._folder = folder or cache_dir()
        self._entry = self._folder / "zip" / f"{key(epub=str(target.resolve()))}.pickle"
        self._deflated: Deflated = {}
        self._package: PackageDocuments | None = None
        self._stories: dict[str, list[PageRecord]] = {}
        self._used: dict[str, list[PageRecord]] = {}  # this build's, from the last
        self._new: dict[str, list[Page]] = {}  # this build's, rendered again
        self._lent: dict[str, tuple[bytes, int]] = {}  # this build's pages from the last, by file
        kept = load_pickle(self._entry)
        if (isinstance(kept, dict) and kept.get("format") == _FORMAT
                and isinstance(kept.get("deflated"), dict)):
            self._deflated = kept["deflated"]
            package, stories = kept.get("package"), kept.get("stories")
            if isinstance(package, tuple) and len(package) == 2:
                self._package = package
            if isinstance(stories, dict):
                self._stories = stories

    def deflated(self) -> Deflated:
        return self._deflated

    def package(self, key: str) -> dict[str, bytes] | None:
        """The package documents, if the last build wrote them from the same `key`."""
        return self._package[1] if self._package and self._package[0] == key else None

    def pages(self, key: str) -> list[Page] | None:
        """A story's pages from the last build, made from the same `key`. Their XHTML is left
        empty: only this EPUB is built, and its writer takes their deflated bytes from here
        (lent() names them)."""
        records = self._stories.get(key)
        if not isinstance(records, list) or not records or not all(
                isinstance(r, PageRecord) and r.digest in self._deflated for r in records):
            return None
        self._used[key] = records
        self._lent.update((r.filename, (r.digest, r.size)) for r in records)
        return [Page(r.filename, r.title, "", r.kind, r.landmark, r.story_index)
                for r in records]

    def lent(self) -> dict[str, tuple[bytes, int]]:
        """The pages pages() lent this build, by file name: their bytes' SHA-256 and size."""
        return self._lent

    def keep(self, key: str, pages: list[Page]) -> None:
        """A story's pages, rendered again: saved with their digests by save()."""
        self._new[key] = pages

    def save(self, deflated: Deflated, package: PackageDocuments,
             digests: dict[str, tuple[bytes, int]]) -> None:
        """Keep this build's entries and pages (not the last one's too: it never grows), given
        each page's SHA-256 and size by filename; nothing is written when nothing changed,
        since a 3 MB rewrite costs a rebuild ~20 ms."""
        stories = dict(self._used)
        for made_of, pages in self._new.items():
            stories[made_of] = [PageRecord(p.filename, p.title, p.kind, p.landmark, p.story_index,
                                       *digests[p.filename]) for p in pages]
        same = (deflated.keys() == self._deflated.keys() and stories.keys() == self._stories.keys()
                and package[0] == (self._package or ("",))[0])
        self._deflated, self._package, self._stories = deflated, package, stories
        self._used, self._new = {}, {}
        if not same:
            store_pickle(self._entry, {"format": _FORMAT, "deflated": deflated,
                                       "package": package, "stories": stories})
            prune("zip", folder=self._folder)  # one entry per book built


class StoryPages:
    """A story's pages from the last build of one EPUB, when the story and everything it is
    shown with are as they were then; and where render() leaves the ones it made (keep()
    takes the pages of the story find() was last asked for: render() asks, then makes).

    A story page's template may read anything about the book and what the other stories are
    called (their metadata and chapter titles), but not their text: all of that, with the
    templates themselves, goes into every story's key; the story's own text, end mark, file
    and reader into its own."""

    def __init__(self, store: EpubCache, book: Book, theme: Theme, stylesheets: list[str],
                 cover: str) -> None:
        import jinja2

        templates = []
        for folder in theme.chain:
            for path in sorted((folder / "templates").rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    templates.append((str(path), stat.st_size, stat.st_mtime_ns))
        outline = [(s.metadata, [c.title for c in s.chapters]) for s in book.stories]
        self._store = store
        self._book = key(jinja=jinja2.__version__, templates=templates,
                         options=sorted(theme.options.items()), stylesheets=stylesheets,
                         cover=cover, book=(book.title, book.subtitle, book.editors,
                                            book.description, book.language, book.front_matter,
                                            book.back_matter, book.sections, book.date,
                                            book.collection), stories=outline)
        self._key = ""

    def find(self, story: Story, number: int, starts_body: bool) -> list[Page] | None:
        """The story's pages (number `number` in the book, its first chapter the start of the
        book's body or not) as the last build made them, or None."""
        self._key = key(book=self._book, story=(number, starts_body, story.text_digest,
                                                str(story.source), story.reader))
        return self._store.pages(self._key)

    def keep(self, pages: list[Page]) -> None:
        """The pages just made for the story find() last looked for."""
        self._store.keep(self._key, pages)


class NoStoryPages(StoryPages):
    """No EPUB store for this build (a PDF needs every page's XHTML, so it renders them all)."""

    def __init__(self) -> None:
        pass

    def find(self, story: Story, number: int, starts_body: bool) -> list[Page] | None:
        return None

    def keep(self, pages: list[Page]) -> None:
        pass
