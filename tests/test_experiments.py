"""The sweep engine: spec validation, seeds, executor equivalence, kill and resume, failed runs.

Two models run through the same engine: the Ishigami test function (microseconds a run) and
the SCORE model on a small scenario (a fraction of a second a run).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from conftest import ROOT, assert_input_error, call
from scoresim.config import InputError
from scoresim.experiments import executors
from scoresim.experiments.engine import create_sweep, run_sweep
from scoresim.experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from scoresim.experiments.sampling import run_seeds
from scoresim.experiments.spec import load_experiment, n_points
from scoresim.experiments.store import SweepStore, load_results

PI = math.pi
SMALL_BASE = """
name = "small"
[population]
n_firms = 24
workers_mean = 40.0
[time]
start = "2008-01"
months = 30
[programme]
participants = 16
enrol_start = "2008-07"
enrol_end = "2008-12"
"""


def ishigami_spec(directory: Path, method: str = "sobol", samples: int = 32, replicates: int = 2,
                  extra: str = "", constants: str = "noise = 0.3", name: str = "ish.toml",
                  seeds: str = "common") -> Path:
    """Write an Ishigami experiment spec and return its path."""
    params = "\n".join(f'[[parameters]]\npath = "x{i}"\nbounds = [{-PI!r}, {PI!r}]\n' for i in (1, 2, 3))
    text = (f'name = "ishigami"\nmodel = "scoresim.testfunctions:ishigami"\nseed = 11\n'
            f'replicates = {replicates}\nseeds = "{seeds}"\noutputs = ["y", "y_noisy"]\n{extra}\n'
            f'[constants]\n{constants}\n\n[method]\nname = "{method}"\nsamples = {samples}\n\n{params}')
    path = directory / name
    path.write_text(text)
    return path


def score_spec(directory: Path, body: str = "", samples: int = 4, replicates: int = 2,
               method: str = "latin", outputs: str = '["effect.accidents", "share_improving.defects", '
                                                     '"cost_per_firm_usd"]') -> Path:
    """Write a small SCORE-model experiment spec (and its base config) and return its path."""
    (directory / "base.toml").write_text(SMALL_BASE)
    params = body or ('[[parameters]]\npath = "workforce.osh_hazard"\nbounds = [0.5, 2.5]\n\n'
                      '[[parameters]]\npath = "adoption.visit_rate"\nbounds = [0.1, 0.4]\n')
    text = (f'name = "score_small"\nbase = "base.toml"\nseed = 5\nreplicates = {replicates}\n'
            f'outputs = {outputs}\n\n[method]\nname = "{method}"\nsamples = {samples}\n\n{params}')
    path = directory / "score.toml"
    path.write_text(text)
    return path


def sweep(spec: Path, out: Path, executor=None) -> xr.Dataset:
    store = create_sweep(load_experiment(spec), out)
    with executor or SerialExecutor() as ex:
        return run_sweep(store, ex).results


def same_runs(a: xr.Dataset, b: xr.Dataset) -> None:
    """Two sweeps recorded identical runs (run times and creation times aside)."""
    xr.testing.assert_equal(a.drop_vars("seconds"), b.drop_vars("seconds"))
    assert a.attrs["experiment"] == b.attrs["experiment"]


# --------------------------------------------------------------------------- specs

SPEC_ERRORS = {
    "unknown_top_key": (None, "replace", ("[method]", "[methd]"), ["unknown field 'methd'", "did you mean 'method'"]),
    "unknown_parameter": (None, "replace", ('"adoption.visit_rate"', '"adoption.visit_rat"'),
                          ["parameters[1].path", "unknown parameter 'adoption.visit_rat'",
                           "did you mean 'adoption.visit_rate'"]),
    "non_numeric": (None, "replace", ('"adoption.visit_rate"', '"programme.targeting"'),
                    ["parameters[1].path", "not numeric"]),
    "bounds_outside_range": (None, "replace", ("[0.1, 0.4]", "[0.1, 1.4]"),
                             ["parameters[1].bounds", "valid range of adoption.visit_rate: [0, 1]"]),
    "bounds_reversed": (None, "replace", ("[0.1, 0.4]", "[0.4, 0.1]"), ["parameters[1]", "low < high"]),
    "unknown_output": (None, "replace", ('"cost_per_firm_usd"', '"cost_per_frm_usd"'),
                       ["outputs[2]", "did you mean 'cost_per_firm_usd'"]),
    "sobol_not_power_of_two": (None, "replace", ('name = "latin"\nsamples = 4', 'name = "sobol"\nsamples = 6'),
                               ["section 'method'", "power of 2", "4 or 8"]),
    "unknown_method": (None, "replace", ('name = "latin"', 'name = "anova"'),
                       ["field 'method.name'", "sobol", "morris"]),
    "groups_with_latin": (None, "replace", ("bounds = [0.1, 0.4]", 'bounds = [0.1, 0.4]\ngroup = "a"'),
                          ["groups work with sobol and morris only"]),
    "triang_without_peak": (None, "replace", ("bounds = [0.1, 0.4]", 'bounds = [0.1, 0.4]\ndist = "triang"'),
                            ["needs 'peak'"]),
    "repeated_parameter": (None, "replace", ('"adoption.visit_rate"', '"workforce.osh_hazard"'),
                           ["parameters repeat"]),
    "missing_base": (None, "replace", ('base = "base.toml"', 'base = "nowhere.toml"'),
                     ["field 'base'", "no such config file 'nowhere.toml'"]),
    "bad_constant": (None, "replace", ("seed = 5", 'seed = 5\nconstants = {"programme.partcipants" = 3}'),
                     ["constants", "unknown field 'programme.partcipants'", "did you mean 'participants'"]),
    "malformed_toml": (None, "replace", ("[method]", "[method"), ["not valid TOML"]),
    "triang_peak_at_high": (None, "replace", ("bounds = [0.1, 0.4]", 'bounds = [0.1, 0.4]\ndist = "triang"\npeak = 0.4'),
                            ["peak", "[low, high)"]),
    "vary_run_seed": (None, "replace", ('"adoption.visit_rate"\nbounds = [0.1, 0.4]', '"run.seed"\nbounds = [1, 9]'),
                      ["parameters[1].path", "cannot vary", "seed"]),
    "values_without_factorial": (None, "replace", ("bounds = [0.1, 0.4]", "bounds = [0.1, 0.4]\nvalues = [0.1, 0.2]"),
                                 ["'values' lists the levels of a factorial design"]),
    "constant_also_varied": (None, "replace", ("seed = 5", 'seed = 5\nconstants = {"adoption.visit_rate" = 0.2}'),
                             ["constants also listed as varied parameters"]),
}


@pytest.mark.parametrize("case", sorted(SPEC_ERRORS))
def test_bad_spec(case, capsys, work):
    _, _, (old, new), expected = SPEC_ERRORS[case]
    path = score_spec(work)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    err = assert_input_error(["sweep", str(path)], capsys, work, str(path), *expected)
    assert err.count("\n") <= 3


def test_bad_custom_model(capsys, work):
    path = ishigami_spec(work)
    path.write_text(path.read_text().replace("scoresim.testfunctions:ishigami", "scoresim.testfunctions:nope"))
    assert_input_error(["sweep", str(path)], capsys, work, "field 'model'", "cannot import")


@pytest.mark.parametrize("argv, expected", [
    (["sweep"], "give an experiment SPEC or --resume"),
    (["sweep", "x.toml", "--resume", "somewhere"], "--resume RESULTS_DIR takes no SPEC"),
    (["sweep", "--resume", "nowhere"], "nowhere: no such directory; expected a sweep results"),
    (["sweep", "x.toml", "--workers", "0"], "--workers: must be a whole number in [1, 4096]"),
    (["sweep", "x.toml", "--serial", "--dask-local", "2"], "not allowed with argument"),
    (["analyze", "nowhere"], "no such results directory"),
])
def test_bad_sweep_arguments(argv, expected, capsys, work):
    assert_input_error(argv, capsys, work, expected)


def test_unreachable_scheduler(capsys, work, monkeypatch):
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    path = ishigami_spec(work)
    assert_input_error(["sweep", str(path), "--scheduler", "tcp://127.0.0.1:9"], capsys, work,
                       "--scheduler tcp://127.0.0.1:9", "cannot connect")


def test_shipped_specs_are_valid(capsys):
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        code, out, err = call(["sweep", str(path), "--dry-run"], capsys)
        assert code == 0, err
        assert "runs" in out


def test_design_sizes(tmp_path):
    for method, samples, points in [("sobol", 32, 32 * 8), ("morris", 5, 5 * 4), ("fast", 65, 65 * 3),
                                    ("latin", 20, 20)]:
        exp = load_experiment(ishigami_spec(tmp_path, method, samples))
        assert n_points(exp.spec) == points
        store = create_sweep(exp, tmp_path / method)
        assert store.X.shape == (points, 3) and store.seeds.shape == (points, 2)
        assert (np.abs(store.X) <= PI).all()


# --------------------------------------------------------------------------- seeds

def test_seeds_derive_from_experiment_seed_and_index(tmp_path):
    common = load_experiment(ishigami_spec(tmp_path, replicates=3)).spec
    s = run_seeds(common, 5)
    assert (s == s[0]).all() and len(set(s[0])) == 3          # replicate r: same seed at every point
    indep = load_experiment(ishigami_spec(tmp_path, replicates=3, seeds="independent", name="i.toml")).spec
    t = run_seeds(indep, 5)
    assert len(set(t.ravel())) == 15
    np.testing.assert_array_equal(t, run_seeds(indep, 5))
    assert (s >= 0).all() and (t >= 0).all()


def test_same_spec_same_results(tmp_path):
    spec = ishigami_spec(tmp_path)
    same_runs(sweep(spec, tmp_path / "a"), sweep(spec, tmp_path / "b"))


# --------------------------------------------------------------------------- executors

@pytest.mark.slow
def test_executors_give_identical_results(tmp_path):
    """Serial, two local processes and a two-worker Dask LocalCluster record the same runs, for
    the SCORE model and for Ishigami."""
    for spec in (score_spec(tmp_path), ishigami_spec(tmp_path, samples=64)):
        name = spec.stem
        serial = sweep(spec, tmp_path / f"{name}-serial")
        assert bool(serial["ok"].all())
        same_runs(serial, sweep(spec, tmp_path / f"{name}-proc", ProcessExecutor(2)))
        same_runs(serial, sweep(spec, tmp_path / f"{name}-dask", DaskExecutor(local_workers=2)))


def test_score_model_sweep_outputs(tmp_path):
    res = sweep(score_spec(tmp_path), tmp_path / "s")
    assert res.sizes == {"point": 4, "replicate": 2, "parameter": 2, "output": 3}
    y = res["Y"]
    assert np.isfinite(y).all()
    assert ((y.sel(output="share_improving.defects") >= 0) & (y.sel(output="share_improving.defects") <= 1)).all()
    assert (y.sel(output="cost_per_firm_usd") > 0).all()
    # common seeds: the two replicates differ, the points share their replicate's seed
    assert len(np.unique(res["seed"].values)) == 2


# --------------------------------------------------------------------------- failures

def test_failed_runs_are_recorded_and_the_rest_go_on(tmp_path):
    spec = ishigami_spec(tmp_path, method="latin", samples=40, constants="fail_above = 2.0")
    res = sweep(spec, tmp_path / "f")
    x1 = res["X"].sel(parameter="x1").values
    failed = ~res["ok"].values
    np.testing.assert_array_equal(failed.any(axis=1), x1 > 2.0)
    assert failed.any() and not failed.all()
    assert np.isnan(res["Y"].values[failed]).all() and np.isfinite(res["Y"].values[~failed]).all()
    assert all("failing region" in e for e in res["error"].values[failed])
    lines = [json.loads(x) for x in (tmp_path / "f" / "runs.jsonl").read_text().splitlines()]
    bad = [r for r in lines if not r["ok"]]
    assert len(bad) == failed.sum() and all(r["params"]["x1"] > 2.0 for r in bad)
    manifest = json.loads((tmp_path / "f" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["runs_failed"] == failed.sum()


def test_score_model_invalid_combination_fails_one_run(tmp_path, capsys):
    """A sampled value that breaks a rule across parameters (firm + sponsor share > 1) fails that
    run with the validation message; the others run."""
    body = ('[[parameters]]\npath = "programme.firm_share"\nbounds = [0.1, 0.9]\n\n'
            '[[parameters]]\npath = "programme.sponsor_share"\nbounds = [0.0, 0.5]\n')
    spec = score_spec(tmp_path, body=body, samples=12, replicates=1, outputs='["cost_per_firm_usd"]')
    code, out, err = call(["sweep", str(spec), "--serial", "--out", str(tmp_path / "r")], capsys)
    assert code == 0, err
    res = load_results(tmp_path / "r")
    x = res["X"].values
    np.testing.assert_array_equal(~res["ok"].values[:, 0], x.sum(axis=1) > 1)
    assert (~res["ok"]).any() and res["ok"].any()
    assert "firm_share + sponsor_share must not exceed 1" in out


def test_missing_output_is_a_failed_run(tmp_path):
    spec = ishigami_spec(tmp_path, method="latin", samples=10)
    spec.write_text(spec.read_text().replace('outputs = ["y", "y_noisy"]', 'outputs = ["y", "z"]'))
    res = sweep(spec, tmp_path / "m")
    assert not res["ok"].any()
    assert all(e == "the model returned no output 'z'" for e in res["error"].values.ravel())


# --------------------------------------------------------------------------- store

def test_interrupted_store_resumes_to_the_same_results(tmp_path):
    spec = ishigami_spec(tmp_path, samples=16)
    full = sweep(spec, tmp_path / "full")
    store = create_sweep(load_experiment(spec), tmp_path / "part")
    lines = (tmp_path / "full" / "runs.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "part" / "runs.jsonl").write_text("".join(lines[:37]) + lines[37][:15])  # torn last line
    assert store.done(repair=False).sum() == 37
    with pytest.raises(InputError, match="not recorded yet"):
        store.results_dataset()
    with SerialExecutor() as ex:
        outcome = run_sweep(SweepStore(tmp_path / "part"), ex)
    assert outcome.already == 37 and outcome.ran == store.n_runs - 37
    same_runs(full, outcome.results)
    assert all(line.endswith("\n") for line in (tmp_path / "part" / "runs.jsonl").read_text().splitlines(True))


def test_corrupt_journal_is_refused(tmp_path):
    spec = ishigami_spec(tmp_path, samples=4)
    sweep(spec, tmp_path / "s")
    journal = tmp_path / "s" / "runs.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    journal.write_text(lines[0] + "garbage\n" + "".join(lines[1:]))
    with pytest.raises(InputError, match="line 2 is not a run record"):
        SweepStore(tmp_path / "s").done()


def test_one_writer_at_a_time(tmp_path):
    store = create_sweep(load_experiment(ishigami_spec(tmp_path, samples=4)), tmp_path / "s")
    with store.lock():
        with pytest.raises(InputError, match="another scoresim process is writing"):
            with SweepStore(tmp_path / "s").lock():
                pass


def test_existing_results_are_never_overwritten(capsys, work):
    spec = ishigami_spec(work, samples=4)
    code, _, err = call(["sweep", str(spec), "--serial", "--out", "r"], capsys)
    assert code == 0, err
    before = (work / "r" / "results.nc").read_bytes()
    assert_input_error(["sweep", str(spec), "--serial", "--out", "r"], capsys, work, "already exists")
    code, out, _ = call(["sweep", "--resume", "r"], capsys)
    assert code == 0 and "nothing to do" in out
    assert (work / "r" / "results.nc").read_bytes() == before


def test_analyze_refuses_an_incomplete_sweep(capsys, work):
    store = create_sweep(load_experiment(ishigami_spec(work, samples=4)), work / "p")
    assert_input_error(["analyze", str(store.path)], capsys, work, "not complete", "--resume")


@pytest.mark.slow
def test_sigkill_mid_sweep_then_resume(tmp_path):
    """A sweep killed with SIGKILL loses at most the runs in flight; --resume runs only the
    missing ones, and the results equal an uninterrupted sweep's."""
    spec = ishigami_spec(tmp_path, samples=32, constants="noise = 0.3\ndelay_seconds = 0.01")
    out = tmp_path / "killed"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "scoresim.cli", "sweep", str(spec), "--workers", "2",
                             "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    journal = out / "runs.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (journal.exists() and journal.stat().st_size > 4000):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)   # the orphaned worker processes
    except ProcessLookupError:
        pass
    store = SweepStore(out)
    recorded = int(store.done(repair=True).sum())
    assert 0 < recorded < store.n_runs, "the kill must land mid-sweep"
    assert not (out / "results.nc").exists()
    with SerialExecutor() as ex:
        outcome = run_sweep(store, ex)
    assert outcome.already == recorded and outcome.ran == store.n_runs - recorded
    same_runs(sweep(spec, tmp_path / "whole"), outcome.results)


