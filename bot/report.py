"""Terminal output of `inmail-review check --format text`: a linter-style report for people.

Per draft a header line (verdict, score, language, category), then each finding with its
position (`body 3:14`, line and column in what the user wrote), the quoted text, why it
matters and what to write instead; a summary closes the run. Colour only on a terminal,
and never when NO_COLOR is set (https://no-color.org).
"""
from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass
from typing import IO

from models.records import Finding, Review, SequenceReview
from models.wording import plural
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


def use_colour(stream: IO[str], choice: str = "auto") -> bool:
    if choice != "auto":
        return choice == "always"
    return hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ


@dataclass
class TextReport:
    colour: bool
    width: int = 100

    def paint(self, text: str, style: str) -> str:
        return f"{_STYLE[style]}{text}{_RESET}" if self.colour else text

    def review(self, source: str, review: Review, raw_subject: str, raw_body: str) -> str:
        counts = review.counts()
        category = (review.category or "no clear category").replace("_", " ")
        head = (
            f"{self.paint(source, 'bold')}  {self.paint(_ICON[review.verdict] + ' ' + review.verdict, review.verdict)}"
            f"  score {review.score}/100  ({review.language}, {category})"
        )
        lines = [head]
        plains = {"subject": to_plain(raw_subject), "body": to_plain(raw_body)}
        explained: set[tuple[str, str]] = set()
        for f in review.findings:
            # A rule's explanation once per draft; its further matches get one line each.
            repeat = (f.rule, f.suggestion) in explained
            explained.add((f.rule, f.suggestion))
            lines.extend(self._finding(review, f, plains, brief=repeat))
        for note in review.notes:
            lines.append(self.paint(f"  note: {note}", "dim"))
        m = review.metrics
        lines.append(self.paint(
            f"  {plural(m.body_chars, 'character', 'characters')}, {plural(m.words, 'word', 'words')}, "
            f"personalization {m.personalization:.2f}, genericness {m.genericness:.2f}; "
            + ", ".join(plural(counts[s], s, s + "s") for s in ("error", "warning", "suggestion")),
            "dim",
        ))
        return "\n".join(lines)

    def sequence(self, source: str, sequence: SequenceReview) -> str:
        """The sequence as a whole, after its steps' own reports."""
        days = ", ".join("first" if d is None and n == 0 else "?" if d is None else f"+{d}d"
                         for n, d in enumerate(sequence.after_days))
        lines = [f"{self.paint(source, 'bold')}  sequence of {plural(len(sequence.steps), 'message', 'messages')} "
                 f"({days})"]
        indent = " " * 4
        for f in sequence.findings:
            lines.append(f"  {'sequence':<12} {self.paint(f'{f.severity:<10}', f.severity)} {self.paint(f.rule, 'dim')}")
            lines += textwrap.wrap(f.message, self.width, initial_indent=indent, subsequent_indent=indent)
            lines += textwrap.wrap("→ " + f.suggestion, self.width, initial_indent=indent, subsequent_indent=indent + "  ")
        if not sequence.findings:
            lines.append(self.paint("  nothing to change in how the messages follow each other", "dim"))
        return "\n".join(lines)

    def _finding(self, review: Review, f: Finding, plains: dict, *, brief: bool = False) -> list[str]:
        where = f.field or "draft"
        if f.span is not None and f.field is not None:
            line, col = plains[f.field].line_col(f.span[0])
            where = f"{f.field} {line}:{col}"
        label = self.paint(f"{f.severity:<10}", f.severity)
        head = f"  {where:<12} {label} {self.paint(f.rule, 'dim')}"
        if brief and review.quote(f):
            return [f"{head}  “{review.quote(f)}” (as above)"]
        out = [head]
        indent = " " * 4
        out += textwrap.wrap(f.message, self.width, initial_indent=indent, subsequent_indent=indent)
        out += textwrap.wrap("→ " + f.suggestion, self.width, initial_indent=indent, subsequent_indent=indent + "  ")
        return out

    def error(self, source: str, message: str) -> str:
        return f"{self.paint(source, 'bold')}  {self.paint('error', 'error')}: {message}"

    def summary(self, reviews: list[Review], errors: int) -> str:
        verdicts = {v: sum(r.verdict == v for r in reviews) for v in ("ready", "revise", "blocked")}
        total = {k: sum(r.counts()[k] for r in reviews) for k in ("error", "warning", "suggestion")}
        text = (
            f"{plural(len(reviews), 'draft', 'drafts')}: {verdicts['ready']} ready, {verdicts['revise']} to revise, "
            f"{verdicts['blocked']} blocked; " + ", ".join(plural(total[s], s, s + "s") for s in total)
        )
        if errors:
            text += f"; {plural(errors, 'input', 'inputs')} could not be read"
        return self.paint(text, "bold")
