"""Issue 14: the review surfaces in the reader's language, through the real app over HTTP.

The review answer (headline, facts, severity groups, the findings' texts, notes, buttons, the
"Not applicable here…" menu), the sequence answer, the `/inmail` form and its errors, the
drafts-channel answer, the shortcut's replies and the failure and "not saved" replies, for a
reader of a Norwegian team and for an Italian whose Slack is in Italian: in their words, with no
English sentence of ours left, and read as their language by the engine's own detector.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from rules.language import detect
from tests.conftest import DRAFTS, TEAM, USER, SlackAppServer, message_event
from tests.slack_standin import SlackStandIn
from tests.slack_ui import command_answer, pick_dismissal

ROCKSTAR = ("Subject: Payments platform at Vipps\nHi Kari, your talk on Kafka consumer groups at JavaZone was "
            "excellent. We need a rockstar for the payments platform at Vipps. Would you be open to a 15-minute "
            "call next week?")
FIRST = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was the clearest I have heard. We are building "
         "the payments platform at Vipps on the same design. Would you be open to a 15-minute call next week?")
BUMP = "Hi Kari, just bumping this to the top of your inbox. Any thoughts?"
GOOD_FOLLOW_UP = ("Hi Kari, one more detail since my note: the team ships to production daily and the on-call rota "
                  "is five engineers, so weekends stay quiet. Still happy to share the architecture over coffee.")
ITALIAN = "UIT"
# Our English sentences on the review answer: none may be left for a reader of another language.
REVIEW_ENGLISH = ("Ready to send", "Revise before sending", "Do not send", "score ", "Language:", "Category:",
                  "Review again", "Mark as sent", "Got a reply", "Not applicable here", "Warnings", "Suggestions",
                  "Exclusionary wording", "characters", "personalization")


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _texts(value: Any, kind: str | None = None) -> list[str]:
    """The texts of a Block Kit structure: every text object's (of `kind` if given) and rich_text's."""
    if isinstance(value, dict):
        own = [value["text"]] if isinstance(value.get("text"), str) and (kind is None or value.get("type") == kind) else []
        return own + [t for v in value.values() for t in _texts(v, kind)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, kind)]
    return []


def _finding_texts(message: dict[str, Any]) -> list[str]:
    """What the review says about the draft: its findings' messages and suggestions (not the quotes)."""
    return [e["text"] for b in message["blocks"] if b["type"] == "rich_text" for part in b["elements"]
            if part["type"] == "rich_text_section" for e in part["elements"]]


