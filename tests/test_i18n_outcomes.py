"""Issue 14, the outcomes' surfaces in the reader's language, through the real app over HTTP: the
outcome buttons' answers and their forms (Mark as sent → bulk count, Got a reply → accepted /
declined, a bulk send's replies form), `/inmail log`, `/inmail stats`, `/inmail forget-me`,
`/inmail export`, and the help. A Norwegian reader gets Norwegian because their team's language
is Norsk (Slack has no Norwegian, so Slack's English is not taken as a choice); an Italian reader
because Slack's locale for them is it-IT, in the same Norwegian team."""
from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot.blocks import help_message
from bot.i18n import reading
from models.outreach import Outreach
from models.team_settings import TeamSettings
from rules.language import detect
from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer, message_event
from tests.slack_standin import SlackStandIn
from tests.slack_ui import click_message_button

ITALIAN = "U3"
DRAFT = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was excellent. We are building the payments "
         "platform at Vipps. Would you be open to a 15-minute call next week?")
# Per language: the reader, words the surfaces must use, and English they must not.
READERS = {"nb": (USER, ["utkast", "svarprosent", "sendt", "svar"]),
           "it": (ITALIAN, ["bozza", "tasso di risposta", "inviat", "rispost"])}
ENGLISH = ["sent with this draft", "response rate", "Current period", "Your last", "Marked as sent", "Reply recorded",
           "Logged ", "Done: the text", "InMails", "replies", "was already"]


@pytest.fixture
def team(app: SlackAppServer, slack: SlackStandIn) -> SlackAppServer:
    Outreach(app.store).settings.save(TEAM, TeamSettings(language="nb"))
    slack.add_user(ITALIAN, name="giulia", locale="it-IT")
    slack.add_user("UADMIN", name="admin", locale="it-IT", is_admin=True)
    return app


def _english_left(text: str) -> list[str]:
    return [phrase for phrase in ENGLISH if phrase in text]


def _in(lang: str, text: str) -> None:
    """`text` is the language's: its words, no English of these surfaces, and detected as it."""
    words = READERS[lang][1]
    assert _english_left(text) == [], text
    assert any(w in text.lower() for w in words), text
    assert detect(text).language == lang, text


def _command(app: SlackAppServer, slack: SlackStandIn, text: str, user: str, name: str) -> dict[str, Any]:
    answered = len(slack.responses)
    response = app.command(text, response_url=slack.response_url(name), user=user, trigger_id=f"{time.time()}.{name}")
    assert response.status_code == 200 and response.text == ""  # queued work, answered at the response_url
    return slack.wait_responses(answered + 1)[-1]


def _clicked(app: SlackAppServer, slack: SlackStandIn, action_id: str, value: str, user: str, name: str) -> dict[str, Any]:
    answered = len(slack.responses)
    click_message_button(app, slack, action_id, value, user=user, name=name)
    return slack.wait_responses(answered + 1)[-1]


def _submit(app: SlackAppServer, opened: Any, values: dict[str, Any], user: str, trigger: str) -> None:
    view = opened.args["view"]
    response = app.interaction({"type": "view_submission", "user": {"id": user, "team_id": TEAM}, "trigger_id": trigger,
                                "view": {"id": opened.response["view"]["id"], "type": "modal",
                                         "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
                                         "state": {"values": values}}})
    assert response.status_code == 200 and response.text == ""


def _number(n: str | None) -> dict[str, Any]:
    return {"value": {"type": "number_input", "value": n}}


def _review(app: SlackAppServer, slack: SlackStandIn, user: str) -> str:
    answer = _command(app, slack, DRAFT, user, f"review-{user}")
    app.drain()
    return next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]["value"]


