"""Load a TOML config, apply ``--set path=value`` overrides and validate it.

Every problem raises :class:`InputError` with a message that names the file (or the
``--set`` override), the field path and what is allowed; a file or override with several
problems reports all of them at once, one per line. Nothing here writes files.

The rules a config follows (docs/model.md, section "Configs"):

* Types are strict: a string is not a number, a boolean is not a number, a decimal number is
  not a whole number (write ``3``, not ``3.0``), only ``true`` and ``false`` are booleans; nan
  and inf are not allowed.
* A file with no settings (empty, blank or only comments) is an error, as is invalid TOML
  (which a truncated file usually is). Tables nest at most :data:`MAX_DEPTH` levels; a file
  holds at most :data:`MAX_BYTES` bytes. A UTF-8 byte-order mark is accepted.
* Values given outside the file (``--set``, a spec's ``constants``) apply as if written at the
  end of the file: ``--set population.countries.Ghana.weight=2`` is the line
  ``population.countries.Ghana.weight = 2`` of the config.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import tomllib
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .params import Scenario, _range


M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 10              # levels of nested tables and lists in a config
MAX_BYTES = 10 * 2**20      # size of a config, spec or targets file


class InputError(Exception):
    """Bad user input: a config, an override, a CLI argument or a result file."""


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read the TOML file at ``path``, apply ``overrides`` ('a.b=value') and validate."""
    return load_config(Scenario, path, overrides, "config")


def written_paths(path: str | Path, overrides: list[str] | None = None) -> set[str]:
    """The dotted paths of every value the TOML file at ``path`` and the ``overrides`` set
    (tables inside tables by their keys; the file is assumed valid)."""
    def leaves(node: Any, prefix: str) -> set[str]:
        if isinstance(node, dict):
            return set().union(*(leaves(v, f"{prefix}{k}.") for k, v in node.items())) if node else set()
        return {prefix[:-1]}
    written = leaves(read_toml(Path(path)), "")
    return written | {item.split("=", 1)[0].strip() for item in overrides or [] if "=" in item}


def load_config(root: type[M], path: str | Path, overrides: list[str] | None = None, kind: str = "config") -> M:
    """Read the TOML file at ``path`` as a ``root`` config, with ``overrides`` ('a.b=value')
    applied as lines at its end, and validate; every problem of the file and the overrides is
    reported at once."""
    path = Path(path)
    data = read_toml(path, kind)
    values, problems = parse_overrides(overrides or [])
    return validate_model(root, data, str(path), values=values, problems=problems)


