"""JSON-Schema fragments shared by the pack loader and the checks that declare their keys."""
from __future__ import annotations

import re
from typing import Any, Callable

from models.records import SEVERITIES

STR: dict[str, Any] = {"type": "string", "minLength": 1}
# A text a person reads (a rule's message, why, suggestion): one string for every interface
# language, or one per language ({en: …, nb: …, it: …}; a team may write only its own).
TEXT: dict[str, Any] = {
    "oneOf": [STR, {"type": "object", "minProperties": 1, "propertyNames": {"pattern": "^[a-z]{2,3}$"},
                    "additionalProperties": STR}]
}
STRS: dict[str, Any] = {"type": "array", "items": STR}
LEVEL: dict[str, Any] = {"enum": list(SEVERITIES)}
NUMBER: dict[str, Any] = {"type": "number"}
SHARE: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": 1}
PHRASE: dict[str, Any] = {
    "oneOf": [
        STR,
        {
            "type": "object",
            "properties": {"phrase": STR, "except": STRS},
            "required": ["phrase"],
            "additionalProperties": False,
        },
    ]
}
# The options every phrase-matching check takes.
MATCH_KEYS: dict[str, Any] = {
    "exceptions": STRS,
    "inflections": {"type": "boolean"},
    "ignorecase": {"type": "boolean"},
    "max_findings": {"type": "integer", "minimum": 1},
}


class PackError(ValueError):
    """A pack or team setting that cannot be used; the message names file and line. Defined
    here, in a light module, so that `rules.language` can raise it for a broken `language.yml`
    without loading the pack loader (`rules.packs` re-exports it)."""



# What `conforms` judges. Annotations change nothing; any other keyword means "ask jsonschema".
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$comment"})
_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    # Draft 7 counts 2.0 as an integer.
    "integer": lambda v: not isinstance(v, bool) and (isinstance(v, int) or (isinstance(v, float) and v.is_integer())),
}


class _Unsure(Exception):
    """The schema uses a keyword (or a form of one) that `conforms` does not judge."""


def conforms(instance: Any, schema: dict[str, Any]) -> bool | None:
    """Whether `instance` is valid under `schema` as Draft 7 judges it, for the keywords our
    schemas use; None when the schema has another. Loading the packs validates a few hundred
    rules: jsonschema takes ~0.1 s per language for that, and 0.08 s to import, where this
    takes milliseconds. jsonschema is still what explains a rejected rule
    (`rules.packs._validate`), so the messages are its own."""
    try:
        return _conforms(instance, schema)
    except _Unsure:
        return None


def _conforms(v: Any, schema: dict[str, Any]) -> bool:
    for key, want in schema.items():
        if key in _APPLIES:
            if _APPLIES[key](v) and not _HOLDS[key](v, want, schema):
                return False
        elif key == "type":
            if not any(_TYPES[t](v) if t in _TYPES else _unsure() for t in ([want] if isinstance(want, str) else want)):
                return False
        elif key == "enum":
            if not any(_same(v, option) for option in want):
                return False
        elif key == "oneOf":
            if sum(_conforms(v, branch) for branch in want) != 1:
                return False
        elif key not in _ANNOTATIONS:
            _unsure()
    return True


def _unsure() -> bool:
    raise _Unsure


def _same(value: Any, option: Any) -> bool:
    """jsonschema's enum equality, for scalar options: True is not 1, and no list or mapping is one."""
    if isinstance(option, (dict, list)):
        _unsure()
    if isinstance(value, (dict, list)):
        return False
    if isinstance(value, bool) or isinstance(option, bool):
        return type(value) is type(option) and value == option
    return bool(value == option)


def _schema(want: Any) -> dict[str, Any]:
    """A sub-schema as a mapping; a boolean schema or a list of them is not judged here."""
    return want if isinstance(want, dict) else _unsure()  # type: ignore[return-value]


def _extra_keys(v: dict, want: Any, schema: dict[str, Any]) -> bool:
    if "patternProperties" in schema:
        _unsure()
    extra = [k for k in v if k not in schema.get("properties", {})]
    if want is False:
        return not extra
    return want is True or all(_conforms(v[k], _schema(want)) for k in extra)


# Each keyword that constrains one kind of instance: which instances it applies to, and
# whether one of them satisfies it (instance, the keyword's value, the whole schema).
_APPLIES: dict[str, Callable[[Any], bool]] = {
    **dict.fromkeys(("minLength", "pattern"), _TYPES["string"]),
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum"), _TYPES["number"]),
    **dict.fromkeys(("minItems", "items"), _TYPES["array"]),
    **dict.fromkeys(("required", "minProperties", "propertyNames", "properties", "additionalProperties"),
                    _TYPES["object"]),
}
_HOLDS: dict[str, Callable[[Any, Any, dict[str, Any]], bool]] = {
    "minLength": lambda v, n, _: len(v) >= n,
    "pattern": lambda v, p, _: re.search(p, v) is not None,
    "minimum": lambda v, n, _: v >= n,
    "maximum": lambda v, n, _: v <= n,
    "exclusiveMinimum": lambda v, n, _: v > n,
    "minItems": lambda v, n, _: len(v) >= n,
    "items": lambda v, s, _: all(_conforms(item, _schema(s)) for item in v),
    "required": lambda v, keys, _: all(k in v for k in keys),
    "minProperties": lambda v, n, _: len(v) >= n,
    "propertyNames": lambda v, s, _: all(_conforms(k, _schema(s)) for k in v),
    "properties": lambda v, props, _: all(_conforms(v[k], _schema(s)) for k, s in props.items() if k in v),
    "additionalProperties": _extra_keys,
}
