"""Adding a language is adding data (issue 14): a fourth language from a pack folder alone.

The packs folder is copied to a temporary one (`INMAIL_PACKS_DIR`), a Swedish pack is added
there (language.yml, two family files) with a tiny Hunspell dictionary written here, and a
Swedish draft is detected, reviewed with its own phrases, spelt with its own dictionary and its
greeting read, through the same code as English, Bokmål and Italian. Also: what the three
built-in languages' data says is what the code said before it moved, and a broken language.yml
is an error that names the file, the line and the key.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from models.records import Draft, subject_labels
from rules import PackError, Reviewer
from rules.grammar.spelling import HunspellChecker, dictionary_code, sources
from rules.language import (
    BUILTIN_PACKS,
    PACKS_ENV,
    detect,
    language_name,
    languages,
    normalize_language,
    packs_root,
    supported,
)
from rules.similarity import mask_personal

ROOT = Path(__file__).resolve().parents[1]

SWEDISH = """\
name: Swedish
detector: SWEDISH
aliases: [svenska, swedish, sv-se, sv_se]
example_name: Astrid
subject_labels: [ämne]
titles: [dr]
languagetool: [sv-SE, sv]
spelling:
  dictionaries:
    - {{name: Swedish, folder: {folder}, stem: sv_SE, loanwords: en-GB}}
  letters: abcdefghijklmnopqrstuvwxyzåäö
you_words: [du, dig, din, ditt, dina]
we_words: [vi, oss, vår, vårt, våra, jag, mig]
greetings: [hej, hejsan, hallå, god morgon]
asks: [har du tid, vill du]
categories:
  career_opportunity: {{tjänst: 2, roll: 2, utvecklare: 1}}
"""

SWEDISH_RULES = {
    "generic-template.yml": """\
generic-salutation:
  check: existence
  level: error
  fields: [body]
  message: "“{match}” is a mass-mailing salutation."
  suggestion: "Greet them by name: “Hej {first_name},”."
  phrases: [bästa kandidat, hej kandidat]
unnamed-client:
  check: existence
  level: warning
  message: "“{match}” hides who the employer is."
  suggestion: "Name the company."
  phrases: [en av våra kunder, vår kund]
""",
    "grammar.yml": """\
checker:
  check: grammar
  level: warning
  message: "Spelling (Hunspell offline)."
  suggestion: "Fix the flagged words."
""",
}

WORDS = ["hej", "jag", "såg", "ditt", "föredrag", "om", "och", "blev", "imponerad", "vi", "söker", "en", "utvecklare",
         "till", "av", "våra", "kunder", "i", "har", "du", "tid", "för", "ett", "kort", "samtal", "nästa", "vecka",
         "hälsningar", "roll", "som", "bästa", "kandidat"]

DRAFT = """\
Ämne: En roll som utvecklare

Hej Anna,

Jag såg ditt föredrag om Kafka och blev imponerad. Vi söker en utveckalre till en av våra kunder i Stockholm. Har du tid för ett kort samtal nästa vecka?

