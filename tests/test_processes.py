"""Known answers for the pure update rules and the delivery plan."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

from scoresim.modules import build_schedule, cohort_months, spread_visits
from scoresim.model import ScoreModel
from scoresim.params import AREAS, AdoptionParams, SuggestionParams
from scoresim.processes import adoption, suggestions
from scoresim.rng import Streams, generator

from conftest import small


@settings(max_examples=50, deadline=None)
@given(visits=st.integers(0, 12), months=st.integers(1, 24))
def test_visits_are_spread_evenly_and_all_delivered(visits, months):
    v = spread_visits(visits, months)
    assert len(v) == months and v.sum() == visits
    assert v.max() - v.min() <= 1


def test_cohorts_fill_the_enrolment_window_in_groups():
    months = cohort_months(np.arange(23), 5, 12, 60)
    assert months.min() == 12 and months.max() == 60
    assert np.all(np.bincount(months)[np.unique(months)] <= 5)
    assert len(np.unique(months)) == 5


def test_module_one_first_dropout_and_horizon():
    m = ScoreModel(small(programme__modules_per_firm=5.0, programme__dropout=0.0, time__months=200), seed=2)
    start = m.schedule_plan.start
    assert np.all((start >= 0).sum(axis=1) == 5)             # mean 5 and no dropout: all five
    assert np.all(start[:, 0] == start.min(axis=1))          # cooperation first
    period = 1 + m.p.programme.visit_months + m.p.programme.gap_months
    assert np.all(np.diff(np.sort(start, axis=1), axis=1) == period)
    two = ScoreModel(small(programme__modules_per_firm=2.0, population__n_firms=400,
                           programme__participants=400, programme__dropout=0.0, time__months=200), seed=2)
    taken = (two.schedule_plan.start >= 0).sum(axis=1)
    assert abs(taken.mean() - 2.0) < 0.15 and taken.min() >= 1 and taken.max() <= 5
    only_first = ScoreModel(small(programme__modules_per_firm=5.0, programme__dropout=1.0), seed=2)
    assert np.all((only_first.schedule_plan.start >= 0).sum(axis=1) == 1)
    osh = ScoreModel(small(programme__modules=["osh"]), seed=2).schedule_plan
    assert np.all(osh.start[:, AREAS.index("osh")] >= 0) and np.all((osh.start >= 0).sum(axis=1) == 1)


def test_sponsored_suppliers_enrol_first():
    sc = small(buyers__sponsor_share=1.0, buyers__international_share=0.3,
               programme__targeting="sponsored_first", programme__participants=5, population__n_firms=40)
    m = ScoreModel(sc, seed=4)
    from scoresim.modules import sponsored_firms
    sponsored = sponsored_firms(m.firms, m.buyers)
    assert sponsored.sum() >= 5
    assert sponsored[m.schedule_plan.firm].all()


def test_adoption_closes_the_gap_geometrically():
    a = AdoptionParams(visit_rate=0.25, classroom_rate=0.0, target=0.8)
    p0 = np.full((1, 5), 0.2)
    speed = np.ones(1)
    p1 = adoption.adopt(p0, np.zeros((1, 5), bool), np.full((1, 5), 3), speed, a)
    np.testing.assert_allclose(p1, 0.8 - 0.6 * 0.75**3)
    # at or above target, nothing moves
    np.testing.assert_array_equal(adoption.adopt(np.full((1, 5), 0.9), np.ones((1, 5), bool),
                                                 np.full((1, 5), 3), speed, a), 0.9)


def test_decay_halves_the_excess_at_the_documented_rate():
    a = AdoptionParams(decay=0.007, team_decay_factor=0.5)
    base = np.zeros((1, 5))
    p = np.full((2, 1, 5), 0.5)
    team = np.array([[False], [True]])
    for _ in range(99):
        p = adoption.decay(p, base, team, a)
    np.testing.assert_allclose(p[0], 0.5 * (1 - 0.007) ** 99)
    np.testing.assert_allclose(p[1], 0.5 * (1 - 0.0035) ** 99)
    # about half the excess is gone after 8-9 years without a team (Bloom et al. 2020)
    assert 0.4 < (1 - 0.007) ** 102 < 0.55


def test_poisson_inverse_has_the_poisson_distribution_and_is_monotone():
    rng = np.random.default_rng(0)
    u = rng.random(200_000)
    for mean in (0.3, 4.0, 80.0):
        x = suggestions.poisson_inverse(u, np.full(u.shape, mean))
        assert abs(x.mean() - mean) < 4 * np.sqrt(mean / len(u)) + 0.02 * (mean > 50)
        if mean < 50:
            counts = np.bincount(x.astype(int), minlength=12)[:12]
            expected = stats.poisson.pmf(np.arange(12), mean) * len(u)
            keep = expected > 20
            assert stats.chisquare(counts[keep], expected[keep] * counts[keep].sum() / expected[keep].sum()).pvalue > 1e-4
    lo = suggestions.poisson_inverse(u[:1000], np.full(1000, 1.0))
    hi = suggestions.poisson_inverse(u[:1000], np.full(1000, 2.0))
    assert np.all(hi >= lo)


def test_gains_erode_to_their_steady_state():
    s = SuggestionParams(erosion=0.02)
    g = np.zeros(1)
    for _ in range(2000):
        g = suggestions.accumulate(g, np.ones(1), 0.001, s)
    np.testing.assert_allclose(g, suggestions.steady_gain(np.ones(1), 0.001, s), rtol=1e-6)


def test_streams_are_named_independent_and_shared_under_crn():
    a = Streams(1, 2, common=True)
    b = Streams(1, 2, common=False)
    ua = a.uniform("accident", (5,))
    ub = b.uniform("accident", (5,))
    assert ua.shape == (5,) and ub.shape == (2, 5)
    np.testing.assert_array_equal(ua, ub[0])               # world 0 draws the same either way
    assert not np.array_equal(ub[0], ub[1])
    assert not np.array_equal(generator(1, "absence").random(3), generator(1, "accident").random(3))
    with pytest.raises(KeyError):
        generator(1, "no-such-stream")


def test_accident_rate_starts_at_the_sector_baseline():
    m = ScoreModel(small(population__n_firms=400, programme__participants=0, time__months=24,
                         run__replicates=1), seed=9).run()
    size = m.firms.size
    expected = (m.firms.hazard_base * size).sum() * 1200 / size.sum()
    observed = m.recorder.panel["accidents"][1].sum() / m.p.time.months * 1200 / size.sum()
    assert abs(observed / expected - 1) < 0.12


def test_schedule_depends_on_seed_not_replicate():
    a = ScoreModel(small(), seed=3, replicate=0).schedule_plan
    b = ScoreModel(small(), seed=3, replicate=5).schedule_plan
    np.testing.assert_array_equal(a.start, b.start)
    sc = small()
    m = ScoreModel(sc, seed=3)
    again = build_schedule(sc, m.firms, m.buyers, generator(3, "delivery"), m.performance())
    np.testing.assert_array_equal(again.start, a.start)