def read_toml(path: Path, kind: str = "config") -> dict[str, Any]:
    """The TOML file at ``path`` as a dict, or :class:`InputError` naming the file."""
    path = Path(path)
    if not path.is_file():
        what = "a directory, not a" if path.is_dir() else "no such"
        raise InputError(f"{path}: {what} {kind} file")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise InputError(f"{path}: {len(raw):,} bytes; a {kind} file holds at most {MAX_BYTES:,}")
    text = decode(raw, str(path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{path}: not valid TOML: {err}") from None
    except RecursionError:
        raise InputError(f"{path}: tables or lists nested too deeply; at most {MAX_DEPTH} levels") from None
    if not data:
        what = "empty" if not text.strip() else "no settings (only comments)"
        raise InputError(f"{path}: {what}; a {kind} file sets at least one field (a truncated or unsaved file?)")
    deep = too_deep(data)
    if deep:
        raise InputError(f"{path}: field '{deep}': tables or lists nested more than {MAX_DEPTH} levels deep")
    return data


def decode(raw: bytes, origin: str) -> str:
    """The text of a UTF-8 file (a byte-order mark at its start is dropped)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{origin}: a UTF-16 text file; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{origin}: not a UTF-8 text file (byte {err.start} cannot be read); "
                         "save it as UTF-8") from None


def too_deep(data: Any, limit: int = MAX_DEPTH) -> str | None:
    """The path of the first value nested more than ``limit`` levels deep, or None."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > limit:
            return where or "(top level)"
        if isinstance(node, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(node))
    return None


def scenario_from_json(text: str, origin: str) -> Scenario:
    """Rebuild a resolved scenario stored as JSON (the provenance of a result file)."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise InputError(f"{origin}: the stored config is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise InputError(f"{origin}: the stored config is not a JSON object")
    return validate(data, origin=origin)


# --------------------------------------------------------------------------- overrides

def parse_overrides(overrides: list[str]) -> tuple[dict[str, Any], list[str]]:
    """'path=value' items as {path: value} (values parsed as TOML, else kept as text) and the
    problems of malformed items."""
    values: dict[str, Any] = {}
    problems = []
    for item in overrides:
        if "=" not in item:
            problems.append(f"--set {item!r}: expected path=value, for example programme.participants=100")
            continue
        key, raw = (part.strip() for part in item.split("=", 1))
        if not key:
            problems.append(f"--set {item!r}: expected path=value, for example programme.participants=100")
            continue
        try:
            value = _parse_value(raw)
        except ValueError as err:
            problems.append(f"--set {key}: {err}")
            continue
        values.pop(key, None)   # the last override of a path wins
        values[key] = value
    return values, problems


def _parse_value(raw: str) -> Any:
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw
    except RecursionError:
        raise ValueError(f"the value is nested too deeply; at most {MAX_DEPTH} levels") from None
    deep = too_deep(value, MAX_DEPTH - 1)
    if deep:
        raise ValueError(f"the value is nested more than {MAX_DEPTH} levels deep")
    return value


def apply_overrides(scenario: M, overrides: list[str], origin: str = "--set") -> M:
    """Return a new scenario with each 'dotted.path=value' applied (value parsed as TOML)."""
    values, problems = parse_overrides(overrides)
    return validate_model(type(scenario), scenario.model_dump(mode="json"), origin, values=values,
                          problems=problems, label="--set ")


def set_values(scenario: M, values: dict[str, Any], origin: str, label: str = "") -> M:
    """Return a new scenario (of the same type, a planner config too) with parameters set by
    dotted path, validated. Numpy scalars count as the Python numbers they hold."""
    plain = {k: (v.item() if type(v).__module__ == "numpy" and hasattr(v, "item") else v) for k, v in values.items()}
    return validate_model(type(scenario), scenario.model_dump(mode="json"), origin, values=plain, label=label)


def merge_value(root: type[BaseModel], data: dict[str, Any], key: str, value: Any) -> str | None:
    """Set ``data`` at the dotted path ``key`` to ``value`` as if the line ``key = value`` were
    written in the file ``data`` was read from (tables on the way are created). Returns what
    is wrong with the path, or None."""
    parts = key.split(".")
    if any(not p.strip() for p in parts):
        return f"'{key}' is not a parameter path (names joined by dots, for example programme.participants)"
    model: type[BaseModel] | None = root
    entry_model: type[BaseModel] | None = None
    node = data
    for i, part in enumerate(parts):
        here = ".".join(parts[: i + 1])
        if model is not None:
            field = model.model_fields.get(part)
            if field is None:
                options = sorted(model.model_fields)
                near = difflib.get_close_matches(part, options, n=1)
                hint = f"; did you mean '{near[0]}'?" if near else ";"
                return f"unknown field '{here}'{hint} valid names here: {', '.join(options)}"
            section, table = _section_types(field.annotation)
        else:   # an entry of a table of named entries: any name
            section, table = entry_model, None
        if i == len(parts) - 1:
            node[part] = value
            return None
        if section is None and table is None:
            return f"'{here}' is a parameter, not a section; it has no field '{parts[i + 1]}'"
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif not isinstance(child, dict):
            return f"'{here}' is not a table in the file; it has no field '{parts[i + 1]}'"
        node = child
        if table is not None:
            model, entry_model = None, table
        else:
            model = section
    return None


def _section_types(annotation: Any) -> tuple[type[BaseModel] | None, type[BaseModel] | None]:
    """(section model, entry model of a table of named entries) of a field's annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, None
    if get_origin(annotation) is dict:
        args = get_args(annotation)
        if args and isinstance(args[-1], type) and issubclass(args[-1], BaseModel):
            return None, args[-1]
    return None, None


def nearest(name: str, options: list[str], n: int = 3, cutoff: float = 0.6) -> str:
    """'; did you mean 'a', 'b'?' for the valid names closest to ``name``, or ''."""
    near = difflib.get_close_matches(name, options, n=n, cutoff=cutoff)
    return f"; did you mean {', '.join(repr(x) for x in near)}?" if near else ""


# --------------------------------------------------------------------------- validation

def validate(data: dict[str, Any], origin: str, override_paths: list[str] | None = None,
             label: str = "--set ") -> Scenario:
    """Validate a nested dict into a :class:`Scenario`, translating errors to :class:`InputError`."""
    return validate_model(Scenario, data, origin, override_paths, label)


def validate_model(root: type[M], data: dict[str, Any], origin: str, override_paths: list[str] | None = None,
                   label: str = "--set ", values: dict[str, Any] | None = None,
                   problems: list[str] | None = None) -> M:
    """Validate ``data`` into the pydantic model ``root``, with ``values`` (by dotted path) set
    as if written at the end of the data's file. Every problem, with ``problems`` found
    before, becomes one line of one :class:`InputError` naming ``origin`` (or, for a value
    set by path, ``label`` and the path), the field and what is allowed."""
    lines = list(problems or [])
    paths = list(override_paths or [])
    if not isinstance(data, dict):
        raise InputError(f"{origin}: expected a table of settings, got {_kind(data)}")
    if values:
        data = copy.deepcopy(data)
        for key, value in values.items():
            wrong = merge_value(root, data, key, value)
            if wrong:
                lines.append(f"{label}{key}: {wrong}" if label else f"{origin}: {wrong}")
            else:
                paths.append(key)
    try:
        model = root.model_validate(data)
    except ValidationError as err:
        lines += _format(err, root, origin, paths if label else [], label)
    except RecursionError:
        lines.append(f"{origin}: tables or lists nested too deeply; at most {MAX_DEPTH} levels")
    if lines:
        raise InputError("\n".join(dict.fromkeys(lines)))
    return model


def _format(err: ValidationError, root: type[BaseModel], origin: str, override_paths: list[str],
            label: str) -> list[str]:
    lines = []
    for e in _merge_unions(err.errors()):
        path = _path(e["loc"])
        src = next((f"{label}{p}" for p in override_paths if path == p or path.startswith(p + ".")
                    or path.startswith(p + "[")), None)
        below = [p for p in override_paths if p.startswith(path + ".")]
        if src is None:   # a section's rule: the override that set something there, if only one did
            src = f"{label}{below[0]}" if len(below) == 1 else origin
        for text in _explain(e, [str(x) for x in e["loc"]], root):
            lines.append(f"{src}: {text}")
    return lines


def _merge_unions(errors: list[dict]) -> list[dict]:
    """pydantic reports a value that fits no member of a union once per member, with the
    member's name in the location ('value', 'float'); report it once, at the field."""
    out: dict[tuple, dict] = {}
    for e in errors:
        loc = tuple(x for x in e["loc"] if not _member_tag(x))
        if loc in out and loc != tuple(e["loc"]):
            continue
        out[loc] = {**e, "loc": loc, "union": loc != tuple(e["loc"]) or out.get(loc, {}).get("union", False)}
    return list(out.values())


def _member_tag(x: Any) -> bool:
    return isinstance(x, str) and (x in ("float", "int", "str", "bool", "list", "dict", "none")
                                   or "[" in x or x.startswith(("function-", "lax-", "strict-")))


def _path(loc: tuple) -> str:
    """A field path as written in messages: sections with dots, list items with [i]."""
    out = ""
    for x in loc:
        out += f"[{x}]" if isinstance(x, int) else (f".{x}" if out else str(x))
    return out or "(top level)"


EXPECTED = {
    "int_type": "expected a whole number written without a decimal point",
    "int_parsing": "expected a whole number written without a decimal point",
    "int_from_float": "expected a whole number written without a decimal point",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected text in quotes",
    "list_type": "expected a list, for example [\"a\", \"b\"]",
    "tuple_type": "expected a list of two numbers [low, high]",
    "dict_type": "expected a table (a section of named fields)",
    "model_type": "expected a table (a section of named fields)",
    "model_attributes_type": "expected a table (a section of named fields)",
    "finite_number": "expected a finite number (not nan or inf)",
    "missing": "missing; this field must be given",
}


def _explain(e: dict[str, Any], loc: list[str], root: type[BaseModel]) -> list[str]:
    """What is wrong, in one line per problem (a section's rule may report several)."""
    path = _path(e["loc"])
    if e["type"] == "extra_forbidden":
        model = _model_at(loc[:-1], root)
        options = sorted(model.model_fields) if model else []
        near = difflib.get_close_matches(loc[-1], options, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ";"
        return [f"unknown field '{path}'{hint} valid names here: {', '.join(options)}"]
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "value_error" and _model_at(loc, root) is not None:  # rules across a section's fields
        return [f"section '{path}': {m}" if loc else m for m in msg.splitlines()]
    allowed = _allowed(loc, root)
    got = e.get("input")
    got_txt = f" (got {_show(got)})" if "input" in e and e["type"] != "missing" else ""
    expected = EXPECTED.get(e["type"], msg)
    if e.get("union") and e["type"] in EXPECTED:
        expected = "not a value this field takes"
    if expected != msg and e["type"] not in ("missing",):
        expected += f", not {_kind(got)}"
    return [f"field '{path}': {expected}{got_txt}" + (f"; allowed: {allowed}" if allowed else "")]


def _kind(value: Any) -> str:
    """What kind of TOML value ``value`` is, in words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "nan or inf" if not math.isfinite(value) else "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _show(value: Any) -> str:
    """A value as it appears in a message (tables and long lists abridged)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{...}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


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
            model, i = args[-1], i + 2  # dict[str, Model] or list[Model]: skip the key or index
        else:
            return None
    return model


TYPE_WORDS = {"int": "whole number", "float": "number", "bool": "true/false", "str": "text"}


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
    name = getattr(ann, "__name__", str(ann)).replace("typing.", "")
    kind = TYPE_WORDS.get(name, name)
    rng = _range(field)
    unit = (field.json_schema_extra or {}).get("unit", "") if isinstance(field.json_schema_extra, dict) else ""
    if rng and kind in ("whole number", "number"):
        kind += " in"
    parts = list(dict.fromkeys(p for p in (kind if not rng or "|" not in rng else "", rng, unit) if p))
    if "|" in str(ann) or "Literal" in str(ann):
        parts = [str(ann).replace("typing.", "")]
    return " ".join(parts)
