"""`ficbook batch --cluster`: the batch's books built on a Dask cluster (the `cluster` extra).

The client (this process) streams tasks of several stories to the scheduler, a bounded number
in flight. By default no filesystem is shared: each task carries its stories' bytes and the
files they use (shipping.py) and sends back the books' bytes, which the batch writes and
renames into place itself. With `shared_fs` (always, on a local cluster), workers read the
inputs and write into the output folder's temporary folder themselves, at the same paths.

A task whose worker died is run again elsewhere by Dask; once Dask gives up on it
(`allowed-failures`), its stories go again one a task, and a story alone that kills its worker
again fails on its own. A lost scheduler stops the batch with what was finished on record.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain, count
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BuildError, InputError
from ..options import BuildOptions
from ..theme import Theme, builtin_themes_dir
from . import batch as local
from .batch import Engine, Failure, Job, Outcome
from .shipping import Shipment, materialize, shipment

if TYPE_CHECKING:
    from distributed import Client, Future

log = logging.getLogger(__name__)

INSTALL = "pip install 'ficbook[cluster]'"
TRIES = 2  # a task's, on a local cluster; a running scheduler's own setting rules there
# Dask costs a few ms of client and scheduler CPU a task (more on a loaded machine) and a
# story takes ~12 ms to build: tasks of many stories keep that to a few per cent. A task that
# kills its worker is split, so a poison story costs only its neighbours a second try.
STORIES_PER_TASK = 32
BYSTANDER_TRIES = 3  # a story alone that was blamed for a death before it began goes again
STARTED = "ficbook-started"  # the scheduler's event topic for those stories' tasks
IN_FLIGHT_PER_WORKER = 2  # tasks per worker thread: one running, one queued behind it
# Dask's worker defaults slow a pure-Python build (bench/RESULTS.md): MALLOC_TRIM_THRESHOLD_,
# set in each worker's environment, makes glibc hand memory back after every large free (~20 %
# more CPU a story here), and its profiler samples every thread's stack 100 times a second.
# docs/ficbook-dask.yaml has the same settings for workers started by hand.
WORKER_SETTINGS = {"distributed.worker.profile.enabled": False,
                   "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
# Every connection keeps its last 1,000 messages under 1 MB for debugging: a task of stories is
# ~200 KB, so a client (and a scheduler, per worker) would hold 200 MB of them.
CLIENT_SETTINGS = {"distributed.admin.low-level-log-length": 10}
_LOCAL = re.compile(r"^local(?::(?P<n>[1-9]\d{0,3}))?$")



@dataclass(frozen=True)
class Reply:
    """A task's answer: the worker's code, what it made (the files' paths on the worker, or
    their names when their bytes come back in `files`) or why not."""

    digest: str
    outcome: Outcome
    files: tuple[tuple[str, bytes], ...] | None = None


def cluster_engine(address: str, options: BuildOptions, theme: Theme, *,
                   shared_fs: bool = False) -> Engine:
    """An engine on the Dask cluster at `address` (`tcp://host:8786`), or on a new local one
    (`local` for one worker per core, `local:N` for N)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise BuildError(None, f"--cluster needs Dask, which is not installed: {INSTALL}"
                         ) from None
    if _LOCAL.match(address) is None and "://" not in address:
        raise InputError(None, f"--cluster {address}: give a scheduler's address "
                         "(tcp://host:8786) or local[:N]")
    # A local cluster's workers are on this machine: they see its files at the same paths.
    shared_fs = shared_fs or _LOCAL.match(address) is not None
    if not shared_fs and any(not folder.is_relative_to(builtin_themes_dir())
                             for folder in theme.chain):
        # A theme folder exists on this machine only; the workers would not find it.
        raise InputError(theme.chain[0], "a theme folder needs --shared-fs on a cluster (the "
                         "workers read it at the same path); without it, use a built-in theme")

    def run(todo: Iterator[Job], tmp: Path) -> Iterator[tuple[Job, Outcome]]:
        with connected(address) as client:
            yield from _run(client, address, todo, tmp, options, shared_fs)

    return run


