"""A Dask worker preload for bench/cluster.py: every book is a no-op (a few bytes written, no
reading or rendering), so a run measures what the client and the scheduler sustain.

    dask worker tcp://scheduler:8786 --preload bench/noop_worker.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def dask_setup(worker: Any) -> None:
    from ficbook.pipeline import batch

    def build_nothing(path: str, folder: str, options: Any) -> Any:
        target = Path(folder) / f"{Path(path).stem}.epub"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"no-op book")
        return Path(path).stem, ("noop",), [str(target)]

    batch.build_one = build_nothing
