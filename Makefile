# mqttdesk — run `make help` for the targets.

GO               ?= go
TOOLS            := $(CURDIR)/.tools
STATICCHECK      := $(TOOLS)/staticcheck
GOFUMPT          := $(TOOLS)/gofumpt
STATICCHECK_VER  := v0.8.2
GOFUMPT_VER      := v0.12.0
FYNE             := $(TOOLS)/fyne
FYNE_VER         := v1.7.4
HEADLESS_PKGS    := ./mqtt/... ./cli/... ./app/... ./mqttcore/... ./localbroker/... ./storage/...
# third_party/ keeps its upstream formatting so that its patches stay small.
OUR_DIRS         := $(filter-out third_party,$(patsubst %/,%,$(wildcard */))) main.go

.DEFAULT_GOAL := help
.PHONY: help run build broker test lint unit smoke window fuzz bench bench-quick screenshots package install package-check deps-build deps-test peers tools clean

help: ## Show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: build ## Build and open mqttdesk (installs the build packages first)
	./bin/mqttdesk

build: deps-build ## Build bin/mqttdesk
	$(GO) build -o bin/mqttdesk .

broker: build ## Run the local broker without a window
	./bin/mqttdesk broker

test: deps-test peers tools lint unit fuzz-quick smoke window package-check bench-quick ## Install what the tests need, lint, run the race tests, the fuzzers briefly, the window smoke test, every control of the window, the package, and the benchmarks briefly

lint: tools ## go vet, staticcheck, gofumpt, the headless packages built without cgo, and the mochi fork against its patches
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@out=$$($(GOFUMPT) -l $(OUR_DIRS)); if [ -n "$$out" ]; then echo "gofumpt would change:"; $(GOFUMPT) -d $(OUR_DIRS); exit 1; fi
	CGO_ENABLED=0 $(GO) build $(HEADLESS_PKGS)
	scripts/check-mochi-patches.sh

unit: ## go test -race ./... with the mosquitto peers required
	MQTTDESK_REQUIRE_PEERS=1 $(GO) test -race -count=1 ./...

smoke: deps-test ## Run the real window under Xvfb with messages arriving, read them by OCR, restart it
	scripts/smoke.sh

WINDOW_OUT ?= $(CURDIR)/bench/out/window

window: deps-test ## Walk a new user's first day in the real window under Xvfb, then click every control (race-detector build); screenshots and reports in bench/out/window
	$(GO) build -race -o bin/mqttdesk-race .
	MQTTDESK_BIN=$(CURDIR)/bin/mqttdesk-race MQTTDESK_WINDOW_OUT=$(WINDOW_OUT) MQTTDESK_REQUIRE_WINDOW=1 \
		$(GO) test -count=1 -timeout 20m -run 'TestANewUsersFirstDay|TestEveryControlOfTheWindow' -v ./internal/e2e/windowtest/

# Every parser of bytes from outside has a fuzz target; FUZZ_TIME each.
FUZZ_TARGETS := ./mqttcore:FuzzInboundPackets ./mqttcore:FuzzDecodePublish ./mqttcore:FuzzPacketParser ./mqtt:FuzzValidateFilter \
	./localbroker:FuzzClientBytes ./localbroker:FuzzParseACL ./storage:FuzzDecodeRecord ./storage:FuzzImport ./ui/payload:FuzzShowNeverGarbles
FUZZ_TIME    ?= 60s

fuzz: ## Run every fuzz target for FUZZ_TIME (default 60s each)
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg, $(FUZZ_TIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZ_TIME) $$pkg || exit 1; done

fuzz-quick: ## Every fuzz target briefly (5s each), as make test does
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=5s

bench: deps-test peers ## The scoreboard: every benchmark against its peer in the same run, one table, also in bench/results.json
	$(GO) run ./internal/bench/scoreboard -out bench/results.json

bench-quick: deps-test peers ## Every benchmark briefly (BENCH_QUICK=1), to check the harness; its figures are not measurements
	BENCH_QUICK=1 $(GO) run ./internal/bench/scoreboard -out bench/out/quick.json

screenshots: deps-test ## Refresh the README's screenshots from the real app under Xvfb
	scripts/screenshots.sh

package: deps-build $(FYNE) ## Build dist/mqttdesk-VERSION-linux-ARCH.tar.xz with fyne package: the app, its menu entry and icon
	scripts/package.sh

install: package ## Install the package in your applications: ~/.local/bin/mqttdesk and its menu entry
	scripts/install.sh dist/mqttdesk-$$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)-linux-$$($(GO) env GOARCH).tar.xz

package-check: deps-test $(FYNE) ## Make the package, install it into a scratch HOME, validate its menu entry, run it
	scripts/package-check.sh

deps-build: ## Install the Debian packages the Fyne build needs (asks when not root)
	@scripts/deps.sh build

deps-test: ## Install the build packages plus Xvfb, mosquitto, ImageMagick, xdotool
	@scripts/deps.sh test

MQTTJS_DIR := localbroker/testdata/mqttjs

peers: deps-test $(MQTTJS_DIR)/node_modules/mqtt/package.json ## Install MQTT.js (pinned in its package-lock.json), a WebSocket test peer

$(MQTTJS_DIR)/node_modules/mqtt/package.json: $(MQTTJS_DIR)/package-lock.json
	npm ci --prefix $(MQTTJS_DIR) --no-audit --no-fund --loglevel=error
	@touch $@

tools: $(STATICCHECK) $(GOFUMPT) ## Install staticcheck and gofumpt at pinned versions into .tools/

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VER)

$(GOFUMPT):
	GOBIN=$(TOOLS) $(GO) install mvdan.cc/gofumpt@$(GOFUMPT_VER)

$(FYNE):
	GOBIN=$(TOOLS) $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_VER)

clean: ## Remove build output, tools and test peers
	rm -rf bin dist .tools $(MQTTJS_DIR)/node_modules
