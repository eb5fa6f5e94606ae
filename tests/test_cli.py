"""End-to-end tests of the ``scoresim`` command through ``scoresim.cli.main``.

Project rule for bad input: a message on stderr naming the file, the field and what is
allowed; exit status 2; no traceback; nothing written.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import xarray as xr

import scoresim
from scoresim.cli import main
from scoresim.params import describe_parameters
from scoresim.reporting import INDICATORS

from conftest import assert_input_error, call, partial_files, tree  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
PHASE1 = ROOT / "configs" / "phase1.toml"
SMALL = ["--set", "population.n_firms=30", "--set", "programme.participants=20",
         "--set", "time.months=36", "--set", "programme.enrol_start=2008-06",
         "--set", "programme.enrol_end=2009-06"]
TINY = ["--replicates", "1", "--no-figures", "--set", "population.n_firms=12",
        "--set", "programme.participants=6", "--set", "time.months=30",
        "--set", "programme.enrol_start=2008-07", "--set", "programme.enrol_end=2008-08"]


def write_config(directory: Path, text: str, name: str = "scenario.toml") -> Path:
    """Write a scenario config ``text`` to ``directory/name`` and return its path."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- bad configs

CONFIG_ERRORS = {
    "malformed_toml": ('name = "x"\n[programme\nparticipants = 3\n', ["not valid TOML", "line 2"]),
    "unknown_key": ("[programme]\npartcipants = 3\n",
                    ["unknown field 'programme.partcipants'", "did you mean 'participants'?"]),
    "unknown_section": ("[programme.foo]\nbar = 1\n", ["unknown field 'programme.foo'"]),
    "wrong_type": ('[programme]\nfirm_share = "half"\n',
                   ["field 'programme.firm_share'", "(got 'half')", "[0, 1]"]),
    "out_of_range": ("[programme]\nfirm_share = 1.5\n",
                     ["field 'programme.firm_share'", "(got 1.5)", "allowed: number in [0, 1]"]),
    "cross_field": ("[programme]\nfirm_share = 0.7\nsponsor_share = 0.7\n",
                    ["firm_share + sponsor_share must not exceed 1"]),
    "bad_month": ('[time]\nstart = "2008/01"\n', ["field 'time.start'", "'YYYY-MM'"]),
    "unknown_sector": ('[programme]\neligible_sectors = ["toys"]\n',
                       ["programme.eligible_sectors", "'toys'", "garments"]),
}


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", sorted(CONFIG_ERRORS))
def test_bad_config(case, command, capsys, work):
    text, expected = CONFIG_ERRORS[case]
    path = write_config(work, text, name=f"{case}.toml")
    err = assert_input_error([command, str(path)], capsys, work, str(path), *expected)
    assert err.startswith("scoresim: error: ")


@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_config_file(command, capsys, work):
    assert_input_error([command, "nope.toml"], capsys, work, "nope.toml", "no such config file")


# --------------------------------------------------------------------------- bad --set

@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("item, expected", [
    ("programme.partcipants=3", ["--set programme.partcipants", "did you mean 'participants'?"]),
    ("programm.participants=3", ["--set programm.participants", "did you mean 'programme'?"]),
    ("programme.participants=abc", ["--set programme.participants", "(got 'abc')", "[0, 5000000]"]),
    ("programme.firm_share=2", ["--set programme.firm_share", "[0, 1]"]),
    ("programme.participants", ["--set 'programme.participants'", "expected path=value"]),
    ("programme.participants.x=1", ["--set programme.participants.x", "not a section"]),
])
def test_bad_set(command, item, expected, capsys, work):
    assert_input_error([command, str(PHASE1), "--set", item], capsys, work, *expected)


