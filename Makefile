# eGov — two commands: `make run` (demo) and `make test` (the whole suite).
.PHONY: run test lint setup bench

run:
	scripts/run-demo.sh

test:
	scripts/test.sh

lint:
	uv run ruff check src tests bench

setup:
	scripts/setup.sh --test

# Benchmarks print their figures against the budgets (PostgreSQL; EGOV_DATABASE_URL overrides).
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/egov_bench
bench:
	EGOV_DATABASE_URL=$(BENCH_DB) uv run python bench/bench_calendar.py
	EGOV_DATABASE_URL=$(BENCH_DB) uv run python bench/bench_sequence.py
	EGOV_DATABASE_URL=$(BENCH_DB) uv run python bench/bench_inbox.py
	EGOV_DATABASE_URL=$(BENCH_DB)_docs uv run python bench/bench_documents.py
	EGOV_DATABASE_URL=$(BENCH_DB)_batch uv run python bench/bench_batch_signing.py
