"""Sensitivity analysis of sweep results (scoresim.experiments.analysis and .figures).

Results Datasets are built here directly from the SALib samples of a spec (no engine): the
Ishigami function has analytic Sobol indices, and simple additive models have known
main-effect shares and seed noise.
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import xarray as xr

from scoresim.config import InputError
from scoresim.experiments import figures, sampling
from scoresim.experiments.analysis import analyze, noise_shares, ranked_table, to_csv
from scoresim.experiments.figures import save_figures
from scoresim.experiments.spec import Experiment, ExperimentSpec
from scoresim.testfunctions import ishigami, ishigami_indices

PI = math.pi
ISHIGAMI = "scoresim.testfunctions:ishigami"
Model = Callable[[np.ndarray, np.ndarray], np.ndarray]   # (X, seeds) -> Y (point, replicate, output)


def make_spec(method: str, names: tuple[str, ...] = ("x1", "x2", "x3"), bounds: tuple[float, float] = (-PI, PI),
              outputs: tuple[str, ...] = ("y",), replicates: int = 2, groups: list[str] | None = None,
              values: dict[str, list[float]] | None = None, **method_args) -> ExperimentSpec:
    """A spec of the Ishigami test function (or any model the test computes itself)."""
    params = []
    for i, name in enumerate(names):
        p = {"path": name, "bounds": list(bounds)}
        if groups:
            p["group"] = groups[i]
        if values and name in values:
            p["values"] = values[name]
        params.append(p)
    return ExperimentSpec(name=f"test-{method}", model=ISHIGAMI, outputs=list(outputs), replicates=replicates,
                          method={"name": method, **method_args}, parameters=params)


def make_results(spec: ExperimentSpec, model: Model) -> xr.Dataset:
    """A results Dataset as the sweep engine writes it (see the analysis contract)."""
    X = sampling.sample(spec)
    seeds = sampling.run_seeds(spec, len(X))
    Y = np.asarray(model(X, seeds), float)
    P, R = seeds.shape
    names = [p.path for p in spec.parameters]
    return xr.Dataset(
        {"X": (("point", "parameter"), X), "Y": (("point", "replicate", "output"), Y),
         "ok": (("point", "replicate"), np.isfinite(Y).all(axis=2)),
         "error": (("point", "replicate"), np.where(np.isfinite(Y).all(axis=2), "", "ValueError: boom")),
         "seed": (("point", "replicate"), seeds), "seconds": (("point", "replicate"), np.full((P, R), 0.01))},
        coords={"point": np.arange(P), "replicate": np.arange(R), "parameter": names,
                "output": list(spec.outputs), "group": ("parameter", [p.group or "" for p in spec.parameters])},
        attrs={"title": f"scoresim sweep: {spec.name}", "experiment": Experiment(spec, "test.toml", None).to_json(),
               "problem": json.dumps(sampling.problem(spec)), "method": spec.method.name,
               "sample_seed": sampling.sample_seed(spec), "git_commit": "0123abc", "versions": "{}",
               "created_utc": "2026-01-01T00:00:00+00:00", "command": "scoresim sweep test.toml"},
    )


def ishigami_model(noise: float = 0.0, outputs: tuple[str, ...] = ("y",)) -> Model:
    """scoresim.testfunctions.ishigami at every point (y), plus Gaussian seed noise of sd
    ``noise`` drawn from each run's seed (y_noisy); other outputs: copies of y."""
    def model(X: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        y = np.array([ishigami(dict(zip(("x1", "x2", "x3"), x)), 0)["y"] for x in X])
        Y = np.repeat(y[:, None, None], seeds.shape[1], axis=1).repeat(len(outputs), axis=2)
        if noise and "y_noisy" in outputs:
            draw = {int(s): np.random.default_rng(int(s)).normal() for s in np.unique(seeds)}
            eps = np.vectorize(lambda s: draw[int(s)])(seeds)
            Y[..., outputs.index("y_noisy")] += noise * eps
        return Y
    return model


def linear_model(coef: tuple[float, ...], noise: float = 0.0, outputs: int = 1) -> Model:
    """y = sum_i coef_i x_i + N(0, noise^2), noise drawn from a fixed generator."""
    def model(X: np.ndarray, seeds: np.ndarray) -> np.ndarray:
        eps = np.random.default_rng(7).normal(0.0, noise, seeds.shape) if noise else 0.0
        y = (X @ np.asarray(coef, float))[:, None] + eps
        return np.repeat(np.broadcast_to(y, seeds.shape)[:, :, None], outputs, axis=2)
    return model


def fail(results: xr.Dataset, points: np.ndarray, replicates: slice = slice(None)) -> xr.Dataset:
    """Mark the runs of ``points`` (all replicates unless given) as failed."""
    ds = results.copy(deep=True)
    ds["Y"].values[points, replicates, :] = np.nan
    ds["ok"].values[points, replicates] = False
    ds["error"].values[points, replicates] = "ValueError: boom"
    return ds


def quiet_analyze(results: xr.Dataset, **kw) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)   # no warning expected here
        return analyze(results, **kw)


