"""Issue 14: every Slack surface of the app in each interface language, in one scenario through the
real app (Bolt over loopback HTTP, signed requests, the Slack stand-in checking every call).

A team whose language is English, Norsk bokmål or Italiano (`outreach.settings.save`, then kept
by its admin's settings form): its admin reviews drafts (`/inmail`, a drafts channel, the form
with follow-ups), dismisses a finding, records outcomes (Mark as sent → the bulk form → Got a
reply → the replies form; Got a reply → Accepted), logs, asks for stats, help and an export,
opens App Home (switches a phrase off, edits the settings, adds a phrase after its preview),
forgets their drafts; the scheduler warns a recruiter (DM and channel) and posts the weekly
digest with its chart. Everything Slack received — messages, updates, response_url posts,
views, acks' bodies, uploads' titles and comments — is then checked: within Block Kit's limits;
for nb and it, read as the reader's language by the engine's own detector (our words only: not
the drafts quoted, ids, links or code) and with no English sentence of the catalogs left; for en,
as English readers have always read it.

Also: docs/blockkit/ is what `bench/blockkit_examples.py` makes now.
"""
from __future__ import annotations

import importlib.util
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import pytest
from babel.messages.pofile import read_po

from bot.i18n import ui_languages
from bot.scheduler import Scheduler
from models.digest import week_of
from models.outreach import Outreach
from models.team_settings import TeamSettings
from models.policy import DAY, current_period, initial_status
from models.records import FAMILIES
from rules import Reviewer
from rules.grammar import build_checker
from rules.language import detect
from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer, message_event
from tests.outcome_simulation import WEEK, simulate
from tests.slack_standin import SlackStandIn, block_problems, view_problems
from tests.slack_ui import click_home_button, click_message_button, form_values, open_home, pick_dismissal, submit_view
from tests.test_i18n_digest import TEMPLATE, _templates_sent
from tests.test_i18n_home import _buttons as _home_buttons
from tests.test_i18n_outcomes import _clicked, _command, _number
from tests.test_i18n_review import BUMP, FIRST, GOOD_FOLLOW_UP
from tests.test_slack_dismissals import _option
from tests.test_slack_team_rules import SYNERGY

ROOT = Path(__file__).resolve().parents[1]
BLOCKKIT = ROOT / "docs" / "blockkit"
ALERTS, DIGEST, WARNED = "CALERTS", "CDIGEST", "U7"
# An unfilled placeholder (error), a misspelling and "rockstar" (warnings), no profile (suggestion);
# Hunspell's note on offline spelling.
PLACEHOLDER = ("Subject: Payments platform at Vipps\nHi [Name], your talk on Kafka consumer groups at JavaZone was "
               "excelent. We need a rockstar for the payments platform at Vipps. Would you be open to a 15-minute "
               "call next week?")
IN_CHANNEL = SYNERGY.format(name="Kari")
DRAFT_TEXTS = (PLACEHOLDER, IN_CHANNEL, SYNERGY.format(name="Ingrid"), FIRST, BUMP, GOOD_FOLLOW_UP,
               *(TEMPLATE.format(name=name) for name in ("Kari", "Ola", "Ingrid", "Lars")))
# What English readers have always read on these surfaces (a few sentences of each).
ENGLISH = ("⛔ Do not send · score ", "Review again", "Mark as sent", "Got a reply", "Not applicable here…",
           "Spelling was checked offline with Hunspell; set LANGUAGETOOL_URL for grammar checks.",
           "1 finding dismissed as not applicable here", "“rockstar” · Exclusionary wording",
           "Marked as sent. Thanks, that counts toward your response rate.", "It was a bulk send…",
           "How many InMails did you send with this draft?", "A whole number from 1 to 100,000.",
           "Recorded: 250 InMails sent in bulk with this draft.", "Replies to a bulk send",
           "Added 30 replies (20 accepted, 10 declined).", "Reply recorded. Nice! Was it accepted or declined?",
           "Reply recorded as accepted.", "Review an InMail", "Paste the whole draft (at least 20 characters).",
           "The sequence", "*The sequence as a whole*", "Logged 40 InMails sent and 6 replies.",
           "Usage: `/inmail log sent N [replied M | accepted A declined D] [bulk]`", "*Your last 30 days:*",
           "*Response-rate policy:*", "How to use /inmail", "Review a draft InMail before you send it",
           "Your InMail reviews", "Team settings (admins)", "Team rules (admins)", "Edit team settings",
           "Add a phrase…", "*What the team dismisses*", "Switch this phrase off for the team",
           "Done: switched off “rockstar” in Exclusionary wording", "Team settings", "A whole number from 0 to 23.",
           "Write the phrase: at least one letter or digit.", "Checking the phrase and trying it on the team's latest drafts…",
           "Save phrase to add it, or change it and preview again.", "Done: added “synergy” to generic-template",
           "“synergy” is a phrase the team avoids.", "The export is in your DM with the app.",
           "InMail drafts and outcomes, ", "⚠️ Response rate warning", "This is a warning until",
           "*Tips for the next InMails*", "InMail digest · ", "*Response rate by recruiter*", "*Tip of the week:*",
           "Response rate, weeks to ", "Done: the text of ", "Delete that answer", "Deleted 1 answer the app had posted.")


