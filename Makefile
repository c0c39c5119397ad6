# Thin convenience layer over CMake (as cmark does).  Real rules live in
# CMakeLists.txt.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all check bench asan fuzz fuzz-replay clean format

all: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

check: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target benchmarks

asan:
	$(MAKE) BUILD=build-asan CMAKE_FLAGS="-DDF_SANITIZE=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug" check

fuzz:
	cmake -S . -B build-fuzz -G Ninja -DDF_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-fuzz -j $(JOBS) --target fuzzers

clean:
	rm -rf build build-asan build-fuzz build-tsan

format:
	clang-format -i include/*.h src/*.[ch] src/util/*.[ch] cli/*.[ch]
