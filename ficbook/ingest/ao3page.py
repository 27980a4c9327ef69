"""AO3 work pages as the site serves them: a whole page, a browser's save, or the work body.

The page holds the work twice over: `dl.work.meta.group` (tags, language, series, stats) and
`#workskin` (`.preface.group` with title, byline, summary and notes; `#chapters`, one
`div.chapter` per chapter with its own preface and end notes; `.afterword` with the end notes).
Everything else is the site's: header, navigation, "Actions" menus, share box, kudos, comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import lxml.html

from ..errors import InputError
from ..model import Chapter, Metadata, Story
from .ao3 import TAG_FIELDS, ao3_notice, language_code, series_part, stats_into
from .htmlblocks import body_fragment, text_of

# `dd` classes of `dl.work.meta` -> Metadata fields (the labels are only a fallback).
TAG_CLASSES = {
    "rating": "rating", "warning": "warnings", "category": "categories", "fandom": "fandoms",
    "relationship": "relationships", "character": "characters", "freeform": "tags",
}
# Counters the site adds to the stats: what readers did, not what the author wrote.
SITE_COUNTERS = {"comments", "kudos", "bookmarks", "hits"}
CHROME_NOTE = ("AO3 work page: site chrome (header, navigation, Actions menus, share box, kudos, "
               "comments, bookmarks and hits) left out")
_WORKS = re.compile(r"(?:https?://(?:www\.)?archiveofourown\.org)?/works/(\d+)")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _find(root: lxml.html.HtmlElement, *xpaths: str) -> lxml.html.HtmlElement | None:
    """The first element the first matching xpath finds."""
    for xpath in xpaths:
        found = root.xpath(xpath)
        if found:
            return found[0]
    return None


@dataclass
class _Values:
    """What the page says about the work, gathered before Metadata is made."""

    fields: dict[str, object] = field(default_factory=dict)
    extra: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def story_from_page(doc: lxml.html.HtmlElement, path: Path | None) -> Story:
    """A Story from an AO3 work page (whole, saved, or the body alone)."""
    values = _Values()
    work_meta = _find(doc, f"//dl[{_has_class('work')} and {_has_class('meta')}]")
    if work_meta is not None:
        _work_meta(work_meta, values)
    chapters_root = _find(doc, "//*[@id='chapters']")
    preface = _find(doc, f"//*[{_has_class('preface')} and {_has_class('group')} and not("
                         f"{_has_class('afterword')} or {_has_class('chapter')})]")
    if preface is not None:
        _preface(preface, values)
    _afterword(doc, values)
    if chapters_root is None:
        chapters_root = _find(doc, "//*[@id='workskin']")
    chapters = _chapters(chapters_root) if chapters_root is not None else []
    if not chapters:
        notice = ao3_notice(text_of(doc))
        raise InputError(path, f"this page is {notice}" if notice else (
            "this AO3 page holds no work text (no #chapters with a .userstuff block): it may "
            "be an index, a login or a notice page"))
    fields = values.fields
    if not fields.get("title"):
        fields["title"] = _page_title(doc) or (path.stem.replace("_", " ") if path else "")
    if not fields.get("source_url"):
        url = _source_url(doc)
        if url:
            fields["source_url"] = url
    notes = [CHROME_NOTE, *values.notes, *_partial(chapters, values)]
    meta = Metadata(title=str(fields.pop("title") or "Untitled"), extra=tuple(values.extra),
                    **fields)  # type: ignore[arg-type]
    return Story(metadata=meta, chapters=tuple(chapters), source=path, reader="ao3/page",
                 reader_notes=tuple(notes))


# --- dl.work.meta.group ----------------------------------------------------------------------


def _work_meta(dl: lxml.html.HtmlElement, values: _Values) -> None:
    for dd in dl.iterchildren("dd"):
        classes = set(dd.get("class", "").split())
        dt = dd.getprevious()
        label = text_of(dt).rstrip(":").strip() if dt is not None and dt.tag == "dt" else ""
        kind = next((c for c in classes if c in TAG_CLASSES), "") or \
            TAG_FIELDS.get(label.lower(), "")
        name = TAG_CLASSES.get(kind, kind)
        if name:
            items = tuple(text_of(a) for a in dd.iter("a") if text_of(a)) or \
                tuple(v.strip() for v in text_of(dd).split(", ") if v.strip())
            values.fields[name] = items[0] if name == "rating" and items else items
        elif "language" in classes or label.lower() == "language":
            code = language_code(text_of(dd))
            if code:
                values.fields["language"] = code
            elif text_of(dd):
                values.extra.append((label or "Language", text_of(dd)))
        elif "series" in classes or label.lower() == "series":
            _series(dd, values)
        elif "stats" in classes or label.lower() == "stats":
            _stats(dd, values)
        elif text_of(dd):
            items = tuple(text_of(a) for a in dd.iter("a") if text_of(a))
            values.extra.append((label or "Tags", ", ".join(items) if items else text_of(dd)))


def _series(dd: lxml.html.HtmlElement, values: _Values) -> None:
    """`Part 2 of <a>Name</a>` per series, with the site's previous/next links around it."""
    parts = dd.xpath(f".//*[{_has_class('position')}]") or [dd]
    for n, part in enumerate(parts):
        found = series_part(text_of(part), anywhere=True)
        if not found:  # none, or an absurd number: no place in a series
            continue
        if n == 0:
            values.fields["series"], values.fields["series_index"] = found
        else:
            values.extra.append(("Series", f"Part {found[1]:g} of {found[0]}"))


