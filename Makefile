# SonoQC — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Tests run in release mode (with testability) because image tests on real frames are slow
# unoptimised; a clean release build still fits comfortably in CI.
TEST_FLAGS ?= -c release -Xswiftc -enable-testing
OUT ?= reports

.PHONY: deps build run test record-golden test-api test-browser load-serve test-distributed bench bench-peers clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product sonoqc

run: build
	@bash scripts/run-samples.sh "$(OUT)"

# Tests get their own TMPDIR, so that the `sonoqc serve` children of the suites that share one
# server (held in a `static let`, never deinitialised) can be stopped afterwards: under `swift test`
# they outlived the test process, two per run.
test: deps
	@tmp="$$(mktemp -d /tmp/sonoqc-test.XXXXXX)"; \
	TMPDIR="$$tmp" $(SWIFT) test $(TEST_FLAGS) 2>&1 | tee .test-output.log; status=$${PIPESTATUS[0]}; \
	left=$$(pgrep -f -- "serve --data $$tmp/" | wc -l); \
	if [ "$$left" -gt 0 ]; then pkill -KILL -f -- "serve --data $$tmp/"; echo "make test: stopped $$left sonoqc serve process(es) the tests left running"; fi; \
	rm -rf "$$tmp"; exit $$status

# Re-records the golden outputs after a deliberate change: Tests/Golden/samples (every output of
# `sonoqc analyze samples`) and the localized golden pages (never run by tests).
record-golden: deps
	@bash scripts/record-golden.sh

# Schemathesis (PyPI, in .venv) against a live `sonoqc serve` and openapi.yaml; 0 failures expected.
test-api: deps
	@bash scripts/test-api.sh

# wrk + nginx ceiling + 20 concurrent upload clients against `sonoqc serve` (README "Run the service").
load-serve: deps
	@bash scripts/load-serve.sh

# Review workspace in Chromium (Playwright for Python, axe-core); installs its own tools.
test-browser: deps
	@bash scripts/test-browser.sh

# Scale-out (issue 18): a temporary PostgreSQL, the PostgreSQL store tests, then one API and three
# worker processes with one killed by kill -9; every sample batch once and identical to analyze.
test-distributed: deps
	@bash scripts/test-distributed.sh

bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark --no-progress

bench-peers: build
	@bash Benchmarks/peers/compare.sh
	@bash Benchmarks/peers/e2e.sh

clean:
	rm -rf .build $(OUT)

# Fuzzing (issue 16): libFuzzer + AddressSanitizer through the Fuzz/ sub-package.
# `make fuzz TARGET=FuzzPNG SECONDS=600` runs one target; `make fuzz-smoke` runs each for 60 s (CI).
# New inputs libFuzzer finds go to .build-fuzz/corpus/<target> (not committed); the committed
# seeds in Fuzz/corpus/ are read only. A crash leaves crash-<sha1> in .build-fuzz/ and fails
# (Swift's own backtracer is off: libFuzzer reports the crash, and the backtracer took minutes
# on a loaded machine before the crash input was written).
FUZZ_TARGETS := FuzzPNG FuzzJPEG FuzzManifestJSON FuzzManifestCSV FuzzQCProfile FuzzDICOM FuzzService
# -enable-testing: FuzzService reaches the service's internal request parsers with @testable import.
FUZZ_FLAGS := -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -enable-testing
TARGET ?= FuzzPNG
SECONDS ?= 60
fuzz_seeds_FuzzPNG := Fuzz/corpus/png $(wildcard Tests/SonoCodecsTests/Fixtures/pngsuite)
fuzz_seeds_FuzzJPEG := Fuzz/corpus/jpeg
fuzz_seeds_FuzzManifestJSON := Fuzz/corpus/manifest-json
fuzz_seeds_FuzzManifestCSV := Fuzz/corpus/manifest-csv
fuzz_seeds_FuzzQCProfile := Fuzz/corpus/qc-profile
fuzz_seeds_FuzzDICOM := Fuzz/corpus/dicom
fuzz_seeds_FuzzService := Fuzz/corpus/service

.PHONY: fuzz fuzz-build fuzz-run fuzz-smoke test-tsan

fuzz-build: deps
	cd Fuzz && $(SWIFT) build $(FUZZ_FLAGS)

fuzz: fuzz-build
	@$(MAKE) --no-print-directory fuzz-run TARGET=$(TARGET) SECONDS=$(SECONDS)

# One target's run without the build step, so fuzz-smoke builds the Fuzz package once, not per target.
fuzz-run:
	@mkdir -p .build-fuzz/corpus/$(TARGET)
	cd .build-fuzz && SWIFT_BACKTRACE=enable=no ../Fuzz/.build/release/$(TARGET) -max_total_time=$(SECONDS) -max_len=65536 \
		-rss_limit_mb=2048 -print_final_stats=1 corpus/$(TARGET) $(addprefix ../,$(fuzz_seeds_$(TARGET)))

fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do $(MAKE) --no-print-directory fuzz-run TARGET=$$t SECONDS=60 || exit 1; done

# ThreadSanitizer over the whole suite, with make test's flags (a debug TSan run did not finish in
# 80 min on 2 cores; TSan instruments every memory access at any optimisation level). Its own
# scratch path, so it neither invalidates nor locks the ordinary .build. Reports go to files,
# for the test runner and for every sonoqc process a test starts (they inherit TSAN_OPTIONS), and
# any report fails the target even when the test that caused it passed. Suppressions: see the file.
TSAN_REPORTS := $(CURDIR)/.build-tsan/reports
test-tsan: deps
	rm -rf $(TSAN_REPORTS) && mkdir -p $(TSAN_REPORTS)
	TSAN_OPTIONS="suppressions=$(CURDIR)/scripts/tsan-suppressions.txt log_path=$(TSAN_REPORTS)/tsan" \
	  $(SWIFT) test -c release -Xswiftc -enable-testing --sanitize=thread --scratch-path .build-tsan 2>&1 | tee .test-tsan.log; \
	status=$${PIPESTATUS[0]}; \
	reports=$$(cat $(TSAN_REPORTS)/tsan.* 2>/dev/null | grep -c "WARNING: ThreadSanitizer"); \
	echo "SUMMARY: test-tsan: $$(grep -a "Test run with" .test-tsan.log | tail -1); $$reports ThreadSanitizer report(s) in $(TSAN_REPORTS)"; \
	[ $$status -eq 0 ] && [ $$reports -eq 0 ]
