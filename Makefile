# `make test` is the one command to check the project: it installs what the
# tests need (Chromium, poppler-utils, nginx and Postfix for the probe tests,
# PostgreSQL for the tests on PostgreSQL, the test tools' npm packages), checks
# that generated code is committed and that the code is formatted and vetted,
# and runs every test, the browser tests included, the store's, web's and
# the browser tests on both SQLite and PostgreSQL. CI runs it through .ci/run.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

GO ?= go
# The browser the e2e tests drive; the tests read the same variable.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
# Folders with a package.json and package-lock.json whose packages the tests
# use; a folder that does not exist is skipped.
NPM_DIRS ?= steps/script/powershell/testdata/psparse steps/checklist/testdata/stigman e2e/testdata/vnu
TEST_TIMEOUT ?= 20m
# Extra arguments for `make run`, such as RUN_ARGS='-addr 127.0.0.1:8080'.
RUN_ARGS ?=

# apt-get needs root; use sudo only when we are not root already.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.NOTPARALLEL:

.PHONY: test deps chromium poppler postgres probe-servers npm-deps check-generated fmt vet staticcheck go-test run bench load load-smoke generate crashtest fuzz govulncheck

test: deps check-generated fmt vet staticcheck go-test load-smoke

deps: chromium poppler postgres probe-servers npm-deps

# The probes are tested against real servers on 127.0.0.1: Debian's nginx
# (TLS endpoints and plain HTTP) and Postfix (open and closed relays). The
# packages are installed, never started as system services: each test runs
# its own instance on free ports.
probe-servers:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then :; else missing="nginx-light"; fi; \
	if command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ]; then :; else missing="$${missing:-} postfix"; fi; \
	if [ -z "$${missing:-}" ]; then \
		echo "probe servers: nginx and postfix present"; \
	else \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "error: missing$$missing and no apt-get: install nginx and postfix" >&2; \
			exit 1; \
		fi; \
		echo "probe servers: installing$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			-o DPkg::Lock::Timeout=600 $$missing; \
	fi

# Debian's chromium package: the tests never download a browser of their own.
chromium:
	@if command -v "$(CHROMIUM)" >/dev/null 2>&1; then \
		echo "chromium: $(CHROMIUM)"; \
	else \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "error: no $(CHROMIUM) and no apt-get: install Chromium and set CHROMIUM=/path/to/chromium" >&2; \
			exit 1; \
		fi; \
		echo "chromium: $(CHROMIUM) missing, installing Debian's chromium package"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 chromium; \
		command -v "$(CHROMIUM)" >/dev/null 2>&1 || { \
			echo "error: chromium installed but $(CHROMIUM) is still missing; set CHROMIUM" >&2; exit 1; }; \
	fi

# Debian's poppler-utils: the e2e tests read the runbook printed to PDF with
# pdftotext and pdfinfo, found on PATH.
poppler:
	@if command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then \
		echo "poppler-utils: $$(command -v pdftotext)"; \
	else \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "error: no pdftotext and no apt-get: install poppler-utils (pdftotext, pdfinfo)" >&2; \
			exit 1; \
		fi; \
		echo "poppler-utils: pdftotext missing, installing Debian's poppler-utils package"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 poppler-utils; \
		command -v pdftotext >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1 || { \
			echo "error: poppler-utils installed but pdftotext or pdfinfo is still missing" >&2; exit 1; }; \
	fi

# Debian's postgresql package: the store's PostgreSQL tests (store/pgtest)
# make a throwaway cluster with its initdb and postgres, found on PATH or
# under /usr/lib/postgresql/*/bin. The package's own cluster service is not
# needed: the tests never use it.
postgres:
	@initdb=$$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true); \
	if [ -n "$$initdb" ]; then \
		echo "postgresql: $$initdb"; \
	else \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "error: no initdb and no apt-get: install PostgreSQL (initdb and postgres on PATH)" >&2; \
			exit 1; \
		fi; \
		echo "postgresql: initdb missing, installing Debian's postgresql package"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			-o DPkg::Lock::Timeout=600 postgresql; \
		ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
			echo "error: postgresql installed but initdb is still missing" >&2; exit 1; }; \
	fi

# Debian's headless Java runtime: the e2e tests run the Nu Html Checker
# (vnu.jar, from e2e/testdata/vnu) over every page they check.
java:
	@if command -v java >/dev/null 2>&1; then \
		echo "java: $$(command -v java)"; \
	else \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "error: no java and no apt-get: install a Java runtime (11 or later) for the Nu Html Checker" >&2; \
			exit 1; \
		fi; \
		echo "java: missing, installing Debian's default-jre-headless package"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 default-jre-headless; \
		command -v java >/dev/null 2>&1 || { \
			echo "error: default-jre-headless installed but java is still missing" >&2; exit 1; }; \
	fi

npm-deps:
	@for dir in $(NPM_DIRS); do \
		if [ ! -f "$$dir/package.json" ]; then \
			echo "npm: skipping $$dir (no package.json)"; \
			continue; \
		fi; \
		command -v npm >/dev/null 2>&1 || { \
			echo "error: npm is needed for $$dir; install Node.js and npm" >&2; exit 1; }; \
		echo "npm ci in $$dir"; \
		(cd "$$dir" && npm ci --no-audit --no-fund); \
	done

