"""Fuzzing the shipped configs, experiment specs and calibration targets.

Each case takes a shipped file and damages it the way people and programs do: a value of
another type, a number out of range, a deleted or renamed key, a table nested deep, a file cut
short, another encoding, a stray byte, an override with ``--set``. The command that reads it
(``validate`` for a scenario or planner config, ``sweep --dry-run`` for a spec,
``calibrate --dry-run`` for a targets file) must then end in one of two ways: exit 0 with a
valid result (the resolved config validates again), or exit 2 with a message naming the file;
never a traceback, never anything written.

``FUZZ_EXAMPLES`` cases per shipped file and kind of damage (hypothesis, derandomised so CI
runs the same cases); the total is printed by :func:`test_fuzz_case_count`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, call

KINDS = ("retype", "value", "range", "delete", "rename", "nest", "truncate", "encoding", "byte", "set")
FUZZ_EXAMPLES = 25          # per shipped file and kind of damage
CONFIGS = sorted(p.relative_to(ROOT) for p in (ROOT / "configs").glob("*.toml"))
SPECS = sorted(p.relative_to(ROOT) for p in (ROOT / "experiments").glob("*.toml"))
TARGETS = sorted(p.relative_to(ROOT) for p in (ROOT / "configs" / "targets").glob("*.toml"))
SOURCES = [*CONFIGS, *SPECS, *TARGETS]
SETTINGS = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A copy of the shipped configs and specs (their relative paths intact)."""
    base = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "configs", base / "configs")
    shutil.copytree(ROOT / "experiments", base / "experiments")
    return base


def command(source: Path, path: Path) -> list[str]:
    if source.parts[0] == "experiments":
        return ["sweep", str(path), "--dry-run"]
    if source.parts[:2] == ("configs", "targets"):
        return ["calibrate", str(path), "--dry-run"]
    return ["validate", str(path)]


# --------------------------------------------------------------------------- TOML writing

def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    return json.dumps(str(v))


def toml_key(k: Any) -> str:
    return json.dumps(str(k), ensure_ascii=False)


def toml_text(data: dict) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path (dict keys and list indices) in a parsed TOML document."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(paths(v, prefix + (k,)))
    return out


def parent_of(data: Any, path: tuple) -> Any:
    for k in path[:-1]:
        data = data[k]
    return data


# --------------------------------------------------------------------------- mutations

VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=6), st.booleans(),
    st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(-5, 5), max_size=3), st.dictionaries(st.text("abc", min_size=1, max_size=3),
                                                              st.integers(0, 3), max_size=2))


def _retyped(v: Any) -> list[Any]:
    """The same value written as another type: the mistakes people make."""
    out: list[Any] = [str(v) if not isinstance(v, dict | list) else "x"]
    if isinstance(v, bool):
        out += [int(v), "yes" if v else "no"]
    elif isinstance(v, int):
        out += [float(v), bool(v), v * 10**9, -v - 1]
    elif isinstance(v, float):
        out += [int(v) if math.isfinite(v) else 0, v * 1e9, -v - 1.0, True]
    elif isinstance(v, list):
        out += [v[0] if v else 0, []]
    elif isinstance(v, dict):
        out += [[v], 1]
    return out


