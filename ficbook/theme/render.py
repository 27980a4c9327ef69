"""Book + Theme -> RenderedBook: the only code that knows page order and file names."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from .. import __version__
from ..cache.book import BookCache
from ..cache.pages import StoryPages
from ..errors import ThemeError
from ..model import (
    FALLBACK_MODIFIED,
    Asset,
    Book,
    Chapter,
    MatterPage,
    Metadata,
    Page,
    RenderedBook,
    Story,
    TocEntry,
    chapter_label,
)
from ..xhtml.language import direction
from . import Theme, anchors, builtin_themes_dir, option_text
from .cover import render_cover
from .environment import check_templates_again

MEDIA_TYPES = {
    ".css": "text/css",
    ".otf": "font/otf",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}

# Metadata shown on a story's title page, in this order: (model field, label).
TITLE_PAGE_FIELDS = (
    ("fandoms", "Fandom"),
    ("rating", "Rating"),
    ("warnings", "Warnings"),
    ("categories", "Category"),
    ("relationships", "Relationships"),
    ("characters", "Characters"),
    ("genres", "Genre"),
    ("tags", "Tags"),
    ("spoilers", "Spoilers"),
    ("series", "Series"),
    ("written_for", "Written for"),
    ("prompt", "Prompt"),
    ("betas", "Beta"),
    ("status", "Status"),
    ("published", "Published"),
    ("updated", "Updated"),
    ("language", "Language"),
)


def render(book: Book, theme: Theme, cache: BookCache | None = None) -> RenderedBook:
    """The book's pages, contents and assets, in named steps: the files the pages use, a plan
    of every page's file, then the front pages, the stories and the back pages. `cache` lends
    what earlier builds made (compiled templates, the drawn cover, stories' pages made from
    just what they are made from now) and keeps what this one makes; None: from nothing."""
    cache = cache or BookCache(None, book)
    check_templates_again()
    assets = _files(book, theme)
    cover = render_cover(book, theme, cache)
    stylesheets = [a.filename for a in assets if a.media_type == "text/css"]
    modified = _modified(book)
    plan = _BookPlan.of(book)
    out = _Pages(book, theme, cache.environment(theme), stylesheets, cover.filename)
    toc: list[TocEntry] = []
    _front_pages(out, plan, toc)
    _story_pages(out, plan, toc, cache.story_pages(theme, stylesheets, cover.filename))
    _back_pages(out, plan, toc, modified)
    builtin = theme.chain[0].parent.resolve() == builtin_themes_dir().resolve()
    chosen = tuple(option_text(k, v) for k, v in sorted(theme.options.items())
                   if theme.defaults.get(k) != v)
    return RenderedBook(book=book, pages=anchors.resolve(tuple(out.pages)), toc=tuple(toc),
                        assets=tuple(assets), cover=cover, modified=modified,
                        theme=theme.name if builtin else "",
                        theme_options=chosen if builtin else ())


def _files(book: Book, theme: Theme) -> list[Asset]:
    """The theme's stylesheets (and fonts), then the stories' pictures."""
    assets = _theme_assets(theme)
    known = {a.filename for a in assets}
    for pictured in book.stories:  # the same picture in two stories is shipped once
        assets.extend(a for a in pictured.images if a.filename not in known)
        known.update(a.filename for a in pictured.images)
    return assets


@dataclass
class _BookPlan:
    """Every story's files, planned before any page is made so the contents can link to them;
    the sections, the editors' pages and the contributors (anthologies only)."""

    multi: bool
    stories: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    front: list[dict[str, Any]]
    back: list[dict[str, Any]]
    contributors: list[dict[str, Any]]

    @classmethod
    def of(cls, book: Book) -> _BookPlan:
        multi = book.is_anthology
        plans = [_plan(i, s, multi) for i, s in enumerate(book.stories, start=1)]
        front = [_matter_plan(m, f"text/front-{n:02d}.xhtml") for n, m in
                 enumerate(book.front_matter, start=1)] if multi else []
        back = [_matter_plan(m, f"text/back-{n:02d}.xhtml") for n, m in
                enumerate(book.back_matter, start=1)] if multi else []
        return cls(multi, plans, _groups(book, plans), front, back,
                   _contributors(plans) if multi else [])


