"""Why reported changes and causal effects differ: each mechanism behaves as documented.

Placebo (a programme that does nothing), the reported-minus-causal gap growing with selection
and drift, known answers of the shock processes, exit only after sustained losses, the
evaluator's difference in differences recovering the causal effect when it should and biased
in the documented direction when selection is on.
"""

from __future__ import annotations

import numpy as np
import pytest

from scoresim.mechanisms import PLACEBO, switch_off
from scoresim.model import ScoreModel
from scoresim.processes.shocks import ar1_paths
from scoresim.processes import exit as exits
from scoresim.simulate import run

from conftest import small

MARKET = {  # a market with a comparison pool: 300 firms, 100 participants, five years
    "population__n_firms": 300, "population__workers_mean": 50.0, "programme__participants": 100,
    "time__months": 60, "programme__enrol_start": "2009-01", "programme__enrol_end": "2010-06",
    "programme__cohort_size": 10, "buyers__n_buyers": 30,
}

NOTHING = {k.replace(".", "__"): v for k, v in PLACEBO.items()}   # a programme that changes nothing


def market(**values):
    return small(**{**MARKET, **values})


def gap(ds, name: str = "productivity") -> float:
    """Mean over replicates of the reported change less the causal effect."""
    sel = dict(indicator=name)
    return float((ds["mean_reported_change"].sel(sel) - ds["effect"].sel(sel)).mean())


# --------------------------------------------------------------------------- placebo

@pytest.mark.slow
def test_placebo_programme_causes_nothing_but_participants_still_report_change():
    ds = run(market(**NOTHING), seed=7, replicates=3)
    np.testing.assert_array_equal(ds["effect"].values, 0.0)              # exactly nothing caused
    part = ds["participant"].values.astype(bool)
    for var in ("productivity", "accidents", "defect_rate", "absence_rate"):
        prog, cf = (ds[var].sel(world=w).values[..., part] for w in ("programme", "counterfactual"))
        np.testing.assert_array_equal(prog, cf, err_msg=var)
    # ... yet participants report changes and improvements: drift, shocks, selection and reporting
    rep = ds["mean_reported_change"].sel(indicator="productivity").values
    assert np.all(rep > 0.02), rep                                          # drift alone: about 3% a year
    others = ds["mean_reported_change"].sel(indicator=["defects", "accidents", "absenteeism"]).values
    assert np.all(np.isfinite(others)) and np.all(np.abs(others).max(axis=0) > 1e-4), others
    share = ds["share_reporting_improvement"].sel(indicator="productivity").values
    assert np.all((share > 0.2) & (share < 1.0)), share


@pytest.mark.slow
def test_placebo_with_every_mechanism_off_reports_only_noise():
    ds = run(switch_off(market(**NOTHING)), seed=7, replicates=2)
    np.testing.assert_array_equal(ds["effect"].values, 0.0)
    # the world does not move: the reported productivity change is month-to-month noise only
    assert np.all(np.abs(ds["mean_reported_change"].sel(indicator="productivity").values) < 0.01)


# --------------------------------------------------------------------------- the gap grows

@pytest.mark.slow
def test_gap_grows_with_selection_strength():
    common = {**MARKET, "reporting__measurement_sd": 0.0, "reporting__optimism": 0.0, "reporting__response_rate": 1.0,
              "selection__dip": 1.5, "selection__commitment": 0.0}
    gaps = [gap(run(small(**{**common, "selection__strength": s}), seed=3, replicates=2)) for s in (0.0, 1.0, 2.0)]
    assert gaps[0] < gaps[1] < gaps[2], gaps


@pytest.mark.slow
def test_gap_grows_with_drift():
    common = {**MARKET, "reporting__measurement_sd": 0.0, "reporting__optimism": 0.0, "reporting__response_rate": 1.0,
              "selection__strength": 0.0}
    gaps = [gap(run(small(**{**common, "drift__productivity": d, "drift__practice": d / 3}), seed=3, replicates=2))
            for d in (0.0, 0.03, 0.06)]
    assert gaps[0] < gaps[1] < gaps[2], gaps
    # about one log-point of drift a year shows as that much reported change per year of window gap
    assert 0.02 < gaps[2] - gaps[0] < 0.3, gaps


# --------------------------------------------------------------------------- shocks: known answers

def test_ar1_paths_have_the_stationary_sd_and_autocorrelation():
    rng = np.random.default_rng(1)
    rho, sd = 0.95, 0.2
    x = ar1_paths(rng, 60, (40_000,), rho, sd).astype(float)
    np.testing.assert_allclose(x.std(axis=1), sd, rtol=0.03)            # stationary from month 0
    for lag in (1, 6, 24):
        r = np.corrcoef(x[30], x[30 - lag])[0, 1] if lag <= 30 else None
        np.testing.assert_allclose(r, rho**lag, atol=0.02)
    assert np.all(ar1_paths(rng, 5, (10,), rho, 0.0) == 0.0)


