"""The grammar family: LanguageTool over real HTTP (a local stand-in) and offline Hunspell."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from rules.grammar import GrammarResult, build_checker
from rules.grammar.languagetool import LanguageToolChecker
from rules.grammar.spelling import MAX_FLAGGED_WORDS, HunspellChecker
from rules.grammar.words import proper_names
from rules.grammar.wording import useful_replacements
from tests.languagetool_standin import KNOWN_ERRORS, KnownError, LanguageToolStandIn


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def lt():
    with LanguageToolStandIn() as server:
        yield server


@pytest.fixture(scope="module")
def offline() -> HunspellChecker:
    return HunspellChecker()


def spans(result: GrammarResult) -> list[tuple[int, int]]:
    out = []
    for f in result.findings:
        assert f.span is not None, f
        out.append(f.span)
    return out


def quoted(text: str, result: GrammarResult) -> list[str]:
    return [text[start:end] for start, end in spans(result)]


def assert_well_formed(text: str, result: GrammarResult) -> None:
    """What every grammar finding owes the user, whichever checker made it."""
    for f, (start, end) in zip(result.findings, spans(result)):
        assert 0 <= start < end <= len(text)
        assert f.rule.startswith("grammar/") and f.field == "body"
        assert f.message and f.suggestion
        assert f.suggestion != text[start:end]
        assert f"“{text[start:end]}”" != f.suggestion.removeprefix("Write ").rstrip(".")


# --- LanguageTool -------------------------------------------------------------------------

def test_languagetool_matches_are_mapped_exactly(lt):
    text = "We would recieve a apple,, in order to talk."
    result = build_checker(lt.url).check(text, field="body", lang="en")

    assert (result.checker, result.note) == ("languagetool", None)
    assert [(f.rule, f.severity, f.span, f.message, f.suggestion) for f in result.findings] == [
        ("grammar/spelling", "warning", (9, 16),
         "“recieve” looks misspelt (LanguageTool: Possible spelling mistake found.)",
         "Write “receive” (or “relieve”)."),
        ("grammar/grammar", "warning", (17, 18),
         "“a”: Use “an” instead of ‘a’ if the following word starts with a vowel sound, "
         "e.g. ‘an article’, ‘an hour’.",
         "Write “an”."),
        ("grammar/punctuation", "suggestion", (24, 26), "“,,”: Two consecutive commas", "Write “,”."),
        ("grammar/style", "suggestion", (27, 38), "“in order to”: Consider shortening this phrase.",
         "Write “to”."),
    ]
    assert quoted(text, result) == ["recieve", "a", ",,", "in order to"]
    assert [r.form for r in lt.checks()] == [{"language": "en-US", "text": text}]


def test_a_replacement_equal_to_the_matched_text_is_never_offered():
    echo = KnownError(("en",), r"Rockstar", "ROCKSTAR", "STYLE", "Style", "style",
                      "This word is overused.", "Overused word", ("Rockstar", "rockstar"))
    text = "Rockstar engineers wanted."
    with LanguageToolStandIn(errors=(echo,)) as server:
        result = build_checker(server.url).check(text, field="body", lang="en")
    assert [(f.message, f.suggestion) for f in result.findings] == [
        ("“Rockstar”: This word is overused.", "Write “rockstar”.")]
    assert useful_replacements("Rockstar", ["Rockstar"]) == []


def test_replacements_skip_case_twins_and_keep_splits_only_as_a_last_resort():
    assert useful_replacements("opportunita", ["opportunità", "Opportunità", "opportunista", "oppor tunita"]) == [
        "opportunità", "opportunista"]
    assert useful_replacements("colour", ["color", "co lour", "co-lour"]) == ["color"]
    assert useful_replacements("jobbsoker", ["jobb soker"]) == ["jobb soker"]


def test_recipient_locale_picks_the_english_variant(lt):
    build_checker(lt.url).check("I recieve mail.", field="body", lang="en", locale="en-GB")
    build_checker(lt.url).check("I recieve mail.", field="body", lang="en", locale="nb")
    assert [r.form["language"] for r in lt.checks()] == ["en-GB", "en-US"]


def test_languagetool_offsets_count_utf16_and_are_converted(lt):
    text = "🎉🚀 Great news! 👩‍💻 We would recieve it."
    # The server counts in UTF-16 code units: each emoji before the error takes two.
    raw = requests.post(lt.url + "v2/check", data={"language": "en-US", "text": text}, timeout=5).json()
    assert raw["matches"][0]["offset"] == text.index("recieve") + 4

    result = build_checker(lt.url).check(text, field="body", lang="en")
    assert quoted(text, result) == ["recieve"]


def test_languagetool_length_with_an_emoji_inside_the_match():
    emoji_rule = KnownError(("en",), r"great 🎉 news", "EMOJI_IN_PHRASE", "TYPOGRAPHY", "Typography",
                            "typographical", "Emoji inside a phrase.", "Emoji", ("great news",))
    with LanguageToolStandIn(errors=(emoji_rule,)) as server:
        text = "😀 So great 🎉 news, 🚀 really."
        result = build_checker(server.url).check(text, field="body", lang="en")
    assert quoted(text, result) == ["great 🎉 news"]
    assert result.findings[0].rule == "grammar/style"
    assert result.findings[0].suggestion == "Write “great news”."


@pytest.mark.parametrize("lang, text, word", [
    ("nb", "Hei Åse 👋! Vi søker en utvilker til kontoret på Bærum.", "utvilker"),
    ("it", "È un'occasione 😀: perché non cogliere un'opportunita così?", "opportunita"),
])
def test_languagetool_offsets_with_nordic_and_italian_letters(lt, lang, text, word):
    result = build_checker(lt.url).check(text, field="body", lang=lang)
    assert result.checker == "languagetool"
    assert quoted(text, result) == [word]
    assert_well_formed(text, result)


def test_norwegian_uses_the_code_the_server_lists(lt):
    build_checker(lt.url).check("Vi søker en utvilker.", field="body", lang="nb")
    nb_server = ({"name": "Norwegian (Bokmål)", "code": "nb", "longCode": "nb-NO"},)
    with LanguageToolStandIn(languages=nb_server) as other:
        build_checker(other.url).check("Vi søker en utvilker.", field="body", lang="nb")
        assert other.checks()[0].form["language"] == "nb-NO"
    assert lt.checks()[0].form["language"] == "no-NO"


def test_a_language_the_server_lacks_gets_hunspell_without_tripping_the_breaker():
    english_only = ({"name": "English (US)", "code": "en", "longCode": "en-US"},)
    with LanguageToolStandIn(languages=english_only) as server:
        checker = build_checker(server.url)
        result = checker.check("Un'opportunita unica.", field="body", lang="it")
        assert result.checker == "hunspell"
        assert result.note == ("The LanguageTool server does not check Italian; "
                               "offline spelling (Hunspell) used instead")
        assert quoted("Un'opportunita unica.", result) == ["Un'opportunita"]
        assert server.checks() == []
        assert checker.check("I recieve mail.", field="body", lang="en").checker == "languagetool"


def test_hosted_api_credentials_are_sent(lt):
    checker = build_checker(lt.url + "v2/", api_key="secret-key", username="lead@example.com")
    assert checker.check("I recieve mail.", field="body", lang="en").checker == "languagetool"
    form = lt.checks()[0].form
    assert (form["username"], form["apiKey"]) == ("lead@example.com", "secret-key")
    assert lt.requests[0].path == "/v2/languages"  # "/v2" given in the URL is not doubled


def test_api_key_without_username_is_refused():
    with pytest.raises(ValueError, match="username"):
        build_checker("http://127.0.0.1:9/", api_key="secret-key")


def test_languagetool_matches_on_ignored_words_are_dropped():
    flags = KNOWN_ERRORS + (
        KnownError(("en",), r"kubernetes", "MORFOLOGIK_RULE_EN_US", "TYPOS", "Possible Typo", "misspelling",
                   "Possible spelling mistake found.", "Spelling mistake", ("governess",)),
        KnownError(("en",), r"exampel", "MORFOLOGIK_RULE_EN_US", "TYPOS", "Possible Typo", "misspelling",
                   "Possible spelling mistake found.", "Spelling mistake", ("example",)),
    )
    text = "Nordmann, we recieve your kubernetes notes at https://exampel.com/jobs."
    with LanguageToolStandIn(errors=flags) as server:
        checker = build_checker(server.url)
        ignoring = checker.check(text, field="body", lang="en", ignore_words=frozenset({"Ola Nordmann"}))
        plain = checker.check(text, field="body", lang="en")
    assert quoted(text, ignoring) == ["recieve"]
    assert quoted(text, plain) == ["Nordmann", "recieve"]


def test_server_error_falls_back_to_hunspell_with_a_note(lt):
    lt.down = "error"
    text = "We would recieve your CV."
    result = build_checker(lt.url).check(text, field="body", lang="en")
    assert result.checker == "hunspell"
    assert result.note == "LanguageTool answered with an error; offline spelling (Hunspell) used instead"
    assert quoted(text, result) == ["recieve"]
    assert "English (US) dictionary" in result.findings[0].message
    assert len(lt.checks()) == 1


@pytest.mark.parametrize("how", ["hangup", "stopped"])
def test_unreachable_server_falls_back_to_hunspell(how):
    server = LanguageToolStandIn(down="hangup" if how == "hangup" else None).start()
    url = server.url
    if how == "stopped":
        server.stop()
    try:
        result = build_checker(url).check("We would recieve your CV.", field="body", lang="en")
    finally:
        server.stop()
    assert result.checker == "hunspell"
    assert result.note == "LanguageTool could not be reached; offline spelling (Hunspell) used instead"


def test_slow_server_is_given_up_after_the_timeout(lt):
    lt.delay = 3.0
    checker = LanguageToolChecker(lt.url, fallback=HunspellChecker(), timeout=0.5)
    text = "We would recieve your CV."
    result = checker.check(text, field="body", lang="en")
    # Had the 3 s answer been waited for, the stand-in's finding would carry checker "languagetool".
    assert result.checker == "hunspell"
    assert result.note == "LanguageTool did not answer within 0.5 s; offline spelling (Hunspell) used instead"
    assert quoted(text, result) == ["recieve"]
    assert len(lt.checks()) == 1  # sent once, not retried


def test_circuit_breaker_skips_languagetool_then_tries_again(lt):
    clock = FakeClock()
    checker = LanguageToolChecker(lt.url, fallback=HunspellChecker(), cooldown=30, clock=clock)
    text = "We would recieve your CV."

    lt.down = "error"
    assert checker.check(text, field="body", lang="en").checker == "hunspell"
    assert len(lt.checks()) == 1

    lt.down = None  # the server is back, but the breaker is still open
    clock.now += 10
    paused = checker.check(text, field="body", lang="en")
    assert paused.checker == "hunspell"
    assert paused.note == ("LanguageTool failed recently and is paused for another 20 s; "
                           "offline spelling (Hunspell) used instead")
    assert quoted(text, paused) == ["recieve"]
    assert len(lt.checks()) == 1

    clock.now += 21
    again = checker.check(text, field="body", lang="en")
    assert (again.checker, again.note) == ("languagetool", None)
    assert len(lt.checks()) == 2


def test_breaker_also_covers_a_server_down_at_first_contact():
    clock = FakeClock()
    server = LanguageToolStandIn().start()
    url = server.url
    server.stop()
    checker = LanguageToolChecker(url, fallback=HunspellChecker(), cooldown=30, clock=clock)
    assert checker.check("Hello there.", field="body", lang="en").note.startswith("LanguageTool could not be reached")
    clock.now += 5
    assert "paused for another 25 s" in checker.check("Hello there.", field="body", lang="en").note


# --- Hunspell -----------------------------------------------------------------------------

def test_no_server_configured_means_hunspell_without_a_note():
    result = build_checker(None).check("We would recieve your CV.", field="body", lang="en")
    assert (result.checker, result.note) == ("hunspell", None)
    assert isinstance(build_checker("  "), HunspellChecker)


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "We would love to recieve your CV. This is definately an oppurtunity worth a chat.",
     [("recieve", "receive"), ("definately", "definitely"), ("oppurtunity", "opportunity")]),
    ("nb", "Vi søker en utvilker med god erfaing fra denne stillling.",
     [("utvilker", "utvikler"), ("erfaing", "erfaring"), ("stillling", "stilling")]),
    ("it", "Questa è un'ottima opportunita per uno sviluppatroe come te.",
     [("opportunita", "opportunità"), ("sviluppatroe", "sviluppatore")]),
])
def test_real_misspellings_are_caught(offline, lang, text, expected):
    result = offline.check(text, field="body", lang=lang)
    assert result.checker == "hunspell"
    assert quoted(text, result) == [word for word, _ in expected]
    for finding, (word, fix) in zip(result.findings, expected):
        assert finding.rule == "grammar/spelling" and finding.severity == "warning"
        assert finding.message.startswith(f"“{word}” looks misspelt")
        assert finding.suggestion.startswith(f"Write “{fix}”")
    assert_well_formed(text, result)


CORRECT_DRAFTS = {
    "en": [
        """Hi Priya,

