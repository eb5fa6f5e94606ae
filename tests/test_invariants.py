"""Invariants over varied inputs: shares in [0, 1], non-negative counts, conserved workforce."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from scoresim.model import ScoreModel
from scoresim.recorder import FIRM_OUTPUTS

from conftest import small

SHARES = ["defect_rate", "absence_rate", "engagement", "skill", "team_active"]
COUNTS = ["output", "good_output", "energy_kwh", "accidents", "quits", "suggestions", "orders",
          "revenue", "operating_cost", "training_fee", "failed_audits", "productivity",
          "energy_per_unit", "unit_cost", "accident_rate"]

scenarios = st.fixed_dictionaries({
    "population__n_firms": st.integers(1, 30),
    "population__workers_mean": st.floats(10.0, 120.0),
    "population__workers_sigma": st.floats(0.0, 1.5),
    "programme__participants": st.integers(0, 30),
    "programme__modules_per_firm": st.floats(1.0, 5.0),
    "programme__dropout": st.floats(0.0, 1.0),
    "workforce__quit_base": st.floats(0.0, 0.5),
    "workforce__osh_hazard": st.floats(0.0, 10.0),
    "workforce__absence_base": st.floats(0.0, 0.5),
    "adoption__visit_rate": st.floats(0.0, 1.0),
    "buyers__n_buyers": st.integers(1, 12),
    "buyers__links_per_firm": st.integers(1, 4),
    "time__months": st.integers(12, 30),
    "run__common_random_numbers": st.booleans(),
})


def _step_checks(m: ScoreModel) -> None:
    """Check one month's state and outputs."""
    wk, f = m.workers, m.firms
    for arr in (wk.skill, wk.engagement, m.state.practice):
        assert np.all((arr >= 0) & (arr <= 1))
    assert np.all(wk.injured >= 0) and np.all(wk.tenure >= 0)
    assert np.all((wk.absent >= 0) & (wk.absent <= m.p.workforce.working_days + 1e-4))
    t = m.month - 1
    active = (m.state.exit_month < 0) | (m.state.exit_month >= t)     # in business during month t
    for k in SHARES:
        v = m.last[k]
        assert np.all((v[active] >= 0) & (v[active] <= 1)), k
        assert np.all(np.isnan(v[~active])), k                         # firms that exited record nothing
    for k in COUNTS:
        assert np.all(m.last[k][active] >= 0), k
        assert np.all(np.isnan(m.last[k][~active]) | (m.last[k][~active] == 0)), k
    # hires replace quits slot by slot: slots hired this month have tenure exactly 1
    assert np.array_equal(m.last["quits"].sum(axis=1), (wk.tenure == 1.0).sum(axis=1))
    assert np.all(m.last["accidents"] <= f.size)
    # every buyer with a supplier in business spreads the population's part of its orders over
    # those in business: 1 less what it buys elsewhere at the start, moving with attractiveness
    alive_links = m.state.alive[:, m.buyers.link_firm]
    served = np.stack([np.bincount(m.buyers.link_buyer, w, minlength=m.buyers.n) > 0 for w in alive_links])
    total = np.stack([np.bincount(m.buyers.link_buyer, s, minlength=m.buyers.n) for s in m.state.share])
    assert np.all((total[served] > 0) & (total[served] <= 1 + 1e-9)) and np.all(total[~served] == 0)
    assert np.all(m.state.share[~alive_links] == 0)
    # jobs: a positive workforce in business, none after exit; flows non-negative; hours and overtime
    staff = m.last["employment"]
    assert np.all(staff[m.state.alive] >= 1) and np.all(staff[~m.state.alive] == 0)
    for k in ("hires", "separations", "jobs_lost_exit", "hours", "adoption_cost"):
        assert np.all(np.nan_to_num(m.last[k]) >= 0), k
    assert np.all((np.nan_to_num(m.last["overtime"]) >= 0) & (np.nan_to_num(m.last["overtime"]) <= 1)), "overtime"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=scenarios, seed=st.integers(0, 2**32))
def test_state_stays_in_bounds_and_workforce_is_conserved(values, seed):
    m = ScoreModel(small(**values), seed=seed)
    n_workers, sizes = m.workers.n, m.firms.size.copy()
    assert n_workers == sizes.sum()
    while m.running:
        m.step()
        _step_checks(m)
    assert m.workers.n == n_workers
    assert np.array_equal(np.bincount(m.workers.firm, minlength=m.firms.n), sizes)
    # classroom participants: at most 2 managers + 2 workers per firm and module
    rec = m.recorder.programme
    assert np.all(rec["classroom_participants"] <= 4 * rec["workshops"])
    fees = rec["fee_programme"] + rec["fee_firms"] + rec["fee_sponsors"]
    np.testing.assert_allclose(fees.sum(), rec["workshops"].sum() * m.p.programme.cost_per_module_usd)


def test_same_seed_identical_different_seed_different():
    a = ScoreModel(small(), seed=5).run().recorder
    b = ScoreModel(small(), seed=5).run().recorder
    c = ScoreModel(small(), seed=6).run().recorder
    d = ScoreModel(small(), seed=5, replicate=1).run().recorder
    for k in FIRM_OUTPUTS:
        np.testing.assert_array_equal(a.panel[k], b.panel[k])
    assert not np.array_equal(a.panel["accidents"], c.panel["accidents"])
    assert not np.array_equal(a.panel["accidents"], d.panel["accidents"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(response=st.floats(0.0, 1.0), results=st.floats(0.0, 3.0), sd=st.floats(0.0, 0.5),
       optimism=st.floats(0.0, 0.2), reserve=st.floats(0.05, 3.0), seed=st.integers(0, 2**16))
def test_reports_and_jobs_stay_consistent(response, results, sd, optimism, reserve, seed):
    """Whatever the reporting process and however many firms exit: every participant has one
    status, shares lie in [0, 1], reporters are participants in business, and every job is
    either in a firm in business or lost with a firm that exited."""
    from scoresim.reporting import STATUS
    from scoresim.simulate import run

    ds = run(small(reporting__response_rate=response, reporting__response_results=results,
                   reporting__measurement_sd=sd, reporting__optimism=optimism, exit__reserve_months=reserve,
                   population__n_firms=40, programme__participants=25), seed=seed, replicates=2)
    part = ds["participant"].values.astype(bool)
    counts = ds["report_status_count"].values
    assert np.all(counts.sum(axis=1) == part.size)
    assert np.all(counts[:, STATUS.index("not_participant")] == (~part).sum())
    assert np.all(ds["n_reporting"].values == counts[:, STATUS.index("reported")])
    share = ds["share_reporting_improvement"].values
    assert np.all(np.isnan(share) | ((share >= 0) & (share <= 1)))
    status = ds["report_status"].values
    reported = status == STATUS.index("reported")
    assert not np.any(reported & ~part)
    assert np.all(np.isnan(ds["reported_change"].values[:, :, ~reported.any(axis=0)]))
    exits = ds["exit_month"].values                                  # (replicate, world, firm)
    workers = ds["workers"].values
    for t in (0, ds.sizes["time"] // 2, ds.sizes["time"] - 1):
        in_business = (exits < 0) | (exits >= t)
        lost = (exits >= 0) & (exits < t)
        assert np.all((in_business * workers).sum(-1) + (lost * workers).sum(-1) == workers.sum())
        # firms that exited before month t produce and employ nothing in it
        out = ds["output"].values[:, :, t]
        assert np.all(out[lost] == 0)
