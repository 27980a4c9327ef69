"""A batch's manifest, in its output folder: per input, the key of what its book was made from
(its bytes, the options, ficbook's code) and the files it made, so the next run skips it.

An SQLite file (stdlib), read and written one book at a time: a batch of millions of stories
never holds the manifest in memory, and each book is on record the moment it is placed, so a
batch that is killed, or loses its cluster, resumes where it stopped."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import BuildError
from ..options import BuildOptions
from . import key

MANIFEST = ".ficbook-batch.db"
_OLD_MANIFEST = ".ficbook-batch.json"  # ficbook before the SQLite manifest: read once, then gone
_SCHEMA = """
CREATE TABLE IF NOT EXISTS books (
  input TEXT PRIMARY KEY, key TEXT NOT NULL, error TEXT, outputs TEXT NOT NULL DEFAULT '[]');
CREATE TABLE IF NOT EXISTS outputs (name TEXT PRIMARY KEY, input TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS outputs_by_input ON outputs (input);
"""


def options_fingerprint(options: BuildOptions) -> str:
    """The options and ficbook's code: an edited renderer rebuilds every book."""
    return key(options=json.dumps(asdict(options), sort_keys=True, default=str))


def input_key(files: Sequence[Path], fingerprint: str) -> str:
    """The key of a book made from `files` (a story, or a folder's chapter files) with the
    options and code of `fingerprint`."""
    digest = hashlib.sha256()
    for part in files:
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    return key(files=digest.hexdigest(), made_with=fingerprint)


@dataclass(frozen=True)
class Entry:
    """What the manifest remembers of one input: the key its book was made from, the files it
    made, or the error it failed with."""

    key: str
    outputs: tuple[str, ...] = ()
    error: str | None = None


class Manifest:
    """The manifest of the batch built into `output`. Only one batch writes into a folder at a
    time (the file stays locked while it is open). A damaged file is set aside: every book is
    then built again."""

    def __init__(self, output: Path) -> None:
        self.path = output / MANIFEST
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self.path.replace(self.path.with_suffix(".damaged"))
            self._db = self._open()
        self._import_json(output / _OLD_MANIFEST)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            # Exclusive: no second batch in the same folder, and WAL needs no shared memory,
            # so it works on a network filesystem. NORMAL: a commit is not an fsync; a killed
            # process loses nothing committed (a power cut may lose the last few books).
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
        except sqlite3.OperationalError as exc:
            db.close()
            if "locked" in str(exc):
                raise BuildError(self.path.parent, "another batch is writing into this "
                                 "folder") from None
            raise BuildError(self.path, f"the batch manifest cannot be opened: {exc}") from None
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _import_json(self, old: Path) -> None:
        try:
            books = json.loads(old.read_text(encoding="utf-8"))["books"]
        except (OSError, ValueError, KeyError, TypeError):
            return
        for input_id, entry in books.items() if isinstance(books, dict) else ():
            if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                if entry.get("error"):
                    self.failed(input_id, entry["key"], str(entry["error"]))
                else:
                    self.built(input_id, entry["key"], [str(n) for n in entry.get("outputs", [])])
        old.unlink(missing_ok=True)

    def get(self, input_id: str) -> Entry | None:
        row = self._db.execute("SELECT key, outputs, error FROM books WHERE input = ?",
                               (input_id,)).fetchone()
        return Entry(row[0], tuple(json.loads(row[1])), row[2]) if row else None

    def owner(self, name: str) -> str | None:
        """The input whose book a file in the output folder is."""
        row = self._db.execute("SELECT input FROM outputs WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def built(self, input_id: str, book_key: str, outputs: Sequence[str]) -> None:
        """`input_id` made `outputs` from `book_key`; names it no longer uses are freed."""
        with self._db:
            self._db.execute("BEGIN")
            self._drop(input_id)
            self._db.execute("INSERT INTO books (input, key, outputs) VALUES (?, ?, ?)",
                             (input_id, book_key, json.dumps(list(outputs))))
            self._db.executemany("INSERT OR REPLACE INTO outputs (name, input) VALUES (?, ?)",
                                 [(name, input_id) for name in outputs])

    def failed(self, input_id: str, book_key: str, error: str) -> None:
        """The same bytes with the same options fail the same way: remembered, not retried."""
        with self._db:
            self._db.execute("BEGIN")
            self._drop(input_id)
            self._db.execute("INSERT INTO books (input, key, error) VALUES (?, ?, ?)",
                             (input_id, book_key, error))

    def forget(self, input_id: str) -> None:
        """A failure that was not the story's (a bug, a dead worker): try again next time."""
        with self._db:
            self._db.execute("BEGIN")
            self._drop(input_id)

    def _drop(self, input_id: str) -> None:
        self._db.execute("DELETE FROM outputs WHERE input = ?", (input_id,))
        self._db.execute("DELETE FROM books WHERE input = ?", (input_id,))

    def entries(self) -> dict[str, Entry]:
        """Every input on record (for tests and tools; a batch asks one input at a time)."""
        rows = self._db.execute("SELECT input, key, outputs, error FROM books").fetchall()
        return {r[0]: Entry(r[1], tuple(json.loads(r[2])), r[3]) for r in rows}

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
