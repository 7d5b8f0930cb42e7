# feedspool: a news-feed ingestion daemon.
#
#   make                 build ./feedspool
#   make check           install missing packages, build, run every test,
#                        then the same again under ASan+UBSan, then the
#                        tests that use threads under ThreadSanitizer
#   make run             run the daemon on etc/feedspool.conf, state in var/
#   make demo            run the daemon against the bundled fixture server
#   make bench           build and run every bench/bench_*.c, then the
#                        polling benchmark bench/poll.sh (nginx, curl)
#   make fuzz            build the libFuzzer targets with clang and run each
#                        for FUZZ_SECONDS (default 60)
#   make install         binary, example config, systemd unit, man pages,
#                        the story file's JSON Schema
#                        (PREFIX, DESTDIR)
#
# Knobs: CFLAGS, LDFLAGS, PREFIX, DESTDIR, WERROR=1 (warnings are errors),
# SANITIZE=1 (ASan+UBSan build in build/san/), SANITIZE=thread (ThreadSanitizer
# build in build/tsan/: make check-run SANITIZE=thread runs only TSAN_UNITS and
# TSAN_E2E).

VERSION    = 0.1.0
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share/feedspool
DESTDIR   ?=

CC        ?= cc
CFLAGS    ?= -O2 -g
PKG_CONFIG ?= pkg-config

PKGS      = libcurl libxml-2.0 libevent sqlite3 jansson inih libutf8proc libsystemd \
            libexttextcat libpcre2-8
TEST_PKGS = cmocka zlib

WARN = -Wall -Wextra -Wpedantic -Wstrict-prototypes -Wmissing-prototypes \
       -Wshadow -Wpointer-arith -Wwrite-strings -Wformat=2 -Wundef \
       -Wold-style-definition -Wnull-dereference -Wvla
ifeq ($(WERROR),1)
WARN += -Werror
endif

ifeq ($(SANITIZE),1)
BUILD = build/san
SAN   = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(SANITIZE),thread)
BUILD = build/tsan
SAN   = -fsanitize=thread -fno-omit-frame-pointer -O1 -g
else
BUILD = build/rel
SAN   =
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   := $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

# Where libexttextcat-data keeps its language models (parsers/langid.c).
TEXTCAT_DATA ?= $(shell $(PKG_CONFIG) --variable=pkgdatadir libexttextcat 2>/dev/null)
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DFEEDSPOOL_VERSION='"$(VERSION)"' -I. \
             $(if $(TEXTCAT_DATA),-DLANGID_DATA='"$(TEXTCAT_DATA)/"') \
             $(WARN) $(PKG_CFLAGS) $(CFLAGS) $(SAN) -pthread
ALL_LDFLAGS = $(LDFLAGS) $(SAN) -pthread