Hälsningar
Erik
"""


def swedish_packs(tmp_path: Path, language_yml: str = SWEDISH) -> Path:
    """A copy of the built-in packs with a Swedish pack, and its dictionary beside them."""
    packs = tmp_path / "packs"
    shutil.copytree(BUILTIN_PACKS, packs, ignore=shutil.ignore_patterns("__pycache__"))
    dictionary = tmp_path / "dictionaries" / "sv"
    dictionary.mkdir(parents=True)
    (dictionary / "sv_SE.aff").write_text("SET UTF-8\nTRY aerntsilodkgmvfhupbcåäöjyxwzq\n", encoding="utf-8")
    (dictionary / "sv_SE.dic").write_text(f"{len(WORDS)}\n" + "\n".join(WORDS) + "\n", encoding="utf-8")
    (packs / "sv").mkdir()
    (packs / "sv" / "language.yml").write_text(language_yml.format(folder=dictionary), encoding="utf-8")
    for name, text in SWEDISH_RULES.items():
        (packs / "sv" / name).write_text(text, encoding="utf-8")
    return packs


@pytest.fixture
def swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    packs = swedish_packs(tmp_path)
    monkeypatch.setenv(PACKS_ENV, str(packs))
    return packs


def test_a_fourth_language_from_its_pack_folder_alone(swedish: Path) -> None:
    assert packs_root() == swedish
    assert supported() == ("en", "it", "nb", "sv")
    assert normalize_language("Svenska") == "sv" and normalize_language("sv-SE") == "sv"
    assert language_name("sv") == "Swedish"
    assert dictionary_code("sv", "sv-SE") == "sv"

    body = Draft.from_text(DRAFT).body
    assert detect(body).language == "sv" and detect(body).source == "text"
    # Without a stop-word list of its own, no language is settled by stop words: lingua decides.
    from rules.language import _own_stop_words
    assert _own_stop_words(swedish) == {}
    # Its greetings mask the greeted name in template fingerprints, as every language's do.
    assert mask_personal("Hej Anna, vi söker").startswith("hej <name>,")
    assert mask_personal("Hej Dr. Svensson, vi söker").startswith("hej <name>,")

    reviewer = Reviewer.load(grammar=HunspellChecker(), languages=supported())
    review = reviewer.review(Draft.from_text(DRAFT))
    assert review.language == "sv"
    assert review.subject_text == "En roll som utvecklare"  # its subject label, "Ämne:"
    by_rule = {f.rule: f for f in review.findings}
    # Its own phrases.
    assert review.body_text[slice(*by_rule["generic-template/unnamed-client"].span)] == "en av våra kunder"
    # Its own dictionary: the typo is a warning with the word meant, every other word passes
    # (the names, capitalised inside a sentence, are never looked up).
    spelling = [f for f in review.findings if f.rule == "grammar/spelling"]
    assert [review.body_text[slice(*f.span)] for f in spelling] == ["utveckalre"]
    assert spelling[0].severity == "warning" and "utvecklare" in spelling[0].suggestion
    assert "Swedish dictionary" in spelling[0].message
    # Its greeting: "Hej Anna," greets Anna (whom the template history takes the draft to be for).
    assert review.recipient_key == "greeting:anna"

    # Its example name, in a suggestion for a draft without a profile.
    salutation = reviewer.review(Draft(body="Bästa kandidat,\n\nVi söker en utvecklare. Har du tid?"))
    assert salutation.language == "sv"
    found = next(f for f in salutation.findings if f.rule == "generic-template/generic-salutation")
    assert "Hej Astrid," in found.suggestion


def test_the_command_line_reviews_the_new_language_with_no_code_change(tmp_path: Path) -> None:
    packs = swedish_packs(tmp_path)
    draft = tmp_path / "utkast.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGETOOL_URL", "INMAIL_RULES_DIR")}
    env.update({PACKS_ENV: str(packs), "NO_COLOR": "1"})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], check=False, capture_output=True, text=True, cwd=ROOT,
                              env=env, timeout=120)

    assert "en, it, nb, sv" in " ".join(run("check", "--help").stdout.split())
    proc = run("check", "--format", "json", "--lang", "svenska", str(draft))
    assert "Traceback" not in proc.stderr, proc.stderr
    review = json.loads(proc.stdout)
    assert review["language"] == "sv"
    assert {"generic-template/unnamed-client", "grammar/spelling"} <= {f["rule"] for f in review["findings"]}


# --- the built-in languages' data is what the code said before it moved ------------------------
def test_the_built_in_languages_are_the_pack_folders_with_a_language_file() -> None:
    folders = sorted(p.parent.name for p in BUILTIN_PACKS.glob("*/language.yml"))
    assert sorted(supported(BUILTIN_PACKS)) == folders == ["en", "it", "nb"]
    assert supported(BUILTIN_PACKS)[0] == "en"  # the default language first


@pytest.mark.parametrize("typed, code", [
    ("en", "en"), ("EN", "en"), ("eng", "en"), ("english", "en"), ("en-us", "en"), ("en-GB", "en"), ("en_us", "en"),
    ("en_gb", "en"), ("nb", "nb"), ("no", "nb"), ("nob", "nb"), ("nor", "nb"), ("norsk", "nb"), ("Bokmål", "nb"),
    ("bokmal", "nb"), ("norwegian", "nb"), ("nb-NO", "nb"), ("nb_no", "nb"), ("no-no", "nb"), ("nn", "nb"),
    ("nn-no", "nb"), ("it", "it"), ("ita", "it"), ("italian", "it"), ("italiano", "it"), ("it-IT", "it"),
    ("it_it", "it"), (" Italian ", "it"), ("de", None), ("en-au", None), ("", None), (None, None),
])
def test_aliases_as_before(typed: str | None, code: str | None) -> None:
    assert normalize_language(typed) == code


def test_names_labels_dictionaries_and_detector_codes_as_before() -> None:
    data = languages(BUILTIN_PACKS)
    assert {c: d.detector for c, d in data.items()} == {"en": "ENGLISH", "nb": "BOKMAL", "it": "ITALIAN"}
    assert {c: d.example_name for c, d in data.items()} == {"en": "Anna", "nb": "Kari", "it": "Giulia"}
    assert {c: (d.name, d.short_name) for c, d in data.items()} == {
        "en": ("English", "English"), "nb": ("Norwegian Bokmål", "Norwegian"), "it": ("Italian", "Italian")}
    assert subject_labels() == {"subject", "subj", "emne", "tittel", "oggetto"}
    assert {c: (s.language, s.folder, s.stem, s.loanwords) for c, s in sources().items()} == {
        "en-US": ("en", "en", "en_US", ("en-GB",)), "en-GB": ("en", "en", "en_GB", ("en-US",)),
        "it": ("it", "it", "it_IT", ("en-GB", "en-US")), "nb": ("nb", "nb", "nb_NO", ("en-GB", "en-US"))}
    assert sources()["nb"].compounds and not sources()["it"].compounds
    assert sources()["nb"].letters.endswith("æøå") and "anti" in sources()["it"].prefixes
    # English: the UK dictionary for the British spelling's regions, the US one otherwise.
    assert [dictionary_code("en", loc) for loc in (None, "en-US", "en_GB", "en-AU", "en-in", "nb-NO")] == [
        "en-US", "en-US", "en-GB", "en-GB", "en-GB", "en-US"]
    assert dictionary_code("nb", "en-GB") == "nb" and dictionary_code("de") is None


@pytest.mark.parametrize("text", [
    "Hi Kari,", "Hello Dr. Smith,", "Good evening Jo!", "Hei Kari Nordmann!", "God kveld Ola,", "Halla Per,",
    "Gentile Dott.ssa Rossi,", "Gentile Sig.ra Bianchi:", "Ciao Marco,", "Ehi Luca,",
])
def test_every_packs_greetings_mask_the_greeted_name(text: str) -> None:
    assert "<name>" in mask_personal(text)


def test_every_packs_greeting_is_masked() -> None:
    for data in languages(BUILTIN_PACKS).values():
        for greeting in data.greetings:
            assert mask_personal(f"{greeting.capitalize()} Kari,") == f"{' '.join(greeting.split())} <name>,", greeting


def test_the_models_read_the_same_packs_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packs = swedish_packs(tmp_path)
    monkeypatch.setenv(PACKS_ENV, str(packs))
    assert "ämne" in subject_labels()
    assert Draft.from_text("Ämne: En roll\nHej Anna").subject == "En roll"
    monkeypatch.delenv(PACKS_ENV)
    assert "ämne" not in subject_labels() and packs_root() == BUILTIN_PACKS


# --- a broken language file says where -------------------------------------------------------
def _broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> Path:
    assert old in SWEDISH
    packs = swedish_packs(tmp_path, SWEDISH.replace(old, new))
    monkeypatch.setenv(PACKS_ENV, str(packs))
    return packs / "sv" / "language.yml"


def test_an_unknown_detector_names_the_file_line_and_lingua_names(tmp_path: Path, monkeypatch) -> None:
    path = _broken(tmp_path, monkeypatch, "detector: SWEDISH", "detector: SWEDSIH")
    with pytest.raises(PackError, match=rf"^{path}:2: detector: 'SWEDSIH' is not one of lingua's languages; "
                                        r"expected one of .*SWEDISH"):
        detect("Hej Anna, jag såg ditt föredrag om Kafka och blev imponerad.")


def test_a_token_split_that_does_not_join_back_is_named(tmp_path: Path, monkeypatch) -> None:
    path = _broken(tmp_path, monkeypatch, "example_name: Astrid", "example_name: Astrid\ntokens:\n  splits:\n    dom: do n")
    with pytest.raises(PackError, match=rf"^{path}:7: tokens.splits.dom: 'do n' does not join back into 'dom'"):
        languages()


def test_a_misspelt_key_is_named(tmp_path: Path, monkeypatch) -> None:
    path = _broken(tmp_path, monkeypatch, "example_name: Astrid", "exampel_name: Astrid")
    with pytest.raises(PackError, match=rf"^{path}:4: exampel_name: unknown key 'exampel_name'"):
        languages()


def test_a_missing_key_is_named(tmp_path: Path, monkeypatch) -> None:
    path = _broken(tmp_path, monkeypatch, "name: Swedish\n", "")
    with pytest.raises(PackError, match=rf"^{path}:1: \(top level\): 'name' is a required property"):
        normalize_language("svenska")


def test_a_wrong_type_is_named(tmp_path: Path, monkeypatch) -> None:
    path = _broken(tmp_path, monkeypatch, "aliases: [svenska, swedish, sv-se, sv_se]", "aliases: svenska")
    with pytest.raises(PackError, match=rf"^{path}:3: aliases: 'svenska' is not of type 'array'"):
        languages()


def test_an_alias_of_another_language_is_refused(tmp_path: Path, monkeypatch) -> None:
    path = _broken(tmp_path, monkeypatch, "aliases: [svenska,", 'aliases: ["no", svenska,')
    with pytest.raises(PackError, match=rf"^{path}:3: aliases: 'no' already names language 'nb'"):
        normalize_language("svenska")


def test_an_unknown_loanword_dictionary_is_refused(tmp_path: Path, monkeypatch) -> None:
    path = _broken(tmp_path, monkeypatch, "loanwords: en-GB", "loanwords: en-AU")
    with pytest.raises(PackError, match=rf"^{path}:10: spelling/dictionaries/0/loanwords: no dictionary 'en-AU'"):
        sources()


def test_loanwords_may_come_from_several_dictionaries(tmp_path: Path, monkeypatch) -> None:
    _broken(tmp_path / "both", monkeypatch, "loanwords: en-GB", "loanwords: [en-GB, en-US]")
    assert sources()["sv"].loanwords == ("en-GB", "en-US")
    path = _broken(tmp_path / "unknown", monkeypatch, "loanwords: en-GB", "loanwords: [en-GB, en-AU]")
    with pytest.raises(PackError, match=rf"^{path}:10: spelling/dictionaries/0/loanwords: no dictionary 'en-AU'"):
        sources()


def test_the_packs_loader_validates_the_language_keys(tmp_path: Path, monkeypatch) -> None:
    from rules.packs import load_packs

    path = _broken(tmp_path, monkeypatch, "  letters: abcdefghijklmnopqrstuvwxyzåäö", "  leters: abc")
    with pytest.raises(PackError, match=rf"^{path}:11: spelling/leters: unknown key 'leters'"):
        load_packs(["sv"])


def test_listing_the_languages_reads_no_language_file(tmp_path: Path, monkeypatch) -> None:
    """`check --help` names the languages: the folder is listed, no file is parsed."""
    packs = _broken(tmp_path, monkeypatch, "name: Swedish", "name: [unclosed").parent.parent
    assert supported() == ("en", "it", "nb", "sv") and normalize_language("sv") == "sv"
    with pytest.raises(PackError, match="sv/language.yml"):
        languages()
    code = "import sys, rules.language as L; print(L.SUPPORTED); print(sorted(m for m in sys.modules if m in ('yaml', 'spacy', 'lingua', 'jsonschema')))"
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, PACKS_ENV: str(packs)}, timeout=60).stdout.splitlines()
    assert out == ["('en', 'it', 'nb', 'sv')", "[]"]


def test_readme_lists_the_language_keys() -> None:
    """The README's "Adding a language" names every key the schema takes."""
    from rules.packs import _LANGUAGE_SCHEMA

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Adding a language"):]
    section = section[:section.index("\n## ")]
    missing = [key for key in _LANGUAGE_SCHEMA["properties"] if f"`{key}`" not in section]
    assert missing == [], textwrap.shorten(", ".join(missing), 200)