class _Pages:
    """Renders pages with the theme's templates, in reading order."""

    def __init__(self, book: Book, theme: Theme, env: jinja2.Environment,
                 stylesheets: list[str], cover: str) -> None:
        self.book, self.theme, self.env = book, theme, env
        self.stylesheets, self.cover = stylesheets, cover
        self.pages: list[Page] = []
        # direction() reads 4,000 characters one by one: once per story, not once per page.
        self._directions: dict[tuple[str, str], str] = {}

    def page(self, template: str, filename: str, title: str, kind: str, landmark: str = "",
             story_index: int | None = None, **context: Any) -> None:
        rel = rel_of(filename)
        context.setdefault("lang", self.book.language)
        story_ctx = context.get("story")
        sample = story_ctx.chapters[0].body if story_ctx is not None else self.book.title
        if "dir" not in context:
            key = (context["lang"], sample[:4000])  # all that direction() reads
            if key not in self._directions:
                self._directions[key] = direction(*key)
            context["dir"] = self._directions[key]
        html = _render(self.env, self.theme, template, book=self.book, page_title=title,
                       kind=kind, stylesheets=[rel + s for s in self.stylesheets], rel=rel,
                       options=self.theme.options, version=__version__,
                       cover_href=rel + self.cover, **context)
        self.pages.append(Page(filename=filename, title=title, xhtml=html, kind=kind,
                               landmark=landmark, story_index=story_index))


def _front_pages(out: _Pages, plan: _BookPlan, toc: list[TocEntry]) -> None:
    """The cover; an anthology's title page and the editors' front matter; the contents."""
    book = out.book
    out.page("cover.xhtml", "text/cover.xhtml", "Cover", "cover", landmark="cover")
    if plan.multi:
        out.page("book-title.xhtml", "text/title.xhtml", book.title, "book-title",
                 landmark="titlepage")
        for matter in plan.front:
            out.page("matter.xhtml", matter["file"], matter["title"], "front-matter",
                     matter=matter, body=Markup(matter["body"]), body_type="frontmatter")
            toc.append(TocEntry(matter["title"], matter["file"]))
    if plan.multi or len(book.stories[0].chapters) > 1:
        out.page("contents.xhtml", "text/contents.xhtml", "Contents", "contents",
                 landmark="toc", plans=plan.stories, groups=plan.groups if plan.multi else [],
                 front=plan.front, back=plan.back,
                 contributors_file=CONTRIBUTORS_FILE if plan.contributors else "")


def _story_pages(out: _Pages, plan: _BookPlan, toc: list[TocEntry],
                 earlier: StoryPages) -> None:
    """Each story: its section's page if it opens one, its title page, its chapters (or the
    pages the `earlier` build made, when the story and all it is shown with are as they
    were); and its entries in the contents."""
    story_toc: dict[int, TocEntry] = {}
    body_started = False  # the first chapter of the book is the bodymatter landmark
    section_of = {g["plans"][0]["index"]: g for g in plan.groups if g["title"]}
    for story_plan in plan.stories:
        story: Story = story_plan["story"]
        index = story_plan["index"]
        if index in section_of:
            group = section_of[index]
            out.page("section.xhtml", group["file"], group["title"], "section", group=group)
        starts_body = not body_started and bool(story_plan["chapters"])
        body_started = body_started or starts_body
        pages = earlier.find(story, index, starts_body)
        if pages is not None:
            out.pages.extend(pages)
        else:
            first = len(out.pages)
            _one_story(out, story_plan, starts_body, plan.multi)
            earlier.keep(out.pages[first:])
        children = _chapter_entries(story_plan)
        if plan.multi:
            # A one-chapter story is its title page in the contents: no child that repeats it.
            story_toc[index] = TocEntry(story.metadata.title, story_plan["title_file"],
                                        tuple(children) if len(children) > 1 else ())
        else:
            toc.append(TocEntry(story.metadata.title, story_plan["title_file"]))
            if len(children) > 1:
                toc.extend(children)
    for group in plan.groups if plan.multi else []:
        entries = tuple(story_toc[p["index"]] for p in group["plans"])
        if group["title"]:
            toc.append(TocEntry(group["title"], group["file"], entries))
        else:
            toc.extend(entries)


def _chapter_entries(plan: dict[str, Any]) -> list[TocEntry]:
    """A story's chapters for the contents: those of a part (one book of an anthology EPUB)
    under the part's entry, which opens at its first chapter."""
    entries: list[TocEntry] = []
    for part in plan["parts"]:
        chapters = tuple(TocEntry(label, filename) for _, filename, label in part["chapters"])
        if part["title"]:
            entries.append(TocEntry(part["title"], part["file"], chapters))
        else:
            entries.extend(chapters)
    return entries


