"""Which of our languages a draft is written in, and what each of our languages is.

A language is data: a folder of the packs root (`rules/packs/`, or the folder `INMAIL_PACKS_DIR`
names) that has a `language.yml`. Its name, the codes and names users type for it (`aliases`),
lingua's code for it (`detector`), its greetings and honorifics, the example name suggestions
use, the labels that mark a pasted subject line and its spelling dictionaries are keys of that
file (the schema is `_LANGUAGE_SCHEMA` in rules/packs.py). Listing the languages reads only the
folder (`check --help` names them); the first use of their data reads every `language.yml` once,
a few milliseconds, and never a family file: those are read per language on its first review
(rules/packs.py, rules/engine.py).

lingua (`lingua-language-detector`) is used because it is offline, ships its models inside the
wheel, and is accurate on the short texts InMails are. It is restricted to the languages we
have rule packs for: left to choose among all its languages it calls plain Bokmål Danish or
Nynorsk, and a draft in a neighbour language is better reviewed with the closest pack than
not at all. The recipient's language is a hint that wins when the text itself is too short or
too ambiguous to say.
"""
from __future__ import annotations

import itertools
import os
import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from rules.kept import LINES_KEPT
from rules.schema import PackError

if TYPE_CHECKING:
    from lingua import ConfidenceValue, Language, LanguageDetector

    from models.records import Draft

PACKS_ENV = "INMAIL_PACKS_DIR"
BUILTIN_PACKS = Path(__file__).parent / "packs"
LANGUAGE_FILE = "language.yml"
DEFAULT_LANGUAGE = "en"

# Below this many letters, or below this confidence (unless twice the runner-up's), the text
# alone does not decide.
_MIN_CONFIDENCE = 0.6
_MIN_LETTERS = 20
# A second language counts as "mixed in" when it covers at least this share of the letters.
_MIXED_SHARE = 0.25

_lock = threading.Lock()


# --- the languages, as data ------------------------------------------------------------------
def packs_root() -> Path:
    """The folder whose subfolders with a `language.yml` are the languages: `INMAIL_PACKS_DIR`
    when set (a copy of `rules/packs/` with a language added, say), else `rules/packs/`."""
    return _root(os.environ.get(PACKS_ENV, ""))


@cache
def _root(configured: str) -> Path:
    """One Path per setting: the caches below are keyed by it, and a Path keeps its hash."""
    return Path(configured.strip()) if configured.strip() else BUILTIN_PACKS


def supported(root: Path | None = None) -> tuple[str, ...]:
    """The language codes, the default language first, then alphabetically; only the folder is read."""
    return _supported(root or packs_root())


@cache
def _supported(root: Path) -> tuple[str, ...]:
    try:
        codes = sorted(p.name for p in root.iterdir() if (p / LANGUAGE_FILE).is_file())
    except OSError:
        return ()
    return tuple(sorted(codes, key=lambda code: code != DEFAULT_LANGUAGE))


def __getattr__(name: str) -> Any:
    # `SUPPORTED` is computed when asked (`from rules.language import SUPPORTED`), not at import.
    if name == "SUPPORTED":
        return supported()
    raise AttributeError(f"module 'rules.language' has no attribute {name!r}")


@dataclass(frozen=True)
class LanguageData:
    """What `language.yml` says about the language itself (its vocabulary is the pack's)."""

    code: str
    name: str  # "Norwegian Bokmål": in messages about the language, e.g. its dictionary
    short_name: str  # "Norwegian": where the language is named in passing; `name` unless given
    detector: str  # lingua's `Language` member, e.g. BOKMAL
    aliases: tuple[str, ...]  # what users type for it (lower case), besides its code
    greetings: tuple[str, ...]
    titles: tuple[str, ...]  # honorifics a greeting may put before a name ("dott.ssa")
    example_name: str  # the first name suggestions use when the profile has none
    subject_labels: tuple[str, ...]  # "emne" in a pasted first line "Emne: …"
    languagetool: tuple[str, ...]  # LanguageTool's codes for it, first listed by the server wins
    tokens: dict[str, Any]  # how its text is cut into tokens (rules/tokens.py, `TokenRules`)
    spelling: dict[str, Any] | None  # the Hunspell dictionaries (rules/grammar/spelling.py)
    source: Path  # its language.yml


