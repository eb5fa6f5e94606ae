"""Run a scenario: one replicate or an ensemble, returned as a labelled ``xarray.Dataset``.

This is the boundary every experiment calls: :func:`run` takes a validated scenario and a
seed and returns the dataset. The population and delivery plan depend on the seed only; the
process streams of replicate ``r`` on (seed, r), so replicates share firm labels and differ
in their random events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd
import xarray as xr

from .model import WORLDS, ScoreModel, replicate_seed
from .params import AREAS, Scenario
from .recorder import FIRM_OUTPUTS, PRACTICE, PROGRAMME_OUTPUTS
from .coords import label
from .reporting import report_dataset

if TYPE_CHECKING:
    from .calibration.posterior import Posterior


def run_model(scenario: Scenario, seed: int, replicate: int = 0,
              worlds: tuple[str, ...] = WORLDS) -> ScoreModel:
    """Simulate one replicate to the end and return the model."""
    return ScoreModel(scenario, seed=seed, replicate=replicate, worlds=worlds).run()


def run(scenario: Scenario, seed: int | None = None, replicates: int | None = None,
        worlds: tuple[str, ...] = WORLDS,
        progress: Callable[[int], None] | None = None, posterior: "Posterior | None" = None,
        first: int = 0) -> xr.Dataset:
    """Simulate ``replicates`` replicates of ``scenario`` and return one Dataset with reports.

    ``progress``, if given, is called with 1 after each replicate. With ``posterior``, replicate
    ``r`` runs with posterior draw ``r mod draws`` of the calibrated parameters, so the spread
    over replicates combines parameter and stochastic uncertainty. Replicates are numbered from
    ``first`` (their random numbers depend on (seed, number)).
    """
    ds = simulate(scenario, seed, replicates, worlds, progress, posterior, first)
    return label(xr.merge([ds, report_dataset(ds, scenario.reporting)], combine_attrs="override"))


def simulate(scenario: Scenario, seed: int | None = None, replicates: int | None = None,
             worlds: tuple[str, ...] = WORLDS, progress: Callable[[int], None] | None = None,
             posterior: "Posterior | None" = None, first: int = 0) -> xr.Dataset:
    """The recorded panel of ``replicates`` replicates, without reports (:func:`run` adds
    them; several reporting processes can be applied to one simulation)."""
    seed = int(scenario.run.seed if seed is None else seed)
    replicates = int(scenario.run.replicates if replicates is None else replicates)
    models = []
    panels, practice, programme, groups, group_practice, fates = [], [], [], [], [], []
    numbers = range(first, first + replicates)
    for r in numbers:
        scen = scenario if posterior is None else _with_draw(scenario, posterior, r)
        m = run_model(scen, seed, r, worlds)
        if models:
            _same_firms(models[0], m)
        rec = m.recorder
        panels.append(rec.panel)
        practice.append(rec.practice)
        programme.append(rec.programme)
        fates.append(_fates(m))
        if rec.group is not None:
            groups.append(rec.groups)
            group_practice.append(rec.group_practice)
        if not models:
            models.append(m)
        if progress:
            progress(1)
    ds = _dataset(models[0], panels, practice, programme, groups, group_practice, fates)
    ds = ds.assign_coords(replicate=np.arange(first, first + replicates))
    ds.attrs.update({"seed": seed, "replicates": replicates,
                     "report_window_months": scenario.reporting.window_months,
                     "report_lag_months": scenario.reporting.lag_months,
                     "replicate_seeds": ",".join(str(replicate_seed(seed, r)) for r in numbers)})
    if posterior is not None:
        ds = ds.assign_coords(posterior_draw=("replicate", np.arange(first, first + replicates) % posterior.n,
                                              {"long_name": "posterior draw of the replicate"}))
        ds["posterior_value"] = (("replicate", "calibrated_parameter"),
                                 np.array([[posterior.draw(r)[k] for k in posterior.names] for r in numbers]),
                                 {"long_name": "calibrated parameter values of the replicate",
                                  "units": "parameter units"})
        ds = ds.assign_coords(calibrated_parameter=list(posterior.names))
        ds.attrs.update(posterior=posterior.origin, posterior_sha256=posterior.digest, posterior_draws=posterior.n)
    return ds


def _with_draw(scenario: Scenario, posterior: "Posterior", r: int) -> Scenario:
    from .calibration.posterior import scenario_for

    return scenario_for(scenario, posterior, r)


def _same_firms(first: ScoreModel, m: ScoreModel) -> None:
    """Replicates share firm labels: parameters that change the firms cannot vary across them."""
    if not (np.array_equal(first.participant, m.participant) and np.array_equal(first.firms.size, m.firms.size)
            and np.array_equal(first.schedule_plan.firm, m.schedule_plan.firm)):
        raise ValueError("the replicates' firms or participants differ: a posterior (or per-replicate) parameter "
                         "changes the population or the delivery plan, which replicates must share")


def _fates(m: ScoreModel) -> dict[str, np.ndarray]:
    """What happened to the recorded firms in a replicate: exit month per world (W, K),
    completion and dropout month (K,) (-1: none)."""
    idx, sched, f = m.recorder.panel_firms, m.schedule_plan, m.firms
    done = np.full(f.n, -1)
    dropped = np.full(f.n, -1)
    if sched.n:
        done[sched.firm] = np.where(m.dropped_at >= 0, m.dropped_at - 1, m.planned_completion)
        dropped[sched.firm] = m.dropped_at
    return {"exit_month": m.state.exit_month[:, idx], "completion_month": done[idx], "dropout_month": dropped[idx]}


def _stack(items: list[dict[str, np.ndarray]], key: str) -> np.ndarray:
    return np.stack([it[key] for it in items])


def _dataset(m: ScoreModel, panels, practice, programme, groups, group_practice, fates) -> xr.Dataset:
    p, f, rec = m.p, m.firms, m.recorder
    idx = rec.panel_firms
    time = pd.date_range(p.time.start + "-01", periods=p.time.months, freq="MS")
    sched = m.schedule_plan
    enrol = np.full(f.n, -1)
    taken = np.zeros((f.n, len(AREAS)), bool)
    sponsored = np.zeros(f.n, bool)
    if sched.n:
        enrol[sched.firm] = sched.enrol
        taken[sched.firm] = sched.taken
        sponsored[sched.firm] = sched.sponsored
    countries = np.array(list(p.population.countries))
    sectors = np.array(list(p.population.sectors))
    dims = ("replicate", "world", "time", "firm")
    data = {k: (dims, _stack(panels, k), {"units": u, "long_name": ln})
            for k, (u, ln, _) in FIRM_OUTPUTS.items()}
    data[PRACTICE[0]] = (dims + ("area",), np.stack(practice), {"units": PRACTICE[1], "long_name": PRACTICE[2]})
    for k, (u, ln) in PROGRAMME_OUTPUTS.items():
        data[k] = (("replicate", "world", "time"), _stack(programme, k), {"units": u, "long_name": ln})
    coords = {
        "replicate": np.arange(len(panels)), "world": list(m.worlds), "time": time,
        "firm": idx, "area": list(AREAS),
        "country": ("firm", countries[f.country[idx]]), "sector": ("firm", sectors[f.sector[idx]]),
        "workers": ("firm", f.size[idx], {"units": "persons", "long_name": "staff incl. managers"}),
        "participant": ("firm", m.participant[idx]),
        "sponsored": ("firm", sponsored[idx], {"long_name": "supplier of a sponsoring buyer, enrolled"}),
        "enrol_month": ("firm", enrol[idx], {"units": "month index", "long_name": "first workshop (-1: none)"}),
        "module_taken": (("firm", "area"), taken[idx], {"long_name": "module planned for the participant"}),
    }
    data["completion_month"] = (("replicate", "firm"), _stack(fates, "completion_month"), {
        "units": "month index", "long_name": "last consulting month, or the month before dropping out (-1: none)"})
    data["dropout_month"] = (("replicate", "firm"), _stack(fates, "dropout_month"), {
        "units": "month index", "long_name": "month the participant stopped mid-module (-1: none)"})
    data["exit_month"] = (("replicate", "world", "firm"), _stack(fates, "exit_month"), {
        "units": "month index", "long_name": "last month in business before exit (-1: none)"})
    if groups:
        n_s = len(sectors)
        g = np.arange(rec.n_groups)
        coords.update({"group": g, "group_country": ("group", countries[g // 2 // n_s]),
                       "group_sector": ("group", sectors[(g // 2) % n_s]),
                       "group_participant": ("group", (g % 2).astype(bool))})
        gdims = ("replicate", "world", "time", "group")
        for k, (u, ln, how) in FIRM_OUTPUTS.items():
            data[f"group_{k}"] = (gdims, _stack(groups, k), {"units": u, "long_name": f"{ln} ({how} over group)"})
        data["group_practice"] = (gdims + ("area",), np.stack(group_practice),
                                  {"units": "1", "long_name": "worker-weighted mean practice over group"})
    return xr.Dataset(data, coords=coords, attrs={"title": f"scoresim run: {p.name}",
                                                  "recording_level": p.recording.level})
