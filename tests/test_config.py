"""Config loading and validation: ``load_scenario``, ``apply_overrides`` and ``InputError``.

Project rule for bad input: an :class:`InputError` whose message names the file (or the
``--set`` item), the field path and what is allowed.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from scoresim.config import InputError, apply_overrides, load_scenario, scenario_from_json
from scoresim.params import Scenario, describe_parameters

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = sorted((ROOT / "configs").glob("*.toml"))


def write_config(directory: Path, text: str, name: str = "scenario.toml") -> Path:
    """Write ``text`` to ``directory/name`` and return the path."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path, overrides: list[str] | None = None) -> str:
    """The message of the InputError raised by loading ``path``."""
    with pytest.raises(InputError) as info:
        load_scenario(path, overrides)
    return str(info.value)


def override_error(overrides: list[str], scenario: Scenario | None = None) -> str:
    with pytest.raises(InputError) as info:
        apply_overrides(scenario or Scenario(), overrides)
    return str(info.value)


def _leaves(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Leaf values by dotted path; the tables of a list of tables by index ('a.b[0].c')."""
    out = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_leaves(value, f"{prefix}{key}."))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                out.update(_leaves(item, f"{prefix}{key}[{i}]."))
        else:
            out[f"{prefix}{key}"] = value
    return out


# --------------------------------------------------------------------------- shipped configs

def test_configs_are_shipped():
    assert {p.stem for p in CONFIGS} >= {"phase1", "buyer_sponsored", "full_package", "osh_only"}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_shipped_config_validates_and_keeps_every_value(path):
    from scoresim.scaleup.commands import is_plan, load_plan

    planner = is_plan(tomllib.loads(path.read_text(encoding="utf-8")))
    scenario = load_plan(path) if planner else load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.name == path.stem
    # every value the file sets is in the resolved scenario, unchanged
    written = _leaves(tomllib.loads(path.read_text(encoding="utf-8")))
    resolved = _leaves(scenario.model_dump(mode="json"))
    assert written, path
    for key, value in written.items():
        assert key in resolved, key
        assert resolved[key] == value, key
    # and the resolved scenario survives the JSON round trip used by result files
    if planner:
        assert type(scenario).model_validate_json(scenario.model_dump_json()) == scenario
    else:
        assert scenario_from_json(scenario.model_dump_json(), origin="test") == scenario


def test_phase1_figures():
    s = load_scenario(next(p for p in CONFIGS if p.stem == "phase1"))
    assert s.population.n_firms == 616          # 308 participants and a comparison pool as large
    assert s.programme.participants == 308
    assert s.programme.cost_per_module_usd == 2500.0
    assert len(s.population.countries) == 7


# --------------------------------------------------------------------------- file-level errors

def test_missing_file(tmp_path):
    path = tmp_path / "nope.toml"
    msg = load_error(path)
    assert str(path) in msg
    assert "no such config file" in msg
    assert not path.exists()


def test_directory_is_not_a_config(tmp_path):
    msg = load_error(tmp_path)
    assert str(tmp_path) in msg and "a directory, not a config file" in msg


def test_malformed_toml(tmp_path):
    path = write_config(tmp_path, 'name = "x"\n[programme\nparticipants = 3\n')
    msg = load_error(path)
    assert str(path) in msg
    assert "not valid TOML" in msg
    assert "line 2" in msg


def test_duplicate_key_is_malformed_toml(tmp_path):
    path = write_config(tmp_path, "[programme]\nparticipants = 3\nparticipants = 4\n")
    msg = load_error(path)
    assert str(path) in msg and "not valid TOML" in msg


def test_not_utf8(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00name = 1")
    msg = load_error(path)
    assert str(path) in msg and "UTF-8" in msg


@pytest.mark.parametrize("text, expected", [
    ("", "empty"), ("  \n\t\n", "empty"), ("# a comment\n\n# another\n", "no settings (only comments)"),
    ((ROOT / "configs" / "phase1.toml").read_text()[:60], "no settings (only comments)"),
])
def test_a_file_without_settings_is_an_error(tmp_path, text, expected):
    """An empty, blank or truncated file is not taken for 'all defaults'."""
    path = write_config(tmp_path, text)
    msg = load_error(path)
    assert str(path) in msg and expected in msg and "at least one field" in msg


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (ROOT / "configs" / "phase1.toml").read_bytes())
    assert load_scenario(path) == load_scenario(ROOT / "configs" / "phase1.toml")


def test_utf16_is_named(tmp_path):
    path = tmp_path / "utf16.toml"
    path.write_bytes('name = "x"\n'.encode("utf-16"))
    assert "UTF-16" in load_error(path)


@pytest.mark.parametrize("text", ["v = " + "{a = " * 400 + "1" + "}" * 400 + "\n",
                                  "v = " + "[" * 400 + "]" * 400 + "\n",
                                  "a" + ".a" * 30 + " = 1\n"])
def test_deep_nesting_is_refused(tmp_path, text):
    path = write_config(tmp_path, text)
    msg = load_error(path)
    assert str(path) in msg and "nested" in msg and "10 levels" in msg


def test_a_huge_file_is_refused(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_bytes(b"# " + b"x" * (11 * 2**20) + b"\n")
    assert "at most" in load_error(path)


# --------------------------------------------------------------------------- unknown keys

def test_unknown_key_suggests_nearest_name(tmp_path):
    path = write_config(tmp_path, "[programme]\npartcipants = 3\n")
    msg = load_error(path)
    assert str(path) in msg
    assert "unknown field 'programme.partcipants'" in msg
    assert "did you mean 'participants'?" in msg
    # the valid names of that section are listed
    assert "cohort_size" in msg and "firm_share" in msg


def test_unknown_top_level_key(tmp_path):
    msg = load_error(write_config(tmp_path, 'nmae = "x"\n'))
    assert "unknown field 'nmae'" in msg and "did you mean 'name'?" in msg


def test_unknown_section_suggests_nearest(tmp_path):
    path = write_config(tmp_path, "[programm]\nparticipants = 3\n")
    msg = load_error(path)
    assert str(path) in msg
    assert "unknown field 'programm'" in msg and "did you mean 'programme'?" in msg


def test_unknown_nested_section(tmp_path):
    path = write_config(tmp_path, "[programme.foo]\nbar = 1\n")
    msg = load_error(path)
    assert str(path) in msg
    assert "unknown field 'programme.foo'" in msg
    assert "did you mean" not in msg  # nothing near 'foo'
    assert "participants" in msg  # valid names listed


def test_unknown_key_inside_a_table_entry(tmp_path):
    path = write_config(tmp_path, "[population.countries.China]\nwieght = 2.0\n")
    msg = load_error(path)
    assert str(path) in msg
    assert "unknown field 'population.countries.China.wieght'" in msg
    assert "did you mean 'weight'?" in msg


def test_new_table_entry_is_allowed(tmp_path):
    """Countries and sectors are tables: a new named entry is a valid addition."""
    s = load_scenario(write_config(tmp_path, "[population.sectors.toys]\nweight = 1.0\n"))
    assert "toys" in s.population.sectors
    assert s.population.sectors["toys"].weight == 1.0


# --------------------------------------------------------------------------- types and ranges

@pytest.mark.parametrize("text, field, got, allowed", [
    ('[programme]\nparticipants = "many"\n', "programme.participants", "'many'", "[0, 5000000]"),
    ('[programme]\nfirm_share = "half"\n', "programme.firm_share", "'half'", "[0, 1]"),
    ('[time]\nmonths = 12.5\n', "time.months", "12.5", "[1, 600]"),
    ('[programme]\nenabled = "maybe"\n', "programme.enabled", "'maybe'", ""),
    ('[time]\nstart = 2008\n', "time.start", "2008", ""),
])
def test_wrong_type(tmp_path, text, field, got, allowed):
    path = write_config(tmp_path, text)
    msg = load_error(path)
    assert str(path) in msg
    assert f"field '{field}'" in msg
    assert f"(got {got})" in msg
    assert allowed in msg


def test_wrong_type_for_a_section(tmp_path):
    msg = load_error(write_config(tmp_path, "[population]\nsectors = 3\n"))
    assert "field 'population.sectors'" in msg and "dict" in msg


@pytest.mark.parametrize("text, field, allowed", [
    ("[programme]\nfirm_share = 1.5\n", "programme.firm_share", "[0, 1]"),
    ("[programme]\nfirm_share = -0.1\n", "programme.firm_share", "[0, 1]"),
    ("[time]\nmonths = 0\n", "time.months", "[1, 600]"),
    ("[population]\nn_firms = -5\n", "population.n_firms", "[1, 5000000]"),
    ("[population.countries.Ghana]\nwage_usd_month = 1.0\n",
     "population.countries.Ghana.wage_usd_month", "[10, 10000]"),
    ("[programme]\ncohort_size = 101\n", "programme.cohort_size", "[1, 100]"),
])
def test_out_of_range(tmp_path, text, field, allowed):
    path = write_config(tmp_path, text)
    msg = load_error(path)
    assert str(path) in msg
    assert f"field '{field}'" in msg
    assert "allowed: " in msg and allowed in msg


def test_several_problems_are_all_reported(tmp_path):
    path = write_config(tmp_path, "[programme]\nfirm_share = 2.0\ncohort_size = 0\n")
    msg = load_error(path)
    lines = msg.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(str(path)) for line in lines)
    assert "programme.firm_share" in msg and "programme.cohort_size" in msg


def test_literal_choice_lists_the_allowed_values(tmp_path):
    msg = load_error(write_config(tmp_path, '[programme]\ntargeting = "biggest"\n'))
    assert "programme.targeting" in msg
    assert "'random'" in msg and "'sponsored_first'" in msg


def test_unknown_module_name(tmp_path):
    msg = load_error(write_config(tmp_path, '[programme]\nmodules = ["osh", "marketing"]\n'))
    assert "programme.modules" in msg and "'marketing'" in msg
    assert "'cooperation'" in msg and "'osh'" in msg


# --------------------------------------------------------------------------- cross-field rules

def test_firm_and_sponsor_share_exceed_one(tmp_path):
    path = write_config(tmp_path, "[programme]\nfirm_share = 0.6\nsponsor_share = 0.6\n")
    msg = load_error(path)
    assert str(path) in msg
    assert "programme" in msg
    assert "firm_share + sponsor_share must not exceed 1" in msg


def test_firm_and_sponsor_share_exactly_one_is_valid(tmp_path):
    s = load_scenario(write_config(tmp_path, "[programme]\nfirm_share = 0.5\nsponsor_share = 0.5\n"))
    assert s.programme.firm_share + s.programme.sponsor_share == 1.0


def test_workers_min_above_max(tmp_path):
    path = write_config(tmp_path, "[population]\nworkers_min = 500\nworkers_max = 100\n")
    msg = load_error(path)
    assert str(path) in msg
    assert "population" in msg and "workers_min must not exceed workers_max" in msg


def test_eligible_min_above_max(tmp_path):
    msg = load_error(write_config(
        tmp_path, "[programme]\neligible_min_workers = 50\neligible_max_workers = 10\n"))
    assert "eligible_min_workers must not exceed eligible_max_workers" in msg


def test_enrol_end_before_start(tmp_path):
    path = write_config(tmp_path, '[programme]\nenrol_start = "2010-01"\nenrol_end = "2009-12"\n')
    msg = load_error(path)
    assert str(path) in msg
    assert "programme" in msg and "enrol_end must not be before enrol_start" in msg


def test_enrol_in_a_single_month_is_valid(tmp_path):
    s = load_scenario(write_config(tmp_path, '[programme]\nenrol_start = "2010-01"\nenrol_end = "2010-01"\n'))
    assert s.programme.enrol_start == s.programme.enrol_end == "2010-01"


def test_eligible_sector_unknown(tmp_path):
    path = write_config(tmp_path, '[programme]\neligible_sectors = ["garments", "toys"]\n')
    msg = load_error(path)
    assert str(path) in msg
    assert "programme.eligible_sectors" in msg
    assert "'toys'" in msg
    for known in ("garments", "food", "metal_auto_parts", "electronics"):
        assert known in msg


def test_eligible_sector_added_in_same_file_is_valid(tmp_path):
    s = load_scenario(write_config(
        tmp_path, '[programme]\neligible_sectors = ["toys"]\n[population.sectors.toys]\nweight = 1.0\n'))
    assert s.programme.eligible_sectors == ["toys"]


def test_eligible_country_unknown(tmp_path):
    msg = load_error(write_config(tmp_path, '[programme]\neligible_countries = ["Narnia"]\n'))
    assert "programme.eligible_countries" in msg and "'Narnia'" in msg and "Ghana" in msg


def test_all_weights_zero(tmp_path):
    text = "".join(f'[population.sectors.{s}]\nweight = 0.0\n'
                   for s in ("garments", "food", "metal_auto_parts", "electronics"))
    msg = load_error(write_config(tmp_path, text))
    assert "population" in msg and "sectors: weights must not all be zero" in msg


@pytest.mark.parametrize("field", ["time.start", "programme.enrol_start", "programme.enrol_end"])
@pytest.mark.parametrize("bad", ["2008-13", "2008-00", "2008-1", "2008/01", "08-01", "2008-01-01",
                                 "1850-01", "", "Jan 2009"])
def test_bad_month_format(tmp_path, field, bad):
    section, key = field.split(".")
    path = write_config(tmp_path, f'[{section}]\n{key} = "{bad}"\n')
    msg = load_error(path)
    assert str(path) in msg
    assert f"field '{field}'" in msg
    assert "'YYYY-MM'" in msg
    assert f"(got {bad!r})" in msg


# --------------------------------------------------------------------------- overrides

def test_override_applied():
    base = Scenario()
    s = apply_overrides(base, ["programme.participants=100", "programme.firm_share = 0.2",
                               "programme.enrol_start=2009-03", "programme.targeting=sponsored_first",
                               'programme.modules=["osh", "quality"]', "population.countries.Ghana.weight=3",
                               "name=other"])
    assert s.programme.participants == 100
    assert s.programme.firm_share == 0.2
    assert s.programme.enrol_start == "2009-03"
    assert s.programme.targeting == "sponsored_first"
    assert s.programme.modules == ["osh", "quality"]
    assert s.population.countries["Ghana"].weight == 3.0
    assert s.name == "other"
    # everything else is untouched, and the input scenario is not modified
    assert s.programme.cohort_size == base.programme.cohort_size
    assert base == Scenario()


def test_override_through_load_scenario(tmp_path):
    path = write_config(tmp_path, "[programme]\nparticipants = 10\n")
    s = load_scenario(path, ["programme.participants=12", "time.months=24"])
    assert s.programme.participants == 12 and s.time.months == 24


def test_last_override_of_a_path_wins():
    s = apply_overrides(Scenario(), ["time.months=24", "time.months=36"])
    assert s.time.months == 36


def test_override_unknown_path_suggests_nearest():
    msg = override_error(["programme.partcipants=3"])
    assert "--set programme.partcipants" in msg
    assert "unknown field 'programme.partcipants'" in msg
    assert "did you mean 'participants'?" in msg


def test_override_unknown_section_suggests_nearest():
    msg = override_error(["programm.participants=3"])
    assert "--set programm.participants" in msg
    assert "unknown field 'programm'" in msg and "did you mean 'programme'?" in msg


def test_override_misspelt_table_entry_suggests_nearest():
    msg = override_error(["population.countries.Chna.weight=2"])
    assert "--set population.countries.Chna.weight" in msg
    assert "'Chna' is not a documented country" in msg and "did you mean 'China'?" in msg


def test_override_below_a_parameter():
    """A path that continues past a parameter is an error that does not call the parameter unknown."""
    msg = override_error(["programme.participants.x=2"])
    assert "--set programme.participants.x" in msg
    assert "'programme.participants' is a parameter, not a section" in msg
    assert "unknown field 'programme.participants'" not in msg


@pytest.mark.parametrize("item, field, allowed", [
    ("programme.participants=abc", "programme.participants", "[0, 5000000]"),
    ("programme.firm_share=2", "programme.firm_share", "[0, 1]"),
    ("programme.firm_share=nan", "programme.firm_share", "[0, 1]"),
    ("programme.firm_share=inf", "programme.firm_share", "[0, 1]"),
    ("time.months=0", "time.months", "[1, 600]"),
    ("time.start=2008-13", "time.start", "YYYY-MM"),
])
def test_override_bad_value(item, field, allowed):
    msg = override_error([item])
    assert f"--set {field}" in msg
    assert f"field '{field}'" in msg
    assert allowed in msg


def test_override_breaks_a_cross_field_rule(tmp_path):
    path = write_config(tmp_path, "[programme]\nsponsor_share = 0.5\n")
    with pytest.raises(InputError) as info:
        load_scenario(path, ["programme.firm_share=0.6"])
    assert "firm_share + sponsor_share must not exceed 1" in str(info.value)


@pytest.mark.parametrize("item", ["programme.participants", "programme.participants:3", ""])
def test_override_without_equals(item):
    msg = override_error([item])
    assert f"--set {item!r}" in msg
    assert "expected path=value" in msg


def test_override_error_leaves_scenario_unchanged():
    base = Scenario()
    with pytest.raises(InputError):
        apply_overrides(base, ["programme.participants=7", "programme.firm_share=2"])
    assert base == Scenario()


# --------------------------------------------------------------------------- properties

def _field(path: str):
    """The pydantic field at a dotted parameter path (keys of dict tables are skipped)."""
    model: type[BaseModel] = Scenario
    parts = path.split(".")
    i = 0
    while True:
        field = model.model_fields[parts[i]]
        if i == len(parts) - 1:
            return field
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model, i = ann, i + 1
        else:  # dict[str, Model]
            model, i = ann.__args__[-1], i + 2


def _bounds(field) -> tuple[float, float]:
    lo = next(m.ge for m in field.metadata if getattr(m, "ge", None) is not None)
    hi = next(m.le for m in field.metadata if getattr(m, "le", None) is not None)
    return lo, hi


ROWS = {r["path"]: r for r in describe_parameters()}
CROSS_FIELD = {"programme.firm_share", "programme.sponsor_share", "population.workers_min",
               "population.workers_max", "programme.eligible_min_workers", "programme.eligible_max_workers",
               *(p for p in ROWS if p.startswith("population.sectors.")      # the shares leave value added
                 and p.rsplit(".", 1)[-1] in ("materials_share", "energy_share", "services_share"))}
FLOAT_PARAMS = sorted(p for p, r in ROWS.items()
                      if r["range"].startswith("[") and _field(p).annotation is float and p not in CROSS_FIELD)
INT_PARAMS = sorted(p for p, r in ROWS.items()
                    if r["range"].startswith("[") and _field(p).annotation is int and p not in CROSS_FIELD)


def test_property_parameter_lists_are_not_empty():
    assert len(FLOAT_PARAMS) > 50 and len(INT_PARAMS) > 10
    assert "programme.cost_per_module_usd" in FLOAT_PARAMS and "time.months" in INT_PARAMS


def _in_range(kind):
    def draw(path):
        lo, hi = _bounds(_field(path))
        values = (st.floats(lo, hi, allow_nan=False) if kind is float else st.integers(int(lo), int(hi)))
        return values.map(lambda v: (path, v))
    return draw


def _out_of_range(kind):
    def draw(path):
        lo, hi = _bounds(_field(path))
        if kind is float:
            below = st.floats(max_value=lo, exclude_max=True, allow_nan=False)
            above = st.floats(min_value=hi, exclude_min=True, allow_nan=False)
        else:
            below = st.integers(max_value=int(lo) - 1)
            above = st.integers(min_value=int(hi) + 1)
        return st.one_of(below, above).map(lambda v: (path, v))
    return draw


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.sampled_from(FLOAT_PARAMS).flatmap(_in_range(float)))
def test_property_float_in_range_validates_and_round_trips(case):
    path, value = case
    s = apply_overrides(Scenario(), [f"{path}={value!r}"])
    got = _leaves(s.model_dump())[path]
    assert got == value and math.copysign(1, got) == math.copysign(1, value)
    assert scenario_from_json(s.model_dump_json(), origin="test") == s


@SETTINGS
@given(st.sampled_from(FLOAT_PARAMS).flatmap(_out_of_range(float)))
def test_property_float_out_of_range_names_field_and_range(case):
    path, value = case
    msg = override_error([f"{path}={value!r}"])
    assert f"--set {path}: field '{path}'" in msg
    assert ROWS[path]["range"] in msg


# Single fields varied alone: with the programme off, the rule that its enrolment window falls
# inside the simulated period does not tie the time axis to the programme dates.
PROGRAMME_OFF = ["programme.enabled=false"]


@SETTINGS
@given(st.sampled_from(INT_PARAMS).flatmap(_in_range(int)))
def test_property_int_in_range_validates(case):
    path, value = case
    s = apply_overrides(Scenario(), PROGRAMME_OFF + [f"{path}={value}"])
    assert _leaves(s.model_dump())[path] == value


@SETTINGS
@given(st.sampled_from(INT_PARAMS).flatmap(_out_of_range(int)))
def test_property_int_out_of_range_names_field_and_range(case):
    path, value = case
    msg = override_error([f"{path}={value}"])
    assert f"field '{path}'" in msg
    assert ROWS[path]["range"] in msg


def test_declared_ranges_match_the_params_listing():
    assert ROWS["programme.firm_share"]["range"] == "[0, 1]"
    assert ROWS["time.months"]["range"] == "[1, 600]"
    for path in FLOAT_PARAMS + INT_PARAMS:
        lo, hi = _bounds(_field(path))
        assert ROWS[path]["range"].startswith("[")
        left, right = ROWS[path]["range"][1:-1].split(", ")
        kind = int if path in INT_PARAMS else float
        assert (kind(left), kind(right)) == (lo, hi), path


shares = st.floats(0.0, 1.0, allow_nan=False)


@SETTINGS
@given(shares, shares)
def test_property_shares_valid_iff_sum_at_most_one(firm, sponsor):
    items = [f"programme.firm_share={firm!r}", f"programme.sponsor_share={sponsor!r}"]
    if firm + sponsor <= 1.0 + 1e-12:
        s = apply_overrides(Scenario(), items)
        assert (s.programme.firm_share, s.programme.sponsor_share) == (firm, sponsor)
    else:
        assert "firm_share + sponsor_share must not exceed 1" in override_error(items)


months = st.tuples(st.integers(1900, 2199), st.integers(1, 12))


@SETTINGS
@given(months, months)
def test_property_enrol_window_valid_iff_end_not_before_start(start, end):
    items = [f"programme.enrol_start={start[0]:04d}-{start[1]:02d}",
             f"programme.enrol_end={end[0]:04d}-{end[1]:02d}"]
    if end >= start:
        s = apply_overrides(Scenario(), PROGRAMME_OFF + items)
        assert s.programme.enrol_start == f"{start[0]:04d}-{start[1]:02d}"
    else:
        assert "enrol_end must not be before enrol_start" in override_error(items)


@SETTINGS
@given(st.integers(1, 9999), st.integers(0, 99))
def test_property_month_needs_valid_year_and_month(year, month):
    text = f"{year:04d}-{month:02d}"
    valid = 1900 <= year <= 2199 and 1 <= month <= 12
    if valid:
        assert apply_overrides(Scenario(), PROGRAMME_OFF + [f"time.start={text}"]).time.start == text
    else:
        msg = override_error([f"time.start={text}"])
        assert "field 'time.start'" in msg and "'YYYY-MM'" in msg


@pytest.mark.parametrize("items", [
    ["time.start=2010-01"],                       # enrolment (2009-01) before the first month
    ["time.months=12"],                           # enrolment after the last month (2008-12)
])
def test_enrolment_must_start_inside_the_simulated_period(items):
    msg = override_error(items)
    assert "programme.enrol_start" in msg and "inside the simulated period" in msg
    assert apply_overrides(Scenario(), PROGRAMME_OFF + items)  # without a programme, any period