# Every module of daemon/, parsers/ and store/ goes into one static library;
# the binary is main.c on top of it, and every unit test links against it.
LIB_SRCS  = $(filter-out daemon/main.c,$(wildcard daemon/*.c parsers/*.c store/*.c))
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB       = $(BUILD)/libfeedspool.a
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNITS     = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
SERVER    = $(BUILD)/tests/fixture-server
BIN       = $(BUILD)/feedspool
E2E       = $(filter-out tests/e2e/lib.sh,$(wildcard tests/e2e/*.sh))

# The ThreadSanitizer pass runs only what uses threads: these unit tests
# (tests/unit/test_NAME.c) and end-to-end tests (tests/e2e/NAME.sh).
TSAN_UNITS = threads work
TSAN_E2E   = basic articles duplicates signals crash hostbudget
ifeq ($(SANITIZE),thread)
RUN_UNITS = $(TSAN_UNITS:%=$(BUILD)/tests/test_%)
RUN_E2E   = $(TSAN_E2E:%=tests/e2e/%.sh)
else
RUN_UNITS = $(UNITS)
RUN_E2E   = $(E2E)
endif

.PHONY: all deps check check-run check-san unit e2e run demo install uninstall \
        install-man \
        clean bench fuzz systemd-verify
.DEFAULT_GOAL := all

all: feedspool

# The top-level ./feedspool is always the plain build.
feedspool: FORCE
	@$(MAKE) --no-print-directory SANITIZE= build/rel/feedspool
	@cp build/rel/feedspool $@.tmp && mv -f $@.tmp $@
FORCE:

$(BIN): $(BUILD)/daemon/main.o $(LIB)
	$(CC) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS) -lm

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) $(TEST_LIBS) -lm

# test_oom fails allocations on purpose: in its link alone, our objects'
# calls of these go through the test's own __wrap_ functions
# (tests/unit/oom.h), which also stand in for the libraries' allocators.
OOM_WRAP = malloc calloc realloc reallocarray free strdup strndup \
           asprintf vasprintf utf8proc_map iconv_open fdopendir \
           xmlCtxtReadMemory xmlParseChunk xmlParseDocument htmlReadMemory \
           htmlParseDocument htmlNewParserCtxt json_loadb
$(BUILD)/tests/test_oom: ALL_LDFLAGS += $(OOM_WRAP:%=-Wl,--wrap=%)

$(SERVER): tests/server/fixture_server.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(PKG_LIBS) $(TEST_LIBS)

deps:
	@sh scripts/deps

# make check: the plain build, then the sanitizer build, each running the
# unit tests and the end-to-end tests against the real binary; then the
# ThreadSanitizer build, running the tests that use threads.
check: deps
	@$(MAKE) --no-print-directory check-run
	@$(MAKE) --no-print-directory check-run SANITIZE=1
	@$(MAKE) --no-print-directory check-run SANITIZE=thread

check-run: $(BIN) $(RUN_UNITS) $(SERVER)
	@FEEDSPOOL=$(BIN) FIXTURE_SERVER=$(SERVER) UNITS="$(RUN_UNITS)" \
	    E2E="$(RUN_E2E)" \
	    BUILD_KIND="$(if $(filter thread,$(SANITIZE)),thread sanitizer,$(if $(SANITIZE),sanitizers,plain))" \
	    sh tests/run

check-san: deps
	@$(MAKE) --no-print-directory check-run SANITIZE=1

run: deps feedspool
	@mkdir -p var
	./feedspool run -c etc/feedspool.conf --spool var/spool --state var/feedspool.db

demo: deps feedspool $(SERVER)
	@sh tests/demo $(SERVER)

# make bench: every bench/bench_*.c is a program, linked with the other
# bench/*.c (the corpus generator) and the library, built like the binary
# (plain, optimised) and run in turn; then bench/poll.sh, the polling
# benchmark (curl and feedspool against nginx on 127.0.0.1, for each
# number of feeds in BENCH_POLL_N; empty skips it), with its site generator
# bench/poll/poll_gen.c, and bench/poll/spool_floor.c, the cost of the
# Maildir writes alone.  Not part of make check.
BENCH_SRCS = $(wildcard bench/bench_*.c)
BENCH_LIBSRCS = $(filter-out $(BENCH_SRCS),$(wildcard bench/*.c))
BENCHES    = $(BENCH_SRCS:bench/%.c=build/rel/bench/%)
BENCH_ARGS ?=
BENCH_POLL_N ?= 300 2000
POLL_GEN   = build/rel/bench/poll_gen
SPOOL_FLOOR = build/rel/bench/spool_floor

bench: FORCE
	@sh scripts/deps --bench
	@$(MAKE) --no-print-directory SANITIZE= $(BENCHES) $(POLL_GEN) \
	    $(SPOOL_FLOOR) build/rel/feedspool
	@for b in $(BENCHES); do \
	    echo "== $$(basename $$b)"; $$b $(BENCH_ARGS) || exit 1; \
	done
	@if [ -n "$(BENCH_POLL_N)" ]; then \
	    echo "== poll"; \
	    BENCH_POLL_N="$(BENCH_POLL_N)" FEEDSPOOL=build/rel/feedspool \
	    POLL_GEN=$(POLL_GEN) SPOOL_FLOOR=$(SPOOL_FLOOR) \
	    sh bench/poll.sh || exit 1; \
	fi

build/rel/bench/bench_%: bench/bench_%.c $(BENCH_LIBSRCS) $(wildcard bench/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BENCH_LIBSRCS) $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) -lm

$(SPOOL_FLOOR): bench/poll/spool_floor.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

$(POLL_GEN): bench/poll/poll_gen.c $(BENCH_LIBSRCS) $(wildcard bench/*.h) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BENCH_LIBSRCS) $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) -lm

# make fuzz: tests/fuzz/fuzz_*.c with the parsers, built by clang with
# libFuzzer, ASan and UBSan into build/fuzz/, then run one after the other
# (tests/fuzz/run); fails when a target crashes.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= feed date page story norm boiler htmlclean url
FUZZ         = build/fuzz
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE -I. $(WARN) $(PKG_CFLAGS) -O1 -g \
               $(FUZZ_SAN) -pthread
# The targets reach only the parsers: their sources are compiled in with
# coverage instrumentation (fuzz_story adds daemon/story.c, below).
FUZZ_OBJS    = $(patsubst %.c,$(FUZZ)/obj/%.o,$(wildcard parsers/*.c))
FUZZ_BINS    = $(patsubst tests/fuzz/%.c,$(FUZZ)/%,$(wildcard tests/fuzz/fuzz_*.c))

fuzz: FORCE
	@sh scripts/deps --fuzz
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@sh tests/fuzz/run $(FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

.SECONDARY: $(FUZZ_OBJS)
$(FUZZ)/obj/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

# Story building is the daemon's: its one module, on top of the parsers.
$(FUZZ)/fuzz_story: tests/fuzz/fuzz_story.c $(FUZZ_OBJS) $(FUZZ)/obj/daemon/story.o
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) -lm

systemd-verify:
	@sh tests/e2e/systemd_verify.sh

MAN1 = man/feedspool.1
MAN5 = man/feedspool.conf.5 man/feedspool-spool.5

# The man pages alone (no build): tests/e2e/man.sh installs them this way.
install-man:
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MAN1) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/

install: feedspool install-man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR)/feedspool $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(DATADIR)
	install -m 0755 feedspool $(DESTDIR)$(BINDIR)/feedspool
	install -m 0644 etc/story.schema.json $(DESTDIR)$(DATADIR)/story.schema.json
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/feedspool/feedspool.conf ]; then \
	    echo "keeping $(DESTDIR)$(SYSCONFDIR)/feedspool/feedspool.conf"; \
	else \
	    install -m 0644 etc/feedspool.conf $(DESTDIR)$(SYSCONFDIR)/feedspool/feedspool.conf; \
	fi
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    systemd/feedspool.service > $(DESTDIR)$(UNITDIR)/feedspool.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/feedspool.service
	install -m 0644 systemd/feedspool.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/feedspool.conf
	install -m 0644 systemd/feedspool.tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/feedspool.conf
	@echo "then: systemd-sysusers; systemd-tmpfiles --create; systemctl daemon-reload"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/feedspool $(DESTDIR)$(UNITDIR)/feedspool.service \
	    $(DESTDIR)$(SYSUSERSDIR)/feedspool.conf $(DESTDIR)$(TMPFILESDIR)/feedspool.conf \
	    $(DESTDIR)$(DATADIR)/story.schema.json \
	    $(MAN1:man/%=$(DESTDIR)$(MANDIR)/man1/%) $(MAN5:man/%=$(DESTDIR)$(MANDIR)/man5/%)

clean:
	rm -rf build feedspool feedspool.tmp
