"""What participants report, what an evaluator would find, and what the programme caused.

SCORE's Phase I figures are self-reported before/after changes with no comparison group. For
each participant, replicate and indicator this module computes from the run's panel:

* its *windows*: the indicator's mean over the ``window_months`` before its first workshop and
  over the ``window_months`` after it completed (or dropped out), after ``lag_months``, in the
  programme world, and over the same after-window in the counterfactual world;
* its *status*: windows outside the simulated period, exited (the firm closed before the end
  of its after-window), silent (it survived but returned no monitoring data) or reported;
* what it *reports* (:mod:`scoresim.observation`): the change between the levels it writes
  down, relative ((after - before) / before) or, for adoption, in practice points, and whether
  that is an improvement beyond ``threshold`` (``adoption_threshold`` points);
* the three estimands of :mod:`scoresim.estimands` per replicate: the mean reported change and
  the share reporting improvement over reporters (monitoring), the evaluator's
  difference in differences, and the causal effect.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .estimands import ESTIMAND_LABELS, ESTIMANDS, causal, comparison_weights, did, did_aggregate, monitoring
from .indicators import INDICATORS, POOLED, cumulative, indicator_panel, window_means
from .numerics import quiet
from .observation import draws, reported_levels, reported_savings, responds, results_score, savings_draws
from .params import ReportingParams

STATUS = ("not_participant", "reported", "silent", "exited", "outside_period")
"""Report status of a firm in a replicate (the ``report_status`` codes, in this order)."""

DID_BLOCK = 128
"""Participants per block of the difference in differences (bounds its (R, P, C) memory)."""


def windows(ds: xr.Dataset, rp: ReportingParams) -> dict[str, np.ndarray]:
    """Window starts and who can be counted: ``before`` (K,), ``after`` (R, K) (-1: none),
    ``in_period`` (R, K): both windows inside the simulated period, ``survived`` (R, K):
    in business to the end of the after-window in the programme world, and ``survived_cf``
    (R, K) in the counterfactual (True when it is not simulated)."""
    R, T, L = ds.sizes["replicate"], ds.sizes["time"], rp.window_months
    part = ds["participant"].values.astype(bool)
    completion = np.broadcast_to(ds["completion_month"].values, (R, ds.sizes["firm"]))
    before = np.where(part, ds["enrol_month"].values - L, -1)
    after = np.where(part, completion + 1 + rp.lag_months, -1)
    in_period = part & (before >= 0) & (after >= 0) & (after + L <= T)
    exit_month = _exit_months(ds)
    last = after + L - 1
    alive = lambda e: (e < 0) | (e >= last)  # noqa: E731  (exit at the end of month e)
    worlds = list(ds["world"].values)
    survived = alive(exit_month[:, worlds.index("programme")]) if "programme" in worlds else np.zeros((R, len(part)), bool)
    survived_cf = alive(exit_month[:, worlds.index("counterfactual")]) if "counterfactual" in worlds else np.ones_like(survived)
    return {"before": before, "after": after, "in_period": in_period, "survived": survived,
            "survived_cf": survived_cf, "exit_programme": exit_month[:, worlds.index("programme")]
            if "programme" in worlds else np.full((R, len(part)), -1)}


def _exit_months(ds: xr.Dataset) -> np.ndarray:
    """(R, W, K) exit months (-1: none), -1 everywhere for datasets without exits."""
    shape = (ds.sizes["replicate"], ds.sizes["world"], ds.sizes["firm"])
    return np.broadcast_to(ds["exit_month"].values, shape) if "exit_month" in ds else np.full(shape, -1)


def report_dataset(ds: xr.Dataset, rp: ReportingParams) -> xr.Dataset:
    """Per firm windows, statuses and reports, and per replicate the three estimands and the
    composition of participants, as a Dataset to merge into the run's."""
    names = list(INDICATORS)
    R, K = ds.sizes["replicate"], ds.sizes["firm"]
    worlds = list(ds["world"].values)
    pw = worlds.index("programme") if "programme" in worlds else None
    cw = worlds.index("counterfactual") if "counterfactual" in worlds else None
    w = windows(ds, rp)
    shape = (R, len(names), K)
    before, after, cf = (np.full(shape, np.nan) for _ in range(3))
    panels = {}
    for i, name in enumerate(names):
        if pw is None:
            break
        x = indicator_panel(ds, name)
        panels[name] = x[:, pw]
        before[:, i] = window_means(x[:, pw], w["before"], rp.window_months)
        after[:, i] = window_means(x[:, pw], w["after"], rp.window_months)
        if cw is not None:
            cf[:, i] = window_means(x[:, cw], w["after"], rp.window_months)
    valid = w["in_period"] & w["survived"]
    status = _status(ds, w)
    out = _monitoring(ds, names, before, after, valid, rp, status)
    out.update(_causal(names, after, cf, valid & w["survived_cf"] & (cw is not None)))
    out.update(_did(ds, names, panels, before, after, w, valid, rp))
    out["window_before"] = (("replicate", "indicator", "firm"), before, {
        "units": "indicator units", "long_name": "true mean over the months before the first workshop (programme world)"})
    out["window_after"] = (("replicate", "indicator", "firm"), after, {
        "units": "indicator units", "long_name": "true mean over the months after completion (programme world)"})
    out["window_after_counterfactual"] = (("replicate", "indicator", "firm"), cf, {
        "units": "indicator units", "long_name": "mean over the same months, counterfactual world"})
    out["report_status"] = (("replicate", "firm"), status.astype(np.int8), {
        "units": "status code", "long_name": "participant's monitoring status", "flag_values": np.arange(len(STATUS), dtype=np.int8),
        "flag_meanings": " ".join(STATUS)})
    out.update(_savings(ds, rp, w, status, before[:, names.index("unit_cost")]))
    counts = np.stack([(status == k).sum(-1) for k in range(len(STATUS))], axis=-1)
    out["report_status_count"] = (("replicate", "status"), counts, {
        "units": "firms", "long_name": "firms by monitoring status"})
    out["n_reporting"] = (("replicate",), counts[:, STATUS.index("reported")], {
        "units": "firms", "long_name": "participants that returned monitoring data"})
    return xr.Dataset(out, coords={"indicator": names, "status": list(STATUS)})


