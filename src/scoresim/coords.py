"""Units and long names of the coordinates of scoresim datasets (every coordinate has one)."""

from __future__ import annotations

import xarray as xr

COORDS: dict[str, dict[str, str]] = {
    "replicate": {"long_name": "replicate number"},
    "world": {"long_name": "world: with the programme (programme) or without it (counterfactual)"},
    "time": {"long_name": "month (first day)"},
    "firm": {"long_name": "firm index in the population"},
    "area": {"long_name": "SCORE module area"},
    "indicator": {"long_name": "outcome participants report on"},
    "status": {"long_name": "monitoring status of a firm"},
    "group": {"long_name": "participants or non-participants"},
    "summary": {"long_name": "named summary of a run (docs/experiments.md)"},
    "summary_units": {"long_name": "units of the summary"},
    "country": {"long_name": "country of the firm"},
    "sector": {"long_name": "sector of the firm"},
    "participant": {"long_name": "firm enrolled in the programme"},
    "population_seed": {"long_name": "seed of the replicate's population, shocks and delivery plan"},
    "posterior_draw": {"long_name": "posterior draw of the replicate"},
    "calibrated_parameter": {"long_name": "calibrated parameter (config path)"},
    "group_country": {"long_name": "country of the group"},
    "group_sector": {"long_name": "sector of the group"},
    "group_participant": {"long_name": "group of participants"},
}


def label(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with the units or long name of every known coordinate that has neither."""
    for name in ds.coords:
        attrs = ds[name].attrs
        if name in COORDS and not (attrs.get("units") or attrs.get("long_name")):
            ds[name].attrs.update(COORDS[name])
    return ds


__all__ = ["COORDS", "label"]
