"""The interface's languages: complete catalogs, the reader's language chosen the documented way,
and `check --ui-lang` writing its report in Norwegian and Italian (a real subprocess)."""
import gettext
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.i18n import BOT, choose, from_environment, translator, ui_languages
from rules.i18n import RULES
from rules.language import detect

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


DOMAINS = {"inmail": BOT, "rules": RULES}


# The folders each package's catalogs are extracted from (the Makefile's DOMAINS): the bot's
# catalog also holds models/'s words, an input's errors.
SOURCES = {"bot": ("bot", "models"), "rules": ("rules",)}


def extracted(package: str) -> dict[str, tuple[str, ...]]:
    """Every message a package's code and templates ask for, extracted as `make messages` does."""
    method_map = [("**.py", "python"), ("templates/**.j2", "jinja2")]
    keywords = {**DEFAULT_KEYWORDS, "everywhere_n": (1, 2)}
    found = {}
    for folder in SOURCES[package]:
        for _, _, message, _, _ in extract_from_dir(str(ROOT / folder), method_map, keywords=keywords):
            ids = message if isinstance(message, tuple) else (message,)
            found[ids[0]] = ids
    return found


def catalog(lang: str, domain: str = "inmail"):
    with DOMAINS[domain].po(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


def test_the_interface_languages_are_the_catalogs():
    assert ui_languages() == ("en", "it", "nb")


def test_the_engine_and_the_bot_speak_the_same_languages():
    assert RULES.languages() == BOT.languages()


@pytest.mark.parametrize("lang", ["nb", "it"])
@pytest.mark.parametrize(("package", "domain"), [("bot", "inmail"), ("rules", "rules")])
def test_every_message_is_translated_with_the_same_placeholders(lang, package, domain):
    po = catalog(lang, domain)
    wanted = extracted(package)
    assert len(wanted) > 25
    for msgid, ids in wanted.items():
        message = po.get(msgid)
        assert message is not None, f"{lang}/{domain}: {msgid!r} is not in the catalog (run `make messages`)"
        assert not message.fuzzy, f"{lang}: {msgid!r} is marked fuzzy"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (po.num_plurals if len(ids) > 1 else 1)
        for text in strings:
            assert text, f"{lang}: {msgid!r} has an empty translation"
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(msgid)), (lang, msgid, text)


def test_plural_forms_come_from_the_catalog():
    it, nb = translator("it"), translator("nb")
    assert it.ngettext("{count} warning", "{count} warnings", 1) == "1 avviso"
    assert it.ngettext("{count} warning", "{count} warnings", 2) == "2 avvisi"
    assert nb.ngettext("{count} warning", "{count} warnings", 1_900) == "1\xa0900 advarsler"
    assert translator("en").ngettext("{count} warning", "{count} warnings", 1) == "1 warning"


def test_numbers_dates_and_percentages_are_written_the_languages_way():
    from datetime import date

    day = date(2026, 12, 14)
    assert translator("en").date(day) == "Mon 14 Dec 2026"
    assert translator("nb").date(day) == "man. 14. des. 2026"
    assert translator("it").date(day) == "lun 14 dic 2026"
    assert translator("nb").percent(0.126) == "13\xa0%" and translator("it").percent(0.126, 1) == "12,6%"
    assert translator("it").number(0.5, 2) == "0,50" and translator("en").number(12_345) == "12,345"


def test_the_language_is_the_first_one_we_have_a_catalog_for():
    assert choose(None, "it-IT", "nb") == "it"  # a user's choice, else Slack's locale, else the team's
    assert choose("de-DE", None, "no") == "nb"  # Slack has no Norwegian locale; "no" is Bokmål
    assert choose(None, "fr-FR") == "en"
    assert from_environment({"LANG": "nb_NO.UTF-8"}) == "nb"
    assert from_environment({"LANGUAGE": "de:it", "LANG": "nb_NO.UTF-8"}) == "it"  # gettext's order
    assert from_environment({"LC_ALL": "C.UTF-8", "LANG": "it_IT.UTF-8"}) == "it"
    assert from_environment({"LANG": "C"}) is None


def test_a_compiled_catalog_and_the_po_read_in_memory_agree(tmp_path):
    """`make catalogs` writes `.mo` files; without them (or with stale ones) the `.po` is read."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog("nb"))
    buffer.seek(0)
    compiled = gettext.GNUTranslations(buffer)
    assert compiled.gettext("ready") == translator("nb").gettext("ready") == "klar"


def check(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", "check", *args], capture_output=True, text=True,
                          cwd=ROOT, env=clean, timeout=120)


@pytest.mark.parametrize(("ui", "words"), [("nb", ["poeng", "utkast", "tegn", "klar"]),
                                            ("it", ["punteggio", "bozz", "caratteri", "pronta"])])
def test_check_writes_its_report_in_the_readers_language(ui, words):
    proc = check("--ui-lang", ui, "examples/")
    assert proc.returncode == 1, proc.stderr
    summary = proc.stdout.strip().splitlines()[-1]
    assert all(w in proc.stdout for w in words), summary
    # The report's own lines (the findings' texts, indented four spaces, come from the packs).
    own = "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("    "))
    for english in (" drafts:", " ready,", " to revise", " characters,", "score ", "personalization "):
        assert english not in own
    assert detect(summary + ". " + proc.stdout.split("\n")[0]).language == ui


def test_check_follows_lang_when_no_option_is_given():
    proc = check("--lang", "xx", "examples/", env={"LANG": "it_IT.UTF-8"})
    assert proc.returncode == 2 and "lingua «xx» non supportata" in proc.stderr
    proc = check("--lang", "xx", "examples/", env={"LANG": "C.UTF-8"})
    assert "unsupported language 'xx'" in proc.stderr


PACKS = ROOT / "rules" / "packs"
TEXT_KEYS = ("message", "why", "suggestion")


def pack_texts():
    """(where, text) for every text a rule of a built-in pack shows a person."""
    import yaml

    files = [p for p in sorted(PACKS.glob("*/*.yml")) if p.name != "language.yml"] + [PACKS / "sequence.yml"]
    for path in files:
        for name, rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            items = [rule, *rule.get("tiers", [])] if isinstance(rule, dict) else []
            for n, item in enumerate(items):
                for key in TEXT_KEYS:
                    if key in item:
                        yield f"{path.relative_to(ROOT)}: {name}{f' tier {n}' if n else ''} {key}", item[key]


def test_every_rule_speaks_every_interface_language():
    texts = list(pack_texts())
    assert len(texts) > 150
    for where, text in texts:
        assert isinstance(text, dict) and set(text) == set(ui_languages()), f"{where}: {text!r}"
        english = set(PLACEHOLDER.findall(text["en"]))
        for lang, written in text.items():
            assert written.strip(), f"{where}: empty {lang}"
            assert set(PLACEHOLDER.findall(written)) == english, f"{where}: {lang} placeholders differ"


def test_a_finding_is_shown_in_the_readers_language():
    from models import Draft
    from rules import Reviewer

    review = Reviewer.load().review(Draft.from_dict({"subject": "", "body": "Hi {{first_name}}, I have a role."}))
    finding = next(f for f in review.findings if f.rule == "subject/missing")
    english, norwegian, italian = (finding.text(lang)[0] for lang in ("en", "nb", "it"))
    assert english == finding.message and len({english, norwegian, italian}) == 3
    assert detect(norwegian).language == "nb" and detect(italian).language == "it"
    assert review.to_dict("it")["findings"][0]["message"] == review.findings[0].text("it")[0]
