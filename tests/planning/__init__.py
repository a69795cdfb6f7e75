"""Tests of the planning app. Helpers shared by the engine tests live here."""

import os
from pathlib import Path

import pytest

#: Published data of real municipalities, next to the repository (never copied into it).
REAL_DATA = Path(__file__).resolve().parents[3] / "shared/data/real"


def real_file(name: str) -> Path:
    """A file from ../shared/data/real; skip on a laptop without it, fail in CI (CI=true)."""
    path = REAL_DATA / name
    if not path.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"real data file missing in CI: {path}")
        pytest.skip(f"real data file not available: {path}")
    return path
