"""Deterministic benchmark corpus: the same generated stories as text posts, Markdown and HTML.

    python bench/corpus.py --out /tmp/corpus S M        # or L XL; --seed changes the prose

Sizes (words are approximate to within one sentence per chapter):
  S   one 1,000-word story                      S/story.{txt,md,html}
  M   a 150,000-word novel in 50 chapters       M/novel.{txt,md,html}
  L   an anthology of 300 stories, 1.5 M words  L/stories/NNN.txt + L/anthology.toml (ficbook),
                                                L/anthology.{md,html} (one book for the peers)
  XL  3,000 stories of 1,000 words (batch)      XL/txt/NNNN.txt, XL/md/NNNN.md, XL/html/NNNN.html

The prose is original and generated from the small grammar below (no copyrighted text). It is
meant to look like fan fiction to a converter: dialogue with straight quotes and contractions,
the odd `--` and `...`, *italics*, scene breaks, chapter headings, a header block, `The End`.
The same seed gives the same bytes on every machine (random.Random seeded with a string).
"""

from __future__ import annotations

import argparse
import html
import random
from dataclasses import dataclass
from pathlib import Path

NAMES = ["Ada", "Bram", "Cass", "Dov", "Elin", "Fenn", "Greer", "Hal", "Isa", "Jory", "Kit",
         "Lio", "Mara", "Nell", "Oren", "Pip", "Quill", "Rook", "Sable", "Tam", "Uma", "Vesper",
         "Wren", "Yara", "Zeb"]
FANDOMS = ["Lantern Street", "The Salt Roads", "Harbour Lights", "Clockwork Orchard",
           "The Quiet Stars", "Paper Moths", "Bell Keepers", "Night Ferry"]
RATINGS = ["G", "PG", "PG-13", "T", "M"]
ADJ = ["quiet", "old", "narrow", "bright", "cold", "silver", "crooked", "patient", "distant",
       "small", "heavy", "salt-stained", "borrowed", "green", "tired", "careful", "broken",
       "warm", "hollow", "paper", "lantern-lit", "forgotten", "stubborn", "gentle"]
NOUN = ["door", "lamp", "harbour", "letter", "bridge", "kettle", "map", "window", "road",
        "ferry", "bell", "garden", "staircase", "coat", "river", "clock", "orchard", "ticket",
        "kitchen", "song", "market", "roof", "candle", "boat", "wall", "street", "key", "book"]
VERB_PAST = ["watched", "opened", "followed", "carried", "found", "mended", "counted",
             "remembered", "crossed", "folded", "touched", "answered", "left", "kept", "lit",
             "closed", "studied", "forgot", "painted", "lifted", "heard", "traced", "held"]
ADV = ["slowly", "carefully", "at last", "again", "quietly", "without a word", "for a while",
       "twice", "all the same", "in the end", "once more", "before dawn"]
PLACE = ["by the water", "under the bridge", "in the kitchen", "on the roof", "at the market",
         "behind the old mill", "across the square", "near the harbour wall", "up the stairs",
         "in the rain", "past the last lamp", "at the edge of town"]
SAY = ["said", "asked", "whispered", "muttered", "called", "replied", "admitted", "sighed"]
LINES = ["I don't know what you're waiting for", "It's later than you think",
         "We can't stay here", "You've had that look all morning", "That isn't how it works",
         "Don't tell me it's nothing", "I'd rather walk", "She won't come back tonight",
         "It's only a map", "You're not listening", "We'll find it before the tide turns",
         "I've kept it all this time", "Where did you put the key", "Is that the last ferry",
         "What's the worst that could happen", "Why won't it open"]
THOUGHTS = ["this is a terrible idea", "there's no going back", "it's still raining",
            "someone's been here before", "the clock's wrong again"]
TITLE_WORDS = ["Lanterns", "Tides", "Letters", "Bridges", "Maps", "Bells", "Orchards", "Ferries",
               "Keys", "Roofs", "Rivers", "Songs", "Windows", "Moths", "Clocks", "Harbours"]


@dataclass
class Chapter:
    title: str
    paragraphs: list[list[str]]  # scenes, each a list of paragraphs (inline markup: *em*)


