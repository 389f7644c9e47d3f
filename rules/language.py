"""Which of our languages a draft is written in.

lingua (`lingua-language-detector`) is used because it is offline, ships its models inside the
wheel, and is accurate on the short texts InMails are. It is restricted to the languages we
have rule packs for: left to choose among all its languages it calls plain Bokmål Danish or
Nynorsk, and a draft in a neighbour language is better reviewed with the closest pack than
not at all. The recipient's language is a hint that wins when the text itself is too short or
too ambiguous to say.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

from lingua import ConfidenceValue, Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED: tuple[str, ...] = ("en", "nb", "it")
DEFAULT_LANGUAGE = "en"

_LINGUA = {Language.ENGLISH: "en", Language.BOKMAL: "nb", Language.ITALIAN: "it"}

# What users type for a language, mapped to our code.
_ALIASES = {
    "en": "en", "eng": "en", "english": "en", "en-us": "en", "en-gb": "en", "en_us": "en", "en_gb": "en",
    "nb": "nb", "no": "nb", "nob": "nb", "nor": "nb", "norsk": "nb", "bokmål": "nb", "bokmal": "nb",
    "norwegian": "nb", "nb-no": "nb", "nb_no": "nb", "no-no": "nb", "nn": "nb", "nn-no": "nb",
    "it": "it", "ita": "it", "italian": "it", "italiano": "it", "it-it": "it", "it_it": "it",
}

# Below this many letters, or below this confidence (unless twice the runner-up's), the text
# alone does not decide.
_MIN_CONFIDENCE = 0.6
_MIN_LETTERS = 20
# A second language counts as "mixed in" when it covers at least this share of the letters.
_MIXED_SHARE = 0.25

_lock = threading.Lock()


def normalize_language(code: str | None) -> str | None:
    """Our code for a user-supplied language name or locale; None when we have no pack for it."""
    if code is None:
        return None
    return _ALIASES.get(code.strip().lower())


@cache
def _detector() -> LanguageDetector:
    """Low-accuracy mode (trigram models only): 12 MB and 50 ms to build instead of the full
    mode's 100 MB and 0.7 s. On texts of 120 characters or more it decides like the full mode
    on all we measured (every review of examples/ and the corpus, and 1,119 corpus fragments of
    that length); shorter ones go without their names (`_confidences`)."""
    with _lock:
        return (
            LanguageDetectorBuilder.from_languages(*_LINGUA)
            .with_preloaded_language_models()
            .with_low_accuracy_mode()
            .build()
        )


# Below this many characters a text is judged without its capitalised words: on a line of a few
# words the names decide ("Hi Kari, your Kafka talk was great. We are hiring in Stavanger." reads
# as Bokmål for "Kari" and "Stavanger"). Longer texts have words enough to outweigh them.
_SHORT_TEXT = 120


def _confidences(text: str) -> list[ConfidenceValue]:
    """The low-accuracy models for every text. The full models (all n-gram sizes) would read a
    few more short fragments right (6,213 against 6,146 of 6,779 corpus fragments with the
    recipient's language as a hint; fewer without one) but cost 100 MB and 0.7 s a process;
    every review of the examples and the corpus is the same either way."""
    if len(text) < _SHORT_TEXT:
        words = _without_names(text)
        if sum(ch.isalpha() for ch in words) >= 3:
            text = words
    return _detector().compute_language_confidence_values(text)


def _without_names(text: str) -> str:
    """The text without its capitalised words, except a sentence's first ("Jeg så …", "Takk …")."""
    def name(match: re.Match[str]) -> str:
        before = text[:match.start()].rstrip()
        return match.group() if not before or before[-1] in ".!?:\n" else ""
    return " ".join(_NAME.sub(name, text).split())


def preload() -> None:
    """Builds the detector now (a server's start) rather than at the first review."""
    _detector()


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# Capitalised words: names of people, companies and places ("Kari", "Vipps", "Stavanger")
# belong to no language and must not make an English sentence read as Norwegian.
_NAME = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][\w'’-]*")


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float
    source: str  # "declared", "text", "recipient" or "default"
    mixed_with: str | None = None  # another language making up a real part of the text


def detect(text: str, *, declared: str | None = None, hint: str | None = None) -> Detection:
    """Declared language wins; then the text when it is clear; then the hint; then English."""
    if declared:
        return Detection(declared, 1.0, "declared", _mixed(text, declared))
    letters = sum(ch.isalpha() for ch in text)
    hinted = normalize_language(hint)
    if letters >= 3:
        values = _confidences(text)
        best, runner_up = values[0], values[1].value if len(values) > 1 else 0.0
        language, confidence = _LINGUA[best.language], best.value
        # Clear enough: confident, or (for a short line) well ahead of the runner-up.
        clear = confidence >= _MIN_CONFIDENCE or (confidence >= 0.5 and confidence >= 2 * runner_up)
        if (letters >= _MIN_LETTERS and clear) or (confidence >= 0.9 and not hinted):
            return Detection(language, confidence, "text", _mixed(text, language))
    if hinted:
        return Detection(hinted, 0.5, "recipient")
    return Detection(DEFAULT_LANGUAGE, 0.0, "default")


def _mixed(text: str, main: str) -> str | None:
    """The other language when sentences making up a sizeable part of the draft are in it
    (judged on each sentence's words without its capitalised names)."""
    sentences = [_NAME.sub("", m.group()) for m in _SENTENCE.finditer(text)]
    letters = [sum(ch.isalpha() for ch in s) for s in sentences]
    chunks = [(s, n) for s, n in zip(sentences, letters) if n >= 30]
    if len(chunks) < 2:
        return None
    shares: dict[str, int] = {}
    found = _detector().detect_languages_in_parallel_of([s for s, _ in chunks])
    for language, (_, n) in zip(found, chunks):
        if language is not None:
            shares[_LINGUA[language]] = shares.get(_LINGUA[language], 0) + n
    total = sum(letters) or 1
    others = sorted(((n, c) for c, n in shares.items() if c != main), reverse=True)
    if others and others[0][0] / total >= _MIXED_SHARE:
        return others[0][1]
    return None
