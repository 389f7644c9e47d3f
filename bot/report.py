"""Terminal output of `inmail-review check --format text`: a linter-style report for people.

Per draft a header line (verdict, score, language, category), then each finding with its
position (`body 3:14`, line and column in what the user wrote), the quoted text, why it
matters and what to write instead; a summary closes the run. Colour only on a terminal,
and never when NO_COLOR is set (https://no-color.org).
"""
from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from typing import IO

from bot.i18n import BotTranslator, translator
from models.records import Finding, Review, SequenceReview
from models.wording import localized
from rules.text import to_plain

_RESET = "\033[0m"
_STYLE = {
    "error": "\033[1;31m",
    "warning": "\033[33m",
    "suggestion": "\033[36m",
    "blocked": "\033[1;31m",
    "revise": "\033[1;33m",
    "ready": "\033[1;32m",
    "dim": "\033[2m",
    "bold": "\033[1m",
}
_ICON = {"blocked": "✗", "revise": "!", "ready": "✓"}


_KEEP = "\ue000"  # stands in for a no-break space while wrapping


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """Lines of at most `width`, never broken at a no-break space ("13\u00a0%", "1\u00a0900 tegn"):
    textwrap takes every Unicode space for a place to break."""
    lines = textwrap.wrap(text.replace("\u00a0", _KEEP), width, initial_indent=first, subsequent_indent=rest)
    return [line.replace(_KEEP, "\u00a0") for line in lines]


def use_colour(stream: IO[str], choice: str = "auto") -> bool:
    if choice != "auto":
        return choice == "always"
    return hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ


@dataclass
class TextReport:
    colour: bool
    width: int = 100
    t: BotTranslator = field(default_factory=translator)

    def paint(self, text: str, style: str) -> str:
        return f"{_STYLE[style]}{text}{_RESET}" if self.colour else text

    def review(self, source: str, review: Review, raw_subject: str, raw_body: str) -> str:
        t = self.t
        verdict = self.paint(f"{_ICON[review.verdict]} {t.verdict(review.verdict)}", review.verdict)
        head = f"{self.paint(source, 'bold')}  {verdict}  " + t.gettext(
            "score {score}/100  ({language}, {category})", score=review.score, language=review.language,
            category=t.category(review.category))
        lines = [head]
        plains = {"subject": to_plain(raw_subject), "body": to_plain(raw_body)}
        explained: set[tuple[str, str]] = set()
        for f in review.findings:
            # A rule's explanation once per draft; its further matches get one line each.
            repeat = (f.rule, f.suggestion) in explained
            explained.add((f.rule, f.suggestion))
            lines.extend(self._finding(review, f, plains, brief=repeat))
        for note in review.notes:
            lines.append(self.paint("  " + t.gettext("note: {note}", note=localized(note, t.lang)), "dim"))
        m = review.metrics
        lines.append(self.paint("  " + t.gettext(
            "{characters}, {words}, personalization {personalization}, genericness {genericness}; {findings}",
            characters=t.ngettext("{count} character", "{count} characters", m.body_chars),
            words=t.ngettext("{count} word", "{count} words", m.words),
            personalization=t.number(m.personalization, 2), genericness=t.number(m.genericness, 2),
            findings=self._counts(review.counts())), "dim"))
        return "\n".join(lines)

    def _counts(self, counts: dict[str, int]) -> str:
        t = self.t
        return ", ".join((
            t.ngettext("{count} error", "{count} errors", counts["error"]),
            t.ngettext("{count} warning", "{count} warnings", counts["warning"]),
            t.ngettext("{count} suggestion", "{count} suggestions", counts["suggestion"]),
        ))

    def sequence(self, source: str, sequence: SequenceReview) -> str:
        """The sequence as a whole, after its steps' own reports."""
        t = self.t
        days = ", ".join(t.gettext("first") if d is None and n == 0 else "?" if d is None
                         else t.gettext("+{days}d", days=d) for n, d in enumerate(sequence.after_days))
        lines = [f"{self.paint(source, 'bold')}  " + t.ngettext(
            "sequence of {count} message ({days})", "sequence of {count} messages ({days})", len(sequence.steps),
            days=days)]
        indent = " " * 4
        for f in sequence.findings:
            label = self.paint(f"{t.severity(f.severity):<10}", f.severity)
            lines.append(f"  {t.field('sequence'):<12} {label} {self.paint(f.rule, 'dim')}")
            message, suggestion = f.text(t.lang)
            lines += _wrap(message, self.width, indent, indent)
            lines += _wrap("→ " + suggestion, self.width, indent, indent + "  ")
        if not sequence.findings:
            lines.append(self.paint("  " + t.gettext("nothing to change in how the messages follow each other"), "dim"))
        return "\n".join(lines)

    def _finding(self, review: Review, f: Finding, plains: dict, *, brief: bool = False) -> list[str]:
        t = self.t
        where = t.field(f.field or "draft")
        if f.span is not None and f.field is not None:
            line, col = plains[f.field].line_col(f.span[0])
            where = f"{where} {line}:{col}"
        label = self.paint(f"{t.severity(f.severity):<10}", f.severity)
        head = f"  {where:<12} {label} {self.paint(f.rule, 'dim')}"
        if brief and review.quote(f):
            return [f"{head}  " + t.gettext("“{quote}” (as above)", quote=review.quote(f))]
        out = [head]
        indent = " " * 4
        message, suggestion = f.text(t.lang)
        out += _wrap(message, self.width, indent, indent)
        out += _wrap("→ " + suggestion, self.width, indent, indent + "  ")
        return out

    def error(self, source: str, message: str) -> str:
        return f"{self.paint(source, 'bold')}  {self.paint(self.t.severity('error'), 'error')}: {message}"

    def summary(self, reviews: list[Review], errors: int) -> str:
        t = self.t
        verdicts = {v: sum(r.verdict == v for r in reviews) for v in ("ready", "revise", "blocked")}
        total = {k: sum(r.counts()[k] for r in reviews) for k in ("error", "warning", "suggestion")}
        text = t.ngettext(
            "{count} draft: {ready} ready, {revise} to revise, {blocked} blocked; {findings}",
            "{count} drafts: {ready} ready, {revise} to revise, {blocked} blocked; {findings}", len(reviews),
            ready=t.number(verdicts["ready"]), revise=t.number(verdicts["revise"]),
            blocked=t.number(verdicts["blocked"]), findings=self._counts(total))
        if errors:
            text += "; " + t.ngettext("{count} input could not be read", "{count} inputs could not be read", errors)
        return self.paint(text, "bold")
