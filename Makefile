# eHazira: one non-recursive Makefile for the workers, the relay, the admin
# CLI, the test stand-ins and the tests.  Sources are found by directory, so a
# new file needs no edit here.  The folders are the layers, each a library
# that sees only the headers of the layers below it (the include paths say
# so: a header from above does not compile):
#   fcgi/core/*.c      -> libcore.a     foundation: memory, buffers, config,
#                                       log, DB, JSON input, crypto, clock
#   fcgi/domain/*.c    -> libdomain.a   windows, outbox, tokens, rules ...
#   fcgi/reports/*.c   -> libreports.a  report builders and renderers
#   fcgi/http/*.c      -> libhttp.a     router and handlers (main.c apart)
#   fcgi/http/main.c   -> ehazira-fcgi  (http + reports + domain + core)
#   relay/*.c          -> ehazira-relay (relay + domain + core: no reports)
#   scripts/admin/*.c  -> ehazira-admin (admin + reports + domain + core)
#   tests/standin/<x>.c -> standin-<x>  (one program per file, with
#                                       tests/standin/lib/*.c)
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

# The test builds (ASan, coverage) compile the race points of
# fcgi/http/testhook.h; a release build (`make`, the package) never does.
TEST_HOOKS ?= $(SAN)
ifeq ($(TEST_HOOKS),1)
HOOKFLAGS := -DEHAZIRA_TEST_HOOKS
endif

CC ?= cc
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla \
	-Wno-missing-field-initializers
