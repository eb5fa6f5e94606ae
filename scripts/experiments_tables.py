"""The result tables of docs/experiments.md, section 9, from the analyses of the Phase I Morris
and Sobol sweeps (``scoresim analyze`` writes ``analysis/indices.nc``):

    python scripts/experiments_tables.py morris results/morris_phase1-<time>/analysis
    python scripts/experiments_tables.py sobol results/sobol_phase1-<time>/analysis
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import xarray as xr


def morris(ds: xr.Dataset) -> None:
    print("| output | 1st | 2nd | 3rd | seed noise |")
    print("|---|---|---|---|---|")
    for o in ds["output"].values:
        m = ds["mu_star"].sel(output=o)
        top = np.argsort(-np.nan_to_num(m.values))[:3]
        cells = [f"{ds['factor'].values[k]} {m.values[k]:.3g}" for k in top]
        print(f"| `{o}` | " + " | ".join(cells) + f" | {100 * float(ds['noise_share'].sel(output=o)):.1f}% |")


def sobol(ds: xr.Dataset) -> None:
    print("| output | largest ST [95% interval half-width] | 2nd | 3rd | sum of S1 | seed noise of the means |")
    print("|---|---|---|---|---|---|")
    for o in ds["output"].values:
        st, conf = ds["ST"].sel(output=o), ds["ST_conf"].sel(output=o)
        top = np.argsort(-np.nan_to_num(st.values))[:3]
        cells = [f"{ds['factor'].values[k]} {st.values[k]:.2f} ± {conf.values[k]:.2f}" for k in top]
        s1 = float(np.nansum(ds["S1"].sel(output=o).values))
        print(f"| `{o}` | " + " | ".join(cells) + f" | {s1:.2f} | "
              f"{100 * float(ds['noise_share_of_mean'].sel(output=o)):.1f}% |")


if __name__ == "__main__":
    kind, path = sys.argv[1], Path(sys.argv[2])
    with xr.open_dataset(path / "indices.nc", engine="h5netcdf") as ds:
        {"morris": morris, "sobol": sobol}[kind](ds)
