"""The command line's own words in the reader's language — `--help` with argparse's words, usage
errors, an input's errors, a command's error lines — as a user runs it (real subprocesses),
chosen by `--ui-lang` or by the POSIX variables; and with `--ui-lang en`, English exactly as the
command line has always written it."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import _reworded, asked_language
from bot.i18n import reading, translator
from models.records import Draft, InputError
from models.wording import N_
from rules.language import detect

ROOT = Path(__file__).resolve().parents[1]
LOCALES = {"nb": "nb_NO.UTF-8", "it": "it_IT.UTF-8", "en": "C.UTF-8"}
CHOSEN_BY = ("option", "environment")


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "HOME": str(ROOT), "COLUMNS": "100", **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT, env=clean,
                          timeout=120, check=False)


def in_language(lang: str, chosen_by: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`args` for a reader of `lang`: `--ui-lang` before the command (any command takes it there),
    or `LANG` alone."""
    if chosen_by == "option":
        return cli("--ui-lang", lang, *args, env={"LANG": "C.UTF-8", **(env or {})})
    return cli(*args, env={"LANG": LOCALES[lang], **(env or {})})


def absent(text: str, english: list[str]) -> None:
    for phrase in english:
        assert phrase not in text, phrase


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory) -> list[str]:
    """A missing file, a broken JSON line, an unknown front-matter key and an unknown category."""
    folder = tmp_path_factory.mktemp("bad")
    (folder / "broken.jsonl").write_text('{"body": "Hi Kari" "x"}\n', encoding="utf-8")
    (folder / "key.md").write_text("---\nrecipent: kari.yml\n---\nHi Kari, …\n", encoding="utf-8")
    (folder / "category.json").write_text('{"body": "Hi Kari", "category": "jobs"}', encoding="utf-8")
    return [str(folder / "missing.md"), str(folder / "broken.jsonl"), str(folder / "key.md"),
            str(folder / "category.json")]


TOP_HELP = {
    "nb": ["bruk: inmail-review", "posisjonsargumenter:", "valg:", "vis denne hjelpeteksten og avslutt",
           "Sjekk utkast til InMail på LinkedIn", "sjekk utkast fra filer eller stdin", "kjør Slack-appen"],
    "it": ["uso: inmail-review", "argomenti posizionali:", "opzioni:", "mostra questo aiuto ed esce",
           "Controlla le bozze di InMail di LinkedIn", "controlla le bozze da file o da stdin", "avvia l'app Slack"],
}
TOP_HELP_EN = ["usage:", "positional arguments", "options:", "show this help message", "Review draft LinkedIn",
               "review drafts from files", "run the Slack app", "more logging"]


@pytest.mark.parametrize("chosen_by", CHOSEN_BY)
@pytest.mark.parametrize("lang", ["nb", "it"])
def test_help_is_in_the_readers_language(lang, chosen_by):
    proc = in_language(lang, chosen_by, "--help")
    assert proc.returncode == 0, proc.stderr
    assert all(words in proc.stdout for words in TOP_HELP[lang]), proc.stdout
    absent(proc.stdout, TOP_HELP_EN)
    assert detect(proc.stdout).language == lang


CHECK_HELP = {
    "nb": ["bruk: inmail-review check", "posisjonsargumenter:", "utkastfiler (.txt, .md, .json, .jsonl) eller mapper",
           "mottakerens profil (JSON eller YAML)", "farger i tekstutdata", "språket i rapporten rundt funnene"],
    "it": ["uso: inmail-review check", "argomenti posizionali:", "file di bozze (.txt, .md, .json, .jsonl) o cartelle",
           "il profilo del destinatario (JSON o YAML)", "colori nell'output di testo",
           "la lingua del report attorno alle segnalazioni"],
}
CHECK_HELP_EN = ["usage:", "positional arguments", "options:", "draft files", "the recipient's profile",
                 "colour in text output", "the language of the report", "default:", "for drafts that do not"]


@pytest.mark.parametrize("chosen_by", CHOSEN_BY)
@pytest.mark.parametrize("lang", ["nb", "it"])
def test_check_help_is_in_the_readers_language(lang, chosen_by):
    proc = in_language(lang, chosen_by, "check", "--help")
    assert proc.returncode == 0, proc.stderr
    assert all(words in proc.stdout for words in CHECK_HELP[lang]), proc.stdout
    absent(proc.stdout, CHECK_HELP_EN)
    assert detect(proc.stdout).language == lang


def test_checks_own_option_after_the_command_chooses_the_help_too():
    proc = cli("check", "--help", "--ui-lang", "it", env={"LANG": "nb_NO.UTF-8"})
    assert "uso: inmail-review check" in proc.stdout and "bruk:" not in proc.stdout


