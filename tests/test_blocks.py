"""Block Kit rendering with the real reviewer: escaping, injection, limits, summaries."""
from __future__ import annotations

import json

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import MESSAGE_BLOCKS_MAX, TOP_PER_SEVERITY, draft_modal, escape_mrkdwn, help_message, \
    home_view, review_message
from models.records import Draft, Recipient
from rules import Reviewer
from tests.slack_standin import block_problems, view_problems

INJECTION = ('Dear candidate, <!channel> <@U0ADMIN> *fantastic* opportunity at "one of our clients" & '
             '<https://evil.example|click> ~rockstar~ `ninja` _now_. Apply now!')
SPAM_LINE = ("Dear candidate, fantastic opportunity with one of our clients! We need a rockstar ninja. Apply now. "
             "Teh recieve definately seperate occured.")


def _texts(value: object) -> list[str]:
    """Every "text" string in a Block Kit structure."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "text" and isinstance(v, str)] + \
            [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _valid(message: dict) -> None:
    assert block_problems(message["blocks"]) == []
    assert len(message["blocks"]) <= MESSAGE_BLOCKS_MAX
    for raw in message["blocks"]:
        Block.parse(raw).validate_json()


def _typed_texts(value: object, kind: str) -> list[str]:
    """The "text" of every text object of `kind` ("mrkdwn", "plain_text", or rich_text's "text")."""
    if isinstance(value, dict):
        own = [value["text"]] if value.get("type") == kind and isinstance(value.get("text"), str) else []
        return own + [t for v in value.values() for t in _typed_texts(v, kind)]
    if isinstance(value, list):
        return [t for v in value for t in _typed_texts(v, kind)]
    return []


def test_escape_mrkdwn_neutralises_mentions_links_and_formatting() -> None:
    escaped = escape_mrkdwn('<!channel> & <@U1> *b* _i_ ~s~ `c` "q"')
    assert escaped == '&lt;!channel&gt; &amp; &lt;@U1&gt; \u2217b\u2217 \u02cdi\u02cd \u223cs\u223c \u02cbc\u02cb "q"'


def test_markers_inside_a_word_are_left_as_they_are() -> None:
    """Slack formats only at a word's edge: `first_name` must stay copyable and searchable."""
    text = "set LANGUAGETOOL_URL, fill {{first_name}} and snake_case_name; 2*3~4"
    assert escape_mrkdwn(text) == text
    assert escape_mrkdwn("_name_ and {{_x}}") == "\u02cdname\u02cd and {{\u02cdx}}"


def test_a_hostile_draft_cannot_inject(reviewer: Reviewer) -> None:
    review = reviewer.review(Draft(body=INJECTION, subject='Re: "urgent" <!here>', id="d_x",
                                   recipient=Recipient(name='<!channel>*Kari*" Nordmann')))
    message = review_message(review, draft_key="d_x")
    _valid(message)
    rendered = json.dumps(message)
    assert json.loads(rendered) == message
    # What Slack parses (mrkdwn) holds only our own words; what quotes the draft is shown as it is.
    mrkdwn = "\n".join(_typed_texts(message, "mrkdwn") + [message["text"]])
    assert "<!" not in mrkdwn and "<@" not in mrkdwn and "<http" not in mrkdwn and "Kari" not in mrkdwn
    assert any(t.startswith("*Errors (") for t in _typed_texts(message, "mrkdwn"))
    literal = "\n".join(_typed_texts(message, "text"))
    assert '<!channel>*Kari*"' in literal and "“one of our clients”" in literal  # unchanged, copyable
    assert "\u2217" not in literal and "&lt;" not in literal
    assert set(_texts(message)) == set(_typed_texts(message, "mrkdwn") + _typed_texts(message, "plain_text")
                                       + _typed_texts(message, "text") + [message["text"]])


def test_placeholders_are_quoted_character_for_character(reviewer: Reviewer) -> None:
    review = reviewer.review(Draft(body="Hi {{first_name}}, I saw your talk on Kafka at {{company_name}}. "
                                        "Would you be open to a call next week?", id="d_p"))
    literal = _typed_texts(review_message(review, draft_key="d_p"), "text")
    assert any("{{first_name}}" in t for t in literal), literal
    assert not any("\u02cd" in t for t in _texts(review_message(review)))


def test_eighty_findings_are_summarised_within_limits(reviewer: Reviewer) -> None:
    body = " ".join(f"{SPAM_LINE} guru{i} wizzard{i}." for i in range(25))
    review = reviewer.review(Draft(body=body, subject="Great opportunity!!! " * 12, id="d_big"))
    assert len(review.findings) >= 80
    message = review_message(review, draft_key="d_big")
    _valid(message)
    shown = [b for b in message["blocks"] if b["type"] == "rich_text"]
    counts = review.counts()
    assert len(shown) == sum(min(n, TOP_PER_SEVERITY) for n in counts.values())
    more = [e["text"] for b in message["blocks"] if b["type"] == "context" for e in b["elements"]
            if e["text"].startswith("…and")]
    assert sum(int(t.split()[1]) for t in more) == len(review.findings) - len(shown)
    assert all(t.endswith("s") == (int(t.split()[1]) != 1) for t in more), more  # "1 more warning", "3 more errors"
    assert message["blocks"][-1]["type"] == "actions"


def test_very_long_quotes_and_texts_are_clipped_inside_limits(reviewer: Reviewer) -> None:
    body = "Dear candidate, " + "&<>" * 3000 + " Apply now!"
    message = review_message(reviewer.review(Draft(body=body, id="d_long")))
    _valid(message)
    assert all(len(t) <= 3000 for t in _texts(message))
    assert not any(t.endswith("&amp…") or "&a…" in t for t in _texts(message))


def test_without_a_draft_key_there_are_no_buttons(reviewer: Reviewer) -> None:
    message = review_message(reviewer.review(Draft(body="Hi Kari, would you be open to a call next week?")))
    assert [b for b in message["blocks"] if b["type"] == "actions"] == []
    _valid(message)


def test_views_and_help_are_valid() -> None:
    modal = draft_modal({"channel": "C1"})
    assert view_problems(modal, "modal") == [] and json.loads(modal["private_metadata"]) == {"channel": "C1"}
    View(**modal).validate_json()
    rows = [{"verdict": "revise", "subject": "", "excerpt": "Hi <@U1> *Kari*", "deleted_at": None, "score": 55,
             "language": "en", "category": "career_opportunity", "source": "modal", "created_at": 1.7e9}] * 60
    home = home_view(rows)
    assert view_problems(home, "home") == [] and "<@U1>" not in json.dumps(home)
    assert block_problems(help_message()["blocks"]) == []


@pytest.mark.parametrize("lang_body", [
    ("nb", "Hei Kari, jeg så foredraget ditt om Kafka. Har du tid til en prat neste uke?"),
    ("it", "Ciao Giulia, ho letto il tuo articolo su Kotlin. Avresti tempo per una chiamata?"),
])
def test_other_languages_render(reviewer: Reviewer, lang_body: tuple[str, str]) -> None:
    lang, body = lang_body
    review = reviewer.review(Draft(body=body, lang=lang))
    message = review_message(review, draft_key="d_l")
    _valid(message)
    assert f"Language: {lang}" in json.dumps(message, ensure_ascii=False)