I noticed your talk on event-driven architecture at NDC Oslo and your open-source work on Kafka Streams. We're hiring a senior platform engineer at Vipps to help us scale our payment infrastructure, and your background looks like a great fit.

The role is hybrid (two days a week in our Oslo office), with a competitive salary, a generous pension and an annual learning budget. You'd be joining a team of eight engineers who own our Kubernetes clusters, CI/CD pipelines and observability stack.

Would you be open to a short, no-pressure chat next Tuesday or Wednesday? Happy to share the full job description beforehand.

Best regards,
Ola Nordmann
Senior Technical Recruiter | Vipps""",
        """Hey Tom – loved your blog post about migrating a monolith to microservices without downtime. I'm a recruiter at Klarna and we're growing our checkout team in Stockholm. The stack is TypeScript, Node.js and PostgreSQL on AWS, and we ship several times a day. Relocation support is available, and the team speaks English. Could we grab 20 minutes on Thursday to see whether it's worth a deeper conversation? No CV needed at this stage.""",
    ],
    "nb": [
        """Hei Kari!

Jeg kom over profilen din på LinkedIn og ble imponert over erfaringen din med dataplattformer og strømmedata hos Equinor. Vi ser etter en erfaren backendutvikler til et nytt team i Oslo som skal bygge betalingsløsninger for hele Norden.

Stillingen er fast, med konkurransedyktig lønn, gode pensjonsordninger og mulighet for to hjemmekontordager i uken. Teamet jobber med Kotlin, Kafka og Kubernetes, og du vil få stor innflytelse på arkitekturvalgene.

Har du lyst på en uforpliktende prat over en kaffe neste uke? Jeg forteller gjerne mer om selskapet og hvordan de jobber.

Med vennlig hilsen
Ola Nordmann
Rekrutteringsrådgiver""",
        """Hei Lars, jeg håper alt står bra til. Jeg tar kontakt fordi du har solid erfaring som løsningsarkitekt innen skytjenester, og en av våre kunder i energibransjen søker nå en leder for sitt utviklingsteam i Stavanger. Er dette noe du kunne tenke deg å høre mer om? Vi kan ta en telefonsamtale på fredag kl. 14.""",
    ],
    "it": [
        """Ciao Giulia,

ho letto con interesse il tuo profilo e la tua esperienza nello sviluppo di microservizi con Java e Spring presso Eni. Sto cercando uno sviluppatore backend senior per un'azienda in forte crescita nel settore dei pagamenti digitali, con sede a Milano.

L'offerta prevede un contratto a tempo indeterminato, una retribuzione competitiva, buoni pasto e due giorni di smart working a settimana. Il team è composto da dieci persone e lavora con metodologia agile.

Ti andrebbe di fare una breve chiamata conoscitiva la prossima settimana? Sarei felice di raccontarti di più sul progetto.

Cordiali saluti,
Marco Rossi
Talent Acquisition Specialist""",
        """Buongiorno Alessandro, spero che tu stia bene. Ti contatto perché il tuo percorso come responsabile dell’infrastruttura cloud mi sembra perfetto per una posizione che stiamo seguendo a Torino. È prevista una certa flessibilità sugli orari e la possibilità di lavorare da remoto. Saresti disponibile per un colloquio informale nei prossimi giorni?""",
    ],
}


