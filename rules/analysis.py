"""What the checks read about one draft, computed once and lazily.

Checks are small functions of (rule, analysis); anything two checks or the metrics need —
the plain text, its tokens, the phrase matches, the pronoun counts, the detected
category — lives here as a cached property so it is computed at most once per review and
only when some enabled rule asks for it.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from models.records import Draft, Recipient
from rules import caseless
from rules.category import NO_PURPOSE, CategoryGuess
from rules.grammar.words import proper_names
from rules.language import MAX_ANALYSED_CHARS, Detection
from rules.matching import Matches
from rules.text import PlainText, to_plain
from rules.tokens import Span, Tokens, like_email, like_url

if TYPE_CHECKING:
    from rules.engine import CompiledPack, ReviewContext
    from rules.grammar import GrammarResult
    from rules.similarity import Fingerprint

_LEGAL_SUFFIX = re.compile(r"[\s,]+(?:asa|as|inc\.?|ltd\.?|llc|plc|gmbh|ab|s\.?p\.?a\.?|s\.?r\.?l\.?|oy|bv|ag|corp\.?)$", re.I)
# A sentence ends at . ! ? (and any run of them), or at a line break.
_SENTENCE = re.compile(r"[^.!?\n]*[^.!?\s][^.!?\n]*(?:[.!?]+|(?=\n)|$)")
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")

def fold(text: str) -> str:
    """Case- and accent-insensitive form, for 'is this the same name?' comparisons."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def find_word(text: str, phrase: str) -> Span | None:
    """First whole-word, case-insensitive occurrence of `phrase` in `text`."""
    phrase = phrase.strip()
    if not phrase:
        return None
    low, low_phrase = caseless.lowered(text), caseless.lowered(phrase)
    if low is not None and low_phrase is not None:
        return caseless.find(text, low, low_phrase)
    m = _whole_word(phrase, re.IGNORECASE).search(text)
    return m.span() if m else None


@lru_cache(maxsize=4096)
def _whole_word(phrase: str, flags: int = 0) -> re.Pattern[str]:
    """The pattern of `phrase` as a whole word, compiled once: profiles and names are new to
    `re`'s own cache of 512 patterns, which a batch's pack patterns keep full."""
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", flags)