INPUT_ERRORS = {
    "nb": ["missing.md: filen finnes ikke", "broken.jsonl:1: ikke gyldig JSON: mangler «,» i kolonne 20",
           "key.md: ukjente nøkler i front matter: recipent", "category.json: ukjent kategori «jobs»; gyldige kategorier:",
           "4 inndata kunne ikke leses"],
    "it": ["missing.md: il file non esiste", "broken.jsonl:1: JSON non valido: manca «,» alla colonna 20",
           "key.md: chiavi sconosciute nel front matter: recipent",
           "category.json: categoria «jobs» sconosciuta; quelle valide sono:", "4 input non leggibili"],
}
INPUT_ERRORS_EN = ["no such file", "not valid JSON", "Expecting", "at column", "unknown front matter",
                   "unknown category", "expected one of", "error:", "could not be read"]


@pytest.mark.parametrize("chosen_by", CHOSEN_BY)
@pytest.mark.parametrize("lang", ["nb", "it"])
def test_an_inputs_errors_are_in_the_readers_language(lang, chosen_by, bad_inputs):
    proc = in_language(lang, chosen_by, "check", *bad_inputs)
    assert proc.returncode == 2, proc.stderr
    assert all(words in proc.stdout for words in INPUT_ERRORS[lang]), proc.stdout
    absent(proc.stdout, INPUT_ERRORS_EN)
    errors = [line.split(": ", 2)[-1] for line in proc.stdout.splitlines() if line.strip()]
    assert detect(". ".join(errors)).language == lang


@pytest.mark.parametrize("lang", ["nb", "it"])
def test_json_lines_carry_the_error_in_the_readers_language(lang, bad_inputs):
    proc = cli("check", "--ui-lang", lang, "--format", "jsonl", *bad_inputs)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 4 and all(set(row) == {"id", "error"} for row in rows)
    assert INPUT_ERRORS[lang][0] in rows[0]["error"] and INPUT_ERRORS[lang][1] in rows[1]["error"]
    absent(proc.stdout + proc.stderr, INPUT_ERRORS_EN)


SERVE_ERRORS = {
    "nb": ["inmail-review: feil: INMAIL_WORKERS må være et positivt heltall, ikke 'many'",
           "inmail-review: feil: INMAIL_TIMEZONE må være navnet på en tidssone, som Europe/Oslo, ikke 'Mars/Base'",
           "inmail-review: feil: SLACK_BOT_TOKEN er ikke satt (eller SLACK_CLIENT_ID og SLACK_CLIENT_SECRET, for mange "
           "arbeidsområder)"],
    "it": ["inmail-review: errore: INMAIL_WORKERS deve essere un numero intero positivo, non 'many'",
           "inmail-review: errore: INMAIL_TIMEZONE deve essere il nome di un fuso orario come Europe/Oslo, non 'Mars/Base'",
           "inmail-review: errore: SLACK_BOT_TOKEN non è impostato (oppure SLACK_CLIENT_ID e SLACK_CLIENT_SECRET, per molti "
           "workspace)"],
}
SERVE_ENVS = [{"INMAIL_WORKERS": "many", "SLACK_BOT_TOKEN": "xoxb-test"},
              {"INMAIL_TIMEZONE": "Mars/Base", "SLACK_BOT_TOKEN": "xoxb-test"}, {}]


@pytest.mark.parametrize("chosen_by", CHOSEN_BY)
@pytest.mark.parametrize("lang", ["nb", "it"])
def test_serve_names_a_bad_variable_in_the_readers_language(lang, chosen_by):
    said = []
    for env, expected in zip(SERVE_ENVS, SERVE_ERRORS[lang]):
        proc = in_language(lang, chosen_by, "serve", env=env)
        assert proc.returncode == 2 and proc.stderr == expected + "\n", proc.stderr
        said.append(proc.stderr.split(": ", 2)[-1])
    absent("".join(said), ["must be", "is not set", "error:"])
    assert detect(" ".join(said)).language == lang


USAGE_ERRORS = {
    "nb": ["inmail-review: feil: argument COMMAND: ugyldig verdi: 'chekc' (velg blant 'check', 'serve',",
           ("inmail-review check: feil: argument --format: ugyldig verdi: 'xml' (velg blant 'text', 'json', 'jsonl', "
            "'blocks') (se --help)"),
           "inmail-review check: feil: argument --lang: krever en verdi (se --help)",
           "inmail-review import: feil: disse argumentene mangler: file (se --help)",
           "inmail-review serve: feil: argument --port: ugyldig int-verdi: 'x' (se --help)",
           "inmail-review: feil: ukjente argumenter: --bogus (se --help)"],
    "it": ["inmail-review: errore: argomento COMMAND: scelta non valida: 'chekc' (scegli tra 'check', 'serve',",
           ("inmail-review check: errore: argomento --format: scelta non valida: 'xml' (scegli tra 'text', 'json', "
            "'jsonl', 'blocks') (vedi --help)"),
           "inmail-review check: errore: argomento --lang: richiede un valore (vedi --help)",
           "inmail-review import: errore: argomenti obbligatori mancanti: file (vedi --help)",
           "inmail-review serve: errore: argomento --port: valore int non valido: 'x' (vedi --help)",
           "inmail-review: errore: argomenti non riconosciuti: --bogus (vedi --help)"],
}
USAGE_ARGS = [["chekc"], ["check", "--format", "xml"], ["check", "--lang"], ["import"], ["serve", "--port", "x"],
              ["--bogus"]]


