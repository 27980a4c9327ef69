"""The wheel ships the built-in themes, so an installed ficbook can build books."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import ROOT


def test_wheel_contains_every_theme_file(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    [wheel] = tmp_path.glob("ficbook-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    theme_files = [p.relative_to(ROOT).as_posix() for p in (ROOT / "themes").rglob("*")
                   if p.is_file()]
    assert theme_files
    missing = [f for f in theme_files if f"ficbook/{f}" not in names]
    assert missing == []