# --------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("argv, expected", [
    (["run", str(PHASE1), "--replicates", "0"], ["--replicates", "[1, 100000]", "'0'"]),
    (["run", str(PHASE1), "--replicates", "two"], ["--replicates", "whole number", "'two'"]),
    (["run", str(PHASE1), "--seed", "-1"], ["--seed", ">= 0", "'-1'"]),
    (["run", str(PHASE1), "--seed", str(2**64)], ["--seed", f"[0, {2**63 - 1}]"]),
    (["frobnicate"], ["invalid choice: 'frobnicate'", "run", "validate", "params"]),
    ([], ["required"]),
    (["run", str(PHASE1), "--bogus"], ["unrecognized arguments: --bogus"]),
    (["validate"], ["config"]),
])
def test_bad_arguments(argv, expected, capsys, work):
    err = assert_input_error(argv, capsys, work, *expected)
    assert "usage:" in err


def test_run_without_config_or_from(capsys, work):
    assert_input_error(["run"], capsys, work, "CONFIG", "--from")


def test_run_with_config_and_from(capsys, work):
    assert_input_error(["run", str(PHASE1), "--from", "x.nc"], capsys, work, "not both")


def test_from_missing_file(capsys, work):
    assert_input_error(["run", "--from", "missing.nc"], capsys, work, "missing.nc", "no such result file")


@pytest.mark.parametrize("content", [b"", b"this is not netCDF\n", b"\x89HDF\r\n\x1a\n garbage"])
def test_from_not_netcdf(content, capsys, work):
    path = work / "fake.nc"
    path.write_bytes(content)
    assert_input_error(["run", "--from", str(path)], capsys, work, str(path), "not a readable netCDF file")


def test_from_a_config_file(capsys, work):
    assert_input_error(["run", "--from", str(PHASE1)], capsys, work, str(PHASE1), "not a readable netCDF")


def test_from_netcdf_without_scoresim_attributes(capsys, work):
    path = work / "other.nc"
    xr.Dataset({"a": ("x", [1.0, 2.0])}, attrs={"title": "not ours"}).to_netcdf(path, engine="h5netcdf")
    assert_input_error(["run", "--from", str(path)], capsys, work, str(path), "not a scoresim result",
                       "config", "seed", "replicates")


def _fake_result(path: Path, **attrs) -> Path:
    from scoresim.params import Scenario
    base = {"config": Scenario().model_dump_json(), "seed": 1, "replicates": 1}
    base.update(attrs)
    xr.Dataset({"a": ("x", [1.0, 2.0])}, attrs=base).to_netcdf(path, engine="h5netcdf")
    return path


@pytest.mark.parametrize("attrs, expected", [
    ({"seed": "abc"}, ["attribute 'seed'", "whole number", "'abc'"]),
    ({"seed": -1}, ["attribute 'seed'", "[0, "]),
    ({"seed": 1.5}, ["attribute 'seed'", "1.5"]),
    ({"replicates": 0}, ["attribute 'replicates'", "[1, "]),
    ({"config": "{not json"}, ["attribute 'config'", "not valid JSON"]),
    ({"config": '{"programme": {"firm_share": 3}}'}, ["attribute 'config'", "programme.firm_share", "[0, 1]"]),
    ({"config": '{"programme": {"partcipants": 3}}'}, ["attribute 'config'", "did you mean 'participants'?"]),
])
def test_from_netcdf_with_bad_scoresim_attributes(attrs, expected, capsys, work):
    path = _fake_result(work / "bad.nc", **attrs)
    assert_input_error(["run", "--from", str(path), "--out", "OUT"], capsys, work, str(path), *expected)


def test_out_existing_directory_is_unchanged(capsys, work):
    out = work / "OUT"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    mtime = out.stat().st_mtime_ns
    assert_input_error(["run", str(PHASE1), *TINY, "--out", str(out)], capsys, work,
                       str(out), "already exists", "--out")
    assert (out / "keep.txt").read_text() == "precious"
    assert sorted(os.listdir(out)) == ["keep.txt"]
    assert out.stat().st_mtime_ns == mtime


def test_out_existing_file_is_unchanged(capsys, work):
    out = work / "OUT"
    out.write_text("precious")
    assert_input_error(["run", str(PHASE1), *TINY, "--out", str(out)], capsys, work, str(out), "already exists")


def test_out_below_a_file(capsys, work):
    (work / "afile").write_text("x")
    assert_input_error(["run", str(PHASE1), *TINY, "--out", "afile/run"], capsys, work,
                       "afile/run", "afile is not a directory")