# --------------------------------------------------------------------------- analysis through the engine

def test_ishigami_known_answer_through_engine_and_analysis(tmp_path):
    """Ishigami through the same engine and analysis as the SCORE model: the 95% intervals of
    S1, ST and S2 cover the analytic values."""
    from scoresim.experiments.analysis import analyze
    from scoresim.testfunctions import ishigami_indices

    res = sweep(ishigami_spec(tmp_path, samples=1024, replicates=1), tmp_path / "ish")
    ix = analyze(res).sel(output="y")
    truth = ishigami_indices()
    for name in ("S1", "ST"):
        est, conf = ix[name].values, ix[f"{name}_conf"].values
        assert (np.abs(est - truth[name]) <= conf).all(), (name, est, conf, truth[name])
    for i, j in [(0, 1), (0, 2), (1, 2)]:
        est, conf = float(ix["S2"].values[i, j]), float(ix["S2_conf"].values[i, j])
        assert abs(est - truth["S2"][i, j]) <= conf, (i, j, est, conf)


def test_sweep_and_analyze_commands(capsys, work):
    spec = ishigami_spec(work, method="morris", samples=40, replicates=2)
    code, out, err = call(["sweep", str(spec), "--serial"], capsys)
    assert code == 0, err
    [results] = list((work / "results").iterdir())
    assert results.name.startswith("ish-")
    assert {"spec.toml", "experiment.json", "samples.nc", "manifest.json", "runs.jsonl",
            "results.nc"} <= {p.name for p in results.iterdir()}
    assert (results / "spec.toml").read_text() == spec.read_text()
    code, out, err = call(["analyze", str(results)], capsys)
    assert code == 0, err
    assert "ranked by mu_star" in out and "seed noise" in out
    table = (results / "analysis" / "table.txt").read_text()
    assert max(len(line) for line in table.splitlines()) <= 100 and "rank" in table
    analysis = results / "analysis"
    names = {p.name for p in analysis.iterdir()}
    assert {"indices.nc", "indices.csv", "table.txt"} <= names and any(n.endswith(".png") for n in names)
    ix = xr.open_dataset(analysis / "indices.nc", engine="h5netcdf")
    ranking = ix["mu_star"].sel(output="y").to_series().sort_values()
    assert ranking.index[0] == "x3"            # x3 acts only through its interaction with x1
    assert ix.attrs["sweep_git_commit"] and ix.attrs["analysis_command"].startswith("scoresim analyze")
    ix.close()
    code, out, _ = call(["analyze", str(results)], capsys)   # a second analysis never overwrites
    assert code == 0 and (results / "analysis-2" / "indices.nc").exists()


