"""The English pack, family by family: mass templates are caught, good drafts are left alone."""
import pytest

from models import Draft, Recipient
from rules import Reviewer
from tests.review_helpers import hits

KARI = Recipient(name="Kari Nordmann", title="Senior Data Engineer", company="Vipps AS",
                 skills=("Kafka", "Python"), open_to=("career_opportunity",), language="en")

GOOD = (
    "Hi Kari,\n\nYour talk at Oslo Data Days on moving Vipps' payment events to Kafka without downtime "
    "was the clearest account of a migration I have heard this year.\n\nI lead hiring for Equinor's new "
    "streaming team in Stavanger; you would own the design of the event backbone, with the Kafka and "
    "Python stack you know.\n\nWould you be open to a 20-minute call next week?\n\nIngrid"
)


@pytest.fixture(scope="module")
def rv():
    return Reviewer.load(languages=["en"])


def review(rv, body, **kw):
    kw.setdefault("subject", "Streaming platform role at Equinor")
    return rv.review(Draft(body=body, **kw))


def test_a_good_personalized_draft_is_ready(rv):
    r = review(rv, GOOD, recipient=KARI, category="career_opportunity")
    assert r.verdict == "ready", [(f.rule, f.message) for f in r.findings]
    assert r.score >= 90
    assert r.metrics.personalization >= 0.8 and r.metrics.genericness == 0
    assert r.category == "career_opportunity" and r.language == "en"


@pytest.mark.parametrize("placeholder", [
    "[Name]", "{{first_name}}", "{{ candidate.name }}", "{firstName}", "${firstName}", "<NAME>",
    "<FIRST NAME>", "%FIRSTNAME%", "*|FNAME|*", "XXX", "[Company Name]", "[first_name]",
])
def test_placeholders_in_every_syntax_are_errors(rv, placeholder):
    r = review(rv, f"Hi {placeholder},\n\nI saw your Kafka work. Are you open to a call?")
    assert placeholder.strip("*") in " ".join(hits(r, "generic-template/placeholder")), r.findings
    assert r.verdict == "blocked"


@pytest.mark.parametrize("text", [
    "We use C# [1] and the [sic] notation, see [docs](https://x.io).",
    "Our API returns {} or <br> and costs 3x less. The SQL is SELECT x FROM y.",
    "XXL sizes, the Xbox team and the 2XX status codes.",
])
def test_things_that_look_like_placeholders_are_not(rv, text):
    r = review(rv, f"Hi Kari,\n\n{text} Are you open to a call?")
    assert hits(r, "generic-template/placeholder") == []


def test_unnamed_client_flagged_named_client_not(rv):
    r = review(rv, "Hi Kari, one of our clients is hiring. Our client is a leading company in fintech. Interested in a call?")
    assert hits(r, "generic-template/unnamed-client") == ["one of our clients", "Our client"]
    vague = review(rv, "Hi Kari, I am recruiting for a leading company in fintech. Interested in a call?")
    assert hits(vague, "generic-template/unnamed-client") == ["a leading company"]
    named = review(rv, "Hi Kari, our client, Equinor, is hiring; one of our clients DNB too. Interested in a call?")
    assert hits(named, "generic-template/unnamed-client") == []
    itself = review(rv, "Hi Kari, we are a fast-growing company and Oda is a leading company. Interested in a call?")
    assert hits(itself, "generic-template/unnamed-client") == []


def test_mass_template_salutation_and_boilerplate(rv):
    r = review(rv, "Dear Candidate,\n\nI came across your profile and have an exciting opportunity for you. "
                   "We offer a competitive salary in a fast-paced environment. Let me know!")
    assert hits(r, "generic-template/generic-salutation") == ["Dear Candidate"]
    assert set(hits(r, "generic-template/boilerplate")) >= {"I came across your profile", "exciting opportunity",
                                                           "competitive salary", "fast-paced environment"}
    assert r.metrics.genericness >= 0.8


