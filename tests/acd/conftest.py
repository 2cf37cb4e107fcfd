"""Engine fixtures: small real runs written to a temporary landing folder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from acd.simulate import simulate


@pytest.fixture(scope="session")
def airline_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """Two days of the shipped airline scenario (300 agents), all outputs written."""
    out = tmp_path_factory.mktemp("airline")
    summary = simulate("airline", date(2026, 9, 30), 2, 11, out)
    return out, summary
