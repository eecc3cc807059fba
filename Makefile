# Consulta build targets. The default target is `build`.
#
#   make deps         Debian packages Fyne's GLFW driver needs (only missing ones)
#   make deps-test    ... plus Xvfb, ImageMagick, poppler-utils, DejaVu fonts
#   make build        bin/consulta (cgo, needs deps)
#   make run          build, then start the desktop app (DATA=dir for --data)
#   make test         unit tests of every non-main package (CGO_ENABLED=0),
#                     then prove the real cgo binary builds
#   make race         the same packages under the race detector (cgo)
#   make bench        benchmarks (BENCHPKGS, BENCHFLAGS)
#   make lint         gofmt + go vet
#   make e2e          the real-window tests: bin/consulta under Xvfb, driven
#                     with xdotool (E2E_SEEDS, E2E_EVENTS, E2E_OUT)
#   make screenshots  PNGs of the app under Xvfb into docs/screenshots/
#   make dist         packages into dist/: a Windows zip (cross-built with
#                     mingw, its resources checked), a Linux tar.xz and .deb,
#                     a SHA-256 sums file (DIST_ONLY=windows|linux for one)
#   make windows      just the Windows binary, bin/consulta.exe, its
#                     resources checked
#   make wincheck     GOOS=windows go vet of every package, and go test -c
#                     of every non-main one: the tests compile for Windows
#   make clean

GO ?= go
BIN = bin/consulta
DATA ?=
MODULE = github.com/cartagena-c40/consulta

# CGO_ENABLED for unit tests and benchmarks. Packages other than the main one
# must build without cgo: they may use fyne.io/fyne/v2/{widget,container,
# canvas,test,...} but NOT fyne.io/fyne/v2/app or any driver (those need cgo
# and GL headers); only package main may import fyne.io/fyne/v2/app.
TEST_CGO ?= 0
TESTFLAGS ?=

# `go build` does not read FyneApp.toml (at run time Fyne only looks for it
# beside the executable, i.e. in bin/), so the `fyneDo = true` migration there
# is applied the way the `fyne` CLI does it: with this build tag. Clear it
# (make race TAGS=) to get Fyne's wrong-goroutine warnings back.
TAGS ?= migrated_fynedo
GOTAGS = $(if $(strip $(TAGS)),-tags '$(strip $(TAGS))')