@pytest.mark.parametrize("lang", ["nb", "it"])
def test_usage_errors_are_in_the_readers_language(lang):
    for args, expected in zip(USAGE_ARGS, USAGE_ERRORS[lang]):
        proc = in_language(lang, "environment", *args)
        assert proc.returncode == 2 and proc.stderr.startswith(expected), proc.stderr


# What the command line said before it spoke other languages, word for word.
ENGLISH = {
    ("check", "--format", "xml"): "inmail-review check: error: argument --format: invalid choice: 'xml' (choose from "
                                  "'text', 'json', 'jsonl', 'blocks') (see --help)\n",
    ("check", "--c", "x"): "inmail-review check: error: ambiguous option: --c could match --category, --color "
                           "(see --help)\n",
    ("import", "--dayfirst", "--monthfirst", "x.csv"): "inmail-review import: error: argument --monthfirst: not "
                                                       "allowed with argument --dayfirst (see --help)\n",
    ("check", "--help=x"): "inmail-review check: error: argument -h/--help: ignored explicit argument 'x' "
                           "(see --help)\n",
    ("serve",): "inmail-review: error: SLACK_BOT_TOKEN is not set (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, for many "
                "workspaces)\n",
}


def test_english_is_word_for_word_what_it_was():
    for args, expected in ENGLISH.items():
        assert cli("--ui-lang", "en", *args, env={"LANG": "nb_NO.UTF-8"}).stderr == expected
    top = cli("--help").stdout
    assert top.startswith("usage: inmail-review [-h] [-v] [--log-format {text,json}] COMMAND ...\n\nReview draft "
                          "LinkedIn InMails, in Slack or here.\n\npositional arguments:\n  COMMAND\n    check       "
                          "        review drafts from files or stdin\n")
    assert "options:\n  -h, --help            show this help message and exit\n" in top and "--ui-lang" not in top


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["report", "--help"], ["serve"], ["check", "BAD"]])
def test_ui_lang_en_is_todays_output_whatever_the_environment_says(args, bad_inputs):
    args = [a for arg in args for a in (bad_inputs if arg == "BAD" else [arg])]
    env = {"INMAIL_WORKERS": "many", "SLACK_BOT_TOKEN": "xoxb-test"} if args == ["serve"] else {}
    before = cli(*args, env={"LANG": "C.UTF-8", **env})
    for chosen in (["--ui-lang", "en", *args], [*args[:1], "--ui-lang", "en", *args[1:]] if args[0] in (
            "check", "report") else ["--ui-lang", "en", *args]):
        now = cli(*chosen, env={"LANG": "it_IT.UTF-8", **env})
        assert (now.returncode, now.stdout, now.stderr) == (before.returncode, before.stdout, before.stderr)
    assert "usage:" in before.stdout or "error" in before.stdout + before.stderr


# --- in-process: the pieces ------------------------------------------------------------------------
def test_an_input_error_is_english_as_text_and_said_in_any_language():
    with pytest.raises(InputError) as raised:
        Draft.from_dict({"subject": "Hi"}, where="drafts.json[2]")
    error = raised.value
    assert str(error) == "drafts.json[2]: 'body' is required"
    assert error.said(translator("nb")) == "drafts.json[2]: «body» mangler"
    assert error.said(translator("it")) == "drafts.json[2]: manca «body»"
    assert error.said(translator("en")) == str(error)


def test_an_input_errors_counts_are_written_the_languages_way():
    error = InputError(N_("{path}: {size} bytes is too large for a draft (limit {limit})"), path="big.txt",
                       size=1_000_001, limit=1_000_000)
    assert str(error) == "big.txt: 1,000,001 bytes is too large for a draft (limit 1,000,000)"
    assert error.said(translator("nb")) == "big.txt: 1\xa0000\xa0001 byte er for stort for et utkast (grensen er 1\xa0000\xa0000)"
    assert error.said(translator("it")) == "big.txt: 1.000.001 byte sono troppi per una bozza (limite 1.000.000)"


def test_ui_lang_is_found_before_the_parser_exists():
    assert asked_language(["check", "--ui-lang", "nb", "x.md"]) == "nb"
    assert asked_language(["--ui-lang=it", "check", "--ui-lang", "nb"]) == "nb"  # the last one, as argparse
    assert asked_language(["check", "--ui", "it"]) == "it"  # an abbreviation argparse accepts
    assert asked_language(["check", "--", "--ui-lang", "nb"]) is None
    assert asked_language(["check", "--ui-lang"]) is None


def test_argparse_messages_are_reworded_and_unknown_ones_left_alone():
    message = "argument --format: invalid choice: 'x' (choose from 'text', 'json')"
    with reading("nb"):
        assert _reworded(message) == "argument --format: ugyldig verdi: 'x' (velg blant 'text', 'json')"
        assert _reworded("something argparse may say one day") == "something argparse may say one day"
    assert _reworded(message) == message
