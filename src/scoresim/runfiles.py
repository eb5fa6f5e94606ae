"""The files of a run directory: the dataset, its summary, the resolved config and the
figures, written into an existing (temporary) directory. ``scoresim run`` and the dashboard
write the same files, so a report can be built on either."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import xarray as xr


def write_run(ds: xr.Dataset, directory: str | Path, figures: bool = True,
              panel: xr.Dataset | None = None) -> list[str]:
    """Write dataset.nc (``ds``: an ensemble's summary or a run dataset, with provenance
    attributes), panel.nc (``panel``: one replicate's firm panel, if given), summary.json,
    summary.csv, config.json and (``figures``) the PNG figures into ``directory``; return the
    figure names."""
    import pandas as pd

    from . import io, plotting, reporting

    directory = Path(directory)
    io.write_dataset(ds, directory / "dataset.nc")
    if panel is not None:
        io.write_dataset(panel, directory / "panel.nc")
    rows = reporting.summary_table(ds)
    (directory / "summary.json").write_text(json.dumps(rows, indent=2))
    pd.DataFrame(reporting.summary_records(rows)).to_csv(directory / "summary.csv", index=False)
    (directory / "config.json").write_text(json.dumps(json.loads(ds.attrs["config"]), indent=2))
    return plotting.save_figures(ds, directory) if figures else []