@dataclass
class Story:
    title: str
    author: str
    fandom: str
    rating: str
    characters: list[str]
    summary: str
    chapters: list[Chapter]
    words: int


class Prose:
    def __init__(self, seed: str) -> None:
        self.r = random.Random(seed)

    def pick(self, seq: list[str]) -> str:
        return seq[self.r.randrange(len(seq))]

    def np(self) -> str:
        return f"the {self.pick(ADJ)} {self.pick(NOUN)}"

    def sentence(self) -> str:
        r = self.r
        kind = r.randrange(10)
        a, b = self.pick(NAMES), self.pick(NAMES)
        if kind < 3:
            s = f"{a} {self.pick(VERB_PAST)} {self.np()} {self.pick(PLACE)}."
        elif kind < 5:
            s = f"{a} {self.pick(VERB_PAST)} {self.np()} {self.pick(ADV)}, and {b} " \
                f"{self.pick(VERB_PAST)} {self.np()}."
        elif kind < 8:
            line = self.pick(LINES)
            end = "?" if line.startswith(("Where", "Is", "What", "Why")) else ","
            s = f'"{line}{end}" {a} {self.pick(SAY)}.' if end == "," else \
                f'"{line}?" {a} {self.pick(SAY)}.'
        elif kind == 8:
            s = f"*{self.pick(THOUGHTS).capitalize()},* {a} thought -- and then {b}'s " \
                f"{self.pick(NOUN)} {self.pick(VERB_PAST)} {self.np()}."
        else:
            s = f"'{self.pick(LINES)}...' {a} trailed off, {self.pick(ADV)}."
        return s

    def paragraph(self, budget: int) -> tuple[str, int]:
        sentences, words = [], 0
        target = min(budget, self.r.randrange(30, 130))
        while words < target:
            s = self.sentence()
            sentences.append(s)
            words += len(s.split())
        return " ".join(sentences), words

    def chapter(self, title: str, words: int) -> tuple[Chapter, int]:
        scenes: list[list[str]] = [[]]
        done = 0
        while done < words:
            if scenes[-1] and self.r.randrange(25) == 0:
                scenes.append([])
            para, n = self.paragraph(words - done)
            scenes[-1].append(para)
            done += n
        return Chapter(title, scenes), done

    def title(self) -> str:
        return f"{self.pick(TITLE_WORDS)} of the {self.pick(ADJ).capitalize()} " \
               f"{self.pick(NOUN).capitalize()}"

    def story(self, words: int, chapters: int) -> Story:
        chs, total = [], 0
        per = words // chapters
        for n in range(1, chapters + 1):
            ch, w = self.chapter(self.title() if chapters > 1 else "", per)
            if chapters > 1:
                ch.title = f"Chapter {n}: {ch.title}"
            chs.append(ch)
            total += w
        author = f"{self.pick(NAMES).lower()}_{self.pick(NOUN)}{self.r.randrange(1, 99)}"
        chars = sorted(set(self.r.sample(NAMES, 3)))
        return Story(title=self.title(), author=author, fandom=self.pick(FANDOMS),
                     rating=self.pick(RATINGS), characters=chars,
                     summary=f"{chars[0]} finds {self.np()}, and nothing is simple after that.",
                     chapters=chs, words=total)


# --- writers -------------------------------------------------------------------------------

def to_text(s: Story) -> str:
    out = [f"{s.fandom} Fic: {s.title}", "",
           f"Title: {s.title}", f"Author: {s.author}", f"Fandom: {s.fandom}",
           f"Characters: {', '.join(s.characters)}", f"Rating: {s.rating}",
           f"Word Count: {s.words}", f"Summary: {s.summary}",
           "Disclaimer: An original story generated for ficbook's benchmarks.", ""]
    for ch in s.chapters:
        if ch.title:
            out += [ch.title, ""]
        for i, scene in enumerate(ch.paragraphs):
            if i:
                out += ["* * *", ""]
            for p in scene:
                out += [p, ""]
    out += ["The End", ""]
    return "\n".join(out)


def _md_chapters(s: Story, level: int) -> list[str]:
    out: list[str] = []
    for ch in s.chapters:
        if ch.title:
            out += ["#" * level + " " + ch.title, ""]
        for i, scene in enumerate(ch.paragraphs):
            if i:
                out += ["* * *", ""]
            out += [x for p in scene for x in (p, "")]
    return out