# The *_templ.go files are committed, so `go build` works without templ.
# Regenerate them and fail if that changed anything git does not have.
check-generated: generate
	@if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		echo "check-generated: not a git work tree, skipping the check"; \
		exit 0; \
	fi; \
	untracked=$$(git status --porcelain --untracked-files=all -- '*_templ.go' | sed -n 's/^?? //p'); \
	if ! git diff --quiet -- '*_templ.go' || [ -n "$$untracked" ]; then \
		git --no-pager diff --stat -- '*_templ.go'; \
		[ -z "$$untracked" ] || printf 'untracked: %s\n' $$untracked; \
		echo "error: generated templ code is out of date or not committed." >&2; \
		echo "  'go tool templ generate' (make generate) has just regenerated it;" >&2; \
		echo "  review and commit the *_templ.go files, then run make test again." >&2; \
		exit 1; \
	fi; \
	echo "templ: generated code is current"

fmt:
	@files=$$(find . \( -name .git -o -name node_modules -o -name testdata -o -name vendor \) -prune \
		-o -name '*.go' ! -name '*_templ.go' -print | xargs -r gofmt -l); \
	if [ -n "$$files" ]; then \
		echo "error: these files need gofmt -w:" >&2; \
		echo "$$files" >&2; \
		exit 1; \
	fi; \
	echo "gofmt: ok"

vet:
	$(GO) vet ./...

# staticcheck at a pinned version; staticcheck.conf says which checks.
STATICCHECK_VERSION ?= v0.8.2
staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# govulncheck needs its vulnerability database on the Internet: run it on a
# machine that can reach vuln.go.dev.
govulncheck:
	$(GO) run golang.org/x/vuln/cmd/govulncheck@v1.9.0 ./...

# The SIGKILL harness at full length (make test runs 5 rounds).
CRASH_ROUNDS ?= 200
crashtest:
	CRASH_ROUNDS=$(CRASH_ROUNDS) $(GO) test -count=1 -timeout 30m -run TestCrashLosesNoAcknowledgedSave -v ./e2e

# Every Fuzz* target of the repository, FUZZTIME each, one after another
# (make test runs only their seed corpora, as ordinary tests). A failure
# stops the run; go test saves the input that failed under the package's
# testdata/fuzz, where it becomes a seed that make test runs from then on.
FUZZTIME ?= 30s
fuzz:
	@targets=$$($(GO) test -list '^Fuzz' ./... | \
		awk '/^Fuzz/ { names[++n] = $$1 } /^ok / { for (i = 1; i <= n; i++) print $$2, names[i]; n = 0 }'); \
	total=$$(printf '%s\n' "$$targets" | grep -c .); \
	echo "fuzz: $$total targets, $(FUZZTIME) each"; \
	i=0; \
	while read -r pkg name; do \
		i=$$((i + 1)); \
		echo "fuzz [$$i/$$total] $$pkg $$name"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
	done <<< "$$targets"; \
	echo "fuzz: all $$total targets ran $(FUZZTIME) with no failure"

# Every test once on SQLite, then the packages that open a store (the
# store itself, the web server and the browser tests) again
# on PostgreSQL: WIZARD_TEST_STORE=postgres gives each test a database on a
# throwaway PostgreSQL that store/pgtest starts on 127.0.0.1.
PG_PACKAGES ?= ./store/... ./web/... ./e2e
go-test:
	CI=$${CI:-} $(GO) test -count=1 -timeout $(TEST_TIMEOUT) ./...
	CI=$${CI:-} WIZARD_TEST_STORE=postgres $(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(PG_PACKAGES)

run:
	$(GO) run ./cmd/wizard $(RUN_ARGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The real binary under load over HTTP on 127.0.0.1 (e2e/perf_test.go):
# pages at rising fixed rates against a static asset, answer saves while 25
# members follow the event stream, cold start to /healthz; and the full
# render at 50, 200 and 800 servers. About five minutes; the figures are
# in BENCHMARKS.md. PERF_STEP, PERF_SAVE_RATE, PERF_SAVE_DURATION and
# PERF_ROUNDS shorten or lengthen the runs.
# A short run of the load benchmarks, so that make test sees them work
# (their figures come from make load).
load-smoke:
	PERF_STEP=200ms PERF_SAVE_DURATION=2s PERF_ROUNDS=3 $(GO) test -count=1 -timeout 5m -run '^$$' -bench 'PageLoad|LiveSaves|ColdStart' -benchtime 1x ./e2e
	$(GO) test -count=1 -timeout 5m -run '^$$' -bench 'RenderAll/servers=50$$' -benchtime 1x ./cmd/wizard

load:
	$(GO) test -count=1 -timeout 30m -run '^$$' -bench 'PageLoad|LiveSaves|ColdStart' -benchtime 1x -v ./e2e
	$(GO) test -count=1 -timeout 30m -run '^$$' -bench 'RenderAll' -benchtime 5x -benchmem ./cmd/wizard

generate:
	$(GO) tool templ generate
