# `make run` and `make test` each set up .venv/ first; the stamp makes a re-run a no-op
# unless pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench quality model clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,model]'
	touch $(STAMP)

# Reviews every draft in examples/. Exit 1 only means "a draft has an error finding",
# which is what a demo is for; exit 2 (bad input, crash) still fails.
run: $(STAMP)
	$(BIN)/inmail-review check examples/ ; test $$? -le 1

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

# Review quality on the labelled corpus: the held-back split, then 5-fold cross-validation of
# the category model on the training split (figures in the README).
quality: $(STAMP)
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/quality.py --cv 5

# Rebuilds models/trained/category.npz from eval/corpus/ (training split only).
model: $(STAMP)
	$(BIN)/python -m models.category

clean:
	rm -rf $(VENV) *.egg-info