@pytest.mark.parametrize("lang, text", [(lang, t) for lang, texts in CORRECT_DRAFTS.items() for t in texts])
def test_correct_recruiter_drafts_have_no_spelling_findings(offline, lang, text):
    result = offline.check(text, field="body", lang=lang)
    assert (quoted(text, result), result.checker, result.note) == ([], "hunspell", None)


def test_recipient_words_and_tech_terms_are_not_flagged(offline):
    text = "Skjelbred, your Kafka work stood out. Equinors team uses kubernetes and terraform daily."
    profile = frozenset({"Kari Skjelbred", "Equinor", "Kafka"})
    assert quoted(text, offline.check(text, field="body", lang="en", ignore_words=profile)) == []
    # Without the profile, the names at the start of a sentence are unknown words.
    assert quoted(text, offline.check(text, field="body", lang="en")) == ["Skjelbred", "Equinors"]


def test_identifiers_addresses_and_acronyms_are_not_flagged(offline):
    text = ("Recieve the brief at https://exampel.com/jbos or kari.nordmnn@exampel.com, ping @krai in "
            "#rekrutering. We use k8sx, FOOBR, myVarible, snake_caes and Nodee.js with Ola Nordmnn.")
    assert quoted(text, offline.check(text, field="body", lang="en")) == ["Recieve"]


