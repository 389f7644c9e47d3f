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


from models.records import CATEGORIES, SEVERITY_RANK, Draft, Finding, Review
from models.category import classifier
from models.wording import Text
from rules.analysis import Analysis
from rules.category import CategoryModel
from rules.checks import CHECKS
from rules.i18n import N_, each_language, everywhere
from rules.language import MAX_ANALYSED_CHARS, detect, language_sample, normalize_language, supported
from rules.matching import PhraseIndex
from rules.nlp import Pipeline, pipeline
from rules.packs import (FolderSays, Pack, Rule, TeamChange, apply_team_changes, folder_says, load_packs,
                         team_change_refusal)
from rules.scoring import metrics, score_and_verdict

if TYPE_CHECKING:
    from models.policy import PolicyConfig
    from rules.grammar import GrammarChecker
    from rules.similarity import Fingerprint, TemplateHistory


@dataclass(frozen=True)
class ReviewContext:
    """What the caller knows beyond the draft. Everything is optional.

    `history` is the team's template history (`rules.similarity.TemplateHistory`): the engine
    only asks it; the caller stores the review's fingerprint (`Review.fingerprint`) where the
    next review will find it.
    `history_key` is this draft's own key there, `author_key` its author: a draft's earlier
    versions by the same author (for the same recipient, or for none within the revision
    window) are its history, not copies.
    """

    history: "TemplateHistory | None" = None
    history_key: str | None = None
    history_scope: Text | None = None  # how findings name the history, e.g. " in this batch"
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
    nlp: Pipeline
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
    """Loaded rule packs + pipelines; `review()` is thread-safe.

    `folder` is what the team's rules folder says itself (it wins over changes made in Slack);
    a reviewer made by `with_team_changes` keeps a `base`, whose compiled languages it shares
    where its changes left the pack as it was."""

    def __init__(self, packs: Mapping[str, Pack], grammar: "GrammarChecker | None" = None, *,
                 folder: FolderSays | None = None, base: "Reviewer | None" = None) -> None:
        self._packs = packs
        self._compiled: dict[str, CompiledPack] = {}
        self._lock = threading.Lock()
        self.grammar = grammar
        self.folder = folder or FolderSays()
        self._base = base

    @classmethod
    def load(cls, rules_dir: str | Path | None = None, *, grammar: "GrammarChecker | None" = None,
             languages: Iterable[str] | None = None) -> "Reviewer":
        """With a team's folder, validates every pack now (a broken team pack fails at start, not
        at first use); the built-in packs alone are read per language on first use. `languages`:
        every language with a pack (`INMAIL_PACKS_DIR`) unless given."""
        languages = supported() if languages is None else tuple(languages)
        if rules_dir:
            return cls(load_packs(languages, rules_dir), grammar, folder=folder_says(rules_dir))
        return cls(_BuiltinPacks(languages), grammar)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._packs)

    # --- a team's changes made in Slack, passed in as data -----------------------------------
    def with_team_changes(self, changes: Iterable[TeamChange]) -> "tuple[Reviewer, list[tuple[TeamChange, str]]]":
        """A reviewer with `changes` laid over these packs (in order), and the changes it skipped
        with the reason. Languages no change touched are not compiled again."""
        changes = list(changes)
        if not changes:
            return self, []
        packs, skipped = apply_team_changes({lang: self._packs[lang] for lang in self._packs}, changes, self.folder,
                                            forms=self._forms)
        return Reviewer(packs, self.grammar, folder=self.folder, base=self), skipped

    def _forms(self, language: str, rule_id: str, phrase: str) -> set[str]:
        """The phrases of `rule_id` (lowercased) whose words or lemmas match all of `phrase`: what
        must go with it for it to stop being found ("ninja" and "ninjas")."""
        rule = self.rule(language, rule_id)
        list_key = CHECKS[rule.check].phrase_list if rule is not None else None
        if rule is None or list_key is None or not phrase.strip():
            return set()
        compiled = self.compiled(language)
        entries = rule.options.get(list_key) or []
        listed = list(entries) if isinstance(entries, dict) else [e["phrase"] if isinstance(e, dict) else e for e in entries]
        found = compiled.phrases.search(compiled.nlp(phrase)).found
        return {listed[e.index].lower() for e, spans in found.items()
                if e.rule == rule_id and not e.exception and 0 <= e.index < len(listed) and (0, len(phrase)) in spans}

    def team_change_refusal(self, change: TeamChange) -> str | None:
        """Why `change` cannot be made to these rules (unknown rule, phrase, level …), or None."""
        return team_change_refusal({lang: self._packs[lang] for lang in self._packs}, change, self.folder)

    def rule(self, language: str, rule_id: str) -> Rule | None:
        if language not in self._packs:
            return None
        return next((r for r in self._packs[language].rules if r.id == rule_id), None)

    def phrase_of(self, language: str, rule_id: str, text: str) -> str | None:
        """The entry of `rule_id`'s phrase list that matches `text` (a finding's quote: "Rockstars"
        → "rockstars", an inflection → its listed form), as the pack writes it; None for a rule
        without phrases or a quote no phrase of it matches (a pattern's match)."""
        rule = self.rule(language, rule_id)
        list_key = CHECKS[rule.check].phrase_list if rule is not None else None
        if rule is None or list_key is None or not text.strip():
            return None
        compiled = self.compiled(language)
        hits = [index for _, index in compiled.phrases.search(compiled.nlp(text)).for_rule(rule_id) if index >= 0]
        entries = rule.options.get(list_key) or []
        listed = list(entries) if isinstance(entries, dict) else [e["phrase"] if isinstance(e, dict) else e for e in entries]
        return listed[hits[0]] if hits and hits[0] < len(listed) else None

    def compiled(self, language: str) -> CompiledPack:
        base = self._base
        if base is not None and self._packs[language] is base._packs[language]:
            return base.compiled(language)
        with self._lock:
            if language not in self._compiled:
                self._compiled[language] = CompiledPack.build(self._packs[language])
            return self._compiled[language]

    def build(self, languages: Iterable[str]) -> None:
        """Builds these languages' packs now, for a batch that will need them: done before its
        first review, the building runs while the dictionaries load on other cores, and the
        first draft that needs a Norwegian or Italian dictionary (an English draft's typo asks
        whether it is a word of theirs) no longer waits for one (`HunspellChecker.prepare`)."""
        for language in languages:
            if language in self._packs:
                self.compiled(language)

    def warm(self) -> None:
        """Builds every language now, with its spelling dictionaries and their entries for the
        two-edit search (Hunspell is the fallback even when LanguageTool is configured), e.g.
        before a server starts taking requests."""
        from rules.grammar.spelling import SOURCES, load_in_background, speller
        from rules.language import preload

        load_in_background(SOURCES)  # read by libhunspell on other cores while the packs build
        self.build(self._packs)
        for code in SOURCES:
            if (loaded := speller(code)) is not None:
                loaded.read_entries()
        preload()

    def _analysis(self, draft: Draft, context: ReviewContext | None) -> Analysis:
        context = context or ReviewContext()
        if context.grammar is None and self.grammar is not None:
            context = replace(context, grammar=self.grammar)
        declared = normalize_language(draft.lang) if draft.lang else None
        if draft.lang and declared is None:
            raise ValueError(f"unsupported language '{draft.lang}'; supported: {', '.join(self.languages)}")
        hint = draft.recipient.language if draft.recipient else None
        detection = detect(language_sample(draft), declared=declared, hint=hint)
        if detection.language not in self._packs:
            raise ValueError(f"no rule pack loaded for language '{detection.language}'")
        return Analysis(draft, detection, self.compiled(detection.language), context)

    def history_entry(self, draft: Draft, context: ReviewContext) -> tuple[Fingerprint | None, str | None]:
        """What a review of `draft` gives its caller to keep in a template history (`fingerprint`,
        `recipient_key`), without the review: for a process that reviews the later drafts of a
        batch and needs the earlier ones' entries (bot/check_fork.py). Raises as `review` does
        for a draft it cannot review."""
        analysis = self._analysis(draft, context)
        return analysis.fingerprint, analysis.recipient_key

    def review(self, draft: Draft, context: ReviewContext | None = None) -> Review:
        analysis = self._analysis(draft, context)

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
            language=analysis.detection.language,
            category=category if category in CATEGORIES else None,
            findings=tuple(findings),
            metrics=metrics(analysis, findings),
            subject_text=analysis.subject.text,
            body_text=analysis.body.text,
            notes=tuple(_notes(analysis)),
            category_reason=analysis.category_guess.reason if not draft.category else everywhere(N_("declared")),
            category_scores=dict(analysis.category_guess.scores) if not draft.category else {},
            fingerprint=analysis.fingerprint.to_bytes() if analysis.fingerprint is not None else None,
            recipient_key=analysis.recipient_key,
        )


def _notes(a: Analysis) -> Iterable[str]:
    """What this review could not do, said plainly rather than passed over (each note in every
    interface language: `Said`)."""
    if a.truncated:
        yield each_language(lambda t: t.gettext(N_("Only the first {count} characters were checked word by word."),
                                                count=t.number(MAX_ANALYSED_CHARS)))
    if a.detection.source == "default":
        yield everywhere(N_("The language could not be told from so little text; English rules were used."))
    elif a.detection.source == "recipient":
        yield everywhere(N_("The text is too short to tell its language; the recipient's language ({language}) was used."),
                         language=a.language)
    checkers = {r.checker for r in a.grammar_done()}
    for note in dict.fromkeys(r.note for r in a.grammar_done() if r.note):
        yield note
    if checkers == {"hunspell"} and not any(r.note for r in a.grammar_done()):
        yield everywhere(N_("Spelling was checked offline with Hunspell; set LANGUAGETOOL_URL for grammar checks."))


_default: Reviewer | None = None
_default_lock = threading.Lock()


def review(draft: Draft, context: ReviewContext | None = None) -> Review:
    """Reviews with the built-in packs (and `INMAIL_RULES_DIR` ignored): the simplest entry point."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Reviewer.load()
    return _default.review(draft, context)
