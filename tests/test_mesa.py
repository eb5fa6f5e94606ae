"""Mesa integration: batch_run, DataCollector and agent views."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from scoresim.model import REPORTED_MEANS, REPORTED_TOTALS, ScoreModel

from conftest import small


def test_batch_run_sweeps_keyword_parameters():
    base = small(time__months=24)
    results = mesa.batch_run(
        ScoreModel,
        parameters={"scenario": [base], "seed": [1, 2], "programme.participants": [0, 30]},
        iterations=1, max_steps=24, number_processes=1, data_collection_period=-1,
        display_progress=False,
    )
    df = pd.DataFrame(results)
    assert len(df) == 4
    assert set(df["programme.participants"]) == {0, 30}
    none = df[df["programme.participants"] == 0]
    some = df[df["programme.participants"] == 30]
    # without participants both worlds are identical; with them, the programme world differs
    assert np.allclose(none["defect_rate_programme"], none["defect_rate_counterfactual"])
    assert (some["defect_rate_programme"] < some["defect_rate_counterfactual"]).all()
    assert (df["Step"] == 23).all()


def test_datacollector_collects_every_month():
    m = ScoreModel(small(time__months=12), seed=1).run()
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 12
    assert {"accident_rate_programme", "productivity_counterfactual"} <= set(df.columns)
    assert (df["absence_rate_programme"].between(0, 1)).all()
    assert m.steps == 12 and not m.running


def test_datacollector_means_are_worker_weighted_over_firms_in_business():
    m = ScoreModel(small(time__months=24, exit__reserve_months=0.05), seed=5).run()
    assert np.isnan(m.last["productivity"]).any()                 # some firms have exited
    row = m.datacollector.get_model_vars_dataframe().iloc[-1]
    for w, world in enumerate(m.worlds):
        for var in REPORTED_MEANS:
            x = m.last[var][w]
            ok = np.isfinite(x)
            assert np.isclose(row[f"{var}_{world}"], np.average(x[ok], weights=m.firms.size[ok]), rtol=1e-12)
        for var in REPORTED_TOTALS:
            assert np.isclose(row[f"{var}_{world}"], np.nansum(m.last[var][w]), rtol=1e-12)


def test_firm_views_are_mesa_agents_reading_the_arrays():
    m = ScoreModel(small(time__months=12), seed=1).run()
    views = m.firm_views()
    assert len(views) == m.firms.n
    assert isinstance(views[0], mesa.Agent)
    assert len(m.agents) == m.firms.n
    v = views[3]
    assert v.size == m.firms.size[3]
    assert v.practice["osh"] == m.state.practice[0, 3, 4]
    assert v.participant == bool(m.participant[3])


def test_buyer_views_show_suppliers_and_shares():
    m = ScoreModel(small(time__months=12), seed=2).run()
    views = m.buyer_views()
    assert len(views) == m.buyers.n and all(isinstance(v, mesa.Agent) for v in views)
    alive = m.state.alive[0]
    shares = [sum(v.suppliers.values()) for v in views if any(alive[f] for f in v.suppliers)]
    assert all(0 < x <= 1 for x in shares)               # the rest is bought outside the population
    np.testing.assert_allclose(np.mean(shares), 1 - m.p.market.elsewhere_share, atol=0.1)
    firms = {f for v in views for f in v.suppliers}
    assert firms <= set(range(m.firms.n))