def test_a_name_starting_a_sentence_is_known_by_its_other_uses(offline):
    text = "Oda is hiring for its logistics platform. You would join Oda's routing team."
    assert quoted(text, offline.check(text, field="body", lang="en")) == []
    alone = "Oda is hiring for its logistics platform."
    assert quoted(alone, offline.check(alone, field="body", lang="en")) == ["Oda"]
    subject_names = proper_names("Backend role at Oda")
    assert subject_names == {"Oda"}
    assert offline.check(alone, field="body", lang="en", ignore_words=subject_names).findings == ()


@pytest.mark.parametrize("lang, text", [
    ("en", "A multicloud, cross-functional and multi-region setup, with on-call etc. as usual."),
    ("it", "Lavorerai su riconciliazione e antifrode in un team multicanale."),
    ("nb", "Ring meg gjerne kl. 14 om noe er uklart."),
])
def test_prefixes_and_abbreviations_with_their_dot_pass(offline, lang, text):
    assert quoted(text, offline.check(text, field="body", lang=lang)) == []


def test_an_abbreviation_needs_its_dot(offline):
    assert offline.check("Du får bl. a. fleksibel arbeidstid.", field="body", lang="nb").findings == ()
    text = "Du får bl a fleksibel arbeidstid."
    assert quoted(text, offline.check(text, field="body", lang="nb")) == ["bl"]


