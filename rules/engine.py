"""The review engine: Draft in, Review out, pure apart from the optional grammar server.

`Reviewer` loads the packs and language pipelines once (per language, on first use) and is
safe to share between threads; `review()` is the function the CLI, the Slack app and the
benchmarks all call.
"""
from __future__ import annotations

import threading
from datetime import datetime
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from spacy.language import Language

from models.records import CATEGORIES, SEVERITY_RANK, Draft, Finding, Review
from models.category import classifier
from rules.analysis import MAX_ANALYSED_CHARS, Analysis
from rules.category import CategoryModel
from rules.checks import CHECKS
from rules.language import SUPPORTED, detect, normalize_language
from rules.matching import PhraseIndex
from rules.nlp import pipeline
from rules.packs import Pack, Rule, load_packs
from rules.scoring import metrics, score_and_verdict

if TYPE_CHECKING:
    from models.policy import PolicyConfig
    from rules.grammar import GrammarChecker
    from rules.similarity import TemplateIndex


@dataclass(frozen=True)
class ReviewContext:
    """What the caller knows beyond the draft. Everything is optional.

    `history` is the team's template index, read only: the engine never adds to it; the caller
    stores the review's fingerprint (`Review.fingerprint`) where the next review will find it.
    `history_key` is this draft's own key there, `author_key` its author: a draft's earlier
    versions by the same author (for the same recipient, or for none within the revision
    window) are its history, not copies.
    """

    history: "TemplateIndex | None" = None
    history_key: str | None = None
    history_scope: str | None = None  # how findings name the history, e.g. " in this batch"
    recipient_key: str | None = None
    author_key: str | None = None
    now: float | None = None
    one_to_one_until: datetime | None = None  # the sender may not send bulk InMails until then
    policy: "PolicyConfig | None" = None  # the team's response-rate numbers, named in that finding

    grammar: "GrammarChecker | None" = None


@dataclass
class CompiledPack:
    """A language's rules with their phrase lists compiled into matchers."""

    pack: Pack
    nlp: Language
    phrases: PhraseIndex
    categories: CategoryModel
    rules: list[Rule] = field(default_factory=list)

    @property
    def vocabulary(self) -> dict[str, Any]:
        return self.pack.vocabulary

    @classmethod
    def build(cls, pack: Pack) -> "CompiledPack":
        nlp = pipeline(pack.language)
        index = PhraseIndex(nlp)
        for rule in pack.rules:
            compile_rule = CHECKS[rule.check].compile
            if compile_rule is not None:
                compile_rule(rule, index)
        index.add_phrases("_asks", pack.vocabulary["asks"])
        index.add_phrases("_facts", pack.vocabulary.get("fact_cues", []))
        categories = CategoryModel(pack.vocabulary["categories"], pack.vocabulary.get("category_blend", 0.1),
                                   classifier())
        categories.register(index)
        return cls(pack, nlp, index, categories, list(pack.rules))


class _BuiltinPacks(Mapping[str, Pack]):
    """The built-in packs, each read on its language's first use: they are tested with the code,
    so reading all three at start would only cost a one-draft `check` the packs of the languages
    it does not review (about 0.15 s each)."""

    def __init__(self, languages: Iterable[str]) -> None:
        self._languages = tuple(languages)
        self._loaded: dict[str, Pack] = {}
        self._lock = threading.Lock()

    def __getitem__(self, language: str) -> Pack:
        if language not in self._languages:
            raise KeyError(language)
        with self._lock:
            if language not in self._loaded:
                self._loaded[language] = load_packs((language,))[language]
            return self._loaded[language]

    def __iter__(self) -> Iterator[str]:
        return iter(self._languages)

    def __len__(self) -> int:
        return len(self._languages)


