"""`inmail-review report`: which of the team's own habits cost it replies — every finding, verdict,
score band, length band and category, the response rate of the sends that had it against the
rest (`models/effects.py` says what counts and how sure it is).

`--format text` is for a lead reading a terminal, in their language (`--ui-lang`, else the
POSIX locale variables, as `check` chooses), `json` for tools (a `findings` list of rules
and a `traits` list of the rest, each entry with the two sides' sends, responses, rates and the
interval of the difference, and a `templates` list: `bot/template_outcomes.py`), `csv` for a
spreadsheet (one row per comparison).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import math
import time
from datetime import datetime, timezone
from typing import Any

from bot.export import since_of
from bot.i18n import _, choose, current, from_environment, ngettext, reading, ui_languages
from bot.template_outcomes import Template, templates
from bot.template_outcomes import sentence as template_sentence
from bot.tips import title
from models.effects import MIN_DRAFTS, MIN_SENDS, Effect, effects, team_tally
from models.records import CATEGORIES
from rules.i18n import N_

CSV_COLUMNS = ("kind", "name", "sent_with", "responses_with", "rate_with", "drafts_with", "sent_without",
               "responses_without", "rate_without", "drafts_without", "low", "high", "enough", "clear")
# The bands `models.effects` names its traits by (SCORE_BANDS, LENGTH_BANDS), as a lead reads them.
_BANDS = {
    "score:score 0–49": N_("Drafts with a score 0–49"), "score:score 50–79": N_("Drafts with a score 50–79"),
    "score:score 80–100": N_("Drafts with a score 80–100"),
    "length:under 400 characters": N_("Drafts of under 400 characters"),
    "length:400–999 characters": N_("Drafts of 400–999 characters"),
    "length:1,000–1,900 characters": N_("Drafts of 1,000–1,900 characters"),
    "length:over 1,900 characters": N_("Drafts of over 1,900 characters"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", help=_("Slack team id (default: the only team in the database)"))
    parser.add_argument("--since", help=_("only sends from this day on (YYYY-MM-DD, UTC; default: all)"))
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")
    parser.add_argument("--ui-lang", choices=ui_languages(), metavar="LANG",
                        help=_("the language of the text report: {languages} (default: LANGUAGE/LC_ALL/LC_MESSAGES/LANG, "
                               "else en)", languages=", ".join(ui_languages())))


def label(effect: Effect) -> str:
    """Who the figures are about, in a lead's words (the current reader's language)."""
    name = effect.name.replace("_", " ")
    if effect.kind == "rule":
        return _("Drafts with “{rule}”", rule=title(effect.name))
    if effect.kind == "verdict":
        return _("Drafts judged “{verdict}”", verdict=current().verdict(effect.name) if effect.name in (
            "ready", "revise", "blocked") else name)
    if effect.kind == "category":
        return _("Drafts of the category {category}",
                 category=current().category(effect.name) if effect.name in CATEGORIES else name)
    band = _BANDS.get(effect.trait)
    return _(band) if band else name


def _percent(rate: float | None) -> str:
    return "–" if rate is None else current().percent(rate)


def _points(value: float) -> str:
    """A difference in percentage points with its sign ("+4", "-11"), the reader's way."""
    from babel.numbers import get_minus_sign_symbol

    t = current()
    sign = "+" if value > 0 or (value == 0 and math.copysign(1, value) > 0) else get_minus_sign_symbol(t.babel_locale)
    return sign + t.number(abs(value))


def sentence(effect: Effect) -> str:
    """ "Drafts with “Unnamed client” got 4% replies (212 sends) against 15% for the rest (1,204 sends)…" """
    text = _("{label} got {rate_with} replies ({sends_with}) against {rate_without} for the rest ({sends_without})",
             label=label(effect), rate_with=_percent(effect.rate_with), rate_without=_percent(effect.rate_without),
             sends_with=ngettext("{count} send", "{count} sends", effect.sent_with),
             sends_without=ngettext("{count} send", "{count} sends", effect.sent_without))
    if not effect.enough:
        return _("{comparison}: not enough sends yet to say (each side needs {sends}+ sends from {drafts}+ drafts)",
                 comparison=text, sends=current().number(MIN_SENDS), drafts=current().number(MIN_DRAFTS))
    assert effect.low is not None and effect.high is not None
    interval = _("{low} to {high} points, 95%", low=_points(100 * effect.low), high=_points(100 * effect.high))
    if effect.clear:
        return f"{text}: {interval}"
    return _("{comparison}: no clear difference ({interval})", comparison=text, interval=interval)


def render(found: list[Effect], used: list[Template], fmt: str, meta: dict[str, Any]) -> str:
    """The report; `csv` holds the comparisons only (one kind of row), the templates are in text and json."""
    if fmt == "json":
        return json.dumps({**meta, "minimum": {"sends": MIN_SENDS, "drafts": MIN_DRAFTS},
                           "findings": [e.to_dict() for e in found if e.kind == "rule"],
                           "traits": [e.to_dict() for e in found if e.kind != "rule"],
                           "templates": [t.to_dict() for t in used]}, ensure_ascii=False, indent=2)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for e in found:
            row = e.to_dict() | {"name": e.name}
            writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
        return out.getvalue().rstrip("\n")
    lines = [ngettext("Sends settled by {day} (their {days}-day response window closed): {count} send of reviewed "
                      "drafts.", "Sends settled by {day} (their {days}-day response window closed): {count} sends of "
                      "reviewed drafts.", meta["sends"], day=meta["settled_before"][:10], days=meta["window_days"])]
    lines += [f"- {sentence(e)}" for e in found] or [_("Nothing to compare yet.")]
    if used:
        lines += ["", _("Templates (the same text to several people):")] + [f"- {template_sentence(t)}" for t in used]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from bot.command_db import CommandFailed, fail, team_data
    from bot.settings import Settings

    try:
        since = since_of(args.since)
        with team_data(Settings.from_env(), args.team) as (outreach, team):
            policy = outreach.settings.get(team).policy
            window, settled = policy.window_days, policy.settled_before(time.time())
            traits, overall = team_tally(outreach.store, team, since, settled)
            used = templates(outreach.store, team, since, settled)
    except ValueError as error:
        return fail(CommandFailed(str(error), 2))
    except CommandFailed as error:
        return fail(error)
    with reading(choose(getattr(args, "ui_lang", None), from_environment())):
        print(render(effects(traits, overall), used, args.format, {
            "team": team, "since": args.since, "window_days": window, "sends": overall.sent,
            "settled_before": datetime.fromtimestamp(settled, timezone.utc).isoformat(timespec="seconds")}))
    return 0
