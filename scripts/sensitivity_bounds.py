"""Set the bounds of the calibrated parameters in the sensitivity specs (experiments/*.toml) from
the committed posterior (src/scoresim/data/posterior_phase1.nc), by the rule of
:data:`scoresim.calibration.posterior.BOUNDS_RULE`: the posterior's 1st to 99th percentile,
widened to half to one and a half times the posterior median where that is wider, clipped to
the prior. The bounds so contain every calibrated value (the medians are the defaults).

    python scripts/sensitivity_bounds.py            # rewrite the specs
    python scripts/sensitivity_bounds.py --check    # exit 1 if a spec's bounds differ

Parameters that are not calibrated keep their bounds (half to one and a half times the
default, the screening's stated assumption).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "experiments").glob("*.toml"))


def rewrite(text: str, bounds: dict[str, tuple[float, float]]) -> tuple[str, list[str]]:
    """``text`` of a spec with the ``bounds`` line after each calibrated ``path`` replaced."""
    changes = []

    def sub(m: re.Match) -> str:
        path = m.group(2)
        if path not in bounds:
            return m.group(0)
        lo, hi = bounds[path]
        new = f"[{lo:g}, {hi:g}]"
        if m.group(4) != new:
            changes.append(f"{path}: {m.group(4)} -> {new}")
        return f'{m.group(1)}{m.group(3)}{new}'

    pattern = re.compile(r'(path = "([a-z_.]+)"[^\n]*\n)(bounds = )(\[[^\]]*\])')
    return pattern.sub(sub, text), changes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check; exit 1 if a spec differs")
    args = ap.parse_args(argv)
    from scoresim.calibration.posterior import committed_path, sensitivity_bounds

    bounds = sensitivity_bounds(committed_path())
    differs = False
    for spec in SPECS:
        text = spec.read_text()
        new, changes = rewrite(text, bounds)
        for c in changes:
            print(f"{spec.name}: {c}")
        differs |= new != text
        if not args.check:
            spec.write_text(new)
    return 1 if args.check and differs else 0


if __name__ == "__main__":
    sys.exit(main())
