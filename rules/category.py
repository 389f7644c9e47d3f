"""Which of LinkedIn's eight categories a draft is, and how sure we are.

Two kinds of evidence are combined: the pack's lexicon (`categories:` in language.yml, phrase →
weight; what a person can read and a team can extend) and, where the language has one, the
learned classifier of `models/category.py`. The classifier's probabilities are multiplied by
exp(`category_blend` × lexicon score) and renormalised, so a clear lexicon signal can overrule a
hesitant model and the model decides where the lexicon is silent. The category is the most
probable one, its probability the confidence; only a draft with no words has none (`NO_PURPOSE`, decided by the analysis).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from models.category import Classifier
from models.wording import Text
from rules.i18n import N_, Translator, each_language
from rules.matching import Matches, PhraseIndex


@dataclass(frozen=True)
class CategoryGuess:
    category: str | None
    confidence: float
    reason: Text
    evidence: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)

    def signals_for(self, t: Translator) -> str:
        """The lexicon words behind the guess, as a finding quotes them ("" when there are none)."""
        if not self.evidence:
            return ""
        return t.gettext(N_("signals: {words}"), words=", ".join(t.gettext(N_("“{quote}”"), quote=w) for w in self.evidence))

    def _reason(self, t: Translator) -> str:
        said = self.signals_for(t) or t.gettext(N_("judged from the wording as a whole"))
        return t.gettext(N_("{sure} sure; {signals}"), sure=t.percent(self.confidence), signals=said)


NO_PURPOSE = CategoryGuess(None, 0.0, "no words to judge")


class CategoryModel:
    """Lexicon signals per category, plus the language's classifier when there is one."""

    def __init__(self, signals: dict[str, dict[str, float]], blend: float, classifier: Classifier | None) -> None:
        self.weights = {c: list(phrases.values()) for c, phrases in signals.items()}
        self.phrases = {c: list(phrases.keys()) for c, phrases in signals.items()}
        self.blend = blend
        self.classifier = classifier

    def register(self, index: PhraseIndex) -> None:
        for category, phrases in self.phrases.items():
            index.add_phrases(f"_cat:{category}", phrases)

    def _lexicon(self, matches: tuple[Matches, ...]) -> tuple[dict[str, float], dict[str, list[str]]]:
        scores: dict[str, float] = {}
        evidence: dict[str, list[str]] = {}
        for category, weights in self.weights.items():
            seen: dict[int, int] = {}
            for m in matches:
                for _, index in m.for_rule(f"_cat:{category}"):
                    seen[index] = seen.get(index, 0) + 1
            scores[category] = sum(weights[i] * min(n, 2) for i, n in seen.items())
            evidence[category] = [self.phrases[category][i] for i in sorted(seen, key=lambda i: -weights[i])]
        return scores, evidence

    def guess(self, text: str, body: Matches, subject: Matches) -> CategoryGuess:
        lexicon, evidence = self._lexicon((body, subject))
        prior = self.classifier.probabilities(text) if self.classifier else {c: 1.0 for c in lexicon}
        logits = {c: math.log(max(prior.get(c, 0.0), 1e-6)) + self.blend * lexicon.get(c, 0.0) for c in prior}
        top = max(logits.values())
        odds = {c: math.exp(v - top) for c, v in logits.items()}
        total = sum(odds.values())
        probabilities = {c: v / total for c, v in odds.items()}
        best = max(probabilities, key=lambda c: (probabilities[c], c == "career_opportunity"))
        confidence = probabilities[best]
        guess = CategoryGuess(best, confidence, "", tuple(evidence.get(best, [])[:4]), probabilities)
        return replace(guess, reason=each_language(guess._reason))
