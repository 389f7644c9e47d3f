"""The records that flow through the product: Draft in, Review out.

They are plain frozen dataclasses so that the review engine stays pure and a Review
serialises to exactly the JSON contract of PRODUCT.md §2 (`Review.to_dict`). Parsing from
untrusted dicts (`Draft.from_dict`) raises `InputError` with a message a person can act on,
because drafts arrive from files, stdin and Slack payloads.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from models.wording import N_, Text, languages_of, localized

Severity = Literal["suggestion", "warning", "error"]
Field = Literal["subject", "body"]
Verdict = Literal["ready", "revise", "blocked"]

SEVERITIES: tuple[Severity, ...] = ("suggestion", "warning", "error")
SEVERITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}

# LinkedIn's eight InMail categories, in LinkedIn's order.
CATEGORIES: tuple[str, ...] = (
    "career_opportunity",
    "consulting_offer",
    "new_venture",
    "job_inquiry",
    "expertise_request",
    "business_deal",
    "reference_request",
    "getting_back_in_touch",
)

# The rule families of PRODUCT.md §3. Names inside a family may grow; families do not change.
FAMILIES: tuple[str, ...] = (
    "length",
    "generic-template",
    "personalization",
    "category-match",
    "grammar",
    "inclusive-language",
    "call-to-action",
    "subject",
)


# The rule packs' folder, as `rules.language.packs_root()` finds it: models/ imports nothing from
# rules/, so the subject labels below are read from the languages' files here.
_PACKS_ENV = "INMAIL_PACKS_DIR"
_BUILTIN_PACKS = Path(__file__).resolve().parents[1] / "rules" / "packs"


def subject_labels() -> frozenset[str]:
    """First-line labels that mark a pasted draft's subject ("Subject:", "Emne:", "Oggetto:"):
    every language's `subject_labels` in its pack's `language.yml`, read once per packs folder."""
    configured = os.environ.get(_PACKS_ENV, "").strip()
    return _subject_labels(Path(configured) if configured else _BUILTIN_PACKS)


@lru_cache(maxsize=8)
def _subject_labels(root: Path) -> frozenset[str]:
    import yaml  # only when a pasted first line has a colon

    labels: set[str] = set()
    for path in sorted(root.glob("*/language.yml")):
        try:
            with path.open(encoding="utf-8") as fh:
                # Every scalar a string ("no" too): the base loader, as safe as the safe one.
                data = yaml.load(fh, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))  # noqa: S506
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            continue  # the review names the broken file, line and key (rules.language)
        found = data.get("subject_labels") if isinstance(data, dict) else None
        if isinstance(found, list):
            labels.update(label.strip().lower() for label in found if isinstance(label, str) and label.strip())
    return frozenset(labels)


class InputError(ValueError):
    """A draft or profile that cannot be reviewed as given; the message is shown to the user.

    It carries its message id (marked `N_`, in the bot's catalog) and values, so the bot can say
    it in its reader's language (`said`); `str()` is the English text. A whole-number value is a
    count, written with the language's digit grouping ("1,000,001", "1 000 001"); a position
    (line, column) is given as text."""

    def __init__(self, message: str, /, **values: Any) -> None:
        english = {k: f"{v:,}" if _is_count(v) else v for k, v in values.items()}
        super().__init__(message.format(**english) if values else message)
        self.message, self.values = message, values

    def said(self, t: Any) -> str:
        """The message in translator `t`'s language (a `rules.i18n.Translator`: `gettext`, `number`)."""
        return t.gettext(self.message, **{k: t.number(v) if _is_count(v) else v for k, v in self.values.items()})


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _opt_str(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise InputError(N_("{where}: '{key}' must be a string, not {kind}"), where=where, key=key, kind=type(value).__name__)
    return str(value)


def _str_list(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(N_("{where}: '{key}' must be a list of strings"), where=where, key=key)
    return tuple(v.strip() for v in value if v.strip())


def _category(value: str | None, where: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in CATEGORIES:
        raise InputError(N_("{where}: unknown category '{value}'; expected one of {categories}"), where=where, value=value,
                         categories=", ".join(CATEGORIES))
    return value


@dataclass(frozen=True)
class Recipient:
    """What the recruiter knows of the person: the basis of the personalization checks."""

    name: str | None = None
    title: str | None = None
    company: str | None = None
    skills: tuple[str, ...] = ()
    open_to: tuple[str, ...] = ()
    language: str | None = None

    @classmethod
    def from_dict(cls, data: Any, where: str = "recipient") -> "Recipient":
        if not isinstance(data, dict):
            raise InputError(N_("{where} must be an object, not {kind}"), where=where, kind=type(data).__name__)
        open_to = _str_list(data, "open_to", where)
        for category in open_to:
            _category(category, f"{where}.open_to")
        return cls(
            name=_opt_str(data, "name", where),
            title=_opt_str(data, "title", where),
            company=_opt_str(data, "company", where),
            skills=_str_list(data, "skills", where),
            open_to=open_to,
            language=_opt_str(data, "language", where),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "company": self.company,
            "skills": list(self.skills),
            "open_to": list(self.open_to),
            "language": self.language,
        }

    @property
    def key(self) -> str | None:
        """Who this is, for telling one recipient from another: the name, case and spacing folded."""
        return " ".join(self.name.casefold().split()) if self.name and self.name.strip() else None

    @property
    def first_name(self) -> str | None:
        return self.name.split()[0] if self.name and self.name.split() else None


@dataclass(frozen=True)
class Draft:
    """A draft InMail as the recruiter wrote it (Slack markup and all)."""

    body: str
    subject: str = ""
    id: str | None = None
    lang: str | None = None
    category: str | None = None
    recipient: Recipient | None = None
    bulk: bool = False

    @classmethod
    def from_dict(cls, data: Any, where: str = "draft") -> "Draft":
        if not isinstance(data, dict):
            raise InputError(N_("{where} must be a JSON object, not {kind}"), where=where, kind=type(data).__name__)
        if "body" not in data or data["body"] is None:
            raise InputError(N_("{where}: 'body' is required"), where=where)
        if not isinstance(data["body"], str):
            raise InputError(N_("{where}: 'body' must be a string"), where=where)
        recipient = data.get("recipient")
        return cls(
            body=data["body"],
            subject=_opt_str(data, "subject", where) or "",
            id=_opt_str(data, "id", where),
            lang=_opt_str(data, "lang", where),
            category=_category(_opt_str(data, "category", where), where),
            recipient=None if recipient is None else Recipient.from_dict(recipient, f"{where}.recipient"),
            bulk=bool(data.get("bulk", False)),
        )

    @classmethod
    def from_text(cls, text: str, **fields: Any) -> "Draft":
        """A draft from pasted text; a first line "Subject: …" (or Emne:/Oggetto:, any language's
        `subject_labels`) is the subject."""
        first, _, rest = text.lstrip("\ufeff").partition("\n")
        label, sep, value = first.partition(":")
        if sep and label.strip().lower() in subject_labels():
            return cls(body=rest.lstrip("\r\n"), subject=value.strip(), **fields)
        return cls(body=text, **fields)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "subject": self.subject,
            "body": self.body,
            "lang": self.lang,
            "category": self.category,
            "recipient": self.recipient.to_dict() if self.recipient else None,
            "bulk": self.bulk,
        }


@dataclass(frozen=True)
class Finding:
    """One thing to fix: what, where (field + span into the plain text), why, and what instead."""

    rule: str
    severity: Severity
    message: str
    suggestion: str
    field: Field | None = None
    span: tuple[int, int] | None = None
    # (interface language, message, suggestion) where the rule is written in more than English.
    texts: tuple[tuple[str, str, str], ...] = ()

    @property
    def family(self) -> str:
        return self.rule.split("/", 1)[0]

    @classmethod
    def worded(cls, rule: str, severity: Severity, message: Text, suggestion: Text,
               field: Field | None = None, span: tuple[int, int] | None = None) -> "Finding":
        """A finding whose texts may be written in several interface languages."""
        return cls(rule, severity, localized(message), localized(suggestion), field, span,
                   tuple((lang, localized(message, lang), localized(suggestion, lang))
                         for lang in languages_of(message, suggestion)))

    def text(self, lang: str | None = None) -> tuple[str, str]:
        """(message, suggestion) for a reader of interface language `lang`; English otherwise."""
        return next(((m, s) for code, m, s in self.texts if code == lang), (self.message, self.suggestion))

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The JSON contract's finding, its texts in interface language `lang` (English by default)."""
        message, suggestion = self.text(lang)
        return {
            "rule": self.rule,
            "severity": self.severity,
            "field": self.field,
            "span": list(self.span) if self.span is not None else None,
            "message": message,
            "suggestion": suggestion,
        }


@dataclass(frozen=True)
class Metrics:
    subject_chars: int
    body_chars: int
    words: int
    personalization: float
    genericness: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject_chars": self.subject_chars,
            "body_chars": self.body_chars,
            "words": self.words,
            "personalization": round(self.personalization, 2),
            "genericness": round(self.genericness, 2),
        }


@dataclass(frozen=True)
class Review:
    """The result of `rules.review()`. `to_dict()` is the stable JSON contract.

    `subject_text`/`body_text` are the plain texts the spans point into, `notes` say what the
    review could not do (no LanguageTool server, text too short to tell the language...), and
    `fingerprint` lets the store keep the draft in the team's template history after its text
    is purged. They serve renderers and storage and are deliberately not in the JSON contract.
    """

    id: str | None
    score: int
    verdict: Verdict
    language: str
    category: str | None
    findings: tuple[Finding, ...]
    metrics: Metrics
    subject_text: str = ""
    body_text: str = ""
    notes: tuple[str, ...] = field(default=())
    category_reason: str = ""
    category_scores: dict[str, float] = field(default_factory=dict)  # detected: each category's probability
    fingerprint: bytes | None = None  # the body's template fingerprint, for the team's history
    recipient_key: str | None = None  # whom the history takes it to be for (the profile, else the greeting)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The JSON contract; findings' texts in interface language `lang` (English by default)."""
        return {
            "id": self.id,
            "score": self.score,
            "verdict": self.verdict,
            "language": self.language,
            "category": self.category,
            "findings": [f.to_dict(lang) for f in self.findings],
            "metrics": self.metrics.to_dict(),
        }

    def quote(self, finding: Finding) -> str:
        """The text a finding's span covers, for renderers."""
        if finding.span is None or finding.field is None:
            return ""
        text = self.subject_text if finding.field == "subject" else self.body_text
        start, end = finding.span
        return text[start:end]

    def counts(self) -> dict[str, int]:
        out = {name: 0 for name in SEVERITIES}
        for f in self.findings:
            out[f.severity] += 1
        return out


MAX_STEPS = 10  # a first InMail and nine follow-ups: more is no sequence anyone sends


@dataclass(frozen=True)
class DraftSequence:
    """An InMail sequence as planned: the first message and its follow-ups, each `after_days` the
    step before (None for the first, and when not given)."""

    steps: tuple[Draft, ...]
    after_days: tuple[int | None, ...]
    id: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "sequence") -> "DraftSequence":
        """`{"steps": [{"body": …, "after_days": 3}, …], "id"?, "lang"?, "category"?, "recipient"?}`:
        what the sequence gives is each step's default."""
        steps = data.get("steps")
        if not isinstance(steps, list) or not steps:
            raise InputError(N_("{where}: 'steps' must be a non-empty list of drafts"), where=where)
        if len(steps) > MAX_STEPS:
            raise InputError(N_("{where}: {steps} steps; a sequence has at most {most}"), where=where, steps=len(steps),
                             most=MAX_STEPS)
        shared = {k: data[k] for k in ("lang", "category", "recipient", "bulk") if data.get(k) is not None}
        drafts, days = [], []
        for n, step in enumerate(steps, 1):
            if not isinstance(step, dict):
                raise InputError(N_("{where} must be a JSON object"), where=f"{where}.steps[{n}]")
            after = step.get("after_days")
            if after is not None and (isinstance(after, bool) or not isinstance(after, int) or after < 0):
                raise InputError(N_("{where}: 'after_days' must be a whole number of days"), where=f"{where}.steps[{n}]")
            fields = {k: v for k, v in step.items() if k != "after_days"}
            drafts.append(Draft.from_dict(shared | fields, where=f"{where}.steps[{n}]"))
            days.append(None if n == 1 else after)
        # A follow-up is a reply in the first message's conversation: it has that subject.
        drafts = [drafts[0]] + [d if d.subject else replace(d, subject=drafts[0].subject) for d in drafts[1:]]
        return cls(tuple(drafts), tuple(days), _opt_str(data, "id", where))


@dataclass(frozen=True)
class SequenceReview:
    """An InMail sequence's reviews, one per step, and the findings about the sequence as a whole
    (`rules/sequence.py`). The single-draft contract is unchanged: each step is a `Review`."""

    steps: tuple[Review, ...]
    after_days: tuple[int | None, ...]
    findings: tuple[Finding, ...]
    id: str | None = None

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for r in self.steps for f in r.findings) or any(
            f.severity == "error" for f in self.findings)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {"id": self.id, "steps": [r.to_dict(lang) for r in self.steps],
                "sequence": {"steps": len(self.steps), "after_days": list(self.after_days),
                             "findings": [f.to_dict(lang) for f in self.findings]}}
