"""The `inmail-review` console script (also `python -m bot`).

Each subcommand is a module with `add_arguments(parser)` and `run(args) -> int`; only the
chosen one is imported, so `check` starts without loading Slack's libraries.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import NoReturn, Sequence

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "check": ("bot.check", "review drafts from files or stdin"),
    "serve": ("bot.serve", "run the Slack app (Socket Mode or HTTP)"),
    "manifest": ("bot.manifest", "print app_manifest.yml with the request URLs filled in"),
    "digest": ("bot.digest", "print (or post) the weekly digest now"),
    "import": ("bot.importer", "import outreach figures from LinkedIn Recruiter's InMail report (CSV)"),
    "outbox": ("bot.outbox", "list alerts and digests not delivered yet; --retry sends them again"),
    "report": ("bot.outcomes", "which findings and habits cost the team replies: rates with and without"),
    "export": ("bot.export", "one row per draft with its review and outcomes, as CSV or JSON lines"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line on stderr and exit 2, like the rest of the CLI's usage errors."""
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _parser(chosen: str | None) -> argparse.ArgumentParser:
    parser = _Parser(prog="inmail-review", description="Review draft LinkedIn InMails, in Slack or here.")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv: debug, may show draft text)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in SUBCOMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            importlib.import_module(module).add_arguments(sp)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    args = _parser(chosen if chosen in SUBCOMMANDS else None).parse_args(argv)
    if args.command is None:
        _parser(None).print_help(sys.stderr)
        return 2
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=os.environ.get("INMAIL_LOG_LEVEL", level), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return importlib.import_module(SUBCOMMANDS[args.command][0]).run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `inmail-review check … | head`
        sys.stderr.close()
        return 0
