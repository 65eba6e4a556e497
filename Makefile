# Opsight. The two commands that matter:
#   make run    start the whole platform locally (installs what it needs)
#   make test   run every test (vet, unit, integration, end-to-end)
# See README.md for the rest.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO      ?= go
BIN     := .local/bin
# A Node.js that infra/setup.sh installed (when the system's is too old) wins.
export PATH := $(CURDIR)/.local/node/bin:$(PATH)
OPSIGHT := $(BIN)/opsight
STACK   ?= opsight-dev

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null || true)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
PKG     := github.com/opsight/opsight/shared/buildinfo
LDFLAGS := -s -w -X $(PKG).Version=$(VERSION) -X $(PKG).Commit=$(COMMIT) -X $(PKG).Date=$(DATE)

# Lambda builds: static, no RPC shim (provided.al2023 speaks the Runtime API),
# no local paths in the binary.
LAMBDA_BUILD = CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags '$(LDFLAGS)'
FUNCTIONS := $(notdir $(patsubst %/,%,$(wildcard functions/*/)))

.PHONY: help run test vet unit bench bench-large build build-local build-arm64 invoke deploy web deps-web deps-test tools clean FORCE

help:
	@echo "make run        start Opsight locally on http://127.0.0.1:3000 (Ctrl-C stops everything)"
	@echo "make test       run every test"
	@echo "make bench      run the benchmarks (slow)"
	@echo "make build      build every function: host arch into $(BIN)/, arm64 into .local/dist/"
	@echo "make invoke FN=api EVENT=functions/api/testdata/get-health.json   invoke one function once"
	@echo "make deploy     sam build && sam deploy, then upload the dashboard"

# ---- the platform ---------------------------------------------------------

run: $(OPSIGHT) web
	$(OPSIGHT) run

$(OPSIGHT): FORCE
	@mkdir -p $(BIN)
	$(GO) build -ldflags '$(LDFLAGS)' -o $@ ./infra/opsight

# ---- the dashboard ----------------------------------------------------------

deps-web:
	@infra/setup.sh node
	@[ -d web/node_modules ] && [ web/node_modules/.package-lock.json -nt web/package-lock.json ] || npm ci --prefix web --no-audit --no-fund

web: deps-web
	npm run build --prefix web

# ---- tests ----------------------------------------------------------------

# Tools the tests run for real: versitygw (S3), Chromium, Node.
tools: $(BIN)/versitygw

$(BIN)/versitygw: infra/tools/go.mod infra/tools/go.sum
	@mkdir -p $(BIN)
	cd infra/tools && $(GO) build -o ../../$@ github.com/versity/versitygw/cmd/versitygw

deps-test: tools web
	@infra/setup.sh chromium
	@infra/setup.sh prometheus

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

# Every test, against real PostgreSQL (DATABASE_URL when reachable, else a
# private cluster for the duration of the run), versitygw and Chromium. A
# missing dependency fails the run; nothing skips.
test: $(OPSIGHT) deps-test vet
	@url=$$($(OPSIGHT) devdb up --fast); \
	trap '$(OPSIGHT) devdb down' EXIT; \
	export DATABASE_URL="$$url" VERSITYGW="$(CURDIR)/$(BIN)/versitygw"; \
	$(GO) test -count=1 -timeout 20m ./...; \
	npm test --prefix web

# Benchmarks need the same services as the tests (PostgreSQL, psql).
bench: $(OPSIGHT) tools
	@url=$$($(OPSIGHT) devdb up); \
	export DATABASE_URL="$$url" VERSITYGW="$(CURDIR)/$(BIN)/versitygw"; \
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./shared/... ./infra/...; \
	$(GO) test -run '^$$' -bench ColdStart -benchtime 50x ./functions; \
	$(GO) test -run '^$$' -bench Gateway -benchtime 2000x ./functions
	$(OPSIGHT) bench nab
	$(OPSIGHT) bench m4

# The query benchmark over 50 million points (builds its database once,
# about 40 minutes; kept as opsight_bench_query_50m for later runs).
bench-large: $(OPSIGHT)
	@url=$$($(OPSIGHT) devdb up); \
	DATABASE_URL="$$url" OPSIGHT_BENCH_LARGE=1 $(GO) test -run '^$$' -bench Query50M -benchtime 500x -timeout 120m ./shared/httpapi

# ---- builds ---------------------------------------------------------------

build: build-local build-arm64

build-local:
	@for f in $(FUNCTIONS); do \
		echo "build $(BIN)/$$f/bootstrap"; \
		$(LAMBDA_BUILD) -o $(BIN)/$$f/bootstrap ./functions/$$f; \
	done

build-arm64:
	@for f in $(FUNCTIONS); do \
		echo "build .local/dist/$$f/bootstrap (linux/arm64)"; \
		GOOS=linux GOARCH=arm64 $(LAMBDA_BUILD) -o .local/dist/$$f/bootstrap ./functions/$$f; \
	done

# `sam build` runs build-<LogicalId> with ARTIFACTS_DIR set (BuildMethod: makefile).
lambda = GOOS=linux GOARCH=arm64 $(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(1)
build-ApiFunction:     ; $(call lambda,api)
build-MigrateFunction: ; $(call lambda,migrate)
build-HousekeepingFunction: ; $(call lambda,housekeeping)
build-DetectFunction:  ; $(call lambda,detect)
build-ForecastFunction: ; $(call lambda,forecast)
build-CollectPrometheusFunction: ; $(call lambda,collect-prometheus)

# Invoke one function once, as `sam local invoke` does, against the local
# database (started if needed) with the schema applied.
invoke: $(OPSIGHT)
	@[ -n "$(FN)" ] && [ -n "$(EVENT)" ] || { echo "usage: make invoke FN=api EVENT=functions/api/testdata/get-health.json"; exit 2; }
	@url=$$($(OPSIGHT) devdb up); \
	$(OPSIGHT) migrate --database-url "$$url" >/dev/null; \
	$(OPSIGHT) invoke --env DATABASE_URL="$$url" --env DATABASE_SECRET_ARN= \
		--env BLOB_URL="file://$(CURDIR)/.local/blob" --env STAGE=local $(FN) $(EVENT)

# ---- deploy ---------------------------------------------------------------

deploy: web
	sam build --build-in-source
	sam deploy --stack-name $(STACK) --resolve-s3 --capabilities CAPABILITY_IAM $(if $(wildcard samconfig.toml),,--guided)
	@bucket=$$(aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='DashboardBucketName'].OutputValue" --output text); \
	dist=$$(aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs[?OutputKey=='DistributionId'].OutputValue" --output text); \
	aws s3 sync web/dist "s3://$$bucket/" --delete; \
	aws cloudfront create-invalidation --distribution-id "$$dist" --paths '/*' >/dev/null; \
	aws cloudformation describe-stacks --stack-name $(STACK) --query "Stacks[0].Outputs" --output table

clean:
	$(OPSIGHT) devdb down 2>/dev/null || true
	rm -rf .local/bin .local/dist .aws-sam web/dist

FORCE:
