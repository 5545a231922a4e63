# Quick start: `make run` (build and start the server) and `make test` (build and run every
# test, then again under ASan+UBSan, and the concurrency tests under TSan). Both install
# missing Debian packages first.

BUILD_DIR := build
ARGS ?=

.PHONY: run demo test deps release dev asan tsan test-dev test-asan test-tsan test-tsan-concurrency clean

deps:
	@tools/install-deps.sh

release: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target cryptodash

run: release
	$(BUILD_DIR)/release/bin/cryptodash serve $(ARGS)

# Optional: the server against the fake upstream with moving prices, fully offline.
demo: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release --target cryptodash fake_upstream
	tools/demo.sh $(BUILD_DIR)/release/bin $(ARGS)

dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev

asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan

tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan

test-dev: dev
	ctest --preset dev

test-asan: asan
	ctest --preset asan

test-tsan: tsan
	ctest --preset tsan

# The concurrency-heavy test programs, also run under ThreadSanitizer by `make test`.
TSAN_TARGETS := cache_test store_test redis_integration_test tier_integration_test tier_helper reports_test

test-tsan-concurrency: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan --target $(TSAN_TARGETS)
	ctest --preset tsan -E _NOT_BUILT

test: test-dev test-asan test-tsan-concurrency

clean:
	rm -rf $(BUILD_DIR)