def languages(root: Path | None = None) -> dict[str, LanguageData]:
    """Every language's data, read once per packs root; PackError (file and line) when broken."""
    return _index(root or packs_root())


def language_data(code: str) -> LanguageData | None:
    return languages().get(code)


def language_name(code: str, *, short: bool = False) -> str:
    """The language's name for people ("Norwegian Bokmål", short: "Norwegian"); the code if unknown."""
    data = language_data(code)
    if data is None:
        return code
    return data.short_name if short else data.name


@cache
def _index(root: Path) -> dict[str, LanguageData]:
    found = {code: _parse(code, root / code / LANGUAGE_FILE) for code in _supported(root)}
    owners: dict[str, str] = {code: code for code in found}
    detectors: dict[str, str] = {}
    for code, data in found.items():
        if data.detector in detectors:
            raise data_error(data.source, ("detector",),
                             f"'{data.detector}' is the detector of '{detectors[data.detector]}' already")
        detectors[data.detector] = code
        for alias in data.aliases:
            if owners.setdefault(alias, code) != code:
                raise data_error(data.source, ("aliases",), f"'{alias}' already names language '{owners[alias]}'")
    return found


def data_error(path: Path, keys: tuple[Any, ...], message: str) -> PackError:
    """A PackError for `path` (a language.yml): the schema's own message when the file breaks
    the schema, else `message` at the line of `keys`. Only on an error is the pack loader (and
    with it jsonschema) imported."""
    from rules.packs import language_file_error

    return language_file_error(path, keys, message)


class _Invalid(Exception):
    """A key of the wrong shape: the schema says how (`data_error`)."""


def _strings(data: dict[str, Any], key: str, *, lower: bool = False) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _Invalid(key)
    return tuple(v.lower() if lower else v for v in value)


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise _Invalid(key)
    return value


def _string(data: dict[str, Any], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise _Invalid(key)
    return value


def _parse(code: str, path: Path) -> LanguageData:
    data = _read(path)
    try:
        if not isinstance(data, dict):
            raise _Invalid("")
        name = _string(data, "name")
        tokens = _mapping(data, "tokens")
        splits = tokens.get("splits")
        for word, parts in (splits.items() if isinstance(splits, dict) else ()):
            if isinstance(parts, str) and parts.replace(" ", "") != word:
                raise data_error(path, ("tokens", "splits", word), f"'{parts}' does not join back into '{word}'")
        spelling = data.get("spelling")
        if spelling is not None and not _spelling_shaped(spelling):
            raise _Invalid("spelling")
        return LanguageData(
            code=code, name=name, short_name=_string(data, "short_name", name), detector=_string(data, "detector"),
            aliases=tuple(a for a in _strings(data, "aliases", lower=True) if a != code),
            greetings=_strings(data, "greetings"), titles=_strings(data, "titles"),
            example_name=_string(data, "example_name"), subject_labels=_strings(data, "subject_labels", lower=True),
            languagetool=_strings(data, "languagetool") or (code,), tokens=tokens,
            spelling=spelling, source=path)
    except _Invalid as invalid:
        raise data_error(path, (str(invalid),) if str(invalid) else (), "not a valid language file") from None


def _spelling_shaped(spelling: Any) -> bool:
    """The shape spelling.py relies on; the schema checks the rest when the pack loads."""
    if not isinstance(spelling, dict) or not isinstance(spelling.get("dictionaries"), list):
        return False
    try:
        for entry in spelling["dictionaries"]:
            if not isinstance(entry, dict):
                return False
            for key in ("folder", "stem"):
                _string(entry, key)
            for key in ("code", "name"):
                if key in entry:
                    _string(entry, key)
            if isinstance(entry.get("loanwords"), list):
                _strings(entry, "loanwords")
            elif "loanwords" in entry:
                _string(entry, "loanwords")
            _strings(entry, "regions", lower=True)
        _strings(spelling, "prefixes")
        _strings(spelling, "loan_endings")
        _string(spelling, "letters", "-")
    except _Invalid:
        return False
    return isinstance(spelling.get("compounds", False), bool)


def _read(path: Path) -> Any:
    """The file's data, read with YAML 1.2 booleans as the pack loader reads it ("no" is a word)."""
    yaml, loader = _yaml()
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, OSError, UnicodeDecodeError):
        raise data_error(path, (), "cannot be read") from None


