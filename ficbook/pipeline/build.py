"""Orchestration: inputs and options -> books on disk."""

from __future__ import annotations

import importlib
import io
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from pathlib import Path

from ..anthology.assemble import assemble, quick_book
from ..anthology.spec import CONFIG_NAME, BuildSpec, load_spec
from ..backends import BACKENDS, HEAVY_MODULES, format_of, suffix
from ..cache.book import BookCache
from ..errors import InputError
from ..fetch.work import is_url
from ..files import book_stem
from ..model import Book
from ..options import BuildOptions, FetchOptions, with_file_settings
from ..theme import Theme, load_theme
from ..theme.render import render
from .read import (
    FetchProgress,
    chapter_files,
    is_chapter_folder,
    read_chapter_folder,
    read_stories,
)

log = logging.getLogger(__name__)
# "archiveofourown.org/works/123": a link without its scheme, not a file name.
_LINK_LIKE = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}[/?]\S", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)  # ftp://, file://


def output_paths(book: Book, output: Path | None, formats: Sequence[str]) -> dict[str, Path]:
    """Where each format goes: a folder (name from title and author) or a named file."""
    named = format_of(output) if output is not None else None
    if output is not None and named is not None:
        if len(formats) == 1 and named != formats[0]:
            raise InputError(output, f"names a {suffix(named)} file but the format is "
                                     f"{formats[0]}")
        # book.epub with -f epub,pdf: book.epub and book.pdf side by side.
        stem = output.name[:-len(suffix(named))]
        return {fmt: output.with_name(stem + suffix(fmt)) for fmt in formats}
    folder = output if output is not None else Path.cwd()
    # An anthology is named for its editors (or its title alone), a story for its author.
    stem = book_stem(book.title, book.editors if book.is_anthology else book.authors)
    return {fmt: folder / f"{stem}{suffix(fmt)}" for fmt in formats}


def build_book(book: Book, output: Path | None, options: BuildOptions,
               theme: Theme | None = None, keep_cover: bool = True) -> list[Path]:
    """Write `book` in each of the formats; `theme`, if given, is options.theme loaded.
    With `keep_cover`, a drawn cover is cached for the next build of the same book."""
    for fmt in options.formats:
        if fmt not in BACKENDS:
            raise InputError(None, f"unknown format '{fmt}' (known: {', '.join(BACKENDS)})")
    theme = theme or load_theme(options.theme, options.theme_options)
    if options.cover is not None:
        book = replace(book, cover_image=read_cover(options.cover))
    targets = output_paths(book, output, options.formats)
    cache = BookCache.for_book(book, targets, options.cache, keep_cover)
    rendered = render(book, theme, cache)
    written = []
    for fmt, target in targets.items():
        written.append(BACKENDS[fmt](rendered, target, options, cache))
        log.info("wrote %s", target)
    return written


