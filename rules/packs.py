"""Rule packs: the YAML data the checks run on, loaded and validated once.

Layout (in the spirit of Vale's styles): `packs/common/<family>.yml` holds language-neutral
rules (length limits, placeholder syntax), `packs/<lang>/<family>.yml` a language's rules, and
`packs/<lang>/language.yml` its vocabulary (you/we words, greetings, category signals). Each
top-level key of a family file is a rule name; the rule id is `<family>/<name>`.

A team folder (`INMAIL_RULES_DIR`) may hold `team.yml` (switch rules off, change levels,
switch off or add single phrases, change thresholds) and its own `<lang>/<family>.yml` or
`common/<family>.yml` files with new rules. Anything unknown is an error at load that names
the file, the line and what is wrong: a typo in a team's settings must never be ignored.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import jsonschema
import yaml

from models.records import CATEGORIES, FAMILIES
from rules.checks import CHECKS
from rules.schema import LEVEL, STR, STRS

BUILTIN_DIR = Path(__file__).parent / "packs"
LANGUAGE_FILE = "language.yml"
TEAM_FILE = "team.yml"


class PackError(ValueError):
    """A pack or team setting that cannot be used; the message names file and line."""


_COMMON_KEYS: dict[str, Any] = {
    "check": STR,
    "level": LEVEL,
    "message": STR,
    "why": STR,
    "suggestion": STR,
    "fields": {"type": "array", "items": {"enum": ["subject", "body"]}, "minItems": 1},
    "enabled": {"type": "boolean"},
}


def _rule_schema(check: str) -> dict[str, Any]:
    """A rule's schema: the common keys plus those its check kind declares (rules/checks/)."""
    kind = CHECKS[check]
    return {
        "type": "object",
        "properties": {**_COMMON_KEYS, **kind.keys},
        "required": ["check", "level", "message", "suggestion", *kind.required],
        "additionalProperties": False,
    }


_LANGUAGE_SCHEMA = {
    "type": "object",
    "properties": {
        "you_words": STRS,
        "asks": STRS,
        "we_words": STRS,
        "greetings": STRS,
        "fact_cues": STRS,
        # How much a lexicon point weighs against the learned model's log-probability.
        "category_blend": {"type": "number", "minimum": 0},
        "categories": {
            "type": "object",
            "properties": {c: {"type": "object", "additionalProperties": {"type": "number"}} for c in CATEGORIES},
            "additionalProperties": False,
        },
    },
    "required": ["you_words", "we_words", "greetings", "asks", "categories"],
    "additionalProperties": False,
}

