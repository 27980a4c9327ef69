"""Time ficbook and its peers on the same corpus, interleaved in one run, and print the medians.

    python bench/corpus.py --out /tmp/corpus S M
    python bench/run.py --corpus /tmp/corpus S M            # epub, pdf and start-up jobs
    python bench/run.py --corpus /tmp/corpus L XL --runs 1  # big: pandoc L ~30 s, XL ~2 min
    python bench/run.py --corpus /tmp/corpus M --only epub --tools ficbook,pandoc --runs 9

Every run is a fresh process (os.wait4 gives its wall time, CPU time and peak RSS, children
included). Within a job the tools take turns, round after round, in a rotating order, so the
machine's drift (other work, thermal, caches) lands on all of them alike; the table shows the
median of each. A peer that is not installed is skipped with a note, and so is a ficbook job
whose command this ficbook does not have yet (detected from `ficbook --help` and a tiny probe).
A tool whose first run takes over --slow seconds is run only once.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from installed import compile_ficbook

HERE = Path(__file__).resolve().parent
PY = sys.executable


@dataclass
class Tool:
    name: str
    cmd: list[str]  # {out} is a fresh empty folder per run
    needs: str = ""  # an executable, or "ficbook:<feature>"
    warm: bool = False  # run once untimed into the same folder first (a rebuild)
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Job:
    size: str
    kind: str  # epub, pdf, startup, rebuild
    label: str
    tools: list[Tool]


@dataclass
class Result:
    job: str
    tool: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)  # MB
    note: str = ""


def ficbook_exe() -> list[str]:
    """The installed console script next to this Python (not a pyenv shim, which adds ~0.1 s)."""
    beside = Path(PY).parent / "ficbook"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("ficbook")
    return [found] if found else [PY, "-m", "ficbook"]


def jobs_for(size: str, c: Path) -> list[Job]:
    fb = ficbook_exe()
    fl = [PY, str(HERE / "floors.py")]
    each = [PY, str(HERE / "each.py"), "-j", "2"]
    pandoc = ["pandoc", "-f", "markdown", "-t", "epub3", "--toc"]
    if size in ("S", "M"):
        stem = {"S": "story", "M": "novel"}[size]
        txt, md, html = (str(c / size / f"{stem}.{e}") for e in ("txt", "md", "html"))
        jobs = [
            Job(size, "epub", f"{size} -> EPUB", [
                Tool("ficbook", [*fb, "build", txt, "-o", "{out}/book.epub"]),
                Tool("pandoc", [*pandoc, md, "-o", "{out}/book.epub"], "pandoc"),
                Tool("calibre", ["ebook-convert", html, "{out}/book.epub"], "ebook-convert"),
                Tool("floor: zip", [*fl, "zip", txt, "-o", "{out}"]),
                Tool("floor: ebooklib", [*fl, "ebooklib", html, "-o", "{out}"]),
            ]),
            Job(size, "pdf", f"{size} -> PDF", [
                Tool("ficbook", [*fb, "build", txt, "-f", "pdf", "-o", "{out}/book.pdf"],
                     "ficbook:pdf"),
                Tool("calibre", ["ebook-convert", html, "{out}/book.pdf"], "ebook-convert"),
                Tool("weasyprint", ["weasyprint", html, "{out}/book.pdf"], "weasyprint"),
            ]),
        ]
        if size == "S":
            jobs.insert(0, Job(size, "startup", "start-up", [
                Tool("ficbook --help", [*fb, "--help"]),
                Tool("ficbook info S", [*fb, "info", txt]),
                Tool("pandoc --version", ["pandoc", "--version"], "pandoc"),
                Tool("ebook-convert --version", ["ebook-convert", "--version"], "ebook-convert"),
            ]))
        return jobs
    if size == "L":
        toml, md, html = (str(c / "L" / f"anthology.{e}") for e in ("toml", "md", "html"))
        return [
            Job("L", "epub", "L anthology -> EPUB", [
                Tool("ficbook", [*fb, "build", toml, "-o", "{out}/book.epub"],
                     "ficbook:anthology"),
                Tool("pandoc", [*pandoc, md, "-o", "{out}/book.epub"], "pandoc"),
                Tool("floor: zip", [*fl, "zip", *sorted(map(str, (c / "L/stories").iterdir())),
                                    "-o", "{out}"]),
                Tool("floor: ebooklib", [*fl, "ebooklib", html, "-o", "{out}"]),
            ]),
            Job("L", "pdf", "L anthology -> PDF", [
                Tool("ficbook", [*fb, "build", toml, "-f", "pdf", "-o", "{out}/book.pdf"],
                     "ficbook:anthology-pdf"),
                Tool("calibre", ["ebook-convert", html, "{out}/book.pdf"], "ebook-convert"),
                Tool("weasyprint", ["weasyprint", html, "{out}/book.pdf"], "weasyprint"),
            ]),
        ]
    if size == "XL":
        x = c / "XL"
        return [
            Job("XL", "epub", "XL batch -> EPUB (3,000 stories, 2 at a time)", [
                Tool("ficbook", [*fb, "batch", str(x / "txt"), "-o", "{out}", "-j", "2"],
                     "ficbook:batch"),
                Tool("pandoc", [*each, str(x / "md"), "{out}", ".epub", "--", *pandoc, "{in}",
                                "-o", "{out}"], "pandoc"),
                Tool("floor: zip", [*fl, "zip", str(x / "txt"), "-o", "{out}", "-j", "2"]),
                Tool("floor: ebooklib", [*fl, "ebooklib", str(x / "html"), "-o", "{out}",
                                         "-j", "2"]),
            ]),
            Job("XL", "rebuild", "XL batch again, nothing changed", [
                Tool("ficbook", [*fb, "batch", str(x / "txt"), "-o", "{out}", "-j", "2"],
                     "ficbook:batch", warm=True),
            ]),
        ]
    raise SystemExit(f"unknown size {size}")


class Features:
    """What this ficbook can do, from its help text and a tiny probe build."""

    def __init__(self, work: Path, corpus: Path) -> None:
        fb = ficbook_exe()
        top = _out([*fb, "--help"])
        build_help = _out([*fb, "build", "--help"])
        self.have: dict[str, bool] = {"batch": " batch " in top}
        s = corpus / "S" / "story.txt"
        probe = work / "probe"
        probe.mkdir(parents=True, exist_ok=True)
        self.have["pdf"] = "pdf" in build_help and s.exists() and _ok(
            [*fb, "build", str(s), "-f", "pdf", "-o", str(probe / "p.pdf")])
        toml = probe / "anthology.toml"
        if s.exists():
            for n in (1, 2):
                text = s.read_text().replace("Title: ", f"Title: Probe {n} ", 1)
                (probe / f"{n}.txt").write_text(text)
            toml.write_text('title = "Probe"\nstories = ["1.txt", "2.txt"]\n')
        self.have["anthology"] = ".toml" in build_help and _ok(
            [*fb, "build", str(toml), "-o", str(probe / "a.epub")])
        self.have["anthology-pdf"] = self.have["anthology"] and self.have["pdf"]

    def missing(self, needs: str) -> str:
        if not needs:
            return ""
        if needs.startswith("ficbook:"):
            feature = needs.split(":", 1)[1]
            return "" if self.have.get(feature) else f"this ficbook has no {feature} yet"
        return "" if shutil.which(needs) else f"{needs} is not installed"


def _out(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _ok(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=300,
                              env=_env(Path(tempfile.mkdtemp()))).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FICBOOK_CACHE_DIR"] = str(cache)  # a cold cache every run, unless the job is a rebuild
    env.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")  # calibre as root in a container
    return env


def with_baseline(job: Job, baseline: Path) -> Job:
    """Each ficbook tool twice: this checkout, and `python -m ficbook` from an older one."""
    fb = ficbook_exe()
    tools = []
    for tool in job.tools:
        tools.append(tool)
        if tool.name.startswith("ficbook") and tool.cmd[:len(fb)] == fb:
            tools.append(Tool(tool.name.replace("ficbook", "ficbook@baseline", 1),
                              [PY, "-m", "ficbook", *tool.cmd[len(fb):]], tool.needs,
                              tool.warm, {"PYTHONPATH": str(baseline.resolve())}))
    return Job(job.size, job.kind, job.label, tools)


def run_once(tool: Tool, out: Path, timeout: float) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, exit code) of one fresh process, its children included."""
    cmd = [a.replace("{out}", str(out)) for a in tool.cmd]
    env = {**_env(out.parent / (out.name + "-cache")), **tool.env}
    if tool.warm:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                       timeout=timeout, cwd=out)
    # stderr into a file, not a pipe: a pipe read only at the end blocks a tool that says more
    # than 64 KB, and the wait below would never end.
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        # cwd: the run's own empty folder, so nothing lands in the caller's folder and
        # `python -m ficbook` (the baseline) does not pick up a ficbook package from there.
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors, env=env, cwd=out)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - start
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(f"  ! {tool.name} exited {proc.returncode}: {err.strip()[-300:]}\n")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def machine() -> dict[str, str]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal")) / 1024 / 1024
    except (OSError, StopIteration):
        mem = 0
    versions = {}
    for name, cmd in (("pandoc", ["pandoc", "--version"]),
                      ("calibre", ["ebook-convert", "--version"]),
                      ("weasyprint", ["weasyprint", "--version"])):
        if shutil.which(cmd[0]):
            versions[name] = _out(cmd).splitlines()[0] if _out(cmd) else "?"
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "ram_gb": f"{mem:.1f}",
            "python": platform.python_version(), "load_start": " ".join(
                f"{x:.2f}" for x in os.getloadavg()), **versions}