def read_cover(path: Path) -> bytes:
    """A cover image the user gave: it must be there and be a picture."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"the cover cannot be read: {exc.strerror}") from None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InputError(path, "the cover is not an image (use a .jpg or .png)") from None
    return data


def build(inputs: Sequence[Path | str], output: Path | str | None = None,
          options: BuildOptions | None = None, *, title: str | None = None,
          subtitle: str | None = None, editors: Sequence[str] = (),
          explicit: Collection[str] | None = None, fetch: FetchOptions | None = None,
          progress: FetchProgress | None = None) -> list[Path]:
    """Build one book and return the paths written.

    One story file (or a folder of chapter files, or a web address) gives a book of that
    story; several give a quick anthology (posts that are parts of one story are joined); an
    anthology.toml (or a folder holding one) gives the anthology it describes. For an
    anthology, the `options` fields named in `explicit` override the file (None: those that
    differ from the defaults). Links are fetched as `fetch` says, `progress` told of each
    chapter."""
    options = options or BuildOptions()
    if not inputs:
        raise InputError(None, "no story given")
    for given in inputs:
        if isinstance(given, str) and _OTHER_SCHEME.match(given) and not is_url(given):
            raise InputError(None, f"{given}: only http:// and https:// links can be fetched")
    sources = [p if is_url(p) else Path(p) for p in inputs]
    for source in sources:
        if isinstance(source, Path) and not source.exists() and _LINK_LIKE.match(str(source)):
            raise InputError(source, "no such file (a link starts with https://)")
    target = Path(output) if output is not None else None
    paths = [p for p in sources if isinstance(p, Path)]
    configs = [p for p in paths if p.suffix.lower() == ".toml" or (p / CONFIG_NAME).is_file()]
    if configs:
        if len(sources) > 1:
            raise InputError(configs[0], "an anthology file is built on its own: list the "
                                         "other stories in it")
        spec = load_spec(configs[0])
        if title:
            spec = replace(spec, title=title)
        if subtitle:
            spec = replace(spec, subtitle=subtitle)
        if editors:
            spec = replace(spec, editors=tuple(editors))
        return build_anthology(spec, target, options, explicit=explicit, fetch=fetch,
                               progress=progress)
    if len(sources) == 1 and isinstance(sources[0], str) and not (title or subtitle or editors):
        story = read_stories(sources, fetch=fetch, progress=progress)[0]
        return build_book(Book.single(story), target, options)
    if len(sources) == 1 and not (title or subtitle or editors):
        from ..ingest import read_story

        if paths[0].is_dir():
            files = chapter_files(paths[0])
            if not files:
                raise InputError(paths[0], f"a folder with no story files and no {CONFIG_NAME}")
            if not is_chapter_folder(files):
                raise InputError(paths[0], "a folder of separate stories, not numbered chapter "
                                           "files: use `ficbook batch` for one book each, or "
                                           "list them for one anthology")
            story = read_chapter_folder(paths[0], options.reader)  # ch01.txt, ch02.txt, ...
        else:
            story = read_story(paths[0], options.reader)
        return build_book(Book.single(story), target, options)
    stories = read_stories(sources, options.reader, cache=options.cache,
                           meanwhile=lambda: preload(options, drawn_cover=True),
                           fetch=fetch, progress=progress)
    book = quick_book(stories, title=title, editors=editors, subtitle=subtitle or "")
    return build_book(book, target, options)


def preload(options: BuildOptions, drawn_cover: bool) -> None:
    """Import the libraries the rest of the build will need: the cover's (if it is drawn), and
    each format's (100 ms for EPUB, half a second for PDF)."""
    modules = [name for fmt in options.formats for name in HEAVY_MODULES.get(fmt, ())]
    if drawn_cover and options.cover is None:
        modules.append("ficbook.theme.cover_draw")
    for name in modules:
        try:
            importlib.import_module(name)
        except (ImportError, OSError):  # say nothing yet: the writer reports it when it runs
            continue


def build_anthology(spec: BuildSpec | Path | str, output: Path | str | None = None,
                    options: BuildOptions | None = None, *,
                    explicit: Collection[str] | None = None, fetch: FetchOptions | None = None,
                    progress: FetchProgress | None = None) -> list[Path]:
    """Build the anthology an anthology.toml describes. Options in `explicit` win over the file.
    Its stories that are links are fetched as `fetch` says."""
    if not isinstance(spec, BuildSpec):
        spec = load_spec(spec)
    options = with_file_settings(options or BuildOptions(), spec.settings, explicit)
    labels = [f"{e.key}: {_shown(e.path, spec.folder)}" for e in spec.stories]
    stories = read_stories([e.path for e in spec.stories], options.reader,
                           cache=options.cache, labels=labels, config=spec.path,
                           meanwhile=lambda: preload(options, drawn_cover=spec.cover is None),
                           fetch=fetch, progress=progress)
    cover = None
    if spec.cover is not None:
        try:
            cover = spec.cover.read_bytes()
        except OSError as exc:
            raise InputError(spec.cover, f"cannot be read: {exc.strerror}") from None
    book = assemble(spec, stories, cover=cover)
    target = Path(output) if output is not None else spec.output
    return build_book(book, target, options)


def _shown(path: Path | str, folder: Path) -> str:
    if isinstance(path, str):
        return path
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)