def _parts(chapters: list[tuple[Chapter, str, str]]) -> list[dict[str, Any]]:
    """Chapters in runs: each run opened by a chapter that names a part (the first run has no
    title when the story starts before any part)."""
    parts: list[dict[str, Any]] = []
    for entry in chapters:
        chapter, filename, _ = entry
        if chapter.part or not parts:
            parts.append({"title": chapter.part, "file": filename, "chapters": []})
        parts[-1]["chapters"].append(entry)
    return parts


def _one_story(out: _Pages, plan: dict[str, Any], starts_body: bool, multi: bool) -> None:
    """A story's title page (every field the author gave) and its chapters."""
    story: Story = plan["story"]
    out.page("story-title.xhtml", plan["title_file"], story.metadata.title, "story-title",
             landmark="" if multi else "titlepage", story_index=plan["index"], story=story,
             meta=_meta_rows(story, counted := story.counted_words),
             headings=_headings(story.metadata),
             lang=story.metadata.language, counted=counted)
    for n, (chapter, filename, label) in enumerate(plan["chapters"], start=1):
        last = n == len(plan["chapters"])
        out.page("chapter.xhtml", filename, label, "chapter",
                 landmark="bodymatter" if starts_body and n == 1 else "",
                 story_index=plan["index"], story=story, chapter=chapter, heading=label,
                 number=n, end_mark=story.end_mark if last else "",
                 lang=story.metadata.language,
                 body=Markup(_relink_images(chapter.body, rel_of(filename))),
                 summary=Markup(chapter.summary),
                 notes=Markup(chapter.notes), end_notes=Markup(chapter.end_notes),
                 story_notes_end=Markup(story.metadata.end_notes) if last else Markup(""))


def _back_pages(out: _Pages, plan: _BookPlan, toc: list[TocEntry], modified: str) -> None:
    """The editors' back matter, the contributors (anthologies) and the colophon."""
    for matter in plan.back:
        out.page("matter.xhtml", matter["file"], matter["title"], "back-matter",
                 matter=matter, body=Markup(matter["body"]), body_type="backmatter")
        toc.append(TocEntry(matter["title"], matter["file"]))
    if plan.contributors:
        out.page("contributors.xhtml", CONTRIBUTORS_FILE, "Contributors", "contributors",
                 contributors=plan.contributors)
        toc.append(TocEntry("Contributors", CONTRIBUTORS_FILE))
    if out.theme.options.get("show_colophon", True):  # the theme option of that name
        out.page("colophon.xhtml", "text/colophon.xhtml", "Colophon", "colophon",
                 modified=modified)


CONTRIBUTORS_FILE = "text/contributors.xhtml"
MATTER_TITLES = {"foreword": "Foreword", "introduction": "Introduction",
                 "afterword": "Afterword", "acknowledgements": "Acknowledgements"}


