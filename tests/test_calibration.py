"""Calibration: targets files, the ABC distance, ABC-SMC through the executors, parameter
recovery, resume, and posteriors flowing into runs and sweeps."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from conftest import ROOT, assert_input_error, call
from scoresim.calibration.abc import TargetDistance
from scoresim.calibration.run import Settings, calibrate, create
from scoresim.calibration.targets import Target, load_targets
from scoresim.experiments.executors import ProcessExecutor, SerialExecutor

from conftest import static_toml

SMALL_BASE = static_toml("""
name = "small"
[population]
n_firms = 40
workers_mean = 50.0
[time]
start = "2008-01"
months = 36
[programme]
participants = 30
enrol_start = "2008-07"
enrol_end = "2009-01"
""")
"""A small scenario with every counterfactual mechanism off: the model the calibration machinery
was built and tested on (the refit with the mechanisms on is the calibration's own work)."""


QUICK_ABC = ("population = 30\ngenerations = 2\nreplicates = 1\npredictive_draws = 8\n"
             "quick_population = 20\nquick_generations = 2\nquick_replicates = 1")


def targets_file(directory: Path, targets: str, params: str, abc: str = "", name: str = "t.toml") -> Path:
    """Write a targets file over a small scenario and return its path."""
    (directory / "base.toml").write_text(SMALL_BASE)
    abc = abc or QUICK_ABC
    text = (f'name = "small"\nscenario = "base.toml"\nseed = 9\n\n{targets}\n{params}\n'
            f'[abc]\n{abc}\n')
    path = directory / name
    path.write_text(text)
    return path


def target(tid: str, statistic: str, value, tolerance: float, weight: float = 1.0) -> str:
    return (f'[[targets]]\nid = "{tid}"\nprinted = "{value}"\nvalue = {value}\nstatistic = "{statistic}"\n'
            f'reading = "test"\ntolerance = {tolerance}\nweight = {weight}\nsource = "test"\n')


def prior(path: str, lo: float, hi: float) -> str:
    return f'[[parameters]]\npath = "{path}"\nbounds = [{lo}, {hi}]\n'


SIMPLE = (target("acc", "effect.accidents", -0.1, 0.02) + target("adopt", "share_improving.adoption", [0.7, 0.9], 0.05),
          prior("workforce.osh_hazard", 0.5, 3.0) + prior("adoption.visit_rate", 0.1, 0.4))


# --------------------------------------------------------------------------- targets and distance

def test_miss_and_fit_in_tolerances():
    t = Target(id="a", printed="", value=(0.75, 0.80), statistic="x", reading="", tolerance=0.05, source="s")
    assert t.miss(0.78) == 0 and t.fits(0.78)
    assert t.miss(0.85) == pytest.approx(1.0) and t.fits(0.85)
    assert t.miss(0.65) == pytest.approx(2.0) and not t.fits(0.65)
    assert t.miss(float("nan")) == math.inf
    one = Target(id="b", printed="", value=-0.16, statistic="x", reading="", tolerance=0.04, source="s")
    assert one.bounds == (-0.16, -0.16) and one.miss(-0.12) == pytest.approx(1.0)


def test_distance_is_the_weighted_rms_of_misses():
    a = Target(id="a", printed="", value=1.0, statistic="x", reading="", tolerance=1.0, source="s", weight=3.0)
    b = Target(id="b", printed="", value=0.0, statistic="y", reading="", tolerance=2.0, source="s", weight=1.0)
    c = Target(id="c", printed="", value=0.0, statistic="z", reading="", tolerance=1.0, source="s", weight=0.0)
    d = TargetDistance([a, b, c])
    assert d({"a": 1.0, "b": 0.0, "c": 99.0}) == 0.0                 # c is not fitted
    assert d({"a": 3.0, "b": 4.0, "c": 0.0}) == pytest.approx(math.sqrt((3 * 4 + 1 * 4) / 4))
    assert d({"a": float("nan"), "b": 0.0, "c": 0.0}) == math.inf


def test_shipped_targets_are_valid():
    cal = load_targets(ROOT / "configs" / "targets" / "phase1.toml")
    assert len(cal.spec.targets) >= 9 and cal.spec.not_expressible
    for t in cal.spec.targets:
        assert t.statistic.split(".")[0] in {"share_improving", "reported_change", "median_reported_change",
                                             "classroom_participants", "savings_3m_usd_p95",
                                             "payback_months_median"}, t.id   # self-reports, never effects


TARGET_ERRORS = {
    "unknown_statistic": (("effect.accidents", "effect.acidents"), ["targets[0].statistic", "did you mean 'effect.accidents'"]),
    "prior_outside_range": (("[0.1, 0.4]", "[0.1, 1.4]"), ["parameters[1].bounds", "[0, 1]"]),
    "unknown_parameter": (("adoption.visit_rate", "adoption.visit_rat"), ["parameters[1].path", "did you mean"]),
    "unknown_key": (("seed = 9", "seed = 9\nsed = 1"), ["unknown field 'sed'"]),
    "reversed_range": (("value = [0.7, 0.9]", "value = [0.9, 0.7]"), ["targets[1].value", "low <= high"]),
    "no_weight": (("weight = 1.0", "weight = 0.0"), ["at least one target needs a weight above 0"]),
    "missing_scenario": (('scenario = "base.toml"', 'scenario = "none.toml"'), ["field 'scenario'", "none.toml"]),
}


@pytest.mark.parametrize("case", sorted(TARGET_ERRORS))
def test_bad_targets_file(case, capsys, work):
    (old, new), expected = TARGET_ERRORS[case]
    path = targets_file(work, *SIMPLE)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new) if case == "no_weight" else text.replace(old, new, 1))
    assert_input_error(["calibrate", str(path), "--quick"], capsys, work, str(path), *expected)


