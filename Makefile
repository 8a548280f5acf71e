# SPDX-License-Identifier: LGPL-2.1-or-later
#
# sipfilter build.  `make` builds build/sipfilter; `make test` runs every
# test; `make asan` runs them under ASan+UBSan; `make tsan` runs replay -j's
# equivalence test under ThreadSanitizer; `make bench` runs perf/;
# `make run` starts the filter on the bundled example config.
# Every target first installs the Debian packages it needs (see deps).
#
# Sources are picked up by directory, so a new .c file needs no edit here:
#   base/ tables/ config/ capture/ sipfilter/{engine,lib,proxy,replay}/
#                                                -> libsipfilter.a
#   sipfilter/cmd/                               -> the sipfilter binary
#   tests/unit/test_*.c                          -> one test program each
#   tests/tools/*.c                              -> helpers integration tests run
#   perf/bench_*.c                               -> one benchmark each
#   tests/fuzz/fuzz_*.c                          -> fuzz targets
#   sipfilter/kamailio/                          -> NOT globbed: the Kamailio
#                      module, `make kamailio-module` (needs Kamailio headers)

BUILD   ?= build
CC      ?= cc
WERROR  ?= -Werror
OPT     ?= -O2
SAN     ?=
VERSION := 0.1.0
# libsipfilter's ABI: the SONAME's number.  Bumped whenever a caller
# compiled against the old sipfilter.h would break against the new
# library (a struct it allocates or an array size it passes changed, a
# call removed or changed); tests/unit/test_lib.c records each ABI's
# sizes and fails when they change without a bump.  1: sipfilter_stats_t
# gained ported_rows and SIPFILTER_TABLES went from 4 to 5 (tables.ported).
LIB_ABI := 1
SF_DEFAULT_CONFIG ?= $(CURDIR)/config/sipfilter.yaml

WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wno-format-nonliteral $(WERROR)
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -DSF_VERSION='"$(VERSION)"' \
           -DSF_LIB_ABI=$(LIB_ABI) -DSF_DEFAULT_CONFIG='"$(SF_DEFAULT_CONFIG)"' \
           $(WARN) $(if $(SAN),,$(HARDEN)) $(SAN) $(CFLAGS) -MMD -MP -I.
LDLIBS  := -losipparser2 -lJudy -lyaml -lpcap -lz -lsodium -lssl -lcrypto -lhiredis -lpthread -lm

# Debian packages: build/link, and the tools the tests drive.
PKGS_BUILD := gcc make libc6-dev libosip2-dev libjudy-dev libyaml-dev \
              libpcap-dev zlib1g-dev libsodium-dev libssl-dev libhiredis-dev
PKGS_TEST  := sip-tester python3 python3-jsonschema chromium clang libclang-rt-14-dev \
              pkgconf binutils tshark redis-server flex bison
PKGS_BENCH := valgrind

