"""The tokenizer (rules/tokens.py) with each language's `tokens:` data: what the phrase rules
and the word counts see."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from rules.nlp import pipeline
from rules.tokens import Tokenizer, TokenRules, like_email, like_url

ROOT = Path(__file__).resolve().parents[1]


def words(lang: str, text: str) -> list[str]:
    return pipeline(lang)(text).words


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "I'm sure you're right, don't worry.", ["I", "'m", "sure", "you", "'re", "right", ",", "do", "n't", "worry", "."]),
    ("en", "Equinor’s world-class team (see https://x.com/a?b=1).", ["Equinor", "’s", "world", "-", "class", "team", "(", "see", "https://x.com/a?b=1", ")", "."]),
    ("en", "Dear Mr. Olsen, e.g. C++ or C# #hiring 40M 50% :)", ["Dear", "Mr.", "Olsen", ",", "e.g.", "C++", "or", "C", "#", "#", "hiring", "40", "M", "50", "%", ":)"]),
    ("it", "Ciao, dell'azienda un po' Nord-Est full-stack e-mail 45-60K", ["Ciao", ",", "dell'", "azienda", "un", "po'", "Nord-Est", "full", "-", "stack", "e-mail", "45", "-", "60", "K"]),
    ("nb", "Hei! InMail-en om #jobb 1. april, kl. 13 i 2022.", ["Hei", "!", "InMail-en", "om", "#jobb", "1.", "april", ",", "kl.", "13", "i", "2022."]),
])
def test_each_language_cuts_its_text_as_its_data_says(lang: str, text: str, expected: list[str]) -> None:
    assert words(lang, text) == expected


def test_spacing_one_space_is_no_token_any_other_run_is_one() -> None:
    tokens = Tokenizer()("Hi Kari,\n\nthanks  a lot ")
    assert tokens.words == ["Hi", "Kari", ",", "\n\n", "thanks", " ", "a", "lot"]
    assert all(tokens.text[s:e] == w for s, e, w in zip(tokens.starts, tokens.ends, tokens.words))


def test_lemmas_are_lowercased_and_a_capitalised_word_is_looked_up_again() -> None:
    assert pipeline("it")("Abbiamo retribuzioni").lemmas == ["avere", "retribuzione"]
    assert pipeline("en")("Ninjas").lemmas == ["ninja"]


def test_links_and_addresses_are_whole_tokens_and_not_words() -> None:
    assert like_url("https://equinor.com/jobs") and like_url("equinor.no/jobs") and like_url("node.js")
    assert not like_url("3.5") and not like_url("PGConf.EU") and not like_url("end.")
    assert like_email("kari@equinor.com") and not like_email("@kari")


@pytest.mark.timeout(30)  # linear: a quadratic peel of 30,000 characters takes minutes
@pytest.mark.parametrize("run", ["[" * 30000, "{{" * 15000, "=" * 40000, "a-" * 20000])
def test_a_long_run_is_cut_at_once_and_loses_no_character(run: str) -> None:
    tokens = Tokenizer(TokenRules())(run)
    assert sum(e - s for s, e in tokens.spans()) == len(run)  # every character in exactly one token


def _check(example: str, **env: str) -> dict:
    """`check --format json` on an example in a fresh process, with `env` added."""
    code = ("import json, sys; from bot.cli import main; sys.argv = ['inmail-review', 'check', '--format', 'json', "
            f"{example!r}]; " "rc = main(); print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'spacy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **env},
                          cwd=ROOT, timeout=120)
    review, modules = done.stdout.rsplit("\n", 2)[-3:-1]
    return {"review": json.loads(review), "spacy": json.loads(modules)}


def test_reviewing_imports_no_spacy_unless_a_pipeline_is_configured() -> None:
    assert _check("examples/en-mass-template.txt")["spacy"] == []


def test_a_configured_spacy_pipeline_feeds_the_same_rules() -> None:
    pytest.importorskip("spacy", reason="the `spacy` extra is not installed")
    ours = _check("examples/en-mass-template.txt")
    theirs = _check("examples/en-mass-template.txt", INMAIL_SPACY_EN="blank:en")
    assert theirs["spacy"]  # the pipeline named was loaded
    assert [f["rule"] for f in theirs["review"]["findings"]] == [f["rule"] for f in ours["review"]["findings"]]
    assert ours["review"]["findings"], "the example has findings to compare"


# --- patterns run only on a text holding what they need ----------------------------------
def test_required_strings_are_what_every_match_must_contain():
    import re
    from rules.matching import required_strings

    assert required_strings(re.compile(r"(?i)\bhello there there\b")) == {"hello there there"}
    assert required_strings(re.compile(r"\b(?:one of (?:our|my) clients|a client of ours)\b")) == {" clients", "a client of ours"}
    assert required_strings(re.compile(r"(?m)^\s*(hi|yo)[ \t]+\1\b")) == {"hi", "yo"}
    assert required_strings(re.compile(r"\d+\s?(?:k|€)?")) is None  # nothing every match holds
    assert required_strings(re.compile(r"(?:x|)y?")) is None
    # As written where case counts (the text is searched as it is), lowered where any part ignores it.
    assert required_strings(re.compile(r"\bFIRST_?NAME\b")) == {"FIRST"}
    assert required_strings(re.compile(r"(?i:Ab)c")) == {"ab"}


def test_pattern_prefilter_and_line_cache_change_no_match():
    """Patterns run only on texts holding what they need, phrases are matched line by line and
    each line's matches kept: neither may change what is found."""
    from models import corpus
    from rules import Reviewer
    from rules.text import to_plain

    reviewer = Reviewer.load()
    texts = [to_plain(e["body"]).text for e in corpus.load("all")[::3]] + [
        "Hi {{first_name}}, [Insert Name] one of our clients XXX ${name} %FIRSTNAME% <NAME> Hei Hei, Hi Hi Kari",
        "ONE OF OUR CLIENTS, A LEADING COMPANY. ſtrange: the pattern itself decides",
        "Dear FIRST_NAME,\nWorking at COMPANY for\n\n  years. Hi\nHi Kari, one of\nour clients"]
    for lang in reviewer.languages:
        pack = reviewer.compiled(lang)
        needs = pack.phrases._needs
        assert any(needs.values())  # the packs' patterns do have requirements
        for text in texts:
            tokens = pack.nlp(text)
            with_prefilter = list(pack.phrases.search(tokens).found.items())  # in order: ties keep it
            assert list(pack.phrases.search(tokens).found.items()) == with_prefilter  # from the line cache
            pack.phrases._needs = {}
            try:
                assert list(pack.phrases.search(replace(tokens, pieces=[])).found.items()) == with_prefilter
            finally:
                pack.phrases._needs = needs


