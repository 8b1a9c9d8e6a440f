# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck browser unit bench scale lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hubbot run

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check hubbot tests bench
	$(BIN)/ruff format --check hubbot tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Four workers on two cores: most tests spend their time waiting on SQLite's fsync or on a
# `hubbot run` subprocess, so two more workers fill those waits.
unit: $(STAMP) browser
	$(BIN)/pytest -n 4 --dist worksteal

# tests/browser drives Debian's Chromium (Playwright downloads no browser here): install it when
# it is missing, as root or through `sudo -n`; if that fails those tests skip, saying why.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo="sudo -n"; fi; \
	  { $$sudo apt-get update -qq && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "make: could not install Chromium (apt-get install chromium): browser tests will skip"; }

bench: $(STAMP)
	$(BIN)/python bench/sms_inbound.py --messages 2000
	$(BIN)/python bench/sms_inbound.py --messages 2000 --rate 200
	$(BIN)/python bench/broadcast.py --members 10000
	$(BIN)/python bench/backlog.py
	$(BIN)/python bench/workers_pg.py --messages 2000 --workers 1 2 4
	$(BIN)/python bench/timed_work.py

# Three workers on one throwaway PostgreSQL, one killed halfway (also in `test`), alone.
scale: $(STAMP)
	$(BIN)/pytest -p no:xdist -s tests/test_scale_workers.py

lock: $(STAMP)
	{ echo "# Every package, pinned. Regenerate with: make lock"; $(BIN)/pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
