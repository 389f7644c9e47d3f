"""Rule packs: the YAML data the checks run on, loaded and validated once.

Layout (in the spirit of Vale's styles): `packs/common/<family>.yml` holds language-neutral
rules (length limits, placeholder syntax), `packs/<lang>/<family>.yml` a language's rules, and
`packs/<lang>/language.yml` its vocabulary (you/we words, greetings, category signals) and what
the language is (name, aliases, detector code, spelling dictionaries: `rules/language.py`). Each
top-level key of a family file is a rule name; the rule id is `<family>/<name>`. The languages
are the folders with a `language.yml`; `INMAIL_PACKS_DIR` points at another packs folder.

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
from typing import Any, Callable, Iterable

import yaml

from models.records import CATEGORIES, FAMILIES, SEVERITIES
from rules.checks import CHECKS
from rules.language import BUILTIN_PACKS, LANGUAGE_FILE, packs_root
from models.wording import Text
from rules.i18n import N_, everywhere
from rules.schema import LEVEL, STR, STRS, TEXT, PackError, conforms

BUILTIN_DIR = BUILTIN_PACKS  # the built-in packs; `packs_root()` is the folder in use
TEAM_FILE = "team.yml"


_COMMON_KEYS: dict[str, Any] = {
    "check": STR,
    "level": LEVEL,
    "message": TEXT,
    "why": TEXT,
    "suggestion": TEXT,
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


# One Hunspell dictionary of a language (rules/grammar/spelling.py): `folder` under
# rules/grammar/dictionaries/ (or a path: absolute, or ./… from the language.yml's folder) with
# `<stem>.aff` and `<stem>.dic`; `code` names it (default: the language's code); `regions` are the
# recipient-locale regions that choose it over the language's first dictionary (en-GB for "en-AU");
# `loanwords` the dictionary (or the list of them, tried in order) whose words pass as loanwords in this one.
_DICTIONARY_SCHEMA = {
    "type": "object",
    "properties": {"code": STR, "name": STR, "folder": STR, "stem": STR, "regions": STRS,
                   "loanwords": {"oneOf": [STR, {**STRS, "minItems": 1}]}},
    "required": ["folder", "stem"],
    "additionalProperties": False,
}
_SPELLING_SCHEMA = {
    "type": "object",
    "properties": {
        "dictionaries": {"type": "array", "items": _DICTIONARY_SCHEMA, "minItems": 1},
        "letters": STR,  # what a one-letter typo may put in
        "prefixes": STRS,  # productive prefixes ("multi" + "cloud")
        "loan_endings": STRS,  # endings the language puts on a borrowed word ("appen")
        "compounds": {"type": "boolean"},  # join two dictionary words ("skytjenester")
    },
    "required": ["dictionaries"],
    "additionalProperties": False,
}

_LANGUAGE_SCHEMA = {
    "type": "object",
    "properties": {
        # What the language is (rules/language.py reads these without loading the pack).
        "name": STR,
        "short_name": STR,
        "detector": {"type": "string", "pattern": "^[A-Z][A-Z_]*$"},  # lingua's Language member, e.g. BOKMAL
        "aliases": STRS,
        "example_name": STR,
        "titles": STRS,
        "subject_labels": STRS,
        "languagetool": STRS,
        "tokens": {  # how the language's text is cut into tokens (rules/tokens.py, TokenRules)
            "type": "object",
            "properties": {
                "hyphens": {"enum": ["split", "lowercase", "keep"]},
                "hashtags": {"type": "boolean"},
                "elision": {"type": "boolean"},
                "ordinals": {"type": "boolean"},
                "clitics": STRS,
                "exceptions": STRS,
                # A word → its parts, space-separated, that join back into it.
                "splits": {"type": "object", "additionalProperties": {"type": "string", "pattern": "^\\S+( \\S+)+$"}},
            },
            "additionalProperties": False,
        },
        "spelling": _SPELLING_SCHEMA,
        # Its vocabulary.
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
    "required": ["name", "detector", "example_name", "you_words", "we_words", "greetings", "asks", "categories"],
    "additionalProperties": False,
}


def language_file_error(path: Path, keys: Iterable[Any], message: str) -> PackError:
    """The error for a broken `language.yml` found by `rules.language`: what the schema says
    (file, line, key) when the file breaks it, else `message` at the line of `keys`."""
    data = _load_yaml(path)  # raises the YAML error itself
    try:
        _validate(data, _LANGUAGE_SCHEMA, path)
    except PackError as error:
        return error
    keys = tuple(keys)
    where = "/".join(str(k) for k in keys) or "(top level)"
    return PackError(f"{path}:{_line_of(data, keys) or 1}: {where}: {message}")


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
                "message": TEXT,
                "suggestion": TEXT,
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
    message: Text
    suggestion: Text
    why: Text = ""
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
    if conforms(data, schema):
        return
    import jsonschema  # what explains the error (and judges what `conforms` cannot)

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
    folders = [packs_root()] + ([team] if team else [])
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
        language_file = folders[0] / lang / LANGUAGE_FILE
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


# --- a team's rule changes made in Slack -----------------------------------------------------
# Leads switch a phrase off, lower a rule's level or add a phrase from App Home. The app stores
# those changes; the engine gets them as data (`TeamChange`) and lays them over the packs after
# the team's folder is loaded, refusing what the folder would refuse. Where the folder itself
# says something about the same rule or phrase, the folder wins and the change is skipped, with
# the reason: the folder is the team's reviewed configuration, Slack the quick one.
CHANGE_KINDS = ("phrase-off", "level", "add-phrase")
TEAM_CHANGE_SOURCE = "the team's rule changes (App Home)"
# A phrase a lead added is a rule whose texts are the engine's own, in every interface language
# (`{match}` is filled when it is found).
TEAM_PHRASE_MESSAGE = N_("“{match}” is a phrase the team avoids.")
TEAM_PHRASE_SUGGESTION = N_("Say it in your own words, specific to this person and this role.")
PHRASE_MAX = 100
_SLUG = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class TeamChange:
    """One change a lead made in Slack. `rule` is the rule id (for "add-phrase": the family);
    `language` the pack it applies to ("" for a level change: every language)."""

    kind: str
    rule: str
    language: str = ""
    phrase: str = ""
    level: str = ""
    suggestion: str = ""

    @property
    def rule_id(self) -> str:
        """The rule this change acts on; an added phrase is a rule of its own, `<family>/team-<phrase>`."""
        return team_phrase_rule_id(self.rule, self.phrase) if self.kind == "add-phrase" else self.rule


def team_phrase_rule_id(family: str, phrase: str) -> str:
    slug = _SLUG.sub("-", phrase.lower()).strip("-_")[:40].strip("-_")
    return f"{family}/team-{slug or 'phrase'}"


@dataclass(frozen=True)
class FolderSays:
    """What the team's folder (`INMAIL_RULES_DIR`) says itself: the rules it defines, the rules
    whose level or on/off `team.yml` sets, and the (rule, phrase) pairs it adds or disables."""

    rules: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    phrases: frozenset[tuple[str, str]] = frozenset()


def folder_says(team_dir: str | Path | None) -> FolderSays:
    """Reads what a team's folder speaks about (its files were validated when the packs loaded)."""
    if not team_dir or not Path(team_dir).is_dir():
        return FolderSays()
    team = Path(team_dir)
    defined = {f"{path.stem}/{name}" for sub in sorted(p for p in team.iterdir() if p.is_dir())
               for path in _family_files(sub) for name in (_load_yaml(path) or {})}
    levels: set[str] = set()
    phrases: set[tuple[str, str]] = set()
    if (team / TEAM_FILE).exists():
        for rule_id, override in ((_plain(_load_yaml(team / TEAM_FILE) or {})).get("rules") or {}).items():
            if not isinstance(override, dict) or "level" in override or "enabled" in override:
                levels.add(rule_id)
            if isinstance(override, dict):
                phrases |= {(rule_id, _phrase_text(p)) for p in [*override.get("disable", []), *override.get("add", [])]}
    return FolderSays(frozenset(defined), frozenset(levels), frozenset(phrases))


