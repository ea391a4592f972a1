# Shortcuts for scripts/run.sh (which needs no make): `make demo`, `make test`.
.PHONY: demo test lint bench

demo:
	bash scripts/run.sh demo

test:
	bash scripts/run.sh test

lint:
	bash scripts/run.sh lint

bench:
	bash scripts/run.sh bench