def test_analysis_excludes_failed_runs_with_a_warning(capsys, work):
    spec = ishigami_spec(work, method="latin", samples=200, constants="fail_above = 2.5")
    assert call(["sweep", str(spec), "--serial", "--out", "r"], capsys)[0] == 0
    code, out, err = call(["analyze", "r"], capsys)
    assert code == 0
    assert "warning:" in err and "excluded" in err
    ix = xr.open_dataset(work / "r" / "analysis" / "indices.nc", engine="h5netcdf")
    failed = int((~load_results(work / "r")["ok"]).any("replicate").sum())
    assert 0 < failed and int(ix["n_points_excluded"].sel(output="y")) == failed
    ix.close()


@pytest.mark.parametrize("method, samples, fail_above, expected", [
    ("fast", 65, 3.0, "fast"),             # any lost point breaks FAST's search curves
    ("sobol", 16, -2.5, "sobol"),          # most Saltelli blocks broken
])
def test_analysis_refuses_when_too_many_runs_failed(method, samples, fail_above, expected, capsys, work):
    spec = ishigami_spec(work, method=method, samples=samples, constants=f"fail_above = {fail_above}")
    assert call(["sweep", str(spec), "--serial", "--out", "r"], capsys)[0] == 0
    assert (~load_results(work / "r")["ok"]).any()
    before = sorted(p.name for p in (work / "r").iterdir())
    code, out, err = call(["analyze", "r"], capsys)
    assert code == 2 and "Traceback" not in err
    assert expected in err and "r" in err
    assert sorted(p.name for p in (work / "r").iterdir()) == before


