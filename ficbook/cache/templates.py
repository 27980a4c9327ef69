"""Compiled jinja templates, kept between builds (a theme's templates compile in ~50 ms)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import jinja2

from . import ours


def compiled_templates(folder: Path) -> jinja2.BytecodeCache | None:
    """jinja's cache of compiled templates in `folder`; None if the folder cannot be made
    (a build then compiles them, as without a cache)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _CompiledTemplates(str(folder))


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """jinja's cache of compiled templates, where a disk problem costs a compile, never the
    build (jinja's own lets an unwritable folder's error through)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            # Compiled code is run: only from a file this user wrote and no one else can.
            if ours(os.stat(self._get_cache_filename(bucket))):
                super().load_bytecode(bucket)
        except Exception:  # missing or damaged (truncated, garbage): compile
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)
