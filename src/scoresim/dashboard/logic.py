"""What the dashboard does, without the page: the scenarios it offers, the parameters it lets
a person edit (validated exactly as a config or ``--set`` is), a run, its estimands table,
the comparison with a kept baseline, and the files to download. The page (:mod:`.app`) only
lays these out; the tests call them directly too."""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import xarray as xr

from ..config import InputError, load_scenario, read_toml, set_values
from ..params import Scenario

CONFIGS_ENV = "SCORESIM_DASHBOARD_CONFIGS"   # extra config files, separated by os.pathsep
ORIGIN = "dashboard"

# The main parameters a person edits on the page: dotted path and label.
FIELDS: tuple[tuple[str, str], ...] = (
    ("population.n_firms", "firms in the population"),
    ("programme.participants", "participants"),
    ("programme.modules", "modules offered"),
    ("programme.enrol_start", "first enrolment (YYYY-MM)"),
    ("programme.enrol_end", "last enrolment (YYYY-MM)"),
    ("programme.modules_per_firm", "modules per participant"),
    ("programme.firm_share", "share of the fee paid by firms"),
    ("time.start", "first month (YYYY-MM)"),
    ("time.months", "months simulated"),
    ("run.replicates", "replicates"),
    ("run.seed", "seed"),
)


# ------------------------------------------------------------------------------------ scenarios

def scenario_files(directory: str | Path = "configs") -> dict[str, Path]:
    """Scenario configs on offer, by name: the files given to ``scoresim dashboard`` (through
    :data:`CONFIGS_ENV`) first, then the scenario configs (not planner configs) in ``directory``,
    Phase I first."""
    from ..scaleup.commands import is_plan

    found: dict[str, Path] = {}
    given = [Path(p) for p in os.environ.get(CONFIGS_ENV, "").split(os.pathsep) if p]
    shipped = sorted(Path(directory).glob("*.toml"), key=lambda p: (p.stem != "phase1", p.name)) \
        if Path(directory).is_dir() else []
    for path in given + shipped:
        try:
            if is_plan(read_toml(path)):
                continue
        except InputError:
            continue
        name = path.stem if path.stem not in found else str(path)
        found.setdefault(name, path.resolve())
    return found


def load(path: str | Path) -> Scenario:
    """A scenario config (bad files raise :class:`InputError` naming the file and field)."""
    from ..scaleup.commands import is_plan

    path = Path(path)
    if path.is_file() and is_plan(read_toml(path)):
        raise InputError(f"{path}: a planner config; the dashboard runs scenario configs (plan scale-ups with "
                         "scoresim scaleup)")
    return load_scenario(path)


def field_values(scenario: Scenario) -> dict[str, str]:
    """The text shown in each field for ``scenario``: strings as they are, other values as
    TOML (lists as ["a", "b"])."""
    data = scenario.model_dump(mode="json")
    out = {}
    for path, _ in FIELDS:
        value: Any = data
        for part in path.split("."):
            value = value[part]
        out[path] = value if isinstance(value, str) else json.dumps(value)
    return out


def apply(scenario: Scenario, texts: dict[str, str]) -> Scenario:
    """``scenario`` with the edited fields set and validated like ``--set``: a field that was a
    string takes the text as it is, any other is read as a TOML value. Every problem is in one
    :class:`InputError`, a line per field."""
    current = field_values(scenario)
    values: dict[str, Any] = {}
    for path, text in texts.items():
        if text == current.get(path):
            continue
        values[path] = text.strip() if isinstance(_get(scenario, path), str) else _parse(text)
    return set_values(scenario, values, origin=ORIGIN) if values else scenario


def _get(scenario: Scenario, path: str) -> Any:
    value: Any = scenario
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _parse(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return text.strip()


# ------------------------------------------------------------------------------------ a run

@dataclass
class Result:
    """A finished run on the page: its label, scenario, dataset and seconds taken."""

    label: str
    scenario: Scenario
    ds: xr.Dataset
    seconds: float
    origin: str = ""
    values: xr.Dataset = field(init=False)

    def __post_init__(self) -> None:
        from ..compare.core import estimands_of

        self.values = estimands_of(self.ds)

    def entry(self):
        from ..compare.core import Entry

        return Entry(self.label, self.origin or self.label, "run", self.scenario.model_dump(mode="json"),
                     self.scenario.run.seed, self.ds.sizes["replicate"], values=self.values, scenario=self.scenario)


def run(scenario: Scenario, label: str, origin: str = "", progress: Callable[[int], None] | None = None) -> Result:
    """Run ``scenario`` (its seed and replicates) as ``scoresim run`` does, an ensemble over the
    posterior of the calibrated parameters and fresh populations (as its run section says),
    with provenance; ``progress(1)`` per replicate."""
    import time

    from .. import io
    from ..calibration.posterior import load_posterior, resolve
    from ..ensemble import run_ensemble

    started = time.perf_counter()
    path = resolve(scenario.run.posterior, origin or None)
    posterior = None if path is None else load_posterior(path, scenario)
    from ..config import written_paths

    keep = written_paths(origin) if origin and Path(origin).is_file() else set()
    ds, _ = run_ensemble(scenario, scenario.run.seed, scenario.run.replicates, posterior, keep,
                         populations=scenario.run.populations, panels=0, progress=progress)
    ds.attrs.update(io.provenance(scenario, ["scoresim", "dashboard", origin]))
    return Result(label, scenario, ds, time.perf_counter() - started, origin)


def estimands(result: Result) -> tuple[list[str], list[list[str]]]:
    """The estimands table: per indicator and estimand, the median and 90% interval over
    replicates (header, rows of text)."""
    from ..compare.core import compare
    from .. import textable as t

    q = compare([result.entry()], paired=True)
    head = ["indicator", "estimand", "median [90% interval]"]
    rows = []
    for i, ind in enumerate(q["indicator"].values):
        kind = str(q["indicator_kind"].values[i])
        for k in q["estimand"].values:
            lo, mid, hi = (float(x) for x in q["value_q"].isel(scenario=0).sel(estimand=k, indicator=ind).values)
            rows.append([str(ind), _estimand(str(k)), t.with_interval(mid, lo, hi, kind=kind)])
    return head, rows


def _estimand(key: str) -> str:
    from ..compare.core import ESTIMAND_LABELS

    return ESTIMAND_LABELS.get(key, key)


def versus(baseline: Result, current: Result) -> tuple[str, list[str], list[list[str]]]:
    """The comparison of ``current`` with the kept ``baseline``: the pairing in words, the
    header and rows of the table ``scoresim compare`` prints."""
    from ..compare import core
    from ..compare.table import rows

    entries = [baseline.entry(), current.entry()]
    core.unique_labels(entries)
    paired, why = core.pairing(entries)
    cols, body = rows(core.compare(entries, paired))
    return why, [c.title for c in cols], body


# ------------------------------------------------------------------------------------ downloads

def dataset_bytes(result: Result) -> bytes:
    """The run's dataset.nc as bytes."""
    from .. import io

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dataset.nc"
        io.write_dataset(result.ds, path)
        return path.read_bytes()


def report_bytes(result: Result) -> bytes:
    """The run's self-contained HTML report (as ``scoresim report`` writes it) as bytes."""
    from ..report import build_report
    from ..runfiles import write_run

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / result.label
        directory.mkdir()
        write_run(result.ds, directory)
        return build_report(directory, command="scoresim dashboard").encode("utf-8")
