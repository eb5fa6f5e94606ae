"""The comparison as a terminal table (within 100 columns) and as rows for the HTML report."""

from __future__ import annotations

import xarray as xr

from .. import textable as t
from .core import ESTIMAND_LABELS


def rows(result: xr.Dataset) -> tuple[list[t.Column], list[list[str]]]:
    """Columns and cells: per indicator and estimand, each scenario's median and, for every
    scenario but the baseline, its difference from the baseline with the 90% interval."""
    scen = [str(s) for s in result["scenario"].values]
    base = scen[0]
    cols = [t.Column("indicator", "left", key=True), t.Column("estimand", "left", key=True)]
    cols += [t.Column(s + (" (baseline)" if s == base else "")) for s in scen]
    cols += [t.Column(f"{s} - {base} [90% interval]") for s in scen[1:]]
    body = []
    for i, ind in enumerate(result["indicator"].values):
        kind = str(result["indicator_kind"].values[i])
        for n, k in enumerate(result["estimand"].values):
            v = result["value_q"].sel(indicator=ind, estimand=k)
            d = result["difference_q"].sel(indicator=ind, estimand=k)
            label = f"{ind} {t.SCALE}" if kind == "points" else str(ind)
            cells = [label if n == 0 else "", ESTIMAND_LABELS.get(str(k), str(k))]
            cells += [_value(float(v.sel(scenario=s).values[1]), kind) for s in scen]
            cells += [_difference(d.sel(scenario=s).values, kind) for s in scen[1:]]
            body.append(cells)
    return cols, body


def _value(x: float, kind: str) -> str:
    return t.level(x) if kind == "points" else t.signed_percent(x)


def _difference(q, kind: str) -> str:
    """'median [p5, p95]' of a difference; practice levels bare (the row names the scale)."""
    mid, lo, hi = (float(x) for x in q[[1, 0, 2]])
    if kind == "points":
        return f"{t.level(mid)} [{t.level(lo)}, {t.level(hi)}]" if t.finite(mid) else t.NA
    return t.with_interval(mid, lo, hi, diff=True)


def notes(result: xr.Dataset, pairing: str) -> list[str]:
    """What the table shows and what its intervals cover, the pairing in words."""
    reps = ", ".join(f"{s} {int(r)}" for s, r in zip(result["scenario"].values, result["replicates"].values))
    how = ("the same replicate of both (paired)" if result.attrs.get("paired")
           else "any replicate of one and any of the other (unpaired)")
    return [f"Medians over replicates ({reps}). Changes of participants' indicators: relative changes in %, "
            "adoption as a change in the practice level on the 0-1 scale; differences of relative changes in "
            "percentage points (pp). The 90% interval of a difference spans the 5th to 95th percentile of "
            f"the difference between {how}.",
            pairing[:1].upper() + pairing[1:] + "."]


def format_table(result: xr.Dataset, pairing: str) -> str:
    """The comparison as printed by ``scoresim compare``."""
    cols, body = rows(result)
    return t.render(cols, body, notes=notes(result, pairing))
