"""Outreach from Slack over real HTTP: `/inmail log|stats|forget-me`, the outcome buttons and
their follow-ups (bulk count form, accepted/declined), and the figures in App Home."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any

from bot.blocks import draft_modal
from bot.listeners.views import draft_from_form
from bot.scheduler import Scheduler
from models.digest import week_of
from models.outreach import Outreach
from models.team_settings import TeamSettings
from models.policy import DAY, current_period, initial_status
from tests.conftest import TEAM, USER, SlackAppServer
from tests.slack_standin import SlackStandIn, block_problems
from tests.slack_ui import click_message_button

DRAFT = ("Hi Kari, your talk on Kafka consumer groups at JavaZone was excellent. We are building the payments "
         "platform at Vipps. Would you be open to a 15-minute call next week?")




def _ack_text(response: Any) -> str:
    assert response.status_code == 200
    return response.json()["blocks"][0]["text"]["text"]


def _review(app: SlackAppServer, slack: SlackStandIn) -> str:
    assert app.command(DRAFT, response_url=slack.response_url("cmd")).status_code == 200
    [answer] = slack.wait_responses(1)
    app.drain()
    return next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]["value"]


def test_log_records_once_per_command_and_explains_mistakes(app: SlackAppServer, slack: SlackStandIn) -> None:
    logged = app.command("log sent 40 replied 6 bulk", response_url=slack.response_url("log"), trigger_id="777.1.a")
    assert logged.status_code == 200 and logged.text == ""  # recorded by queued work, answered at the response_url
    assert slack.wait_responses(1)[0]["text"] == "Logged 40 bulk InMails sent and 6 replies."
    # The user retries (say the first ack went missing): the same figures moments later are one batch.
    again = app.command("log sent 40 replied 6 bulk", response_url=slack.response_url("again"), trigger_id="777.1.b")
    assert again.status_code == 200
    assert "taken as a repeat and not counted again" in slack.wait_responses(2)[1]["text"]
    assert "Usage" in _ack_text(app.command("log sent lots", response_url=slack.response_url("x")))
    assert "cannot exceed" in _ack_text(app.command("LOG SENT 3 replied 5", response_url=slack.response_url("x")))
    app.drain()
    [row] = app.store.rows("SELECT user_id, source, sent, replied, bulk, pending FROM outreach WHERE team_id = ?", (TEAM,))
    assert row == {"user_id": USER, "source": "log", "sent": 40, "replied": 6, "bulk": 1, "pending": 34}
    assert app.command("stats", response_url=slack.response_url("stats")).text == ""
    stats = slack.wait_responses(3)[2]["blocks"][0]["text"]["text"]
    assert "40 InMails sent · 6 responses · response rate 15%" in stats and "normal" in stats
    app.drain()
    # None of these was reviewed as a draft; the one Web API call asked the reader's Slack
    # language, once for all five answers.
    assert [c.method for c in slack.calls] == ["users.info"] and app.store.recent_reviews(TEAM, USER) == []


def test_buttons_and_their_follow_ups(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft_id = _review(app, slack)
    click_message_button(app, slack, "mark_sent", draft_id, name="sent")
    sent = slack.wait_responses(2)[1]
    assert [e["action_id"] for b in sent["blocks"] if b["type"] == "actions" for e in b["elements"]] == ["sent_bulk"]
    click_message_button(app, slack, "sent_bulk", draft_id, name="bulk")
    [opened] = slack.wait_for("views.open")
    view = opened.args["view"]

    def submit(count: str) -> Any:
        values = {"count": {"value": {"type": "number_input", "value": count}}}
        return app.interaction({"type": "view_submission", "trigger_id": "1.2.v", "view": {
            "id": opened.response["view"]["id"], "type": "modal", "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"], "state": {"values": values}}})

    assert submit("0").json()["response_action"] == "errors"
    assert submit("25").text == ""
    [confirmation] = slack.wait_for("chat.postMessage")
    assert "25 InMails sent in bulk" in confirmation.args["text"]
    app.drain()
    [row] = app.store.rows("SELECT sent, bulk, replied, pending, source FROM outreach", ())
    assert row == {"sent": 25, "bulk": 1, "replied": 0, "pending": 25, "source": "button"}
    assert slack.violations == []


def test_a_one_to_one_reply_is_accepted_or_declined(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft_id = _review(app, slack)
    click_message_button(app, slack, "got_reply", draft_id, name="reply")
    reply = slack.wait_responses(2)[1]
    assert [e["action_id"] for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "reply_accepted", "reply_declined"]
    click_message_button(app, slack, "reply_declined", draft_id, name="declined")
    assert slack.wait_responses(3)[2]["text"] == "Reply recorded as declined."
    click_message_button(app, slack, "got_reply", draft_id, name="again")
    assert slack.wait_responses(4)[3]["text"] == "A reply to this draft was already recorded."
    app.drain()
    [row] = app.store.rows("SELECT sent, bulk, replied, accepted, declined, pending, source FROM outreach", ())
    assert row == {"sent": 1, "bulk": 0, "replied": 1, "accepted": 0, "declined": 1, "pending": 0, "source": "button"}
    assert slack.violations == []


def _submit_view(app: SlackAppServer, opened: Any, values: dict[str, Any], trigger: str) -> Any:
    view = opened.args["view"]
    return app.interaction({"type": "view_submission", "user": {"id": USER, "team_id": TEAM}, "trigger_id": trigger,
                            "view": {"id": opened.response["view"]["id"], "type": "modal",
                                     "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
                                     "state": {"values": values}}})


def test_a_bulk_sends_replies_are_counts_added_up_over_time(app: SlackAppServer, slack: SlackStandIn) -> None:
    """Issue 11 item 2: "Mark as sent → bulk → 250" then replies as counts, accepted and declined
    apart, added up over several submissions; never more replies than sends."""
    draft_id = _review(app, slack)
    click_message_button(app, slack, "mark_sent", draft_id, name="sent")
    slack.wait_responses(2)
    click_message_button(app, slack, "sent_bulk", draft_id, name="bulk")
    [bulk_form] = slack.wait_for("views.open")
    number = lambda n: {"value": {"type": "number_input", "value": n}}  # noqa: E731
    assert _submit_view(app, bulk_form, {"count": number("250")}, "1.2.b").text == ""
    slack.wait_for("chat.postMessage")

    def replies(accepted: str | None, declined: str | None, name: str) -> Any:
        opened_before = len(slack.calls_to("views.open"))
        click_message_button(app, slack, "got_reply", draft_id, name=name)
        opened = slack.wait_for("views.open", opened_before + 1)[-1]
        assert opened.args["view"]["callback_id"] == "inmail_replies"
        values = {"accepted": number(accepted), "declined": number(declined)}
        return _submit_view(app, opened, values, f"1.2.{name}")

    assert replies(None, None, "empty").json()["errors"] == {"accepted": "Enter how many accepted or declined (or both)."}
    assert replies("20", "10", "first").text == ""
    assert "Added 30 replies (20 accepted, 10 declined). 30 of 250 InMails" in slack.wait_for("chat.postMessage", 2)[1].args["text"]
    assert replies("5", None, "second").text == ""
    assert "35 of 250 InMails" in slack.wait_for("chat.postMessage", 3)[2].args["text"]
    assert replies("300", None, "too many").text == ""
    assert "Nothing was added" in slack.wait_for("chat.postMessage", 4)[3].args["text"]
    app.drain()
    [row] = app.store.rows("SELECT sent, replied, accepted, declined, pending FROM outreach", ())
    assert row == {"sent": 250, "replied": 35, "accepted": 25, "declined": 10, "pending": 215}
    assert app.command("stats", response_url=slack.response_url("stats")).text == ""
    assert "250 InMails sent · 35 responses" in slack.wait_responses(3)[2]["blocks"][0]["text"]["text"]
    assert slack.violations == []


def test_log_takes_any_order_separators_and_replies_to_earlier_sends(app: SlackAppServer, slack: SlackStandIn) -> None:
    """Issue 11 item 2: `/inmail log` parts in any order, "1,000" / "1 000" / "1.000", and replies
    to earlier sends (`log replied 30`, `log accepted 20 declined 10`) that never exceed the sends."""
    said: list[str] = []

    def log(text: str) -> str:
        answered = len(slack.responses)
        response = app.command(text, response_url=slack.response_url(f"log{len(said)}"), trigger_id=f"9.{len(said)}")
        if response.text:
            said.append(_ack_text(response))
        else:
            said.append(slack.wait_responses(answered + 1)[-1]["text"])
        return said[-1]

    assert log("log bulk replied 6 sent 1,000") == "Logged 1,000 bulk InMails sent and 6 replies."
    assert log("log 1 000 sent") == "Logged 1,000 InMails sent."
    assert log("log sent 1.000 accepted 1 declined 2") == "Logged 1,000 InMails sent and 3 replies (1 accepted, 2 declined)."
    assert log("log replied 30") == "Logged 30 replies to your InMails of the last 30 days."
    assert log("log declined 10 accepted 20") == "Logged 30 replies (20 accepted, 10 declined) to your InMails of the last 30 days."
    assert log("log replied 5,000").startswith("Nothing was logged: 5,000 replies would be more than your sends.")
    assert "Usage" in log("log bulk replied 5") and "Usage" in log("log sent 5 sent 6")
    assert "more than 3 replies" in log("log sent 9 replied 3 accepted 4")
    app.drain()
    rows = app.store.rows("SELECT sent, replied, accepted, declined, pending FROM outreach ORDER BY at", ())
    assert sum(r["sent"] for r in rows) == 3000 and sum(r["replied"] for r in rows) == 6 + 3 + 60
    assert sum(r["accepted"] for r in rows) == 21 and sum(r["declined"] for r in rows) == 12
    assert all(r["pending"] == r["sent"] - r["replied"] >= 0 for r in rows)
    assert app.store.recent_reviews(TEAM, USER) == []


def test_forget_me_deletes_the_callers_draft_text_only(app: SlackAppServer, slack: SlackStandIn) -> None:
    draft_id = _review(app, slack)
    other = app.command(DRAFT, response_url=slack.response_url("other"), user="U2")
    assert other.status_code == 200
    slack.wait_responses(2)
    app.drain()
    assert app.command("forget-me", response_url=slack.response_url("forget")).status_code == 200
    answer = slack.wait_responses(3)[2]
    assert answer["text"] == "Done: the text of 1 draft of yours is deleted."
    app.drain()
    assert app.store.draft(TEAM, draft_id)["text"] is None
    assert app.store.rows("SELECT COUNT(*) AS n FROM drafts WHERE user_id = 'U2' AND text IS NOT NULL", ())[0]["n"] == 1
    assert app.store.reviews(TEAM, draft_id)  # figures and findings stay


def test_app_home_shows_figures_and_status(app: SlackAppServer, slack: SlackStandIn) -> None:
    _review(app, slack)
    outreach = Outreach(app.store)
    now = time.time()
    outreach.sends.record(TEAM, USER, "log:home", "log", sent=120, at=now - 3600, replied=30, responded_at=now - 60)
    app.store.execute("INSERT INTO policy_status (team_id, user_id, prev_id, state, since, until, sent, responses, "
                      "reason, recorded_at) VALUES (?, ?, 0, 'warned', ?, ?, 120, 10, 'test', ?)",
                      (TEAM, USER, now - 86400, now + 13 * 86400, now))
    event = {"type": "app_home_opened", "user": USER, "channel": "DHOME", "tab": "home", "event_ts": "1.1"}
    assert app.event(event).status_code == 200
    [publish] = slack.wait_for("views.publish")
    figures = next(e["text"] for b in publish.args["view"]["blocks"] if b["type"] == "context" for e in b["elements"]
                   if "Your last" in e["text"])
    assert "1 draft reviewed" in figures and "120 InMails sent · 30 responses · response rate 25%" in figures
    assert "⚠️ warned until" in figures and "1 recruiter warned or restricted" in figures
    assert slack.violations == []


def test_admins_edit_team_settings_from_app_home(app: SlackAppServer, slack: SlackStandIn) -> None:
    slack.add_user("UADMIN", is_admin=True)
    for user in (USER, "UADMIN"):
        app.event({"type": "app_home_opened", "user": user, "channel": "DHOME", "tab": "home", "event_ts": "1.1"})
    published = {call.args["user_id"]: call.args["view"] for call in slack.wait_for("views.publish", 2)}
    headers = {user: [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"] for user, view in published.items()}
    assert "Team settings (admins)" in headers["UADMIN"] and "Team settings (admins)" not in headers[USER]
    click_message_button(app, slack, "edit_team_settings", "edit", name="settings", user=USER)
    app.drain()
    assert slack.calls_to("views.open") == []  # not an admin: no form
    click_message_button(app, slack, "edit_team_settings", "edit", name="settings", user="UADMIN")
    [opened] = slack.wait_for("views.open")
    view = opened.args["view"]

    def submit(user: str, **changes: Any) -> Any:
        values = {b["block_id"]: {"value": {"type": b["element"]["type"], "value": b["element"].get("initial_value")}}
                  for b in view["blocks"]}
        values["digest_weekday"] = {"value": {"type": "static_select", "selected_option": {"value": "4"}}}
        values["digest_channel"] = {"value": {"type": "conversations_select", "selected_conversation": "CDIGEST"}}
        for block_id, value in changes.items():
            values[block_id]["value"]["value"] = value
        return app.interaction({"type": "view_submission", "user": {"id": user, "team_id": TEAM}, "trigger_id": "1.2.s",
                                "view": {"id": opened.response["view"]["id"], "type": "modal",
                                         "callback_id": view["callback_id"], "state": {"values": values}}})

    assert "timezone" in submit("UADMIN", timezone="Mars/Olympus").json()["errors"]
    assert "threshold" in submit("UADMIN", threshold="130").json()["errors"]
    assert submit(USER, threshold="20").json()["response_action"] == "errors"
    assert submit("UADMIN", threshold="20", digest_hour="16", timezone="Europe/Oslo").text == ""
    app.drain()
    saved = Outreach(app.store).settings.get(TEAM)
    assert (saved.policy.threshold, saved.digest_hour, saved.digest_weekday, saved.timezone, saved.digest_channel) == (
        0.2, 16, 4, "Europe/Oslo", "CDIGEST")
    assert Outreach(app.store).settings.get("T0OTHER").policy.threshold == 0.13
    republished = slack.wait_for("views.publish", 3)[-1].args["view"]
    assert any("under 20%" in e["text"] and "<#CDIGEST>" in e["text"] for b in republished["blocks"]
               if b["type"] == "context" for e in b["elements"])
    assert slack.violations == []


def test_the_draft_form_asks_whether_it_is_a_bulk_send() -> None:
    view = draft_modal({"channel": "C1"})
    [bulk] = [b for b in view["blocks"] if b.get("block_id") == "bulk"]
    assert bulk["optional"] and bulk["element"]["type"] == "checkboxes"
    values = {"body": {"value": {"type": "plain_text_input", "value": DRAFT}},
              "bulk": {"value": {"type": "checkboxes", "selected_options": [bulk["element"]["options"][0]]}}}
    assert draft_from_form(values).bulk and not draft_from_form({"body": values["body"]}).bulk
    assert block_problems(view["blocks"]) == []


def test_outcome_buttons_belong_to_the_drafts_author(app: SlackAppServer, slack: SlackStandIn) -> None:
    """Issue 11 item 1: in a drafts channel everyone sees the buttons; a lead's click on Kari's
    draft records nothing and says whose draft it is, and Kari's own click still works."""
    draft_id = _review(app, slack)
    for n, action_id in enumerate(("mark_sent", "got_reply", "reply_accepted", "sent_bulk")):
        click_message_button(app, slack, action_id, draft_id, name=f"lead{n}", user="ULEAD")
        told = slack.wait_responses(2 + n)[1 + n]
        assert told["response_type"] == "ephemeral" and f"<@{USER}>'s draft" in told["text"]
        assert "nothing was recorded" in told["text"]
    app.drain()
    assert app.store.rows("SELECT * FROM outreach", ()) == [] and app.store.outcomes(TEAM) == []
    assert slack.calls_to("views.open") == []  # no bulk form for someone else's draft
    click_message_button(app, slack, "mark_sent", draft_id, name="author")
    assert slack.wait_responses(6)[5]["text"].startswith("Marked as sent.")
    app.drain()
    [row] = app.store.rows("SELECT user_id, sent FROM outreach WHERE team_id = ?", (TEAM,))
    assert row == {"user_id": USER, "sent": 1}
    assert slack.violations == []


