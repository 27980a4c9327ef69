"""Word documents (contributors' submissions): mammoth's semantic HTML, headings as chapters."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import lxml.etree as etree
import lxml.html
import mammoth

from ..errors import InputError
from ..model import Metadata, Story
from ..xhtml import images
from ..xhtml import sanitize as xhtml
from .archive import open_zip, read_member
from .decode import read_bytes
from .htmlblocks import blocks_of, inner_html, parse_fragment, prepare, story_from_blocks

# Word's styles -> semantic HTML; unknown styles fall back to paragraphs. The styles Word and
# pandoc give a document's own title, byline, date and abstract become marked paragraphs that
# `_front_styles` reads as metadata. A file written without word/styles.xml names its styles
# by id only (`p.Title`): those rules come after the names, which win when both are there.
STYLE_MAP = """
p[style-name='Title'] => p.docx-title:fresh
p[style-name='Subtitle'] => p.docx-subtitle:fresh
p[style-name='Author'] => p.docx-author:fresh
p[style-name='Date'] => p.docx-date:fresh
p[style-name='Abstract'] => p.docx-abstract:fresh
p[style-name='Abstract Title'] => p.docx-abstract-title:fresh
p.Title => p.docx-title:fresh
p.Subtitle => p.docx-subtitle:fresh
p.Author => p.docx-author:fresh
p.Date => p.docx-date:fresh
p.Abstract => p.docx-abstract:fresh
p.AbstractTitle => p.docx-abstract-title:fresh
u => u
strike => del
small-caps => span.smallcaps
"""
_STYLES = {"docx-title": "Title", "docx-subtitle": "Subtitle", "docx-author": "Author",
           "docx-date": "Date", "docx-abstract": "Abstract", "docx-abstract-title": "Abstract"}
_CORE = {"dc": "http://purl.org/dc/elements/1.1/",
         "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# What Word writes when nobody filled the author in: not an author.
_DEFAULT_CREATORS = {"", "microsoft office user", "user", "administrator", "admin", "owner",
                     "author", "python-docx", "unknown", "windows user", "office user",
                     "пользователь", "benutzer", "utilisateur", "usuario", "utente", "gebruiker"}
# Word signed in with a Microsoft account writes the account's localized name ("Microsoft
# account", "Учетная запись Майкрософт", "Microsoft-Konto"...): a short name that names the
# company in any script is that placeholder.
_MICROSOFT = re.compile(r"microsoft|майкрософт|マイクロソフト|微软|微軟|마이크로소프트",
                        re.IGNORECASE)
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
log = logging.getLogger(__name__)


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
            return {"alt": image.alt_text or "a linked picture, not in the file"}
        name = f"docx-image-{len(embedded)}"
        embedded[name] = data
        return {"src": name, "alt": image.alt_text or ""}

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), style_map=STYLE_MAP,
                                         convert_image=mammoth.images.img_element(keep_image),
                                         external_file_access=False)
    except Exception as exc:  # mammoth raises many kinds on a broken document
        raise InputError(path, f"cannot read this Word document: {exc}") from None
    for target in _linked_pictures(z, path):
        log.warning("%s: picture %r is linked, not inside the file: ficbook never fetches it, "
                    "so the book shows a placeholder", path, target)
    root = parse_fragment(result.value)
    front = _front_styles(root)
    prepare(root)
    meta, notes = _metadata(front, core)
    with images.loading_with(embedded.get):  # the sanitizer resolves <img> while building
        story = story_from_blocks(blocks_of(root), path, "docx", meta,
                                  fallback_title=core.get("title", ""))
    return replace(story, reader_notes=(*story.reader_notes, *notes))


@dataclass
class _Front:
    """The paragraphs styled Title, Subtitle, Author, Date and Abstract over the story."""

    fields: dict[str, list[str]] = field(default_factory=dict)  # style -> inner HTML, in order

    def text(self, style: str) -> list[str]:
        return [t for t in (_text(h) for h in self.fields.get(style, [])) if t]


def _front_styles(root: lxml.html.HtmlElement) -> _Front:
    """Take the styled paragraphs at the top of the document out of the body. Further down a
    Title paragraph is a chapter heading (writers style each chapter's name so), and the other
    styles are plain paragraphs."""
    front = _Front()
    at_top = True
    for el in list(root):
        style = _STYLES.get(el.get("class", "")) if el.tag == "p" else None
        empty = not _text(inner_html(el)) and el.find(".//img") is None
        if at_top and style:
            if style != "Abstract" or "abstract-title" not in el.get("class", ""):
                front.fields.setdefault(style, []).append(inner_html(el))
            root.remove(el)  # (tail text of a block <p> is whitespace)
            continue
        if empty and at_top:
            continue
        at_top = False
        if style == "Title":
            el.tag = "h1"
        if style:
            el.attrib.pop("class")
    return front


def _text(fragment: str) -> str:
    return xhtml.to_text(xhtml.clean(fragment, typography=True)).strip()


def _metadata(front: _Front, core: dict[str, str]) -> tuple[Metadata, list[str]]:
    """Metadata from the styled paragraphs first, the document properties second."""
    notes = []
    authors = tuple(re.sub(r"^by\s+", "", a, flags=re.IGNORECASE) for a in front.text("Author"))
    creator = core.get("creator", "")
    if creator and _placeholder(creator):
        notes.append(f"document properties author '{creator}' ignored: a placeholder")
    elif creator and authors and creator not in authors:
        notes.append(f"document properties author '{creator}' set aside: the Author "
                     "paragraphs name the authors")
    elif creator:
        authors = authors or (creator,)
    titles = front.text("Title")
    extra = tuple(("Subtitle", t) for t in front.text("Subtitle"))
    abstract = "".join(f"<p>{h}</p>" for h in front.fields.get("Abstract", []))
    meta = Metadata(title=": ".join(titles), authors=authors, extra=extra,
                    published=" ".join(front.text("Date")),
                    summary=xhtml.clean(abstract, typography=True) if abstract else "")
    if front.fields:
        styles = "/".join(s for s in ("Title", "Subtitle", "Author", "Date", "Abstract")
                          if s in front.fields)
        notes.insert(0, f"Word {styles} paragraphs: read as metadata")
    return meta, notes


def _placeholder(creator: str) -> bool:
    """An author name Word filled in by itself: 'Microsoft Office User', a Microsoft account."""
    name = creator.strip().lower()
    return name in _DEFAULT_CREATORS or (bool(_MICROSOFT.search(name)) and len(name.split()) <= 4)


def _linked_pictures(z: zipfile.ZipFile, path: Path | None) -> list[str]:
    """Pictures the document links to outside itself (TargetMode="External")."""
    rels = "word/_rels/document.xml.rels"
    if rels not in z.namelist():
        return []
    try:
        root = etree.fromstring(read_member(z, rels, path), XML_PARSER)
    except etree.XMLSyntaxError:
        return []
    return [r.get("Target", "") for r in root.iter(f"{_RELS}Relationship")
            if r.get("TargetMode") == "External" and r.get("Type", "").endswith("/image")]


def _core_properties(z: zipfile.ZipFile, path: Path | None) -> dict[str, str]:
    """Title and author from docProps/core.xml, when Word filled them in."""
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

