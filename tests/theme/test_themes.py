"""Themes, covers and previews: every built-in theme builds valid books; user themes inherit and
override; theme errors are one line; options are checked; covers are deterministic thumbnails."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES
from PIL import Image, ImageColor
from validate import epubcheck_many

from ficbook import build
from ficbook.errors import ThemeError
from ficbook.ingest import read_story
from ficbook.model import Book
from ficbook.options import BuildOptions
from ficbook.theme import builtin_themes_dir, load_theme, parse_option
from ficbook.theme.cover import render_cover
from ficbook.theme.scaffold import new_theme

THEMES = ("classic", "modern", "archive")  # default is covered by test_epub and test_pdf
SHORT = SAMPLES / "lanterns-at-low-tide.txt"
LONG = SAMPLES / "the-cartographers-apprentice.txt"
ANTHOLOGY = SAMPLES / "anthology" / "anthology.toml"
CAN_RASTERISE = shutil.which("pdftoppm") is not None


@pytest.fixture(autouse=True)
def no_user_themes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets an empty user theme folder (never the machine's own)."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return config / "ficbook" / "themes"


@pytest.fixture(scope="module")
def epubs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("theme-epubs")
    built = {}
    for theme in THEMES:
        for sample in sorted(SAMPLES.glob("*.txt")):
            built[f"{theme}/{sample.stem}"] = build(
                [sample], out / f"{theme}-{sample.stem}.epub", BuildOptions(theme=theme))[0]
    built["archive/anthology"] = build([ANTHOLOGY], out / "anthology.epub",
                                       BuildOptions(theme="archive", formats=("epub",)),
                                       explicit={"theme", "formats"})[0]
    built["modern/embedded"] = build([SHORT], out / "modern-fonts.epub", BuildOptions(
        theme="modern", theme_options={"embed_fonts": True}))[0]
    built["classic/no-colophon"] = build([SHORT], out / "classic-plain.epub", BuildOptions(
        theme="classic", theme_options={"show_colophon": False}))[0]
    return built


def test_every_theme_builds_every_sample_with_epubcheck_0_0(epubs: dict[str, Path]) -> None:
    results = epubcheck_many(list(epubs.values()))  # one batch: a JVM start is the slow part
    assert {str(p): r for p, r in results.items() if r} == {}


def test_themes_add_their_css_and_templates(epubs: dict[str, Path]) -> None:
    def names(key: str) -> set[str]:
        return set(zipfile.ZipFile(epubs[key]).namelist())

    for theme in THEMES:
        assert {"EPUB/css/book.css", "EPUB/css/theme.css"} <= names(f"{theme}/{LONG.stem}")
    book = zipfile.ZipFile(epubs[f"archive/{LONG.stem}"])
    title = book.read("EPUB/text/story-title.xhtml").decode()
    assert '<dl class="story-meta work-meta"' in title and "<blockquote" in title
    assert "<li>Adventure</li><li>Romance</li>" in title  # tags as a list in the definition list
    chapter = zipfile.ZipFile(epubs[f"modern/{LONG.stem}"]).read("EPUB/text/story-c002.xhtml")
    assert b'<span class="chapter-number">Chapter One</span> The Salt Roads' in chapter
    assert "EPUB/fonts/Inter-Regular.otf" in names("modern/embedded")
    assert "EPUB/text/colophon.xhtml" in names(f"classic/{SHORT.stem}")
    assert "EPUB/text/colophon.xhtml" not in names("classic/no-colophon")


def test_epub_css_leaves_colours_to_the_reader() -> None:
    """Dark mode and sepia: no theme's e-reader CSS sets a text or background colour."""
    for css in builtin_themes_dir().glob("*/css/*.css"):
        if css.name == "print.css":
            continue
        found = re.findall(r"(?<![-\w])(?:color|background(?:-color)?)\s*:\s*+(?!inherit|currentcolor"
                           r"|transparent)[^;}]*", css.read_text(), re.IGNORECASE)
        assert found == [], (css, found)


