"""Dialogue made of punctuation (`"..."`, `"?"`, a lone ellipsis) is story, not a scene
break: in saved pages (dividers.py) and in plain-text posts (text.py) alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficbook.ingest import read_story
from ficbook.ingest.dividers import is_divider
from ficbook.ingest.text import is_scene_break

SILENCES = ['"..."', '"?"', '"!"', "…", "...", "“…”", "'...'", "?!", "!!!", "???", ". . .",
            "“?!”", "‘…’", "«...»"]


@pytest.mark.parametrize("line", [*SILENCES, "**", "*", "#"])
def test_punctuation_dialogue_is_not_a_divider(line: str) -> None:
    assert not is_divider(line)


@pytest.mark.parametrize("line", SILENCES)
def test_punctuation_dialogue_is_not_a_scene_break(line: str) -> None:
    assert not is_scene_break(line)


@pytest.mark.parametrize("line", ["* * *", "***", "~*~", "-x-", "oOo", "~~~~~~~~", "◇◇◇",
                                  "-=-=-=-", "+++"])
def test_three_glyphs_divide(line: str) -> None:
    assert is_divider(line)


def test_a_page_of_silent_replies_keeps_them(tmp_path: Path) -> None:
    prose = "<p>The rain kept on along the quay while she waited for the last boat in.</p>" * 30
    path = tmp_path / "harbour.html"
    path.write_text('<!DOCTYPE html><html><head><title>Quay</title></head><body>'
                    '<div class="entry-content"><p>"Are you staying?" he asked.</p>'
                    '<p>"..."</p><p>"?"</p><p>"!"</p><p>…</p><p>She said nothing.</p>'
                    f"{prose}</div></body></html>")
    body = read_story(path).chapters[0].body
    assert "scene-break" not in body
    for line in ("<p>“…”</p>", "?”</p>", "!”</p>", "<p>…</p>"):  # (the opening quote's
        assert line in body                                    # shape is typography's)
