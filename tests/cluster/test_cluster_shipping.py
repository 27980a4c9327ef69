"""What a task carries to a worker that shares no filesystem: the story, its chapter files and
the pictures it names inside its folder, nothing else."""

from __future__ import annotations

from pathlib import Path

from batchstories import picture

from ficbook.pipeline.shipping import Shipment, materialize, shipment


def test_a_story_travels_with_the_pictures_it_names_and_no_others(tmp_path: Path) -> None:
    folder = tmp_path / "fics"
    (folder / "art").mkdir(parents=True)
    for name in ("cover.png", "art/map one.png", "art/unnamed.png", "ref.gif"):
        (folder / name).write_bytes(picture())
    (tmp_path / "secret.png").write_bytes(picture())  # outside the story's folder
    (folder / "art" / "link.png").symlink_to(tmp_path / "secret.png")
    story = folder / "story.html"
    story.write_text('<p><img src="cover.png"> <img src=art/map%20one.png></p>\n'
                     '<img src="../secret.png"><img src="/etc/passwd">'
                     '<img src="https://example.com/x.png"><img src="art/link.png">\n'
                     '<img src="missing.png">')
    packed = shipment(story)
    assert packed.name == "story.html" and packed.problem is None
    assert sorted(packed.files) == ["art/map one.png", "cover.png", "story.html"]

    markdown = folder / "story.md"
    markdown.write_text("![map](<art/map one.png>)\n\n![ref][r]\n\n[r]: ref.gif\n")
    assert sorted(shipment(markdown).files) == ["art/map one.png", "ref.gif", "story.md"]


def test_a_chapter_folder_travels_as_a_folder(tmp_path: Path) -> None:
    fic = tmp_path / "long-road"
    fic.mkdir()
    (fic / "ch01.txt").write_text("Title: Road\nAuthor: w\n\nDawn.\n")
    (fic / "ch02.txt").write_text('Dusk. <img src="dusk.png">\n')
    (fic / "dusk.png").write_bytes(picture())
    (fic / "notes.doc").write_text("not a chapter")
    packed = shipment(fic)
    assert packed.name == "long-road"
    assert sorted(packed.files) == ["long-road/ch01.txt", "long-road/ch02.txt",
                                    "long-road/dusk.png"]

    unpacked = materialize(packed, tmp_path / "worker")
    assert unpacked == tmp_path / "worker" / "long-road"
    assert sorted(p.name for p in unpacked.iterdir()) == ["ch01.txt", "ch02.txt", "dusk.png"]


def test_a_worker_writes_nothing_outside_its_scratch_folder(tmp_path: Path) -> None:
    parcel = Shipment("a.txt", {"a.txt": b"Title: A\n\nText.\n", "../escaped.txt": b"no",
                                "/tmp/absolute.txt": b"no"})
    materialize(parcel, tmp_path / "scratch")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.txt"]