def _phrases_of(rule: Rule) -> list[str] | None:
    """A phrase rule's phrases (lowercased as team.yml compares them); None for other checks."""
    list_key = CHECKS[rule.check].phrase_list
    if list_key is None:
        return None
    return [_phrase_text(entry) for entry in rule.options.get(list_key) or []]


def _without_phrases(rule: Rule, phrases: set[str]) -> Rule:
    list_key = CHECKS[rule.check].phrase_list
    options = copy.deepcopy(rule.options)
    entries = options.get(list_key) or []
    if isinstance(entries, dict):
        options[list_key] = {k: v for k, v in entries.items() if k.lower() not in phrases}
    else:
        options[list_key] = [e for e in entries if _phrase_text(e) not in phrases]
    return replace(rule, options=options)


def _team_phrase_rule(change: TeamChange) -> Rule:
    return Rule(id=change.rule_id, check="existence", level=change.level, message=everywhere(TEAM_PHRASE_MESSAGE),
                suggestion=change.suggestion.strip() or everywhere(TEAM_PHRASE_SUGGESTION),
                options={"phrases": [change.phrase.strip()]}, source=TEAM_CHANGE_SOURCE)


def _phrase_problem(phrase: str, suggestion: str) -> str | None:
    if "\n" in phrase or "\r" in phrase:
        return everywhere(N_("a phrase is one line"))
    if not any(ch.isalnum() for ch in phrase):
        return everywhere(N_("a phrase needs at least one letter or digit"))
    if len(phrase) > PHRASE_MAX:
        return everywhere(N_("a phrase has at most {max} characters"), max=PHRASE_MAX)
    if suggestion.strip() and suggestion.strip().lower() == phrase.lower():
        return everywhere(N_("the suggestion says what to write instead, so it cannot be the phrase itself"))
    return None