@pytest.fixture(scope="module")
def spelling_reviewer() -> Reviewer:
    """The real engine with offline spelling (Hunspell), as `serve` runs without LANGUAGETOOL_URL."""
    loaded = Reviewer.load(grammar=build_checker(None))
    loaded.warm()
    return loaded


# --- docs/blockkit/ ------------------------------------------------------------------------------
def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("blockkit_examples", ROOT / "bench" / "blockkit_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_block_kit_examples_in_the_docs_are_what_the_app_renders(tmp_path: Path,
                                                                     spelling_reviewer: Reviewer) -> None:
    written = _bench().write(tmp_path, spelling_reviewer)
    names = sorted(str(p.relative_to(tmp_path)) for p in written)
    assert names == sorted(str(p.relative_to(BLOCKKIT)) for p in BLOCKKIT.rglob("*.json"))
    assert names == sorted(f"{lang}/{name}" for lang in ui_languages() for name in ("app-home.json", "review.json"))
    for path in written:
        name = path.relative_to(tmp_path)
        assert path.read_text(encoding="utf-8") == (BLOCKKIT / name).read_text(encoding="utf-8"), (
            f"docs/blockkit/{name} is not what the app renders now: run `.venv/bin/python bench/blockkit_examples.py`")
        example = json.loads(path.read_text(encoding="utf-8"))
        if name.name == "app-home.json":
            assert example["type"] == "home" and view_problems(example, "home") == []
        else:
            assert list(example) == ["blocks"] and block_problems(example["blocks"]) == []
            severities = {b["text"]["text"].split(" (")[0] for b in example["blocks"] if b["type"] == "section"}
            assert len(severities) == 3, severities  # an error, warnings and suggestions


# --- what the stand-in received ------------------------------------------------------------------
_NOT_SHOWN = {"initial_value", "initial_option", "private_metadata", "value", "action_id", "block_id", "callback_id",
              "url", "response_action", "response_type"}


def _said(value: Any) -> list[str]:
    """The texts a person reads in a message, view, ack or upload: text objects, rich text (but not
    the draft quoted in rich_text_quote, nor what a person typed into an input), forms' errors,
    uploads' titles and comments."""
    if isinstance(value, list):
        return [t for v in value for t in _said(v)]
    if not isinstance(value, dict) or value.get("type") == "rich_text_quote":
        return []
    found = []
    for key, v in value.items():
        if key in _NOT_SHOWN:
            continue
        if key in ("text", "title", "initial_comment") and isinstance(v, str):
            found.append(v)
        elif key == "errors" and isinstance(v, dict):
            found += [e for e in v.values() if isinstance(e, str)]
        else:
            found += _said(v)
    return found


def _surfaces(slack: SlackStandIn, acks: Iterable[tuple[str, Any]]) -> list[tuple[str, list[str]]]:
    """(what, its texts) for everything the app said: Web API calls, response_url posts, acks."""
    found: list[tuple[str, list[str]]] = []
    for n, call in enumerate(slack.calls):
        if call.method in ("chat.postMessage", "chat.update"):
            found.append((f"{call.method} #{n} to {call.args.get('channel')}", _said(call.args)))
        elif call.method in ("views.open", "views.push", "views.update", "views.publish"):
            found.append((f"{call.method} #{n}", _said(call.args["view"])))
        elif call.method == "files.completeUploadExternal":
            found.append((f"upload #{n}", _said(call.args.get("files")) + _said({"text": call.args.get("initial_comment")})))
    found += [(f"response_url {name}", _said(posted)) for name, posted in zip(slack.response_names(), slack.responses)]
    found += [(f"ack {name}", _said(body)) for name, body in acks]
    return found