def test_each_teams_digest_is_its_own(make_app: Any, slack: SlackStandIn) -> None:
    """Issue 11 item 8: the outbox keys carry the team, so one team's posted digest is not taken as
    another's (a retried delivery looks for its own key in the channel); a team with no digest
    channel of its own gets none, not the bot token's workspace's channel."""
    app = make_app(digest_channel="CDIGEST")
    slack.reset()
    for team in (TEAM, "T0OTHER", "T0THIRD"):
        assert app.command("log sent 40 replied 6", response_url=slack.response_url(team), team_id=team).text == ""
    slack.wait_responses(3)
    app.drain()
    Outreach(app.store).settings.save("T0OTHER", TeamSettings(digest_channel="CDIGEST"))  # same channel, say
    now = time.time()
    wednesday = week_of(now, "UTC").start + 9.5 * 86400  # next week's Wednesday: last week's digest is due
    scheduler = Scheduler(app.store, app.app.client, app.settings)
    slack.fail("chat.postMessage", status=500)  # the first digest's first try fails; it is retried later
    scheduler.tick(wednesday)
    scheduler.tick(wednesday + 3600)
    posts = [c for c in slack.calls_to("chat.postMessage") if c.response and c.response.get("ok")]
    keys = sorted(c.args["metadata"]["event_payload"]["delivery"] for c in posts)
    label = week_of(now, "UTC").label
    assert keys == sorted([f"digest:{TEAM}:{label}", f"digest:T0OTHER:{label}"])
    assert {c.args["channel"] for c in posts} == {"CDIGEST"}
    kinds = {(r["team_id"], r["kind"]) for r in app.store.rows("SELECT team_id, kind FROM deliveries", ())}
    assert ("T0THIRD", "digest") not in kinds  # no channel of its own: no digest
    assert all(r["posted_at"] for r in app.store.rows("SELECT posted_at FROM deliveries", ()))


