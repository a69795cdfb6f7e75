"""Tests of the planning app. Helpers shared by the engine tests live here."""

from pathlib import Path

from tests.conftest import real_data


def real_file(name: str) -> Path:
    """A real published file (see tests.conftest.real_data); skip on a laptop without it, fail in CI."""
    return real_data(name)
