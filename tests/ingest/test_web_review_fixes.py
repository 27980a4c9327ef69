"""Saved web pages the reviewer found mishandled: an FFN date out of range, an FFN page with no
title, a journal page that is only comments, bylines read out of sentences, short stories
refused over ordinary words, and `---` scene breaks taken for front matter."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficbook.errors import InputError
from ficbook.ingest import read_story

LINE = "The lamplighter counted the lamps along the quay and found one more than yesterday. "
PROSE = LINE * 30


def page(tmp_path: Path, body: str, name: str = "page.html", head: str = "") -> Path:
    path = tmp_path / name
    path.write_text(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>")
    return path


# --- FanFiction.net -------------------------------------------------------------------------

def test_ffn_date_out_of_range_is_left_as_written(tmp_path: Path) -> None:
    path = page(tmp_path, "<div id='profile_top'><b>Quay Lamps</b><span class='xgray'>Rated: K "
                "- English - Words: 600 - Published: <span data-xutime='987654321987654321987'>"
                "long ago</span></span></div>"
                f"<div id='storytext'><p>{PROSE}</p></div>")
    story = read_story(path)
    assert story.metadata.title == "Quay Lamps"
    assert story.metadata.published == "long ago"


def test_ffn_page_without_profile_or_title_is_named_after_the_file(tmp_path: Path) -> None:
    path = page(tmp_path, f"<div id='storytext'><p>{PROSE}</p></div>", name="quay-lamps.html",
                head="<title></title>")
    assert read_story(path).metadata.title == "Quay Lamps"


# --- journal pages --------------------------------------------------------------------------

def test_journal_page_with_only_comments_is_refused(tmp_path: Path) -> None:
    path = page(tmp_path, "<div class='poster'><span class='ljuser' lj:user='lampwick'>"
                "<a href='/p'><img src='u.gif'></a><a href='/'><b>lampwick</b></a></span></div>"
                "<div id='comments'><div class='comment'><p>Lovely, thank you for posting this "
                "one, I read it twice.</p><p>So good. The quay, the lamps, all of it.</p></div>"
                "</div>", head="<title>lampwick: Quay Lamps</title>")
    with pytest.raises(InputError, match="no story text found"):
        read_story(path)


def test_fallback_block_skips_sidebars_and_menus(tmp_path: Path) -> None:
    side = "<p>Archive links, recent posts, and the list of everything tagged here. </p>" * 12
    path = page(tmp_path, f"<div class='sidebar'>{side}</div><div><p>{LINE * 8}</p></div>",
                head="<title>Quay Lamps</title>")
    body = read_story(path).chapters[0].body
    assert "lamplighter" in body and "Archive links" not in body


# --- bylines --------------------------------------------------------------------------------

def test_a_sentence_starting_with_by_is_not_a_byline(tmp_path: Path) -> None:
    path = page(tmp_path, f"<article><h1>Quay Lamps</h1><p>The wind rose after dark.</p>"
                f"<p>By evening, the quay was empty.</p><p>{PROSE}</p></article>")
    assert read_story(path).metadata.authors == ()


@pytest.mark.parametrize("line", ["By evening, the quay was empty.", "By dawn.",
                                  "by nightfall the lamps were lit."])
def test_by_and_an_ordinary_word_first_is_not_a_byline(tmp_path: Path, line: str) -> None:
    path = page(tmp_path, f"<article><h1>Quay Lamps</h1><p>{line}</p><p>{PROSE}</p></article>")
    assert read_story(path).metadata.authors == ()


@pytest.mark.parametrize(("line", "author"), [
    ("by Wren Halloway", "Wren Halloway"),
    ("by <a href='/u/lamp_wick'>lampwick</a>", "lampwick"),
    ("by lamp_wick for the winter exchange", "lamp_wick"),
])
def test_a_byline_under_the_title_is_the_author(tmp_path: Path, line: str, author: str) -> None:
    path = page(tmp_path, f"<article><h1>Quay Lamps</h1><p>{line}</p><p>{PROSE}</p></article>")
    assert read_story(path).metadata.authors == (author,)


# --- short stories with ordinary words ------------------------------------------------------

DRABBLE = LINE * 4


@pytest.mark.parametrize(("title", "body"), [
    ("Quay Lamps", f"<article><h1>Quay Lamps</h1><p>\"Just a moment,\" he said.</p><p>{DRABBLE}</p></article>"),
    ("Quay Lamps", "<form action='/search'><input name='q'></form><article><h1>Quay Lamps</h1>"
    f"<p>{DRABBLE}</p><p>The sign over the door said adult content only.</p></article>"),
    ("lampwick: Quay Lamps", "<div id='header'><form><input name='user'><input type='password' name='pw'>"
    f"<input type='submit' value='Log in'></form></div><div class='entry-content'><p>{DRABBLE}"
    "</p><p>He forgot his password again, and the sign in screen blinked at him.</p></div>"),
    ("Forbidden", f"<article><h1>Forbidden</h1><p>{DRABBLE}</p></article>"),
    ("lampwick: Quay Lamps", "<div class='s-header'><ul><li><a href='/help'>Help</a></li><li>"
     "<a href='/login'>Login</a></li></ul><div><span>lampwick</span> Log in or connect:"
     "<form><input type='password' name='pw'></form></div></div><article class='entry-content'>"
     f"<p>{DRABBLE}</p></article>"),
])
def test_a_short_story_with_ordinary_words_is_not_refused(tmp_path: Path, title: str,
                                                          body: str) -> None:
    story = read_story(page(tmp_path, body, head=f"<title>{title}</title>"))
    assert "lamplighter" in story.chapters[0].body


def test_a_browser_check_page_is_still_refused(tmp_path: Path) -> None:
    path = page(tmp_path, "<h1>Just a moment...</h1><div><p>Checking your browser before "
                "accessing the site. This takes a few seconds.</p></div>")
    with pytest.raises(InputError, match="browser check"):
        read_story(path)


def test_a_gate_around_the_entry_is_still_refused(tmp_path: Path) -> None:
    path = page(tmp_path, "<div class='panel'><h2>Adult content</h2><p>This entry may contain "
                "mature content. Confirm you want to view it.</p><form><input type='submit' "
                "value='Yes, show me'></form></div>", head="<title>Adult content</title>")
    with pytest.raises(InputError, match="adult-content notice"):
        read_story(path)


# --- front matter ---------------------------------------------------------------------------

def test_dashes_as_scene_breaks_are_not_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "frag.html"
    path.write_text(f"---\n<p>{PROSE}</p>\n---\n<p>Note: {PROSE}</p>\n")
    story = read_story(path)
    assert story.chapters[0].body.count("lamplighter") == 60


def test_front_matter_mapping_on_html_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_text(f"---\ntitle: Quay Lamps\nauthor: lampwick\n---\n<p>{PROSE}</p>\n")
    meta = read_story(path).metadata
    assert (meta.title, meta.authors) == ("Quay Lamps", ("lampwick",))