def test_every_theme_builds_a_pdf(tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    for theme, font in (("classic", "Garamond"), ("modern", "Inter"), ("archive", "Inter")):
        pdf = build([SHORT], tmp_path / f"{theme}.pdf",
                    BuildOptions(theme=theme, formats=("pdf",)))[0]
        reader = pypdf.PdfReader(pdf)
        assert len(reader.pages) >= 3
        fonts = set()
        for page in reader.pages:
            fonts |= {str(f["/BaseFont"]) for f in
                      page["/Resources"].get_object().get("/Font", {}).get_object().values()
                      for f in [f.get_object()]}
        assert any(font in f for f in fonts), (theme, fonts)
        assert "Lanterns at Low Tide" in " ".join(p.extract_text() for p in reader.pages)


def write_child_theme(folder: Path, parent: str, chapter: str) -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "theme.toml").write_text(f'name = "mine"\ninherit = "{parent}"\n'
                                       '[options]\nshout = { default = false, help = "Loud" }\n')
    (folder / "templates" / "chapter.xhtml").write_text(chapter)
    return folder


CHILD_CHAPTER = """{% extends "layout.xhtml" %}
{% block content %}
<section class="chapter" epub:type="chapter"><h2 class="mine">{{ heading }}{% if options.shout %}!{% endif %}</h2>
{{ body }}</section>
{% endblock %}
"""


def test_user_theme_inherits_and_overrides_one_template(tmp_path: Path) -> None:
    theme_dir = write_child_theme(tmp_path / "mine", "classic", CHILD_CHAPTER)
    out = build([SHORT], tmp_path / "b.epub", BuildOptions(
        theme=str(theme_dir), theme_options={"shout": True, "cover_accent": "#123456"}))[0]
    book = zipfile.ZipFile(out)
    chapter = book.read("EPUB/text/story-c001.xhtml").decode()
    assert '<h2 class="mine">Lanterns at Low Tide!</h2>' in chapter  # the override, its option
    assert "../css/theme.css" in chapter  # classic's CSS still comes along
    assert b'class="story-meta"' in book.read("EPUB/text/story-title.xhtml")  # default's
    assert epubcheck_many([out])[out] == []


def test_an_edited_template_is_used_by_the_next_build_in_the_same_process(tmp_path: Path) -> None:
    # `build --watch` rebuilds in one process: templates are not stat'ed per page, so the
    # theme's files are compared between builds instead.
    theme_dir = write_child_theme(tmp_path / "mine", "classic", CHILD_CHAPTER)
    options = BuildOptions(theme=str(theme_dir), theme_options={"shout": True})
    first = build([SHORT], tmp_path / "a.epub", options)[0]
    assert "Lanterns at Low Tide!" in zipfile.ZipFile(first).read(
        "EPUB/text/story-c001.xhtml").decode()
    template = theme_dir / "templates" / "chapter.xhtml"
    template.write_text(template.read_text().replace('class="mine"', 'class="mine edited"'))
    again = build([SHORT], tmp_path / "b.epub", options)[0]
    assert 'class="mine edited"' in zipfile.ZipFile(again).read(
        "EPUB/text/story-c001.xhtml").decode()


def test_template_error_is_one_line_naming_theme_template_and_line(tmp_path: Path) -> None:
    broken = CHILD_CHAPTER.replace("{{ body }}", "{{ body }\n")
    theme_dir = write_child_theme(tmp_path / "broken", "default", broken)
    with pytest.raises(ThemeError) as info:
        build([SHORT], tmp_path / "b.epub", BuildOptions(theme=str(theme_dir)))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(theme_dir / "templates" / "chapter.xhtml") + ": ")
    assert "theme 'mine': line 4:" in message
    # A template that fails while it runs is just as precise.
    failing = CHILD_CHAPTER.replace("{{ body }}", "{{ story.metadata.no_such_field }}")
    (theme_dir / "templates" / "chapter.xhtml").write_text(failing)
    with pytest.raises(ThemeError, match=r"chapter\.xhtml: theme 'mine': line 4: .*no_such_field"):
        build([SHORT], tmp_path / "b.epub", BuildOptions(theme=str(theme_dir)))
    result = CliRunner().invoke(cli(), ["build", str(SHORT), "--theme", str(theme_dir),
                                        "-o", str(tmp_path / "c.epub")])
    assert result.exit_code == 3
    assert len(result.output.strip().splitlines()) == 1 and "line 4" in result.output
    assert not (tmp_path / "c.epub").exists()


