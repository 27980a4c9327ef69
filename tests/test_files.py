"""Output file names made from strangers' titles never escape the output folder."""

from __future__ import annotations

import pytest

from ficbook.files import MAX_NAME_BYTES, book_stem, safe_stem


@pytest.mark.parametrize("title", ["../../etc/x", "/abs", "C:\\x", "a/b", "..", ".", "",
                                   "CON", "nul", "x\x00y\x1b[31m", "‮gpj.exe", "'\"$(rm -rf)`",
                                   "é" * 5000])
def test_hostile_titles_give_safe_bounded_names(title: str) -> None:
    stem = safe_stem(title)
    assert stem and "/" not in stem and "\\" not in stem and stem not in {".", ".."}
    assert not stem.startswith(".") and len(stem.encode()) <= MAX_NAME_BYTES
    assert all(ord(ch) >= 32 and ch not in "\u202e\u200b" for ch in stem)
    assert stem.split(".")[0].lower() not in {"con", "nul"}


def test_book_stem_names_title_and_first_author() -> None:
    assert book_stem("Leaving, Not Running Away", ("badly_knitted",)) == (
        "Leaving, Not Running Away - badly_knitted")
    assert book_stem("Two Hands", ("a", "b")) == "Two Hands - a et al"
    assert book_stem("Solo", ()) == "Solo"
