"""`inmail-review check`: review drafts from files or stdin, like a linter.

Exit status: 0 when no finding is an error, 1 when any is, 2 when an input could not be read
or the command was used wrongly (the other inputs are still reviewed and reported).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import replace
from typing import IO, TYPE_CHECKING, Iterator

from bot.i18n import _, choose, current, everywhere, from_environment, reading, ui_languages
from models.records import CATEGORIES, Draft, InputError, Review, SequenceReview
from rules.i18n import N_
from rules.language import SUPPORTED, normalize_language

if TYPE_CHECKING:
    from bot.i18n import BotTranslator
    from bot.inputs import Item
    from bot.settings import Settings
    from rules import Reviewer, ReviewContext
    from rules.similarity import Fingerprint, TemplateIndex

log = logging.getLogger(__name__)

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
MAX_AUTO_JOBS = 4  # `--jobs`'s default: one process per core, at most this many (each adds ~30-45 MB)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help=_("draft files (.txt, .md, .json, .jsonl) or folders; '-' or nothing reads stdin"))
    parser.add_argument("--subject", help=_("the InMail subject (for drafts that do not give one)"))
    parser.add_argument("--lang", help=_("the draft's language: {languages} (default: detected)",
                                         languages=", ".join(SUPPORTED)))
    parser.add_argument("--category", choices=CATEGORIES, metavar="CATEGORY",
                        help=_("the declared InMail category: {categories}", categories=", ".join(CATEGORIES)))
    parser.add_argument("--recipient", metavar="FILE", help=_("the recipient's profile (JSON or YAML)"))
    parser.add_argument("--format", choices=("text", "json", "jsonl", "blocks"), default="text",
                        help=_("text for people (default), json/jsonl for programs, blocks for Slack's Block Kit Builder"))
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help=_("colour in text output"))
    parser.add_argument("--jobs", type=_jobs, metavar="N",
                        help=_("review a large batch in up to N processes (default: one per core, at most {most}); "
                               "1 reviews in this process only", most=MAX_AUTO_JOBS))
    parser.add_argument("--ui-lang", choices=ui_languages(), metavar="LANG",
                        help=_("the language of the report around the findings: {languages} "
                               "(default: LANGUAGE/LC_ALL/LC_MESSAGES/LANG, else en)", languages=", ".join(ui_languages())))


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(_("'{value}' is not a whole number of 1 or more", value=value))
    return int(value)


def _with_defaults(draft: Draft, args: argparse.Namespace, recipient) -> Draft:
    """Command-line options fill in what the draft itself leaves open."""
    return replace(
        draft,
        subject=draft.subject or args.subject or "",
        lang=draft.lang or args.lang,
        category=draft.category or args.category,
        recipient=draft.recipient or recipient,
    )


class _Reviewing:
    """One batch's reviews, draft by draft, each draft checked against those before it when
    the batch keeps a template index (`batch`): the same in this process and in a forked one
    (bot/check_fork.py), which records the drafts it does not review (`prime`)."""

    def __init__(self, reviewer: Reviewer, args: argparse.Namespace, recipient,
                 batch: TemplateIndex | None) -> None:
        self.reviewer, self.args, self.recipient, self.batch = reviewer, args, recipient, batch
        # Translators: follows "a near-copy of drafts to N other recipients"; keep the leading space.
        self.scope = everywhere(N_(" in this batch"))

    def prepared(self, item: Item) -> Item:
        """The item as it is reviewed: its draft with the command line's defaults (the report
        shows the draft as it was reviewed)."""
        return replace(item, draft=_with_defaults(item.draft, self.args, self.recipient))

    def one(self, n: int, item: Item) -> tuple[Item, Review | None, str | None]:
        if item.error or item.draft is None:
            return item, None, item.error
        item = self.prepared(item)
        try:
            review = self.reviewer.review(item.draft, self._context(n, item))
        except (InputError, ValueError) as exc:
            return item, None, f"{item.source}: {exc.said(current()) if isinstance(exc, InputError) else exc}"
        except Exception as exc:  # a bug must not cost the rest of the batch
            log.debug("review failed", exc_info=True)
            return item, None, _("{source}: internal error ({kind}); please report it", source=item.source,
                                 kind=type(exc).__name__)
        if self.batch is not None and review.fingerprint is not None:  # for the drafts after it
            from rules.similarity import Fingerprint

            self._add(n, item, Fingerprint.from_bytes(review.fingerprint), review.recipient_key)
        return item, review, None

    def prime(self, n: int, item: Item) -> None:
        """Keeps a draft in the batch's index as its review would, without reviewing it (one
        difference: a draft whose review a bug in some check would end is recorded all the same)."""
        if self.batch is None or item.error or item.draft is None:
            return
        item = self.prepared(item)
        try:
            fingerprint, recipient_key = self.reviewer.history_entry(item.draft, self._context(n, item))
        except Exception:  # not reviewable (or a bug): its review records nothing either
            return
        if fingerprint is not None:
            self._add(n, item, fingerprint, recipient_key)

    def forget(self) -> None:
        """Empties the batch's index, to review the batch again from its start."""
        if self.batch is not None:
            self.batch = _batch_index()

    @staticmethod
    def _who(item: Item) -> str | None:
        # A draft without a named recipient counts as written for someone else; a sequence's
        # steps go to one person, so a follow-up is never a near-copy "for someone else".
        draft = item.draft
        return draft.recipient.key if draft.recipient else (f"sequence:{item.step_of.source}" if item.step_of else None)

    def _context(self, n: int, item: Item) -> ReviewContext | None:
        from rules import ReviewContext

        return ReviewContext(history=self.batch, history_key=f"#{n}", recipient_key=self._who(item),
                             history_scope=self.scope) if self.batch is not None else None

    def _add(self, n: int, item: Item, fingerprint: Fingerprint, recipient_key: str | None) -> None:
        self.batch.add(f"#{n}", fingerprint, recipient=recipient_key or self._who(item) or f"#{n}", at=time.time())


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _all_reviews(items: list[Item], reviewing: _Reviewing, jobs: int | None,
                 settings: Settings) -> Iterator[tuple[Item, Review | None, str | None]]:
    """The batch's reviews in order, a large one's shared among forked processes
    (bot/check_fork.py), unless LanguageTool does the grammar (the reviews then wait on the
    server, and a fork would share this process's connection to it)."""
    jobs = jobs or min(_cores(), MAX_AUTO_JOBS)
    if jobs > 1 and reviewing.batch is not None and not settings.languagetool_url:
        from bot.check_fork import reviews

        return reviews(items, reviewing, jobs)
    return (reviewing.one(n, item) for n, item in enumerate(items))