@cache
def _yaml() -> tuple[Any, type]:
    """PyYAML, imported on first use (not by `check --help`), and its safe loader with YAML 1.2's
    booleans only."""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))
    return yaml, Loader


def normalize_language(code: str | None) -> str | None:
    """Our code for a user-supplied language name or locale; None when we have no pack for it."""
    if code is None:
        return None
    wanted = code.strip().lower()
    root = packs_root()
    if wanted in _supported(root):
        return wanted  # a language's own code: no need to read the language files
    return _aliases(root).get(wanted)


@cache
def _aliases(root: Path) -> dict[str, str]:
    return {alias: code for code, data in _index(root).items() for alias in data.aliases}


# --- detection -------------------------------------------------------------------------------
def _lingua() -> dict[Language, str]:
    """lingua's language → our code, for the languages we have."""
    return _lingua_codes(packs_root())


@cache
def _lingua_codes(root: Path) -> dict[Language, str]:
    from lingua import Language

    known = {language.name: language for language in Language.all()}
    out = {}
    for code, data in _index(root).items():
        if data.detector not in known:
            raise data_error(data.source, ("detector",), f"'{data.detector}' is not one of lingua's languages; "
                             f"expected one of {', '.join(sorted(known))}")
        out[known[data.detector]] = code
    return out


def _detector() -> LanguageDetector:
    return _detector_for(frozenset(_lingua()))