def test_the_process_wide_line_cache_keeps_each_indexs_own_hits():
    """Every phrase index of a process (a language, a team's changed pack) keeps its lines'
    hits in one bounded cache: one index's hits never answer for another's, a phrase added
    after a line was seen is found in it, and the bound holds."""
    from rules import matching
    from rules.matching import Entry, PhraseIndex

    nlp = pipeline("en")
    line = "We hope this finds you well, rockstar ninja."
    ninja, rockstar = PhraseIndex(nlp), PhraseIndex(nlp)
    ninja.add_phrases("ninja", ["ninja"])
    rockstar.add_phrases("rockstar", ["rockstar"])
    tokens = nlp(f"Hi Kari,\n{line}")
    assert set(ninja.search(tokens).found) == {Entry("ninja", 0)}
    assert set(rockstar.search(tokens).found) == {Entry("rockstar", 0)}
    ninja.add_phrases("cliche", ["hope this finds you well"])
    assert set(ninja.search(nlp(line)).found) == {Entry("ninja", 0), Entry("cliche", 0)}
    for n in range(matching.LINES_KEPT + 10):
        ninja.search(nlp(f"line {n}"))
    assert len(matching._line_hits) <= matching.LINES_KEPT + 1


_PIECES = ["Hi", "Kari", "team", "l'azienda", "e.g.", "B2B.", "Ⅷ.", "A.", "C#", "5km", "https://x.no/a",
           "don't", "world-class", ",", ".", "...", "(", ")", "#hiring", " ", "  ", "\n", " \n", "\n\n", "\t\n ",
           "\u00a0", "€650/day", "😊", "Davide.", "re-"]


@pytest.mark.parametrize("lang", ["en", "nb", "it"])
def test_line_by_line_tokens_are_those_of_the_whole_text(lang):
    """The pipeline cuts a text at its line breaks and keeps each line's tokens: the tokens,
    offsets and lemmas must be what the whole text, tokenized at once, gives."""
    import random

    nlp = pipeline(lang)
    rng = random.Random(lang)
    texts = ["".join(rng.choice(_PIECES) + rng.choice(["", " ", "", "\n"]) for _ in range(rng.randint(0, 40)))
             for _ in range(400)]
    texts += ["\n", " \n x", "x \n", "Hi Kari,\n\nWe met.\n \nBest,\nJo", "first line only"]
    for text in texts:
        tokens = nlp(text)
        pieces = tokens.__dict__.pop("pieces")
        assert tokens.__dict__ == dict(zip(("text", "starts", "ends", "words", "lower", "lemmas"),
                                           (text, *map(list, nlp._tokens(text))))), repr(text)
        # The pieces cover the tokens in order, each its own text's tokens (what phrase matching keeps).
        assert [p[0] for p in pieces[1:]] == [p[1] for p in pieces[:-1]] and (pieces[-1][1] if pieces else 0) == len(tokens.words)
        assert all(tokens.words[a:b] == list(nlp._tokens(piece)[2]) for a, b, piece in pieces)
    assert nlp._line.cache_info().hits > 0  # lines were kept, and found again
