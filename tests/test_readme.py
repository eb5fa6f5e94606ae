"""The README's and the scenario guide's snippets work as written: every TOML block validates
(scenario, planner config or experiment spec), every scoresim command line parses, and the
Python blocks run (on a small scenario where they would take long)."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest
from conftest import ROOT

from scoresim.cli import build_parser

DOCS = ("README.md", "docs/scenarios.md")


def blocks(doc: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", (ROOT / doc).read_text(encoding="utf-8"), re.S)


def all_blocks(lang: str) -> list[tuple[str, int, str]]:
    return [(doc, i, b) for doc in DOCS for i, b in enumerate(blocks(doc, lang))]


@pytest.mark.parametrize("doc, i, text", all_blocks("toml"), ids=lambda x: str(x)[:20])
def test_toml_snippets_validate(doc, i, text, tmp_path):
    from scoresim.config import validate, validate_model

    data = tomllib.loads(text)
    if "base" in data and "method" in data:                       # an experiment spec
        from scoresim.experiments.spec import load_experiment

        path = tmp_path / "spec.toml"
        path.write_text(text.replace('"../configs/phase1.toml"', f'"{ROOT / "configs" / "phase1.toml"}"'))
        load_experiment(path)
    elif any(k in data for k in ("budget", "capacity", "strategies")):   # a planner config
        from scoresim.scaleup.params import PlanConfig

        validate_model(PlanConfig, data, f"{doc} block {i}")
    else:
        validate(data, f"{doc} block {i}")


def command_lines() -> list[tuple[str, str]]:
    out = []
    for doc, _, text in all_blocks("bash"):
        for line in text.splitlines():
            if line.lstrip().startswith("#"):
                continue
            for part in line.split("&&"):
                words = part.split()
                if words and words[0].endswith("scoresim"):
                    out.append((doc, part.strip()))
    return out


@pytest.mark.parametrize("doc, line", command_lines())
def test_command_lines_parse(doc, line):
    try:
        words = shlex.split(line, comments=True)[1:]
    except ValueError as err:
        pytest.fail(f"{doc}: {line!r} is not a valid shell command line ({err})")
    try:
        args = build_parser().parse_args(words)
    except SystemExit as exc:
        pytest.fail(f"{doc}: {line!r} does not parse (exit {exc.code})")
    assert args.command


def test_there_are_snippets_to_check():
    assert len(all_blocks("toml")) >= 5 and len(command_lines()) >= 20 and len(blocks("README.md", "python")) >= 2


@pytest.mark.slow
def test_python_snippets_run(tmp_path, monkeypatch):
    """The README's Python blocks, with the dataset path pointing at a small run made here."""
    from scoresim.cli import main

    monkeypatch.chdir(ROOT)
    run_dir = tmp_path / "run"
    small = tmp_path / "small.toml"
    small.write_text('name = "small"\n[population]\nn_firms = 30\n[programme]\nparticipants = 20\n'
                     '[run]\nreplicates = 2\n')
    assert main(["run", str(small), "--out", str(run_dir), "--no-figures"]) == 0
    for text in blocks("README.md", "python"):
        code = text.replace('"results/phase1-.../dataset.nc"', repr(str(run_dir / "dataset.nc")))
        code = code.replace('"results/phase1-.../panel.nc"', repr(str(run_dir / "panel.nc")))
        exec(compile(code, "README.md", "exec"), {})