def test_the_current_period_shows_who_is_at_risk_and_is_judged_when_figures_change(app: SlackAppServer,
                                                                                  slack: SlackStandIn) -> None:
    """Issue 11 item 3: after `log sent 150 replied 5` (3%) stats and App Home show the current
    period as LinkedIn judges it and "at risk"; the recruiter gets one DM for the period; and a
    completed period under the threshold is judged as soon as figures change, not at the next tick."""
    assert app.command("log sent 150 replied 5", response_url=slack.response_url("log")).text == ""
    slack.wait_responses(1)
    assert app.command("stats", response_url=slack.response_url("stats")).text == ""
    stats = slack.wait_responses(2)[1]["blocks"][0]["text"]["text"]
    assert "*Current period (" in stats and "150 InMails sent · 0 accepted · 0 declined · 145 pending" in stats
    assert "response rate 3%" in stats and "⚠️ *At risk:* under 13% with 150 sends" in stats
    assert "If it stays under: a warning for 14 days, then one-to-one InMails only for 14 days" in stats
    assert "*Response-rate policy:* normal · ⚠️ at risk" in stats and "*Your last 30 days:*" in stats
    app.event({"type": "app_home_opened", "user": USER, "channel": "DHOME", "tab": "home", "event_ts": "1.1"})
    [publish] = slack.wait_for("views.publish")
    assert "At risk:* under 13%" in json.dumps(publish.args["view"], ensure_ascii=False)
    scheduler = Scheduler(app.store, app.app.client, app.settings)
    now = time.time()
    scheduler.tick(now)
    assert app.command("log sent 10", response_url=slack.response_url("more")).text == ""
    slack.wait_responses(3)
    app.drain()
    scheduler.tick(now + 120)
    [dm] = [c for c in slack.calls_to("chat.postMessage") if "heading under the threshold" in c.args["text"]]
    assert dm.args["channel"].startswith("D") and "160 InMails sent" not in dm.args["text"]  # once per period
    assert "150 InMails sent" in dm.args["text"] and "at risk" in dm.args["text"].lower()
    # U2's last completed period (imported) was under 13%; the next figure they log gets it judged at once.
    config = Outreach(app.store).settings.get(TEAM).policy
    previous = current_period(initial_status(config), now, config).start - config.period_days * DAY
    Outreach(app.store).sends.record(TEAM, "U2", "import:U2:p", "import", sent=120, at=previous + 3600)
    assert app.command("log sent 1", response_url=slack.response_url("u2"), user="U2").text == ""
    slack.wait_responses(4)
    app.drain()
    assert [r["state"] for r in Outreach(app.store).statuses.history(TEAM, "U2")] == ["warned"]
    assert slack.violations == []