def team_change_refusal(packs: dict[str, list[Rule]] | dict[str, Pack], change: TeamChange,
                        folder: FolderSays = FolderSays()) -> str | None:
    """Why `change` cannot apply to `packs` (language → rules), in words a lead can act on; None
    when it can. The same checks as a team folder's: unknown rules, phrases, levels and families
    are refused, never ignored."""
    rules = {lang: list(p.rules) if isinstance(p, Pack) else p for lang, p in packs.items()}
    rule_id, phrase = change.rule_id, change.phrase.strip().lower()
    if change.kind not in CHANGE_KINDS:
        return everywhere(N_("unknown kind of change '{kind}'"), kind=change.kind)
    if change.kind != "level" and change.language not in rules:
        return everywhere(N_("no rule pack for language '{language}'; expected one of {languages}"),
                          language=change.language, languages=", ".join(rules))
    if change.kind != "phrase-off" and change.level not in SEVERITIES:
        return everywhere(N_("unknown level '{level}'; expected one of {levels}"), level=change.level,
                          levels=", ".join(SEVERITIES))
    if rule_id in folder.rules:
        return everywhere(N_("{rule} is defined in the team's rules folder (INMAIL_RULES_DIR), which wins: "
                             "change it there"), rule=rule_id)
    if change.kind == "level":
        if rule_id in folder.levels:
            return everywhere(N_("the team's rules folder (team.yml) sets {rule}, and it wins: change its level there"),
                              rule=rule_id)
        found = [r for lang_rules in rules.values() for r in lang_rules if r.id == rule_id]
        if not found:
            return everywhere(N_("unknown rule '{rule}'"), rule=rule_id)
        if all(r.level == change.level for r in found):
            return everywhere(N_("{rule} is a {level} already"), rule=rule_id, level=change.level)
        return None
    mine = rules[change.language]
    if change.kind == "phrase-off":
        if (rule_id, phrase) in folder.phrases:
            return everywhere(N_("the team's rules folder (team.yml) names “{phrase}” for {rule}, and it wins: "
                                 "change it there"), phrase=phrase, rule=rule_id)
        rule = next((r for r in mine if r.id == rule_id), None)
        if rule is None:
            return everywhere(N_("unknown rule '{rule}' in the {language} rules"), rule=rule_id,
                              language=change.language)
        phrases = _phrases_of(rule)
        if phrases is None:
            return everywhere(N_("{rule} is not a phrase rule (its check is '{check}'), so it has no phrases to "
                                 "switch off"), rule=rule_id, check=rule.check)
        if phrase not in phrases:
            return everywhere(N_("“{phrase}” is not a phrase of {rule} in the {language} rules (already off, or "
                                 "never one)"), phrase=phrase, rule=rule_id, language=change.language)
        return None
    # add-phrase
    if change.rule not in FAMILIES:
        return everywhere(N_("'{family}' is not a rule family; expected one of {families}"), family=change.rule,
                          families=", ".join(FAMILIES))
    problem = _phrase_problem(change.phrase.strip(), change.suggestion)
    if problem:
        return problem
    existing = next((r for r in mine if r.id == rule_id), None)
    if existing is not None:
        return (everywhere(N_("“{phrase}” was added already ({rule})"), phrase=phrase, rule=rule_id)
                if existing.source == TEAM_CHANGE_SOURCE else everywhere(N_("rule '{rule}' exists already"), rule=rule_id))
    for rule in mine:
        if phrase in (_phrases_of(rule) or []):
            return everywhere(N_("“{phrase}” is a phrase of {rule} already"), phrase=phrase, rule=rule.id)
    candidate = _team_phrase_rule(change)
    body = {"check": candidate.check, "level": candidate.level, "message": candidate.message,
            "suggestion": candidate.suggestion, **candidate.options}
    try:
        _validate(body, _rule_schema(candidate.check), Path(TEAM_CHANGE_SOURCE), (candidate.id,))
    except PackError as error:
        return str(error).split(": ", 1)[-1]
    return None


