"""Shared helpers: small scenarios that run in a fraction of a second."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from scoresim.cli import main
from scoresim.config import set_values
from scoresim.mechanisms import MECHANISMS
from scoresim.params import Scenario

MECHANISMS_ALL = tuple(MECHANISMS)

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


def static_toml(base: str = "") -> str:
    """The TOML ``base`` (top-level keys, then tables of plain values) with tables that switch
    every counterfactual mechanism off (scoresim.mechanisms) merged in."""
    import json
    import tomllib

    from scoresim.mechanisms import off_values

    data = tomllib.loads(base)
    for path, value in off_values(MECHANISMS_ALL).items():
        section, key = path.split(".")
        data.setdefault(section, {})[key] = value
    top = [f"{k} = {json.dumps(v)}" for k, v in data.items() if not isinstance(v, dict)]
    tables = [f"[{k}]\n" + "\n".join(f"{kk} = {json.dumps(vv)}" for kk, vv in v.items())
              for k, v in data.items() if isinstance(v, dict)]
    return "\n".join(top + tables) + "\n"


def small(**values) -> Scenario:
    """A small scenario (40 firms, about 2,400 workers, 36 months), with dotted-path overrides
    given as keyword arguments with '__' for '.' (for example programme__participants=0)."""
    merged = dict(SMALL)
    merged.update({k.replace("__", "."): v for k, v in values.items()})
    return set_values(Scenario(), merged, origin="test")


@pytest.fixture
def small_scenario() -> Scenario:
    return small()


def call(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run ``main(argv)``; return (exit status, stdout, stderr), argparse exits included."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def tree(directory: Path) -> dict[str, str]:
    """Every path under ``directory`` with a hash of its content (directories: 'dir')."""
    out = {}
    for root, dirs, files in os.walk(directory):
        for d in dirs:
            out[os.path.relpath(os.path.join(root, d), directory)] = "dir"
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, directory)] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return out


def partial_files(directory: Path) -> list[str]:
    return [os.path.join(root, n) for root, dirs, files in os.walk(directory)
            for n in dirs + files if "partial" in n]


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A temporary working directory, so the default results/ lands there."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_input_error(argv, capsys, work, *expected: str) -> str:
    """Bad input: exit 2, no traceback, every ``expected`` text on stderr, nothing written."""
    before = tree(work)
    code, out, err = call(argv, capsys)
    assert code == 2, (code, err)
    assert "Traceback" not in err and "Traceback" not in out
    for text in expected:
        assert text in err, (text, err)
    assert tree(work) == before, "bad input must not write anything"
    assert not (work / "results").exists()
    return err
