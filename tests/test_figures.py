"""Every figure type renders with no overlapping text (tick labels, axis labels, titles, point
labels, legends), measured with matplotlib's bounding boxes; axes of quantities a reader compares
by length start at zero; no axis is labelled "1"; a colour means the same factor in every panel."""

from __future__ import annotations

import warnings
from itertools import combinations

import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from conftest import ROOT, small
from matplotlib.figure import Figure
from matplotlib.text import Text
from test_analysis import linear_model, make_results, make_spec

from scoresim import plotting
from scoresim.experiments import figures as exfig
from scoresim.experiments.analysis import analyze

matplotlib.use("Agg")


# --------------------------------------------------------------------------- the check

def texts(fig: Figure) -> list[Text]:
    """The texts drawn on ``fig``: ticks in view, axis labels, titles, annotations, legends."""
    fig.canvas.draw()
    out: list[Text] = list(fig.texts)
    if fig._suptitle is not None:
        out.append(fig._suptitle)
    for leg in fig.legends:
        out += leg.get_texts() + [leg.get_title()]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis._update_ticks():
                out += [tick.label1, tick.label2]
            out.append(axis.label)
            out.append(axis.get_offset_text())
        out += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            out += legend.get_texts() + [legend.get_title()]
    unique = list({id(t): t for t in out}.values())
    return [t for t in unique if t.get_visible() and t.get_text().strip()]


def overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap by more than half a pixel each way."""
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer).expanded(1.0, 1.0).padded(-0.5)) for t in texts(fig)]
    return [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2) if ba.overlaps(bb)]


def axis_labels(fig: Figure) -> list[str]:
    return [lab for ax in fig.axes if ax.get_visible() for lab in (ax.get_xlabel(), ax.get_ylabel())]


def assert_readable(fig: Figure) -> None:
    assert overlaps(fig) == []
    for label in axis_labels(fig):
        assert label.strip() not in ("1", "[1]", "(1)") and "[1]" not in label and "(1)" not in label, label


# --------------------------------------------------------------------------- data

@pytest.fixture(scope="module")
def run_ds() -> xr.Dataset:
    from scoresim.simulate import run

    return run(small(), seed=1, replicates=2)


FACTORS = tuple(f"section_{i % 3}.parameter_with_a_long_name_{i}" for i in range(14))


def quiet(results: xr.Dataset, **kw) -> xr.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(results, **kw)


@pytest.fixture(scope="module")
def morris() -> xr.Dataset:
    """Morris indices of a linear function of 14 factors, several with equal effects (their
    points coincide: the labels must still not overlap), three outputs."""
    spec = make_spec("morris", names=FACTORS, bounds=(0.0, 1.0), outputs=("a", "b", "c"), samples=10)
    coef = (5, 5, 5, 4.9, 4.8, 1, 1, 1, 0.5, 0.5, 0.2, 0.1, 0, 0)
    return quiet(make_results(spec, linear_model(coef, noise=0.3, outputs=3)), resamples=50)


@pytest.fixture(scope="module")
def sobol() -> xr.Dataset:
    spec = make_spec("sobol", names=FACTORS[:6], bounds=(0.0, 1.0), outputs=("a", "b"), samples=64)
    return quiet(make_results(spec, linear_model((3, 2, 2, 1, 0.5, 0), noise=0.1, outputs=2)), resamples=50)


# --------------------------------------------------------------------------- run figures

@pytest.mark.parametrize("name", ["trajectories", "practices", "effects"])
def test_run_figures(run_ds, name):
    assert_readable(getattr(plotting, name)(run_ds))


def test_trajectory_axes_say_their_units_in_words(run_ds):
    fig = plotting.trajectories(run_ds)
    labels = axis_labels(fig)
    assert "share of worker-days absent" in labels and "accidents per 100 workers a year" in labels
    assert "index (first 12 months = 100)" in labels          # defects, productivity and energy, by firm
    assert "1" not in labels


# --------------------------------------------------------------------------- sensitivity analysis

@pytest.mark.parametrize("panel", ["bars", "morris_scatter", "convergence"])
def test_morris_figures(morris, panel):
    assert_readable(exfig.grid(morris, getattr(exfig, panel)))
    assert_readable(getattr(exfig, panel)(morris))


def test_morris_points_are_labelled(morris):
    fig = exfig.morris_scatter(morris, "a")
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert len(labels) >= 3                          # the top factors, placed where they fit


@pytest.mark.parametrize("panel", ["bars", "s2_heatmap", "convergence"])
def test_sobol_figures(sobol, panel):
    assert_readable(exfig.grid(sobol, getattr(exfig, panel)))


def test_convergence_colours_mean_one_factor_in_every_panel(morris):
    fig = exfig.grid(morris, exfig.convergence)
    seen: dict[str, str] = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            label = line.get_label()
            if label.startswith("_"):
                continue
            color = matplotlib.colors.to_hex(line.get_color())
            assert seen.setdefault(label, color) == color, label
    assert len(set(seen.values())) == len(seen)      # and no two factors share one


# --------------------------------------------------------------------------- calibration

def test_calibration_figures():
    from scoresim.calibration import figures as calfig
    from scoresim.calibration.targets import load_targets

    cal = load_targets(ROOT / "configs" / "targets" / "phase1.toml")
    names = [p.path for p in cal.spec.parameters]
    rng = np.random.default_rng(1)
    lo = np.array([p.bounds[0] for p in cal.spec.parameters])
    hi = np.array([p.bounds[1] for p in cal.spec.parameters])
    posterior = xr.Dataset({"value": (("draw", "parameter"), lo + (hi - lo) * rng.beta(3, 3, (200, len(names)))),
                            "prior_low": ("parameter", lo), "prior_high": ("parameter", hi)},
                           coords={"parameter": names})
    items = cal.spec.targets + cal.spec.evidence
    stats = list(dict.fromkeys(t.statistic for t in items))
    centre = np.array([np.mean(next(t.bounds for t in items if t.statistic == st)) for st in stats])
    pred = xr.Dataset({"value": (("draw", "statistic"), centre * (1 + 0.3 * rng.normal(size=(40, len(stats)))))},
                      coords={"statistic": stats})
    for fig in (calfig.marginals(posterior), calfig.pairs(posterior), calfig.predictive(cal, pred)):
        assert_readable(fig)


# --------------------------------------------------------------------------- scale-up

@pytest.fixture(scope="module")
def scaleup(tmp_path_factory):
    from test_scaleup import SMALL_PLAN

    from scoresim.cli import main
    from scoresim.scaleup.run import periods

    d = tmp_path_factory.mktemp("plan")
    (d / "plan.toml").write_text(SMALL_PLAN)
    assert main(["scaleup", str(d / "plan.toml"), "--serial", "--replicates", "2", "--no-figures",
                 "--out", str(d / "out")]) == 0
    ds = xr.open_dataset(d / "out" / "scaleup.nc", engine="h5netcdf").load()
    return ds, periods(ds)[1]


def test_scaleup_figures(scaleup):
    from scoresim.scaleup import figures as scfig

    ds, through = scaleup
    assert_readable(scfig.reach(ds))
    for fig in (scfig.outcomes(through), scfig.cost_per_outcome(through)):
        assert_readable(fig)
        for ax in fig.axes:
            if ax.get_visible():
                left, right = ax.get_xlim()
                assert left <= 0 <= right, ax.get_title()      # compared by length: zero is on the axis


def test_frontier_labels_do_not_overlap():
    from scoresim.scaleup import figures as scfig

    rng = np.random.default_rng(3)
    n = 16
    spend = np.r_[np.repeat([2e6, 4e6], 6), [3.9e6, 4.0e6, 4.1e6, 4.0e6]] * (1 + 0.01 * rng.normal(size=n))
    obj = np.r_[np.repeat([300.0, 500.0], 6), [480, 470, 505, 490]] + rng.normal(0, 3, n)
    points = pd.DataFrame({"name": [f"b{60 if i < 6 else 100}-{i}" for i in range(12)] + ["open", "buyer_led",
                                                                                        "sector", "osh_first"],
                           "kind": ["candidate"] * 12 + ["strategy"] * 4, "level": [0.6] * 6 + [1.0] * 10,
                           "spend_median": spend, "spend_p5": spend * 0.95, "spend_p95": spend * 1.05,
                           "objective_median": obj, "objective_p5": obj - 20, "objective_p95": obj + 20,
                           "frontier": [i in (0, 6) for i in range(n)]})
    fig = scfig.frontier(points, "accidents_averted")
    assert_readable(fig)
    assert {"b60-0", "b100-6"} <= {t.get_text() for t in fig.axes[0].texts}   # frontier points labelled first


# --------------------------------------------------------------------------- compare

def test_compare_figures():
    from scoresim.compare import figures as cmpfig
    from scoresim.compare.core import Entry, compare

    rng = np.random.default_rng(5)
    inds = ["adoption", "relations", "defects", "accidents", "absenteeism", "productivity", "energy", "unit_cost"]

    def values(shift):
        return xr.Dataset({v: (("replicate", "indicator"), shift + 0.05 * rng.normal(size=(4, len(inds))))
                           for v in ("mean_reported_change", "effect")}, coords={"indicator": inds})

    result = compare([Entry(n, n, "run", {}, 1, 4, values=values(s)) for n, s in
                      (("phase1", 0.1), ("osh_only", -0.1), ("full_package", 0.2))], paired=True)
    for fig in (cmpfig.values(result), cmpfig.differences(result)):
        assert_readable(fig)


def test_the_check_finds_overlaps():
    """Not vacuous: two labels at one spot are found."""
    fig = Figure()
    ax = fig.add_subplot()
    ax.annotate("first label", (0.5, 0.5))
    ax.annotate("second label", (0.5, 0.5))
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    assert overlaps(fig) == [("first label", "second label")]