def test_inclusive_language_substitutes_and_respects_word_boundaries(rv):
    r = review(rv, "Hi Kari, we need Rockstars and a ninja for our young and dynamic team. Open to a call?")
    found = {r.quote(f): f.suggestion for f in r.findings if f.rule == "inclusive-language/exclusionary"}
    assert set(found) == {"Rockstars", "ninja", "young and dynamic"}
    assert all(q.lower() not in s.lower() for q, s in found.items()), "a suggestion never repeats the match"
    clean = review(rv, "Hi Kari, you worked at NinjaTrader and on Rockstar Games' tooling, and with hackerone. Open to a call?")
    assert hits(clean, "inclusive-language/exclusionary") == []


def test_gender_coding_is_a_document_level_suggestion_not_per_word(rv):
    masc = review(rv, "Hi Kari, we want an ambitious, competitive, assertive, decisive leader who dominates "
                      "and is driven by challenges. Open to a call?")
    found = [f for f in masc.findings if f.rule == "inclusive-language/gender-coded"]
    assert len(found) == 1 and found[0].severity == "suggestion" and "masculine" in found[0].message
    one_lead = review(rv, GOOD.replace("I lead hiring", "I lead hiring and support"), recipient=KARI)
    assert not [f for f in one_lead.findings if f.rule == "inclusive-language/gender-coded"]


def test_length_limits_and_reply_rate_tiers(rv):
    base = "Hi Kari, I saw your Kafka talk. "
    medium = review(rv, base + "The platform team builds things. " * 14 + "Open to a call?")
    assert 400 < medium.metrics.body_chars <= 800
    assert [f.severity for f in medium.findings if f.rule == "length/reply-rate"] == ["suggestion"]
    long = review(rv, base + "The platform team builds things. " * 30 + "Open to a call?")
    assert [f.severity for f in long.findings if f.rule == "length/reply-rate"] == ["warning"]
    too_long = review(rv, base + "The platform team builds things.\n" * 60 + "Open to a call?")
    limit = [f for f in too_long.findings if f.rule == "length/body-limit"]
    assert limit and limit[0].severity == "error" and limit[0].span[0] == 1900
    subject = review(rv, GOOD, subject="x" * 201)
    assert any(f.rule == "length/subject-limit" for f in subject.findings)


def test_wall_of_text_and_long_sentences(rv):
    sentence = "and we build data products for the energy sector with Kafka " * 8
    r = review(rv, "Hi Kari, " + sentence + ". " + "Short one. " * 40 + "Open to a call?")
    assert hits(r, "length/wall-of-text") and hits(r, "length/long-sentence")


def test_personalization_against_the_profile(rv):
    no_name = review(rv, "Hello, your Kafka work at Vipps is great. Open to a call?", recipient=KARI)
    assert any(f.rule == "personalization/no-name" for f in no_name.findings)
    misspelt = review(rv, "Hi Karri, your Kafka work at Vipps is great. Open to a call?", recipient=KARI)
    assert hits(misspelt, "personalization/name-misspelt") == ["Karri"]
    lower = review(rv, "Hi kari, your Kafka work at Vipps is great. Open to a call?", recipient=KARI)
    assert hits(lower, "personalization/name-misspelt") == ["kari"]
    no_ref = review(rv, "Hi Kari, we are a bank and we hire. Open to a call?", recipient=KARI)
    refs = [f for f in no_ref.findings if f.rule == "personalization/no-reference"]
    assert refs and "Vipps" in refs[0].suggestion and "Kafka" in refs[0].suggestion


def test_without_a_profile_it_says_what_it_could_not_verify(rv):
    r = review(rv, "Hi Kari, your Kafka work is great. Open to a call?")
    notes = [f for f in r.findings if f.rule == "personalization/unverified"]
    assert len(notes) == 1 and notes[0].severity == "suggestion"
    assert not any(f.rule in ("personalization/no-name", "personalization/no-reference") for f in r.findings)


def test_about_us_versus_about_you(rv):
    r = review(rv, "Hi Kari, we are a great company. We have offices in Oslo and our team is growing. "
                   "Our product is loved and our clients are happy. We think we are the best. Open to a call?")
    assert any(f.rule == "personalization/about-us" for f in r.findings)
    assert not any(f.rule == "personalization/about-us" for f in review(rv, GOOD, recipient=KARI).findings)


