"""Shared fixtures: where the real corpora and the seed article live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
SEED = SHARED / "seed" / "000_c8082c7e9795db6b.txt"


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip(f"real corpora not found at {CORPORA} (../shared/corpora beside the repository)")
    return CORPORA


@pytest.fixture
def seed() -> Path:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED} (../shared/seed beside the repository)")
    return SEED