def cli():  # type: ignore[no-untyped-def]
    from ficbook.cli import cli as command

    return command


def test_options_are_parsed_checked_and_unknown_ones_reported(tmp_path: Path) -> None:
    assert parse_option("embed_fonts=true") == ("embed_fonts", True)
    assert parse_option("cover_background=#102030") == ("cover_background", "#102030")
    assert parse_option('cover_font = "My Font.otf"') == ("cover_font", "My Font.otf")
    assert parse_option("size=1.5") == ("size", 1.5)
    for bad in ("novalue", "=3", "list=[1, 2]"):
        with pytest.raises(ThemeError):
            parse_option(bad)
    with pytest.raises(ThemeError, match=r"unknown theme option 'colour'.*cover_accent"):
        load_theme("classic", {"colour": "red"})
    with pytest.raises(ThemeError, match="'embed_fonts' must be true or false"):
        load_theme("modern", {"embed_fonts": "yes"})
    assert load_theme("modern", {"embed_fonts": True}).options["embed_fonts"] is True
    result = CliRunner().invoke(cli(), ["build", str(SHORT), "--option", "nope=1", "-o",
                                        str(tmp_path / "x.epub")])
    assert result.exit_code == 3 and "unknown theme option 'nope'" in result.output
    result = CliRunner().invoke(cli(), ["build", str(SHORT), "--option", "nope", "-o",
                                        str(tmp_path / "x.epub")])
    assert result.exit_code == 2 and "key=value" in result.output


def test_option_given_on_the_command_line_reaches_the_cover(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["build", str(SHORT), "--theme", "modern", "--option",
                                        "cover_background=#ff0000", "-o", str(tmp_path / "x.epub")])
    assert result.exit_code == 0, result.output
    data = zipfile.ZipFile(tmp_path / "x.epub").read("EPUB/images/cover.png")
    assert Image.open(io.BytesIO(data)).convert("RGB").getpixel((800, 1800)) == (255, 0, 0)


def test_themes_command_lists_themes_descriptions_and_options(no_user_themes: Path,
                                                               tmp_path: Path) -> None:
    write_child_theme(no_user_themes / "mine", "archive", CHILD_CHAPTER)
    result = CliRunner().invoke(cli(), ["themes"])
    assert result.exit_code == 0, result.output
    out = result.output
    for name in ("default", "classic", "modern", "archive"):
        assert f"\n{name}  (built-in" in "\n" + out
    assert "Feels like reading on AO3" in out
    assert 'cover_layout = "banner"' in out and "Generated cover layout" in out
    assert "embed_fonts = false" in out
    assert f"mine  (user: {no_user_themes / 'mine'}, inherits archive)" in out
    assert "shout = false" in out and "Loud" in out


def test_theme_new_copies_a_theme_that_stands_alone(no_user_themes: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["theme", "new", "mine", "--from", "modern"])
    assert result.exit_code == 0, result.output
    folder = no_user_themes / "mine"
    assert result.output.strip() == str(folder)
    theme = load_theme("mine")
    assert theme.chain == (folder,)  # flattened: no inherit left
    assert theme.defaults["cover_font"] == "Inter-SemiBold.otf"
    assert theme.help["cover_font"]
    assert "@import" not in (folder / "css" / "print.css").read_text()
    assert "Inter" in (folder / "css" / "print.css").read_text()
    for licence in ("OFL.txt", "Inter-OFL.txt"):  # every font keeps its licence
        assert (folder / "fonts" / licence).is_file()
    assert (folder / "templates" / "chapter.xhtml").read_text() == (
        builtin_themes_dir() / "modern" / "templates" / "chapter.xhtml").read_text()
    out = build([SHORT], tmp_path / "b.epub", BuildOptions(theme="mine"))[0]
    assert "EPUB/css/theme.css" in zipfile.ZipFile(out).namelist()
    again = CliRunner().invoke(cli(), ["theme", "new", "mine"])
    assert again.exit_code == 3 and "already exists" in again.output
    other = new_theme("plain", into=tmp_path / "elsewhere")
    assert other == tmp_path / "elsewhere" / "plain" and (other / "theme.toml").is_file()


