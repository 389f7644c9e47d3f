"""The Italian pack, family by family: real Italian mass templates are caught (with both
apostrophes and in their inflected forms), good drafts — informal "tu" and formal "Lei" —
are left alone, and near misses (a named client, "una giovane azienda", a masculine job
title in an ordinary sentence) are not flagged."""
from pathlib import Path

import pytest

from bot.inputs import read
from models import Draft, Recipient
from rules import Reviewer
from rules.language import detect
from tests.review_helpers import hits, rules_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

GIULIA = Recipient(name="Giulia Bianchi", title="Senior Backend Developer", company="Satispay",
                   skills=("Kafka", "Go"), open_to=("career_opportunity",), language="it")
ROSSI = Recipient(name="Giulia Rossi", title="Responsabile Amministrazione", company="Barilla",
                  skills=("SAP", "controllo di gestione"), open_to=("career_opportunity",), language="it")

GOOD = (
    "Ciao Giulia,\n\nil tuo talk al Codemotion su come Satispay ha spostato i pagamenti su Kafka senza "
    "downtime è stato il racconto più chiaro di una migrazione che ho sentito quest'anno.\n\nSeguo le "
    "assunzioni per il nuovo team di streaming di Ferrero a Torino: avresti la responsabilità della "
    "piattaforma a eventi, con lo stesso stack Kafka e Go che usi oggi.\n\nTi andrebbe una chiamata di "
    "20 minuti la prossima settimana?\n\nElena"
)

FORMAL = (
    "Gentile Dott.ssa Rossi,\n\nho letto con interesse il Suo intervento al convegno ANDAF sul controllo di "
    "gestione in Barilla, in particolare il passaggio sulla chiusura mensile in cinque giorni con SAP.\n\n"
    "Mi occupo della ricerca di un Direttore Amministrazione e Finanza per Mutti, a Parma. La posizione "
    "riporta all'amministratore delegato e guida un team di dodici persone.\n\nSarebbe disponibile per "
    "una breve telefonata nei prossimi giorni?\n\nCordiali saluti,\nPaolo Verdi"
)

MASS = (
    "Gentile candidato,\n\nspero che questo messaggio ti trovi bene. Ho visto il tuo profilo e ho "
    "un’opportunità unica presso un nostro cliente, che cerca un ninja da inserire nel suo ambiente "
    "giovane e dinamico.\n\nOffriamo RAL competitiva e concrete opportunità di crescita. Requisiti: bella "
    "presenza e madrelingua italiana.\n\nSe interessato, inviami il tuo CV aggiornato e candidati tramite "
    "il link.\n\nCordiali saluti,\nMarco"
)

ASK = " Ti andrebbe una chiamata?"


@pytest.fixture(scope="module")
def rv():
    return Reviewer.load()


def review(rv, body, **kw):
    kw.setdefault("subject", "Un ruolo nel team dati di Ferrero")
    return rv.review(Draft(body=body, **kw))


# --- whole drafts ----------------------------------------------------------------------------

def test_a_good_personalized_italian_draft_is_ready(rv):
    r = review(rv, GOOD, recipient=GIULIA)
    assert r.language == "it"
    assert r.verdict == "ready", [(f.rule, f.message) for f in r.findings]
    assert {f.severity for f in r.findings} <= {"suggestion"}
    assert r.score >= 90 and r.metrics.personalization >= 0.8 and r.metrics.genericness == 0
    assert r.category == "career_opportunity"


def test_a_formal_lei_draft_is_ready_and_suo_counts_as_you(rv):
    r = review(rv, FORMAL, recipient=ROSSI, subject="Direzione amministrativa in Mutti, a Parma")
    assert r.verdict == "ready", [(f.rule, f.message) for f in r.findings]
    # "Gentile Dott.ssa" is a greeting with a title, not a mass salutation; "Suo" is "your".
    assert not [f for f in r.findings if f.family in ("generic-template", "inclusive-language")]
    assert r.metrics.personalization >= 0.8
    assert "call-to-action/missing" not in rules_of(r)