def _savings(ds: xr.Dataset, rp: ReportingParams, w: dict[str, np.ndarray], status: np.ndarray,
             before: np.ndarray) -> dict:
    """Cost savings over the first ``savings_months`` from each participant's first workshop: the
    fall of its cost per good unit against its before-window, times its good output of those
    months, at current prices (USD); true for every participant whose months lie in the period
    and that stayed in business through them, stated (:func:`observation.reported_savings`) by
    those that return monitoring data. ``before`` (R, K): the true unit cost over the before-window."""
    R, K, T = ds.sizes["replicate"], ds.sizes["firm"], ds.sizes["time"]
    true = np.full((R, K), np.nan)
    if "programme" in ds["world"].values and "unit_cost" in ds and "good_output" in ds:
        S, p = rp.savings_months, ds.sel(world="programme")
        start = np.where(ds["participant"].values.astype(bool), ds["enrol_month"].values, -1)
        ok = (w["before"] >= 0) & (start >= 0) & (start + S <= T)
        ok = ok & ((w["exit_programme"] < 0) | (w["exit_programme"] >= start + S - 1))
        cost = p["unit_cost"].values.astype(float)
        money = p["good_output"].values.astype(float) * (p["price_level"].values if "price_level" in p else 1.0)
        true = np.where(ok, (before - window_means(cost, start, S)) * window_means(money, start, S) * S, np.nan)
    seeds = replicate_seeds(ds)
    stated = reported_savings(true, savings_draws(seeds, K), rp)
    stated = np.where(status == STATUS.index("reported"), stated, np.nan)
    label = f"cost savings over the first {rp.savings_months} months from the first workshop"
    return {
        "savings_true": (("replicate", "firm"), true, {"units": "USD", "long_name": label + ", true"}),
        "savings_reported": (("replicate", "firm"), stated, {
            "units": "USD", "long_name": label + ", as the participant states them (NaN: it does not report)"}),
    }