# --------------------------------------------------------------------------- positive: validate, params

def test_validate_shipped_config(capsys, work):
    code, out, err = call(["validate", str(PHASE1)], capsys)
    assert code == 0
    resolved = json.loads(out)
    assert resolved["name"] == "phase1"
    assert resolved["programme"]["participants"] == 308
    assert f"{PHASE1}: valid" in err
    assert tree(work) == {}


def test_validate_with_set(capsys, work):
    code, out, _ = call(["validate", str(PHASE1), "--set", "programme.participants=17",
                         "--set", "programme.targeting=sponsored_first"], capsys)
    assert code == 0
    resolved = json.loads(out)
    assert resolved["programme"]["participants"] == 17
    assert resolved["programme"]["targeting"] == "sponsored_first"


def test_params_lists_every_parameter(capsys, work):
    code, out, err = call(["params"], capsys)
    assert code == 0 and err == ""
    rows = describe_parameters()
    starts = [line.split("  ")[0] for line in out.splitlines() if line and not line.startswith(" ")]
    assert starts[0] == "parameter (--set path)" and starts[2:len(rows) + 2] == [r["path"] for r in rows]
    flat = " ".join(out.split())                      # cells and details may wrap onto several lines
    for row in rows:
        for key in ("unit", "range", "default"):
            assert " ".join(str(row[key]).split()) in flat, (row["path"], key)
    assert max(len(line) for line in out.splitlines()) <= 100
    paths = [r["path"] for r in rows]
    for expected in ("programme.participants", "programme.firm_share", "time.months",
                     "population.countries.Ghana.wage_usd_month", "population.sectors.food.defect_rate"):
        assert expected in paths
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("programme.firm_share "))
    assert "share of cost" in lines[at] and "allowed: [0, 1]" in lines[at + 1]


def test_params_markdown(capsys, work):
    code, out, _ = call(["params", "--markdown"], capsys)
    assert code == 0
    lines = out.splitlines()
    rows = describe_parameters()
    assert lines[0].startswith("| parameter | unit | default | range |")
    assert len(lines) == len(rows) + 2
    for row, line in zip(rows, lines[2:]):
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip("|"))]
        assert len(cells) == 6, line  # a '|' inside a cell must be escaped
        assert cells == [f"`{row['path']}`", row["unit"], row["default"], row["range"], row["source"],
                         row["doc"]]


def test_version(capsys, work):
    code, out, _ = call(["--version"], capsys)
    assert code == 0 and scoresim.__version__ in out


# --------------------------------------------------------------------------- positive: a small run

