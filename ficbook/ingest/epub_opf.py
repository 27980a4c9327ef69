"""An EPUB's package: the container, the OPF's manifest and spine, and what its metadata says.

Read defensively: no network, no DTDs, no entity expansion (archive.py keeps `../`, absolute
names and zip bombs out).
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import lxml.etree as etree
import lxml.html

from ..errors import InputError
from ..model import Metadata
from ..xhtml import sanitize as xhtml
from .ao3 import language_code
from .archive import open_zip, read_member
from .htmlblocks import HTML_PARSER, body_fragment

XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
OPF_ROLE = "{http://www.idpf.org/2007/opf}role"
OPF_EVENT = "{http://www.idpf.org/2007/opf}event"
XHTML_TYPES = {"application/xhtml+xml", "text/html", "application/xml", "text/xml"}


@dataclasses.dataclass
class Package:
    path: Path | None
    zip: zipfile.ZipFile
    opf: etree._Element
    base: str
    manifest: dict[str, tuple[str, str, str]]  # id -> (zip name, media type, properties)
    spine: list[str]  # zip names in reading order (XHTML only)

    def xml(self, name: str) -> etree._Element:
        return xml_of(self.zip, name, self.path)

    def html(self, name: str) -> lxml.html.HtmlElement:
        data = read_member(self.zip, name, self.path)
        text = data.decode("utf-8", errors="replace")
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
        return lxml.html.document_fromstring(xhtml.strip_invalid_chars(text) or "<p/>",
                                             parser=HTML_PARSER)

    def metas(self) -> list[etree._Element]:
        return list(self.opf.findall("opf:metadata/opf:meta", NS))


def xml_of(z: zipfile.ZipFile, name: str, path: Path | None) -> etree._Element:
    try:
        return etree.fromstring(read_member(z, name, path), XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise InputError(path, f"{name} inside the EPUB is not well-formed XML: {exc}") from None


def open_package(data: bytes, path: Path | None) -> Package:
    z = open_zip(data, path, "EPUB")
    container = xml_of(z, "META-INF/container.xml", path)
    rootfile = container.find(".//c:rootfile", NS)
    if rootfile is None or not rootfile.get("full-path"):
        raise InputError(path, "the EPUB's container.xml names no package document")
    return package_at(z, rootfile.get("full-path", ""), path)


def package_at(z: zipfile.ZipFile, opf_name: str, path: Path | None,
                spine: list[str] | None = None) -> Package:
    """The package document at `opf_name`; `spine` (zip names) replaces its own when given."""
    opf = xml_of(z, opf_name, path)
    base = posixpath.dirname(opf_name)
    manifest = {}
    for item in opf.findall("opf:manifest/opf:item", NS):
        href = unquote(item.get("href", "").split("#")[0])
        name = posixpath.normpath(posixpath.join(base, href)) if href else ""
        manifest[item.get("id", "")] = (name, item.get("media-type", ""),
                                        item.get("properties", ""))
    if spine is None:
        spine = []
        for ref in opf.findall("opf:spine/opf:itemref", NS):
            name, media, _ = manifest.get(ref.get("idref", ""), ("", "", ""))
            if name and media in XHTML_TYPES and name in z.namelist():
                spine.append(name)
    if not spine:
        raise InputError(path, "the EPUB's spine lists no readable pages")
    return Package(path, z, opf, base, manifest, spine)


def dc(pkg: Package, name: str) -> list[etree._Element]:
    return list(pkg.opf.findall(f"opf:metadata/dc:{name}", NS))


def opf_metadata(pkg: Package) -> Metadata:
    """What any EPUB's OPF says: title, creators, subjects, description, dates, series."""
    refines: dict[str, dict[str, str]] = {}
    for meta in pkg.metas():
        if meta.get("refines"):
            refines.setdefault(meta.get("refines", "")[1:], {})[meta.get("property", "")] = \
                (meta.text or "").strip()
    title = next((" ".join((t.text or "").split()) for t in dc(pkg, "title") if t.text), "")
    authors = []
    for creator in dc(pkg, "creator"):
        role = creator.get(OPF_ROLE) or refines.get(creator.get("id", ""), {}).get("role", "aut")
        if role == "aut" and creator.text and creator.text.strip():
            authors.append(" ".join(creator.text.split()))
    values: dict[str, Any] = {"title": title, "authors": tuple(authors)}
    subjects = tuple(" ".join(s.text.split()) for s in dc(pkg, "subject") if s.text)
    if subjects:
        values["tags"] = subjects
    description = next((d.text for d in dc(pkg, "description") if d.text), "")
    if description.strip():
        text = description if "<" in description else "".join(
            f"<p>{xhtml.clean(p)}</p>" for p in re.split(r"\n\s*\n", description.strip()))
        values["summary"] = body_fragment(lxml.html.fragment_fromstring(
            text, create_parent="div", parser=HTML_PARSER))
    language = next((d.text.strip() for d in dc(pkg, "language") if d.text), "")
    if language_code(language):
        values["language"] = language_code(language)
    for date in dc(pkg, "date"):
        event = (date.get(OPF_EVENT) or "").lower()
        value = (date.text or "").strip()[:10]
        if event == "modification":
            values["updated"] = value
        elif value and (event == "publication" or "published" not in values):
            values["published"] = value
    for source in [*dc(pkg, "source"), *dc(pkg, "identifier")]:
        if source.text and source.text.strip().startswith(("http://", "https://")):
            values["source_url"] = source.text.strip()
            break
    for meta in pkg.metas():
        name, content = meta.get("name", ""), meta.get("content", "")
        if name == "calibre:series" and content:
            values["series"] = content
        elif name == "calibre:series_index" and re.fullmatch(r"\d+(\.\d+)?", content.strip()):
            values["series_index"] = float(content)
    return Metadata(**values)
