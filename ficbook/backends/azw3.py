"""AZW3 (Kindle's KF8) for sideloading: ficbook's EPUB, converted by calibre's ebook-convert."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..cache.book import BookCache
from ..errors import BuildError
from ..files import atomic_write
from ..model import RenderedBook
from ..options import BuildOptions

log = logging.getLogger(__name__)

TOOL = "ebook-convert"
MISSING = ("AZW3 needs calibre's ebook-convert: install it (Debian and Ubuntu: "
           "apt-get install calibre; elsewhere: https://calibre-ebook.com/download)")
TIMEOUT = 900  # seconds; calibre converts a 150,000-word novel in a few


def converter() -> str | None:
    """Where ebook-convert is, if calibre is installed."""
    return shutil.which(TOOL)


def write_azw3(rendered: RenderedBook, target: Path, options: BuildOptions,
               cache: BookCache) -> Path:
    from .epub import epub_bytes
    from .kindle import kindle_problems, two_level_contents

    tool = converter()
    if tool is None:
        raise BuildError(target, MISSING)
    kindle = two_level_contents(rendered)
    epub = epub_bytes(kindle)
    for problem in kindle_problems(kindle, bool(options.theme_options.get("embed_fonts")),
                                   len(epub)):
        log.warning("%s: for Kindle: %s", target.name, problem)
    with tempfile.TemporaryDirectory(prefix="ficbook-azw3-") as folder:
        source, made = Path(folder, "book.epub"), Path(folder, "book.azw3")
        source.write_bytes(epub)
        try:
            done = subprocess.run([tool, str(source), str(made)], capture_output=True,
                                  timeout=TIMEOUT, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise BuildError(target, f"{TOOL} took over {TIMEOUT} s and was stopped") from None
        if done.returncode != 0 or not made.is_file():
            said = done.stderr.decode(errors="replace").strip().splitlines()
            raise BuildError(target, f"{TOOL} failed (exit {done.returncode}): "
                                     f"{said[-1] if said else 'it said nothing'}")
        atomic_write(target, made.read_bytes())
    return target
