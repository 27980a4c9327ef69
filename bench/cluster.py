"""The XL batch on a Dask cluster against the local pool, and what one client and scheduler
sustain (bench/README.md, section 5).

    python bench/cluster.py --corpus /tmp/corpus     # XL: -j 2, local:2, shipped; then no-op
    python bench/cluster.py --corpus /tmp/corpus --only noop --noop 3000,12000

Each run is a fresh `python -m ficbook batch` process with a fresh cache and output folder.
os.wait4 gives its wall and CPU time (children included: a local cluster's workers are its
children); the client's own peak RSS is its VmHWM, read from /proc while it runs, with its
RSS at each quarter of the run to show whether it grows. The shipped and no-op runs start a
scheduler and two workers as separate processes (`dask scheduler`, `dask worker`, with
`--preload bench/noop_worker.py` for no-op books), as on a cluster, and read their CPU time
from /proc.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from installed import compile_ficbook

HERE = Path(__file__).resolve().parent
PY = sys.executable
TICK = os.sysconf("SC_CLK_TCK")


def status_kb(pid: int, field: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pid: int) -> float:
    """A running process's own user + system CPU time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def timed(cmd: list[str], work: Path) -> dict[str, object]:
    """One fresh process: wall, CPU (children included), the client's peak and sampled RSS."""
    env = {**os.environ, "FICBOOK_CACHE_DIR": str(work / "cache"),
           "PYTHONPATH": str(HERE.parent)}
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors, env=env,
                                cwd=work)
        samples: list[tuple[float, int]] = []
        peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss, hwm = status_kb(proc.pid, "VmRSS"), status_kb(proc.pid, "VmHWM")
            if rss is not None and hwm is not None:
                samples.append((time.perf_counter() - start, rss))
                peak = max(peak, hwm)
            time.sleep(0.05)
        wall = time.perf_counter() - start
        errors.seek(0)
        err = errors.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code:
        sys.stderr.write(f"  ! exited {code}: {err.strip()[-400:]}\n")
    quarters = [max((r for t, r in samples if t <= wall * q / 4), default=0) // 1024
                for q in (1, 2, 3, 4)]
    return {"wall": round(wall, 2), "cpu": round(usage.ru_utime + usage.ru_stime, 2),
            "client_peak_mb": round(peak / 1024), "client_rss_mb_by_quarter": quarters,
            "exit": code}


def xl(corpus: Path, rounds: int, work: Path) -> list[dict[str, object]]:
    """-j 2 and --cluster local:2 on the 3,000 XL stories, taking turns round after round."""
    stories = corpus / "XL" / "txt"
    tools = {"-j 2": ["-j", "2"], "--cluster local:2": ["--cluster", "local:2"]}
    results = []
    for n in range(rounds):
        for name in (list(tools) if n % 2 == 0 else list(reversed(tools))):
            run = work / f"xl-{n}-{name.split()[-1].replace(':', '')}"
            run.mkdir()
            cmd = [PY, "-m", "ficbook", "batch", str(stories), "-o", str(run / "out"),
                   *tools[name]]
            result = {"job": "XL batch (3,000) -> EPUB", "tool": name, "round": n,
                      "load_before": os.getloadavg()[0], **timed(cmd, run)}
            result["books"] = len(list((run / "out").glob("*.epub")))
            results.append(result)
            print(json.dumps(result), flush=True)
            shutil.rmtree(run)
    return results


