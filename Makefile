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

bench:
	uv run python bench/bench_calendar.py
	uv run python bench/bench_sequence.py
	uv run python bench/bench_inbox.py
