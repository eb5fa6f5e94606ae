"""Terminal tables within 100 columns and the number notation (textable), and the commands'
printed tables."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoresim import textable as t
from scoresim.cli import main


def widths(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_notation():
    assert t.change(0.2043, "relative") == "+20.4%" and t.change(-0.036, "relative") == "-3.6%"
    assert t.change(0.271, "points") == "+0.271 (0-1 scale)"
    assert t.difference(-0.063, "relative") == "-6.3 pp" and t.difference(0.05, "points") == "+0.050 (0-1 scale)"
    assert t.percent(0.79) == "79%"
    assert t.with_interval(-0.133, -0.139, -0.118) == "-13.3% [-13.9%, -11.8%]"
    assert t.with_interval(0.271, 0.270, 0.272, kind="points") == "+0.271 [+0.270, +0.272] (0-1 scale)"
    assert t.with_interval(-0.063, -0.07, -0.055, diff=True) == "-6.3 [-7.0, -5.5] pp"
    assert t.count(54000) == "54,000" and t.compact(2.5e6) == "2.50M" and t.number(0.012345) == "0.0123"
    for f in (t.signed_percent, t.percent, t.count, t.compact, t.number):
        assert f(math.nan) == t.NA and f(None) == t.NA
    assert "pt" not in t.change(0.271, "points") and "%" not in t.change(0.271, "points")


def test_a_wide_table_is_split_with_its_key_column_repeated():
    cols = [t.Column("indicator", "left", key=True)] + [t.Column(f"scenario number {i}") for i in range(8)]
    rows = [["accidents"] + [f"-13.3% [-13.9%, -11.8%]"] * 8, ["defects"] + ["-1.0% [-2.0%, +0.5%]"] * 8]
    text = t.render(cols, rows)
    assert widths(text) <= 100
    assert text.count("accidents") >= 2 and "scenario number 7" in text


def test_prose_wraps_at_spaces_and_notes_are_wrapped():
    cols = [t.Column("indicator", "left"), t.Column("Phase I figure", "left", wrap=True)]
    long = "80% lower defects, -10% average, " * 6
    text = t.render(cols, [["defects", long]], width=60, notes=["a note " * 30])
    assert widths(text) <= 60
    words = set(long.split())
    for line in text.splitlines()[2:]:
        for w in line.split():
            assert w in words or w in ("defects", "a", "note"), w           # no word cut


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="abc -.%0123", min_size=0, max_size=30), min_size=3, max_size=3),
                min_size=1, max_size=8),
       st.integers(min_value=64, max_value=120))
def test_render_never_exceeds_the_width(rows, width):
    """Whenever the key column and any one other column fit side by side (cells here are at most
    30 characters), the table fits: prose wraps, parts split."""
    cols = [t.Column("name", "left", key=True), t.Column("a value"), t.Column("prose", "left", wrap=True)]
    assert widths(t.render(cols, rows, width=width)) <= width


def test_phase1_column_only_for_phase1():
    assert t.is_phase1({"programme": {"enrol_start": "2009-01", "enrol_end": "2012-12"}})
    assert not t.is_phase1({"programme": {"enrol_start": "2021-01", "enrol_end": "2022-06"}})
    assert not t.is_phase1({})
    cols = [t.Column("indicator"), t.Column("effect"), t.Column("Phase I figure")]
    kept, rows = t.optional_columns(cols, [["a", "b", "c"]], {"Phase I figure": False})
    assert [c.title for c in kept] == ["indicator", "effect"] and rows == [["a", "b"]]


@pytest.mark.parametrize("argv", [["params"], ["params", "--planner"]])
def test_params_table_fits_100_columns_with_a_header(argv, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert widths(out) <= 100
    assert out.splitlines()[0].startswith("parameter (--set path)") and set(out.splitlines()[1]) == {"-"}
