"""What every check kind is made of, and turning a rule plus what a check found into a Finding.

A check kind is declared once, next to its code, with `@check(name, keys=..., compile=...)`:
the name a pack's `check:` uses, the JSON-Schema of the options it reads (an unknown key is an
error at load), and, for kinds that match phrases, the step that compiles a rule's phrases into
the language's matcher. The pack loader, the engine and the review all read this one registry.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from models.records import Finding
from models.wording import SOURCE_LANGUAGE, Text, is_worded, languages_of, localized, values_in
from rules.analysis import Analysis
from rules.matching import PhraseIndex, Span

if TYPE_CHECKING:
    from rules.packs import Rule

Run = Callable[["Rule", Analysis], Iterable[Finding]]
Compile = Callable[["Rule", PhraseIndex], None]


@dataclass(frozen=True)
class CheckKind:
    name: str
    run: Run
    keys: dict[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    compile: Compile | None = None
    phrase_list: str | None = None  # the option team.yml's `disable`/`add` edit


REGISTRY: dict[str, CheckKind] = {}


def check(name: str, *, keys: dict[str, Any] | None = None, required: tuple[str, ...] = (),
          compile: Compile | None = None, phrase_list: str | None = None) -> Callable[[Run], Run]:
    """Registers the decorated function as the check kind `name`."""
    def register(run: Run) -> Run:
        if name in REGISTRY:
            raise ValueError(f"check kind '{name}' is declared twice")
        REGISTRY[name] = CheckKind(name, run, dict(keys or {}), required, compile, phrase_list)
        return run
    return register

_QUOTE_MAX = 60


class _Values(dict[str, Any]):
    """Leaves unknown {placeholders} in a message as they are instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: dict[str, Any]) -> str:
    return template.format_map(_Values(values))  # str's own formatting: string.Formatter is Python


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_MAX else text[: _QUOTE_MAX - 1] + "…"


def finding(rule: Rule, analysis: Analysis, field: str | None, span: Span | None, *,
            level: str | None = None, message: Text | None = None, suggestion: Text | None = None,
            **values: Any) -> Finding:
    """A Finding for `rule`; `{match}` is the quoted span, other {names} come from `values`.
    Its message and suggestion in English, and in every other interface language the rule is
    written in (the reader's language is chosen when the finding is shown)."""
    filled = analysis.format_values()
    if span is not None and field is not None and "match" not in values:
        values["match"] = short(analysis.plain(field)[span[0] : span[1]])
    filled.update(values)
    message, suggestion = message or rule.message, suggestion or rule.suggestion
    worded = [v for v in filled.values() if is_worded(v)]  # values that are words, per language

    def values(lang: str) -> dict[str, Any]:
        return values_in(filled, lang) if worded else filled

    def said(lang: str) -> str:
        text = _fill(localized(message, lang), values(lang))
        return f"{text} {_fill(localized(rule.why, lang), values(lang))}" if rule.why else text

    languages = (SOURCE_LANGUAGE, *languages_of(message, suggestion, rule.why, *worded))
    return Finding.worded(
        rule.id, level or rule.level,  # type: ignore[arg-type]
        {lang: said(lang) for lang in languages},
        {lang: _fill(localized(suggestion, lang), values(lang)) for lang in languages},
        field, span,  # type: ignore[arg-type]
    )
