"""``scoresim compare``: paired and unpaired comparisons of configs and finished runs, the
table within 100 columns, compare.csv, figures, and bad input refused with nothing written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from conftest import assert_input_error, call
from test_experiments import SMALL_BASE as BASE

from scoresim.compare import core
from scoresim.reporting import ESTIMANDS

OTHER_PROGRAMME = BASE.replace("participants = 16", "participants = 8").replace('name = "small"', 'name = "fewer"')
OTHER_POPULATION = BASE.replace("n_firms = 24", "n_firms = 30").replace('name = "small"', 'name = "bigger"')


@pytest.fixture(scope="module")
def configs(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("configs")
    for name, text in (("base", BASE), ("fewer", OTHER_PROGRAMME), ("bigger", OTHER_POPULATION)):
        (d / f"{name}.toml").write_text(text)
    return d


def compare(argv: list[str], capsys) -> tuple[int, str, str]:
    return call(["compare", *argv], capsys)


@pytest.fixture(scope="module")
def paired_dir(configs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("paired") / "cmp"
    from scoresim.cli import main

    assert main(["compare", str(configs / "base.toml"), str(configs / "fewer.toml"), "--replicates", "3",
                 "--out", str(out)]) == 0
    return out


def rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_same_population_is_paired_and_written(paired_dir):
    manifest = json.loads((paired_dir / "manifest.json").read_text())
    assert manifest["paired"] is True and manifest["format"] == "scoresim-compare/1"
    assert sorted(p.name for p in paired_dir.iterdir()) == [
        "compare.csv", "compare.nc", "compare.txt", "configs.json", "differences.png", "manifest.json", "values.png"]
    table = rows(paired_dir / "compare.csv")
    assert list(table[0]) == ["scenario", "indicator", "estimand", "statistic", "median", "p5", "p95", "units",
                              "paired", "baseline"]
    present = {r["estimand"] for r in table}
    assert present == {k for k, v in ESTIMANDS.items() if v != "did_estimate"} or present == set(ESTIMANDS)
    diffs = [r for r in table if r["statistic"] == "difference"]
    assert diffs and all(r["scenario"] == "fewer" for r in diffs)
    for r in table:
        if r["median"]:
            assert float(r["p5"]) <= float(r["median"]) <= float(r["p95"]), r
    text = (paired_dir / "compare.txt").read_text()
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "Paired:" in text and "pp" in text and "(0-1 scale)" in text


def test_paired_difference_is_the_replicate_by_replicate_difference(paired_dir):
    result = xr.open_dataset(paired_dir / "compare.nc", engine="h5netcdf").load()
    d = result["value"].sel(scenario="fewer") - result["value"].sel(scenario="small")
    q = result["difference_q"].sel(scenario="fewer")
    for k in result["estimand"].values:
        for i in result["indicator"].values:
            x = d.sel(estimand=k, indicator=i).values
            if np.isfinite(x).any():
                assert q.sel(estimand=k, indicator=i).values[1] == pytest.approx(np.nanmedian(x))


def test_a_config_compared_with_itself_differs_by_exactly_zero(configs, tmp_path, capsys):
    code, out, err = compare([str(configs / "base.toml"), str(configs / "base.toml"), "--replicates", "2",
                              "--out", str(tmp_path / "c"), "--no-figures"], capsys)
    assert code == 0, err
    result = xr.open_dataset(tmp_path / "c" / "compare.nc", engine="h5netcdf").load()
    assert list(result["scenario"].values) == ["base", "base-2"]       # labels kept distinct
    q = result["difference_q"].isel(scenario=1).values
    assert np.all(q[np.isfinite(q)] == 0) and np.isfinite(q).any()


def test_other_population_is_unpaired_and_says_so(configs, tmp_path, capsys):
    code, out, err = compare([str(configs / "base.toml"), str(configs / "bigger.toml"), "--replicates", "2",
                              "--out", str(tmp_path / "c"), "--no-figures"], capsys)
    assert code == 0, err
    assert "Unpaired: bigger has another population than small (population.n_firms)" in out.replace("\n", " ")
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["paired"] is False
    assert max(len(line) for line in out.splitlines()) <= 100


def test_seeds_that_differ_are_unpaired_unless_one_seed_is_given(configs, tmp_path, capsys):
    entries = [core.load_entry(str(configs / "base.toml")),
               core.load_entry(str(configs / "fewer.toml"))]
    entries[1].seed += 1
    paired, why = core.pairing(entries)
    assert not paired and "--seed" in why
    entries = [core.load_entry(str(configs / n), seed=4) for n in ("base.toml", "fewer.toml")]
    assert core.pairing(entries)[0]


def test_two_finished_runs(configs, tmp_path, capsys):
    from scoresim.cli import main

    for name in ("base", "fewer"):
        assert main(["run", str(configs / f"{name}.toml"), "--replicates", "2", "--out", str(tmp_path / name),
                     "--no-figures"]) == 0
    capsys.readouterr()
    code, out, err = compare([str(tmp_path / "base"), str(tmp_path / "fewer" / "dataset.nc"),
                              "--out", str(tmp_path / "c")], capsys)
    assert code == 0, err
    assert "Paired:" in out
    # a run and a config of the same population on the run's seed pair too
    code, out, err = compare([str(tmp_path / "base"), str(configs / "fewer.toml"), "--seed", "3", "--replicates",
                              "2", "--out", str(tmp_path / "c2"), "--no-figures"], capsys)
    assert code == 0, err
    base_seed = json.loads((tmp_path / "c" / "manifest.json").read_text())["scenarios"][0]["seed"]
    assert ("Paired:" in out) == (base_seed == 3)


def test_an_estimand_missing_from_a_dataset_is_skipped(configs, tmp_path):
    from scoresim.compare.core import Entry, compare as compare_entries

    values = xr.Dataset({"mean_reported_change": (("replicate", "indicator"), np.zeros((2, 2))),
                         "effect": (("replicate", "indicator"), np.ones((2, 2)))},
                        coords={"indicator": ["accidents", "adoption"]})
    a = Entry("a", "a", "run", {}, 1, 2, values=values)
    b = Entry("b", "b", "run", {}, 1, 2, values=values[["effect"]])
    result = compare_entries([a, b], paired=True)
    assert list(result["estimand"].values) == ["causal"]


@pytest.mark.parametrize("argv, expected", [
    (["one.toml"], "at least two scenarios"),
    (["base.toml", "missing.toml"], "missing.toml: no such file or directory"),
    (["base.toml", "empty_dir"], "empty_dir: not a finished run (no dataset.nc)"),
    (["base.toml", "plan.toml"], "plan.toml: a planner config"),
    (["base.toml", "bad.toml"], "bad.toml: unknown field 'population.n_frims'"),
])
def test_bad_input_is_refused_with_nothing_written(argv, expected, configs, work, capsys):
    (work / "one.toml").write_text(BASE)
    (work / "base.toml").write_text(BASE)
    (work / "empty_dir").mkdir()
    (work / "plan.toml").write_text(BASE + "\n[budget]\nusd_per_year = 1e6\n")
    (work / "bad.toml").write_text(BASE.replace("n_firms", "n_frims"))
    assert_input_error(["compare", *argv], capsys, work, expected)