def test_an_italian_mass_template_is_caught_phrase_by_phrase(rv):
    r = review(rv, MASS, subject="Opportunità unica!")
    assert r.language == "it"
    assert hits(r, "generic-template/generic-salutation") == ["Gentile candidato"]
    assert set(hits(r, "generic-template/boilerplate")) >= {
        "spero che questo messaggio ti trovi bene", "Ho visto il tuo profilo", "opportunità unica",
        "RAL competitiva"}
    assert hits(r, "generic-template/unnamed-client") == ["un nostro cliente"]
    assert hits(r, "inclusive-language/exclusionary") == [
        "ninja", "ambiente giovane e dinamico", "bella presenza", "madrelingua italiana"]
    assert hits(r, "call-to-action/high-effort") == ["inviami il tuo CV", "candidati tramite"]
    assert hits(r, "subject/generic") == ["Opportunità unica!"]
    assert r.verdict == "blocked" and r.metrics.genericness == 1.0


# --- generic-template ------------------------------------------------------------------------

@pytest.mark.parametrize("placeholder", ["[Nome]", "{{nome}}", "{nome}", "<NOME>", "[Nome Azienda]", "XXX"])
def test_placeholders_in_italian_drafts_are_errors(rv, placeholder):
    r = review(rv, f"Ciao {placeholder},\n\nho letto il tuo articolo su Kafka.{ASK}")
    assert hits(r, "generic-template/placeholder") == [placeholder]
    assert r.verdict == "blocked"


@pytest.mark.parametrize("salutation", ["Gentile candidato", "Gentile candidata", "Gentile candidato/a",
                                        "Gentili candidati", "Egregio candidato", "Gentile utente LinkedIn",
                                        "A chi di competenza"])
def test_mass_salutations_block_the_draft(rv, salutation):
    r = review(rv, f"{salutation},\n\nho letto il tuo articolo su Kafka.{ASK}")
    assert hits(r, "generic-template/generic-salutation") == [salutation]
    assert r.verdict == "blocked"


def test_salve_and_ciao_a_tutti_greet_nobody_but_buongiorno_is_courtesy(rv):
    salve = review(rv, f"Salve,\n\nho letto il tuo articolo su Kafka.{ASK}")
    assert hits(salve, "generic-template/generic-greeting") == ["Salve,"]
    everyone = review(rv, f"Ciao a tutti,\n\nho letto il vostro articolo su Kafka.{ASK}")
    assert hits(everyone, "generic-template/generic-greeting") == ["Ciao a tutti"]
    for body in (f"Buongiorno,\n\nho letto il tuo articolo su Kafka.{ASK}",
                 f"Salve Giulia,\n\nho letto il tuo articolo su Kafka.{ASK}"):
        assert "generic-template/generic-greeting" not in rules_of(review(rv, body))


@pytest.mark.parametrize("text, expected", [
    ("Ti scrivo per un nostro cliente.", "un nostro cliente"),
    ("Il nostro cliente cerca una backend developer.", "Il nostro cliente"),
    ("Uno dei nostri clienti cerca una backend developer.", "Uno dei nostri clienti"),
    ("Per importante azienda cliente cerchiamo una backend developer.", "Per importante azienda cliente"),
    ("Lavoreresti per un'importante azienda del settore food.", "un'importante azienda"),
    ("Lavoreresti per un’importante azienda del settore food.", "un'importante azienda"),
    ("Si tratta di un'azienda leader nel settore fintech.", "un'azienda leader"),
    ("Cerchiamo per conto di una società di Milano.", "per conto di una società"),
    ("Il ruolo è in un noto gruppo bancario.", "un noto gruppo"),
])
def test_the_unnamed_client_is_flagged_in_every_italian_form(rv, text, expected):
    r = review(rv, f"Ciao Giulia,\n\n{text}{ASK}")
    assert hits(r, "generic-template/unnamed-client") == [expected]


@pytest.mark.parametrize("text", [
    "Un nostro cliente, Ferrero, cerca una backend developer.",
    "Uno dei nostri clienti Lavazza cerca una backend developer.",
    "I nostri clienti risparmiano il 20% e tra i nostri clienti ci sono Eni e Enel.",  # customers, in a pitch
    "Ferrero è un'importante azienda; Ferrero, azienda leader nel settore, cresce.",
    "Siamo un'azienda leader nei pagamenti.",
    "Hai lavorato in un'azienda di cinquanta persone.",
])
def test_a_named_client_or_ordinary_customers_are_not_flagged(rv, text):
    r = review(rv, f"Ciao Giulia,\n\n{text}{ASK}")
    assert hits(r, "generic-template/unnamed-client") == []


