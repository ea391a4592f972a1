# The two commands of the README: `make demo` and `make test` (each installs what is missing first).
.PHONY: bootstrap demo test lint bench

bootstrap:
	bash scripts/bootstrap.sh

demo: bootstrap
	.venv/bin/readiness demo

test: bootstrap
	.venv/bin/ruff check pytest_readiness suites tests
	.venv/bin/mypy
	.venv/bin/pytest tests -n 2 -q

lint: bootstrap
	.venv/bin/ruff check pytest_readiness suites tests
	.venv/bin/mypy

bench: bootstrap
	.venv/bin/python benchmarks/bench_plugin_overhead.py