@cache
def _detector_for(candidates: frozenset[Language]) -> LanguageDetector:
    """Low-accuracy mode (trigram models only): 12 MB and 50 ms to build instead of the full
    mode's 100 MB and 0.7 s. On texts of 120 characters or more it decides like the full mode
    on all we measured (every review of examples/ and the corpus, and 1,119 corpus fragments of
    that length); shorter ones go without their names (`_confidences`)."""
    from lingua import LanguageDetectorBuilder

    with _lock:
        return (
            LanguageDetectorBuilder.from_languages(*candidates)
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
    if len(_lingua()) > 1:
        _detector()


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# Capitalised words: names of people, companies and places ("Kari", "Vipps", "Stavanger")
# belong to no language and must not make an English sentence read as Norwegian.
_NAME = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][\w'’-]*")


# Longest text the language pipeline reads. Slack allows 40,000 characters; past this, only
# the length rules see the rest (and say so), so a pasted novel cannot stall the bot.
MAX_ANALYSED_CHARS = 40_000


def language_sample(draft: Draft) -> str:
    """What a draft's language is told from: its subject and body, as far as they are analysed."""
    return f"{draft.subject}\n{draft.body}"[:MAX_ANALYSED_CHARS]


@dataclass(frozen=True)
class Detection:
    language: str
    confidence: float
    source: str  # "declared", "text", "recipient" or "default"
    mixed_with: str | None = None  # another language making up a real part of the text


def detect(text: str, *, declared: str | None = None, hint: str | None = None) -> Detection:
    """Declared language wins; then the text when it is clear; then the hint; then English."""
    codes = _lingua()
    if len(codes) < 2:  # one language (or none): nothing to tell apart
        return Detection(declared or next(iter(codes.values()), DEFAULT_LANGUAGE), 1.0, "declared" if declared else "text")
    sentences = _sentences(text)
    if declared:
        return Detection(declared, 1.0, "declared", _mixed(sentences, declared))
    letters = sum(map(str.isalpha, text))
    hinted = normalize_language(hint)
    by_words = _clearly_written_in(sentences)
    if by_words is not None and by_words[0] in codes.values():
        return Detection(by_words[0], by_words[1], "text", _mixed(sentences, by_words[0]))
    if letters >= 3:
        values = _confidences(text)
        best, runner_up = values[0], values[1].value if len(values) > 1 else 0.0
        language, confidence = codes[best.language], best.value
        # Clear enough: confident, or (for a short line) well ahead of the runner-up.
        clear = confidence >= _MIN_CONFIDENCE or (confidence >= 0.5 and confidence >= 2 * runner_up)
        if (letters >= _MIN_LETTERS and clear) or (confidence >= 0.9 and not hinted):
            return Detection(language, confidence, "text", _mixed(sentences, language))
    if hinted:
        return Detection(hinted, 0.5, "recipient")
    return Detection(DEFAULT_LANGUAGE, 0.0, "default")


def likely_language(text: str) -> str | None:
    """The language `text` is in when its stop words leave no doubt (as `detect` first asks),
    else None: a guess that asks no detector, and whose reading of the text `detect` reuses."""
    by_words = _clearly_written_in(_sentences(text))
    return by_words[0] if by_words is not None and by_words[0] in _lingua().values() else None


def batch_languages(drafts: Iterable[Draft], languages: Iterable[str], *, looked_at: int = 2000,
                    detected: int = 20) -> list[tuple[str, str | None]]:
    """The (language, recipient locale) pairs of a batch, in the order its drafts bring them,
    until each of `languages` has come or `looked_at` drafts were read: what to load ahead. A
    draft's language is the declared one, else the one its stop words say (`likely_language`,
    whose reading the review's own detection reuses), else, for the first `detected` drafts
    only, the detector's (~0.3 ms)."""
    ours = set(languages)
    wanted: dict[tuple[str, str | None], None] = {}
    for draft in itertools.islice(drafts, looked_at):
        sample = language_sample(draft)
        hint = draft.recipient.language if draft.recipient else None
        lang = normalize_language(draft.lang) if draft.lang else likely_language(sample)
        if lang is None and not draft.lang and detected > 0:
            detected -= 1
            lang = detect(sample, hint=hint).language
        if lang in ours:
            wanted[(lang, hint)] = None
            if {lang for lang, _ in wanted} == ours:
                break
    return list(wanted)


def stop_words(lang: str) -> frozenset[str]:
    """The language's `stop-words.txt` beside its `language.yml` (one word a line, `#` comments),
    lowercased; empty for a language without one."""
    return _stop_words(packs_root(), lang)


@cache
def _stop_words(root: Path, lang: str) -> frozenset[str]:
    path = root / lang / "stop-words.txt"
    if not path.exists():
        return frozenset()
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line.casefold() for line in lines if line and not line.startswith("#"))


@cache
def _own_stop_words(root: Path) -> dict[str, str]:
    """Each stop word that only one language lists ("the", "og", "della") → that language; none
    at all while some language has no list (Swedish's "som" and "har" would pass for Bokmål's)."""
    every = {code: _stop_words(root, code) for code in _supported(root)}
    if not all(every.values()):
        return {}
    return {word: code for code, words in every.items()
            for word in words.difference(*(w for c, w in every.items() if c != code))}


# Stop words settle what lingua would otherwise be asked, where they leave no doubt. A sentence
# with at least 4 of a language's own stop words and none of another's is in that language: of
# the 1,787 such corpus sentences lingua put 4 elsewhere, each wrongly ("mi chiamo … e mi occupo
# di executive search" is not English). A whole draft with at least 10, making 90% of all the
# own stop words it has, is in that language: lingua (with the recipient's language as a hint)
# said the same of all 549 such corpus drafts. So both are faster and no worse.
_SENTENCE_CLEARLY = 4
_TEXT_CLEARLY = (10, 0.9)
_SENTENCE_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