@pytest.mark.parametrize("text, expected", [
    ("Ho un'opportunità unica per te.", "opportunità unica"),
    ("Ho un’opportunità unica per te.", "opportunità unica"),
    ("In agenzia abbiamo visto il tuo profilo.", "abbiamo visto il tuo profilo"),  # through the lemmas
    ("Cerchiamo persone per nuove sfide.", "nuove sfide"),
    ("Offriamo retribuzioni competitive.", "retribuzioni competitive"),            # through the lemmas
    ("La retribuzione competitiva è garantita.", "retribuzione competitiva"),
    ("Usiamo tecnologie all’avanguardia.", "all'avanguardia"),  # quotes show the plain text: ’ → '

])
def test_boilerplate_is_found_across_apostrophes_and_inflections(rv, text, expected):
    r = review(rv, f"Ciao Giulia,\n\n{text}{ASK}")
    assert hits(r, "generic-template/boilerplate") == [expected]


def test_leader_nel_settore_is_boilerplate_only_when_it_does_not_also_hide_the_client(rv):
    named = review(rv, f"Ciao Giulia,\n\nFerrero, azienda leader nel settore dolciario, cresce.{ASK}")
    assert hits(named, "generic-template/boilerplate") == ["leader nel settore"]
    unnamed = review(rv, f"Ciao Giulia,\n\nLavoreresti in un'azienda leader nel settore dolciario.{ASK}")
    assert hits(unnamed, "generic-template/unnamed-client") == ["un'azienda leader"]
    assert hits(unnamed, "generic-template/boilerplate") == [], "one finding for one phrase"


# --- inclusive-language ----------------------------------------------------------------------

def test_exclusionary_wording_gets_an_italian_replacement(rv):
    r = review(rv, "Ciao Giulia,\n\ncerchiamo persone giovani e dinamiche per il nostro team giovane: giovani "
                   "talenti under 30, di bella presenza, madrelingua inglese e nativi digitali. "
                   f"Cercasi ragazzo per il magazzino.{ASK}")
    found = {r.quote(f): f.suggestion for f in r.findings if f.rule == "inclusive-language/exclusionary"}
    assert found == {
        "giovani e dinamiche": "Write “con voglia di fare” instead.",
        "team giovane": "Write “team affiatato” instead.",
        "giovani talenti": "Write “nuovi talenti” instead.",
        "under 30": "Write “con 2-5 anni di esperienza” instead.",
        "di bella presenza": "Write “con professionalità nel rapporto con i clienti” instead.",
        "madrelingua inglese": "Write “inglese fluente” instead.",
        "nativi digitali": "Write “persone a proprio agio con gli strumenti digitali” instead.",
        "Cercasi ragazzo": "Write “cerchiamo una persona” instead.",
    }
    assert all(q.lower() not in s.lower() for q, s in found.items()), "a suggestion never repeats the match"


def test_giovane_about_a_company_and_ordinary_job_titles_are_not_flagged(rv):
    # Decision (see it/inclusive-language.yml): "giovane" is flagged about people, not about a
    # company's age; a masculine title in an ordinary sentence is standard Italian.
    r = review(rv, "Ciao Giulia,\n\nSatispay è una giovane azienda, una startup giovane in crescita. Stiamo "
                   "cercando uno sviluppatore backend; eri nella lista Forbes 30 under 30 e sei madrelingua "
                   f"tedesca. Cercasi programmatore/trice e cercasi sviluppatore (m/f).{ASK}", recipient=GIULIA)
    assert hits(r, "inclusive-language/exclusionary") == []


def test_the_classified_ad_form_of_a_masculine_title_is_flagged(rv):
    r = review(rv, f"Ciao Giulia,\n\nCercasi programmatore Java per il team di Torino.{ASK}")
    found = [f for f in r.findings if f.rule == "inclusive-language/exclusionary"]
    assert [r.quote(f) for f in found] == ["Cercasi programmatore"]
    assert "programmatrice" in found[0].suggestion