def _buttons(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def _view_texts(view: dict[str, Any]) -> str:
    """A form's own words: title, buttons, labels and context."""
    parts = [view["title"]["text"], view["submit"]["text"], view["close"]["text"]]
    for block in view["blocks"]:
        parts += [block["label"]["text"]] if "label" in block else [e["text"] for e in block.get("elements", [])]
    return "\n".join(parts)


@pytest.mark.parametrize("lang", ["nb", "it"])
def test_the_outcome_buttons_answer_in_the_readers_language(team: SlackAppServer, slack: SlackStandIn, lang: str) -> None:
    app, (user, _) = team, READERS[lang]
    draft_id = _review(app, slack, user)
    sent = _clicked(app, slack, "mark_sent", draft_id, user, "sent")
    [bulk_label] = _buttons(sent)
    assert bulk_label == {"nb": "Det var en masseutsendelse…", "it": "Era un invio massivo…"}[lang]
    again = _clicked(app, slack, "mark_sent", draft_id, user, "again")["text"]

    click_message_button(app, slack, "sent_bulk", draft_id, user=user, name="bulk")
    [bulk_form] = slack.wait_for("views.open")
    form = _view_texts(bulk_form.args["view"])
    assert "InMails did you send" not in form and "Bulk send" not in form
    assert {"nb": "Hvor mange InMail-meldinger", "it": "Quanti InMail"}[lang] in form
    _submit(app, bulk_form, {"count": _number("250")}, user, "1.2.count")
    [confirmation] = slack.wait_for("chat.postMessage")
    assert {"nb": "250 InMail-meldinger sendt", "it": "250 InMail inviati"}[lang] in confirmation.args["text"]

    click_message_button(app, slack, "got_reply", draft_id, user=user, name="replies")
    replies_form = slack.wait_for("views.open", 2)[-1]
    recorded = _view_texts(replies_form.args["view"])
    assert {"nb": "250 InMail-meldinger sendt med dette utkastet", "it": "250 InMail inviati con questa bozza"}[lang] in recorded
    _submit(app, replies_form, {"accepted": _number("20"), "declined": _number("10")}, user, "1.2.replies")
    added = slack.wait_for("chat.postMessage", 2)[-1].args["text"]
    assert {"nb": "La til 30 svar (20 godtatt, 10 avslått)", "it": "Aggiunte 30 risposte (accettate: 20, rifiutate: 10)"}[lang] in added
    app.drain()

    one_to_one = _review(app, slack, user)
    replied = _clicked(app, slack, "got_reply", one_to_one, user, "reply")
    assert _buttons(replied) == {"nb": ["Godtatt", "Avslått"], "it": ["Accettato", "Rifiutato"]}[lang]
    declined = _clicked(app, slack, "reply_declined", one_to_one, user, "declined")["text"]
    not_yours = _clicked(app, slack, "mark_sent", one_to_one, "ULEAD", "lead")["text"]
    assert f"<@{user}>" in not_yours
    answers = [sent["text"], again, confirmation.args["text"], added, replied["text"], declined, not_yours]
    for text in answers:
        assert _english_left(text) == [], text
    _in(lang, " ".join(answers))
    assert _english_left(form + recorded) == [] and detect(form + "\n" + recorded).language == lang
    assert slack.violations == []


@pytest.mark.parametrize("lang", ["nb", "it"])
def test_log_and_stats_are_in_the_readers_language(team: SlackAppServer, slack: SlackStandIn, lang: str) -> None:
    app, (user, _) = team, READERS[lang]
    logged = _command(app, slack, "log sent 1,000 accepted 1 declined 2 bulk", user, "log")["text"]
    assert logged == {"nb": "Registrerte 1\xa0000 InMail-meldinger sendt som masseutsendelse og 3 svar (1 godtatt, 2 avslått).",
                      "it": "Registrati 1.000 InMail inviati in massa e 3 risposte (accettate: 1, rifiutate: 2)."}[lang]
    later = _command(app, slack, "log replied 30", user, "replies")["text"]
    too_many = _command(app, slack, "log replied 5000", user, "too-many")["text"]
    repeat = _command(app, slack, "log replied 30", user, "repeat")["text"]
    for text in (logged, later, too_many, repeat):
        assert _english_left(text) == [] and detect(text).language == lang, text
    _in(lang, f"{logged} {later} {too_many} {repeat}")
    assert "`/inmail log sent N`" in too_many  # the command itself stays as typed
    app.drain()

    stats = _command(app, slack, "stats", user, "stats")
    text = stats["blocks"][0]["text"]["text"]
    assert {"nb": "*Gjeldende periode (", "it": "*Periodo attuale ("}[lang] in text
    assert {"nb": "1\xa0000 InMail-meldinger sendt", "it": "1.000 InMail inviati"}[lang] in text
    assert {"nb": "svarprosent 3\xa0%", "it": "tasso di risposta 3%"}[lang] in text
    assert {"nb": "*Dine siste 30 dager:*", "it": "*I tuoi ultimi 30 giorni:*"}[lang] in text
    assert {"nb": "*Svarprosentregelen:* normal", "it": "*Regola sul tasso di risposta:* normale"}[lang] in text
    # The days are the language's: no English weekday or month names.
    assert not any(day in text for day in ("Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun "))
    _in(lang, text)
    assert stats["text"] == text.replace("*", "")
    assert slack.violations == []


@pytest.mark.parametrize("lang", ["nb", "it"])
def test_forget_me_and_its_button_are_in_the_readers_language(team: SlackAppServer, slack: SlackStandIn,
                                                              lang: str) -> None:
    app, (user, _) = team, READERS[lang]
    text = "Hi Zyxw, Dear candidate, we need a rockstar ninja. Would you be open to a call next week?"
    message = slack.add_message(DRAFTS, text, user=user)
    assert app.event(message_event(text, ts=message["ts"], user=user)).status_code == 200
    slack.wait_for("chat.postMessage")
    app.drain()
    answer = _command(app, slack, "forget-me", user, "forget")
    app.drain()
    assert answer["text"].startswith({"nb": "Ferdig: teksten i 1 utkast", "it": "Fatto: eliminato il testo di 1 tua bozza"}[lang])
    [delete] = _buttons(answer)
    assert delete == {"nb": "Slett den meldingen", "it": "Elimina quella risposta"}[lang]
    _in(lang, answer["text"])
    button = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]
    deleted = _clicked(app, slack, button["action_id"], button["value"], user, "delete")["text"]
    assert deleted == {"nb": "Slettet 1 melding som appen hadde lagt ut.",
                       "it": "Eliminata 1 risposta pubblicata dall'app."}[lang]
    assert slack.violations == []