# ---------------------------------------------------------------------------------------- estimators
@pytest.fixture(scope="module")
def sobol_results() -> xr.Dataset:
    spec = make_spec("sobol", samples=1024, outputs=("y", "y_noisy"))
    return make_results(spec, ishigami_model(noise=0.05, outputs=("y", "y_noisy")))


@pytest.fixture(scope="module")
def sobol_indices(sobol_results: xr.Dataset) -> xr.Dataset:
    return quiet_analyze(sobol_results, resamples=500)


def test_sobol_intervals_cover_ishigami(sobol_indices: xr.Dataset) -> None:
    truth = ishigami_indices()
    for output in ("y", "y_noisy"):
        ix = sobol_indices.sel(output=output)
        for name in ("S1", "ST"):
            err = np.abs(ix[name].values - truth[name])
            assert (err <= ix[f"{name}_conf"].values).all(), (output, name, ix[name].values, truth[name])
            assert (ix[f"{name}_conf"].values < 0.15).all()
        assert abs(float(ix["S2"].sel(factor="x1", factor2="x3")) - truth["S2"][0, 2]) \
            <= float(ix["S2_conf"].sel(factor="x1", factor2="x3"))


def test_sobol_dataset_layout(sobol_indices: xr.Dataset) -> None:
    ix = sobol_indices
    assert list(ix["factor"].values) == ["x1", "x2", "x3"]
    assert ix["S1"].dims == ("output", "factor") and ix["S2"].dims == ("output", "factor", "factor2")
    assert ix["ST_by_n"].dims == ("sample_size", "output", "factor")
    assert list(ix["sample_size"].values) == [128, 256, 512, 1024]
    np.testing.assert_array_equal(ix["ST_by_n"].isel(sample_size=-1).values, ix["ST"].values)
    for name, var in ix.data_vars.items():
        assert var.attrs.get("units") and var.attrs.get("long_name"), name
    assert (ix["n_points_used"] == 8192).all() and (ix["n_points_excluded"] == 0).all()
    assert ix.attrs["method"] == "sobol" and json.loads(ix.attrs["warnings"]) == []
    assert ix.attrs["sweep_git_commit"] == "0123abc" and ix.attrs["sweep_command"].startswith("scoresim")
    assert ix.attrs["resamples"] == 500 and ix.attrs["conf_level"] == 0.95


def test_morris_ranks_x1_x2_above_x3() -> None:
    spec = make_spec("morris", samples=200, levels=4)
    ix = quiet_analyze(make_results(spec, ishigami_model()), resamples=300).sel(output="y")
    mu = ix["mu_star"].to_series()
    assert min(mu["x1"], mu["x2"]) > mu["x3"]
    assert set(ix.data_vars) >= {"mu", "mu_star", "mu_star_conf", "sigma", "mu_star_by_n"}
    assert ix["mu_star_conf"].values[0] > 0


def test_fast_close_to_ishigami() -> None:
    spec = make_spec("fast", samples=1000, harmonics=4)
    state = np.random.get_state()[1].copy()
    ix = quiet_analyze(make_results(spec, ishigami_model()), resamples=100).sel(output="y")
    truth = ishigami_indices()
    np.testing.assert_allclose(ix["S1"].values, truth["S1"], atol=0.04)
    np.testing.assert_allclose(ix["ST"].values, truth["ST"], atol=0.05)
    assert "sample_size" not in ix.dims and ix.attrs["convergence"].startswith("none")
    np.testing.assert_array_equal(np.random.get_state()[1], state)   # global generator untouched


