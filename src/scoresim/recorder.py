"""Declared outputs and their preallocated arrays.

Each monthly firm output is declared once with its units, long name and how it aggregates
(``sum`` or worker-weighted ``mean``). At level ``firm`` every firm's panel is kept; at level
``group`` the panel is kept for participants only (their reports need it) and every firm is
also summed into groups (country x sector x participant), so a million-firm run stays small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FIRM_OUTPUTS: dict[str, tuple[str, str, str]] = {
    # name: (units, long_name, aggregation)
    "output": ("units/month", "units produced", "sum"),
    "good_output": ("units/month", "good units (first pass plus reworked)", "sum"),
    "productivity": ("units/worker-day", "good units per paid production-worker day", "mean"),
    "defect_rate": ("1", "first-pass defect rate (share of units)", "mean"),
    "energy_per_unit": ("kWh/unit", "energy use per unit produced", "mean"),
    "energy_kwh": ("kWh/month", "energy use", "sum"),
    "accidents": ("accidents/month", "workplace accidents", "sum"),
    "accident_rate": ("accidents/100 workers/year", "accident rate (annualised)", "mean"),
    "absence_rate": ("1", "share of production-worker days absent", "mean"),
    "engagement": ("1", "mean engagement of staff (workplace relations)", "mean"),
    "skill": ("1", "mean skill of production workers", "mean"),
    "quits": ("workers/month", "quits replaced by new hires", "sum"),
    "team_active": ("1", "enterprise improvement team active (0/1)", "mean"),
    "suggestions": ("suggestions/month", "worker suggestions implemented", "sum"),
    "orders": ("units/month", "orders received from buyers", "sum"),
    "revenue": ("USD/month", "revenue", "sum"),
    "operating_cost": ("USD/month", "wages, materials, rework, energy, services, capital, accident, hiring and "
                       "layoff costs", "sum"),
    "unit_cost": ("USD/unit", "operating cost per good unit at the prices of the first month (deflated by the "
                  "country's price path)", "mean"),
    "training_fee": ("USD/month", "SCORE fees paid by the firm", "sum"),
    "profit": ("USD/month", "revenue less operating cost and fees", "sum"),
    "failed_audits": ("audits/month", "buyer audits failed", "sum"),
    "hours": ("1", "hours worked per regular paid hour of the production workforce (below 1: paid idle time, "
                   "above 1: overtime)", "mean"),
    "overtime": ("1", "share of hours worked that are overtime", "mean"),
    "value_added": ("USD/month", "value added: revenue less materials, rework, energy and purchased services", "sum"),
    "adoption_cost": ("USD/month", "what adopting SCORE costs the firm beside fees: managers' time at their wage, "
                      "travel, investments", "sum"),
    "employment": ("persons", "persons engaged at the end of the month (0 once the firm has exited)", "sum"),
    "hires": ("persons/month", "hires (replacements of quits included)", "sum"),
    "separations": ("persons/month", "separations: quits and layoffs", "sum"),
    "jobs_lost_exit": ("persons/month", "jobs lost when the firm exits at the end of the month", "sum"),
    "price_level": ("1", "the country's price multiplier relative to the first month (money at current prices "
                         "over money at first-month prices)", "mean"),
}
PRACTICE = ("practice", "1", "practice level by SCORE area")
PROGRAMME_OUTPUTS: dict[str, tuple[str, str]] = {
    "fee_programme": ("USD/month", "module fees paid by the programme"),
    "fee_firms": ("USD/month", "module fees paid by firms"),
    "fee_sponsors": ("USD/month", "module fees paid by sponsoring buyers"),
    "workshops": ("modules/month", "module workshops held (one firm, one module)"),
    "classroom_participants": ("persons/month", "classroom participants trained"),
}


@dataclass
class Recorder:
    """Preallocated output arrays for one run.

    Parameters
    ----------
    n_worlds, n_months : world and time sizes.
    panel_firms : (K,) indices of firms whose panel is kept.
    group : (F,) group index of each firm, or None for no group aggregates.
    weight : (F,) worker weights for group means.
    """

    n_worlds: int
    n_months: int
    panel_firms: np.ndarray
    group: np.ndarray | None
    n_groups: int
    weight: np.ndarray

    def __post_init__(self) -> None:
        W, T, K = self.n_worlds, self.n_months, len(self.panel_firms)
        # the columns of the panel firms: a slice (no copy) when they are the first K firms in order
        self._columns = slice(0, K) if np.array_equal(self.panel_firms, np.arange(K)) else self.panel_firms
        self.panel = {k: np.zeros((W, T, K), np.float32) for k in FIRM_OUTPUTS}
        self.practice = np.zeros((W, T, K, 5), np.float32)
        self.programme = {k: np.zeros((W, T)) for k in PROGRAMME_OUTPUTS}
        if self.group is not None:
            G = self.n_groups
            self.groups = {k: np.zeros((W, T, G)) for k in FIRM_OUTPUTS}
            self.group_practice = np.zeros((W, T, G, 5))
            self._key = (np.arange(W)[:, None] * G + self.group[None, :]).ravel()
            self._wsum = np.bincount(self.group, self.weight, minlength=G)

    def record(self, t: int, firm_values: dict[str, np.ndarray], practice: np.ndarray,
               programme: dict[str, np.ndarray], active: np.ndarray | None = None) -> None:
        """Store month ``t``: firm values (W, F), practice (W, F, 5), programme totals (W,);
        ``active`` (W, F) marks firms still in business (group means are over them only)."""
        idx = self._columns
        for k, v in firm_values.items():
            self.panel[k][:, t] = v[:, idx]
        self.practice[:, t] = practice[:, idx]
        for k, v in programme.items():
            self.programme[k][:, t] = v
        if self.group is not None:
            weight = self._weights(active)
            for k, v in firm_values.items():
                self.groups[k][:, t] = self._aggregate(v, FIRM_OUTPUTS[k][2], weight)
            for a in range(5):
                self.group_practice[:, t, :, a] = self._aggregate(practice[..., a], "mean", weight)

    def _weights(self, active: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Firm weights (W, F) or (F,) and their group sums (W, G) for group means."""
        if active is None or active.all():
            return self.weight, np.broadcast_to(self._wsum, (self.n_worlds, self.n_groups))
        w = self.weight * active
        W, G = self.n_worlds, self.n_groups
        return w, np.bincount(self._key, w.ravel(), minlength=W * G).reshape(W, G)

    def _aggregate(self, v: np.ndarray, how: str, weight: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        W, G = self.n_worlds, self.n_groups
        wts = v if how == "sum" else np.where(weight[0] > 0, v, 0.0) * weight[0]
        tot = np.bincount(self._key, np.broadcast_to(wts, (W, v.shape[-1])).ravel(), minlength=W * G).reshape(W, G)
        if how == "sum":
            return tot
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(weight[1] > 0, tot / np.where(weight[1] > 0, weight[1], 1.0), np.nan)