_LOOK_ALIKES = str.maketrans({"\u2217": "*", "\u02cd": "_", "\u223c": "~", "\u02cb": "`", "\u00a0": " ", "\u202f": " "})


def _normal(text: str) -> str:
    """As a msgid is written: entities and mrkdwn look-alikes back (`bot.blocks.escape_mrkdwn`), one space."""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").translate(_LOOK_ALIKES)
    return " ".join(text.split())


_MENTION = re.compile(r"<[@#!][^>]*>")
_LINK = re.compile(r"<https?://[^>]*>|https?://\S+")
_CODE = re.compile(r"`[^`]*`")
_QUOTED = re.compile(r"“[^”]*”|«[^»]*»|\"[^\"]*\"")
_BOLD = re.compile(r"\*([^*\n]+)\*")
_FAMILY = re.compile(r"\b(?:" + "|".join(re.escape(f) for f in FAMILIES) + r")(?:/[a-z]+(?:-[a-z]+)*)?\b")
_DRAFTS = [" ".join(text.split()) for text in DRAFT_TEXTS]


def _ours(texts: list[str]) -> str:
    """Our own words: without the drafts (quoted, or as App Home's titles), mentions, links, code,
    rule ids and family names."""
    def not_a_draft(match: re.Match[str]) -> str:
        words = " ".join(match[1].split())
        return "" if any(words in draft for draft in _DRAFTS) else match[0]

    text = _normal("\n".join(texts))
    for pattern in (_MENTION, _LINK, _CODE, _QUOTED, _FAMILY):
        text = pattern.sub(" ", _BOLD.sub(not_a_draft, text))
    return text


_PLACEHOLDERS = re.compile(r"\{[^{}]*\}")


