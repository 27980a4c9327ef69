"""Hostile inputs: the readers refuse or defuse them, with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from archives import CONTAINER, OPF, epub

from ficbook.errors import InputError
from ficbook.ingest import read_story
from ficbook.ingest.archive import MAX_ENTRY_BYTES


def test_epub_with_parent_paths_is_refused(tmp_path: Path) -> None:
    bad = epub(tmp_path / "bad.epub", {"META-INF/container.xml": CONTAINER,
                                       "content.opf": OPF, "../../evil.txt": "x"})
    with pytest.raises(InputError, match="unsafe file name"):
        read_story(bad)


def test_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = epub(tmp_path / "bomb.epub", {"META-INF/container.xml": CONTAINER,
                                         "content.opf": OPF,
                                         "c.xhtml": b"0" * (MAX_ENTRY_BYTES // 8)})
    with pytest.raises(InputError, match="zip bomb"):
        read_story(bomb)


def test_epub_entities_and_scripts_do_not_get_through(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    page = (f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>One</h1><p>Hello &x; there'
            '</p><script>alert(1)</script><p onclick="x()">Text <a href="javascript:x()">'
            'link</a></p><iframe src="https://example.invalid/"></iframe></body></html>')
    story = read_story(epub(tmp_path / "x.epub", {"META-INF/container.xml": CONTAINER,
                                                  "content.opf": OPF, "c.xhtml": page}))
    body = story.chapters[0].body
    assert "TOP-SECRET" not in body and "script" not in body and "alert" not in body
    assert "onclick" not in body and "javascript" not in body and "iframe" not in body


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    md = tmp_path / "bomb.md"
    md.write_text('---\na: &a ["lol","lol"]\nb: &b [*a,*a,*a]\ntitle: x\n---\n\nText.\n')
    with pytest.raises(InputError, match="anchors"):
        read_story(md)


def test_html_page_scripts_and_styles_are_dropped(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text('<html><body><article><p>Title: Safe</p><p>Author: me</p>'
                    '<p style="color:red;font-size:30px" onmouseover="x()">A long enough line '
                    'of story text to be the entry, with more words after it.</p><script>'
                    'steal()</script><img src="https://tracker.invalid/p.gif" alt="a heron">'
                    '</article></body></html>')
    story = read_story(page)
    body = story.chapters[0].body
    assert story.metadata.title == "Safe"
    assert "steal" not in body and "style" not in body and "onmouseover" not in body
    assert "tracker" not in body and "[image: a heron]" in body


def test_not_a_zip_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.epub"
    fake.write_text("not a zip")
    with pytest.raises(InputError, match="not a valid EPUB"):
        read_story(fake)