class Analysis:
    """One draft, seen by one language's pack."""

    def __init__(self, draft: Draft, detection: Detection, pack: "CompiledPack", context: "ReviewContext") -> None:
        self.draft = draft
        self.detection = detection
        self.language = detection.language
        self.pack = pack
        self.context = context
        self.recipient: Recipient | None = draft.recipient
        self._grammar: dict[str, "GrammarResult"] = {}

    # --- text -------------------------------------------------------------------------
    @cached_property
    def subject(self) -> PlainText:
        return to_plain(self.draft.subject or "")

    @cached_property
    def body(self) -> PlainText:
        return to_plain(self.draft.body or "")

    def plain(self, field: str) -> str:
        return self.subject.text if field == "subject" else self.body.text

    @cached_property
    def truncated(self) -> bool:
        return len(self.body.text) > MAX_ANALYSED_CHARS

    def tokens(self, field: str) -> Tokens:
        return self._subject_tokens if field == "subject" else self._body_tokens

    @cached_property
    def _subject_tokens(self) -> Tokens:
        return self.pack.nlp(self.subject.text[:MAX_ANALYSED_CHARS])

    @cached_property
    def _body_tokens(self) -> Tokens:
        return self.pack.nlp(self.body.text[:MAX_ANALYSED_CHARS])

    def matches(self, field: str) -> Matches:
        return self._subject_matches if field == "subject" else self._body_matches

    @cached_property
    def _subject_matches(self) -> Matches:
        return self.pack.phrases.search(self._subject_tokens)

    @cached_property
    def _body_matches(self) -> Matches:
        return self.pack.phrases.search(self._body_tokens)

    # --- structure ----------------------------------------------------------------------
    @cached_property
    def _tokens(self) -> tuple[list[Span], tuple[int, int]]:
        """One pass over the body's tokens: the word spans and the (you, we) counts."""
        vocab = self.pack.vocabulary
        you_words = {w.lower() for w in vocab["you_words"] if " " not in w}
        we_words = {w.lower() for w in vocab["we_words"] if " " not in w}
        tokens = self._body_tokens
        words: list[Span] = []
        you = we = 0
        for start, end, word, lower in zip(tokens.starts, tokens.ends, tokens.words, tokens.lower):
            if word.isalpha() or (_WORD.search(word) and not word.startswith(("@", "#"))
                                   and not like_url(word) and not like_email(word)):
                words.append((start, end))
            you += lower in you_words
            we += lower in we_words
        return words, (you, we)

    @property
    def words(self) -> list[Span]:
        """Spans of real words: tokens with letters, not links, e-mails or @mentions."""
        return self._tokens[0]

    @property
    def pronouns(self) -> tuple[int, int]:
        """(you, we) counts in the body: how much of the draft is about them vs about us."""
        return self._tokens[1]

    @cached_property
    def sentences(self) -> list[Span]:
        """Sentence spans. A punctuation split, as spaCy's rule-based sentencizer does, but on
        the string: the sentencizer's per-token loop cost more than the rest of a review."""
        text = self.body.text[:MAX_ANALYSED_CHARS]
        return [m.span() for m in _SENTENCE.finditer(text) if _WORD.search(m.group())]

    @cached_property
    def paragraphs(self) -> list[Span]:
        return [m.span() for m in re.finditer(r"[^\n]+", self.body.text) if m.group().strip()]

    @cached_property
    def _word_starts(self) -> list[int]:
        return [start for start, _ in self.words]

    def sentence_words(self, span: Span) -> int:
        return bisect_left(self._word_starts, span[1]) - bisect_left(self._word_starts, span[0])

    # --- recipient ----------------------------------------------------------------------
    @cached_property
    def has_profile(self) -> bool:
        r = self.recipient
        return bool(r and (r.name or r.title or r.company or r.skills))

    @cached_property
    def name_parts(self) -> list[str]:
        if not self.recipient or not self.recipient.name:
            return []
        return [p for p in re.split(r"\s+", self.recipient.name.strip()) if len(p) > 1]

    @cached_property
    def name_used(self) -> bool:
        """The recipient's first or last name appears exactly as in the profile."""
        text = self.body.text
        return any(caseless.find(text, text, p) for p in self.name_parts)  # as (?<!\w)p(?!\w) finds

    @cached_property
    def greeting_name(self) -> Span | None:
        """The word after an opening greeting ("Hi Kari,"), whether or not it is the right name."""
        greetings = "|".join(re.escape(g) for g in sorted(self.pack.vocabulary["greetings"], key=len, reverse=True))
        m = re.match(r"\s*(?:" + greetings + r")\s+([^\W\d_][\w'’-]*)", self.body.text, re.IGNORECASE)
        return m.span(1) if m else None

    @cached_property
    def recipient_key(self) -> str | None:
        """Whom the draft is for, for the template history: the caller's key for the profile,
        else the name it greets ("Hi Kari" and "Hi Ola" are two people even with no profile)."""
        if self.context.recipient_key:
            return self.context.recipient_key
        span = self.greeting_name
        return f"greeting:{fold(self.body.text[span[0]:span[1]])}" if span else None

    @cached_property
    def cites_something_of_theirs(self) -> bool:
        """A fact cue of the language ("your talk", "foredraget ditt", "il tuo repo") or one of
        their skills in the body: something only this recipient could be told."""
        if self._body_matches.for_rule("_facts"):
            return True
        r = self.recipient
        return bool(r and any(find_word(self.body.text, s) for s in r.skills if s.strip()))

    @cached_property
    def references(self) -> tuple[list[str], list[str]]:
        """(profile items the body mentions, profile items it could mention)."""
        r = self.recipient
        if r is None:
            return [], []
        items: list[str] = []
        if r.company:
            items.append(_LEGAL_SUFFIX.sub("", r.company.strip()))
        if r.title:
            items.append(r.title.strip())
        items.extend(s.strip() for s in r.skills)
        text = self.body.text
        mentioned = []
        for item in items:
            candidates = [item]
            if item == (r.title or "").strip():
                # "Senior Data Engineer" is referred to as "data engineer" just as well.
                words = item.split()
                candidates += [" ".join(words[-2:])] if len(words) > 2 else []
            if any(find_word(text, c) for c in candidates):
                mentioned.append(item)
        return mentioned, items

    # --- category -----------------------------------------------------------------------
    @cached_property
    def category_guess(self) -> CategoryGuess:
        if not self.words:  # empty, emoji, a link: no purpose to judge
            return NO_PURPOSE
        text = f"{self.subject.text}\n{self.body.text[:MAX_ANALYSED_CHARS]}".strip()
        return self.pack.categories.guess(text, self._body_matches, self._subject_matches)

    @cached_property
    def category(self) -> str | None:
        """The declared category when there is one, else what the text reads as."""
        return self.draft.category or self.category_guess.category

    def outside(self, categories: tuple[str, ...]) -> float:
        """How sure the category is none of `categories`: 1 for a declared one outside them."""
        if self.draft.category:
            return float(self.draft.category not in categories)
        return 1.0 - sum(self.category_guess.scores.get(c, 0.0) for c in categories)

    # --- asks ---------------------------------------------------------------------------
    @cached_property
    def content_end(self) -> int:
        """Where the message ends before its sign-off: trailing short lines ("Best,", a name, a
        title, a company) are the signature, not the message."""
        text = self.body.text[:MAX_ANALYSED_CHARS].rstrip()
        lines = text.split("\n")
        end = len(text)
        for line in reversed(lines[-5:]):
            if len(line.split()) > 5 or "?" in line:
                break
            end -= len(line) + 1
        return max(end, 0) if end > 0 else len(text)

    def asks(self, window: float) -> list[Span]:
        """Sentences in the last `window` share of the message (before the sign-off) that ask
        for a next step."""
        if not self.sentences:
            return []
        cut = self.content_end * (1 - window)
        ask_spans = [span for span, _ in self._body_matches.for_rule("_asks")]
        out = []
        for start, end in self.sentences:
            if end <= cut and (start, end) != self.sentences[-1]:
                continue
            text = self.body.text[start:end]
            if "?" in text or any(start <= a[0] < end for a in ask_spans):
                out.append((start, end))
        return out

    # --- grammar and history --------------------------------------------------------------
    @cached_property
    def personal_words(self) -> frozenset[str]:
        """The recipient's name, company, title and skills: never misspellings, masked in templates."""
        r = self.recipient
        if r is None:
            return frozenset()
        words = [*self.name_parts, *(r.skills or ())]
        for value in (r.company, r.title):
            if value:
                words += [value, *value.split()]
        return frozenset(w.strip() for w in words if w and w.strip())

    def grammar_results(self, fields: tuple[str, ...]) -> list["GrammarResult"]:
        """The grammar checker's result per field (once per review; [] when none is configured)."""
        checker = self.context.grammar
        if checker is None:
            return []
        for field in fields:
            if field not in self._grammar and self.plain(field).strip():
                # A name capitalised in the other field ("Oda" in the subject) is a name here too.
                other = self.plain("body" if field == "subject" else "subject")
                self._grammar[field] = checker.check(
                    self.plain(field)[:MAX_ANALYSED_CHARS], field=field, lang=self.language,
                    locale=self.recipient.language if self.recipient else None,
                    ignore_words=self.personal_words | proper_names(other[:MAX_ANALYSED_CHARS]),
                )
        return [self._grammar[f] for f in fields if f in self._grammar]

    def grammar_done(self) -> list["GrammarResult"]:
        return list(self._grammar.values())

    @cached_property
    def fingerprint(self) -> "Fingerprint | None":
        """The body's template fingerprint (personal details masked), when a history is kept."""
        if self.context.history is None or not self.words:
            return None
        from rules.similarity import fingerprint

        return fingerprint(self.body.text[:MAX_ANALYSED_CHARS], self.personal_words)

    def format_values(self) -> dict[str, Any]:
        """Values every rule message may use."""
        r = self.recipient
        return {
            "name": (r.name if r else None) or "",
            # An example name in the draft's language when the profile has none (its language.yml).
            "first_name": (r.first_name if r else None) or self.pack.vocabulary.get("example_name", ""),
            "language": self.language,
        }