def test_executors_keep_few_batches_in_flight():
    """However many runs a sweep has, only a bounded number of batches is submitted at once
    (memory stays flat), and every batch's results come back."""
    from concurrent.futures import Future

    from scoresim.experiments.executors import _bounded

    pending, peak = set(), 0

    def submit(batch):
        nonlocal peak
        fut = Future()
        pending.add(fut)
        peak = max(peak, sum(not f.done() for f in pending))
        fut.set_result([batch])      # completes at once; _bounded still caps what it holds
        return fut

    produced = 0

    def batches():
        nonlocal produced
        for i in range(1000):
            produced += 1
            assert produced - len(seen) <= 4 + 1, "batches drawn far ahead of results"
            yield [(i, {}, 0)]

    seen = []
    for res in _bounded(submit, batches(), limit=4):
        seen.extend(res)
    assert len(seen) == 1000


def test_batch_sizes_adapt_to_run_time():
    from scoresim.experiments.engine import BatchSizer
    from scoresim.experiments.store import RunResult

    sizer = BatchSizer(workers=2)
    assert sizer.size(1000) == 1                        # nothing seen yet: one run
    sizer.observe([RunResult(0, True, (1.0,), "", 0.25)])
    assert sizer.size(1000) == 4                        # about a second of work a batch
    fast = BatchSizer(workers=2)
    fast.observe([RunResult(0, True, (1.0,), "", 1e-5)])
    assert fast.size(10_000_000) == 1000 and fast.size(80) == 10   # capped; every worker kept busy


