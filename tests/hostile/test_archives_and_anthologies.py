"""Hostile archives (EPUB, DOCX) and mixed inputs: refused or defused, in bounded time."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from archives import CONTAINER, epub, opf
from conftest import FIXTURES

from ficbook import build, read_story
from ficbook.errors import InputError
from ficbook.ingest.archive import MAX_ENTRIES

pytestmark = pytest.mark.usefixtures("no_network")

LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
                    for n in range(1, 10))
          + "]>")


def test_billion_laughs_in_an_epub_are_not_expanded(tmp_path: Path) -> None:
    page = ('<?xml version="1.0"?>' + LAUGHS + '<html xmlns="http://www.w3.org/1999/xhtml">'
            "<body><h1>One</h1><p>Hello &lol9; there</p></body></html>")
    book = epub(tmp_path / "lol.epub", {"META-INF/container.xml": CONTAINER,
                                           "content.opf": opf("&lol9;", LAUGHS), "c.xhtml": page})
    try:
        story = read_story(book)
    except InputError:
        return  # refusing it is fine too; expanding it is not
    assert "lollollol" not in story.metadata.title + "".join(c.body for c in story.chapters)


def test_absurd_entry_counts_are_refused(tmp_path: Path) -> None:
    entries: dict[str, str | bytes] = {"META-INF/container.xml": CONTAINER, "content.opf": opf(doctype=LAUGHS)}
    entries.update({f"junk/{n}.txt": "" for n in range(MAX_ENTRIES + 1)})
    with pytest.raises(InputError, match="files"):
        read_story(epub(tmp_path / "many.epub", entries))


def test_docx_with_external_entities_and_parent_paths(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    document = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://'
                f'{secret}">]><w:document xmlns:w="http://schemas.openxmlformats.org/'
                'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hi &x;</w:t></w:r></w:p>'
                '</w:body></w:document>')
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
    with zipfile.ZipFile(tmp_path / "x.docx", "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("word/document.xml", document)
    try:
        story = read_story(tmp_path / "x.docx")
        assert "TOP-SECRET" not in "".join(c.body for c in story.chapters)
    except InputError as exc:
        assert "TOP-SECRET" not in str(exc)
    with zipfile.ZipFile(tmp_path / "evil.docx", "w") as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("word/document.xml", document.replace("&x;", ""))
        z.writestr("/etc/evil", "x")
    with pytest.raises(InputError):
        read_story(tmp_path / "evil.docx")


def test_mixed_encodings_in_one_anthology(tmp_path: Path) -> None:
    posts = FIXTURES / "posts"
    [book] = build([posts / "crlf-cp1252.txt", posts / "utf16-bom.txt",
                    posts / "hardwrapped.txt"], tmp_path, title="Mixed Bag")
    with zipfile.ZipFile(book) as z:
        text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert "Café" in text and "Snow on the Signal Box" in text and "\ufffd" not in text