def replicate_seeds(ds: xr.Dataset) -> list[int]:
    """The process seeds of the run's replicates (their reporting streams), in replicate order;
    0, 1, ... for datasets that do not record them."""
    seeds = [int(s) for s in str(ds.attrs.get("replicate_seeds", "")).split(",") if s]
    return seeds[:ds.sizes["replicate"]] or list(range(ds.sizes["replicate"]))


def _status(ds: xr.Dataset, w: dict[str, np.ndarray]) -> np.ndarray:
    """(R, K) status codes (:data:`STATUS`) before anyone is asked (reported for now)."""
    part = np.broadcast_to(ds["participant"].values.astype(bool), w["in_period"].shape)
    status = np.full(part.shape, STATUS.index("reported"))
    status[~w["survived"]] = STATUS.index("exited")
    status[~w["in_period"]] = STATUS.index("outside_period")
    status[~part] = STATUS.index("not_participant")
    return status


def _monitoring(ds: xr.Dataset, names: list[str], before: np.ndarray, after: np.ndarray, valid: np.ndarray,
                rp: ReportingParams, status: np.ndarray) -> dict:
    """Who reports, what they report, and the monitoring aggregates (``status`` updated in place)."""
    R, I, K = before.shape
    direction = np.array([INDICATORS[n].direction for n in names])
    points = np.array([INDICATORS[n].kind == "points" for n in names])
    seeds = replicate_seeds(ds)
    u, z = draws(seeds, I, K)
    with quiet():
        true_change = np.where(points[None, :, None], after - before,
                               np.where(before > 0, after / before - 1.0, np.nan))
    reporting = responds(results_score(true_change, direction, valid), valid, u, rp)
    status[valid & ~reporting] = STATUS.index("silent")
    b_obs, a_obs = reported_levels(before, after, direction, points, z, rp)
    change, improved = np.full(before.shape, np.nan), np.zeros(before.shape, bool)
    mean, share = np.full((R, I), np.nan), np.full((R, I), np.nan)
    n_rep = reporting.sum(-1)
    for i, name in enumerate(names):
        ind = INDICATORS[name]
        threshold = rp.adoption_threshold if ind.kind == "points" else rp.threshold
        change[:, i], improved[:, i], mean[:, i] = monitoring(b_obs[:, i], a_obs[:, i], reporting, ind.kind,
                                                              name in POOLED, ind.direction, threshold)
        with quiet():
            share[:, i] = np.where(n_rep > 0, improved[:, i].sum(-1) / n_rep, np.nan)
    dims, rel = ("replicate", "indicator", "firm"), "1 (relative) or practice points (adoption)"
    return {
        "true_change": (dims, true_change, {"units": rel, "long_name": "true change after vs before (programme world)"}),
        "reported_change": (dims, change, {"units": rel, "long_name":
                                           "change the participant reports (NaN: it does not report)"}),
        "reports_improvement": (dims, improved, {"units": "1", "long_name":
                                                 "participant reports an improvement beyond the threshold"}),
        "reported_before": (dims, np.where(reporting[:, None, :], b_obs, np.nan), {
            "units": "indicator units", "long_name": "level the participant reports for the months before its first "
                                                     "workshop (NaN: it does not report)"}),
        "reported_after": (dims, np.where(reporting[:, None, :], a_obs, np.nan), {
            "units": "indicator units", "long_name": "level the participant reports for the months after completion "
                                                     "(NaN: it does not report)"}),
        "mean_reported_change": (("replicate", "indicator"), mean, {
            "units": "1 or practice points", "long_name": "mean change reported by participants (monitoring)"}),
        "share_reporting_improvement": (("replicate", "indicator"), share, {
            "units": "1", "long_name": "share of reporting participants that report improvement"}),
    }


def _causal(names: list[str], after: np.ndarray, cf: np.ndarray, valid: np.ndarray) -> dict:
    R, I, K = after.shape
    firm, agg = np.full(after.shape, np.nan), np.full((R, I), np.nan)
    for i, name in enumerate(names):
        firm[:, i], agg[:, i] = causal(after[:, i], cf[:, i], valid, INDICATORS[name].kind, name in POOLED)
    rel = "1 (relative) or practice points (adoption)"
    return {
        "firm_effect": (("replicate", "indicator", "firm"), firm, {
            "units": rel, "long_name": "causal effect: programme vs counterfactual world, after completion"}),
        "effect": (("replicate", "indicator"), agg, {
            "units": "1 or practice points", "long_name": ESTIMAND_LABELS["causal"] + " on participants"}),
    }