def english_left_in(lang: str) -> list[str]:
    """Every English message of the bot's and the engine's catalogs that `lang` translates
    differently, as its longest literal run between placeholders, when that run is 4+ words."""
    runs = set()
    for path in (ROOT / "bot" / "locale" / lang / "LC_MESSAGES" / "inmail.po",
                 ROOT / "rules" / "locale" / lang / "LC_MESSAGES" / "rules.po"):
        with path.open("rb") as po:
            catalog = read_po(po, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for msgid in ids:
                run = _normal(max(_PLACEHOLDERS.split(msgid), key=len))
                if msgid not in strings and len(run.split()) >= 4:
                    runs.add(run)
    return sorted(runs)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


# --- the scenario --------------------------------------------------------------------------------
def _acked(app: SlackAppServer, slack: SlackStandIn, text: str, name: str) -> dict[str, Any]:
    """A command answered in its ack (help, a malformed `log`): the ack's body."""
    response = app.command(text, response_url=slack.response_url(name))
    assert response.status_code == 200 and response.text
    return response.json()


def _typed(**fields: str) -> dict[str, Any]:
    return {block_id: {"value": {"type": "plain_text_input", "value": text}} for block_id, text in fields.items()}


def _draft_key(message: dict[str, Any]) -> str:
    return next(b for b in message["blocks"] if b["type"] == "actions")["elements"][0]["value"]


def _everything(app: SlackAppServer, slack: SlackStandIn, reviewer: Reviewer, lang: str) -> list[tuple[str, Any]]:
    """Drives every surface for a team whose language is `lang`; the acks' bodies it got."""
    acks: list[tuple[str, Any]] = []
    now = time.time()
    simulate(app.store, team=TEAM, weeks=12, start=now - 12 * WEEK - 40 * DAY)  # the digest's "what cost replies"
    _templates_sent(app.store, reviewer)  # its and App Home's most sent template
    outreach = Outreach(app.store)
    outreach.settings.save(TEAM, TeamSettings(alert_channel=ALERTS, digest_channel=DIGEST, digest_weekday=3,
                                              digest_hour=9, language=lang))

    # A review answer, a dismissal, a drafts-channel thread answer.
    review = _command(app, slack, PLACEHOLDER, USER, "review")
    app.drain()
    counts = [b["text"]["text"] for b in review["blocks"] if b["type"] == "section"]
    assert len(counts) == 3 and review["blocks"][-2]["type"] == "context", counts  # every severity, the notes
    placeholder = _draft_key(review)
    answered = len(slack.responses)
    pick_dismissal(app, slack, _option(review, "rockstar"), name="dismiss")
    slack.wait_responses(answered + 1)
    app.drain()
    posted = slack.add_message(DRAFTS, IN_CHANNEL, user=USER)
    assert app.event(message_event(IN_CHANNEL, ts=posted["ts"])).status_code == 200
    [thread] = slack.wait_for("chat.postMessage")
    app.drain()
    in_channel = _draft_key(thread.args)

    # The draft form, its errors, its answer and the sequence's.
    assert app.command("", response_url=slack.response_url("form")).text == ""
    form = slack.wait_for("views.open")[-1].response["view"]
    acks.append(("form errors", submit_view(app, form, _typed(body="too short", follow_up_1_days="400"), USER).json()))
    assert submit_view(app, form, _typed(body=FIRST, follow_up_1=BUMP, follow_up_1_days="1",
                                         follow_up_2=GOOD_FOLLOW_UP), USER).text == ""
    slack.wait_for("chat.postMessage", 3)
    app.drain()

    # Mark as sent → It was a bulk send… → its form → Got a reply → the replies form.
    _clicked(app, slack, "mark_sent", placeholder, USER, "sent")
    click_message_button(app, slack, "sent_bulk", placeholder, user=USER, name="bulk")
    bulk = slack.wait_for("views.open", 2)[-1].response["view"]
    acks.append(("bulk errors", submit_view(app, bulk, {"count": _number("lots")}, USER).json()))
    assert submit_view(app, bulk, {"count": _number("250")}, USER).text == ""
    slack.wait_for("chat.postMessage", 4)
    app.drain()
    click_message_button(app, slack, "got_reply", placeholder, user=USER, name="replies")
    replies = slack.wait_for("views.open", 3)[-1].response["view"]
    assert submit_view(app, replies, {"accepted": _number("20"), "declined": _number("10")}, USER).text == ""
    slack.wait_for("chat.postMessage", 5)
    app.drain()
    # Got a reply → Accepted, on the drafts channel's draft.
    _clicked(app, slack, "got_reply", in_channel, USER, "reply")
    _clicked(app, slack, "reply_accepted", in_channel, USER, "accepted")
    # The thread's answer updated in place.
    click_message_button(app, slack, "review_again", in_channel, user=USER, name="again")
    slack.wait_for("chat.update")
    app.drain()

    # /inmail log (a good one, a malformed one), stats, help.
    _command(app, slack, "log sent 40 replied 6", USER, "log")
    acks.append(("log usage", _acked(app, slack, "log sent", "log-usage")))
    _command(app, slack, "stats", USER, "stats")
    acks.append(("help", _acked(app, slack, "help", "help")))
    app.drain()

    # App Home as an admin: a phrase switched off, the settings form, a phrase added after its preview.
    home = open_home(app, slack, USER)
    click_home_button(app, slack, next(b for b in _home_buttons(home) if b["action_id"] == "team_phrase_off"), USER)
    click_home_button(app, slack, next(b for b in _home_buttons(home) if b["action_id"] == "edit_team_settings"), USER)
    settings = slack.wait_for("views.open", 4)[-1].response["view"]
    acks.append(("settings errors", submit_view(app, settings, form_values(settings, digest_hour="25"), USER).json()))
    assert submit_view(app, settings, form_values(settings), USER).text == ""
    app.drain()
    assert outreach.settings.get(TEAM).language == lang and outreach.settings.get(TEAM).alert_channel == ALERTS
    click_home_button(app, slack, next(b for b in _home_buttons(home) if b["action_id"] == "team_add_phrase"), USER)
    phrase = slack.wait_for("views.open", 5)[-1].response["view"]
    acks.append(("phrase errors", submit_view(app, phrase, form_values(phrase, phrase="  "), USER).json()))
    acks.append(("phrase refused", submit_view(app, phrase, form_values(phrase, phrase="ninja",
                                                                        family="inclusive-language"), USER).json()))
    app.drain()
    refused = slack.wait_for("views.update")[-1].args["view"]
    assert "ninja" in json.dumps(refused) and refused["submit"]["text"] == phrase["submit"]["text"]  # not saveable
    acks.append(("phrase preview", submit_view(app, phrase, form_values(
        phrase, phrase="synergy", level="warning", suggestion="Say what the team and the wind farms do together."),
        USER).json()))
    app.drain()
    previewed = slack.wait_for("views.update", 2)[-1].args["view"] | {"id": phrase["id"]}
    assert submit_view(app, previewed, form_values(previewed), USER).text == ""
    app.drain()
    _command(app, slack, SYNERGY.format(name="Ingrid"), USER, "team-phrase")  # the team's new rule in a review
    app.drain()

    # /inmail export (an admin): a file in their DM.
    _command(app, slack, "export", USER, "export")
    app.drain()

    # An alert (the recruiter's DM, the channel's post), then the weekly digest with its chart.
    slack.add_user(WARNED)
    config = outreach.settings.get(TEAM).policy
    previous = current_period(initial_status(config), now, config).start - config.period_days * DAY
    outreach.sends.record(TEAM, WARNED, f"import:{WARNED}:p", "import", sent=120, at=previous + 3600)
    Scheduler(app.store, app.app.client, app.settings).tick(now)
    Scheduler(app.store, app.app.client, app.settings).tick(week_of(now, "UTC").start + 10 * DAY + 9 * 3600)
    opened = {c.response["channel"]["id"] for c in slack.calls_to("conversations.open") if c.response.get("ok")}
    posts = [c.args["channel"] for c in slack.calls_to("chat.postMessage")]
    assert f"D{WARNED[1:]}" in opened & set(posts) and ALERTS in posts and DIGEST in posts
    assert any(u.channel == DIGEST for u in slack.uploads.values())

    # forget-me, and its button that deletes the drafts-channel answer quoting the draft.
    forgot = _command(app, slack, "forget-me", USER, "forget")
    app.drain()
    button = next(b for b in forgot["blocks"] if b["type"] == "actions")["elements"][0]
    _clicked(app, slack, button["action_id"], button["value"], USER, "delete")
    app.drain()
    return acks


@pytest.mark.parametrize("lang", ["en", "nb", "it"])
def test_every_surface_in_the_readers_language(make_app: Any, slack: SlackStandIn, spelling_reviewer: Reviewer,
                                               lang: str) -> None:
    app = make_app(spelling_reviewer, admins=(USER,))
    slack.reset()
    acks = _everything(app, slack, spelling_reviewer, lang)
    surfaces = _surfaces(slack, acks)
    kinds = Counter(what.split()[0] for what, _texts in surfaces)
    assert (kinds["views.open"], kinds["ack"], kinds["response_url"]) == (5, 8, 11), kinds
    assert kinds["chat.update"] >= 1 and kinds["views.update"] == 2 and kinds["views.publish"] >= 4, kinds
    assert kinds["upload"] == len(slack.uploads) >= 2, kinds  # the export, and each digest's chart

    # (a) Within Block Kit's limits and Slack's methods, every call.
    assert slack.violations == []

    said = {what: _normal("\n".join(texts)) for what, texts in surfaces}
    if lang == "en":
        # (d) What English readers read before, sentence for sentence.
        everything = "\n".join(said.values())
        assert [phrase for phrase in ENGLISH if _normal(phrase) not in everything] == []
        return

    # (b) Each surface read as the reader's language (our words: not the drafts, ids, links or code).
    misread, short = [], []
    for what, texts in surfaces:
        ours = _ours(texts)
        if _letters(ours) < 20:  # too little to tell by the text alone (rules.language._MIN_LETTERS); (c) holds
            short.append(what)
            continue
        found = detect(ours).language
        if found != lang:
            misread.append(f"{what}: read as {found}: {ours[:300]!r}")
    assert misread == []
    assert len(short) <= len(surfaces) // 10, short
    # (c) No English message of the catalogs left, on any surface.
    runs = english_left_in(lang)
    assert len(runs) > 200
    left = [f"{what}: {run!r}" for what, text in said.items() for run in runs if run in text]
    assert left == []