def test_english_takes_british_and_american_spelling_alike(offline):
    text = "The colour of the color, optimised or optimized, but never teh colur."
    for locale in (None, "en-GB", "en-US"):
        assert quoted(text, offline.check(text, field="body", lang="en", locale=locale)) == ["teh", "colur"]


def test_norwegian_compounds_are_accepted_but_misspelt_ones_are_not(offline):
    text = ("utviklerstilling programvareutvikler rekrutteringsrådgiver skytjenester betalingsløsninger "
            "fagleder hjemmekontordager noen poeng")
    assert quoted(text, offline.check(text, field="body", lang="nb")) == []
    wrong = "programvareutvilker rekrutterinsgrådgiver"
    assert quoted(wrong, offline.check(wrong, field="body", lang="nb")) == wrong.split()


def test_english_loanwords_pass_in_norwegian_and_italian(offline):
    assert offline.check("Teamet jobber med senior developers og stakeholders.", field="body", lang="nb").findings == ()
    assert offline.check("Offriamo smart working e un team giovane.", field="body", lang="it").findings == ()
    # Words only the US dictionary has: the UK one is asked first, then the US one.
    assert offline.check("Il plugin standalone per il call center, dal kickoff.", field="body", lang="it").findings == ()
    assert [f.span for f in offline.check("Il plugin e il colour nel center di Milano, comprehensivo.",
                                          field="body", lang="it").findings] == [(44, 57)]  # "comprehensivo"