# Every package except the main package at the module root (recursively
# expanded, so `go list` only runs when a target uses it).
# The source revision, for `consulta version` where Go does not stamp it
# (a git worktree); Go's own stamp (-buildvcs=auto, in a clone) wins.
REVISION = $(shell git rev-parse HEAD 2>/dev/null)
MODIFIED = $(shell test -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" && echo true)
BUILDINFO = $(MODULE)/ui/buildinfo
VCSFLAGS = -buildvcs=auto -ldflags '-X $(BUILDINFO).stampedRevision=$(REVISION) -X $(BUILDINFO).stampedModified=$(MODIFIED)'

PKGS = $(shell $(GO) list -e -f '{{.ImportPath}}' ./... | grep -vx '$(MODULE)')

BENCHPKGS ?= $(PKGS)
BENCHFLAGS ?= -count=1

SCREENS ?= main detail form dashboard compare merge export invite

.DEFAULT_GOAL := build

.PHONY: build deps deps-test deps-dist run test unit race bench lint fmtcheck vet e2e screenshots dist windows wincheck clean

deps:
	.ci/install-deps

deps-test:
	.ci/install-deps --test-tools

deps-dist:
	.ci/install-deps --dist

build: deps
	@mkdir -p $(dir $(BIN))
	CGO_ENABLED=1 $(GO) build $(GOTAGS) $(VCSFLAGS) -o $(BIN) .

run: build
	./$(BIN) $(if $(DATA),--data $(DATA))

# Unit tests first, then the cgo build of the real binary (deps run first).
test: deps unit
	@mkdir -p $(dir $(BIN))
	CGO_ENABLED=1 $(GO) build $(GOTAGS) $(VCSFLAGS) -o $(BIN) .

unit:
	@pkgs='$(strip $(PKGS))'; \
	if [ -z "$$pkgs" ]; then echo "unit: no non-main packages to test"; exit 0; fi; \
	echo "CGO_ENABLED=$(TEST_CGO) $(GO) test $(GOTAGS) -count=1 $(TESTFLAGS) $$pkgs"; \
	CGO_ENABLED=$(TEST_CGO) $(GO) test $(GOTAGS) -count=1 $(TESTFLAGS) $$pkgs

# The real-window tests build with CGO_ENABLED=0 like the other tests; the
# binary they drive is the real cgo one.
E2EFLAGS ?=
e2e: build deps-test
	CONSULTA_E2E_BIN=$(CURDIR)/$(BIN) CGO_ENABLED=0 $(GO) test $(GOTAGS) -count=1 -v -timeout 40m $(E2EFLAGS) ./e2e/

race: deps
	@pkgs='$(strip $(PKGS))'; \
	if [ -z "$$pkgs" ]; then echo "race: no non-main packages to test"; exit 0; fi; \
	echo "CGO_ENABLED=1 $(GO) test $(GOTAGS) -race -count=1 $(TESTFLAGS) $$pkgs"; \
	CGO_ENABLED=1 $(GO) test $(GOTAGS) -race -count=1 $(TESTFLAGS) $$pkgs

bench:
	@pkgs='$(strip $(BENCHPKGS))'; \
	if [ -z "$$pkgs" ]; then echo "bench: no packages to benchmark"; exit 0; fi; \
	echo "CGO_ENABLED=$(TEST_CGO) $(GO) test $(GOTAGS) -run '^$$' -bench . -benchmem $(BENCHFLAGS) $$pkgs"; \
	CGO_ENABLED=$(TEST_CGO) $(GO) test $(GOTAGS) -run '^$$' -bench . -benchmem $(BENCHFLAGS) $$pkgs

lint: fmtcheck vet

fmtcheck:
	@files=$$(gofmt -l . 2>&1); \
	if [ -n "$$files" ]; then \
		echo "gofmt: these files need formatting (run gofmt -w):"; \
		echo "$$files"; \
		exit 1; \
	fi

vet:
	@pkgs='$(strip $(PKGS))'; \
	if [ -n "$$pkgs" ]; then \
		echo "CGO_ENABLED=0 $(GO) vet $(GOTAGS) $$pkgs"; \
		CGO_ENABLED=0 $(GO) vet $(GOTAGS) $$pkgs || exit 1; \
	fi; \
	if .ci/install-deps --check 2>/dev/null; then \
		echo "CGO_ENABLED=1 $(GO) vet $(GOTAGS) ."; \
		CGO_ENABLED=1 $(GO) vet $(GOTAGS) . || exit 1; \
	else \
		echo "vet: skipping package main (cgo deps missing; run make deps)"; \
	fi

dist: deps deps-dist
	GO='$(GO)' TAGS='$(strip $(TAGS))' .ci/dist

# The cgo cross-build for Windows with the resources of FyneApp.toml, as make
# dist builds it (the same flags, so each reuses the other's build cache).
windows: deps-dist
	@mkdir -p $(dir $(BIN))
	$(GO) run ./tools/winres -out rsrc_windows_amd64.syso
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc $(GO) build $(GOTAGS) -buildvcs=auto \
		-ldflags '-H windowsgui -s -w -X $(BUILDINFO).stampedRevision=$(REVISION) -X $(BUILDINFO).stampedModified=$(MODIFIED)' \
		-o $(BIN).exe . ; rc=$$?; rm -f rsrc_windows_amd64.syso; exit $$rc
	$(GO) run ./tools/pecheck -gui -version $$($(GO) run ./tools/winres -print fileversion) $(BIN).exe

# What can be checked for Windows without Windows: vet (package main with
# cgo and mingw, the others without cgo) and the tests compiled, not run.
wincheck: deps-dist
	@pkgs='$(strip $(PKGS))'; \
	echo "GOOS=windows CGO_ENABLED=0 $(GO) vet $(GOTAGS) $$pkgs"; \
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) vet $(GOTAGS) $$pkgs || exit 1; \
	echo "GOOS=windows CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc $(GO) vet $(GOTAGS) ."; \
	GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc $(GO) vet $(GOTAGS) . || exit 1; \
	d=$$(mktemp -d); \
	echo "GOOS=windows CGO_ENABLED=0 $(GO) test -c $(GOTAGS) -o $$d/ $$pkgs"; \
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) test -c $(GOTAGS) -o $$d/ $$pkgs; rc=$$?; \
	echo "wincheck: test binaries compiled for Windows:" $$(cd $$d && ls); rm -rf $$d; exit $$rc

screenshots:
	SCREENS='$(SCREENS)' GO='$(GO)' .ci/screenshots

clean:
	rm -rf bin/ dist/ cpu.out mem.out *.test rsrc_windows_*.syso
