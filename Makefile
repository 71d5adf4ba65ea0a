# mqttdesk — run `make help` for the targets.

GO               ?= go
TOOLS            := $(CURDIR)/.tools
STATICCHECK      := $(TOOLS)/staticcheck
GOFUMPT          := $(TOOLS)/gofumpt
STATICCHECK_VER  := v0.8.2
GOFUMPT_VER      := v0.12.0
HEADLESS_PKGS    := ./app/... ./mqttcore/... ./localbroker/... ./storage/...
# third_party/ keeps its upstream formatting so that its patches stay small.
OUR_DIRS         := $(filter-out third_party,$(patsubst %/,%,$(wildcard */))) main.go

.DEFAULT_GOAL := help
.PHONY: help run build broker test lint unit smoke bench bench-quick screenshots deps-build deps-test peers tools clean

help: ## Show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: build ## Build and open mqttdesk (installs the build packages first)
	./bin/mqttdesk

build: deps-build ## Build bin/mqttdesk
	$(GO) build -o bin/mqttdesk .

broker: build ## Run the local broker without a window
	./bin/mqttdesk broker

test: deps-test peers tools lint unit smoke bench-quick ## Install what the tests need, lint, run the race tests, the window smoke test and the benchmarks briefly

lint: tools ## go vet, staticcheck, gofumpt, and the headless packages built without cgo
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@out=$$($(GOFUMPT) -l $(OUR_DIRS)); if [ -n "$$out" ]; then echo "gofumpt would change:"; $(GOFUMPT) -d $(OUR_DIRS); exit 1; fi
	CGO_ENABLED=0 $(GO) build $(HEADLESS_PKGS)

unit: ## go test -race ./... with the mosquitto peers required
	MQTTDESK_REQUIRE_PEERS=1 $(GO) test -race -count=1 ./...

smoke: ## Run the real window under Xvfb with messages arriving, read them by OCR, restart it
	scripts/smoke.sh

bench: deps-test peers ## The scoreboard: every benchmark against its peer in the same run, one table, also in bench/results.json
	$(GO) run ./internal/scoreboard -out bench/results.json

bench-quick: deps-test peers ## Every benchmark briefly (BENCH_QUICK=1), to check the harness; its figures are not measurements
	BENCH_QUICK=1 $(GO) run ./internal/scoreboard -out bench/out/quick.json

screenshots: deps-test ## Refresh the README's screenshots from the real app under Xvfb
	scripts/screenshots.sh

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

clean: ## Remove build output, tools and test peers
	rm -rf bin .tools $(MQTTJS_DIR)/node_modules