def _did(ds: xr.Dataset, names: list[str], panels: dict[str, np.ndarray], before: np.ndarray, after: np.ndarray,
         w: dict[str, np.ndarray], valid: np.ndarray, rp: ReportingParams) -> dict:
    """The evaluator's difference in differences per replicate and indicator (NaN without
    recorded non-participants)."""
    R, I, K = before.shape
    est = np.full((R, I), np.nan)
    part = ds["participant"].values.astype(bool)
    p_idx, c_idx = np.flatnonzero(part), np.flatnonzero(~part)
    if len(p_idx) and len(c_idx) and panels:
        est = _did_blocks(ds, names, panels, before, after, w, valid, rp, p_idx, c_idx)
    return {"did_estimate": (("replicate", "indicator"), est, {
        "units": "1 or practice points",
        "long_name": ESTIMAND_LABELS["did"] + ": participants vs non-participants of their market"})}


def _did_blocks(ds, names, panels, before, after, w, valid, rp, p_idx, c_idx) -> np.ndarray:
    R, L = before.shape[0], rp.window_months
    cell = np.char.add(ds["country"].values.astype(str), "|" + ds["sector"].values.astype(str))
    sector = ds["sector"].values.astype(str)
    size = ds["workers"].values.astype(float)
    exit_c = w["exit_programme"][:, c_idx]
    practice_c = ds["practice"].values[:, list(ds["world"].values).index("programme")][..., c_idx, :]
    cs = {n: cumulative(panels[n][..., c_idx]) for n in names if INDICATORS[n].kind != "points"}
    cs_practice = cumulative(practice_c.reshape(R, practice_c.shape[1], -1))
    taken = ds["module_taken"].values.astype(float)
    terms = {n: [] for n in names}
    expected = {n: [] for n in names}
    for lo in range(0, len(p_idx), DID_BLOCK):
        blk = p_idx[lo: lo + DID_BLOCK]
        ok = valid[:, blk]
        b0 = np.where(w["before"][blk] >= 0, w["before"][blk], 0)
        a0 = np.where(ok, w["after"][:, blk], 0)
        alive = (exit_c[:, None, :] < 0) | (exit_c[:, None, :] >= (a0 + L - 1)[..., None])
        weights = comparison_weights(alive, cell[blk], cell[c_idx], sector[blk], sector[c_idx])
        for i, n in enumerate(names):
            ind = INDICATORS[n]
            x_p = (before[:, i, blk], after[:, i, blk])
            if ind.kind == "points":
                t, e = did(x_p, cs_practice, b0, a0, L, weights, "points", False, size[blk], size[c_idx],
                           (taken[blk], taken.shape[1]))
            else:
                t, e = did(x_p, cs[n], b0, a0, L, weights, ind.kind, n in POOLED, size[blk], size[c_idx])
            terms[n].append(np.where(ok, t, np.nan))
            expected[n].append(e)
    est = np.full((R, len(names)), np.nan)
    for i, n in enumerate(names):
        ind = INDICATORS[n]
        x_p = (before[:, i, p_idx], after[:, i, p_idx])
        ok = valid[:, p_idx]
        est[:, i] = did_aggregate(np.concatenate(terms[n], axis=-1), np.concatenate(expected[n], axis=-1),
                                  x_p, ok, ind.kind, n in POOLED)
    return est


# --------------------------------------------------------------------------- summary table

def summary_table(ds: xr.Dataset) -> list[dict[str, object]]:
    """Rows per indicator: each estimand's median over replicates with its 5% and 95% quantiles,
    the share reporting improvement, the Phase I figure, and why a figure is missing."""
    with quiet():
        return [_summary_row(ds, str(name)) for name in ds["indicator"].values]