def _groups(book: Book, plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sections in reading order, each with its stories' plans; one untitled group if none."""
    if not book.sections:
        return [{"title": "", "file": "", "plans": plans}]
    return [{"title": section.title, "file": f"text/part-{n:02d}.xhtml",
             "plans": [plans[i] for i in section.stories]}
            for n, section in enumerate(book.sections, start=1)]


def _matter_plan(matter: MatterPage, filename: str) -> dict[str, Any]:
    return {"kind": matter.kind, "title": matter.title or MATTER_TITLES.get(matter.kind, ""),
            "file": filename, "body": matter.body}


def _contributors(plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every author, sorted by name, with links to their stories' title pages."""
    by_author: dict[str, list[dict[str, Any]]] = {}
    for plan in plans:
        for author in plan["story"].metadata.authors or ("Anonymous",):
            by_author.setdefault(author, []).append(plan)
    return [{"name": name, "plans": stories} for name, stories in
            sorted(by_author.items(), key=lambda kv: (kv[0].casefold(), kv[0]))]


def _plan(index: int, story: Story, multi: bool) -> dict[str, Any]:
    prefix = f"text/s{index:03d}" if multi else "text/story"
    chapters = []
    for n, chapter in enumerate(story.chapters, start=1):
        chapters.append((chapter, f"{prefix}-c{n:03d}.xhtml", chapter_label(story, chapter, n)))
    return {"index": index, "story": story, "title_file": f"{prefix}-title.xhtml",
            "chapters": chapters, "parts": _parts(chapters)}


def _meta_rows(story: Story, counted: int) -> list[tuple[str, str | list[str]]]:
    """Label/value rows for the title page: every field the author gave, extras as written."""
    meta = story.metadata
    rows: list[tuple[str, str | list[str]]] = []
    own = dict(meta.labels)
    for name, label in TITLE_PAGE_FIELDS:
        value = getattr(meta, name)
        if name in own:  # the author's word, as the author wrote it (never pluralised)
            label = own[name]
        if name == "language" and value == "en":
            continue  # the default says nothing the author wrote
        if name == "series" and value and meta.series_index is not None:
            value = f"{value}, part {meta.series_index:g}"
        if isinstance(value, tuple):
            if value:
                rows.append((label if len(value) == 1 or name in own else _plural(label),
                             list(value)))
        elif value:
            rows.append((label, str(value)))
    if meta.word_count is not None:
        words = f"{meta.word_count:,}"
        if abs(meta.word_count - counted) > max(10, counted // 100):
            words += f" (ficbook counts {counted:,})"
        rows.append(("Words", words))
    else:
        rows.append(("Words", f"{counted:,}"))
    if len(story.chapters) > 1:
        rows.append(("Chapters", str(len(story.chapters))))
    rows.extend(meta.extra)
    return rows


def _headings(meta: Metadata) -> dict[str, str]:
    """The title page's section headings: the author's word for summary, notes, disclaimer."""
    own = dict(meta.labels)
    return {name: own.get(name, name.capitalize()) for name in ("summary", "notes", "disclaimer")}


def _plural(label: str) -> str:
    return {"Fandom": "Fandoms", "Category": "Categories", "Genre": "Genres", "Beta": "Betas"}.get(
        label, label)


def rel_of(filename: str) -> str:
    return "../" * filename.count("/")


def _relink_images(body: str, rel: str) -> str:
    """Bodies name images by their book path ("images/…"); pages live in a subfolder."""
    return body.replace(' src="images/', f' src="{rel}images/') if rel and "<img" in body else body


def _theme_assets(theme: Theme) -> list[Asset]:
    assets = []
    for name, path in theme.files("css").items():
        if name == "print.css":
            continue  # the PDF backend's, not the e-reader's
        assets.append(Asset(f"css/{name}", "text/css", path.read_bytes()))
    if theme.options.get("embed_fonts"):
        for name, path in theme.files("fonts").items():
            media = MEDIA_TYPES.get(os.path.splitext(name)[1].lower())
            if media and media.startswith("font/"):
                assets.append(Asset(f"fonts/{name}", media, path.read_bytes()))
    return assets


def _render(env: jinja2.Environment, theme: Theme, template: str, **context: Any) -> str:
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise ThemeError(exc.filename or template,
                         f"theme '{theme.name}': line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise ThemeError(None, f"theme '{theme.name}' has no template '{exc.name}'") from None
    except Exception as exc:  # a template failing as it runs: where it failed, on one line
        where = _template_frame(exc, theme)
        if where is None and not isinstance(exc, jinja2.TemplateError):
            raise  # not the theme's fault: a bug in ficbook
        path, line = where or (template, 0)
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        raise ThemeError(path, f"theme '{theme.name}': " + (f"line {line}: " if line else "")
                         + message) from None


def _template_frame(exc: BaseException, theme: Theme) -> tuple[str, int] | None:
    """The innermost traceback frame running one of the theme's templates: jinja gives those
    frames the template's file name and line."""
    folders = tuple(os.path.join(str(folder), "templates", "") for folder in theme.chain)
    found = None
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith(folders):
            found = (name, tb.tb_lineno)
        tb = tb.tb_next
    return found


_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _modified(book: Book) -> str:
    """dcterms:modified from the stories' own dates (or SOURCE_DATE_EPOCH), never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    dates: list[str] = []
    for story in book.stories:
        for value in (story.metadata.updated, story.metadata.published):
            m = _DATE.search(value)
            if m:
                try:
                    dates.append(dt.date(*map(int, m.groups())).isoformat())
                except ValueError:
                    continue
    return f"{max(dates)}T00:00:00Z" if dates else FALLBACK_MODIFIED


