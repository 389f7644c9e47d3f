"""Which language each reader gets (bot/readers.py), against the Slack stand-in and a real SQLite
file: their own choice, else Slack's locale when it is not English, else the team's, else English;
Slack asked once a day per person, a failed ask not repeated at once."""
from dataclasses import replace

from slack_sdk import WebClient

from bot.readers import FAILED_TTL_S, LOCALE_TTL_S, Readers
from bot.settings import interface_language
from models.outreach import Outreach
from models.store import Store
from tests.conftest import BOT_TOKEN, TEAM
from tests.slack_standin import SlackStandIn

import pytest


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def readers(slack: SlackStandIn, db_url: str, clock: Clock) -> Readers:
    store = Store.open(db_url)
    return Readers(Outreach(store), WebClient(token=BOT_TOKEN, base_url=slack.api_url), clock=clock)


def test_the_chain_of_choice(slack: SlackStandIn, db_url: str) -> None:
    slack.add_user("UIT", locale="it-IT")
    slack.add_user("UEN", locale="en-GB")
    slack.add_user("UDE", locale="de-DE")
    found = readers(slack, db_url, Clock())
    assert found.language(TEAM, "UIT") == "it"  # Slack's Italian
    assert found.language(TEAM, "UEN") == "en" and found.language(TEAM, "UDE") == "en"  # the team's: English
    found.outreach.settings.save(TEAM, replace(found.outreach.settings.get(TEAM), language="nb"))
    assert found.language(TEAM, "UEN") == "nb"  # Slack's English is no choice: the team says Norwegian
    assert found.language(TEAM, "UDE") == "nb"  # a language we have no catalog for: the team's
    assert found.language(TEAM, "UIT") == "it"  # an Italian in a Norwegian team keeps Italian
    assert found.language(TEAM, None) == found.team_language(TEAM) == "nb"  # a channel post
    found.chosen.choose(TEAM, "UIT", "en")  # their own choice beats Slack's
    assert found.language(TEAM, "UIT") == "en"
    found.chosen.choose(TEAM, "UIT", None)  # back to automatic
    assert found.language(TEAM, "UIT") == "it"
    assert found.chosen.chosen("T_OTHER", "UIT") is None  # every row is its team's
    assert all(c.args.get("include_locale") in (True, "true", "1", 1) for c in slack.calls_to("users.info"))


def test_slack_is_asked_once_a_day_and_not_again_at_once_after_a_failure(slack: SlackStandIn, db_url: str) -> None:
    slack.add_user("UIT", locale="it-IT")
    clock = Clock()
    found = readers(slack, db_url, clock)
    for _ in range(3):
        assert found.language(TEAM, "UIT") == "it"
    assert len(slack.calls_to("users.info")) == 1
    clock.now += LOCALE_TTL_S + 1
    assert found.language(TEAM, "UIT") == "it" and len(slack.calls_to("users.info")) == 2
    slack.fail("users.info", error="user_not_found")
    assert found.language(TEAM, "UNEW") == "en"  # Slack refused: the team's language meanwhile
    asked = len(slack.calls_to("users.info"))
    assert found.language(TEAM, "UNEW") == "en" and len(slack.calls_to("users.info")) == asked
    clock.now += FAILED_TTL_S + 1
    found.language(TEAM, "UNEW")
    assert len(slack.calls_to("users.info")) == asked + 1


def test_the_team_language_variable_is_checked() -> None:
    assert interface_language(None) == "en" and interface_language("nb_NO.UTF-8") == "nb"
    assert interface_language("Italiano") == "it"
    with pytest.raises(ValueError, match="INMAIL_LANGUAGE must be one of en, it, nb"):
        interface_language("de")