def _yaml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_markdown(stories: list[Story], title: str | None = None) -> str:
    """One story: its chapters are level-1 headings. Several: stories level 1, chapters 2."""
    single = len(stories) == 1
    head = stories[0]
    out = ["---", f"title: {_yaml(title or head.title)}",
           f"author: {_yaml('Various' if not single else head.author)}", "lang: en", "---", ""]
    for s in stories:
        if single:
            if len(s.chapters) == 1:
                out += [f"# {s.title}", ""]
            out += _md_chapters(s, 1)
        else:
            out += [f"# {s.title}", "", f"*by {s.author}*", ""]
            out += _md_chapters(s, 2)
    return "\n".join(out)


def _inline_html(p: str) -> str:
    text = html.escape(p, quote=False)
    parts = text.split("*")
    return "".join(f"<em>{x}</em>" if i % 2 else x for i, x in enumerate(parts))


def to_html(stories: list[Story], title: str | None = None) -> str:
    single = len(stories) == 1
    head = stories[0]
    out = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8"/>',
           f"<title>{html.escape(title or head.title)}</title>",
           f'<meta name="author" content="{html.escape(head.author if single else "Various")}"/>',
           "</head>", "<body>"]
    for s in stories:
        out.append(f"<h1>{html.escape(s.title)}</h1>")
        if not single:
            out.append(f"<p><em>by {html.escape(s.author)}</em></p>")
        for ch in s.chapters:
            if ch.title:
                out.append(f"<h2>{html.escape(ch.title)}</h2>")
            for i, scene in enumerate(ch.paragraphs):
                if i:
                    out.append("<hr/>")
                out += [f"<p>{_inline_html(p)}</p>" for p in scene]
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def make(size: str, out: Path, seed: str) -> int:
    """Write one size; returns the words written."""
    base = out / size
    if size == "S":
        s = Prose(f"{seed}-S").story(1_000, 1)
        for ext, text in (("txt", to_text(s)), ("md", to_markdown([s])), ("html", to_html([s]))):
            _write(base / f"story.{ext}", text)
        return s.words
    if size == "M":
        s = Prose(f"{seed}-M").story(150_000, 50)
        for ext, text in (("txt", to_text(s)), ("md", to_markdown([s])), ("html", to_html([s]))):
            _write(base / f"novel.{ext}", text)
        return s.words
    if size == "L":
        stories = []
        for i in range(1, 301):
            p = Prose(f"{seed}-L-{i}")
            stories.append(p.story(5_000, p.r.choice([1, 1, 2, 3, 5])))
            _write(base / "stories" / f"{i:03d}.txt", to_text(stories[-1]))
        title = "The Benchmark Anthology"
        listed = ",\n".join(f'    "stories/{i:03d}.txt"' for i in range(1, 301))
        _write(base / "anthology.toml",
               f'title = "{title}"\neditors = ["The ficbook Bench"]\nlanguage = "en"\n'
               f'date = "2026-01-01"\nformats = ["epub"]\nstories = [\n{listed},\n]\n')
        _write(base / "anthology.md", to_markdown(stories, title))
        _write(base / "anthology.html", to_html(stories, title))
        return sum(s.words for s in stories)
    if size == "XL":
        total = 0
        for i in range(1, 3001):
            s = Prose(f"{seed}-XL-{i}").story(1_000, 1)
            total += s.words
            _write(base / "txt" / f"{i:04d}.txt", to_text(s))
            _write(base / "md" / f"{i:04d}.md", to_markdown([s]))
            _write(base / "html" / f"{i:04d}.html", to_html([s]))
        return total
    raise SystemExit(f"unknown size {size!r} (S, M, L, XL)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", nargs="+", choices=["S", "M", "L", "XL"])
    ap.add_argument("--out", type=Path, required=True, help="corpus folder (created)")
    ap.add_argument("--seed", default="ficbook-bench-1")
    args = ap.parse_args()
    for size in args.sizes:
        words = make(size, args.out, args.seed)
        print(f"{size}: {words:,} words -> {args.out / size}")


if __name__ == "__main__":
    main()
