"""Issue 14: App Home, the admins' settings form, the phrase form, the team's rules and the report
upload in Norwegian Bokmål and Italian, through the real app over signed HTTP with the Slack
stand-in. Which language a reader gets: their own choice from App Home's Language menu, else
Slack's locale for them (it-IT), else the team's language from the settings form."""
from __future__ import annotations

import json
import time
from typing import Any

from models.outreach import Outreach
from models.readers import ReaderLanguages
from rules.language import detect
from tests.conftest import TEAM, USER, SlackAppServer
from tests.slack_standin import SlackStandIn, view_problems
from tests.slack_ui import click_home_button, command_answer, form_values, open_home, pick_dismissal, submit_view
from tests.test_import_slack import FIXTURES, open_settings_form, status_text
from tests.test_slack_dismissals import ROCKSTAR, _option
from tests.test_slack_team_rules import PLAIN, SYNERGY, _notice, _status

NORA, GIULIA, ADMIN = "UNORA", "UGIULIA", "UADMIN"  # an Oslo lead, a Milan lead, test_import_slack's admin


def _pick_language(app: SlackAppServer, slack: SlackStandIn, user: str, value: str) -> dict[str, Any] | None:
    """Picks `value` in App Home's Language menu; the App Home published after it, if any."""
    before = len(slack.calls_to("views.publish"))
    response = app.interaction({
        "type": "block_actions", "user": {"id": user, "team_id": TEAM}, "trigger_id": f"1.2.{time.time()}",
        "container": {"type": "view", "view_id": "V0HOME"}, "view": {"id": "V0HOME", "type": "home"},
        "actions": [{"type": "static_select", "action_id": "reader_language", "block_id": "reader_language",
                     "selected_option": {"text": {"type": "plain_text", "text": value}, "value": value},
                     "action_ts": str(time.time())}]})
    assert response.status_code == 200 and response.text == ""
    app.drain()
    calls = slack.calls_to("views.publish")
    return calls[-1].args["view"] if len(calls) > before else None


def submit_settings(app: SlackAppServer, view: dict[str, Any], upload: dict[str, Any] | None) -> Any:
    """The settings form submitted by the admin as shown (`upload` in the file field)."""
    return submit_view(app, view, form_values(view, [upload] if upload else None), ADMIN)