def test_gender_coding_is_one_document_level_suggestion(rv):
    r = review(rv, "Ciao Giulia,\n\ncerchiamo una persona ambiziosa, competitiva e assertiva, con grinta, "
                   f"leadership e spirito di sfida, che lavori in autonomia.{ASK}")
    found = [f for f in r.findings if f.rule == "inclusive-language/gender-coded"]
    assert len(found) == 1 and found[0].severity == "suggestion" and found[0].span is None
    assert "masculine" in found[0].message
    # "competenze" (skills) and "attività" are not "competitive" and "active".
    skills = review(rv, "Ciao Giulia,\n\nle tue competenze su Kafka e le attività del team dati, le competenze "
                        f"Go e le attività di analisi mi hanno colpito.{ASK}")
    assert "inclusive-language/gender-coded" not in rules_of(skills)


# --- personalization -------------------------------------------------------------------------

def test_name_spelling_and_references_against_the_profile(rv):
    no_name = review(rv, f"Buongiorno,\n\nil tuo lavoro su Kafka in Satispay è notevole.{ASK}", recipient=GIULIA)
    assert "personalization/no-name" in rules_of(no_name)
    misspelt = review(rv, f"Ciao Giula,\n\nil tuo lavoro su Kafka in Satispay è notevole.{ASK}", recipient=GIULIA)
    assert hits(misspelt, "personalization/name-misspelt") == ["Giula"]
    no_ref = review(rv, f"Ciao Giulia,\n\nsiamo una banca e assumiamo.{ASK}", recipient=GIULIA)
    refs = [f for f in no_ref.findings if f.rule == "personalization/no-reference"]
    assert refs and "Satispay" in refs[0].suggestion and "Ho visto che" in refs[0].suggestion


def test_a_draft_about_us_counts_the_we_verbs_italian_leaves_unsaid(rv):
    # Pro-drop: "Siamo", "Abbiamo", "Offriamo" carry the "we" that English writes as a pronoun.
    r = review(rv, "Ciao Giulia,\n\nsiamo un'azienda in crescita. Abbiamo uffici a Milano e il nostro team "
                   "cresce. Il nostro prodotto piace e i nostri clienti sono contenti. Offriamo tanto e "
                   f"crediamo di essere i migliori.{ASK}")
    found = [f for f in r.findings if f.rule == "personalization/about-us"]
    assert found and "“Lei/Suo”" in found[0].suggestion
    assert "personalization/about-us" not in rules_of(review(rv, GOOD, recipient=GIULIA))


# --- category-match --------------------------------------------------------------------------

@pytest.mark.parametrize("body, category", [
    ("Ciao Giulia,\n\ncerchiamo una consulente freelance su Kafka per un progetto di tre mesi in partita "
     "IVA, tariffa giornaliera da concordare. Ti interesserebbe?", "consulting_offer"),
    ("Ciao Giulia,\n\nsono co-founder di una startup in fase pre-seed e cerco un socio fondatore tecnico, "
     "con equity. Ti andrebbe un caffè?", "new_venture"),
    ("Ciao Giulia,\n\nMarco Neri ti ha indicato come referenza: avete lavorato insieme in Satispay. "
     "Avresti dieci minuti?", "reference_request"),
    ("Ciao Giulia,\n\nquanto tempo! È passato tanto tempo dall'ultima volta che ci siamo sentiti a "
     "Codemotion. Ti andrebbe di risentirci?", "getting_back_in_touch"),
    ("Ciao Giulia,\n\nvorrei un tuo parere sulla migrazione a Kafka: un consiglio da chi l'ha fatta mi "
     "sarebbe prezioso. Hai dieci minuti?", "expertise_request"),
    ("Ciao Giulia,\n\nla nostra piattaforma aiuta i team di pagamento; ti propongo una demo e un "
     "preventivo per una partnership. Ti andrebbe?", "business_deal"),
    (GOOD, "career_opportunity"),
    (FORMAL, "career_opportunity"),
])
def test_categories_are_detected_from_italian_signals(rv, body, category):
    assert review(rv, body, subject="").category == category


