"""`rules.schema.conforms` judges a rule as jsonschema's Draft 7 does: on every shipped rule and
language file, and on each of them broken a hundred ways (a key gone, a value of the wrong kind,
an unknown key), so the loader's fast path can never let through what jsonschema rejects."""
import copy

import pytest
import yaml
from jsonschema import Draft7Validator

from rules.language import BUILTIN_PACKS
from rules.packs import _LANGUAGE_SCHEMA, _TEAM_SCHEMA, _rule_schema
from rules.schema import conforms

ODD_VALUES = [None, True, False, 0, 2, 2.0, 1.5, -1, "", "x", "error", "on", [], ["x"], [1], {}, {"x": 1},
              {"en": "x"}, {"EN": "x"}]


def _shipped():
    """(name, data, schema) of every rule and language file in the built-in packs."""
    for path in sorted(BUILTIN_PACKS.glob("*/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if path.name == "language.yml":
            yield str(path), data, _LANGUAGE_SCHEMA
            continue
        for name, body in data.items():
            yield f"{path}:{name}", body, _rule_schema(body["check"])


def _broken(value):
    """`value` with one thing wrong (or, sometimes, still right), one level deep and two."""
    if isinstance(value, dict):
        yield {**value, "unknown-key": 1}
        for key in list(value)[:12]:
            yield {k: v for k, v in value.items() if k != key}
            for odd in ODD_VALUES:
                yield {**value, key: odd}
            for inner in list(_broken(value[key]))[:40] if isinstance(value[key], (dict, list)) else ():
                yield {**value, key: inner}
    elif isinstance(value, list) and value:
        yield value[1:]
        for odd in ODD_VALUES:
            yield [odd, *value[1:]]


SHIPPED = list(_shipped())
# The shortest rule of each check kind, and every language file.
SAMPLE = list({(d.get("check") or name): (name, d, s)
               for name, d, s in sorted(SHIPPED, key=lambda c: -len(repr(c[1])))}.values())


def test_every_shipped_file_takes_the_fast_path():
    assert len(SHIPPED) > 80
    for name, data, schema in SHIPPED:
        assert conforms(data, schema) is True, name
        assert Draft7Validator(schema).is_valid(data), name


@pytest.mark.parametrize("name,data,schema", SAMPLE, ids=lambda v: v if isinstance(v, str) else "")
def test_conforms_agrees_with_jsonschema_on_broken_data(name, data, schema):
    validator = Draft7Validator(schema)
    cases = list(_broken(copy.deepcopy(data)))
    rejected = 0
    for case in cases:
        verdict = conforms(case, schema)
        assert verdict is not None, name
        assert verdict == validator.is_valid(case), (name, case)
        rejected += not verdict
    assert rejected > len(cases) // 3  # the mutations do break things


def test_team_schema_and_unknown_keywords():
    team = {"rules": {"grammar/spelling": {"level": "warning"}}}
    assert conforms(team, _TEAM_SCHEMA) is Draft7Validator(_TEAM_SCHEMA).is_valid(team) is True
    for case in _broken(team):
        assert conforms(case, _TEAM_SCHEMA) == Draft7Validator(_TEAM_SCHEMA).is_valid(case), case
    assert conforms("x", {"type": "string", "format": "email"}) is None  # not judged: jsonschema's to say
    assert conforms({"a": 1}, {"patternProperties": {"^a$": {"type": "string"}}}) is None
