"""Word files made for the tests with python-docx: the styles writers and pandoc use."""

from __future__ import annotations

import io
from pathlib import Path

import pytest


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (40, 90, 160)).save(out, "PNG")
    return out.getvalue()


def make_styled_docx(target: Path) -> Path:
    """A story whose title, byline, date and abstract are styled paragraphs (Word's Title and
    Subtitle, pandoc's Author, Date and Abstract), signed in with a Microsoft account, with
    small caps and a picture linked from outside the file."""
    docx = pytest.importorskip("docx")
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE

    doc = docx.Document()
    doc.core_properties.author = "Microsoft account"
    for name in ("Author", "Date", "Abstract"):
        doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    doc.add_paragraph("The Weir-Keeper’s Almanac", style="Title")
    doc.add_paragraph("Being a Year of Small Floods", style="Subtitle")
    doc.add_paragraph("Orla Fenwick", style="Author")
    doc.add_paragraph("Tamsin Reed", style="Author")
    doc.add_paragraph("March 3, 2022", style="Date")
    doc.add_paragraph("A weir-keeper counts the river’s moods for one year and loses count "
                      "only once.", style="Abstract")
    doc.add_heading("January", level=1)
    p = doc.add_paragraph("The almanac began, as all almanacs do, with a lie: ")
    p.add_run("Ice Expected").font.small_caps = True
    p.add_run(". There was no ice. There was a heron, and there was mud to the knee.")
    doc.add_paragraph("Orla wrote the heron down instead, and the mud, and the hour the water "
                      "turned from brown to the colour of weak tea.")
    doc.add_heading("February", level=1)
    doc.add_paragraph("The sketch of the sluice gate went into the book beside the tide table:")
    doc.add_paragraph().add_run().add_picture(io.BytesIO(_png()))
    doc.add_paragraph("By the end of the month the gate was mended and the almanac was full.")
    # python-docx embeds pictures; point this one at a file outside the document instead.
    rid = doc.part.relate_to("sluice-gate.png", RELATIONSHIP_TYPE.IMAGE, is_external=True)
    blip = doc.element.body.xpath(".//a:blip")[0]
    embed = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
    link = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}link"
    del blip.attrib[embed]
    blip.set(link, rid)
    doc.save(str(target))
    return target
