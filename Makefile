# Thin wrapper over Meson so that a fresh Debian machine needs two commands.
#   make run    install deps, build, run `vigil analyze` over the lab captures
#   make check  install deps, build (gcc -Werror, and clang ASan+UBSan), run every test
SHARED ?= $(abspath ../shared)
BUILD ?= build
ASAN ?= build-asan

.PHONY: all deps build build-asan run check clean fuzz

all: build

deps:
	@./scripts/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dshared_dir=$(SHARED)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(ASAN)/build.ninja:
	CC=clang meson setup $(ASAN) -Dshared_dir=$(SHARED) -Dbuildtype=debug -Doptimization=1 \
	  -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true

build-asan: deps $(ASAN)/build.ninja
	ninja -C $(ASAN)

run: build
	./scripts/run-lab.sh $(BUILD)/src/cli/vigil $(SHARED)

check: build build-asan
	./scripts/check.sh $(BUILD) $(ASAN)

clean:
	rm -rf $(BUILD) $(ASAN)
