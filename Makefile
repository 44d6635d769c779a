# SonoQC — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Tests run in release mode (with testability) because image tests on real frames are slow
# unoptimised; a clean release build still fits comfortably in CI.
TEST_FLAGS ?= -c release -Xswiftc -enable-testing
OUT ?= reports

.PHONY: deps build run test test-api load-serve test-distributed bench bench-peers clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product sonoqc

run: build
	@bash scripts/run-samples.sh "$(OUT)"

test: deps
	$(SWIFT) test $(TEST_FLAGS) 2>&1 | tee .test-output.log; exit $${PIPESTATUS[0]}

# Schemathesis (PyPI, in .venv) against a live `sonoqc serve` and openapi.yaml; 0 failures expected.
test-api: deps
	@bash scripts/test-api.sh

# wrk + nginx ceiling + 20 concurrent upload clients against `sonoqc serve` (README "Run the service").
load-serve: deps
	@bash scripts/load-serve.sh

# Scale-out (issue 18): a temporary PostgreSQL, the PostgreSQL store tests, then one API and three
# worker processes with one killed by kill -9; every sample batch once and identical to analyze.
test-distributed: deps
	@bash scripts/test-distributed.sh

bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark --no-progress

bench-peers: build
	@bash Benchmarks/peers/compare.sh

clean:
	rm -rf .build $(OUT)