@contextlib.contextmanager
def scheduler_and_workers(work: Path, preload: Path | None = None) -> Iterator[
        tuple[str, Callable[[], float], Callable[[], float]]]:
    """A `dask scheduler` and `dask worker --nworkers 2` of their own, as docs/cluster.md
    starts them (with its Dask settings file); yields the address and two clocks: the
    scheduler's CPU seconds and the workers' (every process of theirs)."""
    import psutil

    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "DASK_CONFIG": str(HERE.parent / "docs"),
           "FICBOOK_CACHE_DIR": tempfile.mkdtemp(prefix="worker-cache-", dir=work)}
    info = work / "scheduler.json"
    info.unlink(missing_ok=True)
    scheduler = subprocess.Popen(["dask", "scheduler", "--scheduler-file", str(info),
                                  "--port", "0", "--dashboard-address", ":0"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    extra = ["--preload", str(preload)] if preload else []
    workers = None
    try:
        while not info.exists():
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        workers = subprocess.Popen(["dask", "worker", address, "--nworkers", "2", "--nthreads",
                                    "1", "--no-dashboard", *extra], env=env, cwd=work,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(10)  # the workers start and register
        tree = psutil.Process(workers.pid)

        def workers_cpu() -> float:
            procs = [tree, *tree.children(recursive=True)]
            return sum(sum(p.cpu_times()[:2]) for p in procs if p.is_running())

        yield address, lambda: cpu_seconds(scheduler.pid), workers_cpu
    finally:
        for proc in (workers, scheduler):
            if proc is not None:
                proc.terminate()
                proc.wait(30)


def noop(corpus: Path, sizes: list[int], work: Path) -> list[dict[str, object]]:
    """No-op books on a scheduler and two workers of their own: stories a second, and the
    client's and the scheduler's CPU a story."""
    source = sorted((corpus / "XL" / "txt").iterdir())
    results = []
    for size in sizes:
        inputs = work / f"noop-in-{size}"
        for i in range(size):  # XL's stories again, in folders of 3,000
            folder = inputs / f"{i // len(source):02}"
            folder.mkdir(parents=True, exist_ok=True)
            os.link(source[i % len(source)], folder / source[i % len(source)].name)
        with scheduler_and_workers(work, HERE / "noop_worker.py") as (address, sched_cpu, _):
            run = work / f"noop-{size}"
            run.mkdir()
            before = sched_cpu()
            cmd = [PY, "-m", "ficbook", "batch", str(inputs), "-o", str(run / "out"),
                   "--cluster", address]
            result: dict[str, object] = {"job": f"no-op batch ({size:,})",
                                         "tool": "tcp, 2 workers",
                                         "load_before": os.getloadavg()[0], **timed(cmd, run)}
            scheduler_cpu = sched_cpu() - before
            wall, cpu = float(result["wall"]), float(result["cpu"])  # type: ignore[arg-type]
            result.update(stories_per_s=round(size / wall), client_ms_per_story=round(
                cpu / size * 1000, 2), scheduler_ms_per_story=round(scheduler_cpu / size * 1000,
                                                                    2))
            result["books"] = len(list((run / "out").glob("*.epub")))
            results.append(result)
            print(json.dumps(result), flush=True)
        shutil.rmtree(inputs)
    return results


def shipped(corpus: Path, work: Path) -> list[dict[str, object]]:
    """XL on a scheduler and two workers started by hand: stories' and books' bytes travel
    over TCP, as on a cluster with no shared filesystem. CPU: client, scheduler and workers."""
    with scheduler_and_workers(work) as (address, sched_cpu, workers_cpu):
        run = work / "xl-shipped"
        run.mkdir()
        before = sched_cpu() + workers_cpu()
        cmd = [PY, "-m", "ficbook", "batch", str(corpus / "XL" / "txt"), "-o", str(run / "out"),
               "--cluster", address]
        result: dict[str, object] = {"job": "XL batch (3,000) -> EPUB",
                                     "tool": "tcp, 2 workers (bytes shipped)",
                                     "load_before": os.getloadavg()[0], **timed(cmd, run)}
        result["client_cpu"] = result["cpu"]
        result["cpu"] = round(float(result["cpu"]) + sched_cpu() + workers_cpu()  # type: ignore[arg-type]
                              - before, 2)
        result["books"] = len(list((run / "out").glob("*.epub")))
        print(json.dumps(result), flush=True)
        return [result]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--only", choices=["xl", "shipped", "noop"], default=None)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--noop", default="3000,12000", help="no-op batch sizes")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    compile_ficbook(HERE.parent)
    results = []
    with tempfile.TemporaryDirectory(prefix="ficbook-cluster-bench-") as tmp:
        if args.only in (None, "xl"):
            results += xl(args.corpus, args.rounds, Path(tmp))
        if args.only in (None, "shipped"):
            results += shipped(args.corpus, Path(tmp))
        if args.only in (None, "noop"):
            results += noop(args.corpus, [int(n) for n in args.noop.split(",")], Path(tmp))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
