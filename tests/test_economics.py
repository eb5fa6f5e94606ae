"""Firm economics from data, production to orders, jobs and what adoption costs the firm:
baseline margins and value added per worker inside their sources' ranges for every shipped
config, job accounting every month in both worlds, a programme that reaches nobody changes no
money or jobs outcome, a less elastic demand never gives more extra output, and the new inputs
are validated."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, assert_input_error, small
from scoresim import economics, money
from scoresim.config import load_scenario, set_values
from scoresim.model import ScoreModel
from scoresim.params import COUNTRY_DATA, REFERENCE_YEARS, SECTOR_DATA, Scenario, describe_parameters
from scoresim.processes import market, production
from scoresim.simulate import run

SCENARIOS = ["phase1", "osh_only", "buyer_sponsored", "full_package"]
PLANS = ["scaleup_national", "scaleup_garment_buyers"]
MARGIN = (0.02, 0.15)
"""Baseline pre-tax margins of manufacturing SMEs in these countries: a few per cent to about
15% (China small enterprises 5.9% in 2008, South Africa 4.4% in 2014, Indian auto parts about 6%,
contract electronics 2-5%: docs/model.md, Firm economics)."""
NATIONAL_VA = {"scaleup_national": (5500.0, 22000.0), "scaleup_garment_buyers": (5000.0, 15000.0)}
"""Ranges of value added per worker of the planner configs' one country (their comments, docs/scaleup.md)."""


def _scenario(name: str) -> Scenario:
    if name in PLANS:
        from scoresim.scaleup.commands import load_plan
        from scoresim.scaleup.simulate import model_scenario

        return model_scenario(load_plan(ROOT / "configs" / f"{name}.toml"))
    return load_scenario(ROOT / "configs" / f"{name}.toml")


def _va_range(scen: Scenario, country: str, sector: str, name: str) -> tuple[float, float]:
    """The source's range of value added per worker of a country and sector, 2010-2012 USD (the
    planner configs: their country's range at recent prices)."""
    mult = scen.population.sectors[sector].va_multiplier
    if country in COUNTRY_DATA:
        d = next(x for x in COUNTRY_DATA[country]["va_per_worker_usd_year"] if x.year == REFERENCE_YEARS)
        return d.low * mult, d.high * mult
    lo, hi = NATIONAL_VA[name]
    return lo * mult, hi * mult


@pytest.mark.slow
@pytest.mark.parametrize("name", SCENARIOS + PLANS)
def test_baseline_margins_and_value_added_per_worker_lie_in_their_sources_ranges(name):
    """Every country and sector of the config, 60 firms each, the first year without the
    programme: pre-tax margin (profit over revenue) and value added per person engaged (deflated
    to the sources' years by the country's wage path) inside their ranges."""
    scen = _scenario(name)
    for row in economics.baseline(scen, firms_per_cell=60, seed=1):
        lo, hi = _va_range(scen, row["country"], row["sector"], name)
        assert MARGIN[0] <= row["margin"] <= MARGIN[1], row
        assert lo <= row["va_per_worker"] <= hi, (row, lo, hi)


def test_unit_values_reproduce_the_shares_and_value_added_of_the_data():
    scen = Scenario()
    u = economics.unit_values(scen)
    base = economics.mean_firm(scen)
    for c, country in enumerate(scen.population.countries.values()):
        for s, sector in enumerate(scen.population.sectors.values()):
            v = 1 - sector.materials_share - sector.energy_share - sector.services_share
            rho = sector.price_usd_per_unit * base.revenue_factor
            good = 1 - sector.defect_rate * base.defect * (1 - scen.production.rework_share)
            sales = u.units_per_day[c, s] * base.good_per_worker_year * good * rho
            start = economics.paths(scen).start[c]
            assert sales * v == pytest.approx(country.va_per_worker_usd_year * sector.va_multiplier * start)
            assert u.services[c, s] == pytest.approx(sector.services_share * rho)