def _quantiles(values: np.ndarray) -> tuple[float, float, float]:
    v = values[np.isfinite(values)]
    if not len(v):
        return (np.nan,) * 3
    lo, mid, hi = np.quantile(v, [0.05, 0.5, 0.95])
    return float(mid), float(lo), float(hi)


def median_error(values: np.ndarray, resamples: int = 400) -> float:
    """Monte Carlo standard error of the median of ``values`` (bootstrap, fixed seed): how much
    the printed median would move with another set of replicates of the same size."""
    v = values[np.isfinite(values)]
    if len(v) < 2:
        return float("nan")
    rng = np.random.default_rng(0)
    return float(np.median(v[rng.integers(0, len(v), (resamples, len(v)))], axis=1).std(ddof=1))


def _summary_row(ds: xr.Dataset, name: str) -> dict[str, object]:
    sel = dict(indicator=name)
    row: dict[str, object] = {"indicator": name, "kind": INDICATORS[name].kind, "phase1": INDICATORS[name].phase1}
    for est, var in ESTIMANDS.items():
        values = ds[var].sel(sel).values if var in ds else np.full(1, np.nan)
        mid, lo, hi = _quantiles(values)
        row.update({est: mid, f"{est}_lo": lo, f"{est}_hi": hi, f"{est}_mcse": median_error(values)})
    row["share_improving"] = _quantiles(ds["share_reporting_improvement"].sel(sel).values)[0]
    row["missing"] = missing_reason(ds, name)
    return row


def missing_reason(ds: xr.Dataset, name: str) -> dict[str, str]:
    """Why an estimand has no figure for an indicator, by estimand ('' when it has one); an
    ensemble's summary carries the reasons found in its first replicate."""
    if "window_before" not in ds and "missing" in ds.attrs:
        import json

        stored = json.loads(ds.attrs["missing"]).get(name, {})
        return {est: ("" if var in ds and np.isfinite(ds[var].sel(indicator=name).values).any()
                      else stored.get(est, "")) for est, var in ESTIMANDS.items()}
    out = {}
    reporters = int(np.max(ds["n_reporting"].values)) if "n_reporting" in ds else 0
    i = list(ds["indicator"].values).index(name)
    before = ds["window_before"].values[:, i] if "window_before" in ds else np.zeros((1, 0))
    no_base = name in POOLED and np.isfinite(before).any() and np.nansum(before) == 0
    for est, var in ESTIMANDS.items():
        have = var in ds and np.isfinite(ds[var].sel(indicator=name).values).any()
        if have:
            out[est] = ""
        elif est == "causal" and "counterfactual" not in ds["world"].values:
            out[est] = "the counterfactual world was not simulated"
        elif est == "did" and not (~ds["participant"].values.astype(bool)).any():
            out[est] = "no non-participants recorded to compare with"
        elif no_base:
            out[est] = f"no {name} in the before-window of any participant"
        elif est == "reported" and reporters == 0:
            out[est] = "no participant reported"
        else:
            out[est] = "no participant with both report windows in the simulated period"
    return out


