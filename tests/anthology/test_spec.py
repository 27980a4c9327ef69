"""anthology.toml: every problem reported at once; sorting, grouping, overrides, parts."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from ficbook.anthology.assemble import assemble, group_stories, sort_stories
from ficbook.anthology.parts import join_parts
from ficbook.anthology.spec import KEYS, SPEC, TOP_KEYS, BuildSpec, load_spec
from ficbook.errors import ConfigError
from ficbook.ingest.text import parse_text
from ficbook.options import BuildOptions, explicit_fields, with_file_settings


def post(title: str, author: str = "amy", fandom: str = "Tidewater", body: str = "Some words.",
         **fields: str) -> str:
    extra = "".join(f"{k.replace('_', ' ').title()}: {v}\n" for k, v in fields.items())
    return f"Title: {title}\nAuthor: {author}\nFandom: {fandom}\n{extra}\n{body}\n"


def folder_with(tmp_path: Path, config: str, **stories: str) -> Path:
    for name, text in stories.items():
        (tmp_path / f"{name}.txt").write_text(text)
    (tmp_path / "anthology.toml").write_text(config)
    return tmp_path / "anthology.toml"


def test_every_problem_is_reported_at_once_with_key_and_reason(tmp_path: Path) -> None:
    config = folder_with(tmp_path, '''
edtors = ["The Mods"]
sort = "titel"
group_by = "fandoms"
formats = ["epub", "mobi"]
language = "English please"
stories = ["a.txt", "missing.txt", "nothing/*.txt", "a.txt", {path = "b.txt", titel = "X"}]
[front_matter]
intro = "intro.md"
foreword = "foreword.md"
''', a=post("A"), b=post("B"))
    with pytest.raises(ConfigError) as caught:
        load_spec(config)
    problems = caught.value.problems
    assert "edtors: unknown key (did you mean 'editors'?)" in problems
    assert "title: missing: every anthology needs a title" in problems
    assert "sort: unknown value 'titel' (did you mean 'title'?)" in problems
    assert any(p.startswith("formats: unknown format 'mobi'") for p in problems)
    assert any(p.startswith("language: 'English please' is not a language tag") for p in problems)
    assert "stories[1]: 'missing.txt': no such file" in problems
    assert "stories[2]: 'nothing/*.txt' matches no story files" in problems
    assert "stories[3]: duplicate story: 'a.txt' is already listed as stories[0]" in problems
    assert "stories[4].titel: unknown key (did you mean 'title'?)" in problems
    assert "front_matter.intro: unknown key (did you mean 'introduction'?)" in problems
    assert "front_matter.foreword: 'foreword.md': no such file" in problems
    assert len(problems) == 11  # group_by "fandoms" is understood as "fandom"
    lines = caught.value.lines()
    assert all(line.startswith(f"{config}: ") and "\n" not in line for line in lines)


def test_theme_problems_go_under_the_key_their_error_type_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # built-in themes only
    config = folder_with(tmp_path, 'title = "T"\ntheme = "options-galore"\nstories = ["a.txt"]\n',
                         a=post("A"))
    with pytest.raises(ConfigError) as caught:
        load_spec(config)
    # The theme's name says "option", yet the problem is the theme: the key follows the type.
    [problem] = caught.value.problems
    assert problem.startswith("theme: theme 'options-galore' not found (built-in themes: ")
    config.write_text('title = "T"\ntheme = "modern"\nstories = ["a.txt"]\n'
                      '[theme_options]\nembed_fonts = "yes"\n')
    with pytest.raises(ConfigError) as caught:
        load_spec(config)
    assert caught.value.problems == [
        "theme_options: theme option 'embed_fonts' must be true or false, not 'yes'"]


def test_problems_come_in_the_order_the_keys_are_checked_whatever_the_files_order(
        tmp_path: Path) -> None:
    config = folder_with(tmp_path, '''stories = []
output = 4
cover = "nope.png"
back_matter = 2
front_matter = 1
group_by = "fandomz"
sort = 7
date = "March"
language = "English please"
print_layout = "yes"
page_size = 5
theme_options = 3
theme = 5
formats = 1
title = 3
zzz = 1
''')
    with pytest.raises(ConfigError) as caught:
        load_spec(config)
    assert caught.value.problems == [
        "zzz: unknown key (known: title, subtitle, editors, description, language, date, cover, "
        "theme, theme_options, formats, output, page_size, print_layout, front_matter, "
        "back_matter, stories, sort, group_by)",
        "title: must be a string, not a number",
        'formats: must be a list of formats, e.g. ["epub"]',
        "theme: must be a string, not a number",
        "theme_options: must be a table of option = value",
        "page_size: must be a string, not a number",
        "print_layout: must be true or false",
        "language: 'English please' is not a language tag like 'en' or 'pt-BR'",
        "date: 'March' is not a date like 2026-03-01",
        "sort: must be one of: as-listed, title, author, fandom, date, word-count",
        "group_by: unknown value 'fandomz' (did you mean 'fandom'?)",
        'front_matter: must be a table like [front_matter] foreword = "foreword.md"',
        'back_matter: must be a table like [back_matter] afterword = "afterword.md"',
        "cover: 'nope.png': no such file",
        "output: must be a string, not a number",
        "stories: must be a non-empty list of paths, globs or tables"]


def test_each_top_level_key_goes_to_the_field_of_its_name() -> None:
    spec_fields = {f.name for f in fields(BuildSpec)}
    option_fields = {f.name for f in fields(BuildOptions)}
    for key in KEYS:
        assert key.name in (spec_fields if key.into == SPEC else option_fields), key.name
    assert len(set(TOP_KEYS)) == len(TOP_KEYS) == len(KEYS)


def test_toml_syntax_error_names_the_file(tmp_path: Path) -> None:
    config = folder_with(tmp_path, 'title = "unclosed\n')
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_spec(config)


def test_globs_stay_inside_the_folder_and_explicit_entries_win(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(post("Outside"))
    book = tmp_path / "book"
    book.mkdir()
    (book / "link.txt").symlink_to(outside)
    config = folder_with(book, '''title = "T"
stories = ["*.txt", {path = "b.txt", title = "Bee", position = 1}, "../outside.txt"]
''', a=post("A"), b=post("B"))
    spec = load_spec(config)
    names = [e.path.name for e in spec.stories]
    assert names == ["a.txt", "b.txt", "outside.txt"]  # the link is not followed by the glob
    assert spec.stories[1].title == "Bee" and spec.stories[1].position == 1


def test_paths_are_relative_to_the_file_and_markdown_matter_is_sanitized(tmp_path: Path) -> None:
    (tmp_path / "intro.md").write_text("# Hello, readers\n\nA *warm* welcome.\n\n"
                                       "<script>alert(1)</script>\n")
    config = folder_with(tmp_path, '''title = "T"
editors = "The Mods"
stories = ["a.txt"]
[front_matter]
introduction = "intro.md"
''', a=post("A"))
    spec = load_spec(config)
    [intro] = spec.front_matter
    assert intro.title == "Hello, readers" and "<em>warm</em>" in intro.body
    assert "script" not in intro.body and "alert" not in intro.body
    assert spec.editors == ("The Mods",)


def test_options_given_beat_the_file_and_options_left_unset_never_do() -> None:
    settings = {"formats": ("epub", "pdf"), "theme": "classic", "page_size": "a4"}
    given = BuildOptions(theme="archive", cache=False)
    assert explicit_fields(given) == {"theme", "cache"}
    assert with_file_settings(given, settings) == BuildOptions(
        formats=("epub", "pdf"), theme="archive", page_size="a4", cache=False)
    # Told what was given, a value equal to the default still wins (`-f epub` over the file's).
    told = with_file_settings(BuildOptions(), settings, explicit={"formats"})
    assert told == BuildOptions(theme="classic", page_size="a4")


def stories() -> list:
    return [parse_text(post("The Zebra", "cat", "Tidewater", "One two three.", rating="R",
                            date="2020-05-01")),
            parse_text(post("Apples", "bob", "Meridian", "One.", rating="G", date="2021-01-01")),
            parse_text(post("Moon", "amy", "Tidewater", "One two.", rating="PG"))]


@pytest.mark.parametrize(("how", "titles"), [
    ("as-listed", ["The Zebra", "Apples", "Moon"]),
    ("title", ["Apples", "Moon", "The Zebra"]),  # leading articles do not count
    ("author", ["Moon", "Apples", "The Zebra"]),
    ("fandom", ["Apples", "Moon", "The Zebra"]),
    ("date", ["The Zebra", "Apples", "Moon"]),  # undated last
    ("word-count", ["Apples", "Moon", "The Zebra"]),
])
def test_sorting(how: str, titles: list[str]) -> None:
    assert [s.metadata.title for s in sort_stories(stories(), how)] == titles


def test_grouping_makes_sections_over_contiguous_stories() -> None:
    ordered, sections = group_stories(sort_stories(stories(), "title"), "fandom")
    assert [s.title for s in sections] == ["Meridian", "Tidewater"]
    assert [[ordered[i].metadata.title for i in s.stories] for s in sections] == [
        ["Apples"], ["Moon", "The Zebra"]]
    _, by_rating = group_stories(stories(), "rating")
    assert [s.title for s in by_rating] == ["G", "PG", "R"]
    _, listed = group_stories(stories(), "rating", keep_order=True)
    assert [s.title for s in listed] == ["R", "G", "PG"]


def test_assemble_applies_overrides_positions_and_grouping(tmp_path: Path) -> None:
    config = folder_with(tmp_path, '''title = "T"
sort = "title"
stories = ["a.txt", "b.txt", {path = "c.txt", title = "Aardvark", author = "zed", position = 3},
           {path = "d.txt", summary = "New *summary*."}]
''', a=post("Beta"), b=post("Alpha"), c=post("Gamma"), d=post("Delta"))
    spec = load_spec(config)
    book = assemble(spec, [parse_text(p.path.read_text(), p.path) for p in spec.stories])
    assert [s.metadata.title for s in book.stories] == ["Alpha", "Beta", "Aardvark", "Delta"]
    assert book.stories[2].metadata.authors == ("zed",)
    assert book.stories[3].metadata.summary == "<p>New <em>summary</em>.</p>"
    assert book.is_anthology and book.sections == ()


PART1 = """Title: The Long Road (1/3)
Author: amy
Fandom: Tidewater
Summary: A long walk.
Disclaimer: Invented.

