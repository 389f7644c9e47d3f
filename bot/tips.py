"""Tips a recruiter or a lead reads in Slack (alert DMs, the early warning): each rule by its
title and what to do, in words that stand on their own.

A finding's own message quotes one draft and its suggestion may name the command line
("--recipient FILE"); a tip describes the rule instead, so it fits any draft and the surface it
is read on. Policy findings (`generic-template/bulk-restricted`) say what the policy did, not
how to write, so they are never tips. Ranked by how many of the recruiter's own recent drafts
got each rule; without enough of those, the team's, then general tips fill in.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from bot.i18n import N_, _
from models.policy import POLICY_RULES

# rule id → (title, what to do), translated where they are read (`title`, `tips`). Rules not listed
# fall back to their id's words.
RULE_TIPS: dict[str, tuple[str, str]] = {
    "length/body-limit": (N_("Over LinkedIn's length limit"), N_("Cut the InMail to under 1,900 characters.")),
    "length/subject-limit": (N_("Subject too long"), N_("Keep the subject under 200 characters.")),
    "length/reply-rate": (N_("Long InMail"), N_("Shorter InMails get more replies: aim for under 400 characters.")),
    "length/empty": (N_("Nothing to send"), N_("Write the message itself before sending.")),
    "length/wall-of-text": (N_("Wall of text"), N_("Break long paragraphs into two or three short ones.")),
    "length/long-sentence": (N_("Long sentences"), N_("Split sentences of more than 40 words.")),
    "generic-template/mass-template": (N_("Reads like a mass template"),
                                       N_("Write something that only this person could receive.")),
    "generic-template/placeholder": (N_("Unfilled placeholder"),
                                     N_("Fill in every placeholder such as [Name] before sending.")),
    "generic-template/fallback": (N_("Mail merge gone wrong"),
                                  N_("Check the greeting and company names came through.")),
    "generic-template/generic-salutation": (N_("Generic salutation"),
                                            N_("Greet the person by name, not as \"Candidate\".")),
    "generic-template/generic-greeting": (N_("Generic greeting"), N_("Open with their name instead of \"Hi there\".")),
    "generic-template/unnamed-client": (N_("Unnamed client"),
                                        N_("Name the employer: \"one of our clients\" gets ignored.")),
    "generic-template/boilerplate": (N_("Recruiting boilerplate"),
                                     N_("Replace stock phrases with one concrete fact about the role or team.")),
    "generic-template/clickbait": (N_("Clickbait"), N_("Drop salary teasers and \"?!\" from the subject.")),
    "generic-template/near-duplicate": (N_("Same text to many people"),
                                        N_("Personalise each InMail instead of resending one template.")),
    "personalization/no-name": (N_("No name"), N_("Use the recipient's name.")),
    "personalization/name-misspelt": (N_("Name misspelt"), N_("Spell the name exactly as on their profile.")),
    "personalization/no-reference": (N_("Nothing about them"),
                                     N_("Mention their title, company, a skill or something they made.")),
    "personalization/mail-merge": (N_("Mail-merge personalisation"),
                                   N_("Go beyond name and company: say why them, specifically.")),
    "personalization/about-us": (N_("All about us"), N_("Write more about them and less about your company.")),
    "personalization/unverified": (N_("No profile to check against"),
                                   N_("Add the recipient's profile in the review form, so the name and details "
                                      "are checked.")),
    "category-match/not-open-to": (N_("Not what they are open to"),
                                   N_("Check the recipient's \"open to\" before sending.")),
    "category-match/declared-mismatch": (N_("Category mismatch"), N_("Make the text match the kind of InMail it is.")),
    "grammar/spelling": (N_("Spelling"), N_("Fix the misspelt words.")),
    "grammar/grammar": (N_("Grammar"), N_("Fix the grammar mistakes.")),
    "grammar/punctuation": (N_("Punctuation"), N_("Fix the punctuation.")),
    "grammar/style": (N_("Style"), N_("Tighten the wording.")),
    "grammar/mixed-language": (N_("Mixed languages"), N_("Write the whole InMail in one language.")),
    "inclusive-language/exclusionary": (N_("Exclusionary wording"),
                                        N_("Describe the experience needed instead of words like \"rockstar\".")),
    "inclusive-language/gender-coded": (N_("Gender-coded wording"),
                                        N_("Balance the wording so anyone feels addressed.")),
    "call-to-action/missing": (N_("No clear ask"), N_("End with one easy question, such as a 15-minute call.")),
    "call-to-action/too-many": (N_("Too many asks"), N_("Keep to one or two asks.")),
    "call-to-action/high-effort": (N_("High-effort ask"), N_("Ask for a short call, not a CV or an application.")),
    "subject/missing": (N_("No subject"), N_("Add a subject that names the role or the reason.")),
    "subject/generic": (N_("Generic subject"), N_("Name the role or what caught your eye, not \"Opportunity\".")),
    "subject/shouting": (N_("Shouting subject"), N_("Write the subject in normal case.")),
    "subject/clickbait": (N_("Clickbait subject"), N_("Leave out \"URGENT\" and the like.")),
}
GENERAL_TIPS = ("personalization/no-reference", "call-to-action/missing", "generic-template/boilerplate")
# The title of a phrase a lead added in App Home: a rule of its own, `<family>/team-<phrase>`
# (`rules.packs.team_phrase_rule_id`).
TEAM_PHRASE = N_("Phrase the team avoids")


def title(rule: str) -> str:
    """A rule's title for people ("Recruiting boilerplate"), never its id."""
    known = RULE_TIPS.get(rule)
    if known:
        return _(known[0])
    name = rule.rsplit("/", 1)[-1]
    return _(TEAM_PHRASE) if name.startswith("team-") else name.replace("-", " ").capitalize()


def tips(*rankings: Iterable[Mapping[str, Any]], limit: int = 3) -> list[dict[str, Any]]:
    """Up to `limit` tips from `rankings` in turn (the recruiter's, then the team's frequent
    findings: rows with `rule` and `count`), then the general ones; each rule once, policy rules
    never. A tip has its `title`, `advice` and, from the recruiter's own drafts, `count`."""
    chosen: dict[str, dict[str, Any]] = {}
    for source, rows in enumerate(rankings):
        for row in rows:
            rule = row["rule"]
            if rule in POLICY_RULES or rule in chosen or rule not in RULE_TIPS or len(chosen) >= limit:
                continue
            chosen[rule] = {"title": title(rule), "advice": _(RULE_TIPS[rule][1]),
                            "count": row["count"] if source == 0 else None}
    for rule in GENERAL_TIPS:
        if len(chosen) < limit and rule not in chosen:
            chosen[rule] = {"title": title(rule), "advice": _(RULE_TIPS[rule][1]), "count": None}
    return list(chosen.values())
