"""Recording levels: group aggregates agree with the firm panel; the dataset is labelled."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from scoresim.recorder import FIRM_OUTPUTS
from scoresim.simulate import run

from conftest import ROOT, small


def test_group_recording_sums_and_means_match_the_firm_panel():
    firm = run(small(), seed=8, replicates=2)
    group = run(small(recording__level="group"), seed=8, replicates=2)
    # the firm dimension holds the participants only; their panel is the same
    part = firm["participant"].values
    assert group.sizes["firm"] == part.sum()
    xr.testing.assert_equal(group["accidents"], firm["accidents"].isel(firm=np.flatnonzero(part)))
    # each group's sum (or worker-weighted mean) equals the firm panel aggregated by hand
    key = [(c, s, p) for c, s, p in zip(firm["country"].values, firm["sector"].values, part)]
    labels = list(zip(group["group_country"].values, group["group_sector"].values,
                      group["group_participant"].values))
    w = firm["workers"].values.astype(float)
    for name, (_, _, how) in FIRM_OUTPUTS.items():
        x = firm[name].values.astype(float)
        expected = np.zeros(group[f"group_{name}"].shape)
        for g, label in enumerate(labels):
            members = np.array([k == label for k in key])
            if how == "sum":
                expected[..., g] = np.nansum(x[..., members], -1)
            else:  # over the firms still in business; none (an empty group): no mean
                wm = w[members] * np.isfinite(x[..., members])
                with np.errstate(invalid="ignore"):
                    expected[..., g] = np.nansum(x[..., members] * wm, -1) / wm.sum(-1)
        np.testing.assert_allclose(group[f"group_{name}"].values, expected, rtol=2e-5, atol=1e-6,
                                   err_msg=name)
    # reports are computed from the participants' panel either way
    np.testing.assert_allclose(group["effect"].values, firm["effect"].values, rtol=1e-12, atol=1e-15)


def test_every_variable_has_units_and_long_name_and_labels_are_coordinates():
    ds = run(small(), seed=1, replicates=1)
    for name, var in ds.data_vars.items():
        assert "units" in var.attrs and "long_name" in var.attrs, name
    for coord in ("country", "sector", "participant", "workers", "enrol_month", "module_taken"):
        assert coord in ds.coords and "firm" in ds[coord].dims
    assert set(ds["world"].values) == {"programme", "counterfactual"}
    assert {"replicate", "world", "time", "firm"} <= set(ds.dims)


@pytest.mark.slow
def test_a_phase1_run_of_ten_replicates_writes_under_ten_megabytes(tmp_path, capsys):
    """The panel (one replicate's firms) does not grow with replicates; the dataset grows by its
    per-replicate summaries: ten replicates stay under 10 MB (projected from two)."""
    from conftest import call

    out = tmp_path / "run"
    code, _, err = call(["run", str(ROOT / "configs" / "phase1.toml"), "--replicates", "2", "--no-figures",
                         "--out", str(out)], capsys)
    assert code == 0, err
    panel, data = (out / "panel.nc").stat().st_size, (out / "dataset.nc").stat().st_size
    assert panel + 5 * data < 10e6, (panel, data)