MASS = "Dear Candidate, I came across your profile and was impressed. Exciting opportunity! Let me know."


def test_alert_tips_describe_rules_from_the_recruiters_own_drafts(app: SlackAppServer, slack: SlackStandIn) -> None:
    """Issue 11 item 4: the warning DM's tips name each rule by its title with what to do (no
    quoted draft text, no count of a whole rule next to one instance's words, no command-line
    advice), skip policy findings, and a recruiter known only from an import gets the team's tips."""
    slack.add_user("U9")
    now = time.time()
    app.store.execute("INSERT INTO policy_status (team_id, user_id, prev_id, state, since, until, sent, responses, "
                      "reason, recorded_at) VALUES (?, ?, 0, 'one_to_one', ?, ?, 120, 10, 'test', ?)",
                      (TEAM, USER, now - 86400, now + 13 * 86400, now))
    for n in range(2):
        assert app.command(f"{MASS} ({n})", response_url=slack.response_url(f"m{n}")).text == ""
    values = {"body": {"value": {"type": "plain_text_input", "value": MASS}},
              "bulk": {"value": {"type": "checkboxes", "selected_options": [{"value": "bulk"}]}}}
    view = draft_modal({"channel": None})
    assert app.interaction({"type": "view_submission", "trigger_id": "1.2.f", "view": {
        "id": "V1", "type": "modal", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
        "state": {"values": values}}}).status_code == 200
    slack.wait_responses(2)
    slack.wait_for("chat.postMessage")
    app.drain()
    assert any("bulk-restricted" in r["findings"] for r in app.store.rows("SELECT findings FROM reviews", ()))
    app.store.execute("DELETE FROM policy_status")
    config = Outreach(app.store).settings.get(TEAM).policy
    previous = current_period(initial_status(config), now, config).start - config.period_days * DAY
    for user in (USER, "U9"):  # U9 is known only from an import
        Outreach(app.store).sends.record(TEAM, user, f"import:{user}:p", "import", sent=120, at=previous + 3600)
    Scheduler(app.store, app.app.client, app.settings).tick(now)
    dms = {c.args["channel"]: c.args for c in slack.calls_to("chat.postMessage") if "Response rate warning" in c.args["text"]
           and c.args["channel"].startswith("D")}
    opened = {c.response["channel"]["id"]: c.args["users"] for c in slack.calls_to("conversations.open")}
    by_user = {opened[channel]: json.dumps(args["blocks"], ensure_ascii=False) for channel, args in dms.items()}
    own = by_user[USER]
    assert "What your own recent drafts suggest" in own and "*Generic salutation:* Greet the person by name" in own
    assert "(in 3 of your recent drafts)" in own
    for text in by_user.values():
        assert "“" not in text and "×" not in text and "--recipient" not in text and "bulk" not in text.lower()
    assert "Tips for the next InMails" in by_user["U9"] and "*Generic salutation:*" in by_user["U9"]
    assert slack.violations == []