class _Sentence(NamedTuple):
    """What the language checks use of one sentence, kept per process (`_sentence`): drafts
    repeat their sentences, copies of a template or a draft reviewed again after an edit."""

    own: Counter[str]    # its stop words that are one language's own, by language
    plain: str           # the sentence without its capitalised names
    letters: int         # letters in `plain`
    plain_own: Counter[str]


def _sentences(text: str) -> list[_Sentence]:
    root = packs_root()
    return [_sentence(m.group(), root) for m in _SENTENCE.finditer(text)]


@lru_cache(maxsize=LINES_KEPT)
def _sentence(sentence: str, root: Path) -> _Sentence:
    plain = _NAME.sub("", sentence)
    return _Sentence(_own_stop_word_counts(sentence, root), plain, sum(map(str.isalpha, plain)),
                     _own_stop_word_counts(plain, root))


def _own_stop_word_counts(text: str, root: Path) -> Counter[str]:
    own = _own_stop_words(root)
    return Counter(own[word] for word in _SENTENCE_WORD.findall(text.lower()) if word in own)


def _clearly_in(sentence: _Sentence, lang: str) -> bool:
    counts = sentence.plain_own
    return counts[lang] >= _SENTENCE_CLEARLY and sum(counts.values()) == counts[lang]


def _clearly_written_in(sentences: list[_Sentence]) -> tuple[str, float] | None:
    """(language, its share of the text's own stop words) when they leave no doubt. (A word
    never spans two sentences: those are cut at ".", "!", "?" and line breaks.)"""
    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update(sentence.own)
    if not counts:
        return None
    language, n = counts.most_common(1)[0]
    least, share = _TEXT_CLEARLY
    return (language, n / sum(counts.values())) if n >= least and n / sum(counts.values()) >= share else None


def _mixed(sentences: list[_Sentence], main: str) -> str | None:
    """The other language when sentences making up a sizeable part of the draft are in it
    (judged on each sentence's words without its capitalised names). A sentence clearly in
    the main language by its stop words adds nothing to another's share, so lingua is asked
    only about the others."""
    chunks = [s for s in sentences if s.letters >= 30]
    if len(chunks) < 2:
        return None
    codes = _lingua()
    shares: dict[str, int] = {}
    unclear = [s for s in chunks if not _clearly_in(s, main)]
    for language, sentence in zip(_sentence_languages([s.plain for s in unclear]), unclear):
        if language is not None:
            shares[codes[language]] = shares.get(codes[language], 0) + sentence.letters
    total = sum(s.letters for s in sentences) or 1
    others = sorted(((n, c) for c, n in shares.items() if c != main), reverse=True)
    if others and others[0][0] / total >= _MIXED_SHARE:
        return others[0][1]
    return None


# lingua's answer for each sentence it was asked about, by languages and sentence; emptied
# when full, so a long-running server holds at most this many.
_SAID: dict[tuple[frozenset[Language], str], Language | None] = {}
_SAID_MAX = LINES_KEPT
_UNSEEN = object()


# lingua's parallel detection runs on a pool of Rust threads, which a forked process does not
# inherit (bot/check_fork.py): it would wait for them forever, so a fork asks one by one.
_forked = False


def _after_fork() -> None:
    global _forked
    _forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def _sentence_languages(plain: list[str]) -> list[Language | None]:
    """lingua's language for each sentence, asked once per process (all new ones in one call)."""
    if not plain:
        return []
    candidates = frozenset(_lingua())
    known = {text: _SAID.get((candidates, text), _UNSEEN) for text in plain}
    new = [text for text, language in known.items() if language is _UNSEEN]
    if new:
        detector = _detector_for(candidates)
        found = dict(zip(new, map(detector.detect_language_of, new) if _forked
                         else detector.detect_languages_in_parallel_of(new)))
        known.update(found)
        if len(_SAID) + len(found) > _SAID_MAX:
            _SAID.clear()
        _SAID.update(((candidates, text), language) for text, language in found.items())
    return [known[text] for text in plain]  # type: ignore[misc]
