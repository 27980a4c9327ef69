"""E-readers plugged in by USB: a Kobo (it has .kobo/) or a Kindle (documents/ and system/)."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

KOBO, KINDLE = "kobo", "kindle"
NAMES = {KOBO: "Kobo", KINDLE: "Kindle"}


def mount_roots() -> list[Path]:
    """Where desktops mount USB storage: udisks (/media/USER, /run/media/USER), /media, /mnt,
    and macOS's /Volumes."""
    user = os.environ.get("USER") or getpass.getuser()
    return [Path("/media") / user, Path("/run/media") / user, Path("/media"), Path("/mnt"),
            Path("/Volumes")]


@dataclass(frozen=True)
class Device:
    kind: str  # KOBO or KINDLE
    root: Path  # where it is mounted

    @property
    def name(self) -> str:
        return NAMES[self.kind]

    @property
    def books(self) -> Path:
        """Where its books go: a Kobo finds them anywhere (the top keeps them easy to find), a
        Kindle only in documents/."""
        return self.root / "documents" if self.kind == KINDLE else self.root


def kind_of(folder: Path) -> str | None:
    """KOBO or KINDLE if `folder` is the top of one, else None."""
    try:
        if (folder / ".kobo").is_dir():
            return KOBO
        if (folder / "documents").is_dir() and (folder / "system").is_dir():
            return KINDLE
    except OSError:  # a mount point we may not look into
        return None
    return None


def find_devices(roots: Iterable[Path] | None = None) -> list[Device]:
    """Every e-reader mounted at one of `roots` (default: mount_roots()) or just under it."""
    found: dict[Path, Device] = {}
    for root in mount_roots() if roots is None else roots:
        try:
            candidates = [root, *sorted(p for p in root.iterdir() if p.is_dir())]
        except OSError:
            continue
        for folder in candidates:
            kind = kind_of(folder)
            if kind is not None:
                found.setdefault(folder.resolve(), Device(kind, folder))
    return list(found.values())


def find_device(given: Path | None = None, roots: Iterable[Path] | None = None) -> Device:
    """The e-reader at `given` (--device), or the one mounted device; else a clear error."""
    if given is not None:
        kind = kind_of(given)
        if kind is None:
            raise InputError(given, "is not a Kobo or a Kindle: it has no .kobo folder, nor "
                                    "documents and system folders (give the top of the device)")
        return Device(kind, given)
    devices = find_devices(roots)
    if not devices:
        raise InputError(None, "no Kobo or Kindle found: connect it by USB and let it mount "
                               "(under /media or /run/media), or give its folder with --device")
    if len(devices) > 1:
        listed = ", ".join(f"{d.name} at {d.root}" for d in devices)
        raise InputError(None, f"{len(devices)} e-readers found ({listed}): choose one with "
                               "--device")
    return devices[0]


def device_format(device: Device) -> str:
    """What to build for it: KEPUB for a Kobo; AZW3 for a Kindle when calibre can make it,
    else the EPUB (which a Kindle opens only through Send to Kindle)."""
    if device.kind == KOBO:
        return "kepub"
    from .backends.azw3 import converter

    return "azw3" if converter() else "epub"