def test_the_policy_numbers_shown_are_the_teams(app: SlackAppServer, slack: SlackStandIn) -> None:
    """Issue 11 item 11: with the team's threshold at 20% and restrictions of 21 days, the
    bulk-restricted finding, stats and the early warning name those numbers, not 13% and 14 days."""
    outreach = Outreach(app.store)
    base = outreach.settings.get(TEAM)
    outreach.settings.save(TEAM, TeamSettings.from_values({"policy": {"threshold": 0.2, "restrict_days": 21}}, base))
    now = time.time()
    app.store.execute("INSERT INTO policy_status (team_id, user_id, prev_id, state, since, until, sent, responses, "
                      "reason, recorded_at) VALUES (?, ?, 0, 'one_to_one', ?, ?, 120, 10, 'test', ?)",
                      (TEAM, USER, now - 86400, now + 20 * 86400, now))
    values = {"body": {"value": {"type": "plain_text_input", "value": DRAFT}},
              "bulk": {"value": {"type": "checkboxes", "selected_options": [{"value": "bulk"}]}}}
    view = draft_modal({"channel": None})
    assert app.interaction({"type": "view_submission", "trigger_id": "1.2.f", "view": {
        "id": "V1", "type": "modal", "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
        "state": {"values": values}}}).status_code == 200
    [answer] = slack.wait_for("chat.postMessage")
    shown = json.dumps(answer.args["blocks"], ensure_ascii=False)
    assert "under 20% after the warning" in shown and "off for 21 days" in shown and "back at 20% or more" in shown
    assert "13%" not in shown and "14 days" not in shown
    assert app.command("log sent 150 replied 25", response_url=slack.response_url("log")).text == ""
    slack.wait_responses(1)
    assert app.command("stats", response_url=slack.response_url("stats")).text == ""
    stats = slack.wait_responses(2)[1]["text"]
    assert "At risk: under 20% with 150 sends" in stats and "another 21 days of one-to-one InMails only" in stats
    assert "13%" not in stats
    assert slack.violations == []