First part text.

To be continued...
"""
PART2 = """Title: The Long Road (2/3)

Part 2 of 3

Continued from Part 1

Second part text.

Continued in Part 3
"""
PART3 = """Title: The Long Road, Part 3 of 3
Author: amy
A/N: Thank you for reading!

Third part text.

The End
"""


def test_parts_become_one_story_with_part_ones_header() -> None:
    other = parse_text(post("Elsewhere", "bob"))
    joined = join_parts([parse_text(PART3), other, parse_text(PART2), parse_text(PART1)])
    assert [s.metadata.title for s in joined] == ["The Long Road", "Elsewhere"]
    story = joined[0]
    assert story.metadata.summary and story.metadata.disclaimer and story.end_mark == "The End"
    assert [c.title for c in story.chapters] == ["Part 1", "Part 2", "Part 3"]
    bodies = "".join(c.body for c in story.chapters)
    assert "continued" not in bodies.lower() and "Part 3" not in bodies
    assert bodies.index("First") < bodies.index("Second") < bodies.index("Third")
    assert "Thank you for reading" in story.chapters[2].notes


def test_unrelated_titles_with_numbers_are_not_parts() -> None:
    posts = [parse_text(post("24/7")), parse_text(post("Chapter and Verse (1/1)")),
             parse_text(post("Love (2/3)", "amy")), parse_text(post("Love (2/3)", "amy"))]
    assert [s.metadata.title for s in join_parts(posts)] == [
        "24/7", "Chapter and Verse (1/1)", "Love (2/3)", "Love (2/3)"]
