# eHazira: one non-recursive Makefile for the workers, the relay, the admin
# CLI, the test stand-ins and the tests.  Sources are found by directory, so a
# new file needs no edit here:
#   fcgi/*.c (but main.c)   -> build/libehz.a, shared by every binary
#   fcgi/main.c             -> ehazira-fcgi
#   relay/*.c               -> ehazira-relay
#   scripts/admin/*.c       -> ehazira-admin
#   tests/standin/<x>.c     -> standin-<x>     (one program per file)
#   tests/test_<m>.c        -> unit test binaries (Criterion)
#   tests/integration/*.c   -> integration test binaries (need a stack)
#   tests/support/*.c       -> linked into every test binary and stand-in
#
# `make test` always builds with ASan+UBSan into build/san and runs
# everything; `make` builds the release binaries into build/.

SAN ?= 0
ifeq ($(SAN),1)
B := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
OPT := -O1 -g
else
B := build
SANFLAGS :=
OPT := -O2 -g
endif

PKGS := libmariadb libjwt jansson libcurl libqrencode xlsxwriter openssl
CC ?= cc
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla \
	-Wno-missing-field-initializers
CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -pthread \
	-Ifcgi -Irelay -Itests/support $(shell pkg-config --cflags $(PKGS)) \
	$(EXTRA_CFLAGS)
LDLIBS := $(shell pkg-config --libs $(PKGS)) -lfcgi -lpthread -lm
TEST_LDLIBS := $(shell pkg-config --libs criterion) $(LDLIBS)
LDFLAGS := $(SANFLAGS) $(EXTRA_LDFLAGS)

LIB_SRC := $(filter-out fcgi/main.c,$(wildcard fcgi/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/obj/%.o)
RELAY_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard relay/*.c))
# The relay's pieces without its main(), for tests of relay code.
RELAY_LIB_OBJ := $(filter-out $(B)/obj/relay/main.o,$(RELAY_OBJ))
ADMIN_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard scripts/admin/*.c))
SUPPORT_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tests/support/*.c))
UNIT_BIN := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))
INT_BIN := $(patsubst tests/integration/%.c,$(B)/tests/integration/%,\
	$(wildcard tests/integration/test_*.c))
BENCH_BIN := $(patsubst tests/bench/%.c,$(B)/tests/bench/%,\
	$(wildcard tests/bench/*.c))
STANDIN_BIN := $(patsubst tests/standin/%.c,$(B)/standin-%,\
	$(wildcard tests/standin/*.c))

BINS := $(B)/ehazira-fcgi $(B)/ehazira-relay $(B)/ehazira-admin
ALL_OBJ := $(LIB_OBJ) $(RELAY_OBJ) $(ADMIN_OBJ) $(SUPPORT_OBJ) \
	$(B)/obj/fcgi/main.o

.SECONDARY:
.PHONY: all tests test test-unit test-integration test-e2e test-deb deb demo \
	demo-stop bench fmt fmt-check clean deps

all: $(BINS) $(STANDIN_BIN)

tests: all $(UNIT_BIN) $(INT_BIN)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libehz.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(B)/ehazira-fcgi: $(B)/obj/fcgi/main.o $(B)/libehz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/ehazira-relay: $(RELAY_OBJ) $(B)/libehz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/ehazira-admin: $(ADMIN_OBJ) $(B)/libehz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/standin-%: $(B)/obj/tests/standin/%.o $(SUPPORT_OBJ) $(B)/libehz.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/librelay.a: $(RELAY_LIB_OBJ)
	@mkdir -p $(dir $@)
	ar rcs $@ $^

$(B)/tests/%: $(B)/obj/tests/%.o $(SUPPORT_OBJ) $(B)/librelay.a $(B)/libehz.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(TEST_LDLIBS)

# Every test binary, then the integration tests against a throwaway stack
# and the browser tests; one pass/fail summary at the end.
test:
	$(MAKE) SAN=1 tests
	$(MAKE) deb
	EHAZIRA_BIN=$(CURDIR)/build/san tests/run all

test-unit:
	$(MAKE) SAN=1 tests
	EHAZIRA_BIN=$(CURDIR)/build/san tests/run unit

test-integration:
	$(MAKE) SAN=1 tests
	EHAZIRA_BIN=$(CURDIR)/build/san tests/run integration

test-e2e:
	$(MAKE) SAN=1 tests
	EHAZIRA_BIN=$(CURDIR)/build/san tests/run e2e

# The package's checks: lintian, systemd-analyze verify, and its unpacked
# tree run against a throwaway MariaDB and nginx (tests/deb/run).
test-deb: deb
	tests/run deb

# The Debian package (scripts/debian is its debian/ directory): a copy of
# the sources under build/deb, built there by dpkg-buildpackage with
# debhelper; the .deb is copied to build/.
DEB_VERSION = $(shell dpkg-parsechangelog -l scripts/debian/changelog -S Version)
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_SRC := Makefile fcgi relay scripts nginx schema docs

deb:
	rm -rf build/deb
	mkdir -p build/deb/ehazira-$(DEB_VERSION)
	cp -a $(DEB_SRC) build/deb/ehazira-$(DEB_VERSION)/
	cp -a scripts/debian build/deb/ehazira-$(DEB_VERSION)/debian
	cd build/deb/ehazira-$(DEB_VERSION) && \
		DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -b -us -uc
	cp build/deb/ehazira_$(DEB_VERSION)_$(DEB_ARCH).deb build/
	@echo "deb: build/ehazira_$(DEB_VERSION)_$(DEB_ARCH).deb"

deps:
	scripts/install-deps

demo:
	scripts/install-deps
	$(MAKE) all
	scripts/demo

demo-stop:
	scripts/stack down

bench: all $(BENCH_BIN)
	tests/bench/run

FMT_SRC = fcgi/*.[ch] relay/*.[ch] scripts/admin/*.[ch] tests/*.c \
	tests/support/*.[ch] tests/integration/*.c tests/standin/*.c \
	tests/bench/*.c

fmt:
	clang-format -i $(FMT_SRC)

fmt-check:
	clang-format --dry-run --Werror $(FMT_SRC)

clean:
	rm -rf build

# Header dependencies of every object, tests and stand-ins included.
-include $(shell find $(B)/obj -name "*.d" 2>/dev/null)