def test_latin_rbd_fast_close_to_ishigami() -> None:
    spec = make_spec("latin", samples=1000)
    ix = quiet_analyze(make_results(spec, ishigami_model()), resamples=100).sel(output="y")
    np.testing.assert_allclose(ix["S1"].values, ishigami_indices()["S1"], atol=0.1)
    assert list(ix["sample_size"].values) == [125, 250, 500, 1000]


def test_factorial_main_effects_of_additive_function() -> None:
    """y = 2 x1 + x2 on levels {0, 1, 2} (x3 inert): Var = 4 * 2/3 + 2/3, S1 = 0.8, 0.2, 0."""
    spec = make_spec("factorial", bounds=(0.0, 2.0), levels=3, values={"x3": [0.0, 1.0]})
    ix = quiet_analyze(make_results(spec, linear_model((2.0, 1.0, 0.0)))).sel(output="y")
    np.testing.assert_allclose(ix["S1"].values, [0.8, 0.2, 0.0], atol=1e-12)
    np.testing.assert_allclose(ix["ST"].values, ix["S1"].values, atol=1e-12)
    assert np.isnan(ix["S1_conf"].values).all() and "none" in ix.attrs["confidence"]
    np.testing.assert_allclose(ix["level_mean"].sel(factor="x1").values, [1.0, 3.0, 5.0])
    np.testing.assert_allclose(ix["level_mean"].sel(factor="x3").values, [3.0, 3.0, np.nan])
    np.testing.assert_allclose(ix["level_value"].sel(factor="x3").values, [0.0, 1.0, np.nan])


def test_factorial_total_effect_with_interaction() -> None:
    """y = x1 * x2 on {-1, 1}^2: no main effects, all variance is interaction (ST = 1)."""
    spec = make_spec("factorial", names=("x1", "x2"), bounds=(-1.0, 1.0), levels=2)
    ix = quiet_analyze(make_results(spec, lambda X, s: np.broadcast_to((X[:, 0] * X[:, 1])[:, None, None],
                                                                       (*s.shape, 1)))).sel(output="y")
    np.testing.assert_allclose(ix["S1"].values, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ix["ST"].values, [1.0, 1.0])


def test_groups_are_the_factors() -> None:
    spec = make_spec("sobol", samples=64, second_order=False, groups=["a", "a", "b"])
    ix = quiet_analyze(make_results(spec, ishigami_model()), resamples=50)
    assert list(ix["factor"].values) == ["a", "b"] and ix.attrs["factors"] == "groups"
    assert json.loads(ix.attrs["groups"]) == {"a": ["x1", "x2"], "b": ["x3"]}
    assert "S2" not in ix and ix["S1"].shape == (1, 2)


# ---------------------------------------------------------------------------------------- seed noise
def test_noise_share_of_known_variances() -> None:
    """y = x1 + e, Var(x1) = 1 (uniform on [0, sqrt 12]), Var(e) = 1, 4 replicates: half of a
    single run's variance is noise; of the replicate means, (1/4) / (1 + 1/4) = 0.2."""
    spec = make_spec("latin", names=("x1", "x2"), bounds=(0.0, math.sqrt(12)), replicates=4, samples=2000)
    ix = quiet_analyze(make_results(spec, linear_model((1.0, 0.0), noise=1.0)), resamples=20).sel(output="y")
    assert float(ix["noise_share"]) == pytest.approx(0.5, abs=0.04)
    assert float(ix["noise_share_of_mean"]) == pytest.approx(0.2, abs=0.03)
    assert float(ix["output_sd"]) == pytest.approx(math.sqrt(1.25), rel=0.05)


def test_noise_share_needs_two_replicates() -> None:
    spec = make_spec("latin", replicates=1, samples=50)
    ix = quiet_analyze(make_results(spec, ishigami_model()), resamples=20)
    assert np.isnan(ix["noise_share"]).all() and np.isnan(ix["noise_share_of_mean"]).all()
    assert "not estimated" in ranked_table(ix)


def test_noise_shares_uses_the_runs_that_finished() -> None:
    Y = np.array([[1.0, 3.0, np.nan], [5.0, 7.0, 9.0]])
    share, share_mean = noise_shares(Y, np.isfinite(Y))
    within = np.mean([2.0, 4.0])                 # variances of (1, 3) and (5, 7, 9), ddof=1
    assert share == pytest.approx(within / np.var([1, 3, 5, 7, 9], ddof=1))
    assert share_mean == pytest.approx(np.mean([2.0 / 2, 4.0 / 3]) / np.var([2.0, 7.0], ddof=1))


