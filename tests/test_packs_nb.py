"""The Norwegian Bokmål pack, family by family: real Norwegian mass templates are caught, good
Norwegian drafts are left alone, and near misses (a named client, a word that contains a
flagged word, "leder" in an ordinary sentence) are not flagged."""
from pathlib import Path

import pytest

from bot.inputs import read
from models import Draft, Recipient
from rules import Reviewer
from rules.language import detect
from tests.review_helpers import hits, rules_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

KARI = Recipient(name="Kari Nordmann", title="Senior dataingeniør", company="Vipps AS",
                 skills=("Kafka", "Python"), open_to=("career_opportunity",), language="nb")

GOOD = (
    "Hei Kari,\n\nForedraget ditt på Oslo Data Days om hvordan Vipps flyttet betalingshendelsene til Kafka "
    "uten nedetid, var det klareste jeg har hørt om en slik migrering i år.\n\nJeg rekrutterer til en ny "
    "rolle i Equinors strømmeteam i Stavanger. Der får du ansvar for hendelsesplattformen, med den samme "
    "Kafka- og Python-stakken du kjenner fra Vipps.\n\nHar du tid til en prat på 20 minutter neste uke?\n\nIngrid"
)

MASS = (
    "Hei der!\n\nHåper alt er vel. Jeg kom over profilen din og har en spennende mulighet hos en av våre "
    "kunder, som søker en rockestjerne til sitt unge og dynamiske team.\n\nVi tilbyr konkurransedyktig lønn, "
    "gode betingelser og korte beslutningsveier. Kunden vår ser etter den perfekte kandidaten med din "
    "kompetanse og erfaring.\n\nSend meg CV-en din og søk via lenken under.\n\nMvh\nMads"
)

ASK = " Har du tid til en prat?"


@pytest.fixture(scope="module")
def rv():
    return Reviewer.load()


def review(rv, body, **kw):
    kw.setdefault("subject", "Plattformrolle i Equinor")
    return rv.review(Draft(body=body, **kw))


# --- whole drafts ----------------------------------------------------------------------------

def test_a_good_personalized_norwegian_draft_is_ready(rv):
    r = review(rv, GOOD, recipient=KARI)
    assert r.language == "nb"
    assert r.verdict == "ready", [(f.rule, f.message) for f in r.findings]
    assert {f.severity for f in r.findings} <= {"suggestion"}
    assert r.score >= 90 and r.metrics.personalization >= 0.8 and r.metrics.genericness == 0
    assert r.category == "career_opportunity"


def test_a_norwegian_mass_template_is_caught_phrase_by_phrase(rv):
    r = review(rv, MASS, subject="Spennende mulighet!")
    assert r.language == "nb"
    assert hits(r, "generic-template/generic-greeting") == ["Hei der"]
    boilerplate = hits(r, "generic-template/boilerplate")
    assert len(boilerplate) == 6, "capped at max_findings"
    assert set(boilerplate) >= {"Spennende mulighet", "Håper alt er vel", "Jeg kom over profilen din",
                                "spennende mulighet", "konkurransedyktig lønn"}
    assert hits(r, "generic-template/unnamed-client") == ["en av våre kunder", "Kunden vår"]
    assert hits(r, "inclusive-language/exclusionary") == ["rockestjerne", "unge og dynamiske"]
    assert hits(r, "call-to-action/high-effort") == ["Send meg CV-en din", "søk via"]
    assert hits(r, "subject/generic") == ["Spennende mulighet!"]
    assert r.verdict == "revise" and r.metrics.genericness >= 0.8


# --- generic-template ------------------------------------------------------------------------

@pytest.mark.parametrize("placeholder", ["[Navn]", "[Fornavn]", "{{fornavn}}", "{fornavn}", "<NAVN>",
                                         "[Kandidatens navn]", "XXX"])
def test_placeholders_in_norwegian_drafts_are_errors(rv, placeholder):
    r = review(rv, f"Hei {placeholder},\n\nJeg så Kafka-arbeidet ditt i Vipps.{ASK}")
    assert hits(r, "generic-template/placeholder") == [placeholder]
    assert r.verdict == "blocked"


def test_things_that_look_like_placeholders_are_not(rv):
    r = review(rv, "Hei Kari,\n\nVi skriver C# [1] og bruker [sic] i dokumentasjonen; se [wikien](https://x.no). "
                   f"Vi selger XXL-størrelser til Xbox-teamet og returnerer 2XX-koder.{ASK}")
    assert hits(r, "generic-template/placeholder") == []


