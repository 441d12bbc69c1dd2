# The two commands: `make run` (set up, build, start the demo) and `make test`
# (set up, build with sanitizers, run every test). Everything else is a helper.
# The test build is -O1 -g1 with assertions on (line tables are enough for sanitizer reports
# and keep a clean build on 2 cores short); benchmarks build only in the release build.
JOBS        ?= $(shell nproc)
RELEASE_DIR := build/release
TEST_DIR    := build/asan
CMAKE_GEN   := -G Ninja

.PHONY: all deps build run test test-build bench fuzz format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(RELEASE_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Release -DPATHWISE_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE_DIR) -j $(JOBS)

run: build
	$(RELEASE_DIR)/pathwise demo

test-build: deps
	@cmake -S . -B $(TEST_DIR) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DPATHWISE_BENCH=OFF \
	  -DPATHWISE_SANITIZE=ON -DPATHWISE_WERROR=ON >/dev/null
	@cmake --build $(TEST_DIR) -j $(JOBS)

test: test-build
	@scripts/install-e2e.sh
	@cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Benchmarks run on the release build; see bench/README.md for the baselines each one needs.
bench: build
	@scripts/run-bench.sh $(RELEASE_DIR)

fuzz:
	@scripts/fuzz.sh

format:
	@find src tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf build
