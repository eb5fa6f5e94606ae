"""Set the defaults of the calibrated parameters in src/scoresim/params.py to the medians of the
committed posterior (src/scoresim/data/posterior_phase1.nc), to three significant digits.

Run after committing a new posterior:

    python scripts/posterior_defaults.py            # rewrite params.py
    python scripts/posterior_defaults.py --check    # exit 1 if a default differs from its median

Each calibrated parameter's source starts with ``CALIBRATED`` (the posterior medians); a source
it had before (its evidence) follows as "prior: ...". No value is typed by hand.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "src" / "scoresim" / "params.py"


def _three(x: float) -> str:
    v = float(f"{x:.3g}")
    return repr(v) if not v.is_integer() else f"{v:.1f}"


def rewrite(text: str, medians: dict[str, float]) -> tuple[str, list[str]]:
    """``text`` (params.py) with each calibrated parameter's default and source set."""
    from scoresim.params import Scenario

    scenario = Scenario()
    changes = []
    for path, median in medians.items():
        section, name = path.split(".")
        cls = type(getattr(scenario, section)).__name__
        start = text.index(f"\nclass {cls}(")
        m = re.compile(rf"\n    {name}: (float|int) = P\(([^,]+),").search(text, start)
        if m is None:
            raise SystemExit(f"{PARAMS.name}: no parameter {name} in class {cls}")
        new = _three(median)
        if m.group(2) != new:
            changes.append(f"{path}: {m.group(2)} -> {new}")
        text = text[:m.start(2)] + new + text[m.end(2):]
        # the source: CALIBRATED first, the evidence it had as the prior's source
        end = _call_end(text, m.start(2) - 2)
        call = text[m.start(2):end]
        if "source=CALIBRATED" not in call:
            s = re.search(r"source=", call)
            if s is None:
                call = _add_source(call)
            elif call[s.end()] == '"':
                call = call[:s.end()] + 'CALIBRATED + "; prior: ' + call[s.end() + 1:]
            else:
                call = call[:s.end()] + 'CALIBRATED + "; prior: " + ' + call[s.end():]
            text = text[:m.start(2)] + call + text[end:]
    return text, changes


def _add_source(call: str) -> str:
    """A P(...) call's arguments with ``source=CALIBRATED`` added after the valid range."""
    depth, commas = 0, []
    for i, c in enumerate(call):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            commas.append(i)
    cut = commas[3] if len(commas) > 3 else len(call)
    return call[:cut] + ", source=CALIBRATED" + call[cut:]


def _call_end(text: str, open_paren: int) -> int:
    """The index of the parenthesis closing the one at ``open_paren``."""
    depth = 0
    for i in range(open_paren, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check; exit 1 if params.py differs")
    args = ap.parse_args(argv)
    from scoresim.calibration.posterior import committed_path, posterior_info

    medians = posterior_info(committed_path())["medians"]
    text = PARAMS.read_text()
    new, changes = rewrite(text, medians)
    if args.check:
        print("\n".join(changes) or "params.py: every calibrated default is its posterior median")
        return 1 if new != text else 0
    PARAMS.write_text(new)
    print("\n".join(changes) or "params.py: unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
