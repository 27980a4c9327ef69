"""Word documents (contributors' submissions): mammoth's semantic HTML, headings as chapters."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import lxml.etree as etree
import mammoth

from ..errors import InputError
from ..model import Metadata, Story
from ..xhtml import images
from .archive import open_zip, read_member
from .decode import read_bytes
from .htmlblocks import blocks_of, parse_fragment, prepare, story_from_blocks

# Word's styles -> semantic HTML; unknown styles fall back to paragraphs.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Subtitle'] => p:fresh
u => u
strike => del
"""
_CORE = {"dc": "http://purl.org/dc/elements/1.1/",
         "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
# What Word writes when nobody filled the author in: not an author.
_DEFAULT_CREATORS = {"", "microsoft office user", "user", "administrator", "admin", "owner",
                     "author", "python-docx", "unknown"}
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)


def read_docx(path: Path) -> Story:
    return parse_docx(read_bytes(path), path)


def parse_docx(data: bytes, path: Path | None = None) -> Story:
    z = open_zip(data, path, "DOCX")
    if "word/document.xml" not in z.namelist():
        raise InputError(path, "not a Word document (no word/document.xml inside)")
    core = _core_properties(z, path)
    embedded: dict[str, bytes] = {}

    def keep_image(image: Any) -> dict[str, str]:
        # Pictures embedded in the document: handed to the sanitizer under a private name.
        try:
            with image.open() as f:
                data = f.read(images.MAX_IMAGE_BYTES + 1)
        except Exception:  # a linked (external) picture: never fetched, its alt text stays
            return {"alt": image.alt_text or ""}
        name = f"docx-image-{len(embedded)}"
        embedded[name] = data
        return {"src": name, "alt": image.alt_text or ""}

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP,
                                         convert_image=mammoth.images.img_element(keep_image),
                                         external_file_access=False)
    except Exception as exc:  # mammoth raises many kinds on a broken document
        raise InputError(path, f"cannot read this Word document: {exc}") from None
    root = parse_fragment(result.value)
    prepare(root)
    creator = core.get("creator", "")
    meta = Metadata(title="", authors=(creator,) if creator.lower() not in _DEFAULT_CREATORS
                    else ())
    with images.loading_with(embedded.get):  # the sanitizer resolves <img> while building
        story = story_from_blocks(blocks_of(root), path, "docx", meta,
                                  fallback_title=core.get("title", ""))
    return story


def _core_properties(z: object, path: Path | None) -> dict[str, str]:
    """Title and author from docProps/core.xml, when Word filled them in."""
    import zipfile

    assert isinstance(z, zipfile.ZipFile)
    if "docProps/core.xml" not in z.namelist():
        return {}
    try:
        root = etree.fromstring(read_member(z, "docProps/core.xml", path), XML_PARSER)
    except etree.XMLSyntaxError:
        return {}
    out = {}
    for key in ("title", "creator"):
        value = root.findtext(f"dc:{key}", namespaces=_CORE)
        if value and value.strip():
            out[key] = " ".join(value.split())
    return out