@contextlib.contextmanager
def connected(address: str) -> Iterator[Client]:
    """A client of the scheduler at `address`, or of a local cluster started (and stopped)
    here."""
    import dask
    from distributed import Client, LocalCluster

    # Dask reports every worker's start and stop at INFO; ficbook shows them with -v only,
    # and the dashboard's address with them.
    verbose = logging.getLogger().getEffectiveLevel() <= logging.INFO
    logging.getLogger("distributed").setLevel(logging.INFO if verbose else logging.ERROR)
    local_cluster = _LOCAL.match(address)
    with contextlib.ExitStack() as stack:
        # For the whole run: connections made later (a worker restarted) keep the setting.
        stack.enter_context(dask.config.set(CLIENT_SETTINGS))
        if local_cluster is not None:
            workers = int(local_cluster["n"]) if local_cluster["n"] else None
            with dask.config.set(WORKER_SETTINGS | {
                    "distributed.scheduler.allowed-failures": TRIES - 1}):
                cluster = stack.enter_context(LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=logging.ERROR))
            address = cluster.scheduler_address
        try:
            client = stack.enter_context(Client(address, timeout="20s"))
        except (OSError, TimeoutError) as exc:
            raise BuildError(None, f"cannot reach the Dask scheduler at {address}: "
                             f"{' '.join(str(exc).split())}") from None
        log.info("Dask dashboard: %s", client.dashboard_link)
        yield client


def _run(client: Client, address: str, todo: Iterator[Job], tmp: Path,
         options: BuildOptions, shared_fs: bool) -> Iterator[tuple[Job, Outcome]]:
    from distributed import as_completed

    window = max(2, IN_FLIGHT_PER_WORKER * sum(client.nthreads().values()))
    keys = (f"ficbook-{uuid.uuid4().hex[:12]}-{n}" for n in count())
    pending: dict[Future[list[Reply]], list[Job]] = {}
    # Results come back as tasks finish, fetched in the background: asking for each one when
    # its turn came cost a round trip a task, and the workers waited on the client.
    finished = as_completed(with_results=True, raise_errors=False)

    bystanders: dict[int, int] = {}

    def submit(jobs: list[Job]) -> None:
        future = _submit(client, jobs, tmp, options, shared_fs, next(keys))
        pending[future] = jobs
        finished.add(future)

    chunk: list[Job] = []
    try:
        for job in chain(todo, [None]):
            if job is not None:
                chunk.append(job)
                if len(chunk) < STORIES_PER_TASK:
                    continue
            if chunk:
                submit(chunk)
                chunk = []
            while pending and (job is None or len(pending) >= window):
                future, result = next(finished)
                jobs = pending.pop(future)
                if _killed(future, result) and len(jobs) > 1:
                    # Which of its stories killed the workers? Each goes again on its own:
                    # the others are built, the one that kills fails alone.
                    for one in jobs:
                        submit([one])
                    continue
                if _killed(future, result) and not _started(client, future.key) and (
                        bystanders.setdefault(jobs[0].seq, 0) < BYSTANDER_TRIES):
                    # Dask blames every task queued on a worker that died; this one never
                    # began, so it killed no one: it goes again.
                    bystanders[jobs[0].seq] += 1
                    submit(jobs)
                    continue
                yield from zip(jobs, _outcomes(future, result, jobs, tmp, address),
                               strict=True)
                if job is not None:
                    break
    finally:
        # Ctrl-C or a lost scheduler: nothing more is wanted from the tasks still out.
        with contextlib.suppress(Exception):
            client.cancel(list(pending))


def _submit(client: Client, jobs: list[Job], tmp: Path, options: BuildOptions,
            shared_fs: bool, key: str) -> Future[list[Reply]]:
    if shared_fs:
        where = [(str(job.path.resolve()), str(tmp.resolve() / str(job.seq))) for job in jobs]
        return client.submit(build_shared, where, options, len(jobs) == 1, key=key,
                             pure=False)
    return client.submit(build_shipped, [_pack(job.path) for job in jobs], options,
                         len(jobs) == 1, key=key, pure=False)


def _pack(path: Path) -> Shipment:
    try:
        return shipment(path)
    except OSError as exc:
        return Shipment(path.name, {}, f"cannot be read: {exc.strerror}")