@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One small two-replicate run (the default results/ would land in the temporary directory)."""
    base = tmp_path_factory.mktemp("run")
    out = base / "OUT"
    argv = ["run", str(PHASE1), "--replicates", "2", *SMALL, "--out", str(out)]
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(base)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(argv)
    return SimpleNamespace(base=base, out=out, code=code, stdout=stdout.getvalue(),
                           stderr=stderr.getvalue(), argv=argv)


def test_run_succeeds_and_prints_summary(small_run):
    assert small_run.code == 0, small_run.stderr
    assert "Traceback" not in small_run.stderr
    out = small_run.stdout
    assert "scenario phase1: 30 firms, 20 participants, 2 replicate(s), seed 20090101" in out
    # the intervals say what they cover: parameters, populations and the months' events
    words = " ".join(out.split())
    assert "parameters (a draw of the calibrated parameters' posterior" in words and "populations (each" in words
    assert "indicator" in out and "reported" in out and "evaluator (DiD)" in out and "causal effect" in out
    assert max(len(line) for line in out.splitlines() if not line.startswith("wrote ")) <= 100
    for name, ind in INDICATORS.items():
        assert any(line.startswith(name) and "[" in line for line in out.splitlines()), name  # its estimands
        assert f"{name}: {ind.phase1}" in out                       # the Phase I scenario shows its figures
    assert f"wrote {small_run.out}/dataset.nc" in out
    assert sorted(os.listdir(small_run.base)) == ["OUT"]  # no results/ directory, nothing else


def test_run_prints_and_writes_money_and_jobs(small_run):
    from scoresim.money import ROWS

    assert "money and jobs" in small_run.stdout and "up to USD 15,000" in small_run.stdout
    rows = json.loads((small_run.out / "money.json").read_text())
    assert [r["name"] for r in rows] == [r[0] for r in ROWS]
    by_name = {r["name"]: r for r in rows}
    assert by_name["jobs_created"]["median"] >= 0 and by_name["jobs_destroyed"]["median"] >= 0
    assert all(r["p5"] <= r["median"] <= r["p95"] for r in rows if r["median"] == r["median"])   # NaN: none


def test_run_dataset_structure(small_run):
    """dataset.nc holds what varies across replicates (estimands, summaries, trajectories),
    panel.nc the first replicate's firm panel."""
    with xr.open_dataset(small_run.out / "dataset.nc") as ds:
        assert ds.sizes["replicate"] == 2 and ds.sizes["time"] == 36
        assert set(ds["world"].values) == {"programme", "counterfactual"}
        for var in ("mean_reported_change", "did_estimate", "effect", "share_reporting_improvement"):
            assert ds[var].dims == ("replicate", "indicator")
        assert ds["summary_value"].dims == ("replicate", "summary") and "jobs_effect" in ds["summary"].values
        assert ds["trajectory_productivity"].dims == ("replicate", "world", "time", "group")
        assert len(set(ds["population_seed"].values)) == 2          # each replicate its own population
        assert ds["posterior_value"].dims == ("replicate", "calibrated_parameter")
        assert "populations" in ds.attrs["uncertainty"]
        for name, var in ds.data_vars.items():
            assert var.attrs.get("units") is not None, name
            assert var.attrs.get("long_name"), name
    with xr.open_dataset(small_run.out / "panel.nc") as ds:
        assert ds.sizes["replicate"] == 1 and ds.sizes["time"] == 36 and ds.sizes["firm"] == 30
        for coord in ("country", "sector", "participant"):
            assert coord in ds.coords and ds[coord].dims == ("firm",)
        assert int(ds["participant"].sum()) == 20
        assert set(ds["country"].values.tolist()) <= {
            "China", "Colombia", "Ghana", "India", "Indonesia", "South Africa", "Viet Nam"}
        assert str(ds["time"].values[0])[:7] == "2008-01"
        assert ds["output"].dims == ("replicate", "world", "time", "firm")
        assert len(ds.data_vars) > 20
        for name, var in ds.data_vars.items():
            assert var.attrs.get("units") is not None, name
            assert var.attrs.get("long_name"), name


def test_run_provenance(small_run):
    with xr.open_dataset(small_run.out / "dataset.nc") as ds:
        attrs = dict(ds.attrs)
    for key in ("config", "seed", "replicates", "scoresim_version", "git_commit", "versions", "created_utc"):
        assert key in attrs, key
    config = json.loads(attrs["config"])
    assert config["name"] == "phase1"
    assert config["population"]["n_firms"] == 30
    assert config["programme"]["participants"] == 20
    assert config["time"]["months"] == 36
    assert config["programme"]["enrol_start"] == "2008-06"
    assert int(attrs["seed"]) == 20090101
    assert int(attrs["replicates"]) == 2
    assert attrs["scoresim_version"] == scoresim.__version__
    assert attrs["git_commit"]
    versions = json.loads(attrs["versions"])
    assert {"python", "numpy", "xarray", "scoresim"} <= set(versions)
    assert datetime.fromisoformat(attrs["created_utc"]).utcoffset() is not None
    # the side files agree with the dataset
    assert json.loads((small_run.out / "config.json").read_text()) == config
    summary = json.loads((small_run.out / "summary.json").read_text())
    assert isinstance(summary, list) and summary