def _texts(value: Any) -> list[str]:
    """Every text a person reads in a view or message (labels, options, sections), in order."""
    if isinstance(value, dict):
        found = [value["text"]] if value.get("type") in ("plain_text", "mrkdwn") and isinstance(value.get("text"), str) else []
        return found + [t for key, v in value.items() if key != "initial_option" for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    found = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    return found + [b["accessory"] for b in view["blocks"] if (b.get("accessory") or {}).get("type") == "button"]


def _menu(view: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == "reader_language")


def _headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _ours(view: dict[str, Any]) -> str:
    """App Home's own words (headers, the Language menu, the team settings and the team's rules),
    without the drafts, rule titles and figures other surfaces write."""
    wanted = {"header", "input"}
    texts = [t for b in view["blocks"] if b["type"] in wanted for t in _texts(b)]
    texts += [b["text"]["text"] for b in view["blocks"] if b["type"] == "section" and b["text"]["type"] == "mrkdwn"
              and b["text"]["text"].startswith("*") and "·" not in b["text"]["text"]]
    return "\n".join(texts)


ENGLISH_HOME = ("Your InMail reviews", "Team settings (admins)", "What the team dismisses", "Edit team settings",
                "Changes to the team's rules", "Add a phrase…")


def test_app_home_speaks_each_readers_language_and_the_menu_changes_it(make_app: Any, slack: SlackStandIn) -> None:
    app = make_app(admins=(NORA, GIULIA))
    slack.reset()
    slack.add_user(NORA, locale="en-US")  # Slack speaks no Norwegian: she picks it in App Home
    slack.add_user(GIULIA, locale="it-IT")
    slack.add_user("U2", locale="it-IT")
    answer = command_answer(app, slack, ROCKSTAR, "cmd")
    before = len(slack.responses)
    pick_dismissal(app, slack, _option(answer, "rockstar"), user="U2", name="colleague")  # not U2's draft: told so, in Italian
    told = slack.wait_responses(before + 1)[before]["text"]
    assert told.startswith(f"Questa è la bozza di <@{USER}>: solo l'autore") and "non è stato scartato nulla" in told
    before = len(slack.responses)
    pick_dismissal(app, slack, _option(answer, "rockstar"), name="kari")  # Kari dismisses it: the admins' App Home lists it
    slack.wait_responses(before + 1)
    app.drain()

    # Giulia's Slack is in Italian: so is her App Home, without her choosing anything.
    home = open_home(app, slack, GIULIA)
    assert view_problems(home, "home") == []
    assert _headers(home) == ["I tuoi controlli InMail", "Impostazioni del team (amministratori)",
                              "Regole del team (amministratori)"]
    menu = _menu(home)
    assert menu["label"]["text"] == "Lingua" and menu["element"]["initial_option"]["value"] == "auto"
    assert [o["text"]["text"] for o in menu["element"]["options"]] == [
        "Automatica (la tua lingua di Slack o quella del team)", "English", "Italiano", "Norsk bokmål"]
    literal = json.dumps(home, ensure_ascii=False)
    assert "*Cosa scarta il team* (segnalazioni marcate «Non pertinente qui», ultimi 90 giorni)" in literal
    assert "scartata 1 volta su 1 bozza da 1 persona · es. «rockstar»" in literal
    assert "Disattiva questa frase per il team" in literal and "Ancora nessuna modifica." in literal
    assert "ogni lunedì alle 9:00 UTC" in literal and "sotto il 13%" in literal
    assert not [english for english in ENGLISH_HOME if english in literal]
    assert detect(_ours(home)).language == "it"

    # Nora's Slack is in English: English until she picks Norsk bokmål, then Norwegian at once.
    home = open_home(app, slack, NORA)
    assert _headers(home)[0] == "Your InMail reviews" and _menu(home)["element"]["initial_option"]["value"] == "auto"
    home = _pick_language(app, slack, NORA, "nb")
    assert home is not None and view_problems(home, "home") == []
    assert ReaderLanguages(app.store).chosen(TEAM, NORA) == "nb"
    assert _menu(home)["label"]["text"] == "Språk"
    assert _menu(home)["element"]["initial_option"] == {"text": {"type": "plain_text", "text": "Norsk bokmål"},
                                                        "value": "nb"}
    assert _headers(home) == ["Dine InMail-vurderinger", "Teaminnstillinger (administratorer)",
                              "Teamets regler (administratorer)"]
    literal = json.dumps(home, ensure_ascii=False)
    assert "avvist 1 gang på 1 utkast av 1 person · f.eks. «rockstar»" in literal
    assert "hver mandag kl. 9:00 UTC" in literal and "under 13\xa0%" in literal
    assert not [english for english in ENGLISH_HOME if english in literal]
    assert detect(_ours(home)).language == "nb"
    assert open_home(app, slack, NORA)["blocks"] == home["blocks"]  # kept: the next App Home is Norwegian too

    # Her click on "Switch this phrase off" is answered in Norwegian, and listed so.
    off = next(b for b in _buttons(home) if b["action_id"] == "team_phrase_off")
    assert off["text"]["text"] == "Slå av denne frasen for teamet"
    click_home_button(app, slack, off, NORA)
    home = slack.calls_to("views.publish")[-1].args["view"]
    notice = _notice(home)
    assert notice.startswith("Ferdig: slått av «rockstar» i ") and notice.endswith(
        "for teamet. Den gjelder fra neste sjekk, i alle prosesser; «Angre» finner du i listen nedenfor.")
    assert "switched off" not in notice and detect(notice).language == "nb"
    listed = next(b for b in home["blocks"] if (b.get("accessory") or {}).get("action_id") == "team_rule_undo")
    assert listed["text"]["text"].startswith(f"<@{NORA}>: slått av «rockstar» i ")
    assert listed["accessory"]["text"]["text"] == "Angre" and "(slått av for teamet)" in json.dumps(home, ensure_ascii=False)

    # A crafted value is no language: nothing stored, nothing published.
    assert _pick_language(app, slack, NORA, "xx") is None and ReaderLanguages(app.store).chosen(TEAM, NORA) == "nb"
    # Automatic again: her choice is forgotten, and Slack's English is back.
    home = _pick_language(app, slack, NORA, "auto")
    assert home is not None and ReaderLanguages(app.store).chosen(TEAM, NORA) is None
    assert _headers(home)[0] == "Your InMail reviews" and _menu(home)["element"]["initial_option"]["value"] == "auto"
    assert slack.violations == []


def test_the_team_language_is_set_in_the_settings_form_and_checked_on_the_server(make_app: Any,
                                                                                 slack: SlackStandIn) -> None:
    app = make_app(admins=(ADMIN,))
    slack.reset()
    slack.add_user(ADMIN, locale="de-DE")  # a language the app does not speak: the team's is hers
    assert _headers(open_home(app, slack, ADMIN))[:2] == ["Your InMail reviews", "Team settings (admins)"]
    form = open_settings_form(app, slack)
    assert view_problems(form, "modal") == []
    language = _block(form, "language")
    assert language["label"]["text"] == "Team language" and language["element"]["initial_option"]["value"] == "en"
    assert [(o["value"], o["text"]["text"]) for o in language["element"]["options"]] == [
        ("en", "English"), ("it", "Italiano"), ("nb", "Norsk bokmål")]

    def chosen(view: dict[str, Any], value: str) -> dict[str, Any]:
        shown = json.loads(json.dumps(view))
        element = _block(shown, "language")["element"]
        element["initial_option"] = {"text": {"type": "plain_text", "text": value}, "value": value}
        return shown

    # A crafted value is refused under the field, and nothing is saved.
    response = submit_settings(app, chosen(form, "klingon"), None)
    assert response.json() == {"response_action": "errors", "errors": {"language": "One of the languages listed."}}
    app.drain()
    assert app.store.rows("SELECT * FROM team_settings", ()) == []
    # Italian: saved, and her App Home comes back in it.
    before = len(slack.calls_to("views.publish"))
    assert submit_settings(app, chosen(form, "it"), None).text == ""
    app.drain()
    assert Outreach(app.store).settings.get(TEAM).language == "it"
    home = slack.wait_for("views.publish", before + 1)[-1].args["view"]
    assert _headers(home)[:2] == ["I tuoi controlli InMail", "Impostazioni del team (amministratori)"]
    summary = next(e["text"] for b in home["blocks"] if b["type"] == "context" for e in b["elements"]
                   if e["text"].startswith("Notifiche:"))
    assert "ogni lunedì alle 9:00 UTC" in summary and "testo delle bozze conservato 30 g" in summary
    assert detect(summary).language == "it"

    # The form is in Italian now, and so are its errors, which the ack says without asking anyone.
    slack.reset()
    form = open_settings_form(app, slack)
    assert form["title"]["text"] == "Impostazioni del team" and form["submit"]["text"] == "Salva"
    assert json.loads(form["private_metadata"]) == {"lang": "it"}
    assert _block(form, "language")["element"]["initial_option"]["value"] == "it"
    labels = [b["label"]["text"] for b in form["blocks"] if b["type"] == "input"]
    assert labels[:4] == ["Canale delle notifiche", "Canale del riepilogo", "Giorno del riepilogo",
                          "Ora del riepilogo (0–23)"]
    english = ("Alert channel", "Response window (days)", "Dates in the report", "Team language")
    form_text = "\n".join(_texts(form["blocks"]))
    assert not [e for e in english if e in form_text] and detect(form_text).language == "it"
    crafted = json.loads(json.dumps(form))
    _block(crafted, "digest_hour")["element"]["initial_value"] = "25"
    response = submit_settings(app, crafted, None)
    assert response.json()["errors"] == {"digest_hour": "Un numero intero da 0 a 23."}
    assert slack.violations == []


def test_the_phrase_form_and_its_preview_in_italian(make_app: Any, slack: SlackStandIn) -> None:
    app = make_app(admins=(GIULIA,))
    slack.reset()
    slack.add_user(GIULIA, locale="it-IT")
    for n, name in enumerate(("Kari", "Ola", "Nora")):
        command_answer(app, slack, (SYNERGY if n < 2 else PLAIN).format(name=name), f"d{n}")
    add = next(b for b in _buttons(open_home(app, slack, GIULIA)) if b["action_id"] == "team_add_phrase")
    assert add["text"]["text"] == "Aggiungi una frase…"
    click_home_button(app, slack, add, GIULIA)
    [opened] = slack.wait_for("views.open")
    form = opened.response["view"]
    assert view_problems(form, "modal") == []
    assert (form["title"]["text"], form["submit"]["text"], form["close"]["text"]) == (
        "Aggiungi una frase", "Anteprima", "Annulla")
    language, level = _block(form, "language")["element"], _block(form, "level")["element"]
    assert [o["text"]["text"] for o in language["options"]] == ["Inglese", "Italiano", "Norvegese bokmål"]
    assert [o["text"]["text"] for o in level["options"]] == ["Errore", "Avviso", "Suggerimento"]
    form_text = "\n".join(_texts(form["blocks"]))
    assert not [e for e in ("Which kind of finding", "What to write instead", "whole words") if e in form_text]
    assert detect(form_text).language == "it"
    # What the form itself can tell, in its language, from the ack.
    response = submit_view(app, form, form_values(form, phrase="  ", suggestion=""), user=GIULIA)
    assert response.json() == {"response_action": "errors",
                               "errors": {"phrase": "Scrivi la frase: almeno una lettera o una cifra."}}
    response = submit_view(app, form, form_values(form, phrase="synergy", level="warning"), user=GIULIA)
    assert response.json()["view"]["blocks"][-1]["text"]["text"] == ("Controllo la frase e la provo sulle ultime bozze "
                                                                      "del team…")
    app.drain()
    previewed = slack.wait_for("views.update")[-1].args["view"]
    status = _status(previewed)
    assert status == ("«synergy» avrebbe segnalato 2 su 3 bozze il cui testo è ancora conservato (3 in inglese). Si "
                      "possono provare solo le bozze il cui testo è ancora conservato (il team conserva il testo delle "
                      "bozze per 30 giorni); le più vecchie non sono contate. Scegli «Salva la frase» per aggiungerla, "
                      "oppure modificala e rifai l'anteprima.")
    assert detect(status).language == "it" and previewed["submit"]["text"] == "Salva la frase"
    previewed["id"] = form["id"]
    assert submit_view(app, previewed, form_values(previewed), user=GIULIA).text == ""
    app.drain()
    notice = _notice(slack.calls_to("views.publish")[-1].args["view"])
    assert notice.startswith("Fatto: aggiunta la frase «synergy» a generic-template come avviso (inglese). Vale dal "
                             "prossimo controllo")
    assert slack.violations == []


def test_the_report_upload_answers_in_the_admins_language(app: SlackAppServer, slack: SlackStandIn) -> None:
    slack.add_user(ADMIN, is_admin=True)
    slack.add_user("U1", name="kari", email="kari@acme.example")
    slack.add_user("U2", name="ola", real_name="Ola Hansen")
    assert _pick_language(app, slack, ADMIN, "nb") is not None
    form = open_settings_form(app, slack)
    assert form["title"]["text"] == "Teaminnstillinger" and _block(form, "import_file")["label"]["text"] == (
        "Importer InMail-rapporten fra LinkedIn Recruiter (CSV)")
    report = (FIXTURES / "linkedin_owner_semicolon.csv").read_text(encoding="utf-8").encode("utf-16")
    shared = slack.add_file("InMail report.csv", report, user=ADMIN)
    acked = submit_settings(app, form, {"id": shared["id"], "name": shared["name"]}).json()
    assert status_text(acked["view"]) == "Importerer InMail report.csv… resultatet vises her."
    [updated] = slack.wait_for("views.update")
    result = status_text(updated.args["view"])
    assert result.startswith("InMail report.csv: 2 rader importert for teamet T0TEAM: 2 lagt til, 0 oppdatert, "
                             "0 uendret; 0 hoppet over")
    assert "tallene for hver periode ble fordelt jevnt over periodens dager" in result
    assert "linje 5: hoppet over (sumrad)" in result and "'Ola Hansen' er U2 (funnet i Slack)" in result
    assert not [e for e in ("rows imported", "found in Slack", "totals row") if e in result]
    assert detect(result).language == "nb"
    assert view_problems(updated.args["view"], "modal") == [] and slack.violations == []