def summary_records(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The summary table as tidy records: indicator, estimand, statistic, median, p5, p95,
    units (the rows of ``summary.csv``)."""
    out = []
    for r in rows:
        units = "practice level (0-1), change" if r["kind"] == "points" else "relative change"
        for est in ESTIMANDS:
            stat = {"reported": "mean reported change over reporting participants",
                    "did": "difference in differences, participants vs non-participants",
                    "causal": "causal effect on participants"}[est]
            out.append({"indicator": r["indicator"], "estimand": est, "statistic": stat, "median": r[est],
                        "p5": r[f"{est}_lo"], "p95": r[f"{est}_hi"], "units": units})
        out.append({"indicator": r["indicator"], "estimand": "reported", "statistic":
                    "share of reporting participants that report improvement", "median": r["share_improving"],
                    "p5": None, "p95": None, "units": "share of firms"})
    return out


def format_table(rows: list[dict[str, object]], n_replicates: int, n_reporting: int, n_participants: int,
                 uncertainty: str = "the stochastic events of the months", phase1: bool = False) -> str:
    """The summary table as text, within 100 columns: per indicator what participants report
    (mean change and share reporting improvement), the evaluator's difference in differences
    and the causal effect with their 90% ranges over replicates; the Phase I figures when the
    scenario is Phase I."""
    def cell(v: object, kind: str, sign: bool = True) -> str:
        if not isinstance(v, float) or not np.isfinite(v):
            return "n/a"
        return (f"{v:+.2f}" if sign else f"{v:.2f}") if kind == "points" else f"{100 * v:+.1f}%"

    def ranged(r: dict, est: str, kind: str) -> str:
        mid = cell(r[est], kind)
        if mid == "n/a":
            return mid
        lo, hi = (cell(r[f"{est}_{b}"], kind).rstrip("%") for b in ("lo", "hi"))
        return f"{mid} [{lo}, {hi}]"

    head = (f"{'indicator':<20}{'reported':>9}{'improving':>10}  {'evaluator (DiD) [90%]':<25}"
            f"{'causal effect [90%]':<25}")
    lines = [head.rstrip(), "-" * len(head.rstrip())]
    notes: dict[str, list[str]] = {}
    for r in rows:
        k = str(r["kind"])
        label = f"{r['indicator']} (0-1 scale)" if k == "points" else str(r["indicator"])
        share = r["share_improving"]
        share_s = "n/a" if not isinstance(share, float) or not np.isfinite(share) else f"{100 * share:.0f}%"
        line = (f"{label:<20}{cell(r['reported'], k):>9}{share_s:>10}  {ranged(r, 'did', k):<25}"
                f"{ranged(r, 'causal', k):<25}")
        lines.append(line.rstrip())
        reasons = {est: why for est, why in (r.get("missing") or {}).items() if why}
        if reasons and len(set(reasons.values())) == 1 and len(reasons) == len(ESTIMANDS):
            notes.setdefault(next(iter(reasons.values())), []).append(str(r["indicator"]))
        else:
            for est, why in reasons.items():
                notes.setdefault(f"{est}: {why}", []).append(str(r["indicator"]))
    mcse = {est: max((100 * float(r[f"{est}_mcse"]) for r in rows if str(r["kind"]) != "points"
                      and np.isfinite(float(r.get(f"{est}_mcse", np.nan)))), default=np.nan) for est in ESTIMANDS}
    lines.append("")
    lines += _wrap(
        f"Medians over {n_replicates} replicate(s). Reported: mean change {n_reporting} of {n_participants} "
        "participants would report (median over replicates), before enrolment vs after completion, with "
        "measurement error and optimism; improving: their share reporting a gain. Evaluator: difference in "
        "differences against non-participants of the same markets. Causal: programme vs the same firms without "
        "it. Adoption is the change of practice on a 0-1 scale, the others relative changes. The 90% ranges "
        f"cover {uncertainty}. Monte Carlo error of the medians (more replicates shrink it, not the ranges): at "
        f"most {mcse['reported']:.1f}, {mcse['did']:.1f} and {mcse['causal']:.1f} points (reported, evaluator, "
        "causal).")
    if notes:
        lines += _wrap("No figure: " + "; ".join(
            f"{why} ({'all indicators' if len(names) == len(rows) else ', '.join(names)})"
            for why, names in notes.items()) + ".")
    if phase1:
        lines += ["", f"{'Phase I figure (self-reported)':<52}{'reported here':>14}{'improving':>11}"]
        for r in rows:
            if r["phase1"]:
                k = str(r["kind"])
                share = r["share_improving"]
                share_s = "n/a" if not isinstance(share, float) or not np.isfinite(share) else f"{100 * share:.0f}%"
                lines.append(f"{r['indicator'] + ': ' + str(r['phase1']):<52}{cell(r['reported'], k):>14}{share_s:>11}")
    return "\n".join(lines)


def _wrap(text: str, width: int = 100) -> list[str]:
    import textwrap
    return textwrap.wrap(text, width)


__all__ = ["STATUS", "windows", "report_dataset", "summary_table", "summary_records", "missing_reason", "format_table",
           "INDICATORS",
           "POOLED", "window_means", "indicator_panel", "ESTIMANDS"]
