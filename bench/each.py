"""Run a converter once per file, N at a time: how a batch user drives pandoc or calibre.

    python bench/each.py -j 2 IN_DIR OUT_DIR .epub -- pandoc {in} --toc -o {out}
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def main() -> None:
    argv = sys.argv[1:]
    jobs = 1
    if argv[:1] == ["-j"]:
        jobs, argv = int(argv[1]), argv[2:]
    sep = argv.index("--")
    (src, out, suffix), template = argv[:sep], argv[sep + 1:]
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in Path(src).iterdir() if p.is_file())

    def one(f: Path) -> str:
        target = out_dir / (f.stem + suffix)
        cmd = [a.replace("{in}", str(f)).replace("{out}", str(target)) for a in template]
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return f"{f.name}: {done.stderr.strip()[:200]}" if done.returncode else ""

    with ThreadPoolExecutor(jobs) as pool:
        failed = [why for why in pool.map(one, files) if why]
    if failed:
        sys.exit(f"{len(failed)} of {len(files)} failed, e.g. " + "; ".join(failed[:3]))


if __name__ == "__main__":
    main()