def apply_team_changes(packs: dict[str, Pack], changes: Iterable[TeamChange], folder: FolderSays = FolderSays(),
                       forms: Callable[[str, str, str], set[str]] | None = None
                       ) -> tuple[dict[str, Pack], list[tuple[TeamChange, str]]]:
    """`packs` with `changes` applied in order, and the changes skipped with the reason (a change
    that no longer fits, e.g. its phrase left the pack, or one the team's folder overrules).
    A language no change touches keeps its very `Pack`, so its compiled matchers can be shared.
    `forms(language, rule, phrase)` names the rule's other listed forms a switched-off phrase takes
    with it (the engine's matcher knows that "ninjas" would still match "ninja" by its lemma)."""
    rules = {lang: list(pack.rules) for lang, pack in packs.items()}
    touched: set[str] = set()
    skipped: list[tuple[TeamChange, str]] = []
    for change in changes:
        reason = team_change_refusal(rules, change, folder)
        if reason is not None:
            skipped.append((change, reason))
            continue
        if change.kind == "add-phrase":
            rules[change.language].append(_team_phrase_rule(change))
            touched.add(change.language)
            continue
        phrase = change.phrase.strip().lower()
        dropped = {phrase} | ((forms(change.language, change.rule, phrase) if forms else set()) - {
            p for rule_id, p in folder.phrases if rule_id == change.rule})
        for lang in [change.language] if change.kind == "phrase-off" else list(rules):
            updated = [(_without_phrases(r, dropped) if change.kind == "phrase-off"
                        else replace(r, level=change.level)) if r.id == change.rule else r for r in rules[lang]]
            if updated != rules[lang]:
                rules[lang] = updated
                touched.add(lang)
    return {lang: replace(pack, rules=tuple(rules[lang])) if lang in touched else pack
            for lang, pack in packs.items()}, skipped