def test_a_category_the_recipient_is_not_open_to_is_flagged(rv):
    r = review(rv, "Ciao Giulia,\n\ncerchiamo una consulente freelance su Kafka per un progetto di tre mesi "
                   "in partita IVA. Ti interesserebbe?", recipient=GIULIA)
    assert r.category == "consulting_offer" and "category-match/not-open-to" in rules_of(r)


# --- call-to-action --------------------------------------------------------------------------

def test_call_to_action_none_one_or_too_many(rv):
    none = review(rv, "Ciao Giulia, il tuo talk su Kafka era ottimo. Stiamo assumendo a Torino.")
    assert "call-to-action/missing" in rules_of(none)
    # "è disponibile" is a statement, even though "saresti disponibile" would be an ask.
    statement = review(rv, "Ciao Giulia, il tuo talk su Kafka era ottimo. La posizione è disponibile da subito.")
    assert "call-to-action/missing" in rules_of(statement)
    for body in ("Ciao Giulia, il tuo talk su Kafka era ottimo. Fammi sapere se ti interessa.",
                 "Ciao Giulia, il tuo talk su Kafka era ottimo. Mi faccia sapere se possiamo sentirci."):
        assert "call-to-action/missing" not in rules_of(review(rv, body))
    many = review(rv, "Ciao Giulia, il tuo talk su Kafka era ottimo. Assumiamo.\n\nPossiamo sentirci lunedì? "
                      "Ti andrebbe di visitare l'ufficio? Hai tempo di leggere il blog? Fammi sapere del CV.")
    assert "call-to-action/too-many" in rules_of(many)


def test_high_effort_asks_in_italian(rv):
    r = review(rv, "Ciao Giulia, il tuo talk su Kafka era ottimo. Mandami il tuo curriculum e compila il modulo.")
    assert hits(r, "call-to-action/high-effort") == ["Mandami il tuo curriculum", "compila il modulo"]


# --- subject ---------------------------------------------------------------------------------

@pytest.mark.parametrize("subject", ["Opportunità", "OPPORTUNITA", "Un'opportunità unica", "Un’opportunità unica",
                                     "Proposta di lavoro", "Nuova sfida!"])
def test_generic_italian_subjects(rv, subject):
    assert hits(review(rv, GOOD, subject=subject), "subject/generic") == [subject.replace("’", "'")]


def test_italian_subject_rules(rv):
    bait = review(rv, GOOD, subject="Urgente: RAL 45k?!")
    assert hits(bait, "subject/clickbait") == ["Urgente"]
    assert {"45k", "?!"} <= set(hits(bait, "generic-template/clickbait"))
    fine = review(rv, GOOD, subject="Il tuo talk su Kafka e un ruolo in Ferrero")
    assert not [f for f in fine.findings if f.family == "subject" or f.field == "subject"]


# --- language detection ----------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Ciao Giulia, hai tempo per una chiamata?",
    "Ho visto il tuo profilo e ho un'opportunità unica per te.",
    GOOD,
    FORMAL,
    MASS,
])
def test_italian_is_detected_as_it(text):
    detection = detect(text)
    assert detection.language == "it" and detection.source == "text"


def test_the_recipients_language_decides_for_very_short_texts(rv):
    assert detect("Grazie mille!", hint="it").language == "it"
    r = rv.review(Draft(body="Grazie mille!", recipient=Recipient(name="Giulia Bianchi", language="it")))
    assert r.language == "it" and any("recipient's language" in n for n in r.notes)


# --- examples --------------------------------------------------------------------------------

def test_the_italian_examples_review_as_documented(rv):
    reviews = {item.draft.id: rv.review(item.draft) for item in read(sorted(map(str, EXAMPLES.glob("it-*"))))}
    assert set(reviews) == {"it-mass-template", "it-personalized", "it-borderline", "it-formal"}
    assert all(r.language == "it" for r in reviews.values())
    assert reviews["it-mass-template"].verdict == "blocked"
    assert reviews["it-personalized"].verdict == "ready" and reviews["it-formal"].verdict == "ready"
    assert 60 <= reviews["it-borderline"].score < 90
