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

from models.policy import POLICY_RULES

# rule id → (title, what to do). Rules not listed fall back to their id's words.
RULE_TIPS: dict[str, tuple[str, str]] = {
    "length/body-limit": ("Over LinkedIn's length limit", "Cut the InMail to under 1,900 characters."),
    "length/subject-limit": ("Subject too long", "Keep the subject under 200 characters."),
    "length/reply-rate": ("Long InMail", "Shorter InMails get more replies: aim for under 400 characters."),
    "length/empty": ("Nothing to send", "Write the message itself before sending."),
    "length/wall-of-text": ("Wall of text", "Break long paragraphs into two or three short ones."),
    "length/long-sentence": ("Long sentences", "Split sentences of more than 40 words."),
    "generic-template/mass-template": ("Reads like a mass template",
                                       "Write something that only this person could receive."),
    "generic-template/placeholder": ("Unfilled placeholder", "Fill in every placeholder such as [Name] before sending."),
    "generic-template/fallback": ("Mail merge gone wrong", "Check the greeting and company names came through."),
    "generic-template/generic-salutation": ("Generic salutation", "Greet the person by name, not as \"Candidate\"."),
    "generic-template/generic-greeting": ("Generic greeting", "Open with their name instead of \"Hi there\"."),
    "generic-template/unnamed-client": ("Unnamed client", "Name the employer: \"one of our clients\" gets ignored."),
    "generic-template/boilerplate": ("Recruiting boilerplate",
                                     "Replace stock phrases with one concrete fact about the role or team."),
    "generic-template/clickbait": ("Clickbait", "Drop salary teasers and \"?!\" from the subject."),
    "generic-template/near-duplicate": ("Same text to many people",
                                        "Personalise each InMail instead of resending one template."),
    "personalization/no-name": ("No name", "Use the recipient's name."),
    "personalization/name-misspelt": ("Name misspelt", "Spell the name exactly as on their profile."),
    "personalization/no-reference": ("Nothing about them",
                                     "Mention their title, company, a skill or something they made."),
    "personalization/mail-merge": ("Mail-merge personalisation",
                                   "Go beyond name and company: say why them, specifically."),
    "personalization/about-us": ("All about us", "Write more about them and less about your company."),
    "personalization/unverified": ("No profile to check against",
                                   "Add the recipient's profile in the review form, so the name and details are checked."),
    "category-match/not-open-to": ("Not what they are open to", "Check the recipient's \"open to\" before sending."),
    "category-match/declared-mismatch": ("Category mismatch", "Make the text match the kind of InMail it is."),
    "grammar/spelling": ("Spelling", "Fix the misspelt words."),
    "grammar/grammar": ("Grammar", "Fix the grammar mistakes."),
    "grammar/punctuation": ("Punctuation", "Fix the punctuation."),
    "grammar/style": ("Style", "Tighten the wording."),
    "grammar/mixed-language": ("Mixed languages", "Write the whole InMail in one language."),
    "inclusive-language/exclusionary": ("Exclusionary wording",
                                        "Describe the experience needed instead of words like \"rockstar\"."),
    "inclusive-language/gender-coded": ("Gender-coded wording", "Balance the wording so anyone feels addressed."),
    "call-to-action/missing": ("No clear ask", "End with one easy question, such as a 15-minute call."),
    "call-to-action/too-many": ("Too many asks", "Keep to one or two asks."),
    "call-to-action/high-effort": ("High-effort ask", "Ask for a short call, not a CV or an application."),
    "subject/missing": ("No subject", "Add a subject that names the role or the reason."),
    "subject/generic": ("Generic subject", "Name the role or what caught your eye, not \"Opportunity\"."),
    "subject/shouting": ("Shouting subject", "Write the subject in normal case."),
    "subject/clickbait": ("Clickbait subject", "Leave out \"URGENT\" and the like."),
}
GENERAL_TIPS = ("personalization/no-reference", "call-to-action/missing", "generic-template/boilerplate")


def title(rule: str) -> str:
    """A rule's title for people ("Recruiting boilerplate"), never its id."""
    known = RULE_TIPS.get(rule)
    return known[0] if known else rule.rsplit("/", 1)[-1].replace("-", " ").capitalize()


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
            chosen[rule] = {"title": title(rule), "advice": RULE_TIPS[rule][1],
                            "count": row["count"] if source == 0 else None}
    for rule in GENERAL_TIPS:
        if len(chosen) < limit and rule not in chosen:
            chosen[rule] = {"title": title(rule), "advice": RULE_TIPS[rule][1], "count": None}
    return list(chosen.values())