class Reviewer:
    """Loaded rule packs + pipelines; `review()` is thread-safe."""

    def __init__(self, packs: Mapping[str, Pack], grammar: "GrammarChecker | None" = None) -> None:
        self._packs = packs
        self._compiled: dict[str, CompiledPack] = {}
        self._lock = threading.Lock()
        self.grammar = grammar

    @classmethod
    def load(cls, rules_dir: str | Path | None = None, *, grammar: "GrammarChecker | None" = None,
             languages: Iterable[str] = SUPPORTED) -> "Reviewer":
        """With a team's folder, validates every pack now (a broken team pack fails at start, not
        at first use); the built-in packs alone are read per language on first use."""
        if rules_dir:
            return cls(load_packs(languages, rules_dir), grammar)
        return cls(_BuiltinPacks(languages), grammar)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._packs)

    def compiled(self, language: str) -> CompiledPack:
        with self._lock:
            if language not in self._compiled:
                self._compiled[language] = CompiledPack.build(self._packs[language])
            return self._compiled[language]

    def warm(self) -> None:
        """Builds every language now, with its spelling dictionaries (Hunspell is the fallback
        even when LanguageTool is configured), e.g. before a server starts taking requests."""
        from rules.grammar.spelling import SOURCES, speller
        from rules.language import preload

        for language in self._packs:
            self.compiled(language)
        for code in SOURCES:
            speller(code)
        preload()

    def review(self, draft: Draft, context: ReviewContext | None = None) -> Review:
        context = context or ReviewContext()
        if context.grammar is None and self.grammar is not None:
            context = replace(context, grammar=self.grammar)
        declared = normalize_language(draft.lang) if draft.lang else None
        if draft.lang and declared is None:
            raise ValueError(f"unsupported language '{draft.lang}'; supported: {', '.join(SUPPORTED)}")
        sample = f"{draft.subject}\n{draft.body}"[:MAX_ANALYSED_CHARS]
        detection = detect(sample, declared=declared, hint=draft.recipient.language if draft.recipient else None)
        if detection.language not in self._packs:
            raise ValueError(f"no rule pack loaded for language '{detection.language}'")
        analysis = Analysis(draft, detection, self.compiled(detection.language), context)

        findings: list[Finding] = []
        for rule in analysis.pack.rules:
            findings.extend(CHECKS[rule.check].run(rule, analysis))
        findings.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.field or "", f.span or (-1, -1), f.rule))

        score, verdict = score_and_verdict(findings)
        category = analysis.category
        return Review(
            id=draft.id,
            score=score,
            verdict=verdict,
            language=detection.language,
            category=category if category in CATEGORIES else None,
            findings=tuple(findings),
            metrics=metrics(analysis, findings),
            subject_text=analysis.subject.text,
            body_text=analysis.body.text,
            notes=tuple(_notes(analysis)),
            category_reason=analysis.category_guess.reason if not draft.category else "declared",
            category_scores=dict(analysis.category_guess.scores) if not draft.category else {},
            fingerprint=analysis.fingerprint.to_bytes() if analysis.fingerprint is not None else None,
            recipient_key=analysis.recipient_key,
        )


def _notes(a: Analysis) -> Iterable[str]:
    """What this review could not do, said plainly rather than passed over."""
    if a.truncated:
        yield f"Only the first {MAX_ANALYSED_CHARS:,} characters were checked word by word."
    if a.detection.source == "default":
        yield "The language could not be told from so little text; English rules were used."
    elif a.detection.source == "recipient":
        yield f"The text is too short to tell its language; the recipient's language ({a.language}) was used."
    checkers = {r.checker for r in a.grammar_done()}
    for note in dict.fromkeys(r.note for r in a.grammar_done() if r.note):
        yield note
    if checkers == {"hunspell"} and not any(r.note for r in a.grammar_done()):
        yield "Spelling was checked offline with Hunspell; set LANGUAGETOOL_URL for grammar checks."


_default: Reviewer | None = None
_default_lock = threading.Lock()


def review(draft: Draft, context: ReviewContext | None = None) -> Review:
    """Reviews with the built-in packs (and `INMAIL_RULES_DIR` ignored): the simplest entry point."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Reviewer.load()
    return _default.review(draft, context)