def test_category_detection_and_mismatches(rv):
    consulting = review(rv, "Hi Kari, we need a freelance Kafka consultant for a three-month contract at a "
                            "day rate of 9,000 NOK. Would you be interested?", recipient=KARI)
    assert consulting.category == "consulting_offer"
    assert any(f.rule == "category-match/not-open-to" for f in consulting.findings)
    declared = review(rv, "Hi Kari, we need a freelance Kafka consultant for a three-month contract. Interested?",
                      category="career_opportunity")
    assert any(f.rule == "category-match/declared-mismatch" for f in declared.findings)
    # Every text with words has a purpose; only one without any has no category.
    assert review(rv, "Hi Kari, nice to see you. Open to a call?", subject="Your talk in Oslo").category is not None
    assert review(rv, ":wave: :tada:").category is None


def test_call_to_action_none_one_or_too_many(rv):
    none = review(rv, "Hi Kari, your Kafka talk was great. We are hiring in Stavanger.")
    assert any(f.rule == "call-to-action/missing" for f in none.findings)
    one = review(rv, GOOD, recipient=KARI)
    assert not any(f.family == "call-to-action" for f in one.findings)
    many = review(rv, "Hi Kari, your Kafka talk was great. We are hiring.\n\nCould we talk on Monday? "
                      "Would you like to visit our office? Do you have time to read our blog? Let me know about your CV.")
    assert any(f.rule == "call-to-action/too-many" for f in many.findings)
    effort = review(rv, "Hi Kari, your Kafka talk was great. Please send me your CV and fill in the form.")
    assert hits(effort, "call-to-action/high-effort") == ["send me your CV", "fill in the form"]


def test_subject_rules(rv):
    assert any(f.rule == "subject/missing" for f in review(rv, GOOD, subject="").findings)
    assert hits(review(rv, GOOD, subject="Job Opportunity!"), "subject/generic") == ["Job Opportunity!"]
    assert hits(review(rv, GOOD, subject="AMAZING ROLE AT EQUINOR"), "subject/shouting")
    bait = review(rv, GOOD, subject="URGENT: €120k role?!")
    assert "URGENT" in hits(bait, "subject/clickbait")
    assert {"€120k", "?!"} <= set(hits(bait, "generic-template/clickbait"))
    fine = review(rv, GOOD, subject="Your Kafka talk, and a streaming role at Equinor")
    assert not [f for f in fine.findings if f.family == "subject" or f.rule == "generic-template/clickbait"]


def test_score_is_stable_and_matches_the_verdict(rv):
    body = "Dear Candidate, one of our clients has an exciting opportunity. Send me your CV."
    first, second = review(rv, body), review(rv, body)
    assert first.to_dict() == second.to_dict()
    assert first.verdict == "blocked" and first.score <= 49
    warned = review(rv, GOOD.replace("Would you be open to a 20-minute call next week?", "Thanks."), recipient=KARI)
    assert warned.verdict == "revise" and 49 < warned.score <= 79


def test_bulk_draft_in_one_to_one_period_is_blocked_with_the_date(rv):
    from datetime import datetime

    from rules import ReviewContext

    until = datetime(2026, 12, 7)
    bulk = rv.review(Draft(body=GOOD, subject="Role", recipient=KARI, bulk=True), ReviewContext(one_to_one_until=until))
    [f] = [f for f in bulk.findings if f.rule == "generic-template/bulk-restricted"]
    assert f.severity == "error" and "7 Dec 2026" in f.message and bulk.verdict == "blocked"
    single = rv.review(Draft(body=GOOD, subject="Role", recipient=KARI), ReviewContext(one_to_one_until=until))
    assert not any(f.rule == "generic-template/bulk-restricted" for f in single.findings)
    free = rv.review(Draft(body=GOOD, subject="Role", recipient=KARI, bulk=True))
    assert not any(f.rule == "generic-template/bulk-restricted" for f in free.findings)