PKG_CORE := libmariadb jansson openssl
PKG_DOMAIN := $(PKG_CORE) libjwt libcurl libcbor
PKG_REPORTS := $(PKG_DOMAIN) xlsxwriter
PKG_HTTP := $(PKG_REPORTS) libqrencode
PKG_ADMIN := $(PKG_REPORTS) zlib
CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SANFLAGS) -pthread \
	$(shell pkg-config --cflags $(PKG_HTTP) zlib) $(HOOKFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(SANFLAGS) $(EXTRA_LDFLAGS)
libs = $(shell pkg-config --libs $(1)) -lpthread -lm

# Include paths by layer: each sees itself and what is below it.
I_CORE := -Ifcgi/core
I_DOMAIN := $(I_CORE) -Ifcgi/domain
I_REPORTS := $(I_DOMAIN) -Ifcgi/reports
I_HTTP := $(I_REPORTS) -Ifcgi/http
I_RELAY := $(I_DOMAIN) -Irelay
I_ADMIN := $(I_REPORTS) -Iscripts/admin
I_TESTS := $(I_HTTP) -Irelay -Iscripts/admin -Itests/support

$(B)/obj/fcgi/core/%.o: INC := $(I_CORE)
$(B)/obj/fcgi/domain/%.o: INC := $(I_DOMAIN)
$(B)/obj/fcgi/reports/%.o: INC := $(I_REPORTS)
$(B)/obj/fcgi/http/%.o: INC := $(I_HTTP)
$(B)/obj/relay/%.o: INC := $(I_RELAY)
$(B)/obj/scripts/admin/%.o: INC := $(I_ADMIN)
$(B)/obj/tests/%.o: INC := $(I_TESTS)

objs = $(patsubst %.c,$(B)/obj/%.o,$(1))
CORE_OBJ := $(call objs,$(wildcard fcgi/core/*.c))
DOMAIN_OBJ := $(call objs,$(wildcard fcgi/domain/*.c))
REPORTS_OBJ := $(call objs,$(wildcard fcgi/reports/*.c))
HTTP_OBJ := $(call objs,$(filter-out fcgi/http/main.c,$(wildcard fcgi/http/*.c)))
RELAY_OBJ := $(call objs,$(wildcard relay/*.c))
# The relay's pieces without its main(), for tests of relay code.
RELAY_LIB_OBJ := $(filter-out $(B)/obj/relay/main.o,$(RELAY_OBJ))
ADMIN_OBJ := $(call objs,$(wildcard scripts/admin/*.c))
SUPPORT_OBJ := $(call objs,$(wildcard tests/support/*.c))
UNIT_BIN := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))
INT_BIN := $(patsubst tests/integration/%.c,$(B)/tests/integration/%,\
	$(wildcard tests/integration/test_*.c))
BENCH_BIN := $(patsubst tests/bench/%.c,$(B)/tests/bench/%,\
	$(wildcard tests/bench/*.c))
STANDIN_BIN := $(patsubst tests/standin/%.c,$(B)/standin-%,\
	$(wildcard tests/standin/*.c))
# What the stand-ins share (their connection loop), linked into each.
STANDIN_LIB_OBJ := $(call objs,$(wildcard tests/standin/lib/*.c))

BINS := $(B)/ehazira-fcgi $(B)/ehazira-relay $(B)/ehazira-admin
LIB_CORE := $(B)/libcore.a
LIB_DOMAIN := $(B)/libdomain.a
LIB_REPORTS := $(B)/libreports.a
LIB_HTTP := $(B)/libhttp.a
ALL_LIBS := $(LIB_HTTP) $(B)/librelay.a $(LIB_REPORTS) $(LIB_DOMAIN) $(LIB_CORE)

.SECONDARY:
.PHONY: all tests test test-unit test-integration test-e2e test-deb deb demo \
	demo-stop bench fmt fmt-check lint clean deps coverage fuzz \
	fuzz-bins

all: $(BINS) $(STANDIN_BIN)

tests: all $(UNIT_BIN) $(INT_BIN)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(INC) -MMD -MP -c $< -o $@

$(LIB_CORE): $(CORE_OBJ)
$(LIB_DOMAIN): $(DOMAIN_OBJ)
$(LIB_REPORTS): $(REPORTS_OBJ)
$(LIB_HTTP): $(HTTP_OBJ)
$(B)/librelay.a: $(RELAY_LIB_OBJ)
$(B)/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(B)/ehazira-fcgi: $(B)/obj/fcgi/http/main.o $(LIB_HTTP) $(LIB_REPORTS) \
	$(LIB_DOMAIN) $(LIB_CORE)
	$(CC) $(LDFLAGS) -o $@ $^ $(call libs,$(PKG_HTTP)) -lfcgi

$(B)/ehazira-relay: $(RELAY_OBJ) $(LIB_DOMAIN) $(LIB_CORE)
	$(CC) $(LDFLAGS) -o $@ $^ $(call libs,$(PKG_DOMAIN))

$(B)/ehazira-admin: $(ADMIN_OBJ) $(LIB_REPORTS) $(LIB_DOMAIN) $(LIB_CORE)
	$(CC) $(LDFLAGS) -o $@ $^ $(call libs,$(PKG_ADMIN))

$(B)/standin-%: $(B)/obj/tests/standin/%.o $(STANDIN_LIB_OBJ) $(SUPPORT_OBJ) \
	$(ALL_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(call libs,$(PKG_HTTP)) -lfcgi

$(B)/tests/%: $(B)/obj/tests/%.o $(SUPPORT_OBJ) $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(shell pkg-config --libs criterion) \
		$(call libs,$(PKG_HTTP)) -lfcgi

# Every test binary, then the integration tests against a throwaway stack
# and the browser tests; one pass/fail summary at the end.
test:
	$(MAKE) SAN=1 tests
	$(MAKE) $(FUZZ_VARS) fuzz-bins
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
DEB_SRC := Makefile README.md fcgi relay scripts nginx schema docs

deb:
	rm -rf build/deb
	mkdir -p build/deb/ehazira-$(DEB_VERSION)
	cp -a $(DEB_SRC) build/deb/ehazira-$(DEB_VERSION)/
	cp -a scripts/debian build/deb/ehazira-$(DEB_VERSION)/debian
	cd build/deb/ehazira-$(DEB_VERSION) && \
		DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -b -us -uc
	cp build/deb/ehazira_$(DEB_VERSION)_$(DEB_ARCH).deb build/
	@echo "deb: build/ehazira_$(DEB_VERSION)_$(DEB_ARCH).deb"

# Line coverage of the workers and the relay (fcgi/ and relay/) from the
# unit, integration and browser tests: a --coverage build into build/cov (no
# sanitizers), its tests run against a stack of those binaries (which
# leave through exit(), so their counts are written), then gcovr's report
# per file and in total (also build/cov/coverage.txt).
COV_FLAGS := SAN=0 TEST_HOOKS=1 B=build/cov OPT="-O0 -g" \
	SANFLAGS=--coverage
coverage:
	find build/cov -name '*.gcda' -delete 2>/dev/null || true
	$(MAKE) $(COV_FLAGS) tests
	-EHAZIRA_BIN=$(CURDIR)/build/cov tests/run unit
	-EHAZIRA_BIN=$(CURDIR)/build/cov tests/run integration
	-EHAZIRA_BIN=$(CURDIR)/build/cov tests/run e2e
	gcovr -r . --object-directory build/cov/obj -f 'fcgi/' -f 'relay/' \
		--sort-percentage -o build/cov/coverage.txt --print-summary
	cat build/cov/coverage.txt

# libFuzzer targets for every parser of outside input (tests/fuzz/fuzz_<x>.c,
# seeds in tests/fuzz/corpus/fuzz_<x>/): the layers rebuilt by clang with
# ASan+UBSan and coverage into build/fuzz, each target linked with
# libFuzzer's main.  `make fuzz FUZZ_SECONDS=N` runs each for N seconds
# (tests/fuzz/run); `make test` runs each for a few seconds.
FUZZ_SECONDS ?= 60
FUZZ_VARS := SAN=0 B=build/fuzz CC=clang OPT="-O1 -g" \
	EXTRA_CFLAGS=-Wno-format-nonliteral \
	SANFLAGS="-fsanitize=address,undefined,fuzzer-no-link \
	-fno-sanitize-recover=all -fno-omit-frame-pointer"
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/*.c))

fuzz-bins: $(FUZZ_BIN)

fuzz:
	$(MAKE) $(FUZZ_VARS) fuzz-bins
	tests/fuzz/run $(FUZZ_SECONDS)

# The admin CLI without its main(), for the CSV target.
$(B)/libadmin.a: $(filter-out $(B)/obj/scripts/admin/main.o,$(ADMIN_OBJ))

$(B)/fuzz/%: $(B)/obj/tests/fuzz/%.o $(B)/libadmin.a $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ \
		$(call libs,$(PKG_ADMIN) libqrencode) -lfcgi

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

FMT_SRC = fcgi/*/*.[ch] relay/*.[ch] scripts/admin/*.[ch] tests/*.c \
	tests/support/*.[ch] tests/integration/*.c tests/standin/*.c \
	tests/standin/lib/*.[ch] \
	tests/bench/*.c tests/fuzz/*.[ch]

fmt:
	clang-format -i $(FMT_SRC)

fmt-check:
	clang-format --dry-run --Werror $(FMT_SRC)

# The house checks: C formatting, shellcheck on every script, the example
# configuration against the config table, eslint on the JavaScript.
lint: fmt-check
	tests/lint/run

clean:
	rm -rf build

# Header dependencies of every object, tests and stand-ins included.
-include $(shell find $(B)/obj -name "*.d" 2>/dev/null)
