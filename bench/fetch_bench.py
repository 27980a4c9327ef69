"""Fetch + build of a link: `ficbook build URL` against FanFicFare's own `fanficfare -f epub URL`
for the same work, timed in the same run, turn about, each in its own process; both books are
then checked with EPUBCheck.

    python bench/fetch_bench.py                       # test1.com?sid=8: 9 chapters, offline
    python bench/fetch_bench.py --url 'http://test1.com?sid=1' --runs 9

FanFicFare's test1.com adapter serves its works from memory (no network), so the figure is the
tools' own cost: start-up, FanFicFare's metadata and chapter handling, and each one's EPUB.
ficbook runs cold (an empty cache folder every run) unless the row says "again".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, children too) and peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode()[-400:] if proc.stderr else ""
        raise SystemExit(f"{cmd[:4]} failed: {err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://test1.com?sid=8")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    fff = shutil.which("fanficfare")
    if fff is None:
        raise SystemExit("fanficfare is not installed (pip install fanficfare)")
    from installed import compile_ficbook  # as an installed copy is: bytecode ready

    compile_ficbook()
    base = Path(tempfile.mkdtemp(prefix="fetch-bench-"))
    env = {**os.environ, "HOME": str(base / "home")}  # no personal.ini of the user's
    (base / "home").mkdir()
    jobs = {
        "ficbook build (cold)": lambda n: (
            [sys.executable, "-m", "ficbook", "build", args.url, "-o", str(base / f"fb{n}")],
            {"FICBOOK_CACHE_DIR": str(base / f"cache{n}")}),
        "ficbook build again (cached)": lambda n: (
            [sys.executable, "-m", "ficbook", "build", args.url, "-o", str(base / "again")],
            {"FICBOOK_CACHE_DIR": str(base / "cache-again")}),
        "fanficfare -f epub": lambda n: (
            [fff, "--non-interactive", "-f", "epub", args.url], {}),
    }
    subprocess.run(jobs["ficbook build again (cached)"](0)[0], cwd=base, check=True,
                   env={**env, **jobs["ficbook build again (cached)"](0)[1]},
                   capture_output=True)
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in jobs}
    names = list(jobs)
    for n in range(args.runs):
        for name in names[n % len(names):] + names[:n % len(names)]:  # take turns
            cmd, extra = jobs[name](n)
            work = base / f"run-{n}-{names.index(name)}"
            work.mkdir()
            results[name].append(timed(cmd, work, {**env, **extra}))
    from validate import epubcheck_messages

    ours = next((base / "fb0").glob("*.epub"))
    theirs = next((base / "run-0-2").glob("*.epub"))
    checks = {"ficbook": epubcheck_messages(ours), "fanficfare": epubcheck_messages(theirs)}
    cold = statistics.median(r[0] for r in results["ficbook build (cold)"])
    peer = statistics.median(r[0] for r in results["fanficfare -f epub"])
    print(f"{args.url}, {args.runs} runs each, medians; load {os.getloadavg()[0]:.1f}")
    print("| job | wall s | CPU s | peak MB |")
    print("|---|---|---|---|")
    for name, runs in results.items():
        print(f"| {name} | {statistics.median(r[0] for r in runs):.2f} | "
              f"{statistics.median(r[1] for r in runs):.2f} | "
              f"{statistics.median(r[2] for r in runs)} |")
    print(f"\nficbook cold ÷ fanficfare: {cold / peer:.2f} (the issue's bar: at most 1.5)")
    for tool, found in checks.items():
        errors = sum(1 for m in found if " ERROR " in m or " FATAL " in m)
        warnings = sum(1 for m in found if " WARNING " in m)
        print(f"EPUBCheck {tool}: {errors} errors, {warnings} warnings"
              + (f" (first: {found[0][:150]})" if found else ""))
    print(json.dumps({"cold": cold, "fanficfare": peer}))
    shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