_OVERRIDE = {
    "oneOf": [
        {"enum": ["off", "on", False, True]},
        {
            "type": "object",
            "properties": {
                "level": LEVEL,
                "enabled": {"type": "boolean"},
                "disable": STRS,
                "add": STRS,
                "max": {"type": "number"},
                "min": {"type": "number"},
                "message": STR,
                "suggestion": STR,
            },
            "additionalProperties": False,
        },
    ]
}
_TEAM_SCHEMA = {
    "type": "object",
    "properties": {"rules": {"type": "object", "additionalProperties": _OVERRIDE}},
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Rule:
    """One configured rule: id `family/name`, its check, level and the data the check reads."""

    id: str
    check: str
    level: str
    message: str
    suggestion: str
    why: str = ""
    fields: tuple[str, ...] = ("subject", "body")
    options: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    enabled: bool = True

    @property
    def family(self) -> str:
        return self.id.split("/", 1)[0]


@dataclass(frozen=True)
class Pack:
    """Everything the checks need for one language."""

    language: str
    rules: tuple[Rule, ...]
    vocabulary: dict[str, Any]


class _LinedDict(dict):  # type: ignore[type-arg]
    """A mapping that knows the 1-based line of each of its keys (for messages that point there)."""

    lines: dict[Any, int]


class _LinedList(list):  # type: ignore[type-arg]
    lines: list[int]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader, with libyaml's C parser where there is one (a pack's files load in
    a few milliseconds instead of ruamel's half a second), recording where each key and item is."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _LinedDict:
    loader.flatten_mapping(node)
    result = _LinedDict()
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> _LinedList:
    result = _LinedList(loader.construct_object(item, deep=True) for item in node.value)
    result.lines = [item.start_mark.line + 1 for item in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
# YAML 1.2's booleans, as ruamel read them before: "no", "yes", "on" and "off" are words (a team's
# Norwegian phrase "no" must not become False), only true/false are booleans.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


def _load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - a safe loader with two constructors of ours
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: cannot read: {exc}") from None


def _line_of(data: Any, path: Iterable[Any]) -> int | None:
    """1-based line of the deepest node on `path` whose position the loader recorded."""
    line = None
    node = data
    for key in path:
        lines = getattr(node, "lines", None)
        try:
            if lines is not None:
                line = lines[key]
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return line


def _validate(data: Any, schema: dict[str, Any], path: Path, prefix: tuple[Any, ...] = ()) -> None:
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(data))
    if not errors:
        return
    # A misspelt key ("wieght") is the mistake to name, not the key it then leaves missing.
    unknown = [e for e in errors if e.validator == "additionalProperties"]
    error = unknown[0] if unknown else jsonschema.exceptions.best_match(errors)
    path_in_data = tuple(error.absolute_path)
    message = error.message
    if error.validator == "additionalProperties":
        # Point at the unknown key itself, not at the mapping that holds it.
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        path_in_data += (extra[0],)
        message = f"unknown key '{extra[0]}'; expected one of {', '.join(sorted(error.schema.get('properties', {})))}"
    where = prefix + path_in_data
    line = _line_of(data, path_in_data) or _line_of(data, prefix[:1])
    key = "/".join(str(p) for p in where) or "(top level)"
    raise PackError(f"{path}:{line or 1}: {key}: {message}")


def _plain(value: Any) -> Any:
    """The loader's lined containers to plain dicts/lists (what the checks keep)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _rules_from_file(path: Path) -> list[Rule]:
    family = path.stem
    if family not in FAMILIES:
        raise PackError(f"{path}:1: '{family}' is not a rule family; expected one of {', '.join(FAMILIES)}")
    data = _load_yaml(path)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise PackError(f"{path}:1: a family file maps rule names to rules")
    rules = []
    for name, body in data.items():
        if not isinstance(body, dict):
            raise PackError(f"{path}:{_line_of(data, [name]) or 1}: {name}: a rule must be a mapping")
        check = body.get("check")
        if check not in CHECKS:
            raise PackError(
                f"{path}:{_line_of(data, [name]) or 1}: {name}: unknown check '{check}'; "
                f"expected one of {', '.join(sorted(CHECKS))}"
            )
        _validate(body, _rule_schema(check), path, (name,))
        plain = _plain(body)
        rules.append(
            Rule(
                id=f"{family}/{name}",
                check=plain.pop("check"),
                level=plain.pop("level"),
                message=plain.pop("message"),
                suggestion=plain.pop("suggestion"),
                why=plain.pop("why", ""),
                fields=tuple(plain.pop("fields", ("subject", "body"))),
                enabled=plain.pop("enabled", True),
                options=plain,
                source=f"{path}:{_line_of(data, [name]) or 1}",
            )
        )
    return rules


def _family_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yml") if p.name not in (LANGUAGE_FILE, TEAM_FILE))


def _phrase_text(entry: Any) -> str:
    return (entry["phrase"] if isinstance(entry, dict) else entry).lower()


def _apply_override(rule: Rule, override: Any, where: str) -> Rule:
    if isinstance(override, (bool, str)):
        return replace(rule, enabled=override in ("on", True))
    options = copy.deepcopy(rule.options)
    list_key = CHECKS[rule.check].phrase_list
    if ("disable" in override or "add" in override) and list_key is None:
        raise PackError(f"{where}: {rule.id}: 'disable'/'add' need a phrase rule, not a '{rule.check}' check")
    if "disable" in override:
        drop = {p.lower() for p in override["disable"]}
        entries = options.get(list_key) or []
        unknown = drop - {_phrase_text(e) for e in entries}
        if unknown:
            raise PackError(f"{where}: {rule.id}: cannot disable unknown phrase(s): {', '.join(sorted(unknown))}")
        if isinstance(entries, dict):
            options[list_key] = {k: v for k, v in entries.items() if k.lower() not in drop}
        else:
            options[list_key] = [e for e in entries if _phrase_text(e) not in drop]
    if "add" in override:
        if rule.check == "substitution":
            raise PackError(f"{where}: {rule.id}: add substitutions in a team rule file, not in team.yml")
        options[list_key] = list(options.get(list_key, [])) + list(override["add"])
    for key in ("max", "min"):
        if key in override:
            if rule.check != "limit":
                raise PackError(f"{where}: {rule.id}: '{key}' applies to limit rules only")
            options[key] = override[key]
            options.pop("tiers", None)
    return replace(
        rule,
        level=override.get("level", rule.level),
        message=override.get("message", rule.message),
        suggestion=override.get("suggestion", rule.suggestion),
        enabled=override.get("enabled", rule.enabled),
        options=options,
    )


def load_packs(languages: Iterable[str], team_dir: str | Path | None = None) -> dict[str, Pack]:
    """Loads the built-in packs for `languages`, then the team's folder on top."""
    team = Path(team_dir) if team_dir else None
    if team is not None and not team.is_dir():
        raise PackError(f"{team}: INMAIL_RULES_DIR is not a folder")
    folders = [BUILTIN_DIR] + ([team] if team else [])
    packs: dict[str, list[Rule]] = {}
    vocab: dict[str, dict[str, Any]] = {}
    for lang in languages:
        by_id: dict[str, Rule] = {}
        for root in folders:
            for sub in ("common", lang):
                for path in _family_files(root / sub):
                    for rule in _rules_from_file(path):
                        if rule.id in by_id:
                            raise PackError(f"{rule.source}: rule '{rule.id}' is already defined in {by_id[rule.id].source}")
                        by_id[rule.id] = rule
        language_file = BUILTIN_DIR / lang / LANGUAGE_FILE
        if not language_file.exists():
            raise PackError(f"{language_file}: no vocabulary for language '{lang}'")
        data = _load_yaml(language_file)
        _validate(data, _LANGUAGE_SCHEMA, language_file)
        vocab[lang] = _plain(data)
        packs[lang] = list(by_id.values())

    if team is not None and (team / TEAM_FILE).exists():
        path = team / TEAM_FILE
        data = _load_yaml(path) or {}
        _validate(data, _TEAM_SCHEMA, path)
        for rule_id, override in (data.get("rules") or {}).items():
            where = f"{path}:{_line_of(data, ['rules', rule_id]) or 1}"
            if not any(r.id == rule_id for rules in packs.values() for r in rules):
                raise PackError(f"{where}: unknown rule '{rule_id}'")
            override = _plain(override)
            for lang, rules in packs.items():
                packs[lang] = [_apply_override(r, override, where) if r.id == rule_id else r for r in rules]
    return {lang: Pack(lang, tuple(r for r in rules if r.enabled), vocab[lang]) for lang, rules in packs.items()}