def _stats(dd: lxml.html.HtmlElement, values: _Values) -> None:
    pairs = []
    left_out = []
    for stat_dd in dd.iterdescendants("dd"):
        stat_dt = stat_dd.getprevious()
        if stat_dt is None or stat_dt.tag != "dt":
            continue
        key = text_of(stat_dt).rstrip(":").strip()
        if set(stat_dd.get("class", "").split()) & SITE_COUNTERS or key.lower() in SITE_COUNTERS:
            left_out.append(key.lower())
            continue
        pairs.append(f"{key}: {text_of(stat_dd).replace(' ', '')}")
    stats_into(" ".join(pairs), values.fields, values.extra)
    if left_out:
        values.notes.append(f"AO3 stats: the site's counters ({', '.join(left_out)}) left out")


# --- the work's preface and afterword ------------------------------------------------------


def _preface(preface: lxml.html.HtmlElement, values: _Values) -> None:
    title = _find(preface, f".//*[{_has_class('title')} and {_has_class('heading')}]")
    if title is not None and text_of(title):
        values.fields["title"] = text_of(title)
    byline = _find(preface, f".//*[{_has_class('byline')}]")
    if byline is not None:
        values.fields["authors"] = _authors(byline)
    summary = _module_text(preface, "summary")
    if summary:
        values.fields["summary"] = summary
    notes = _module_text(preface, "notes", exclude="end")
    if notes:
        values.fields["notes"] = notes
    for li in preface.xpath(f".//ul[{_has_class('associations')}]/li"):
        text = text_of(li)
        if re.match(r"^For\s", text):
            values.fields["written_for"] = text[4:].rstrip(".").strip()
        elif re.match(r"^In response to a prompt", text, re.IGNORECASE):
            values.fields["prompt"] = text.rstrip(".")
        elif text:
            values.extra.append(("Related works", text))


def _authors(byline: lxml.html.HtmlElement) -> tuple[str, ...]:
    """Pseuds as the byline shows them ("Pseud (user)"); the text when nothing is linked
    (Anonymous, orphaned works)."""
    names = [text_of(a) for a in byline.iter("a") if a.get("rel") == "author" or
             "/users/" in a.get("href", "")]
    if not names:
        text = re.sub(r"^by\s+", "", text_of(byline))
        names = re.split(r",\s*|\s+and\s+", text)
    return tuple(n for n in names if n)


def _module_text(root: lxml.html.HtmlElement, kind: str, exclude: str = "") -> str:
    """The blockquote of a `.summary.module` / `.notes.module` directly under `root`'s
    preface (not a chapter's), without its "See the end of the work" jump line."""
    cond = f"{_has_class(kind)} and {_has_class('module')}"
    if exclude:
        cond += f" and not({_has_class(exclude)})"
    for module in root.xpath(f".//*[{cond}]"):
        quotes = module.xpath(f".//blockquote[{_has_class('userstuff')}]")
        if quotes:
            return body_fragment(quotes[0])
    return ""


