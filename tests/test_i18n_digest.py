"""The digest, its chart, the policy alerts and `inmail-review report` in Norwegian and Italian
(issue 14): the scheduler posts in a team's channels in the team's language and DMs each
recruiter in theirs (their App Home choice, else Slack's locale for them); `report` follows
`--ui-lang`, else LANG."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from bot.digest import chart_png, week_name
from bot.i18n import reading
from bot.scheduler import Scheduler
from models.digest import compute, week_of
from models.outreach import Outreach
from models.team_settings import TeamSettings
from models.policy import DAY, current_period, initial_status
from models.readers import ReaderLanguages
from models.records import Draft, Recipient
from models.store import Store
from rules import Reviewer
from rules.engine import ReviewContext
from rules.language import detect
from rules.similarity import TemplateIndex
from tests.conftest import TEAM, USER, SlackAppServer
from tests.outcome_simulation import WEEK, simulate
from tests.slack_standin import SlackStandIn

ROOT = Path(__file__).resolve().parents[1]
MASS = "Dear Candidate, I came across your profile and was impressed. Exciting opportunity! Let me know."
TEMPLATE = ("Hi {name},\nI came across your profile and I have an exciting opportunity with one of our clients, a "
            "leading company in fintech. We offer a competitive salary, excellent benefits and a fast-paced "
            "environment. Are you open to a quick call?")


def _text(message: dict[str, Any]) -> str:
    """What a reader sees of a message: its sections and context lines, mentions left out."""
    parts = []
    for block in message["blocks"]:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        parts += [e["text"] for e in block.get("elements", []) if isinstance(e, dict) and "text" in e]
    return re.sub(r"<@\w+>", "", "\n".join(parts)).replace("\u00a0", " ")  # Babel's no-break spaces: "15 %"


def _language(text: str) -> str | None:
    return detect(text.replace("*", "")).language


def _templates_sent(store: Store, reviewer: Reviewer) -> None:
    """One template to four people from two recruiters, each review keeping its fingerprint."""
    history = ReviewContext(history=TemplateIndex())
    outreach = Outreach(store)
    for n, name in enumerate(["Kari", "Ola", "Ingrid", "Lars"]):
        text = TEMPLATE.format(name=name)
        draft_id = store.add_draft(TEAM, USER if n < 2 else "U2", "command", text)
        assert draft_id
        store.add_review(TEAM, draft_id, reviewer.review(Draft(body=text, recipient=Recipient(name=f"{name} Nordmann")),
                                                         history))
        outreach.sends.record(TEAM, USER, f"button:{draft_id}", "button", sent=1, draft_id=draft_id, at=1e9 + n)


# What each language's digest says (a few phrases of every section of ours), and the English it must not.
DIGEST = {
    "nb": {"header": "InMail-oppsummering · {week}", "week": "(uke {label})",
           "chart": "Svarprosent, ukene fram til {week}",
           "said": ("utkast* gjennomgått, snittpoeng", "*Svarprosent per rekrutterer*", "15 % av 40 · ingen sendt",
                    "*Vanligste funn*", "*Dette kostet svar* (teamets avsluttede utsendelser siste 182 dager)",
                    "fikk 4 % svar", "prosentpoeng, 95 %", "*Mest sendte mal* (siste 30 dager)",
                    "gikk til 4 personer fra 2 rekrutterere", "*Ukens tips:*", "ligger i tråden til denne meldingen")},
    "it": {"header": "Riepilogo InMail · {week}", "week": "(settimana {label})",
           "chart": "Tasso di risposta, settimane fino a {week}",
           "said": ("bozze* revisionate, punteggio medio", "*Tasso di risposta per recruiter*",
                    "15% di 40 · nessun invio",
                    "*Segnalazioni più frequenti*",
                    "*Cosa ha fatto perdere risposte* (invii conclusi del team negli ultimi 182 giorni)",
                    "4% di risposte (", "punti, 95%", "*Modello più inviato* (ultimi 30 giorni)",
                    "è stato inviato a 4 persone da 2 recruiter", "*Consiglio della settimana:*",
                    "è nel thread di questo messaggio")},
}
NOT_IN_A_DIGEST = ("Response rate by recruiter", "reviewed, average score", "Tip of the week", "What cost replies",
                   "Most sent template", "went to", "replies (", "The chart of the team's weekly response rate")


@pytest.mark.parametrize("lang", ["nb", "it"])
def test_the_digest_and_its_chart_are_in_the_teams_language(make_app: Any, slack: SlackStandIn, reviewer: Reviewer,
                                                            lang: str) -> None:
    app = make_app()
    slack.reset()
    now = time.time()
    simulate(app.store, team=TEAM, weeks=12, start=now - 12 * WEEK - 40 * DAY)  # settled sends: "what cost replies"
    _templates_sent(app.store, reviewer)
    for n in range(2):
        assert app.command(f"{MASS} ({n})", response_url=slack.response_url(f"m{n}")).text == ""
    assert app.command("log sent 40 replied 6", response_url=slack.response_url("log")).text == ""
    slack.wait_responses(3)
    app.drain()
    Outreach(app.store).settings.save(TEAM, TeamSettings(digest_channel="CDIGEST", digest_weekday=3, digest_hour=9,
                                                         language=lang))
    this_week = week_of(now, "UTC")
    at = this_week.start + 10 * DAY + 9 * 3600  # next Thursday 09:00: this week's digest
    Scheduler(app.store, app.app.client, app.settings).tick(at)
    [post] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == "CDIGEST"]
    text, expected = _text(post.args), DIGEST[lang]
    figures = compute(Outreach(app.store, app.settings.team_defaults()), TEAM, this_week, at)
    with reading(lang):
        named = week_name(this_week, "UTC")
        png = chart_png(figures, 0.13)
    assert named != week_name(this_week, "UTC")  # "30. nov.–6. des. 2026", "30 nov – 6 dic 2026"
    assert post.args["blocks"][0]["text"]["text"] == expected["header"].format(week=named)
    assert expected["week"].format(label=this_week.label) in post.args["text"]
    for said in expected["said"]:
        assert said in text, said
    for english in NOT_IN_A_DIGEST:
        assert english not in text, english
    assert _language(text) == lang
    [chart] = slack.uploads.values()
    assert chart.title == expected["chart"].format(week=named)
    assert chart.data == png != chart_png(figures, 0.13)  # the chart's own words drawn in the team's language
    assert slack.violations == []


def test_alerts_go_to_each_recruiter_in_theirs_and_to_the_channel_in_the_teams(app: SlackAppServer,
                                                                               slack: SlackStandIn) -> None:
    slack.add_user("U7", locale="it-IT")  # warned: an Italian recruiter, as Slack knows them
    slack.add_user("U6", locale="it-IT")  # heading under the threshold
    slack.add_user("U5", locale="en-US")  # warned, and chose Norwegian in App Home
    ReaderLanguages(app.store).choose(TEAM, "U5", "nb")
    outreach = Outreach(app.store)
    outreach.settings.save(TEAM, TeamSettings(alert_channel="CALERTS", language="nb"))
    now = time.time()
    config = outreach.settings.get(TEAM).policy
    previous = current_period(initial_status(config), now, config).start - config.period_days * DAY
    for user in ("U7", "U5"):
        outreach.sends.record(TEAM, user, f"import:{user}:p", "import", sent=120, at=previous + 3600)
    assert app.command("log sent 150 replied 5", response_url=slack.response_url("u6"), user="U6").text == ""
    slack.wait_responses(1)
    app.drain()
    Scheduler(app.store, app.app.client, app.settings).tick(now)
    opened = {c.response["channel"]["id"]: c.args["users"] for c in slack.calls_to("conversations.open")}
    posts = slack.calls_to("chat.postMessage")
    dms = {opened[c.args["channel"]]: c.args for c in posts if c.args["channel"] in opened}
    channel_posts = {c.args["text"].split(": ")[0]: c.args for c in posts if c.args["channel"] == "CALERTS"}
    channel_post = channel_posts["⚠️ Advarsel om svarprosent for <@U7>"]
    assert set(channel_posts) == {f"⚠️ Advarsel om svarprosent for <@{user}>" for user in ("U7", "U5")}

    warned = _text(dms["U7"])
    assert dms["U7"]["text"].startswith("⚠️ Avviso sul tasso di risposta: 120 InMail inviati tra ")
    for italian in ("0 risposte (0%): sotto la soglia del team (13%)", "È un avviso valido fino a",
                    "gli invii proseguono come sempre", "solo InMail individuali", "*Consigli per i prossimi InMail*"):
        assert italian in warned, italian
    for english in ("Response rate warning", "InMails sent from", "This is a warning until",
                    "Tips for the next InMails"):
        assert english not in warned, english
    assert _language(warned.split("\n•")[0]) == "it"

    risk = _text(dms["U6"])
    assert dms["U6"]["text"].startswith("⚠️ Il tuo tasso di risposta sta scendendo sotto la soglia: ")
    assert "Le risposte contano fino alla valutazione del periodo" in risk
    assert "heading under the threshold" not in risk and "Replies still count" not in risk
    assert _language(risk.split("\n•")[0]) == "it"

    chosen = _text(dms["U5"])
    assert dms["U5"]["text"].startswith("⚠️ Advarsel om svarprosent: 120 InMail-meldinger sendt fra ")
    assert "*Tips til de neste InMail-meldingene*" in chosen and "Response rate warning" not in chosen
    assert _language(chosen.split("\n•")[0]) == "nb"

    said = _text(channel_post)
    assert channel_post["text"].startswith("⚠️ Advarsel om svarprosent for <@U7>: 120 InMail-meldinger sendt fra ")
    for norwegian in ("0 svar (0 %): under teamets grense på 13 %", "Dette er en advarsel fram til",
                      "sendingen fortsetter som vanlig", "kun én-til-én-InMail"):
        assert norwegian in said, norwegian
    assert "Avviso" not in said and "Response rate warning" not in said and "for a while" not in said
    assert _language(said) == "nb"
    assert slack.violations == []


def _report(db: Path, *args: str, lang: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env |= {"INMAIL_DB": str(db)} | ({"LANG": lang} if lang else {})
    done = subprocess.run([sys.executable, "-m", "bot", "report", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.replace("\u00a0", " ")


def test_the_report_follows_ui_lang_else_lang(db_url: str) -> None:
    db = db_url
    store = Store.open(db)
    simulate(store, recruiters=8, weeks=6)
    store.close()
    english = _report(db)
    assert english.startswith("Sends settled by ") and "Drafts with “Unnamed client” got" in english
    assert _report(db, "--ui-lang", "en", lang="it_IT.UTF-8") == english  # the option wins over LANG

    norwegian = _report(db, "--ui-lang", "nb")
    assert norwegian.startswith("Utsendelser avsluttet innen ") and "dager er lukket)" in norwegian
    for said in ("Utkast med «", "» fikk ", " svar (", " utsendelser) mot ", " for resten (", "prosentpoeng, 95 %",
                 "Utkast med score 80–100", "Utkast i kategorien karrieremulighet"):
        assert said in norwegian, said
    italian = _report(db, lang="it_IT.UTF-8")
    assert italian.startswith("Invii conclusi entro il ") and "giorni chiusa)" in italian
    for said in ("Bozze con «", "% di risposte (", " invii) contro ", " per le altre (", "punti, 95%",
                 "Bozze con punteggio 80–100", "Bozze della categoria opportunità di carriera"):
        assert said in italian, said
    for text in (norwegian, italian):
        for english_words in ("Sends settled by", " got ", "for the rest", "points, 95%", "not enough sends yet",
                              "no clear difference", "Drafts "):
            assert english_words not in text, english_words
    assert _language(norwegian) == "nb" and _language(italian) == "it"
    assert _language(norwegian.splitlines()[0]) == "nb" and _language(italian.splitlines()[0]) == "it"
