"""Orchestration: inputs and options -> books on disk."""

from __future__ import annotations

import hashlib
import importlib
import io
import logging
import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path

from ..anthology.assemble import assemble, quick_book
from ..anthology.spec import CONFIG_NAME, BuildSpec, load_spec
from ..backends import BACKENDS, HEAVY_MODULES
from ..cache import cached_story, prune, read_and_keep
from ..cache.book import BookCache
from ..errors import ConfigError, FicbookError, InputError
from ..files import book_stem
from ..model import Book, Story
from ..options import BuildOptions, with_file_settings
from ..theme import Theme, load_theme
from ..theme.render import render

log = logging.getLogger(__name__)


def output_paths(book: Book, output: Path | None, formats: Sequence[str]) -> dict[str, Path]:
    """Where each format goes: a folder (name from title and author) or a named file."""
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if output is not None and suffix in BACKENDS:
        if len(formats) == 1 and suffix != formats[0]:
            raise InputError(output, f"names a .{suffix} file but the format is {formats[0]}")
        # book.epub with -f epub,pdf: book.epub and book.pdf side by side.
        return {fmt: output.with_suffix(f".{fmt}") for fmt in formats}
    folder = output if output is not None else Path.cwd()
    # An anthology is named for its editors (or its title alone), a story for its author.
    stem = book_stem(book.title, book.editors if book.is_anthology else book.authors)
    return {fmt: folder / f"{stem}.{fmt}" for fmt in formats}


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
          explicit: Collection[str] | None = None, cache: bool = True) -> list[Path]:
    """Build one book and return the paths written.

    One story file (or a folder of chapter files) gives a book of that story; several give a
    quick anthology (posts that are parts of one story are joined); an anthology.toml (or a
    folder holding one) gives the anthology it describes. For an anthology, the `options`
    fields named in `explicit` override the file (None: those that differ from the defaults).
    """
    options = options or BuildOptions()
    if not inputs:
        raise InputError(None, "no story given")
    paths = [Path(p) for p in inputs]
    target = Path(output) if output is not None else None
    configs = [p for p in paths if p.suffix.lower() == ".toml" or (p / CONFIG_NAME).is_file()]
    if configs:
        if len(paths) > 1:
            raise InputError(configs[0], "an anthology file is built on its own: list the "
                                         "other stories in it")
        spec = load_spec(configs[0])
        if title:
            spec = replace(spec, title=title)
        if subtitle:
            spec = replace(spec, subtitle=subtitle)
        if editors:
            spec = replace(spec, editors=tuple(editors))
        return build_anthology(spec, target, options, explicit=explicit, cache=cache)
    if len(paths) == 1 and not (title or subtitle or editors):
        from ..ingest import read_story
        from .read import chapter_files, is_chapter_folder, read_chapter_folder

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
    stories = read_stories(paths, options.reader, cache=cache and options.cache,
                           meanwhile=lambda: preload(options, drawn_cover=True))
    book = quick_book(stories, title=title, editors=editors, subtitle=subtitle or "")
    return build_book(book, target, options)


PARALLEL_READ_MIN = 24  # below this, starting worker processes costs more than it saves


