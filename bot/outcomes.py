"""`inmail-review report`: which of the team's own habits cost it replies — every finding, verdict,
score band, length band and category, the response rate of the sends that had it against the
rest (`models/effects.py` says what counts and how sure it is).

`--format text` is for a lead reading a terminal, `json` for tools (a `findings` list of rules
and a `traits` list of the rest, each entry with the two sides' sends, responses, rates and the
interval of the difference, and a `templates` list: `bot/template_outcomes.py`), `csv` for a
spreadsheet (one row per comparison).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import time
from datetime import datetime, timezone
from typing import Any

from bot.export import since_of
from bot.template_outcomes import Template, templates
from bot.template_outcomes import sentence as template_sentence
from bot.tips import title
from models.effects import MIN_DRAFTS, MIN_SENDS, Effect, effects, team_tally
from models.wording import plural

CSV_COLUMNS = ("kind", "name", "sent_with", "responses_with", "rate_with", "drafts_with", "sent_without",
               "responses_without", "rate_without", "drafts_without", "low", "high", "enough", "clear")
_KINDS = {"verdict": "Drafts judged “{}”", "score": "Drafts with a {}", "length": "Drafts of {}",
          "category": "Drafts of the category {}"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--team", help="Slack team id (default: the only team in the database)")
    parser.add_argument("--since", help="only sends from this day on (YYYY-MM-DD, UTC; default: all)")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")


def label(effect: Effect) -> str:
    """Who the figures are about, in a lead's words."""
    if effect.kind == "rule":
        return f"Drafts with “{title(effect.name)}”"
    return _KINDS[effect.kind].format(effect.name.replace("_", " "))


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def sentence(effect: Effect) -> str:
    """ "Drafts with “Unnamed client” got 4% replies (212 sends) against 15% for the rest (1,204 sends)…" """
    text = (f"{label(effect)} got {_percent(effect.rate_with)} replies ({plural(effect.sent_with, 'send', 'sends')}) "
            f"against {_percent(effect.rate_without)} for the rest ({plural(effect.sent_without, 'send', 'sends')})")
    if not effect.enough:
        return text + f": not enough sends yet to say (each side needs {MIN_SENDS}+ sends from {MIN_DRAFTS}+ drafts)"
    assert effect.low is not None and effect.high is not None
    interval = f"{100 * effect.low:+.0f} to {100 * effect.high:+.0f} points, 95%"
    return text + (f": {interval}" if effect.clear else f": no clear difference ({interval})")


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
    lines = [f"Sends settled by {meta['settled_before'][:10]} (their {meta['window_days']}-day response window "
             f"closed): {plural(meta['sends'], 'send', 'sends')} of reviewed drafts."]
    lines += [f"- {sentence(e)}" for e in found] or ["Nothing to compare yet."]
    if used:
        lines += ["", "Templates (the same text to several people):"] + [f"- {template_sentence(t)}" for t in used]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from bot.command_db import CommandFailed, fail, team_data
    from bot.settings import Settings

    try:
        since = since_of(args.since)
        with team_data(Settings.from_env(), args.team) as (outreach, team):
            policy = outreach.settings(team).policy
            window, settled = policy.window_days, policy.settled_before(time.time())
            traits, overall = team_tally(outreach.store, team, since, settled)
            used = templates(outreach.store, team, since, settled)
    except ValueError as error:
        return fail(CommandFailed(str(error), 2))
    except CommandFailed as error:
        return fail(error)
    print(render(effects(traits, overall), used, args.format, {
        "team": team, "since": args.since, "window_days": window, "sends": overall.sent,
        "settled_before": datetime.fromtimestamp(settled, timezone.utc).isoformat(timespec="seconds")}))
    return 0