def _afterword(doc: lxml.html.HtmlElement, values: _Values) -> None:
    afterword = _find(doc, f"//*[{_has_class('afterword')}]")
    if afterword is None:
        return
    end_notes = _find(afterword, ".//*[@id='work_endnotes']",
                      f".//*[{_has_class('end')} and {_has_class('notes')}]")
    if end_notes is not None:
        quotes = end_notes.xpath(f".//blockquote[{_has_class('userstuff')}]")
        if quotes:
            values.fields["end_notes"] = body_fragment(quotes[0])
            values.notes.append("AO3 afterword: end notes kept")
    for children in afterword.xpath(f".//*[@id='children' or {_has_class('children')}]"):
        works = [text_of(li) for li in children.iter("li") if text_of(li)]
        if works:
            values.extra.append(("Works inspired by this one", "; ".join(works)))


# --- chapters ----------------------------------------------------------------------------------


def _chapters(root: lxml.html.HtmlElement) -> list[Chapter]:
    """One Chapter per `div.chapter` (a multi-chapter work), else the one `.userstuff`."""
    divs = [d for d in root.xpath(f".//div[{_has_class('chapter')} and starts-with(@id, "
                                  "'chapter-')]")]
    if divs:
        return [c for c in (_chapter(d) for d in divs) if c.body]
    outside = f"not(ancestor::*[{_has_class('preface')} or {_has_class('module')}])"
    text = _find(root, f"./*[{_has_class('userstuff')}]",
                 f".//*[{_has_class('userstuff')} and {outside}]")
    if text is None:
        return []
    body = _body(text)
    return [Chapter(title="", body=body)] if body else []


def _chapter(div: lxml.html.HtmlElement) -> Chapter:
    prefaces = div.xpath(f"./*[{_has_class('preface')}]")
    title = ""
    summary = notes = end_notes = ""
    for preface in prefaces:
        heading = _find(preface, f".//*[{_has_class('title')}]")
        if heading is not None and not title:
            title = text_of(heading)
        summary = summary or _module_text(preface, "summary")
        notes = notes or _module_text(preface, "notes", exclude="end")
        ends = preface.xpath(f".//*[{_has_class('end')} and {_has_class('notes')}]"
                             f"//blockquote[{_has_class('userstuff')}]")
        if ends:
            end_notes = body_fragment(ends[0])
        byline = _find(preface, f".//*[{_has_class('byline')}]")
        if byline is not None and text_of(byline):
            notes = f"<p>{escape(text_of(byline), quote=False)}</p>" + notes
    text = _find(div, f"./*[{_has_class('userstuff')}]",
                 f".//*[{_has_class('userstuff')} and not(ancestor::*[{_has_class('preface')}])]")
    body = _body(text) if text is not None else ""
    return Chapter(title=title, body=body, summary=summary, notes=notes, end_notes=end_notes)


def _body(text: lxml.html.HtmlElement) -> str:
    for landmark in text.xpath(f".//*[{_has_class('landmark')}]"):
        landmark.drop_tree()  # "Chapter Text" / "Work Text:", AO3's screen-reader labels
    return body_fragment(text)


def _partial(chapters: list[Chapter], values: _Values) -> list[str]:
    """A chapter page of a longer work: say so, and do not claim the whole work's length."""
    posted = next((v for k, v in values.extra if k == "Chapters"), "")
    count = posted.split("/")[0] if posted else ""
    if count.isdigit() and int(count) > len(chapters):
        values.fields.pop("word_count", None)
        return [f"AO3 chapter page: holds {len(chapters)} of the work's {count} posted chapters "
                "(the work's word count left out)"]
    return []


def _page_title(doc: lxml.html.HtmlElement) -> str:
    """`Title - Author - Fandom [Archive of Our Own]` -> `Title`."""
    title = " ".join((doc.findtext(".//title") or "").split())
    if not title or "Archive of Our Own" not in title:
        return ""
    return re.split(r"\s+-\s+", title)[0].strip()


def _source_url(doc: lxml.html.HtmlElement) -> str:
    html = lxml.html.tostring(doc, encoding="unicode")
    m = re.search(r"https?://(?:www\.)?archiveofourown\.org/works/(\d+)", html) or \
        _WORKS.search(html)
    return f"https://archiveofourown.org/works/{m.group(1)}" if m else ""