@st.composite
def mutation(draw, data: dict, kind: str) -> tuple[str, Any]:
    """(kind, the damaged document as text, or raw bytes)."""
    doc = json.loads(json.dumps(data, default=str))          # a deep copy of plain values
    keys = paths(doc)
    text = toml_text(doc)
    if kind in ("truncate", "encoding", "byte"):
        raw = text.encode()
        if kind == "truncate":
            return kind, raw[: draw(st.integers(0, len(raw)))]
        if kind == "encoding":
            how = draw(st.sampled_from(["bom", "utf16", "latin1", "crlf"]))
            return f"encoding-{how}", {"bom": b"\xef\xbb\xbf" + raw, "utf16": text.encode("utf-16"),
                                       "latin1": ("# caf\xe9\n" + text).encode("latin-1"),
                                       "crlf": text.replace("\n", "\r\n").encode()}[how]
        at = draw(st.integers(0, len(raw)))
        return kind, raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at:]
    path = draw(st.sampled_from(keys))
    holder, key = parent_of(doc, path), path[-1]
    old = holder[key]
    if kind == "retype":
        holder[key] = draw(st.sampled_from(_retyped(old)))
    elif kind == "value":
        holder[key] = draw(VALUES)
    elif kind == "range" and isinstance(old, int | float) and not isinstance(old, bool):
        holder[key] = old * draw(st.sampled_from([-1, 0, 1e-9, 1e3, 1e12])) + draw(st.sampled_from([0, 1, -1]))
    elif kind == "delete":
        del holder[key]
    elif kind == "rename" and isinstance(holder, dict):
        holder[str(key) + draw(st.sampled_from(["s", "_", "X"]))] = holder.pop(key)
    elif kind == "nest":
        depth = draw(st.sampled_from([3, 12, 200]))
        for _ in range(depth):
            old = draw(st.sampled_from([[old], {"a": old}]))
        holder[key] = old
    elif kind == "set":   # as --set PATH=VALUE (configs), or the same value written in the file
        dotted = ".".join(str(k) for k in path if not isinstance(k, int))
        raw = draw(st.sampled_from(["abc", "1", "1.5", "true", "[1]", "{a=1}", "", "-1", "1e400"]))
        plain = toml_text(doc)
        try:
            holder[key] = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            holder[key] = raw
        return kind, (plain, f"{dotted}={raw}", toml_text(doc))
    return kind, toml_text(doc)


# --------------------------------------------------------------------------- the test

def snapshot(base: Path) -> dict[str, int]:
    return {os.path.relpath(os.path.join(r, n), base): os.path.getsize(os.path.join(r, n))
            for r, _, names in os.walk(base) for n in names if not n.startswith("fuzz")}


COUNT: dict[str, Any] = {"cases": 0, "outcomes": {}}


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("source", SOURCES, ids=str)
def test_fuzzed_inputs_end_cleanly(source, kind, workspace, capsys, monkeypatch):
    monkeypatch.chdir(workspace)
    data = tomllib.loads((ROOT / source).read_text(encoding="utf-8"))
    target = workspace / source.parent / f"fuzz_{source.name}"
    before = snapshot(workspace)

    @SETTINGS
    @given(mutation(data, kind))
    def case(m):
        kind, content = m
        extra: list[str] = []
        if kind == "set":
            plain, item, written = content
            on_command_line = command(source, target)[0] == "validate"
            content, extra = (plain, ["--set", item]) if on_command_line else (written, [])
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
        argv = command(source, target) + extra
        code, out, err = call(argv, capsys)
        COUNT["cases"] += 1
        outcome = (kind.split("-")[0], code)
        COUNT["outcomes"][outcome] = COUNT["outcomes"].get(outcome, 0) + 1
        assert "Traceback" not in out + err, (kind, err)
        assert code in (0, 2), (kind, code, err)
        if code == 2:
            assert err.startswith("scoresim: error: ") or "usage:" in err, (kind, err)
            assert target.name in err or "--set" in err, (kind, err)
        elif argv[0] == "validate":
            _revalidates(out, source)
        if kind == "encoding-bom" or kind == "encoding-crlf":
            assert code == 0, (kind, err)             # a byte-order mark or Windows line ends are fine
        assert snapshot(workspace) == before, "nothing may be written"

    case()


def _revalidates(out: str, source: Path) -> None:
    """The resolved config printed by validate is valid as it stands."""
    from scoresim.config import validate_model
    from scoresim.params import Scenario

    data = json.loads(out)
    model = Scenario
    if any(k in data for k in ("budget", "strategies")):
        from scoresim.scaleup.params import PlanConfig

        model = PlanConfig
    validate_model(model, data, str(source))


def test_fuzz_case_count():
    """Runs after the fuzz cases: how many there were (shown with pytest -rA or -s)."""
    expected = FUZZ_EXAMPLES * len(SOURCES) * len(KINDS)
    print(f"fuzz: {COUNT['cases']} cases over {len(SOURCES)} shipped files (up to {expected}); "
          "(mutation, exit status): cases: " + ", ".join(f"{k}: {n}" for k, n in sorted(COUNT["outcomes"].items())))
    assert COUNT["cases"] == 0 or COUNT["cases"] >= expected // 2