def read_stories(paths: Sequence[Path], reader: str | None = None, *, cache: bool = True,
                 labels: Sequence[str] | None = None, config: Path | None = None,
                 meanwhile: Callable[[], None] | None = None) -> list[Story]:
    """Read every story; if any fail, one error that lists each failure (and duplicates).
    `meanwhile` runs while worker processes parse, if they do."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    todo: list[tuple[int, Path]] = []
    digests: dict[int, str] = {}
    known: dict[int, Story] = {}  # from the cache: a rebuild needs no workers for these
    for n, path in enumerate(paths):
        label = labels[n] if labels else str(path)
        try:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
        except FileNotFoundError:
            problems.append(f"{label}: no such file")
            continue
        except OSError as exc:
            problems.append(f"{label}: cannot be read: {exc.strerror}")
            continue
        if digest in seen:
            problems.append(f"{label}: duplicate story: the same text as {seen[digest]}")
            continue
        seen[digest] = label
        todo.append((n, path))
        digests[n] = digest
        story = cached_story(path, digest, reader) if cache else None
        if story is not None:
            known[n] = story
    fresh = iter(_read_all([(p, digests[n]) for n, p in todo if n not in known], reader,
                           cache, meanwhile))
    stories: list[Story] = []
    for n, path in todo:
        outcome = known[n] if n in known else next(fresh)
        if isinstance(outcome, Story):
            stories.append(outcome)
        else:
            problems.append(f"{labels[n] if labels else path}: {outcome.message}")
    if problems:
        if len(problems) == 1 and config is None:
            raise InputError(None, problems[0])
        raise ConfigError(config, problems)
    return stories


def _read_all(files: list[tuple[Path, str]], reader: str | None, cache: bool,
              meanwhile: Callable[[], None] | None = None) -> list[Story | FicbookError]:
    """Each story (given its path and its bytes' SHA-256), or the error that says why it could
    not be read; on every core for many (`meanwhile` runs as they parse)."""
    cores = os.cpu_count() or 1
    read: list[Story | FicbookError]
    if len(files) < PARALLEL_READ_MIN or cores < 2:
        read = [_read_one(p, d, reader, cache) for p, d in files]
    else:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(cores, 8)) as pool:
            results = pool.map(_read_in_worker, *zip(*files, strict=True),
                               [reader] * len(files), [cache] * len(files), chunksize=2)
            if meanwhile is not None:  # this process would only wait for the workers
                meanwhile()
            read = [r if isinstance(r, Story) else InputError(*r) for r in results]
    if cache and files:
        prune("stories")  # what was just stored may take the cache past its limit
    return read


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


def _read_one(path: Path, digest: str, reader: str | None, cache: bool) -> Story | FicbookError:
    try:
        if cache:  # cached_story() found none: parse, and keep it for the next build
            return read_and_keep(path, digest, reader)
        from ..ingest import read_story  # the readers (lxml, nh3...): only when parsing

        return read_story(path, reader)
    except FileNotFoundError:
        return InputError(path, "no such file")
    except OSError as exc:
        return InputError(path, f"cannot be read: {exc.strerror}")
    except FicbookError as exc:
        return exc


def _read_in_worker(path: Path, digest: str, reader: str | None,
                    cache: bool) -> Story | tuple[Path | None, str]:
    """_read_one in a worker process. An error comes back as its path and message, to be made
    an InputError again: a FicbookError does not survive pickling (its arguments are not the
    ones its constructor takes)."""
    outcome = _read_one(path, digest, reader, cache)
    return outcome if isinstance(outcome, Story) else (outcome.path, outcome.message)


def build_anthology(spec: BuildSpec | Path | str, output: Path | str | None = None,
                    options: BuildOptions | None = None, *,
                    explicit: Collection[str] | None = None, cache: bool = True) -> list[Path]:
    """Build the anthology an anthology.toml describes. Options in `explicit` win over the file."""
    if not isinstance(spec, BuildSpec):
        spec = load_spec(spec)
    options = with_file_settings(options or BuildOptions(), spec.settings, explicit)
    labels = [f"{e.key}: {_shown(e.path, spec.folder)}" for e in spec.stories]
    stories = read_stories([e.path for e in spec.stories], options.reader,
                           cache=cache and options.cache, labels=labels, config=spec.path,
                           meanwhile=lambda: preload(options, drawn_cover=spec.cover is None))
    cover = None
    if spec.cover is not None:
        try:
            cover = spec.cover.read_bytes()
        except OSError as exc:
            raise InputError(spec.cover, f"cannot be read: {exc.strerror}") from None
    book = assemble(spec, stories, cover=cover)
    target = Path(output) if output is not None else spec.output
    return build_book(book, target, options)


def _shown(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)
