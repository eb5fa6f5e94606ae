"""Load a TOML scenario, apply ``--set path=value`` overrides and validate it.

Every problem raises :class:`InputError` with a message that names the file (or the
``--set`` override), the field path and what is allowed. Nothing here writes files.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .params import Scenario, _range


M = TypeVar("M", bound=BaseModel)


class InputError(Exception):
    """Bad user input: a config, an override, a CLI argument or a result file."""


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read the TOML file at ``path``, apply ``overrides`` ('a.b=value') and validate."""
    path = Path(path)
    scenario = validate(read_toml(path, "config"), origin=str(path))
    if overrides:
        scenario = apply_overrides(scenario, overrides, origin=str(path))
    return scenario


def read_toml(path: Path, kind: str = "config") -> dict[str, Any]:
    """The TOML file at ``path`` as a dict, or :class:`InputError` naming the file."""
    if not path.is_file():
        raise InputError(f"{path}: no such {kind} file")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: not valid TOML: {err}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror})") from None


def scenario_from_json(text: str, origin: str) -> Scenario:
    """Rebuild a resolved scenario stored as JSON (the provenance of a result file)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"{origin}: the stored config is not valid JSON: {err}") from None
    return validate(data, origin=origin)


def apply_overrides(scenario: M, overrides: list[str], origin: str = "--set") -> M:
    """Return a new scenario with each 'dotted.path=value' applied (value parsed as TOML)."""
    values = {}
    for item in overrides:
        if "=" not in item:
            raise InputError(f"--set {item!r}: expected path=value, for example programme.participants=100")
        key, raw = (part.strip() for part in item.split("=", 1))
        values[key] = _parse_value(raw)
    return set_values(scenario, values, origin=origin, label="--set ")


def set_values(scenario: M, values: dict[str, Any], origin: str, label: str = "") -> M:
    """Return a new scenario (of the same type, a planner config too) with parameters set by
    dotted path, validated."""
    data = scenario.model_dump(mode="json")
    for key, value in values.items():
        parts = key.split(".")
        node = data
        for i, part in enumerate(parts[:-1]):
            child = node.get(part) if isinstance(node, dict) else None
            if part in node and not isinstance(child, dict):  # a value, not a section
                raise InputError(f"{label}{key if label else origin}: '{'.'.join(parts[: i + 1])}' is a "
                                 f"parameter, not a section; it has no field '{parts[i + 1]}'")
            if not isinstance(child, dict):
                _unknown(".".join(parts[: i + 1]), part, node, f"{label}{key}" if label else origin)
            node = child
        if not isinstance(node, dict) or (parts[-1] not in node):
            _unknown(key, parts[-1], node, f"{label}{key}" if label else origin)
        node[parts[-1]] = value
    return validate_model(type(scenario), data, origin, override_paths=list(values) if label else [], label=label)


def nearest(name: str, options: list[str], n: int = 3, cutoff: float = 0.6) -> str:
    """'; did you mean 'a', 'b'?' for the valid names closest to ``name``, or ''."""
    near = difflib.get_close_matches(name, options, n=n, cutoff=cutoff)
    return f"; did you mean {', '.join(repr(x) for x in near)}?" if near else ""


def _unknown(path: str, part: str, node: Any, origin: str) -> None:
    options = sorted(node) if isinstance(node, dict) else []
    near = difflib.get_close_matches(part, options, n=1)
    hint = f"; did you mean '{near[0]}'?" if near else ";"
    raise InputError(f"{origin}: unknown field '{path}'{hint} valid names here: {', '.join(options)}")


def _parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def validate(data: dict[str, Any], origin: str, override_paths: list[str] | None = None,
             label: str = "--set ") -> Scenario:
    """Validate a nested dict into a :class:`Scenario`, translating errors to :class:`InputError`."""
    return validate_model(Scenario, data, origin, override_paths, label)


def validate_model(root: type[M], data: dict[str, Any], origin: str, override_paths: list[str] | None = None,
                   label: str = "--set ") -> M:
    """Validate ``data`` into the pydantic model ``root``; errors become one :class:`InputError`
    with a line per problem naming ``origin``, the field path and what is allowed."""
    try:
        return root.model_validate(data)
    except ValidationError as err:
        raise InputError(_format(err, root, origin, override_paths or [], label)) from None


def _format(err: ValidationError, root: type[BaseModel], origin: str, override_paths: list[str],
            label: str) -> str:
    lines = []
    for e in err.errors():
        loc = [str(x) for x in e["loc"]]
        path = _path(e["loc"])
        src = f"{label}{path}" if path in override_paths else origin
        lines.append(f"{src}: {_explain(e, loc, root)}")
    return "\n".join(lines)


def _path(loc: tuple) -> str:
    """A field path as written in messages: sections with dots, list items with [i]."""
    out = ""
    for x in loc:
        out += f"[{x}]" if isinstance(x, int) else (f".{x}" if out else str(x))
    return out or "(top level)"


def _explain(e: dict[str, Any], loc: list[str], root: type[BaseModel]) -> str:
    path = _path(e["loc"])
    if e["type"] == "extra_forbidden":
        model = _model_at(loc[:-1], root)
        options = sorted(model.model_fields) if model else []
        near = difflib.get_close_matches(loc[-1], options, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ";"
        return f"unknown field '{path}'{hint} valid names here: {', '.join(options)}"
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "value_error" and _model_at(loc, root) is not None:  # a rule across a section's fields
        return f"section '{path}': {msg}" if loc else msg
    allowed = _allowed(loc, root)
    got = e.get("input")
    got_txt = f" (got {got!r})" if not isinstance(got, dict | list) else ""
    msg = e["msg"].removeprefix("Value error, ")
    return f"field '{path}': {msg}{got_txt}" + (f"; allowed: {allowed}" if allowed else "")


def _model_at(loc: list[str], root: type[BaseModel] = Scenario) -> type[BaseModel] | None:
    """The pydantic model class found at a field path under ``root`` (dict keys and list
    indices skipped)."""
    model: type[BaseModel] | None = root
    i = 0
    while model is not None and i < len(loc):
        field = model.model_fields.get(loc[i])
        if field is None:
            return None
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model, i = ann, i + 1
        elif args and isinstance(args[-1], type) and issubclass(args[-1], BaseModel):
            model, i = args[-1], i + 2  # dict[str, Model]: skip the key
        else:
            return None
    return model


def _allowed(loc: list[str], root: type[BaseModel] = Scenario) -> str:
    if not loc:
        return ""
    model = _model_at(loc[:-1], root)
    field = model.model_fields.get(loc[-1]) if model else None
    if field is None and len(loc) >= 2:  # an item of a list field
        model = _model_at(loc[:-2], root)
        field = model.model_fields.get(loc[-2]) if model else None
    if field is None:
        return ""
    ann = field.annotation
    kind = getattr(ann, "__name__", str(ann)).replace("typing.", "")
    rng = _range(field)
    unit = (field.json_schema_extra or {}).get("unit", "") if isinstance(field.json_schema_extra, dict) else ""
    parts = [p for p in (kind if not rng or "|" not in rng else "", rng, unit) if p]
    if "|" in str(ann) or "Literal" in str(ann):
        parts = [str(ann).replace("typing.", "")]
    return " ".join(parts)