def _error(future: Future[list[Reply]], result: Any) -> BaseException | None:
    """What a finished task raised (as_completed hands an error over as its exc_info)."""
    if future.status == "error" and isinstance(result, tuple) and len(result) == 3:
        return result[1] if isinstance(result[1], BaseException) else None
    return None


def _killed(future: Future[list[Reply]], result: Any) -> bool:
    from distributed import KilledWorker

    return isinstance(_error(future, result), KilledWorker)


def _outcomes(future: Future[list[Reply]], result: Any, jobs: list[Job], tmp: Path,
              address: str) -> list[Outcome]:
    if future.status == "cancelled":  # the batch cancels nothing: the scheduler went away
        raise BuildError(None, f"lost the Dask scheduler at {address}; the books finished so "
                         "far are kept and on record: run the same command to go on")
    if _killed(future, result):
        return [Failure("a worker died building it, each time it was tried (out of memory, "
                        "or a crash in a library ficbook uses); --force tries again")]
    if future.status == "error":  # ficbook's own errors come back as values: this is the machine
        return [local._internal(_error(future, result) or RuntimeError(str(result)))] * len(jobs)
    replies: list[Reply] = result
    outcomes: list[Outcome] = []
    for job, reply in zip(jobs, replies, strict=True):
        if reply.digest != code_digest():
            raise BuildError(None, "a worker runs other ficbook code than this client: "
                             "install the same ficbook on the workers")
        if reply.files is None or isinstance(reply.outcome, Failure):
            outcomes.append(reply.outcome)
        else:
            title, authors, _ = reply.outcome
            outcomes.append((title, authors, _unpack(reply.files, tmp, job.seq)))
    return outcomes


def _unpack(files: tuple[tuple[str, bytes], ...], folder: Path, seq: int) -> list[str]:
    """Books shipped back, written into the batch's temporary folder to be placed."""
    written = []
    for name, data in files:
        target = folder / f"{seq}.{Path(name).name}"  # a name, never a path the worker chose
        target.write_bytes(data)
        written.append(str(target))
    return written


def build_shipped(parcels: list[Shipment], options: BuildOptions,
                  announce: bool = False) -> list[Reply]:
    """On a worker: stories from their shipped bytes -> their books' bytes, or why not."""
    if announce:
        _announce()
    with tempfile.TemporaryDirectory(prefix="ficbook-task-") as scratch:
        return [_build_parcel(parcel, options, Path(scratch) / str(n))
                for n, parcel in enumerate(parcels)]


def _build_parcel(parcel: Shipment, options: BuildOptions, scratch: Path) -> Reply:
    if parcel.problem is not None:
        return Reply(code_digest(), Failure(parcel.problem))
    source = materialize(parcel, scratch / "in")
    made = local.build_one(str(source), str(scratch / "out"), options)
    if isinstance(made, Failure):
        # A message may name the scratch folder; the user knows the story by its own path.
        where = str(source.parent) + "/"
        return Reply(code_digest(), Failure(made.message.replace(where, ""), made.internal))
    title, authors, paths = made
    files = tuple((Path(p).name, Path(p).read_bytes()) for p in paths)
    return Reply(code_digest(), (title, authors, [name for name, _ in files]), files)


def build_shared(where: list[tuple[str, str]], options: BuildOptions,
                 announce: bool = False) -> list[Reply]:
    """On a worker that sees the client's files: each story (path, folder) built into the
    batch's temporary folder, in a folder of this try's own (a try cut short by a dead worker
    leaves its files apart)."""
    if announce:
        _announce()
    return [Reply(code_digest(), local.build_one(path, f"{folder}/{uuid.uuid4().hex[:8]}",
                                                 options)) for path, folder in where]


def _announce() -> None:
    """Tell the scheduler this task began, and wait until it knows: a story alone in its task
    that then kills the worker is the one to blame, not a task queued behind it."""
    from distributed import get_client, get_worker

    get_client().log_event(STARTED, get_worker().get_current_task())


def _started(client: Client, key: str) -> bool:
    return any(message == key for _, message in client.get_events(STARTED))


@cache
def code_digest() -> str:
    """ficbook's code by its bytes (a file's time differs between machines, its bytes do not):
    a book made by other code would not be the book the manifest records."""
    package = Path(__file__).parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
