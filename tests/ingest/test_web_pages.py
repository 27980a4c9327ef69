"""Saved web pages: FanFiction.net chapters, LJ/DW entries, pages that are not a story, and the
check that nothing is lost without a word."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from ficbook.cli import cli
from ficbook.errors import EXIT_INPUT, InputError
from ficbook.ingest import read_story
from ficbook.ingest.coverage import check
from ficbook.ingest.dividers import is_divider
from ficbook.model import Chapter, Metadata, Story

HTML = FIXTURES / "html"
PROSE = ("The tide went out and did not come back, and the town learned to live on the mud. "
         "Nobody wrote it down, because nobody believed it would last. ") * 6


def page(tmp_path: Path, body: str, name: str = "page.html", head: str = "") -> Path:
    path = tmp_path / name
    path.write_text(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>")
    return path


@pytest.mark.parametrize("line", [".:O:.:O:.:O:.:O:.:O:.:O:.:O:.:O:.:O:.:O:.:O:.:O:.:O:.:O:.",
                                  "xoxoxoxoxo", "-LINE BREAK-", "~ Scene Change ~", "~" * 90,
                                  "oOoOoOo", "* * *"])
def test_fan_dividers_are_scene_breaks(line: str) -> None:
    assert is_divider(line)


@pytest.mark.parametrize("line", ["Hahahaha", "Nooooooo!", "No.", "OK OK OK", "xoxo, Mum",
                                  "Break it, then."])
def test_words_are_not_dividers(line: str) -> None:
    assert not is_divider(line)


def test_ffn_old_layout_names_the_story_not_the_chapter() -> None:
    story = read_story(HTML / "ffn-old-layout.html")
    meta = story.metadata
    assert (meta.title, meta.authors, meta.fandoms) == ("Nine Lamps", ("wickandember",),
                                                        ("Lantern Road",))
    assert meta.genres == ("Hurt/Comfort", "Drama") and meta.rating == "T"
    assert meta.published == "2007-03-14"
    assert meta.summary.startswith("The lamps on Lantern Road")
    assert [c.title for c in story.chapters] == ["Chapter Two"]
    assert story.chapters[0].body.count('<hr class="scene-break"/>') == 3
    assert ".:O:." not in story.chapters[0].body
    assert "FanFiction.net page: chapter 2 of 3" in story.reader_notes


def test_ffn_one_chapter_of_many_does_not_claim_the_whole_story() -> None:
    story = read_story(HTML / "ffn-current-layout.html")
    assert story.metadata.word_count is None  # 14,210 words are the whole story's
    assert ("Whole story on FanFiction.net",
            "5 chapters, 14,210 words (this file holds chapter 3)") in story.metadata.extra
    assert story.chapters[0].title == "Low Tide"
    assert story.metadata.relationships == ("Wren A./Halloran",)
    assert story.reader == "html/ffn"


def test_ffn_one_shot_keeps_its_declared_word_count() -> None:
    story = read_story(HTML / "ffn-chapter.html")
    assert story.metadata.word_count == 127
    assert story.metadata.fandoms == ("Starfleet Chronicles",)


@pytest.mark.parametrize(("name", "poster"), [("lj-entry.html", "moth_and_marrow"),
                                              ("dw-community-entry.html", "saltwick")])
def test_journal_poster_is_the_fallback_author(name: str, poster: str) -> None:
    story = read_story(HTML / name)
    assert story.metadata.authors == (poster,)
    assert story.reader == "html/journal"
    assert "comments: left out" in story.reader_notes
    text = "".join(c.body for c in story.chapters)
    assert "[image" not in text and "[personal profile]" not in text
    assert "gullwatch" not in text and "reeds_reader" not in text  # commenters


def test_lj_user_in_the_text_is_the_name() -> None:
    body = read_story(HTML / "lj-entry.html").chapters[0].body
    assert "<p>Written for lanternfish, who asked for ghosts" in body


def test_an_author_line_beats_the_poster(tmp_path: Path) -> None:
    path = page(tmp_path, "<div class='entry'><div class='poster'><span class='ljuser' "
                "lj:user='poster_name'><b>poster_name</b></span></div><div class='entry-content'>"
                f"Title: Ebb<br/>Author: real_writer<br/><br/>{PROSE}</div></div>")
    assert read_story(path).metadata.authors == ("real_writer",)


def test_discretion_advised_page_is_one_line_error_exit_3() -> None:
    result = CliRunner().invoke(cli, ["info", str(HTML / "dw-discretion-interstitial.html")])
    assert result.exit_code == EXIT_INPUT
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "adult-content notice" in lines[0]
    assert "Discretion Advised" in lines[0]


def test_login_page_is_refused(tmp_path: Path) -> None:
    path = page(tmp_path, "<h1>Log in</h1><div><p>Please log in to read this story.</p>"
                "<form><label>Username</label><input name='u'/><label>Password</label>"
                "<input type='password' name='p'/><input type='submit' value='Log in'/></form>"
                "</div>")
    with pytest.raises(InputError, match="login page"):
        read_story(path)


def test_index_page_is_refused(tmp_path: Path) -> None:
    items = "".join(f"<li><a href='/s/{n}'>The Long Way Round, part {n}</a> ({n}k)</li>"
                    for n in range(1, 30))
    path = page(tmp_path, f"<h1>Stories by tidewriter</h1><div><ul>{items}</ul></div>")
    with pytest.raises(InputError, match="index page"):
        read_story(path)


def test_error_page_is_refused(tmp_path: Path) -> None:
    path = page(tmp_path, "<h1>Story Not Found</h1><div><p>Unable to locate story. Code 1."
                "</p></div>")
    with pytest.raises(InputError, match="error page"):
        read_story(path)


def test_a_short_story_page_still_builds(tmp_path: Path) -> None:
    drabble = "She left the light on for him. " * 14
    path = page(tmp_path, f"<h1>Porch Light</h1><div><p>{drabble}</p></div>")
    assert read_story(path).metadata.title == "Porch Light"


def test_yaml_front_matter_on_an_html_file_is_metadata(tmp_path: Path) -> None:
    path = tmp_path / "story.html"
    path.write_text("---\ntitle: Ebb and Flow\nauthor: tidewriter\nfandom: Harbourfall\n---\n"
                    f"<html><body><div><p>{PROSE}</p></div></body></html>")
    story = read_story(path)
    assert (story.metadata.title, story.metadata.authors) == ("Ebb and Flow", ("tidewriter",))
    assert "title:" not in story.chapters[0].body and "---" not in story.chapters[0].body


def test_metadata_in_an_html_comment_is_read(tmp_path: Path) -> None:
    path = page(tmp_path, f"<!-- STORYINFO\ntitle: Neap\nfandom: Harbourfall\n"
                f"date: 2011-02-03\n-->\n<p><strong>Neap</strong></p><p>by tidewriter for "
                f"the winter exchange.</p><p>{PROSE}</p>")
    story = read_story(path)
    assert story.metadata.fandoms == ("Harbourfall",) and story.metadata.title == "Neap"
    assert story.metadata.authors == ("tidewriter",)  # from the byline, which stays in text
    assert "by tidewriter" in story.chapters[0].body


def test_header_under_the_title_heading_with_a_byline(tmp_path: Path) -> None:
    path = page(tmp_path, "<table><tr><td class='sidebar'><a href='/'>Home</a></td><td>"
                "<center><h2>Spring Tides</h2><br>Fandom: <a href='/f?x'>Harbourfall</a><br>"
                "Written for: gullwatch in the Winter Exchange<br>by <a href='/c?x'>tidewriter"
                f"</a><br></center><p>{PROSE}</p></td></tr></table>")
    meta = read_story(path).metadata
    assert meta.authors == ("tidewriter",)
    assert meta.written_for == "gullwatch in the Winter Exchange"
    assert meta.fandoms == ("Harbourfall",)


def test_a_reader_that_keeps_too_little_warns_and_says_so(
        caplog: pytest.LogCaptureFixture) -> None:
    story = Story(Metadata(title="Ebb"), (Chapter("", "<p>Only a few words here.</p>"),))
    with caplog.at_level(logging.WARNING):
        checked = check(story, 1850, Path("ebb.html"))
    assert "kept 6 of 1,850 words of the page's main text" in caplog.text
    assert any("1,844 missing" in note for note in checked.reader_notes)
    assert check(story, 8, Path("ebb.html")) is story


def test_an_empty_entry_box_falls_back_to_the_prose(tmp_path: Path) -> None:
    path = page(tmp_path, "<div class='entry-content'><p>Posted with love. Comments welcome, "
                "as always, and thank you for reading this far down the page.</p></div>"
                f"<div class='story'><p>{PROSE}</p><p>{PROSE}</p></div>")
    story = read_story(path)
    assert "The tide went out" in story.chapters[0].body
    assert any("densest block" in note for note in story.reader_notes)
