"""Shared fixtures: where the samples, fixtures and the seed story live."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_POST = SEEDS / "leaving-not-running-away.txt"

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture
def seed_post() -> Path:
    if not SEED_POST.is_file():
        pytest.skip("../shared/seeds is not here (it is only on the project's machines)")
    return SEED_POST