def test_run_figures(small_run):
    pngs = sorted(p.name for p in small_run.out.glob("*.png"))
    assert pngs == ["effects.png", "practices.png", "trajectories.png"]
    for name in pngs:
        data = (small_run.out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000


def test_second_run_to_same_out_is_refused(small_run, capsys, monkeypatch):
    monkeypatch.chdir(small_run.base)
    before = tree(small_run.base)
    dataset_bytes = (small_run.out / "dataset.nc").read_bytes()
    code, out, err = call(small_run.argv, capsys)
    assert code == 2
    assert "Traceback" not in err
    assert str(small_run.out) in err and "already exists" in err
    assert (small_run.out / "dataset.nc").read_bytes() == dataset_bytes
    assert tree(small_run.base) == before


def test_rerun_from_dataset_reproduces(small_run, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out2 = tmp_path / "OUT2"
    code, out, err = call(["run", "--from", str(small_run.out / "dataset.nc"), "--out", str(out2)], capsys)
    assert code == 0, err
    assert "seed 20090101" in out
    with xr.open_dataset(small_run.out / "dataset.nc") as first, xr.open_dataset(out2 / "dataset.nc") as again:
        xr.testing.assert_equal(first, again)
        for key in ("config", "seed", "replicates", "scoresim_version"):
            assert first.attrs[key] == again.attrs[key], key
    assert sorted(os.listdir(tmp_path)) == ["OUT2"]
    assert partial_files(tmp_path) == []
    assert partial_files(small_run.base) == []


def test_default_out_is_under_results(capsys, work):
    code, out, err = call(["run", str(PHASE1), *TINY], capsys)
    assert code == 0, err
    runs = os.listdir(work / "results")
    assert len(runs) == 1 and runs[0].startswith("phase1-")
    assert (work / "results" / runs[0] / "dataset.nc").is_file()
    assert not list((work / "results" / runs[0]).glob("*.png"))  # --no-figures
    assert partial_files(work) == []


def test_seed_and_replicates_options(capsys, work):
    code, out, err = call(["run", str(PHASE1), *TINY, "--seed", "7", "--replicates", "2", "--out", "R"], capsys)
    assert code == 0, err
    with xr.open_dataset(work / "R" / "dataset.nc") as ds:
        assert int(ds.attrs["seed"]) == 7 and int(ds.attrs["replicates"]) == 2
        assert ds.sizes["replicate"] == 2


def test_failed_write_leaves_nothing(capsys, work, monkeypatch):
    """An error while writing the run directory removes the partial directory."""
    import scoresim.plotting

    def broken(ds, directory):
        raise RuntimeError("disk full")

    monkeypatch.setattr(scoresim.plotting, "save_figures", broken)
    argv = ["run", str(PHASE1), *[a for a in TINY if a != "--no-figures"], "--out", "OUT"]
    with pytest.raises(RuntimeError, match="disk full"):
        main(argv)
    capsys.readouterr()
    assert not (work / "OUT").exists()
    assert partial_files(work) == []
    assert tree(work) == {}


def test_no_partial_files_after_everything(small_run):
    assert partial_files(small_run.base) == []


def test_default_run_directories_never_collide(tmp_path):
    from scoresim.outputs import fresh_directory

    base = tmp_path / "results" / "phase1-20260101-000000"
    assert fresh_directory(base) == base
    base.mkdir(parents=True)
    assert fresh_directory(base) == base.with_name(base.name + "-2")
    base.with_name(base.name + "-2").mkdir()
    assert fresh_directory(base) == base.with_name(base.name + "-3")


def test_a_missing_figure_is_explained_not_printed_as_nan(capsys, work):
    """A scenario without accidents: the accidents row has no figure, and the table says why."""
    (work / "noacc.toml").write_text('name = "no_accidents"\n[population]\nn_firms = 40\n'
                                     '[population.sectors.garments]\naccidents_per_100_year = 0.0\n'
                                     '[programme]\nparticipants = 20\n[run]\nreplicates = 2\n')
    code, out, err = call(["run", "noacc.toml", "--out", "r", "--no-figures"], capsys)
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.startswith("accidents"))
    assert "nan" not in out.lower() and "n/a" in row
    assert "no accidents in the before-window of any participant (accidents)" in " ".join(out.split())