def test_every_documented_value_has_a_source_and_a_range():
    for table in (COUNTRY_DATA, SECTOR_DATA):
        for name, params in table.items():
            for param, rows in params.items():
                for d in rows:
                    assert d.source and d.unit and d.directness, (name, param)
                    assert d.low <= d.value <= d.high, (name, param, d)
    rows = {r["path"]: r for r in describe_parameters()}
    assert "NBS" in rows["population.countries.China.va_per_worker_usd_year"]["source"]
    assert "Annual Survey of Industries" in rows["population.countries.India.wage_usd_month"]["source"] \
        or "ASI" in rows["population.countries.India.wage_usd_month"]["source"]
    assert "range 0.45-0.68" in rows["population.sectors.garments.materials_share"]["source"]
    assert rows["population.sectors.garments.units_per_worker_day"]["default"] == "derived"


def test_wages_follow_the_series_and_prices_keep_the_labour_share():
    scen = load_scenario(ROOT / "configs" / "phase1.toml")
    paths = economics.paths(scen)
    china = list(scen.population.countries).index("China")
    years = economics.calendar_years(scen.time.start, scen.time.months)
    level = scen.population.countries["China"].wage_usd_month * paths.start[china] * paths.wage[:, china]
    mid_2012 = np.argmin(abs(years - 2012.5))
    assert level[mid_2012] == pytest.approx(417.0, rel=0.01)        # the 2012 value of the series
    t = np.arange(scen.time.months)
    np.testing.assert_allclose(paths.price[:, china] * np.exp(scen.drift.productivity * t / 12), paths.wage[:, china])
    off = economics.paths(set_values(scen, {"drift.wage_series": False}, origin="test"))
    np.testing.assert_allclose(off.price, 1.0)
    np.testing.assert_allclose(off.wage[:, china], np.exp(scen.drift.wages * t / 12))


# ---------------------------------------------------------------------- production to orders

def test_buyers_never_place_more_than_a_supplier_can_make():
    m = ScoreModel(small(), seed=3)
    for _ in range(24):
        m.step()
        hours = np.nan_to_num(m.last["hours"])
        cap = np.nan_to_num(m.last["good_output"]) / np.where(hours > 0, hours, 1.0)   # output at regular hours
        room = cap * (1 + m.p.production.overtime_max)
        assert np.all(m.orders <= room * (1 + 1e-9) + 1e-6)
    rng = np.random.default_rng(1)
    b = m.buyers
    wanted = rng.random((2, len(b.link_firm))) * 100
    capacity = rng.random((2, m.firms.n)) * 100
    placed = market.place(wanted, rng.random(wanted.shape), capacity, b)
    per_firm = market._per_firm(placed, b.link_firm, m.firms.n)
    assert np.all(per_firm <= capacity + 1e-9)
    per_buyer = lambda x: market._per_buyer_sum(x, b.link_buyer, b.n)  # noqa: E731
    assert np.all(per_buyer(placed) <= per_buyer(wanted) + 1e-9)


def test_phase1_firms_work_the_hours_their_orders_need():
    """Orders and capacity meet: without the programme, hours worked per paid hour stay near 1
    and the outside market takes about its share."""
    scen = set_values(load_scenario(ROOT / "configs" / "phase1.toml"), {"programme.participants": 0}, origin="test")
    m = ScoreModel(scen, seed=2, worlds=("counterfactual",))
    hours, orders, good = [], 0.0, 0.0
    for t in range(36):
        m.step()
        hours.append(m.last["hours"][0][m.state.alive[0]])
        if t >= 1:
            good += m.last["good_output"][0].sum()
        if t < 35:
            orders += m.orders[0].sum()
    h = np.concatenate(hours)
    assert 0.95 <= h.mean() <= 1.05 and np.quantile(h, 0.25) >= 0.85
    assert orders / good == pytest.approx(1 - scen.market.outside_demand, abs=0.05)


def _demand_case(elasticity: float, gain: float, state: dict, mc_base=None) -> production.Production:
    """One month of every firm of a population at its start, after a productivity gain ``gain``,
    at demand elasticity ``elasticity`` (``mc_base``: marginal cost the outside demand is
    anchored at; default the firms' month without the gain)."""
    m = state["model"]
    f, s, p = m.firms, m.state, m.p
    W = 1
    if mc_base is None:
        mc_base = _demand_case(0.0, 0.0, state, m.mc_base).marginal_cost
    demand = production.Demand(m.orders[:W], p.market.outside_demand * m.base_good * state["outside"], mc_base,
                               elasticity, p.market.spot_price, True)
    labour = production.Labour(np.ones((W, f.n)), f.wage * np.ones((W, f.n)), 1.0, p.production.overtime_max)
    n_prod = f.size - f.managers
    pr = production.produce(f, s.practice[:W], np.zeros((W, f.n)), 0.6 * n_prod * np.ones((W, f.n)),
                            0.45 * f.size * np.ones((W, f.n)), np.zeros((W, f.n)),
                            tuple(np.zeros((W, f.n)) for _ in range(3)), demand, np.zeros((W, f.n)),
                            np.zeros((W, f.n)), p.population.practice_mean, p.production, p.workforce,
                            1.0 + gain, labour)
    return pr