@pytest.mark.parametrize("salutation", ["Kjære kandidat", "Hei kandidat", "Til den det måtte angå", "Kjære søker"])
def test_mass_salutations_block_the_draft(rv, salutation):
    r = review(rv, f"{salutation},\n\nJeg så Kafka-arbeidet ditt i Vipps.{ASK}")
    assert hits(r, "generic-template/generic-salutation") == [salutation]
    assert r.verdict == "blocked"
    assert "Hei " in r.findings[0].suggestion and salutation not in r.findings[0].suggestion


@pytest.mark.parametrize("greeting", ["Hei der", "Hei du", "Kjære deg", "Hei alle sammen"])
def test_nameless_greetings_are_a_suggestion(rv, greeting):
    r = review(rv, f"{greeting}!\n\nJeg så Kafka-arbeidet ditt i Vipps.{ASK}")
    found = [f for f in r.findings if f.rule == "generic-template/generic-greeting"]
    assert [r.quote(f) for f in found] == [greeting] and found[0].severity == "suggestion"


@pytest.mark.parametrize("text, expected", [
    ("Jeg skriver på vegne av en av våre kunder.", "en av våre kunder"),
    ("En av kundene våre søker en utvikler.", "En av kundene våre"),
    ("Kunden vår vokser raskt.", "Kunden vår"),
    ("Min kunde, som er i finans, vokser.", "Min kunde"),
    ("Vi rekrutterer på vegne av en kunde i Bergen.", "på vegne av en kunde"),
    ("Rollen er hos en ledende aktør innen energi.", "en ledende aktør"),
    ("Du blir med i et veletablert selskap.", "et veletablert selskap"),
    ("Kunden er en ledende aktør innen energi.", "en ledende aktør"),
    ("Det er en av Norges ledende teknologiselskaper.", "en av Norges ledende teknologiselskaper"),
])
def test_the_unnamed_client_is_flagged_in_every_norwegian_form(rv, text, expected):
    r = review(rv, f"Hei Kari,\n\n{text}{ASK}")
    assert hits(r, "generic-template/unnamed-client") == [expected]


@pytest.mark.parametrize("text", [
    "En av våre kunder, Equinor, søker en dataingeniør.",
    "Vår kunde Ørsted bygger havvind.",
    "Kunden vår, DNB, vokser.",
    "Kundene våre i Bergen sparer tid, og våre kunder inkluderer Posten.",  # customers, in a pitch
    "Vipps er en ledende aktør i betaling, og Vipps, en ledende aktør, vokser.",
    "Kundeservice-teamet og kundeportalen er nye.",
    "Du har erfaring fra et stort selskap.",
])
def test_a_named_client_or_ordinary_customers_are_not_flagged(rv, text):
    r = review(rv, f"Hei Kari,\n\n{text}{ASK}")
    assert hits(r, "generic-template/unnamed-client") == []


@pytest.mark.parametrize("phrase", ["spennende mulighet", "en spennende mulighet", "spennende muligheter",
                                    "Spennende mulighet", "konkurransedyktige betingelser", "drømmejobben"])
def test_boilerplate_is_found_in_the_forms_norwegians_write(rv, phrase):
    r = review(rv, f"Hei Kari,\n\nDette er {phrase} i Equinor.{ASK}")
    assert hits(r, "generic-template/boilerplate") == [phrase.removeprefix("en ")]


# --- inclusive-language ----------------------------------------------------------------------

def test_exclusionary_wording_gets_a_norwegian_replacement(rv):
    r = review(rv, "Hei Kari,\n\nVi trenger rockestjerner og en ninja til vårt unge og fremoverlente team. "
                   f"Du må ha norsk som morsmål, være sprek og en digital innfødt fagmann.{ASK}")
    found = {r.quote(f): f.suggestion for f in r.findings if f.rule == "inclusive-language/exclusionary"}
    assert found == {
        "rockestjerner": "Write “erfarne utviklere” instead.",
        "ninja": "Write “ekspert” instead.",
        "unge og fremoverlente": "Write “nysgjerrige og fremoverlente” instead.",
        "norsk som morsmål": "Write “flytende norsk” instead.",
        "sprek": "Write “engasjert” instead.",
        "digital innfødt": "Write “vant med digitale verktøy” instead.",
        "fagmann": "Write “fagperson” instead.",
    }
    assert all(q.lower() not in s.lower() for q, s in found.items()), "a suggestion never repeats the match"