# ---------------------------------------------------------------------------------------- failed runs
DROPPING = {"sobol": ({"samples": 32}, 2 * 3 + 2), "morris": ({"samples": 20}, 3 + 1), "latin": ({"samples": 40}, 1)}


@pytest.mark.parametrize("method", sorted(DROPPING))
def test_failed_points_dropped_with_their_unit(method: str) -> None:
    args, block = DROPPING[method]
    results = make_results(make_spec(method, **args), ishigami_model())
    bad = fail(results, np.array([block + 1, 3 * block]))        # one point in unit 1 and unit 3
    with pytest.warns(RuntimeWarning, match=r"4 of \d+ runs failed.*2 points with no finite value excluded"):
        ix = analyze(bad, resamples=20).sel(output="y")
    assert int(ix["n_points_excluded"]) == 2 * block and int(ix["n_runs_failed"]) == 4
    assert "excluded" in json.loads(ix.attrs["warnings"])[0]
    assert np.isfinite(ix[{"morris": "mu_star"}.get(method, "S1")]).all()


@pytest.mark.parametrize("method", sorted(DROPPING))
def test_too_many_failed_points_refused(method: str) -> None:
    args, block = DROPPING[method]
    results = make_results(make_spec(method, **args), ishigami_model())
    n_units = results.sizes["point"] // block
    bad = fail(results, np.arange(n_units // 2 + 1) * block)     # one point in just over half the units
    with pytest.raises(InputError, match=rf"sweep/results.nc: output 'y': {n_units // 2 + 1} of "
                                         rf"{results.sizes['point']} points failed.*at least half of its "
                                         rf"{n_units}.*{n_units - n_units // 2 - 1} of {n_units} remain"):
        analyze(bad, origin="sweep/results.nc")


@pytest.mark.parametrize("method,args", [("fast", {"samples": 100, "harmonics": 4}), ("factorial", {"levels": 3})])
def test_any_failed_point_refused_by_fast_and_factorial(method: str, args: dict) -> None:
    results = make_results(make_spec(method, **args), ishigami_model())
    with pytest.raises(InputError, match=rf"res: output 'y': 1 of {results.sizes['point']} points failed.*"
                                         rf"{method} cannot drop points"):
        analyze(fail(results, np.array([5])), origin="res")


@pytest.mark.parametrize("method,args", [("fast", {"samples": 100, "harmonics": 4}), ("sobol", {"samples": 16})])
def test_partly_failed_points_use_the_other_replicates(method: str, args: dict) -> None:
    results = make_results(make_spec(method, **args), ishigami_model())
    bad = fail(results, np.array([2, 9]), replicates=slice(0, 1))
    with pytest.warns(RuntimeWarning, match="2 points averaged over fewer than 2 replicates"):
        ix = analyze(bad, resamples=20).sel(output="y")
    assert int(ix["n_points_excluded"]) == 0 and int(ix["n_runs_failed"]) == 2
    xr.testing.assert_allclose(ix["S1"], analyze(results, resamples=20)["S1"].sel(output="y"))  # same means


def test_failures_per_output() -> None:
    """A NaN in one output only excludes points of that output."""
    results = make_results(make_spec("latin", samples=40, outputs=("y", "z")), ishigami_model(outputs=("y", "z")))
    results["Y"].values[3, :, 1] = np.nan
    with pytest.warns(RuntimeWarning, match="output 'z'"):
        ix = analyze(results, resamples=20)
    assert list(ix["n_points_excluded"].values) == [0, 1]


def test_constant_output_gives_nan_with_a_warning() -> None:
    results = make_results(make_spec("sobol", samples=16), lambda X, s: np.ones((len(X), s.shape[1], 1)))
    with pytest.warns(RuntimeWarning, match="same at every point"):
        ix = analyze(results, resamples=20)
    assert np.isnan(ix["S1"]).all() and np.isnan(ix["S2"].values).all()


def test_results_that_do_not_fit_the_spec_are_refused() -> None:
    results = make_results(make_spec("sobol", samples=16), ishigami_model())
    with pytest.raises(InputError, match="do not fit the sobol design"):
        analyze(results.isel(point=slice(0, 100)), origin="r.nc")
    with pytest.raises(InputError, match="r.nc: not a scoresim sweep result: problem missing"):
        analyze(results.drop_attrs().assign_attrs(experiment=results.attrs["experiment"], sample_seed=1),
                origin="r.nc")


# ---------------------------------------------------------------------------------------- outputs
def test_analysis_is_deterministic(sobol_results: xr.Dataset, sobol_indices: xr.Dataset) -> None:
    xr.testing.assert_identical(quiet_analyze(sobol_results, resamples=500), sobol_indices)
    morris = make_results(make_spec("morris", samples=20), ishigami_model())
    xr.testing.assert_identical(analyze(morris, resamples=50), analyze(morris, resamples=50))


def test_ranked_table(sobol_indices: xr.Dataset) -> None:
    text = ranked_table(sobol_indices)
    block = text.split("output y_noisy")[1]
    rows = [line.split() for line in block.splitlines() if line.strip()[:1].isdigit()]
    assert [r[1] for r in rows] == ["x1", "x2", "x3"]          # by ST: 0.56, 0.44, 0.24
    assert "±" in block and "seed noise" in block and "ranked by ST" in text


def test_to_csv_long_format(sobol_indices: xr.Dataset, tmp_path) -> None:
    path = to_csv(sobol_indices, tmp_path / "indices.csv")
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["output", "factor", "factor2", "index", "value", "conf"]
    assert len(rows) == 2 * (3 + 3 + 3)                        # outputs x (S1, ST per factor + 3 pairs)
    s2 = [r for r in rows if r["index"] == "S2"]
    assert {(r["factor"], r["factor2"]) for r in s2} == {("x1", "x2"), ("x1", "x3"), ("x2", "x3")}
    first = rows[0]
    assert float(first["value"]) == float(sobol_indices["S1"].sel(output=first["output"], factor=first["factor"]))
    assert all(r["factor2"] == "" for r in rows if r["index"] != "S2") and all(r["conf"] for r in rows)


def test_save_figures(sobol_indices: xr.Dataset, tmp_path) -> None:
    names = save_figures(sobol_indices, tmp_path / "sobol")
    assert names == ["indices.png", "second_order.png", "convergence.png"]
    for name in names:
        assert (tmp_path / "sobol" / name).read_bytes()[:4] == b"\x89PNG"


def test_save_figures_morris_long_names_and_many_outputs(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(figures, "PER_FILE", 2)
    names = ("adoption.visit_rate_per_month", "programme.modules.workplace_cooperation.fee_usd", "x3")
    spec = make_spec("morris", names=names, samples=10, outputs=("a", "b", "c"))
    ix = quiet_analyze(make_results(spec, linear_model((3.0, 1.0, 0.1), outputs=3)), resamples=20)
    written = save_figures(ix, tmp_path)
    assert written == ["indices_1.png", "indices_2.png", "morris_1.png", "morris_2.png",
                       "convergence_1.png", "convergence_2.png"]
    assert all((tmp_path / n).stat().st_size > 1000 for n in written)


def test_indices_survive_netcdf(tmp_path) -> None:
    """The indices Dataset (factorial: 2-D coordinate, NaN intervals) round-trips through the
    project's netCDF writer, and its text table can be made from the file."""
    from scoresim.io import write_dataset

    spec = make_spec("factorial", bounds=(0.0, 2.0), levels=3, values={"x3": [0.0, 1.0]})
    ix = quiet_analyze(make_results(spec, linear_model((2.0, 1.0, 0.0))))
    write_dataset(ix, tmp_path / "indices.nc")
    with xr.open_dataset(tmp_path / "indices.nc", engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), ix)
        assert ranked_table(back) == ranked_table(ix)


def test_common_seed_shifts_are_not_counted_as_noise() -> None:
    """With common seeds a seed's shift shared by every point cancels from the indices: the
    shares count only the seed-by-point interaction."""
    rng = np.random.default_rng(4)
    f = rng.normal(0, 1, 200)                                  # what the parameters explain
    shift = np.array([5.0, -5.0, 2.0])                         # a large effect shared by all points
    inter = rng.normal(0, 0.1, (200, 3))                       # noise that differs point by point
    Y = f[:, None] + shift[None, :] + inter
    share, share_mean = noise_shares(Y, np.ones_like(Y, bool), common=True)
    assert share == pytest.approx(0.01, rel=0.3)               # 0.1^2 against about 1
    assert share_mean == pytest.approx(0.01 / 3, rel=0.3)
    indep, _ = noise_shares(Y, np.ones_like(Y, bool), common=False)
    assert indep > 0.9                                          # would call the shift noise
