"""Shared pytest fixtures: where the official data lives (if anywhere), hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO_ROOT = Path(__file__).resolve().parents[1]

settings.register_profile("dev", max_examples=50, deadline=None)  # tests assert no timings
settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def shared_data_dir() -> Path | None:
    """``$NSR_DATA`` if set, else ``../shared/data`` beside the checkout, if it exists."""
    env = os.environ.get("NSR_DATA")
    candidate = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    """The official data folder; skips the test cleanly when it is absent."""
    path = shared_data_dir()
    if path is None:
        pytest.skip("official data (../shared/data or $NSR_DATA) not available")
    return path