def test_the_digest_a_lead_reads(make_app: Any, slack: SlackStandIn) -> None:
    """Issue 11 item 7: findings by title, a tip that stands alone, weeks named by their dates, the
    chart said to be in the thread (and uploaded there), no digest for a week before the first
    draft, and a Thursday digest covering the last full week, posted on its day."""
    app = make_app()
    slack.reset()
    for n in range(2):
        assert app.command(f"{MASS} ({n})", response_url=slack.response_url(f"m{n}")).text == ""
    assert app.command("log sent 40 replied 6", response_url=slack.response_url("log")).text == ""
    slack.wait_responses(3)
    app.drain()
    Outreach(app.store).settings.save(TEAM, TeamSettings(digest_channel="CDIGEST", digest_weekday=3, digest_hour=9))
    now = time.time()
    this_week = week_of(now, "UTC")
    scheduler = Scheduler(app.store, app.app.client, app.settings)
    scheduler.tick(this_week.start + 3 * 86400 + 10 * 3600)  # this Thursday: last week was before the first draft
    assert slack.calls_to("chat.postMessage") == []
    scheduler.tick(this_week.start + 10 * 86400 + 8 * 3600)  # next Thursday 08:00: not yet
    assert slack.calls_to("chat.postMessage") == []
    scheduler.tick(this_week.start + 10 * 86400 + 9 * 3600)  # 09:00: this week's digest, a full week
    [post] = slack.calls_to("chat.postMessage")
    text = json.dumps(post.args["blocks"], ensure_ascii=False)
    first, last = (datetime.fromtimestamp(t, timezone.utc) for t in (this_week.start, this_week.end - 1))
    named = f"{first:%-d}–{last:%-d %b %Y}" if first.month == last.month else f"{first:%-d %b} – {last:%-d %b %Y}"
    assert f"InMail digest · {named}" in text and "this week" not in text and "last week" not in text
    assert "Generic salutation: in 2 drafts" in text and "generic-template/" not in text
    assert "Tip of the week:* " in text and "“" not in text
    assert "The chart of the team's weekly response rate is in this message's thread." in text
    [chart] = slack.uploads.values()
    assert chart.channel == "CDIGEST" and chart.data.startswith(b"\x89PNG")
    assert slack.violations == []