@pytest.mark.parametrize("argv, expected", [
    (["calibrate"], "give a TARGETS file or --resume"),
    (["calibrate", "t.toml", "--resume", "x"], "--resume RESULTS_DIR takes no TARGETS"),
    (["calibrate", "--resume", "nowhere"], "nowhere: no such directory; expected a calibration results"),
])
def test_bad_calibrate_arguments(argv, expected, capsys, work):
    assert_input_error(argv, capsys, work, expected)


# --------------------------------------------------------------------------- calibration runs

def test_calibrate_command_writes_every_output(capsys, work):
    path = targets_file(work, *SIMPLE)
    code, out, err = call(["calibrate", str(path), "--serial", "--out", "cal"], capsys)
    assert code == 0, err
    names = {p.name for p in (work / "cal").iterdir()}
    assert {"targets.toml", "calibration.json", "manifest.json", "history.db", "posterior.nc", "fit_table.csv",
            "fit_table.txt", "identifiability.csv", "posterior_marginals.png", "posterior_pairs.png",
            "predictive.png"} <= names
    assert "simulated median" in out and "sd ratio" in out
    assert max(len(line) for line in (work / "cal" / "fit_table.txt").read_text().splitlines()) <= 100
    post = xr.open_dataset(work / "cal" / "posterior.nc", engine="h5netcdf")
    assert post["value"].dims == ("draw", "parameter")
    assert list(post["parameter"].values) == ["workforce.osh_hazard", "adoption.visit_rate"]
    lo, hi = post["prior_low"].values, post["prior_high"].values
    assert ((post["value"] >= lo) & (post["value"] <= hi)).all()
    assert post.attrs["git_commit"] and post.attrs["targets"] == "small"
    post.close()
    manifest = json.loads((work / "cal" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["generations"] == 2
    code, out, _ = call(["calibrate", "--resume", "cal"], capsys)
    assert code == 0 and "nothing to do" in out


@pytest.mark.slow
def test_calibration_is_the_same_on_every_executor(tmp_path):
    """Every sampling task draws from a seed of (calibration seed, generation, task), so serial
    and parallel calibrations accept the same particles."""
    cal = load_targets(targets_file(tmp_path, *SIMPLE))
    s = Settings("test", 20, 2, 10.0, 1)
    values = []
    for name, ex in (("serial", SerialExecutor()), ("processes", ProcessExecutor(2))):
        out = create(cal, tmp_path / name, s, "test")
        with ex:
            calibrate(cal, out, s, ex, "test", log=lambda *a: None)
        with xr.open_dataset(out / "posterior.nc", engine="h5netcdf") as post:
            values.append(post["population_value"].values.copy())
    np.testing.assert_array_equal(values[0], values[1])


def test_interrupted_calibration_resumes(tmp_path):
    """A calibration stopped after its first generation goes on from the stored history."""
    cal = load_targets(targets_file(tmp_path, *SIMPLE))
    out = create(cal, tmp_path / "c", Settings("test", 20, 1, 10.0, 1), "test")
    with SerialExecutor() as ex:
        calibrate(cal, out, Settings("test", 20, 1, 10.0, 1), ex, "test", log=lambda *a: None)
        manifest = calibrate(cal, out, Settings("test", 20, 3, 10.0, 1), ex, "test", resume=True,
                             log=lambda *a: None)
    assert manifest["generations"] == 3 and len(manifest["sessions"]) == 2
    assert manifest["sessions"][1]["generations_before"] == 1


@pytest.mark.slow
def test_parameter_recovery(tmp_path):
    """Targets generated by the model at known parameter values are fitted, and the known
    values fall inside the 90% credible intervals of the parameters the targets constrain."""
    from scoresim.calibration.abc import TargetModel

    truth = {"workforce.absence_engagement": 0.6, "production.energy_cleaner": 0.2}
    probe = load_targets(targets_file(tmp_path, *SIMPLE, name="probe.toml"))
    stats = {"absence": "effect.absenteeism", "energy": "effect.energy"}
    model = TargetModel(probe.scenario, [Target(id=k, printed="", value=0.0, statistic=v, reading="", tolerance=1,
                                                source="s") for k, v in stats.items()], replicates=4)
    observed = model.simulate(truth, seed=12345)
    # tolerances near the seed noise of a particle (2 replicates) in this small scenario
    targets = (target("absence", stats["absence"], round(observed["absence"], 5), 0.01)
               + target("energy", stats["energy"], round(observed["energy"], 5), 0.006))
    params = prior("workforce.absence_engagement", 0.05, 1.9) + prior("production.energy_cleaner", 0.01, 0.5)
    abc = "population = 80\ngenerations = 5\nreplicates = 2\nmin_epsilon = 0.3\npredictive_draws = 10"
    cal = load_targets(targets_file(tmp_path, targets, params, abc))
    out = create(cal, tmp_path / "rec", Settings.of(cal.spec, quick=False), "test")
    with ProcessExecutor(2) as ex:
        calibrate(cal, out, Settings.of(cal.spec, quick=False), ex, "test", log=lambda *a: None)
    rows = {r["parameter"]: r for r in _csv(out / "identifiability.csv")}
    constrained = [p for p, r in rows.items() if r["verdict"] == "constrained"]
    assert "workforce.absence_engagement" in constrained, rows     # the test must not be vacuous
    for p in truth:              # constrained or not, the known value lies in the 90% interval
        assert float(rows[p]["q05"]) <= truth[p] <= float(rows[p]["q95"]), (p, rows[p])


def _csv(path: Path) -> list[dict]:
    import csv

    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


# --------------------------------------------------------------------------- posteriors downstream

def posterior_file(path: Path, values: dict[str, list[float]]) -> Path:
    names = list(values)
    arr = np.array([values[n] for n in names]).T
    xr.Dataset({"value": (("draw", "parameter"), arr)},
               coords={"draw": np.arange(len(arr)), "parameter": names}).to_netcdf(path, engine="h5netcdf")
    return path


def test_run_with_posterior_cycles_through_draws(capsys, work):
    (work / "base.toml").write_text(SMALL_BASE)
    posterior_file(work / "post.nc", {"adoption.target": [0.6, 0.9]})
    code, out, err = call(["run", "base.toml", "--posterior", "post.nc", "--replicates", "3", "--no-figures",
                           "--out", "r"], capsys)
    assert code == 0, err
    assert "parameters (a draw of the calibrated parameters' posterior per replicate, 2 draws)" in " ".join(out.split())
    ds = xr.open_dataset(work / "r" / "dataset.nc", engine="h5netcdf")
    assert list(ds["posterior_draw"].values) == [0, 1, 0]
    np.testing.assert_allclose(ds["posterior_value"].values[:, 0], [0.6, 0.9, 0.6])
    adoption = ds["effect"].sel(indicator="adoption").values
    assert adoption[1] > adoption[0]               # the higher target teaches more practice
    ds.close()
    code, _, err = call(["run", "--from", "r/dataset.nc", "--out", "again", "--no-figures"], capsys)
    assert code == 0, err
    xr.testing.assert_equal(xr.open_dataset(work / "r" / "dataset.nc", engine="h5netcdf"),
                            xr.open_dataset(work / "again" / "dataset.nc", engine="h5netcdf"))


@pytest.mark.parametrize("values, expected", [
    ({"adoption.targt": [0.6]}, "not a numeric parameter"),
    ({"adoption.target": [1.6]}, "leave its valid range"),
])
def test_bad_posterior(values, expected, capsys, work):
    (work / "base.toml").write_text(SMALL_BASE)
    posterior_file(work / "post.nc", values)
    assert_input_error(["run", "base.toml", "--posterior", "post.nc", "--replicates", "2", "--no-figures",
                        "--out", "r"], capsys, work, "--posterior post.nc", expected)


def test_a_posterior_does_not_override_what_the_config_sets(capsys, work):
    """Draws of a parameter the config sets (here population.n_firms) are not used: the config's
    value holds in every replicate, the others are drawn."""
    (work / "base.toml").write_text(SMALL_BASE)
    posterior_file(work / "post.nc", {"population.n_firms": [30.0, 50.0], "adoption.target": [0.6, 0.9]})
    code, out, err = call(["run", "base.toml", "--posterior", "post.nc", "--replicates", "2", "--no-figures",
                           "--out", "r"], capsys)
    assert code == 0, err
    with xr.open_dataset(work / "r" / "dataset.nc", engine="h5netcdf") as ds:
        np.testing.assert_array_equal(ds["posterior_value"].sel(calibrated_parameter="population.n_firms"), [40, 40])
        np.testing.assert_allclose(ds["posterior_value"].sel(calibrated_parameter="adoption.target"), [0.6, 0.9])


def test_not_a_posterior_file(capsys, work):
    (work / "base.toml").write_text(SMALL_BASE)
    (work / "post.nc").write_text("not netcdf")
    assert_input_error(["run", "base.toml", "--posterior", "post.nc"], capsys, work, "not a readable netCDF")


def test_sweep_with_posterior(capsys, work):
    (work / "base.toml").write_text(SMALL_BASE)
    posterior_file(work / "post.nc", {"adoption.target": [0.6, 0.9], "workforce.osh_hazard": [1.0, 1.0]})
    (work / "s.toml").write_text(
        'name = "s"\nbase = "base.toml"\nreplicates = 2\noutputs = ["effect.adoption", "effect.accidents"]\n'
        '[method]\nname = "latin"\nsamples = 3\n[[parameters]]\npath = "workforce.osh_hazard"\nbounds = [1.5, 2.5]\n'
        '[[parameters]]\npath = "adoption.decay"\nbounds = [0.004, 0.01]\n')
    code, out, err = call(["sweep", "s.toml", "--posterior", "post.nc", "--serial", "--out", "r"], capsys)
    assert code == 0, err
    assert "2 posterior draws" in out
    res = xr.open_dataset(work / "r" / "results.nc", engine="h5netcdf")
    adoption = res["Y"].sel(output="effect.adoption").values
    assert (adoption[:, 1] > adoption[:, 0]).all()           # replicate 1 takes draw 1: target 0.9
    record = json.loads(res.attrs["experiment"])["posterior"]
    assert record["names"] == ["adoption.target", "workforce.osh_hazard"]
    res.close()
    assert_input_error(["sweep", "--resume", "r", "--posterior", "post.nc"], capsys, work, "takes no SPEC")


def test_calibrated_defaults_are_a_draw_of_the_committed_posterior():
    """The committed Phase I posterior sets the defaults of the calibrated parameters: the draw
    it names in 'defaults_draw' (to three significant digits), and their sources say so."""
    from scoresim.params import Scenario, describe_parameters, numeric_parameters

    with xr.open_dataset(ROOT / "src" / "scoresim" / "data" / "posterior_phase1.nc", engine="h5netcdf") as post:
        names = [str(p) for p in post["parameter"].values]
        chosen = post["value"].values[int(post.attrs["defaults_draw"])]
        assert 100 <= post.sizes["draw"] <= 1000 and "defaults_rule" in post.attrs
    defaults = numeric_parameters(Scenario())
    sources = {r["path"]: r["source"] for r in describe_parameters()}
    calibrated = load_targets(ROOT / "configs" / "targets" / "phase1.toml").spec.parameters
    assert names == [p.path for p in calibrated]
    for name, value in zip(names, chosen):
        assert defaults[name].value == pytest.approx(float(f"{value:.3g}"), rel=1e-9), name
        assert sources[name].startswith("calibrated to SCORE Phase I"), name


@pytest.mark.parametrize("name, content", [("calibration.json", "{not json"), ("manifest.json", "[]"),
                                           ("calibration.json", '{"settings": {}}')])
def test_resume_of_a_damaged_calibration_directory(name, content, capsys, work):
    path = targets_file(work, *SIMPLE)
    assert call(["calibrate", str(path), "--serial", "--quick", "--out", "cal"], capsys)[0] == 0
    (work / "cal" / "manifest.json").write_text(
        (work / "cal" / "manifest.json").read_text().replace('"complete"', '"running"'))
    (work / "cal" / name).write_text(content)
    assert_input_error(["calibrate", "--resume", "cal"], capsys, work, name)