def test_words_that_contain_or_resemble_flagged_words_are_not_flagged(rv):
    # "ung" about a company, "sprek" about growth, and longer words that contain flagged ones.
    r = review(rv, "Hei Kari,\n\nVi er et ungt selskap med sprek vekst. Fagmannskapet i teamet er høyt, "
                   f"og vi fikser sprekker i betongen med Ninjatrader-data og verktøy fra Rockstar Games.{ASK}")
    assert hits(r, "inclusive-language/exclusionary") == []


def test_leder_in_an_ordinary_sentence_is_not_flagged(rv):
    r = review(rv, "Hei Kari,\n\nJeg leder teamet som bygger betalingsplattformen, og lederen min ba meg skrive "
                   f"til deg om Kafka-arbeidet ditt i Vipps.{ASK}", recipient=KARI)
    assert not [f for f in r.findings if f.family == "inclusive-language"]
    assert r.verdict == "ready"


def test_gender_coding_is_one_document_level_suggestion(rv):
    r = review(rv, "Hei Kari,\n\nVi ser etter en ambisiøs, selvsikker og målbevisst leder som elsker "
                   f"utfordringer, konkurranse og å jobbe selvstendig.{ASK}")
    found = [f for f in r.findings if f.rule == "inclusive-language/gender-coded"]
    assert len(found) == 1 and found[0].severity == "suggestion" and found[0].span is None
    assert "masculine" in found[0].message and "“ambisiøs”" in found[0].message
    balanced = review(rv, "Hei Kari,\n\nVi ser etter en ambisiøs leder som liker samarbeid, støtter teamet "
                          f"og er lojal mot kundene.{ASK}")
    assert "inclusive-language/gender-coded" not in rules_of(balanced)


# --- personalization -------------------------------------------------------------------------

def test_name_spelling_and_references_against_the_profile(rv):
    no_name = review(rv, f"Hallo,\n\nKafka-arbeidet ditt i Vipps er imponerende.{ASK}", recipient=KARI)
    assert "personalization/no-name" in rules_of(no_name)
    misspelt = review(rv, f"Hei Karri,\n\nKafka-arbeidet ditt i Vipps er sterkt.{ASK}", recipient=KARI)
    assert hits(misspelt, "personalization/name-misspelt") == ["Karri"]
    no_ref = review(rv, f"Hei Kari,\n\nVi er en bank, og vi ansetter.{ASK}", recipient=KARI)
    refs = [f for f in no_ref.findings if f.rule == "personalization/no-reference"]
    assert refs and "Vipps" in refs[0].suggestion and "Jeg så at du" in refs[0].suggestion


def test_a_draft_about_us_not_them_gets_the_vi_var_suggestion(rv):
    r = review(rv, "Hei Kari,\n\nVi er et selskap i vekst. Vi har kontorer i Oslo, og vårt team vokser. Vårt "
                   f"produkt er populært, og våre kunder er fornøyde. Vi mener vi er best.{ASK}")
    found = [f for f in r.findings if f.rule == "personalization/about-us"]
    assert found and "“vi/vår”" in found[0].suggestion
    assert "personalization/about-us" not in rules_of(review(rv, GOOD, recipient=KARI))


# --- category-match --------------------------------------------------------------------------

@pytest.mark.parametrize("body, category", [
    ("Hei Kari,\n\nVi trenger en frilans Kafka-konsulent til et oppdrag på tre måneder, med dagpris "
     "etter avtale. Er dette interessant?", "consulting_offer"),
    ("Hei Kari,\n\nJeg er medgründer i et oppstartsselskap i tidlig fase, og vi søker en teknisk "
     "medgründer med eierandel. Skal vi ta en kaffe?", "new_venture"),
    ("Hei Kari,\n\nLars Hansen har oppgitt deg som referanse, og dere jobbet sammen med "
     "betalingsplattformen. Har du tid til en kort samtale?", "reference_request"),
    ("Hei Kari,\n\nLenge siden sist! Takk for sist på JavaZone. Skal vi ta opp tråden over en kaffe?",
     "getting_back_in_touch"),
    ("Hei Kari,\n\nJeg vil gjerne høre dine tanker om Kafka i Vipps: et par råd og litt innspill fra "
     "deg ville hjulpet oss mye. Har du tid?", "expertise_request"),
    ("Hei Kari,\n\nVi er leverandør av en plattform for strømmedata og vil gjerne vise deg en demo, "
     "med prising og et forslag til partnerskap. Har du tid?", "business_deal"),
    (GOOD, "career_opportunity"),
])
def test_categories_are_detected_from_norwegian_signals(rv, body, category):
    assert review(rv, body, subject="").category == category


