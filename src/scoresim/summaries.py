"""Named scalar summaries of a SCORE run: what experiments, calibration and planners compare.

Each summary maps a run's dataset (:func:`scoresim.simulate.run`) to one number per
replicate. Names are ``<statistic>.<indicator>`` for the participant reports of
:mod:`scoresim.reporting` (``effect.accidents``, ``share_improving.defects``...) and plain
names for programme totals (``cost_per_firm_usd``...). :data:`SUMMARIES` lists them with their
units; ``scoresim params`` does not, ``docs/experiments.md`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import xarray as xr

from . import money
from .estimands import ESTIMAND_LABELS, causal
from .indicators import INDICATORS, POOLED
from .money import FEES
from .numerics import quiet
from .params import AREAS
from .reporting import STATUS


@dataclass(frozen=True)
class Summary:
    """A scalar summary: a function of the run dataset returning (replicate,) values."""

    units: str
    doc: str
    compute: Callable[[xr.Dataset], np.ndarray]


def _report(var: str, name: str) -> Callable[[xr.Dataset], np.ndarray]:
    return lambda ds: ds[var].sel(indicator=name).values.astype(float)


def _programme_world(ds: xr.Dataset) -> xr.Dataset:
    return ds.sel(world="programme")


def _cost(ds: xr.Dataset) -> np.ndarray:
    """(replicate,) USD: module fees of every payer over the simulated period."""
    p = _programme_world(ds)
    return sum(p[k].sum("time").values for k in FEES)


def _participants(ds: xr.Dataset) -> np.ndarray:
    n = float(ds["participant"].sum())
    return np.full(ds.sizes["replicate"], n)


def _accidents_averted(ds: xr.Dataset) -> np.ndarray:
    """(replicate,) accidents in participants from their first workshop to the end of the run,
    counterfactual world less programme world (months after a firm's exit count 0)."""
    part = ds["participant"].values.astype(bool)
    if not part.any() or "counterfactual" not in ds["world"].values:
        return np.full(ds.sizes["replicate"], np.nan if not part.any() else 0.0)
    acc = ds["accidents"].isel(firm=np.flatnonzero(part)).fillna(0)
    enrol = ds["enrol_month"].values[part]
    after = np.arange(ds.sizes["time"])[:, None] >= enrol[None, :]          # (time, firm)
    diff = acc.sel(world="counterfactual").values - acc.sel(world="programme").values
    return (diff * after).sum(axis=(1, 2)).astype(float)


def _averted_per_100(ds: xr.Dataset) -> np.ndarray:
    """(replicate,) accidents averted per 100 workers a year in the after-window of the
    participants the causal effect counts (the same firms and months as ``effect.accidents``)."""
    i = list(ds["indicator"].values).index("accidents")
    eff = ds["firm_effect"].values[:, i]
    after = ds["window_after"].values[:, i]                 # (replicate, firm) accidents/month
    cf = ds["window_after_counterfactual"].values[:, i]
    ok = np.isfinite(after) & np.isfinite(cf) & (np.isfinite(eff) | (cf == 0))
    workers = (ds["workers"].values[None, :] * ok).sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(workers > 0, 1200.0 * np.where(ok, cf - after, 0.0).sum(axis=1) / workers, np.nan)


def _median_change(name: str) -> Callable[[xr.Dataset], np.ndarray]:
    def median(ds: xr.Dataset) -> np.ndarray:
        x = ds["reported_change"].sel(indicator=name).values        # (replicate, firm), NaN: cannot report
        out = np.full(x.shape[0], np.nan)
        ok = np.isfinite(x).any(axis=1)
        out[ok] = np.nanmedian(x[ok], axis=1)
        return out
    return median


def _classroom(ds: xr.Dataset) -> np.ndarray:
    return _programme_world(ds)["classroom_participants"].sum("time").values.astype(float)


def _savings_p95(ds: xr.Dataset) -> np.ndarray:
    return money.savings_quantile(ds, 0.95)


def _payback(ds: xr.Dataset) -> np.ndarray:
    """(replicate,) months: median over reporting participants of the months of reported
    savings that pay the module cost per participant (every payer; inf without savings)."""
    m = money.payback_months(ds)
    with quiet():
        return np.nanmedian(m, axis=1) if m.shape[1] else np.full(ds.sizes["replicate"], np.nan)


def _per(num: Callable[[xr.Dataset], np.ndarray], den: Callable[[xr.Dataset], np.ndarray]):
    def ratio(ds: xr.Dataset) -> np.ndarray:
        d = den(ds)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(d > 0, num(ds) / np.where(d > 0, d, 1.0), np.nan)
    return ratio


def _modules(ds: xr.Dataset) -> np.ndarray:
    return _programme_world(ds)["workshops"].sum("time").values.astype(float)


def _status_share(status: str) -> Callable[[xr.Dataset], np.ndarray]:
    """Share of participants (with windows in the period) in a monitoring ``status``."""
    def share(ds: xr.Dataset) -> np.ndarray:
        counts = ds["report_status_count"]
        asked = counts.sel(status=["reported", "silent", "exited"]).sum("status").values.astype(float)
        with quiet():
            return np.where(asked > 0, counts.sel(status=status).values / asked, np.nan)
    return share


def _dropouts(ds: xr.Dataset) -> np.ndarray:
    part = ds["participant"].values.astype(bool)
    with quiet():
        return (ds["dropout_month"].values[:, part] >= 0).mean(axis=1) if part.any() else \
            np.full(ds.sizes["replicate"], np.nan)


def _exits(world: str) -> Callable[[xr.Dataset], np.ndarray]:
    def count(ds: xr.Dataset) -> np.ndarray:
        if world not in ds["world"].values:
            return np.full(ds.sizes["replicate"], np.nan)
        return (ds["exit_month"].sel(world=world).values >= 0).sum(axis=1).astype(float)
    return count


def _jobs(key: str) -> Callable[[xr.Dataset], np.ndarray]:
    return lambda ds: money.jobs(ds)[key]


def _causal_money(var: str) -> Callable[[xr.Dataset], np.ndarray]:
    return lambda ds: money.mean_over_firms(money.causal_change(ds, var))


def _causal_valid(ds: xr.Dataset) -> np.ndarray:
    """(replicate, firm) participants the causal effect counts: both windows in the period, in
    business to the end of the after-window in both worlds."""
    status = ds["report_status"].values
    ok = (status == STATUS.index("reported")) | (status == STATUS.index("silent"))
    if "counterfactual" not in ds["world"].values:
        return np.zeros_like(ok)
    lag, length = int(ds.attrs["report_lag_months"]), int(ds.attrs["report_window_months"])
    last = ds["completion_month"].values + lag + length
    exit_cf = ds["exit_month"].sel(world="counterfactual").values
    return ok & ((exit_cf < 0) | (exit_cf >= last))


def _group_effect(ds: xr.Dataset, name: str, group: np.ndarray) -> np.ndarray:
    """(replicate,) causal effect on ``name`` among the participants in ``group`` (firm,), as
    :mod:`scoresim.estimands` aggregates it (pooled counts, geometric mean ratio, or points)."""
    i = list(ds["indicator"].values).index(name)
    valid = _causal_valid(ds) & group[None, :]
    after, cf = ds["window_after"].values[:, i], ds["window_after_counterfactual"].values[:, i]
    valid &= np.isfinite(after) & np.isfinite(cf)
    ind = INDICATORS[name]
    return causal(np.nan_to_num(after), np.nan_to_num(cf), valid, ind.kind, name in POOLED)[1]


def _module_effect(area: str, name: str) -> Callable[[xr.Dataset], np.ndarray]:
    """The causal effect of one module on an indicator: among participants that took it against
    those that did not (a ratio of the two groups' effects; a difference in practice points),
    or, for a module every participant took (Module 1), among those that took it alone."""
    a = AREAS.index(area)

    def effect(ds: xr.Dataset) -> np.ndarray:
        part = ds["participant"].values.astype(bool)
        taken = ds["module_taken"].values.astype(bool) & part[:, None]
        takers = taken[:, a]
        if not takers.any():
            return np.full(ds.sizes["replicate"], np.nan)
        if takers.sum() == part.sum():
            return _group_effect(ds, name, takers & (taken.sum(axis=1) == 1))
        with_it, without = _group_effect(ds, name, takers), _group_effect(ds, name, part & ~takers)
        with quiet():
            if INDICATORS[name].kind == "points":
                return with_it - without
            return (1.0 + with_it) / (1.0 + without) - 1.0
    return effect


def _catalogue() -> dict[str, Summary]:
    out: dict[str, Summary] = {}
    for name, ind in INDICATORS.items():
        unit = "practice level (0-1 scale)" if ind.kind == "points" else "relative change (fraction)"
        out[f"effect.{name}"] = Summary(unit, f"causal effect on participants' {name}: programme vs "
                                        "counterfactual world, after completion", _report("effect", name))
        out[f"reported_change.{name}"] = Summary(unit, f"mean change in {name} participants would report, "
                                                 "after completion vs before enrolment",
                                                 _report("mean_reported_change", name))
        out[f"share_improving.{name}"] = Summary("share of participants", f"share of reporting participants "
                                                 f"reporting improved {name}",
                                                 _report("share_reporting_improvement", name))
        out[f"did.{name}"] = Summary(unit, f"{ESTIMAND_LABELS['did']} of {name}: participants' change less "
                                     "non-participants' change over the same months", _report("did_estimate", name))
        out[f"median_reported_change.{name}"] = Summary(unit, f"median over participants of the change in {name} "
                                                        "they would report", _median_change(name))
        for area in AREAS:
            out[f"module_effect.{area}.{name}"] = Summary(
                unit, f"causal effect of the {area} module on {name}: participants that took it against those "
                "that did not (a module all took: those that took it alone)", _module_effect(area, name))
    out.update({
        "reporting_share": Summary("1", "share of participants that return monitoring data",
                                   _status_share("reported")),
        "silent_share": Summary("1", "share of participants in business that return no monitoring data",
                                _status_share("silent")),
        "exited_share": Summary("1", "share of participants that exit before the end of their after-window",
                                _status_share("exited")),
        "dropout_share": Summary("1", "share of participants that stop in the middle of a module", _dropouts),
        "exits.programme": Summary("firms", "firms that exit during the run, programme world", _exits("programme")),
        "exits.counterfactual": Summary("firms", "firms that exit during the run, counterfactual world",
                                        _exits("counterfactual")),
        "jobs_effect": Summary("persons", "persons engaged at the end of the run, programme less counterfactual "
                               "world, all firms (hires and layoffs follow orders; exits destroy jobs)", _jobs("net")),
        "jobs_created": Summary("persons", "jobs created by the programme at the end of the run: firms with more "
                                "persons engaged than without it", _jobs("created")),
        "jobs_destroyed": Summary("persons", "jobs destroyed by the programme at the end of the run: firms with "
                                  "fewer persons engaged than without it", _jobs("destroyed")),
        "job_years": Summary("person-years", "persons engaged, programme less counterfactual world, summed over "
                             "the run (all firms)", _jobs("job_years")),
        "profit_effect_usd": Summary("USD/firm/month", "causal change in participants' profit after completion",
                                     _causal_money("profit")),
        "value_added_effect_usd": Summary("USD/firm/month", "causal change in participants' value added after "
                                          "completion", _causal_money("value_added")),
        "savings_3m_usd_median": Summary("USD/firm", "median over reporting participants of three months' cost "
                                         "savings as they would report them", lambda ds: money.savings_quantile(ds, 0.5)),
        "savings_3m_usd_p95_true": Summary("USD/firm", "95th percentile over the participants that could report of "
                                           "three months' before/after savings from their true window means (no "
                                           "reporting error; not an effect)",
                                           lambda ds: money.savings_quantile(ds, 0.95, reported=False)),
        "jobs_net_participants": Summary("persons", "persons engaged at the end of the run, programme less "
                                         "counterfactual, participants", lambda ds: money.jobs_by_role(ds)["participants"]),
        "jobs_net_others": Summary("persons", "persons engaged at the end of the run, programme less counterfactual, "
                                   "firms that did not take part", lambda ds: money.jobs_by_role(ds)["others"]),
        "cost_recovered_1m_share": Summary("1", "share of reporting participants whose reported monthly savings "
                                           "pay the module cost per participant", money.recovered_within),
        "accidents_averted_per_100_workers": Summary(
            "accidents/100 workers/year", "accidents averted in participants' after-window, per 100 "
            "workers a year", _averted_per_100),
        "accidents_averted": Summary("accidents", "accidents averted in participants from their first "
                                     "workshop to the end of the run", _accidents_averted),
        "participants": Summary("firms", "firms enrolled", _participants),
        "classroom_participants": Summary("persons", "managers and workers trained in workshops", _classroom),
        "savings_3m_usd_p95": Summary("USD/firm", "95th percentile over reporting participants of three months' "
                                      "cost savings as they would report them (fall in reported cost per good unit "
                                      "times good output, current prices)", _savings_p95),
        "payback_months_median": Summary("months", "median over reporting participants of the months of reported "
                                         "savings that pay the module cost per participant (every payer)", _payback),
        "modules_per_participant": Summary("modules/firm", "modules delivered per enrolled firm",
                                           _per(_modules, _participants)),
        "cost_usd": Summary("USD", "module fees of all payers (programme, firms, sponsors)", _cost),
        "cost_per_firm_usd": Summary("USD/firm", "module fees per enrolled firm", _per(_cost, _participants)),
        "cost_per_accident_averted_usd": Summary(
            "USD/accident", "module fees per accident averted (NaN when none is averted)",
            _per(_cost, _accidents_averted)),
    })
    return out


SUMMARIES: dict[str, Summary] = _catalogue()


def needs_counterfactual(names: list[str] | tuple[str, ...]) -> bool:
    """Whether any of the summaries compares with the counterfactual world (causal effects,
    averted accidents); the others are computed from the programme world alone."""
    return any(n.startswith(("effect.", "module_effect.")) or "averted" in n or n.startswith("job")
               or n.endswith("_effect_usd") or n == "exits.counterfactual" for n in names)


def summarise(ds: xr.Dataset, names: list[str] | tuple[str, ...]) -> dict[str, np.ndarray]:
    """The named summaries of a run dataset, each a (replicate,) float array."""
    return {n: np.asarray(SUMMARIES[n].compute(ds), dtype=float) for n in names}