def _ours(message: dict[str, Any]) -> str:
    """The review's own words: headline, facts, group titles, findings, notes and buttons."""
    blocks = message["blocks"]
    words = [blocks[0]["text"]["text"], *(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])]
    words += [b["text"]["text"].strip("*") for b in blocks if b["type"] == "section"]
    words += _finding_texts(message)
    words += [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return "\n".join(words)


def _buttons(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def _menus(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b["accessory"] for b in message["blocks"] if (b.get("accessory") or {}).get("action_id") == "dismiss_finding"]


def _absent(text: str, english: tuple[str, ...]) -> None:
    left = [phrase for phrase in english if phrase in text]
    assert left == [], f"English left: {left}"


@pytest.fixture
def nb_app(make_app: Any, slack: SlackStandIn) -> SlackAppServer:
    """A team whose language is Norwegian (INMAIL_LANGUAGE=nb); its people's Slack is in English."""
    server = make_app(language="nb")
    slack.reset()
    return server


def test_a_norwegian_teams_review_answer_menu_dismissal_and_thread_answer(nb_app: SlackAppServer,
                                                                          slack: SlackStandIn) -> None:
    answer = command_answer(nb_app, slack, ROCKSTAR, "cmd")
    blocks = answer["blocks"]
    assert blocks[0]["text"]["text"] == "✏️ Bør endres før sending · poeng 79/100"
    assert answer["text"].startswith("Bør endres før sending: poeng 79/100, 0 feil, ")
    facts = blocks[1]["elements"][0]["text"]
    assert facts.startswith("Språk: en · Kategori: karrieremulighet (") and " tegn, " in facts and " ord · " in facts
    assert "personlig preg 0," in facts and "standardpreg 0," in facts  # decimals with a comma
    titles = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert titles and all(t.startswith(("*Feil (", "*Advarsler (", "*Forslag (")) for t in titles)
    assert _buttons(answer) == ["Sjekk på nytt", "Merk som sendt", "Fikk svar"]
    [menu, *_] = _menus(answer)
    assert menu["placeholder"]["text"] == "Gjelder ikke her …"
    option = next(o for m in _menus(answer) for o in m["options"] if "rockstar" in o["text"]["text"])
    assert option["text"]["text"] == "«rockstar» · Ekskluderende ordbruk"
    assert "«rockstar»" in _literal(blocks) and "“rockstar”" not in _literal(blocks)
    _absent(_literal(answer), REVIEW_ENGLISH)
    assert detect(_ours(answer)).language == "nb"
    assert detect("\n".join(_finding_texts(answer))).language == "nb"

    pick_dismissal(nb_app, slack, option, name="pick", placeholder="Gjelder ikke her …")
    again = slack.wait_responses(2)[1]
    nb_app.drain()
    assert again["blocks"][0]["text"]["text"] == "✅ Klar til å sendes · poeng 97/100"
    notes = [e["text"] for b in again["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert ("1 funn er avvist som ikke relevant her; poengsummen og konklusjonen tar det ikke med." in notes)
    _absent(_literal(again), REVIEW_ENGLISH + ("dismissed as not applicable", "leave it out"))
    assert detect(_ours(again)).language == "nb"

    # A draft posted in a drafts channel is answered in its thread, for its author: in Norwegian.
    message = slack.add_message(DRAFTS, FIRST, user=USER)
    nb_app.event(message_event(FIRST, ts=message["ts"]))
    [post] = slack.wait_for("chat.postMessage")
    nb_app.drain()
    assert post.args["thread_ts"] == message["ts"]
    assert " · poeng " in post.args["blocks"][0]["text"]["text"] and _buttons(post.args) == _buttons(answer)
    _absent(_literal(post.args["blocks"]), REVIEW_ENGLISH)
    assert detect(_ours(post.args)).language == "nb"
    assert slack.violations == []


def test_an_italian_in_an_english_team_reads_italian_and_the_english_keep_english(
        app: SlackAppServer, slack: SlackStandIn) -> None:
    slack.add_user(ITALIAN, name="giulia", locale="it-IT")
    italian = command_answer(app, slack, ROCKSTAR, "it", user=ITALIAN)
    english = command_answer(app, slack, ROCKSTAR, "en", user=USER)
    assert italian["blocks"][0]["text"]["text"] == "✏️ Da rivedere prima dell'invio · punteggio 79/100"
    assert italian["blocks"][1]["elements"][0]["text"].startswith("Lingua: en · Categoria: opportunità di carriera (")
    assert _buttons(italian) == ["Ricontrolla", "Segna come inviata", "Ha risposto"]
    assert _menus(italian)[0]["placeholder"]["text"] == "Non pertinente qui…"
    assert "«rockstar» · Linguaggio escludente" in _literal(_menus(italian))
    _absent(_literal(italian), REVIEW_ENGLISH)
    assert detect(_ours(italian)).language == "it"
    assert detect("\n".join(_finding_texts(italian))).language == "it"
    # The same draft, for a reader whose Slack is in English in an English team: as it always was.
    assert english["blocks"][0]["text"]["text"] == "✏️ Revise before sending · score 79/100"
    assert _buttons(english) == ["Review again", "Mark as sent", "Got a reply"]
    assert "“rockstar” · Exclusionary wording" in _literal(_menus(english))

    # The message shortcut answers only its picker: in Italian, and so does "nothing to review".
    picked = slack.add_message("CGENERAL", FIRST, user=USER)
    shortcut = {"type": "message_action", "callback_id": "review_as_inmail", "user": {"id": ITALIAN, "team_id": TEAM},
                "channel": {"id": "CGENERAL", "name": "general"}, "message_ts": picked["ts"]}
    before = len(slack.responses)
    assert app.interaction(shortcut | {"trigger_id": "1.2.sc", "response_url": slack.response_url("sc"),
                                       "message": {"type": "message", **picked}}).status_code == 200
    assert app.interaction(shortcut | {"trigger_id": "1.2.empty", "response_url": slack.response_url("empty"),
                                       "message": {"type": "message", **picked, "text": " "}}).status_code == 200
    replies = slack.wait_responses(before + 2)[before:]
    app.drain()
    [review] = [r for r in replies if r.get("blocks") and r["blocks"][0]["type"] == "header"]
    [nothing] = [r for r in replies if r is not review]
    assert " · punteggio " in review["blocks"][0]["text"]["text"] and _buttons(review) == _buttons(italian)
    assert detect(_ours(review)).language == "it"
    assert nothing["text"] == "Quel messaggio non ha testo da controllare."
    _absent(_literal(replies), REVIEW_ENGLISH + ("no text to review",))
    assert slack.violations == []


def test_an_italian_teams_form_its_errors_and_the_sequence_answer(make_app: Any, slack: SlackStandIn) -> None:
    app = make_app(language="it")
    slack.reset()
    assert app.command("", response_url=slack.response_url("modal")).status_code == 200
    [opened] = slack.wait_for("views.open")
    view = opened.args["view"]
    assert (view["title"]["text"], view["submit"]["text"], view["close"]["text"]) == (
        "Controlla un'InMail", "Controlla", "Annulla")
    labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b["type"] == "input"}
    assert (labels["subject"], labels["body"], labels["recipient_company"], labels["follow_up_2"]) == (
        "Oggetto", "Messaggio", "Azienda", "Follow-up 2")
    assert labels["follow_up_1_days"] == "Giorni dopo il primo messaggio"
    assert [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"] == [
        "Il destinatario", "Follow-up (facoltativi)"]
    category = next(b for b in view["blocks"] if b.get("block_id") == "category")["element"]
    assert category["options"][0]["text"]["text"] == "Opportunità di carriera"
    form_english = ("Review an InMail", "Subject", "Paste the draft InMail", "The recipient", "Current title",
                    "Follow-ups (optional)", "Days after", "What you will send", "Pick categories", "Career opportunity",
                    "Comma-separated", "Detect it", "bulk send")
    _absent(_literal(view), form_english)
    assert detect("\n".join(_texts(view, "plain_text"))).language == "it"

    def submit(values: dict[str, str], trigger: str) -> Any:
        state = {k: {"value": {"type": "plain_text_input", "value": v}} for k, v in values.items()}
        return app.interaction({"type": "view_submission", "trigger_id": trigger, "view": {
            "id": opened.response["view"]["id"], "type": "modal", "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"], "state": {"values": state}}})

    # The form's errors come in its ack, in the language the form was shown in.
    refused = submit({"body": "troppo corta", "follow_up_1": "ok", "follow_up_2_days": "3",
                      "follow_up_3": GOOD_FOLLOW_UP, "follow_up_3_days": "400"}, "1.2.bad")
    errors = refused.json()["errors"]
    assert errors == {"body": "Incolla tutta la bozza (almeno 20 caratteri).",
                      "follow_up_1": "Scrivi tutto il follow-up (almeno 10 caratteri), oppure lascialo vuoto.",
                      "follow_up_2": "Scrivi il follow-up a cui si riferiscono questi giorni, oppure cancella i giorni.",
                      "follow_up_3_days": "Un numero intero di giorni da 0 a 365."}
    assert detect("\n".join(errors.values())).language == "it"

    accepted = submit({"body": FIRST, "follow_up_1": BUMP, "follow_up_1_days": "1", "follow_up_2": GOOD_FOLLOW_UP},
                      "1.2.ok")
    assert accepted.status_code == 200 and accepted.text == ""
    review, sequence = (call.args for call in slack.wait_for("chat.postMessage", 2))
    app.drain()
    assert " · punteggio " in review["blocks"][0]["text"]["text"] and _buttons(review)[0] == "Ricontrolla"
    assert sequence["blocks"][0]["text"]["text"] == "La sequenza"
    sections = [b["text"]["text"] for b in sequence["blocks"] if b["type"] == "section"]
    assert sections[0].startswith("*Follow-up 1, 1 giorno dopo:* ") and " · punteggio " in sections[0]
    assert sections[1].startswith("*Follow-up 2:* ") and sections[-1] == "*La sequenza nel suo insieme*"
    assert sequence["text"].startswith("Sequenza di 3 messaggi: ")
    said = _literal(sequence)
    _absent(said, ("The sequence", "Follow-up 1, 1 day later", "day later", "score ", "Sequence of", "finding",
                   "Revise before sending", "Ready to send", "Do not send"))
    assert detect("\n".join(_finding_texts(sequence))).language == "it"
    assert slack.violations == []


class _Failing:
    """The real reviewer, except that a review fails (a bug, a bad pack)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def review(self, draft: Any, context: Any = None) -> Any:
        raise RuntimeError("a bad rule pack")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_the_failure_and_not_saved_replies_are_in_norwegian(make_app: Any, slack: SlackStandIn, reviewer: Any,
                                                            more_dbs: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    failing = make_app(_Failing(reviewer), language="nb")
    slack.reset()
    sorry = command_answer(failing, slack, FIRST, "sorry")
    assert sorry["text"] == "Beklager, utkastet kunne ikke sjekkes (en intern feil er logget). Prøv igjen senere."
    assert detect(sorry["text"]).language == "nb" and "Sorry" not in _literal(sorry)

    # The database refuses the draft three times: the review is answered anyway, marked "not saved".
    monkeypatch.setattr("bot.work.backoff", lambda attempts: 0.05)
    refusing = make_app(language="nb", db=more_dbs())

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(refusing.store, "add_draft", refuse)
    before = len(slack.responses)
    assert refusing.command(FIRST, response_url=slack.response_url("unsaved")).status_code == 200
    unsaved = slack.wait_responses(before + 1, timeout=20)[before]
    refusing.drain()
    [note] = [e["text"] for b in unsaved["blocks"] if b["type"] == "context" for e in b["elements"]
              if e["text"].startswith("Ikke lagret: ")]
    assert note.startswith("Ikke lagret: databasen svarte ikke, så utkastet") and _buttons(unsaved) == []
    assert detect(note).language == "nb"
    _absent(_literal(unsaved), REVIEW_ENGLISH + ("Not saved", "database was not answering"))
