"""The `inmail-review` console script (also `python -m bot`).

Each subcommand is a module with `add_arguments(parser)` and `run(args) -> int`; only the
chosen one is imported, so `check` starts without loading Slack's libraries.

Its words (`--help`, usage errors, each command's error lines) are in the reader's language:
`--ui-lang` (before the command, for any command; `check` and `report` also take it after
theirs), found in argv before the parser is built, since the parser holds the help texts; else
the POSIX locale variables, else English. The command runs in that language (`reading()`).
"""
from __future__ import annotations

import argparse
import copy
import importlib
import logging
import os
import re
import sys
from typing import Any, NoReturn, Sequence

from bot.i18n import _, choose, from_environment, reading, ui_languages
from bot.log_format import add_log_format, configure
from models.wording import N_

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "check": ("bot.check", N_("review drafts from files or stdin")),
    "serve": ("bot.serve", N_("run the Slack app (Socket Mode or HTTP)")),
    "scheduler": ("bot.scheduler_command", N_("run the scheduler alone (digests, alerts, retention) for "
                                              "`serve --no-scheduler` workers")),
    "manifest": ("bot.manifest", N_("print app_manifest.yml with the request URLs filled in")),
    "digest": ("bot.digest", N_("print (or post) the weekly digest now")),
    "import": ("bot.importer", N_("import outreach figures from LinkedIn Recruiter's InMail report (CSV)")),
    "outbox": ("bot.outbox", N_("list alerts and digests not delivered yet; --retry sends them again")),
    "report": ("bot.outcomes", N_("which findings and habits cost the team replies: rates with and without")),
    "export": ("bot.export", N_("one row per draft with its review and outcomes, as CSV or JSON lines")),
    "backup": ("bot.backup", N_("copy the database while the app runs (SQLite's online backup, or pg_dump)")),
}

# argparse's own words come from Python's gettext domain "argparse", which ships no catalogs, and
# from a module-global `_` a parser cannot be given; ours has the ones our parsers print. The
# help's are swapped in by the formatter; the errors arrive formatted, in English, so `error()`
# reads one back into its parts (argparse's %-placeholders) and writes it again.
_ARGPARSE_HEADINGS = (N_("positional arguments"), N_("options"))
_ARGPARSE_HELP = N_("show this help message and exit")
_ARGPARSE_ERRORS = (
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"), N_("ignored explicit argument %r"), N_("not allowed with argument %s"),
)
_SLOT = re.compile(r"%(?:\((\w+)\))?[sr]")


def _reworded(message: str) -> str:
    """An argparse error in the reader's language; one argparse words differently is left as it is."""
    for msgid in _ARGPARSE_ERRORS:
        pattern, at, names = "", 0, []
        for slot in _SLOT.finditer(msgid):
            pattern += re.escape(msgid[at:slot.start()]) + "(.+?)"
            at = slot.end()
            names.append(slot.group(1))
        found = re.fullmatch(pattern + re.escape(msgid[at:]), message, re.DOTALL)
        if found is None:
            continue
        values = [_reworded(value) if name == "message" else value for name, value in zip(names, found.groups())]
        text = _SLOT.sub(lambda slot: slot.group(0)[:-1] + "s", _(msgid))  # the values are repr()'d already
        return text % (dict(zip(names, values)) if any(names) else tuple(values))
    return message


class _Formatter(argparse.HelpFormatter):
    """argparse's help, with its own words in the reader's language."""

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(_(heading) if heading in _ARGPARSE_HEADINGS else heading)

    def add_argument(self, action: argparse.Action) -> None:
        if action.help == _ARGPARSE_HELP:
            action = copy.copy(action)
            action.help = _(_ARGPARSE_HELP)
        super().add_argument(action)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        """One line on stderr and exit 2, like the rest of the CLI's usage errors."""
        self.exit(2, _("{prog}: error: {message} (see --help)", prog=self.prog, message=_reworded(message)) + "\n")


def _parser(chosen: str | None) -> argparse.ArgumentParser:
    parser = _Parser(prog="inmail-review", description=_("Review draft LinkedIn InMails, in Slack or here."))
    parser.add_argument("-v", "--verbose", action="count", default=0, help=_("more logging (-vv: debug; never a token or a draft's text)"))
    # Before the command, for any command (`check` and `report` also take it after theirs).
    parser.add_argument("--ui-lang", choices=ui_languages(), metavar="LANG", help=argparse.SUPPRESS)
    add_log_format(parser, "text")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=_(help_text), description=_(help_text))
        if name == chosen:
            importlib.import_module(module).add_arguments(sp)
    return parser


def _names_ui_lang(option: str) -> bool:
    """`--ui-lang`, or an abbreviation of it argparse takes (`--ui`)."""
    return len(option) > 2 and "--ui-lang".startswith(option)


def _takes_value(option: str) -> bool:
    """An option before the command whose value is the next argument (not the command's name)."""
    return _names_ui_lang(option) or (len(option) > 2 and "--log-format".startswith(option))


def asked_language(argv: Sequence[str]) -> str | None:
    """The value of the last `--ui-lang LANG` / `--ui-lang=LANG`, before any `--`."""
    asked = None
    for n, arg in enumerate(argv):
        if arg == "--":
            break
        name, equals, value = arg.partition("=")
        if _names_ui_lang(name):
            asked = value if equals else (argv[n + 1] if n + 1 < len(argv) else None)
    return asked


# Commands that open no database, start no server and write nothing but their output: run as
# the process itself, they end it without tearing the interpreter down (`command`).
_ENDS_AT_ONCE = frozenset({"check"})


def command() -> NoReturn:
    """The program (`inmail-review`, `python -m bot`): `main`, then the exit. After `check` the
    process ends at once, its output flushed (`os._exit`, as mypy ends): freeing the engine's
    objects one by one took 40-90 ms of a run, a tenth of `check` on one draft, and a
    dictionary still loading for a later draft's language is not waited for."""
    argv = sys.argv[1:]
    code = main(argv)
    if _chosen(argv) in _ENDS_AT_ONCE:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # closed, or a reader that left (`| head`)
                pass
        os._exit(code)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    asked = asked_language(argv)
    with reading(choose(asked, from_environment())):
        return _main(argv, asked)


def _chosen(argv: Sequence[str]) -> str | None:
    """The command `argv` names: its first argument that is neither an option nor an option's value."""
    return next((a for n, a in enumerate(argv) if not a.startswith("-") and not (n and _takes_value(argv[n - 1]))),
                None)


def _main(argv: list[str], asked: str | None) -> int:
    chosen = _chosen(argv)
    args = _parser(chosen if chosen in SUBCOMMANDS else None).parse_args(argv)
    if args.command is None:
        _parser(None).print_help(sys.stderr)
        return 2
    if getattr(args, "ui_lang", None) is None and asked is not None:  # given before the command
        args.ui_lang = asked
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    configure(os.environ.get("INMAIL_LOG_LEVEL", level), args.log_format)
    try:
        return importlib.import_module(SUBCOMMANDS[args.command][0]).run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `inmail-review check … | head`
        sys.stderr.close()
        return 0
