"""Shared helpers: small scenarios that run in a fraction of a second."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoresim.config import set_values
from scoresim.params import Scenario

ROOT = Path(__file__).resolve().parents[1]

SMALL = {
    "population.n_firms": 40,
    "population.workers_mean": 60.0,
    "programme.participants": 30,
    "time.start": "2008-01",
    "time.months": 36,
    "programme.enrol_start": "2008-07",
    "programme.enrol_end": "2009-03",
    "run.replicates": 2,
}


def small(**values) -> Scenario:
    """A small scenario (40 firms, about 2,400 workers, 36 months), with dotted-path overrides
    given as keyword arguments with '__' for '.' (for example programme__participants=0)."""
    merged = dict(SMALL)
    merged.update({k.replace("__", "."): v for k, v in values.items()})
    return set_values(Scenario(), merged, origin="test")


@pytest.fixture
def small_scenario() -> Scenario:
    return small()