def test_the_export_is_in_the_readers_language(team: SlackAppServer, slack: SlackStandIn) -> None:
    app = team
    refused = _command(app, slack, "export", USER, "user")["text"]  # Norwegian, not an admin
    assert "Only the app's admins" not in refused and "administratorer" in refused
    assert detect(refused).language == "nb"
    done = _command(app, slack, "export", "UADMIN", "admin")["text"]  # an Italian admin
    assert done == "L'esportazione è nei tuoi messaggi diretti con l'app."
    [upload] = slack.uploads.values()
    assert upload.data.decode().startswith("inmail_draft_id,")  # the CSV's columns stay English, for CRMs
    [complete] = slack.calls_to("files.completeUploadExternal")
    shared = json.dumps(complete.args, ensure_ascii=False)
    assert "Bozze InMail ed esiti" in shared and "drafts and outcomes" not in shared
    assert slack.violations == []


@pytest.mark.parametrize("lang", ["nb", "it"])
def test_the_help_is_written_in_the_readers_language(lang: str) -> None:
    """The help in the reader's language. (`/inmail help` itself is answered in the ack, in the
    language last found for the person: tests/test_i18n_surfaces.py drives that.)"""
    with reading(lang):
        message = help_message("/inmail")
    text = message["blocks"][0]["text"]["text"]
    assert message["text"] == {"nb": "Slik bruker du /inmail", "it": "Come usare /inmail"}[lang]
    for english in ("Review a draft InMail", "only you see the answer", "records InMails sent outside a review",
                    "deletes the text of all your drafts"):
        assert english not in text
    assert {"nb": "`Emne: …`", "it": "`Oggetto: …`"}[lang] in text  # the subject line the reader would type
    assert "`/inmail log sent N [replied M] [bulk]`" in text and "*Review as InMail*" in text  # what Slack reads stays
    assert detect(text).language == lang
    with reading("en"):
        english = help_message("/inmail")
    assert english["text"] == "How to use /inmail" and "only you see the answer" in english["blocks"][0]["text"]["text"]