def main() -> None:
    compile_ficbook()
    ap = argparse.ArgumentParser(description="ficbook vs pandoc vs calibre, interleaved")
    ap.add_argument("sizes", nargs="*", default=["S", "M"], choices=["S", "M", "L", "XL"])
    ap.add_argument("--corpus", type=Path, required=True, help="from bench/corpus.py")
    ap.add_argument("--runs", type=int, default=0, help="runs per tool (default S 7, M 5, "
                    "L and XL 1)")
    ap.add_argument("--only", default="", help="job kinds: epub,pdf,startup,rebuild")
    ap.add_argument("--tools", default="", help="tool names (prefix match): ficbook,pandoc,...")
    ap.add_argument("--slow", type=float, default=60.0, help="one run only for a tool whose "
                    "first run takes longer than this many seconds")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--json", type=Path, help="write every measurement here too")
    ap.add_argument("--work", type=Path, help="scratch folder (default: a temp folder)")
    ap.add_argument("--baseline", type=Path, help="an older ficbook source tree (e.g. from "
                    "`git archive REV | tar -x -C DIR`) to time beside this one, for before/after")
    args = ap.parse_args()
    args.corpus = args.corpus.resolve()

    work = Path(args.work or tempfile.mkdtemp(prefix="ficbook-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    features = Features(work, args.corpus)
    print("ficbook features: " + ", ".join(f"{k} {'yes' if v else 'no'}"
                                           for k, v in features.have.items()), flush=True)
    kinds = set(filter(None, args.only.split(",")))
    wanted = [t.strip() for t in args.tools.split(",") if t.strip()]
    default_runs = {"S": 7, "M": 5, "L": 1, "XL": 1}
    results: list[Result] = []
    notes: list[str] = []
    counter = 0
    for size in args.sizes:
        for job in jobs_for(size, args.corpus):
            if args.baseline:
                compile_ficbook(args.baseline)
                job = with_baseline(job, args.baseline)
            if kinds and job.kind not in kinds:
                continue
            tools = []
            for tool in job.tools:
                if wanted and not any(tool.name.startswith(w) for w in wanted):
                    continue
                why = features.missing(tool.needs)
                if why:
                    notes.append(f"{job.label}: {tool.name} skipped: {why}")
                    continue
                tools.append(tool)
            if not tools:
                continue
            runs = args.runs or default_runs[size]
            res = {t.name: Result(job.label, t.name) for t in tools}
            results.extend(res.values())
            print(f"\n{job.label}: {runs} round(s) of {', '.join(t.name for t in tools)}",
                  flush=True)
            for r in range(runs):
                order = tools[r % len(tools):] + tools[:r % len(tools)]  # rotate each round
                for tool in order:
                    rr = res[tool.name]
                    if rr.walls and (rr.note or (r > 0 and rr.walls[0] > args.slow)):
                        continue
                    counter += 1
                    out = work / f"run{counter:05d}"
                    out.mkdir()
                    try:
                        wall, cpu, rss, rc = run_once(tool, out, args.timeout)
                    finally:
                        shutil.rmtree(out, ignore_errors=True)
                        shutil.rmtree(str(out) + "-cache", ignore_errors=True)
                    if rc:
                        rr.note = f"failed (exit {rc})"
                    rr.walls.append(wall)
                    rr.cpus.append(cpu)
                    rr.rss.append(rss)
                    print(f"  {tool.name:<24} {wall:8.2f} s wall {cpu:8.2f} s cpu "
                          f"{rss:8.0f} MB", flush=True)
    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("\n" + table(results))
    print(f"\nload average at start {info['load_start']}, at end {info['load_end']}")
    for note in notes:
        print(f"note: {note}")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "notes": notes, "results": [
            r.__dict__ for r in results]}, indent=1))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


def table(results: list[Result]) -> str:
    rows = ["| job | tool | wall s | CPU s | peak RSS MB | runs | peer ÷ ficbook (wall) |",
            "|---|---|---:|---:|---:|---:|---:|"]
    by_job: dict[str, list[Result]] = {}
    for r in results:
        by_job.setdefault(r.job, []).append(r)
    for job, rs in by_job.items():
        walls = {r.tool: statistics.median(r.walls) for r in rs if r.walls and not r.note}
        for r in rs:
            if not r.walls:
                continue
            wall = statistics.median(r.walls)
            # A baseline row against its ficbook twin, a peer against "ficbook".
            twin = r.tool.replace("ficbook@baseline", "ficbook", 1)
            base_wall = walls.get(twin if twin != r.tool else "ficbook")
            ratio = "" if base_wall is None or r.tool == "ficbook" else f"{wall / base_wall:.2f}×"
            rows.append(f"| {job} | {r.tool}{' (' + r.note + ')' if r.note else ''} | "
                        f"{wall:.2f} | {statistics.median(r.cpus):.2f} | "
                        f"{statistics.median(r.rss):.0f} | {len(r.walls)} | {ratio} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