def luminance(rgb: tuple[int, ...]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("name", ["default", *THEMES])
def test_generated_cover_is_deterministic_and_legible_as_a_thumbnail(name: str) -> None:
    book = Book.single(read_story(LONG))
    theme = load_theme(name)
    first, second = render_cover(book, theme), render_cover(book, theme)
    assert first.data == second.data and first.media_type == "image/png"
    Image.open(io.BytesIO(first.data)).verify()  # chunk checksums, as a strict reader would
    paletted = Image.open(io.BytesIO(first.data))
    assert paletted.mode == "P" and len(paletted.getpalette() or ()) == 16 * 3  # a small file
    image = paletted.convert("RGB")
    assert image.size == (1600, 2560)
    thumb = image.resize((160, 256), Image.LANCZOS)
    opts = theme.options
    fg, bg = ImageColor.getrgb(opts["cover_foreground"]), ImageColor.getrgb(opts["cover_background"])
    assert contrast(fg, bg) >= 7, name
    background = bg
    # The title area (the middle of the cover) has real text in it, in a colour that stands out.
    title = thumb.crop((15, 70, 145, 190))
    colours = title.getcolors(160 * 256) or []
    strongest = max(contrast(c, background) for _, c in colours)
    assert strongest >= 4.5, (name, strongest)
    inked = sum(n for n, c in colours if contrast(c, background) >= 3)
    assert inked > 0.04 * title.width * title.height, (name, inked)


def test_anthology_cover_names_editors_and_different_themes_differ() -> None:
    book = Book.single(read_story(SHORT))
    covers = {t: render_cover(book, load_theme(t)).data for t in ("default", *THEMES)}
    assert len(set(covers.values())) == 4
    assert covers["default"] != render_cover(book, load_theme("default", {
        "cover_layout": "banner"})).data
    with pytest.raises(ThemeError, match="cover_layout 'wavy'"):
        render_cover(book, load_theme("default", {"cover_layout": "wavy"}))
    with pytest.raises(ThemeError, match="not a colour"):
        render_cover(book, load_theme("default", {"cover_background": "sky"}))


def test_user_cover_is_used_as_is_or_resized_and_bad_ones_reported(tmp_path: Path) -> None:
    small = tmp_path / "small.png"
    Image.new("RGB", (600, 900), (10, 120, 200)).save(small)
    huge = tmp_path / "huge.png"
    Image.new("RGB", (2000, 4000), (200, 20, 20)).save(huge)
    runner = CliRunner()
    result = runner.invoke(cli(), ["build", str(SHORT), "--cover", str(small), "-o",
                                   str(tmp_path / "a.epub")])
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(tmp_path / "a.epub").read("EPUB/images/cover.png") == \
        small.read_bytes()
    result = runner.invoke(cli(), ["build", str(SHORT), "--cover", str(huge), "-o",
                                   str(tmp_path / "b.epub")])
    assert result.exit_code == 0, result.output
    data = zipfile.ZipFile(tmp_path / "b.epub").read("EPUB/images/cover.jpg")
    assert max(Image.open(io.BytesIO(data)).size) == 3200
    result = runner.invoke(cli(), ["build", str(SHORT), "--cover", str(SHORT), "-o",
                                   str(tmp_path / "c.epub")])
    assert result.exit_code == 3 and "not an image" in result.output


@pytest.mark.skipif(not CAN_RASTERISE, reason="pdftoppm (poppler-utils) is not installed")
def test_preview_writes_cover_title_and_chapter_pictures(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["preview", str(LONG), "--theme", "classic", "-o",
                                        str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.output.split()]
    assert [p.name for p in paths] == ["cover.png", "title.png", "chapter.png"]
    for path in paths:
        image = Image.open(path).convert("L")
        assert image.width == 600 and image.height > 800
        assert image.getextrema()[0] < 80  # there is dark ink on the page
    from ficbook.pipeline.preview import preview_themes

    (strip,) = preview_themes(tmp_path / "themes", names=["archive"])
    assert strip.name == "archive.png" and Image.open(strip).width > 900


def test_readme_shows_a_preview_of_every_builtin_theme() -> None:
    root = builtin_themes_dir().parent
    readme = (root / "README.md").read_text()
    for theme in sorted(p.name for p in builtin_themes_dir().iterdir() if p.is_dir()):
        picture = root / "docs" / "previews" / f"{theme}.png"
        assert picture.is_file() and f"docs/previews/{theme}.png" in readme, theme
        assert picture.stat().st_size < 120_000


LONG_TITLES = ("Tea and Toast and Jam with Butter on the Side of the Road Home",
               "A" * 80, " ".join(["Lighthouse"] * 30))


@pytest.mark.parametrize("name", ["default", *THEMES])
@pytest.mark.parametrize("title", LONG_TITLES)
def test_a_long_title_stays_on_the_cover_and_clear_of_the_byline(
        name: str, title: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import ficbook.theme.cover_draw as cover

    drawn: list[tuple[str, tuple[int, int, int, int]]] = []
    real = cover._Canvas.text

    def text(self: cover._Canvas, xy: tuple[int, int], line: str, font: object,
             ink: int) -> None:
        left, top, right, bottom = (int(v) for v in font.getbbox(line))  # type: ignore[attr-defined]
        drawn.append((line, (xy[0] + left, xy[1] + top, xy[0] + right, xy[1] + bottom)))
        real(self, xy, line, font, ink)  # type: ignore[arg-type]

    monkeypatch.setattr(cover._Canvas, "text", text)
    story = read_story(SHORT)
    meta = replace(story.metadata, title=title, authors=("Somebody Else Entirely",))
    render_cover(Book.single(replace(story, metadata=meta)), load_theme(name))
    width, height = cover.COVER_SIZE
    assert all(box[0] >= 0 and box[2] <= width and box[3] <= height for _, box in drawn), drawn
    byline = [box for line, box in drawn if "Somebody" in line]
    others = [box for line, box in drawn if "Somebody" not in line]
    assert byline and max(b[3] for b in others) < min(b[1] for b in byline), (name, drawn)


@pytest.mark.parametrize("title", ["ليلة المنارة", "夜明けの灯台守", "Lanterns 🏮 at Low Tide"])
def test_a_title_in_another_script_is_drawn_in_a_font_that_has_its_letters(
        title: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Falling back to an installed font when the theme's lacks the letters; where none has
    them (no CJK or emoji font installed), the cover is still made."""
    import ficbook.theme.cover_draw as cover

    fonts: list[str] = []
    real = cover._Canvas.text

    def text(self: cover._Canvas, xy: tuple[int, int], line: str, font: object,
             ink: int) -> None:
        if line.split()[0] in title:
            fonts.append(getattr(font, "path", ""))
        real(self, xy, line, font, ink)  # type: ignore[arg-type]

    monkeypatch.setattr(cover._Canvas, "text", text)
    story = read_story(SHORT)
    book = Book.single(replace(story, metadata=replace(story.metadata, title=title)))
    theme = load_theme("default")
    data = render_cover(book, theme).data
    Image.open(io.BytesIO(data)).verify()
    assert fonts
    own = theme.find("fonts/" + theme.options["cover_font"])
    assert own is not None
    missing = {ord(c) for c in title if not c.isspace()} - cover._letters(own)
    installed = cover._system_font(min(missing))
    if installed is not None and missing <= cover._letters(installed):  # Arabic: DejaVu Sans
        assert {Path(p) for p in fonts} == {installed}
    else:  # nothing installed has them: the theme's font, and still a cover
        assert {Path(p) for p in fonts} == {own}
