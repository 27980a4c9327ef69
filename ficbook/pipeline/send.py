"""Books onto an e-reader (--send): its format built, copied in whole, never over another work.

Which work a file on the device is: ficbook's record beside its books (.ficbook-sent.json,
file name -> the book's identifier), else the identifier inside an EPUB or KEPUB. A file of
the same name that is another work, or that ficbook cannot tell, is never replaced: the new
book takes "Title - Author (2)". The same work's older copy (an earlier name or format) goes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..backends import file_suffix, format_of
from ..devices import Device, device_format
from ..errors import BuildError, FicbookError, cannot_write
from ..files import atomic_file, atomic_write
from ..options import BuildOptions

SENT_RECORD = ".ficbook-sent.json"


@dataclass(frozen=True)
class Sent:
    device: Device
    path: Path  # the book on the device
    replaced: tuple[Path, ...] = ()  # the same work's older copies, removed
    unchanged: bool = False  # the very same file was there already


def formats_for(device: Device, formats: Sequence[str] | None) -> tuple[str, ...]:
    """`formats` with the device's own added (and the EPUB beside an AZW3: the EPUB says which
    work it is)."""
    fmt = device_format(device)
    extra = [fmt, "epub"] if fmt == "azw3" else [fmt]
    return tuple(dict.fromkeys([*(formats or ()), *extra]))


def build_and_send(inputs: Sequence[Path | str], device: Device, output: Path | None,
                   options: BuildOptions, formats: Sequence[str] | None,
                   build: Callable[..., list[Path]], **build_args: Any
                   ) -> tuple[list[Path], Sent]:
    """Build with `build` (pipeline.build.build) in `formats` and the device's, and send it;
    the books stay in `output` when it is given, else only the device gets one."""
    options = replace(options, formats=formats_for(device, formats))
    if "explicit" in build_args and build_args["explicit"] is not None:
        build_args["explicit"] = {*build_args["explicit"], "formats"}
    if output is not None:
        written = build(list(inputs), output, options, **build_args)
        return written, send_files(written, device)
    with tempfile.TemporaryDirectory(prefix="ficbook-send-") as folder:
        written = build(list(inputs), Path(folder), options, **build_args)
        return [], send_files(written, device)


def send_files(files: Sequence[Path], device: Device) -> Sent:
    """From one book's files, the device's format onto the device."""
    fmt = device_format(device)
    book = next((f for f in files if format_of(f) == fmt), None)
    if book is None:
        raise BuildError(files[0] if files else None, f"no {fmt} was built to send")
    identifier = next((found for f in files if format_of(f) in ("epub", "kepub")
                       for found in [identifier_of(f)] if found), None)
    if identifier is None:
        raise BuildError(book, "cannot tell which work it is: its EPUB has no identifier")
    return send_book(book, identifier, device)


def send_book(book: Path, identifier: str, device: Device) -> Sent:
    """Copy `book` (of the work `identifier`) into the device's books folder, atomically."""
    folder = device.books
    try:
        record = _load_record(folder)
        end = file_suffix(book)
        stem = book.name[:-len(end)]
        n = 1
        while True:
            target = folder / (f"{stem}{end}" if n == 1 else f"{stem} ({n}){end}")
            if not target.exists() or _work_of(target, record) == identifier:
                break
            n += 1
        unchanged = target.is_file() and _same_bytes(target, book)
        if not unchanged:
            with atomic_file(target, mode=None) as tmp:
                shutil.copyfile(book, tmp)
                with contextlib.suppress(OSError):  # FAT, as most e-readers are, has no modes
                    os.chmod(tmp, 0o644)
        replaced = []
        for name, work in list(record.items()):
            old = folder / name
            if work == identifier and old != target:
                old.unlink(missing_ok=True)
                del record[name]
                replaced.append(old)
        record[target.name] = identifier
        atomic_write(folder / SENT_RECORD, json.dumps(record, indent=1, sort_keys=True)
                     .encode(), mode=None)
    except OSError as exc:
        raise cannot_write(exc) from exc
    return Sent(device, target, tuple(replaced), unchanged)


def identifier_of(book: Path) -> str | None:
    """The unique identifier in an EPUB's (or KEPUB's) package document, if it has one."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(book) as z:
            container = etree.fromstring(z.read("META-INF/container.xml"), parser)
            rootfile = container.find(".//{*}rootfile")
            if rootfile is None:
                return None
            opf = etree.fromstring(z.read(rootfile.get("full-path", "")), parser)
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return None
    wanted = opf.get("unique-identifier")
    for element in opf.iter("{http://purl.org/dc/elements/1.1/}identifier"):
        if element.get("id") == wanted and element.text:
            return str(element.text).strip()
    return None


def _work_of(path: Path, record: dict[str, str]) -> str | None:
    if path.name in record:
        return record[path.name]
    return identifier_of(path) if format_of(path) in ("epub", "kepub") else None


def _load_record(folder: Path) -> dict[str, str]:
    with contextlib.suppress(OSError, ValueError):
        data = json.loads((folder / SENT_RECORD).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return {str(k): str(v) for k, v in data.items() if os.sep not in str(k)
                    and "/" not in str(k) and str(k) not in ("", ".", "..")}
    return {}


def _same_bytes(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as x, b.open("rb") as y:
        while True:
            left, right = x.read(1 << 20), y.read(1 << 20)
            if left != right:
                return False
            if not left:
                return True


def send_many(books: Sequence[tuple[Path | str, Sequence[Path]]], device: Device
              ) -> tuple[list[Sent], list[tuple[Path | str, FicbookError]]]:
    """A batch's books onto the device: each one's files, or why it could not go."""
    sent: list[Sent] = []
    failed: list[tuple[Path | str, FicbookError]] = []
    for source, files in books:
        try:
            sent.append(send_files(files, device))
        except FicbookError as exc:
            failed.append((source, exc))
    return sent, failed


def describe(sent: Sent) -> str:
    """One line saying where the book went."""
    what = "already there" if sent.unchanged else "sent"
    line = f"{what}: {sent.path} ({sent.device.name})"
    if sent.replaced:
        line += f", replacing {', '.join(p.name for p in sent.replaced)}"
    if sent.device.kind == "kindle" and format_of(sent.path) == "epub":
        line += ("; a Kindle opens an EPUB only through Send to Kindle: install calibre "
                 "for AZW3")
    return line