def test_a_word_of_another_of_our_languages_gets_no_far_guess(offline):
    # The English dictionary's own search would offer "Enliven" and "hillside" for a Norwegian
    # sign-off; a two-edit typo of no other language's word still gets the search's guess.
    signed = "Thanks for reading.\n\nVennlig hilsen\nKari"
    findings = offline.check(signed, field="body", lang="en").findings
    assert [(f.severity, f.suggestion) for f in findings] == [
        ("suggestion", "Check the spelling of “Vennlig”; if it is a name or a term, keep it."),
        ("suggestion", "Check the spelling of “hilsen”; if it is a name or a term, keep it.")]
    typo = offline.check("Er du intresert i en prat?", field="body", lang="nb").findings
    assert [f.suggestion for f in typo] == ["Write “interessert”."]


@pytest.mark.parametrize("code, typo, meant", [
    ("nb", "intresant", "interessant"),      # two letters left out: only such forms are offered
    ("en-US", "tecnolgy", "technology"),
    ("en-US", "accomodatoin", "accommodation"),
    ("it", "serrsmetni", "serramenti"),      # an entry with the word's own ending
    ("it", "svilupatroe", "sviluppatore"),
])
def test_two_edit_typos_get_the_word_meant(code, typo, meant):
    from rules.grammar.spelling import speller

    assert speller(code).far_words(typo)[0] == meant


def test_no_far_guess_for_a_short_word_or_a_word_nothing_is_near():
    from rules.grammar.spelling import speller

    assert speller("nb").far_words("opcua") == ()  # two edits of five letters: too little left
    assert speller("it").far_words("coworking") == ()  # Hunspell's own search said "cracking"



@pytest.mark.parametrize("code", ["en-US", "nb", "it"])
def test_one_letters_entries_are_what_reading_them_all_gives(code):
    """A batch reads the entries letter by letter, a server all of them at start: the same
    words, in the same order, so the two-edit search offers the same guesses in both."""
    from rules.grammar.spelling import DICTIONARIES, Speller, sources

    source = sources()[code]
    fresh = Speller(source, DICTIONARIES / source.folder)
    one_by_one = {letter: fresh._entries_of(letter) for letter in source.letters}
    fresh.read_entries()
    for letter in source.letters:
        assert fresh._entries_of(letter) == one_by_one[letter], letter
    assert len(one_by_one["s"].split("\n")) > 2000

def test_apostrophes_and_elisions(offline):
    assert offline.check("We’re sure you’ll like it, and recruiters' notes too.", field="body", lang="en").findings == ()
    text = "Lavorerai nell’azienda e dell'Equinor sarai l'anima, qual'è il problema?"
    assert quoted(text, offline.check(text, field="body", lang="it")) == ["qual'è"]


def test_hunspell_spans_are_right_after_emoji(offline):
    text = "🎉👩‍💻🚀 Hei Åse! Vi søker en utvilker 🙌 med erfaing."
    assert quoted(text, offline.check(text, field="body", lang="nb")) == ["utvilker", "erfaing"]


def test_flagged_words_are_capped_with_a_note(offline):
    text = " ".join(["xqzrt frobnaz"] * 12)
    result = offline.check(text, field="body", lang="en")
    assert len(result.findings) == MAX_FLAGGED_WORDS
    assert result.note == ("24 words look misspelt in the body; only the first 15 are listed. "
                           "Is it really written in English (US)?")
    assert_well_formed(text, result)


def test_unknown_language_is_not_checked(offline):
    result = offline.check("Das ist ein Tesst.", field="body", lang="de")
    assert (result.findings, result.checker) == ((), "none")
    assert result.note == "Spelling was not checked: no offline dictionary for de is installed."


