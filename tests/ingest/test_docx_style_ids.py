"""A Word file written without word/styles.xml (made by a script, not by Word): its paragraphs
name their styles by id only, and Title/Author/Date/Abstract are still metadata."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ficbook.ingest import read_story

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
          'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
          'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
         '</Relationships>')


def _p(text: str, style: str = "") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{props}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def test_style_ids_without_a_styles_part(tmp_path: Path) -> None:
    path = tmp_path / "lantern.docx"
    body = "".join([_p("The Lantern Road", "Title"), _p("Ines Marrow", "Author"),
                    _p("June 2023", "Date"),
                    _p("A road, a lantern and a walker who will not stop.", "Abstract"),
                    *[_p("She walked on through the dark, the lantern swinging low.")] * 6])
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml",
                   f'<?xml version="1.0"?><w:document {_W}><w:body>{body}</w:body></w:document>')
    story = read_story(path)
    meta = story.metadata
    assert meta.title == "The Lantern Road"
    assert meta.authors == ("Ines Marrow",)
    assert meta.published == "June 2023"
    assert "will not stop" in meta.summary
    text = "".join(c.body for c in story.chapters)
    assert "Ines Marrow" not in text and "Lantern Road" not in text and "June" not in text