def run(args: argparse.Namespace, *, stdin: IO[bytes] | None = None, stdout: IO[str] | None = None,
        stderr: IO[str] | None = None) -> int:
    # Everything said meanwhile (the report, an input's error) is in the reader's language.
    with reading(choose(args.ui_lang, from_environment())) as t:
        return _run(args, t, stdin, stdout or sys.stdout, stderr or sys.stderr)


def _run(args: argparse.Namespace, t: BotTranslator, stdin: IO[bytes] | None, stdout: IO[str], stderr: IO[str]) -> int:
    # Imported here, not at the top, so that `check --help` does not load the engine.
    from bot.inputs import load_recipient, read, said, steps
    from bot.report import TextReport, use_colour
    from bot.reviewer import grammar_checker, load_reviewer
    from bot.settings import Settings
    from rules import PackError
    from rules.grammar import prepare
    from rules.language import supported

    def complain(kind: str, message: str) -> None:
        print(t.gettext("inmail-review: {kind}: {message}", kind=t.severity(kind), message=message), file=stderr)

    if args.lang and normalize_language(args.lang) is None:
        complain("error", t.gettext("unsupported language '{lang}'; supported: {supported}", lang=args.lang,
                                    supported=", ".join(SUPPORTED)))
        return EXIT_USAGE
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # a bad variable (INMAIL_WORKERS=many) is a usage error too
        complain("error", str(exc))
        return EXIT_USAGE
    try:
        recipient = load_recipient(args.recipient) if args.recipient else None
        items = list(steps(read(args.paths, stdin)))
        # The drafts' dictionaries start loading on other cores once the engine's modules are
        # imported (`rules.packs` imports them all): loaded during those imports, they made a
        # one-draft `check` ~25 ms slower (docs/decisions.md, "Loading").
        grammar = grammar_checker(settings)
        languages = prepare(grammar, (_with_defaults(i.draft, args, recipient) for i in items if i.draft and not i.error),
                            supported())
        reviewer = load_reviewer(settings, grammar)
        reviewer.build(languages)
    except (InputError, PackError) as exc:
        complain("error", said(exc))
        return EXIT_USAGE

    batch = _batch_index() if sum(1 for i in items if i.draft) > 1 else None
    text = TextReport(colour=use_colour(stdout, args.color), t=t)
    reviews: list[Review] = []
    failures = 0
    outputs: list[tuple[Item, Review | SequenceReview | None, str | None]] = []
    sequence_steps: list[tuple[Item, Review | None]] = []
    for item, review, error in _all_reviews(items, _Reviewing(reviewer, args, recipient, batch), args.jobs, settings):
        if item.warning:
            complain("warning", item.warning)
        if error:
            failures += 1
            if args.format != "text":
                complain("error", error)
        if review:
            reviews.append(review)
        if args.format == "text":
            draft = item.draft
            shown = (text.review(item.source, review, draft.subject, draft.body) if review and draft
                     else text.error(item.source, error or ""))
            print(shown, file=stdout, end="\n\n")
        done: tuple[Item, Review | SequenceReview | None, str | None] | None = (item, review, error)
        if item.step_of is not None:  # a sequence is one output, once its last step is reviewed
            sequence_steps.append((item, review))
            done = _sequence(item.step_of, sequence_steps) if item.step == len(item.step_of.sequence.steps) else None
            if done is not None:
                sequence_steps = []
                if args.format == "text" and isinstance(done[1], SequenceReview):
                    print(text.sequence(item.step_of.source, done[1]), file=stdout, end="\n\n")
        if done is None:
            continue
        if args.format in ("json", "blocks"):  # printed at the end; text and jsonl stream
            outputs.append(done)
        if args.format == "jsonl":
            stdout.write(json.dumps(_json(*done, t.lang), ensure_ascii=False) + "\n")

    if args.format == "json":
        payload = [_json(i, r, e, t.lang) for i, r, e in outputs]
        json.dump(payload[0] if len(payload) == 1 else payload, stdout, ensure_ascii=False, indent=2)
        stdout.write("\n")
    elif args.format == "blocks":
        from bot.blocks import review_message, sequence_message

        messages = [m for _, r, _ in outputs if r for m in (
            [review_message(s) for s in r.steps] + [sequence_message(r)] if isinstance(r, SequenceReview)
            else [review_message(r)])]
        json.dump(messages[0] if len(messages) == 1 else messages, stdout, ensure_ascii=False, indent=2)
        stdout.write("\n")
    elif args.format == "text":
        print(text.summary(reviews, failures), file=stdout)

    if failures:
        return EXIT_USAGE
    return EXIT_ERRORS if any(r.verdict == "blocked" for r in reviews) else EXIT_OK


def _json(item: Item, review: Review | SequenceReview | None, error: str | None, lang: str) -> dict:
    if review is not None:
        return review.to_dict(lang)
    return {"id": item.draft.id if item.draft else item.sequence.id if item.sequence else item.id, "error": error}


def _sequence(item: Item, reviewed: list[tuple[Item, Review | None]]
              ) -> tuple[Item, SequenceReview | None, str | None]:
    """A sequence's steps reviewed: the sequence judged as a whole (or why it could not be)."""
    from rules.sequence import judge

    assert item.sequence is not None
    if any(review is None for _, review in reviewed):
        return item, None, _("{source}: a step could not be reviewed, so the sequence was not judged", source=item.source)
    drafts = [step.draft for step, _ in reviewed]
    result = judge(drafts, [review for _, review in reviewed], item.sequence.after_days)  # type: ignore[misc]
    return item, replace(result, id=item.sequence.id), None


def _batch_index() -> "TemplateIndex":
    """An in-memory template index, so a batch's drafts are checked against each other
    (built only when a batch needs one)."""
    from rules.similarity import TemplateIndex

    return TemplateIndex()