def test_a_category_the_recipient_is_not_open_to_is_flagged(rv):
    r = review(rv, "Hei Kari,\n\nVi trenger en frilans Kafka-konsulent fra Vipps til et oppdrag på tre "
                   "måneder, med dagpris etter avtale. Er dette interessant?", recipient=KARI)
    assert r.category == "consulting_offer"
    assert "category-match/not-open-to" in rules_of(r)
    assert review(rv, f"Hei Kari, fint å se deg.{ASK}", subject="Foredraget ditt i Oslo").category is not None
    assert review(rv, "🙂 🙂").category is None


# --- call-to-action --------------------------------------------------------------------------

def test_call_to_action_none_one_or_too_many(rv):
    none = review(rv, "Hei Kari, Kafka-foredraget ditt var sterkt. Vi ansetter i Stavanger.")
    assert "call-to-action/missing" in rules_of(none)
    # "vil du" in a statement about the role is not an ask.
    statement = review(rv, "Hei Kari, Kafka-foredraget ditt var sterkt. I rollen vil du lede plattformteamet.")
    assert "call-to-action/missing" in rules_of(statement)
    for body in ("Hei Kari, Kafka-foredraget ditt var sterkt. Gi meg beskjed om det frister.",
                 "Hei Kari, Kafka-foredraget ditt var sterkt. Kan vi ta en prat på torsdag."):
        assert "call-to-action/missing" not in rules_of(review(rv, body))
    many = review(rv, "Hei Kari, Kafka-foredraget ditt var sterkt. Vi ansetter.\n\nHar du tid på mandag? "
                      "Vil du besøke kontoret vårt? Kan du lese bloggen vår? Gi meg beskjed om CV-en din.")
    assert "call-to-action/too-many" in rules_of(many)


def test_high_effort_asks_in_norwegian(rv):
    r = review(rv, "Hei Kari, Kafka-foredraget ditt var sterkt. Send meg en oppdatert CV og fyll ut skjemaet.")
    assert hits(r, "call-to-action/high-effort") == ["Send meg en oppdatert CV", "fyll ut skjemaet"]
    assert "kort prat" in r.findings[-1].suggestion


# --- subject ---------------------------------------------------------------------------------

def test_norwegian_subject_rules(rv):
    assert hits(review(rv, GOOD, subject="Spennende mulighet!"), "subject/generic") == ["Spennende mulighet!"]
    assert hits(review(rv, GOOD, subject="Ny stilling"), "subject/generic") == ["Ny stilling"]
    assert hits(review(rv, GOOD, subject="DRØMMEROLLE I EQUINOR"), "subject/shouting")
    assert hits(review(rv, GOOD, subject="Haster: siste sjanse"), "subject/clickbait") == ["Haster", "siste sjanse"]
    fine = review(rv, GOOD, subject="Kafka-foredraget ditt, og en plattformrolle i Equinor")
    assert not [f for f in fine.findings if f.family == "subject" or f.field == "subject"]


# --- language detection ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Har du lyst på en kaffe neste uke?",
    "Jeg så foredraget ditt om Kafka.",
    "Takk for sist, Kari. Skal vi ta en prat om rollen?",
    GOOD,
    MASS,
])
def test_plain_bokmal_is_detected_as_nb(text):
    detection = detect(text)
    assert detection.language == "nb" and detection.source == "text"


def test_a_short_bokmal_line_with_a_name_is_detected_as_nb():
    assert detect("Hei Kari, har du tid til en prat?").language == "nb"


def test_the_recipients_language_decides_for_very_short_texts(rv):
    assert detect("Takk for sist!", hint="nb").language == "nb"
    r = rv.review(Draft(body="Takk for sist!", recipient=Recipient(name="Kari Nordmann", language="nb")))
    assert r.language == "nb" and any("recipient's language" in n for n in r.notes)


# --- examples --------------------------------------------------------------------------------

def test_the_norwegian_examples_review_as_documented(rv):
    reviews = {item.draft.id: rv.review(item.draft) for item in read(sorted(map(str, EXAMPLES.glob("nb-*"))))}
    assert set(reviews) == {"nb-mass-template", "nb-personalized", "nb-borderline", "nb-consulting-not-open"}
    assert all(r.language == "nb" for r in reviews.values())
    assert reviews["nb-mass-template"].metrics.genericness == 1.0
    assert reviews["nb-mass-template"].score < 30
    assert reviews["nb-personalized"].verdict == "ready"
    assert 60 <= reviews["nb-borderline"].score < 90
    assert "category-match/not-open-to" in rules_of(reviews["nb-consulting-not-open"])