@pytest.mark.slow
def test_imap_keeps_order_on_every_executor():
    items = list(range(-7, 9))
    for ex in (SerialExecutor(), ProcessExecutor(2), DaskExecutor(local_workers=2)):
        with ex:
            assert list(ex.imap(abs, items)) == [abs(i) for i in items], ex.name


def test_constants_as_nested_tables_set_one_field(tmp_path):
    """`programme.participants = 10` unquoted is a nested TOML table: it sets that field only."""
    spec = score_spec(tmp_path)
    text = spec.read_text().replace("\n[method]", "\n[constants]\nprogramme.participants = 10\n\n[method]", 1)
    spec.write_text(text)
    exp = load_experiment(spec)
    assert exp.spec.constants == {"programme.participants": 10}
    assert exp.base.programme.participants == 10
    assert exp.base.programme.enrol_start == "2008-07"      # the rest of the section kept from base.toml


def test_retry_failed_runs_them_again(capsys, work):
    spec = ishigami_spec(work, method="latin", samples=30, constants="fail_above = 2.0")
    assert call(["sweep", str(spec), "--serial", "--out", "r"], capsys)[0] == 0
    first = load_results(work / "r")
    failed = int((~first["ok"]).sum())
    assert failed > 0
    code, out, _ = call(["sweep", "--resume", "r"], capsys)
    assert code == 0 and "nothing to do" in out
    code, out, err = call(["sweep", "--resume", "r", "--retry-failed", "--serial"], capsys)
    assert code == 0, err
    assert f"{failed:,} runs in" in out
    same_runs(first, load_results(work / "r"))   # deterministic model: the same failures again
    assert_input_error(["sweep", str(spec), "--retry-failed"], capsys, work, "--retry-failed goes with --resume")


def test_resume_of_a_damaged_sweep_directory(capsys, work):
    store = create_sweep(load_experiment(ishigami_spec(work, samples=4)), work / "s")
    (store.path / "samples.nc").write_bytes(b"not netcdf")
    assert_input_error(["sweep", "--resume", "s"], capsys, work, "samples.nc", "not a readable netCDF")
