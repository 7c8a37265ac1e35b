# The two commands a new user needs (README): `make demo` and `make test`.
# Both install their own Debian packages, build in Release and do their job.
BUILD ?= build
ASAN_BUILD ?= build-asan
JOBS ?= $(shell nproc)
DEMO_OUT ?= demo-out
# The demo also runs the sample's boot services and probes them live (docs/emulation.md): as root,
# or rootless where the kernel allows unprivileged user namespaces (`make demo DEMO_EMULATE=` skips it).
DEMO_EMULATE ?= --emulate
# Unity builds (CMake batches of 16 sources a translation unit) halve the build time of a clean
# tree; `make test UNITY=OFF` builds file by file (faster when editing one file).
UNITY ?= ON

.PHONY: all deps test-deps build package demo sample test test-release test-asan docs fuzz clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test
	@scripts/install-test-tools.sh

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DIOTCOP_TESTS=OFF -DCMAKE_UNITY_BUILD=$(UNITY) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target iotcop

# Debian packages of the Release build (cmake/Packaging.cmake): iotcop and iotcop-postgres, whose
# Depends are the run-time libraries; prints their paths (`apt install ./PATH` installs one).
package: build
	@rm -f $(BUILD)/packages/*.deb
	@cd $(BUILD) && out=$$(cpack -G DEB -B packages 2>&1) || { echo "$$out" >&2; exit 1; }
	@ls -1 "$$(cd $(BUILD) && pwd)"/packages/*.deb

sample: build
	@scripts/make-sample-firmware.sh $(BUILD)/sample >/dev/null

# Assess the bundled sample camera firmware; prints the HTML report's path.
demo: sample
	@rm -rf $(DEMO_OUT)
	@$(BUILD)/bin/iotcop assess --firmware $(BUILD)/sample/sample-camera.uimage \
	  --declaration samples/camera/declaration.yaml -o $(DEMO_OUT) $(DEMO_EMULATE) \
	  --format json,html,sarif,junit,psti-html,psti-md,ts103701-html; \
	  rc=$$?; if [ $$rc -gt 1 ]; then exit $$rc; fi

# Every test: Release build (GCC) with the whole suite, then the sanitizer build (clang) of the suite.
test: test-deps test-release test-asan

test-release:
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DIOTCOP_TESTS=ON -DCMAKE_UNITY_BUILD=$(UNITY) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@scripts/make-sample-firmware.sh $(BUILD)/sample >/dev/null
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The sanitizer build uses clang: it compiles the same code with ASan/UBSan about 40% faster
# than GCC 12 (and a second compiler's warnings keep the code portable). With unity builds a clean
# `make test` (both builds, both suites) took 13.5 min on 2 cores (37 min file by file with GCC).
# Its unity batches are whole targets (batch size 0: the library is one translation unit, the tests
# another), so a file-scope name that two files share fails here whichever files the Release
# build's batches of 16 happen to put together; on 2 cores it builds as fast as batches of 16
# (2m19s against 2m12s clean, with 40% less CPU).
ASAN_UNITY_BATCH ?= 0
# Left out here: Package (it packages the Release build) and SlurmBatch (a real Slurm cluster
# running the batch path, not a memory-safety test; batch_test.cc runs that code here).
test-asan:
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
	  -DCMAKE_BUILD_TYPE=Debug -DIOTCOP_SANITIZE=ON -DIOTCOP_TESTS=ON -DCMAKE_UNITY_BUILD=$(UNITY) \
	  -DCMAKE_UNITY_BUILD_BATCH_SIZE=$(ASAN_UNITY_BATCH) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@scripts/make-sample-firmware.sh $(ASAN_BUILD)/sample >/dev/null
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ctest --output-on-failure -j $(JOBS) --timeout 900 -LE corpus -E 'Corpus|Package|SlurmBatch'

# Regenerate the docs pages that come from the code's metadata.
docs: build
	@$(BUILD)/bin/iotcop docs --out docs

fuzz:
	@scripts/install-deps.sh --test
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O1 -g1' -DCMAKE_C_FLAGS_RELWITHDEBINFO='-O1 -g1' \
	  -DIOTCOP_FUZZ=ON -DIOTCOP_TESTS=OFF -DIOTCOP_BENCH=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@fuzz/make-seeds.sh build-fuzz/seeds >/dev/null

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz $(DEMO_OUT)