def test_firm_shocks_move_productivity_in_the_world_without_the_programme():
    scen = switch_off(small(programme__participants=0, population__n_firms=60, time__months=48,
                            shocks__firm_sd=0.15, shocks__firm_persistence=0.9),
                      ["drift", "demand_limits", "exit", "failure"])
    m = ScoreModel(scen, seed=2, worlds=("counterfactual",)).run()
    shock = m.history.efficiency.astype(float)                          # (T, F) log shocks
    prod = np.log(m.recorder.panel["productivity"][0].astype(float))    # (T, F)
    dev = prod - prod.mean(axis=0)
    s = shock - shock.mean(axis=0)
    corr = np.mean([np.corrcoef(dev[:, f], s[:, f])[0, 1] for f in range(m.firms.n)])
    assert corr > 0.9, corr                      # productivity follows the firm's efficiency shock
    # the shock's stationary sd over firms and months
    np.testing.assert_allclose(shock.std(), 0.15, rtol=0.1)


def test_scripted_shock_cuts_orders_in_its_months_and_cells_only():
    scen = small(programme__participants=0, population__n_firms=40, time__months=24,
                 shocks__cycle_sd=0.0, shocks__firm_sd=0.0, shocks__buyer_sd=0.0, market__demand_noise=0.0,
                 shocks__scripted=[{"start": "2008-07", "end": "2008-12", "change": -0.3, "sectors": ["garments"]}])
    m = ScoreModel(scen, seed=4, worlds=("counterfactual",))
    assert m.history.scripted[6:12, :, :, list(scen.population.sectors).index("garments")].min() == \
        pytest.approx(np.log(0.7))
    assert np.all(m.history.scripted[:6] == 0) and np.all(m.history.scripted[12:] == 0)


# --------------------------------------------------------------------------- exit

@pytest.mark.slow
def test_firms_exit_after_sustained_losses_and_never_otherwise():
    scen = market(**{"population__countries": {"South Africa": {"weight": 1.0, "wage_usd_month": 900.0}},
                     "exit__reserve_months": 0.5})
    m = ScoreModel(scen, seed=5).run()
    assert (m.state.exit_month >= 0).any(), "the scenario must produce exits"
    profit = m.recorder.panel["profit"].astype(float)                    # (W, T, F)
    revenue = m.recorder.panel["revenue"].astype(float)
    W, T, F = profit.shape
    stock = np.zeros((W, F))
    mean_rev = np.zeros((W, F))
    exited = np.full((W, F), -1)
    for t in range(T):
        alive = exited < 0
        stock = np.where(alive, exits.loss_stock(stock, profit[:, t]), stock)
        mean_rev = np.where(alive, exits.mean_revenue(mean_rev, revenue[:, t], t), mean_rev)
        over = alive & (stock > m.firms.reserves * np.maximum(mean_rev, 0.0) * (1 + 1e-5))
        under = alive & (stock < m.firms.reserves * np.maximum(mean_rev, 0.0) * (1 - 1e-5))
        exited_now = m.state.exit_month == t
        assert np.all(exited_now[over]), t       # everyone whose losses passed its reserves exits ...
        assert not np.any(exited_now[under]), t  # ... and nobody else
        exited = np.where(exited_now, t, exited)
    # a firm that exited records nothing afterwards, and its workers' jobs are gone
    w, f = np.argwhere(m.state.exit_month >= 0)[0]
    after = m.state.exit_month[w, f] + 1
    assert np.all(np.isnan(m.recorder.panel["productivity"][w, after:, f]))
    assert np.all(m.recorder.panel["output"][w, after:, f] == 0)


# --------------------------------------------------------------------------- difference in differences

NO_SPILLOVER = {"market__adjust": 0.0, "market__audit_cut": 0.0, "market__produce_to_demand": False}


@pytest.mark.slow
def test_did_recovers_the_causal_effect_without_selection_or_spillovers():
    scen = market(selection__strength=0.0, population__n_firms=600, programme__participants=200,
                  **NO_SPILLOVER)
    ds = run(scen, seed=21, replicates=8)   # the calibrated absence effect is small: 8 replicates hold its noise
    for name in ("productivity", "defects", "absenteeism", "relations", "adoption"):
        did = ds["did_estimate"].sel(indicator=name).values.mean()
        causal = ds["effect"].sel(indicator=name).values.mean()
        assert abs(did - causal) < 0.15 * abs(causal) + 0.01, (name, did, causal)


@pytest.mark.slow
def test_did_overstates_the_effect_when_firms_enrol_after_a_dip():
    common = {"population__n_firms": 600, "programme__participants": 200, "selection__commitment": 0.0,
              "selection__dip": 2.0, **NO_SPILLOVER}
    bias = []
    for strength in (0.0, 1.5):
        ds = run(market(selection__strength=strength, **common), seed=21, replicates=3)
        sel = dict(indicator="productivity")
        bias.append(float((ds["did_estimate"].sel(sel) - ds["effect"].sel(sel)).mean()))
    # participants recover from the dip they enrolled in; non-participants had none to recover from
    assert bias[1] > bias[0] + 0.01, bias
