"""Story text that only looks like furniture stays story: an untitled prologue whose last lines
are short is not a title block, and a line that ends every chapter is not a running head."""

from __future__ import annotations

from pathlib import Path

from ficbook.ingest.markdown import parse_markdown

PROSE = ("The lighthouse keeper counted the boats twice every evening and wrote the number in "
         "chalk on the door, because the ledger had gone soft with the damp years ago.")
MORE = ("Nobody asked him why he counted, and he never told them that one boat had come back "
        "with a stranger aboard who carried no name and no luggage at all.")


def _chapters(n: int, ending: str = "") -> str:
    out = []
    for i in range(1, n + 1):
        out.append(f"# Chapter {i}\n\nThe tide turned {i} times that night and nobody slept.\n")
        if ending:
            out.append(f"{ending}\n")
    return "\n".join(out)


PROLOGUE = f"{PROSE}\n\n{MORE}\n\nHe slept.\n\nBy evening the fog had lifted.\n\n"


def _text(story: object) -> str:
    return "".join(c.body for c in story.chapters)  # type: ignore[attr-defined]


def test_an_untitled_prologue_is_not_a_title_block() -> None:
    story = parse_markdown(PROLOGUE + _chapters(3), Path("p.md"))
    meta = story.metadata
    assert meta.title != "He slept."
    assert meta.authors == ()
    assert "lighthouse keeper" not in meta.notes
    text = _text(story)
    for line in ("lighthouse keeper", "He slept.", "By evening the fog had lifted."):
        assert line in text
    assert "lighthouse keeper" in story.chapters[0].body  # the prologue comes first
    assert not any("metadata" in n or "notes" in n for n in story.reader_notes)


def test_with_front_matter_the_prologue_lines_are_kept_too() -> None:
    story = parse_markdown("---\ntitle: Fog\nauthor: Wren Hollis\n---\n\n" + PROLOGUE
                           + _chapters(3), Path("p.md"))
    assert story.metadata.title == "Fog"
    assert story.metadata.authors == ("Wren Hollis",)
    assert story.metadata.notes == ""
    text = _text(story)
    assert "He slept." in text and "By evening the fog had lifted." in text
    assert "lighthouse keeper" in text


def test_a_title_and_byline_at_the_top_are_still_metadata() -> None:
    story = parse_markdown("The Fog Ledger\n\nBy Wren Hollis\n\n" + _chapters(2), Path("p.md"))
    assert story.metadata.title == "The Fog Ledger"
    assert story.metadata.authors == ("Wren Hollis",)
    assert "Wren Hollis" not in _text(story)


def test_by_and_a_lowercase_word_is_not_a_byline() -> None:
    story = parse_markdown("Fog\n\nBy evening it had lifted\n\n" + _chapters(2), Path("p.md"))
    assert story.metadata.authors == ()
    assert "By evening it had lifted" in _text(story)


def test_a_line_ending_every_chapter_is_not_a_running_head() -> None:
    text = ("---\ntitle: Fog\nauthor: Wren Hollis\n---\n\n" + _chapters(5, "To be continued...")
            + "\n# Epilogue\n\nThe fog came back, and so did he.\n")
    story = parse_markdown(text, Path("p.md"))
    assert _text(story).count("To be continued") == 5
    assert not any("running heads" in n for n in story.reader_notes)
    assert [c.title for c in story.chapters][-1] == "Epilogue"


REFRAIN = ("And the sea said nothing, as the sea always says nothing, to the ones who stand on "
           "the quay at night and ask it to give their people back.")


def test_a_refrain_inside_the_chapters_is_kept_every_time() -> None:
    chapters = []
    for i in range(1, 5):
        chapters.append(f"# Chapter {i}\n\nThe tide turned {i} times.\n\n{REFRAIN}\n\n"
                        f"He walked home after the {i} bells.\n")
    story = parse_markdown("\n".join(chapters), Path("p.md"))
    assert _text(story).count("the sea said nothing") == 4
    assert not any("repeated" in n for n in story.reader_notes)


def test_a_paragraph_between_repeated_lines_is_not_boilerplate() -> None:
    chapters = [f"# Chapter {i}\n\n\"Listen.\"\n\n{REFRAIN}\n\n\"Listen.\"\n" for i in range(1, 5)]
    story = parse_markdown("\n".join(chapters), Path("p.md"))
    assert _text(story).count("the sea said nothing") == 4


def test_a_notice_pasted_at_the_end_of_every_chapter_is_kept_once() -> None:
    chapters = [f"# Chapter {i}\n\nThe tide turned {i} times.\n\n{REFRAIN}\n" for i in range(1, 5)]
    story = parse_markdown("\n".join(chapters), Path("p.md"))
    assert _text(story).count("the sea said nothing") == 1
    assert "paragraphs repeated in every chapter: kept once, 3 copies left out" in \
        story.reader_notes


def test_a_notice_with_a_different_ps_under_it_each_time_is_still_boilerplate() -> None:
    chapters = [f"# Chapter {i}\n\n" + "\n\n".join(
        f"Paragraph {k} of chapter {i}, where the tide does what tides do." for k in range(12))
        + f"\n\n{REFRAIN}\n\nPS: chapter {i + 1} comes on Sunday.\n" for i in range(1, 5)]
    story = parse_markdown("\n".join(chapters), Path("p.md"))
    assert _text(story).count("the sea said nothing") == 1
