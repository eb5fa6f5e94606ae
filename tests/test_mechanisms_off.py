"""With every new mechanism switched off the model is the one calibrated to Phase I: it
reproduces, number for number, what that model computed before the mechanisms existed."""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pytest

from scoresim.config import load_scenario, set_values
from scoresim.mechanisms import MECHANISMS, switch_off
from scoresim.simulate import run

from conftest import ROOT

BASELINE = json.loads((ROOT / "tests" / "data" / "static_model_baseline.json").read_text())
STATIC_CALIBRATION = [
    "population.commitment_mean=0.283", "population.commitment_concentration=2.81", "adoption.target=0.803",
    "adoption.visit_rate=0.345", "workforce.absence_engagement=0.162", "workforce.absence_workforce=0.3",
    "workforce.osh_hazard=3.91", "workforce.engagement_cooperation=0.37", "production.cooperation_effect=0.681",
    "production.quality_effect=0.1", "production.workforce_effect=0.08", "production.defect_quality=1.04",
    "production.defect_noise=0.106", "production.energy_cleaner=0.0939"]
"""The values the static model was calibrated at (the defaults before the recalibration with
every mechanism on): the baseline was computed with them."""
OVERRIDES = {"phase1": ["population.n_firms=308"] + STATIC_CALIBRATION, "osh_only": STATIC_CALIBRATION,
             "buyer_sponsored": STATIC_CALIBRATION}
STATIC_ECONOMICS = tomllib.loads((ROOT / "tests" / "data" / "static_economics.toml").read_text())


def static_economics(scenario):
    """The scenario with the firm economics of the static model (its countries and sectors only)."""
    values = {f"market.{k}": v for k, v in STATIC_ECONOMICS["market"].items()}
    for table in ("countries", "sectors"):
        for name, entry in STATIC_ECONOMICS["population"][table].items():
            if name in getattr(scenario.population, table):
                values.update({f"population.{table}.{name}.{k}": v for k, v in entry.items()})
    return set_values(scenario, values, origin="static economics")


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OVERRIDES))
def test_every_mechanism_off_reproduces_the_static_model(name):
    scenario = static_economics(switch_off(load_scenario(ROOT / "configs" / f"{name}.toml", OVERRIDES[name])))
    ds = run(scenario, replicates=2)
    old = BASELINE[name]
    np.testing.assert_allclose(ds["mean_reported_change"].values, np.array(old["mean_reported_change"], float),
                               rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ds["share_reporting_improvement"].values,
                                  np.array(old["share_reporting_improvement"], float))
    for var in ("productivity", "accidents", "profit"):
        assert float(ds[var].sum()) == old[f"{var}_sum"], var


def test_switch_off_names_every_mechanism_and_rejects_unknown_ones():
    scenario = switch_off(load_scenario(ROOT / "configs" / "phase1.toml"))
    assert scenario.selection.strength == 0.0 and not scenario.exit.enabled
    assert scenario.reporting.response_rate == 1.0 and scenario.shocks.scripted == []
    assert set(MECHANISMS) >= {"drift", "shocks", "selection", "failure", "exit", "nonresponse", "reporting_bias",
                               "employment", "overtime", "capacity_allocation", "open_market", "price_response",
                               "rent_sharing", "adoption_costs"}
    assert not scenario.market.capacity_aware and scenario.market.elsewhere_share == 0.0
    assert scenario.jobs.adjustment == 0.0 and scenario.jobs.rent_sharing == 0.0
    assert scenario.production.overtime_max == 0.0 and scenario.market.demand_elasticity == 0.0
    with pytest.raises(KeyError, match="unknown mechanism"):
        switch_off(scenario, ["telepathy"])