@pytest.fixture(scope="module")
def demand_state():
    m = ScoreModel(small(programme__participants=0), seed=7, worlds=("counterfactual",))
    return {"model": m, "outside": np.exp(m.outside_log)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(low=st.floats(1.01, 10.0), extra=st.floats(0.0, 15.0), gain=st.floats(0.0, 0.6))
def test_less_elastic_demand_never_gives_more_extra_output(demand_state, low, extra, gain):
    high = low + extra
    out = lambda e, g: _demand_case(e, g, demand_state).good_output  # noqa: E731
    gains = {e: out(e, gain) - out(e, 0.0) for e in (low, high, 0.0)}
    assert np.all(gains[low] <= gains[high] + 1e-6 * (1 + np.abs(gains[high])))
    assert np.all(gains[0.0] <= gains[low] + 1e-6 * (1 + np.abs(gains[low])))
    assert np.all(gains[0.0] >= -1e-9)          # more productive firms never sell less at a fixed demand


# ---------------------------------------------------------------------- jobs

def _flows(ds, world):
    x = {k: ds[k].sel(world=world).values.astype(float) for k in ("employment", "hires", "separations",
                                                                  "jobs_lost_exit")}
    return x


@pytest.mark.parametrize("values", [{}, {"jobs__adjustment": 0.5, "jobs__rent_sharing": 0.2},
                                    {"exit__reserve_months": 0.05}])
def test_hires_less_separations_less_exits_is_the_change_in_employment_every_month(values):
    ds = run(small(**values), seed=4, replicates=2)
    start = ds["workers"].values.astype(float)     # slots: the employment before month 0 is the
    for world in ("programme", "counterfactual"):  # first month's less that month's flows
        x = _flows(ds, world)
        change = x["hires"] - x["separations"] - x["jobs_lost_exit"]
        np.testing.assert_allclose(np.diff(x["employment"], axis=1), change[:, 1:], rtol=1e-5, atol=1e-3)
        before = x["employment"][:, 0] - change[:, 0]
        assert np.all(before >= 0) and np.all(before <= 5 * start)
    if values.get("exit__reserve_months"):
        assert ds["jobs_lost_exit"].sum() > 0


def test_a_programme_that_reaches_nobody_changes_no_money_or_jobs_outcome():
    ds = run(small(programme__participants=0), seed=5, replicates=2)
    j = money.jobs(ds)
    for k in ("net", "created", "destroyed", "job_years"):
        assert np.all(j[k] == 0.0), k
    for var in ("profit", "value_added", "employment", "adoption_cost", "revenue"):
        assert np.array_equal(ds[var].sel(world="programme").values, ds[var].sel(world="counterfactual").values,
                              equal_nan=True), var
    assert np.all(ds["adoption_cost"].values == 0)


def test_job_years_gained_never_exceed_worker_years_reached():
    ds = run(small(), seed=6, replicates=2)
    j = money.jobs(ds)
    part = ds["participant"].values
    T = ds.sizes["time"]
    reached = (ds["workers"].values[part] * (T - ds["enrol_month"].values[part])).sum() / 12.0
    assert np.all(j["job_years"] <= reached)
    assert np.all(j["created"] >= 0) and np.all(j["destroyed"] >= 0)
    np.testing.assert_allclose(j["net"], j["created"] - j["destroyed"])


def test_employment_follows_orders():
    """A firm whose orders fall lays off or leaves quits unreplaced: its workforce falls toward
    what the orders need, at the adjustment speed."""
    scen = small(programme__participants=0, shocks__scripted=[{"start": "2008-07", "end": "2010-12",
                                                             "change": -0.4, "buyers": "all"}])
    m = ScoreModel(scen, seed=8, worlds=("counterfactual",)).run()
    emp = m.recorder.panel["employment"][0].sum(axis=1)
    base = ScoreModel(small(programme__participants=0), seed=8, worlds=("counterfactual",)).run()
    ref = base.recorder.panel["employment"][0].sum(axis=1)
    assert emp[-1] < 0.85 * ref[-1]
    assert emp[5] == pytest.approx(ref[5], rel=0.02)


# ---------------------------------------------------------------------- adoption costs

def test_adoption_costs_fall_on_participants_in_the_programme_world_only():
    m = ScoreModel(small(), seed=9)
    costs = np.zeros((2, m.firms.n))
    for _ in range(m.p.time.months):
        m.step()
        costs += np.nan_to_num(m.last["adoption_cost"])
    assert np.all(costs[1] == 0)
    assert np.all(costs[0][~m.participant] == 0)
    assert (costs[0][m.participant] > 0).mean() > 0.9
    off = set_values(small(), {f"adoption_costs.{k}": 0.0 for k in Scenario().adoption_costs.model_dump()},
                     origin="test")
    m2 = ScoreModel(off, seed=9).run()
    assert np.all(m2.recorder.panel["adoption_cost"] == 0)


# ---------------------------------------------------------------------- validation

@pytest.mark.parametrize("text,field,allowed", [
    ("[population.sectors.food]\nmaterials_share = 0.9\nservices_share = 0.2\n", "population.sectors.food",
     "must not exceed 0.98"),
    ("[population.countries.India]\nwage_by_year = {2008 = 100.0, year = 120.0}\n",
     "population.countries.India", "not years 'YYYY'"),
    ("[population.countries.India]\nwage_by_year = {2008 = 5.0}\n", "population.countries.India", "[10, 10000]"),
    ("[population.countries.India]\nva_per_worker_usd_year = 50.0\n",
     "population.countries.India.va_per_worker_usd_year", "[100, 1e+06]"),
    ("[market]\ndemand_elasticity = 40.0\n", "market.demand_elasticity", "[0, 30]"),
    ("[market]\noutside_demand = 0.99\n", "market.outside_demand", "[0, 0.95]"),
    ("[market]\nelsewhere_share = 0.99\n", "market.elsewhere_share", "[0, 0.95]"),
    ("[jobs]\nadjustment = 1.5\n", "jobs.adjustment", "[0, 1]"),
    ("[adoption_costs]\nosh_usd_per_worker = -1.0\n", "adoption_costs.osh_usd_per_worker", "[0, 10000]"),
    ("[production]\novertime_max = 2.0\n", "production.overtime_max", "[0, 1]"),
])
def test_bad_economics_inputs_name_file_field_and_range(text, field, allowed, capsys, work):
    cfg = work / "bad_economics.toml"
    cfg.write_text('name = "bad"\n' + text)
    err = assert_input_error(["run", str(cfg)], capsys, work, str(cfg), field, allowed)
    assert err


def test_bad_planner_displacement_is_refused(capsys, work):
    base = (ROOT / "configs" / "scaleup_national.toml").read_text()
    cfg = work / "bad_plan.toml"
    cfg.write_text(base.replace("discount_rate = 0.05", "discount_rate = 0.05\ndisplacement = 1.5"))
    assert_input_error(["scaleup", str(cfg)], capsys, work, str(cfg), "economics.displacement", "[0, 1]")


def test_va_scale_moves_value_added_and_wages_together_and_wage_scale_the_labour_share():
    """The sampling parameters of the economics: va_scale keeps margins, wage_scale lowers them."""
    base = set_values(Scenario(), {"population.countries": {"India": {"weight": 1.0}},
                                   "population.sectors": {"garments": {"weight": 1.0}}}, origin="test")
    rows = {}
    for name, values in (("base", {}), ("va", {"population.va_scale": 2.0}), ("wage", {"population.wage_scale": 1.3})):
        scen = set_values(base, values, origin="test") if values else base
        rows[name] = economics.baseline(scen, firms_per_cell=80, seed=3)[0]
    assert rows["va"]["va_per_worker"] == pytest.approx(2 * rows["base"]["va_per_worker"], rel=0.03)
    assert rows["va"]["margin"] == pytest.approx(rows["base"]["margin"], abs=0.005)
    assert rows["wage"]["labour_share"] == pytest.approx(1.3 * rows["base"]["labour_share"], rel=0.03)
    assert rows["wage"]["margin"] < rows["base"]["margin"] - 0.02