def test_concurrent_checks_agree_with_sequential_ones(offline):
    jobs = [(lang, text) for lang, texts in CORRECT_DRAFTS.items() for text in texts] + [
        ("en", "We would recieve your CV."), ("nb", "Vi søker en utvilker."), ("it", "Un'opportunita unica.")]
    expected = [offline.check(text, field="body", lang=lang) for lang, text in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda job: offline.check(job[1], field="body", lang=job[0]), jobs * 4))
    assert got == expected * 4


@pytest.mark.parametrize("folder, stem, words", [
    ("en", "en_US", ["recruiter", "recruiters", "recieve", "Kubernetes", "colour", "don't", "naïve"]),
    ("nb", "nb_NO", ["stilling", "stillingen", "utvikler", "hjemmekontordager", "Gdańsk", "bæresystem"]),
    ("it", "it_IT", ["sviluppatore", "sviluppatori", "dell'azienda", "opportunita", "perché"]),
])
def test_the_c_library_answers_as_chunspells_wrapper(folder, stem, words):
    """`libhunspell` calls the library chunspell ships through its C API (so that a load
    releases the GIL): every answer is the wrapper's."""
    from hunspell import Hunspell

    from rules.grammar.libhunspell import _CDictionary, open_dictionary
    from rules.grammar.spelling import DICTIONARIES

    ours, theirs = open_dictionary(DICTIONARIES / folder, stem), Hunspell(stem, hunspell_data_dir=str(DICTIONARIES / folder))
    assert isinstance(ours, _CDictionary)
    for word in words:
        try:
            expected = (theirs.spell(word), theirs.analyze(word), theirs.suffix_suggest(word))
        except UnicodeEncodeError:  # "Gdańsk" in an ISO-8859-1 dictionary: both refuse it
            with pytest.raises(UnicodeEncodeError):
                ours.spell(word)
            continue
        assert (ours.spell(word), ours.analyze(word), ours.suffix_suggest(word)) == expected, word
    assert not ours.spell("qzxwv") and ours.add("qzxwv") == 0 and ours.spell("qzxwv")


def test_without_the_c_library_chunspells_wrapper_is_used(monkeypatch):
    from hunspell import Hunspell

    from rules.grammar import libhunspell
    from rules.grammar.spelling import DICTIONARIES

    monkeypatch.setattr(libhunspell, "find_spec", lambda name: None)  # no chunspell folder to look in
    monkeypatch.setattr(libhunspell, "_loaded", [])
    dictionary = libhunspell.open_dictionary(DICTIONARIES / "en", "en_US")
    assert isinstance(dictionary, Hunspell) and dictionary.spell("recruiter") and not dictionary.spell("recieve")
    with pytest.raises(OSError, match="not found"):
        libhunspell.open_dictionary(DICTIONARIES / "en", "en_XX")


@pytest.mark.parametrize("body", [
    "Hei Kari! Jeg har lest det du har skrevet om betalinger, og vi har en stilling som kanskje passer "
    "for deg. Har du tid til en prat i neste uke?",  # its stop words say Norwegian
    "Hei Ola, tid til en kaffe?",  # too few of them: the detector says
])
def test_a_batch_starts_loading_its_languages_dictionaries_before_its_reviews(body):
    """In a fresh process that has not imported the engine: `rules.grammar.prepare` loads, in
    the background, the dictionaries of the drafts' languages and of their loanwords — and no
    other: not Italian's for a Norwegian draft — and returns the languages, for the engine to
    build ahead."""
    code = f"""if True:
        import sys
        import threading
        from models import Draft
        from rules.grammar import build_checker, prepare
        from rules.grammar.spelling import _by_code
        from rules.language import supported
        languages = prepare(build_checker(None), [Draft(body={body!r})], supported())
        assert languages == ["nb"], languages
        assert "rules.engine" not in sys.modules
        for thread in threading.enumerate():
            if thread.name.startswith("dictionary "):
                thread.join()
        print(sorted(code for _, code in _by_code))
    """
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.split("\n")[0] == "['en-GB', 'en-US', 'nb']", out.stderr