# libsipfilter: the engine with its tables, config and base; no I/O
# beyond reading its files.  The drivers (capture decoding, the proxy,
# replay) are a second archive the programs link in front of it.
ENGINE_SRCS := $(wildcard base/*.c tables/*.c config/*.c \
                       sipfilter/engine/*.c sipfilter/lib/*.c)
DRIVER_SRCS := $(wildcard capture/*.c sipfilter/proxy/*.c sipfilter/replay/*.c)
LIB_SRCS  := $(ENGINE_SRCS) $(DRIVER_SRCS)
MAIN_SRCS := $(wildcard sipfilter/cmd/*.c)
TEST_SRCS := $(wildcard tests/unit/test_*.c)
BENCH_SRCS:= $(wildcard perf/bench_*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)
FUZZ_REPLAY_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-replay/%)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_TIME ?= 60
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)
ENGINE_OBJS := $(ENGINE_SRCS:%.c=$(BUILD)/obj/%.o)
DRIVER_OBJS := $(DRIVER_SRCS:%.c=$(BUILD)/obj/%.o)
PIC_OBJS  := $(ENGINE_SRCS:%.c=$(BUILD)/pic/%.o)
MAIN_OBJS := $(MAIN_SRCS:%.c=$(BUILD)/obj/%.o)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BINS:= $(BENCH_SRCS:perf/%.c=$(BUILD)/perf/%)
ENGINE_LIB := $(BUILD)/libsipfilter.a
DRIVER_LIB := $(BUILD)/libsipfilter-drivers.a
LIB       := $(DRIVER_LIB) $(ENGINE_LIB)
SONAME    := libsipfilter.so.$(LIB_ABI)
SHLIB     := $(BUILD)/libsipfilter.so.$(LIB_ABI).0.0
PCFILE    := $(BUILD)/sipfilter.pc
ENGINE_LDLIBS := -losipparser2 -lJudy -lyaml -lsodium -lpthread -lm
PREFIX    ?= /usr/local
LIBDIR    ?= $(PREFIX)/lib
INCLUDEDIR?= $(PREFIX)/include
BIN       := $(BUILD)/sipfilter

.PHONY: all deps deps-test deps-bench test unit asan tsan bench run check-deps install \
        install-lib lib fuzz fuzz-build fuzz-long fuzz-msan fuzz-msan-build coverage clean soak soak-redis deb deb-chroot-test
all: deps $(BIN) lib

# Install what is missing, once per machine (dpkg -s is the truth, no stamp).
deps:
	@missing=""; for p in $(PKGS_BUILD); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; fi
deps-test: deps
	@missing=""; for p in $(PKGS_TEST); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; fi
deps-bench: deps-test
	@missing=""; for p in $(PKGS_BENCH); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; fi

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(ENGINE_LIB): $(ENGINE_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(DRIVER_LIB): $(DRIVER_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The shared library: position-independent objects, only sipfilter_*
# (sipfilter/lib/sipfilter.h) exported, every symbol resolved at link.
$(BUILD)/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(SHLIB): $(PIC_OBJS)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs \
	  -Wl,-z,relro,-z,now -o $@ $^ $(ENGINE_LDLIBS)
	ln -sf $(notdir $@) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/libsipfilter.so

# sipfilter.pc for PREFIX; install-lib writes it again for its PREFIX.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@LIBS_PRIVATE@|$(ENGINE_LDLIBS)|' dist/sipfilter.pc.in
$(PCFILE): dist/sipfilter.pc.in Makefile
	$(PC_SED) >$@

lib: $(ENGINE_LIB) $(SHLIB) $(PCFILE)

$(BIN): $(MAIN_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJS) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Helpers the integration tests run (e.g. the proxy side of the
# replay-vs-serve differential).
$(BUILD)/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# The scanner's portable fallbacks (no SSE2; plain bytes) run the same tests:
# every scanner file with an SSE2 or word-at-a-time path is compiled again
# with the define (their objects in the library are then not linked).
SIP_VARIANT_SRCS := sipfilter/engine/sf_sip_scan.c sipfilter/engine/sf_sip_value.c \
                    sipfilter/engine/sf_sip_frame.c sipfilter/engine/sf_sip_names.c
SIP_VARIANT_BINS := $(BUILD)/tests/test_sip_nosse2 $(BUILD)/tests/test_sip_scalar
$(BUILD)/tests/test_sip_nosse2: tests/unit/test_sip.c $(SIP_VARIANT_SRCS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DSF_SIP_NO_SSE2 -o $@ $< $(SIP_VARIANT_SRCS) $(LIB) $(LDLIBS)
$(BUILD)/tests/test_sip_scalar: tests/unit/test_sip.c $(SIP_VARIANT_SRCS) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DSF_SIP_SCALAR -o $@ $< $(SIP_VARIANT_SRCS) $(LIB) $(LDLIBS)

$(BUILD)/perf/%: perf/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# Each fuzz target also links with a plain main that replays its corpus,
# so the suite (and ASan) runs the corpora without libFuzzer.  With
# SF_FUZZ_REPLAY a target does all its work per input where, for speed,
# the libFuzzer build does part of it (fuzz_proxy, fuzz_identity).
$(BUILD)/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -DSF_FUZZ_REPLAY -Wno-missing-prototypes -o $@ $< tests/fuzz/replay_main.c $(LIB) $(LDLIBS)

# libFuzzer builds (clang) of the library and every target.
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -DSF_VERSION='"$(VERSION)"' -I. -g -O1 \
	-fno-omit-frame-pointer \
	-DSF_FUZZING -fsanitize=fuzzer-no-link,address,undefined
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=build/fuzz/obj/%.o)
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build/fuzz/libsipfilter.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^
build/fuzz/%: tests/fuzz/%.c build/fuzz/libsipfilter.a
	clang $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer -o $@ $< build/fuzz/libsipfilter.a $(LDLIBS)
fuzz-build: deps-test $(FUZZ_BINS)

# MemorySanitizer builds (issue 15).  MSan must see every store, so the
# Debian libraries a target calls are rebuilt with -fsanitize=memory from
# Debian's own source packages (tests/fuzz/msan_deps.sh: libyaml, Judy,
# libpcap, zlib; static, cached in ~/.cache/sipfilter; flex and bison build
# libpcap).  libosip2 cannot be: the package registry serves its .dsc
# without the source tarballs, so identity, admit and proxy (libosip2,
# and libsodium through the proxy) stay ASan/UBSan only.  Binaries:
# build/msan/NAME; make fuzz-msan runs them.
FUZZ_MSAN_TARGETS := fuzz_normalize fuzz_sip_scan fuzz_hep fuzz_encap \
	fuzz_certname fuzz_config fuzz_tables fuzz_pcap
# Cached outside the tree (a fresh clone reuses them), keyed by the
# installed versions so an upgrade rebuilds them.
MSAN_DEPS_KEY = $(shell dpkg-query -W -f '$${Version} ' libyaml-dev libjudy-dev \
	libpcap0.8-dev zlib1g-dev 2>/dev/null | md5sum | cut -c1-10)
MSAN_DEPS ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sipfilter/msan-deps-$(MSAN_DEPS_KEY)
FUZZ_MSAN_CFLAGS := -std=c11 -D_GNU_SOURCE -DSF_VERSION='"$(VERSION)"' -I. \
	-I$(MSAN_DEPS)/include -g -O1 -fno-omit-frame-pointer -DSF_FUZZING \
	-fsanitize=fuzzer-no-link,memory -fsanitize-memory-track-origins=2
$(MSAN_DEPS)/all.done:
	dist/apt-deb-src.sh
	tests/fuzz/msan_deps.sh $(MSAN_DEPS) libyaml judy zlib libpcap
	touch $@
build/msan/obj/%.o: %.c | $(MSAN_DEPS)/all.done
	@mkdir -p $(dir $@)
	clang $(FUZZ_MSAN_CFLAGS) -MMD -MP -c $< -o $@
build/msan/libsipfilter.a: $(LIB_SRCS:%.c=build/msan/obj/%.o)
	@rm -f $@
	ar rcs $@ $^
build/msan/%: tests/fuzz/%.c build/msan/libsipfilter.a
	clang $(FUZZ_MSAN_CFLAGS) -MMD -MP -fsanitize=fuzzer -o $@ $< \
	  build/msan/libsipfilter.a -L$(MSAN_DEPS)/lib -lyaml -lJudy -lpcap -lz -lm
fuzz-msan-build: deps-test $(FUZZ_MSAN_TARGETS:%=build/msan/%)
fuzz-msan: fuzz-msan-build
	FUZZ_BIN_DIR=build/msan FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh $(FUZZ_MSAN_RUN)

# Runs every fuzz target for FUZZ_TIME seconds (default 60) from a copy of
# its committed corpus; new crashes land in build/fuzz/crashes/.
# FUZZ_TARGETS="fuzz_pcap fuzz_config" runs only those (here and in
# fuzz-long).  Then the MSan builds of those that have one.
FUZZ_TARGETS ?=
FUZZ_MSAN_RUN = $(filter $(FUZZ_MSAN_TARGETS),$(or $(FUZZ_TARGETS),$(FUZZ_MSAN_TARGETS)))
fuzz: fuzz-build fuzz-msan-build
	FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run.sh $(FUZZ_TARGETS)
	$(if $(FUZZ_MSAN_RUN),FUZZ_BIN_DIR=build/msan FUZZ_TIME=$(FUZZ_TIME) \
	  tests/fuzz/run.sh $(FUZZ_MSAN_RUN))

# The depth run (issue 15): every target to FUZZ_EXECS executions (10 M)
# or FUZZ_LONG_TIME seconds, whichever comes first, two at a time under
# nice; prints executions, executions/s (SLOW under 10,000/s), coverage
# and corpus growth per target (also in build/fuzz/summary.txt).
FUZZ_EXECS ?= 10000000
FUZZ_LONG_TIME ?= 3600
FUZZ_JOBS ?= 2
fuzz-long: fuzz-build
	FUZZ_TIME=$(FUZZ_LONG_TIME) FUZZ_EXECS=$(FUZZ_EXECS) \
	  FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh $(FUZZ_TARGETS)

# Coverage (issue 15): gcc --coverage builds of the library, the unit
# tests and the fuzz-replay programs in build/cov; runs every unit test and
# replays every fuzz corpus (committed + shared), then prints line and
# branch coverage per module (tests/coverage.py); unreached lines and
# untaken branches per file land in build/cov/report/.  COV_SHOW=prefixes
# also prints the unreached lines of those files.
# -fprofile-update=atomic: test_lib and the proxy tests run threads, and
# plain counters lost updates there until gcov's flow solver gave lines
# executed hundreds of times as never reached (sf_identity.c:106 read
# ##### after test_lib though test_identity had reached it 55 times).  A
# change of these flags rebuilds build/cov from scratch (.flags).
COV := build/cov
COV_SHOW ?=
COV_FLAGS := --coverage -fprofile-update=atomic
coverage: deps
	@echo '$(COV_FLAGS)' | cmp -s - $(COV)/.flags 2>/dev/null || \
	  { rm -rf $(COV); mkdir -p $(COV); echo '$(COV_FLAGS)' >$(COV)/.flags; }
	@find $(COV) -name '*.gcda' -delete 2>/dev/null || true
	$(MAKE) -s BUILD=$(COV) OPT=-O0 SAN='$(COV_FLAGS)' \
	  $(TEST_SRCS:tests/unit/%.c=$(COV)/tests/%) \
	  $(FUZZ_SRCS:tests/fuzz/%.c=$(COV)/fuzz-replay/%)
	@for t in $(COV)/tests/test_*; do case $$(basename $$t) in *.*|*-*) continue;; esac; \
	  printf '%-28s %s\n' "$$(basename $$t)" "$$($$t 2>&1 | tail -1)"; done
	@SF_SHARED=$${SF_SHARED:-$(CURDIR)/../shared}; export SF_SHARED; \
	  . tests/fuzz/corpus_dirs.sh; for t in $(COV)/fuzz-replay/fuzz_*; do \
	  case $$(basename $$t) in *.*|*-*) continue;; esac; printf '%-28s %s\n' "$$(basename $$t)" \
	    "$$($$t $$(corpus_dirs $$(basename $$t)) 2>&1 | tail -1)"; done
	@python3 tests/coverage.py $(COV) $(COV_SHOW)

# Long soak (not in `make test`, whose soak_short runs 60 s of it): serve
# under sipp load while 10^6-row tables are reloaded; prints a summary.
SOAK_MINUTES ?= 10
soak: deps-test $(BIN)
	SOAK_MINUTES=$(SOAK_MINUTES) bash tests/soak.sh

# Long soak of the live roaming feed (not in `make test`, whose
# soak_redis_short runs 20 s of it): 1,000 changes/s through a real
# redis-server, reloads every 3 s, sipp load; prints a summary.
soak-redis: deps-test $(BIN)
	SOAK_MINUTES=$(SOAK_MINUTES) bash tests/soak_redis.sh

unit: deps $(BIN) $(TEST_BINS)

# The whole suite: unit programs, golden files, integration scripts.
# promtool (tests/integration/metrics.sh): only the binary, unpacked from
# Debian's prometheus package; no server is installed or started.
PROMTOOL := $(BUILD)/promtool/usr/bin/promtool
$(PROMTOOL):
	@d=$$(mktemp -d) && cd $$d && \
	{ apt-get download -qq prometheus >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get download -qq prometheus; }; } && \
	mkdir -p $(CURDIR)/$(BUILD)/promtool && \
	dpkg-deb -x prometheus_*.deb $(CURDIR)/$(BUILD)/promtool && \
	cd / && rm -rf $$d
	@test -x $@

test: deps-test deps-deb $(MSAN_DEPS)/all.done $(BIN) lib $(PROMTOOL) $(TEST_BINS) $(SIP_VARIANT_BINS) $(FUZZ_REPLAY_BINS) $(BENCH_BINS) $(TOOL_BINS) check-deps
	BUILD=$(BUILD) SF_SAN="$(SAN)" tests/run.sh

# Same suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	$(MAKE) test BUILD=build/asan OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

# replay -j's threads under ThreadSanitizer: a TSan build of the binary
# (build/tsan) and the -j equivalence test over it, where a data race
# fails the run (its report lands on stderr, which must equal -j 1's,
# and the exit status changes).
tsan: deps
	$(MAKE) BUILD=build/tsan OPT=-O1 \
	  SAN="-fsanitize=thread -fno-omit-frame-pointer" build/tsan/sipfilter
	BUILD=build/tsan SF_SAN=-fsanitize=thread \
	  TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
	  TEST_FILTER=replay_parallel tests/run.sh

bench: deps-bench $(BIN) $(BENCH_BINS)
	BUILD=$(BUILD) perf/run.sh

run: deps $(BIN)
	sipfilter/cmd/run-example.sh $(BIN)

# Installs the binary, the example config (never over an existing one) and
# the systemd unit: see dist/install.sh for PREFIX/SYSCONFDIR/DESTDIR.
# The installed binary is built apart (build/install/) with the installed
# config as its default; a binary run from the tree keeps the example.
SYSCONFDIR ?= /etc
install: install-lib
	$(MAKE) BUILD=build/install \
	  SF_DEFAULT_CONFIG=$(SYSCONFDIR)/sipfilter/sipfilter.yaml build/install/sipfilter
	BIN=$(CURDIR)/build/install/sipfilter PREFIX=$(PREFIX) \
	  SYSCONFDIR=$(SYSCONFDIR) dist/install.sh

# The Debian package: the tree (without build/ and .git) is copied to
# build/debsrc/sipfilter-VERSION and built there with
# `dpkg-buildpackage -us -uc -b` (debian/rules), then checked by lintian;
# the .deb is left in build/debsrc/.
PKGS_DEB := debhelper dpkg-dev fakeroot lintian pandoc python3
DEB      := build/debsrc/sipfilter_$(VERSION)_$(shell dpkg --print-architecture 2>/dev/null).deb
.PHONY: deb deps-deb
deps-deb: deps
	@missing=""; for p in $(PKGS_DEB); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; fi
deb: deps-deb
	rm -rf build/debsrc && mkdir -p build/debsrc/sipfilter-$(VERSION)
	tar --exclude=./build --exclude=./.git -cf - . | \
	  tar -xf - -C build/debsrc/sipfilter-$(VERSION)
	cd build/debsrc/sipfilter-$(VERSION) && \
	  dpkg-buildpackage -us -uc -b >../build.log 2>&1 || \
	  { tail -30 ../build.log; exit 1; }
	lintian --fail-on error,warning $(DEB)
	@echo "built $(DEB)"

# The .deb installed in a fresh Debian 12 chroot (debootstrap; minutes,
# downloads a base system once): check and serve from the package.
deb-chroot-test: deb
	bash dist/deb-chroot-test.sh $(DEB)

# libsipfilter alone: the static and shared library (with its SONAME
# links), sipfilter.h and sipfilter.pc under PREFIX (DESTDIR for staging).
install-lib: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 0644 $(ENGINE_LIB) $(DESTDIR)$(LIBDIR)/
	install -m 0755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libsipfilter.so
	install -m 0644 sipfilter/lib/sipfilter.h $(DESTDIR)$(INCLUDEDIR)/
	$(PC_SED) >$(DESTDIR)$(LIBDIR)/pkgconfig/sipfilter.pc
	@if [ -z "$(DESTDIR)" ] && [ "$(LIBDIR)" = /usr/local/lib ]; then ldconfig; fi

# The layering (tests/check_deps.py says it in full): base <- tables,
# config, capture <- engine <- lib <- the drivers (proxy, replay) <- cmd;
# drivers never include each other; no include cycle, and no two library
# objects that need each other's symbols.  Then the sizes
# (tests/check_sizes.py): no production function over 120 lines, no file
# over 900, unless the file's header comment says why (" * Size:").
check-deps: $(LIB)
	@python3 tests/check_deps.py $(BUILD)/obj
	@python3 tests/check_sizes.py

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJS:.o=.d) $(PIC_OBJS:.o=.d)
-include $(FUZZ_LIB_OBJS:.o=.d) $(FUZZ_BINS:=.d)

# ------------------------------------------------------------------
# The Kamailio module (sipfilter/kamailio/, GPL-2.0-or-later: README
# "Kamailio module").  Debian ships no kamailio-dev, so this fetches the
# source of the installed kamailio (a deb-src entry is added when
# missing), takes the -D flags Kamailio's own build gives a module
# (`make -n` of modules/sl), and links libsipfilter's -fPIC objects
# into build/kamailio/sipfilter.so; only the module's entry points are
# exported.  Not part of `all`: it needs the kamailio package.
KAM_PKGS    := kamailio dpkg-dev
KAM_DIR     := build/kamailio-src
KAM_VERSION  = $(shell dpkg-query -W -f '$${Version}' kamailio 2>/dev/null)
KAM_UPSTREAM = $(shell echo '$(KAM_VERSION)' | sed 's/-[^-]*$$//; s/^[0-9]*://')
KAM_SRC      = $(KAM_DIR)/kamailio-$(KAM_UPSTREAM)
KAM_MOD     := $(BUILD)/kamailio/sipfilter.so

.PHONY: kamailio-module deps-kamailio deps-kamailio-tls
kamailio-module: deps-kamailio $(KAM_MOD)

# Kamailio's tls module: perf/bench_tls.sh's side-by-side peer (not needed
# to build or test anything).
KAM_TLS_PKGS := kamailio kamailio-tls-modules
deps-kamailio-tls: deps
	@missing=""; for p in $(KAM_TLS_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; fi

deps-kamailio: deps
	@missing=""; for p in $(KAM_PKGS); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; fi
	@dist/apt-deb-src.sh
	@if [ ! -f $(KAM_SRC)/src/core/sr_module.h ]; then \
	  mkdir -p $(KAM_DIR) && cd $(KAM_DIR) && \
	  { apt-get source -qq --download-only kamailio=$(KAM_VERSION) || \
	    { apt-get update -qq && apt-get source -qq --download-only kamailio=$(KAM_VERSION); }; } && \
	  dpkg-source -x kamailio_$(KAM_VERSION).dsc kamailio-$(KAM_UPSTREAM) >/dev/null; fi
	@test -f $(KAM_SRC)/src/core/sr_module.h || \
	  { echo "no Kamailio source in $(KAM_SRC)"; exit 1; }

# The flags Kamailio's build uses for its own modules (MOD_NAME dropped:
# ours is set below), cached next to the source.
$(KAM_DIR)/module-cflags: | deps-kamailio
	cd $(KAM_SRC)/src/modules/sl && $(MAKE) -s -n Q=0 2>/dev/null | \
	  grep -m1 -- ' -c sl.c' | sed -e 's/^[^ ]* //' -e 's/ -c sl\.c.*//' \
	  -e "s/ -DMOD_NAME='\"sl\"'//" >$(CURDIR)/$@.tmp
	@grep -q -- '-DPKG_MALLOC' $@.tmp || { echo "cannot read Kamailio's module flags"; exit 1; }
	mv $@.tmp $@

KAM_WARN := -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
            -Wno-missing-field-initializers -Wno-format-truncation $(WERROR)
KAM_HDRS := sipfilter/kamailio/sf_kam_shm.h sipfilter/kamailio/sf_kam_log.h \
            sipfilter/kamailio/sf_kam_verdict.h \
            sipfilter/lib/sipfilter.h sipfilter/lib/sf_embed.h
$(BUILD)/kamailio/%.o: sipfilter/kamailio/%.c $(KAM_HDRS) \
    $(KAM_DIR)/module-cflags
	@mkdir -p $(dir $@)
	$(CC) $(shell cat $(KAM_DIR)/module-cflags) -DMOD_NAME='"sipfilter"' \
	  $(KAM_WARN) $(OPT) -g -I$(KAM_SRC)/src -I. -c $< -o $@

# sf_kam_shm.o defines libJudy's JudyMalloc & co. (exports.map exports
# them, so libJudy's calls bind to them: README "Processes, reloads and
# memory").
KAM_OBJS := $(BUILD)/kamailio/sipfilter_mod.o $(BUILD)/kamailio/sf_kam_shm.o \
            $(BUILD)/kamailio/sf_kam_log.o $(BUILD)/kamailio/sf_kam_verdict.o
$(KAM_MOD): $(KAM_OBJS) $(PIC_OBJS) sipfilter/kamailio/exports.map
	$(CC) -shared -fPIC -Wl,--version-script=sipfilter/kamailio/exports.map \
	  -Wl,-z,relro,-z,now -o $@ $(KAM_OBJS) $(PIC_OBJS) $(ENGINE_LDLIBS)
