# `make run` and `make test` each set up .venv/ first; the stamps make a re-run a no-op
# unless pyproject.toml changed. `make run` installs the product alone (what "installed size"
# in the README means); the test suite, quality and training add the test and model extras.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test bench quality model lemmas messages clean

# The interface's catalogs (the bot's and the engine's), compiled at set-up; the app reads a
# stale or missing .mo from its .po.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard bot/locale/*/LC_MESSAGES/inmail.po rules/locale/*/LC_MESSAGES/rules.po))
# package:domain:folders — the package whose locale/ holds the catalogs, and what is extracted into
# them: the bot's catalog also has models/'s words (an input's errors, which the bot says).
DOMAINS := bot:inmail:bot,models rules:rules:rules

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PIP) -e '.[test,model,postgres,spacy]'
	touch $(TEST_STAMP)

# Our own modules compiled to bytecode, as pip does for what it installs (an editable install
# does not): a process that cannot write __pycache__/ (PYTHONDONTWRITEBYTECODE, a read-only
# clone) would otherwise compile every module on every start, ~0.3 s of `check`'s start-up.
# Up to date, this takes ~0.05 s.
BYTECODE := $(BIN)/python -m compileall -q bot models rules

# Reviews every draft in examples/. Exit 1 only means "a draft has an error finding",
# which is what a demo is for; exit 2 (bad input, crash) still fails.
run: $(STAMP) $(CATALOGS)
	$(BYTECODE)
	$(BIN)/inmail-review check examples/ ; test $$? -le 1

# The suite runs on SQLite and on PostgreSQL: a throw-away server is started by the tests
# (tests/postgres.py); Debian's package is installed first when it is missing and we are root.
test: $(TEST_STAMP) $(CATALOGS)
	$(BYTECODE)
	$(BIN)/python -m tests.postgres ensure
	$(BIN)/python -m pytest

bench: $(TEST_STAMP) $(CATALOGS)
	$(PIP) -e '.[test,bench]'
	$(BYTECODE)
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

# Review quality on the labelled corpus: the held-back split, then 5-fold cross-validation of
# the category model on the training split (figures in the README).
quality: $(TEST_STAMP)
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/quality.py --cv 5

# Rebuilds models/trained/category.npz from eval/corpus/ (training split only).
model: $(TEST_STAMP)
	$(BIN)/python -m models.category

# Rebuilds rules/lemma_tables/*.npz from spacy-lookups-data (see the README there).
lemmas: $(STAMP)
	$(PIP) 'spacy-lookups-data==1.0.5'
	$(BIN)/python -c 'import pathlib, spacy_lookups_data as d; from rules.nlp import export_tables; export_tables(pathlib.Path(d.__file__).parent / "data")'

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

# After changing words in bot/, models/ or rules/: extracts them into each package's template and
# merges it into every catalog (new messages come out untranslated, and tests/test_i18n.py says which).
messages: $(STAMP)
	for d in $(DOMAINS); do pkg=$${d%%:*}; rest=$${d#*:}; domain=$${rest%%:*}; dirs=$$(echo $${rest#*:} | tr , ' '); \
	  $(BIN)/pybabel extract -F babel.cfg -c "Translators:" -k everywhere_n:1,2 --no-location --sort-output \
	    --project inmail-review -o $$pkg/locale/$$domain.pot $$dirs && \
	  $(BIN)/pybabel update -D $$domain -i $$pkg/locale/$$domain.pot -d $$pkg/locale -w 100 \
	    --ignore-obsolete || exit 1; done

clean:
	rm -rf $(VENV) *.egg-info
