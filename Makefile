# Two commands do everything a newcomer needs (see README.md):
#   make synth   synthesize the config into cdk.out and print a summary
#   make test    run every test and proof gate
# Both install what they need (Go modules, the pinned Node tools) first.

SHELL := /bin/bash
# The pinned Node 22 and CDK CLI from package.json come first on PATH, so
# the CDK CLI and the jsii runtime behind the Go CDK use them.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
# Your config file; empty means the embedded example (config/example.yaml).
CONFIG ?=
CONTEXT := $(if $(CONFIG),-c config=$(CONFIG))

.PHONY: synth test deps config bench clean review diagram schema verify

deps: node_modules/.package-lock.json
	go mod download

# npm writes node_modules/.package-lock.json on every install, so this
# re-installs only when package.json or the lock file changed.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

synth: deps
	cdk synth --quiet $(CONTEXT)
	go run . summary cdk.out

test: deps
	@unformatted=$$(find . -name '*.go' -not -path './node_modules/*' | xargs gofmt -l); \
	  if [ -n "$$unformatted" ]; then echo "gofmt: these files need formatting: $$unformatted"; exit 1; fi
	go vet ./...
	go test -count=1 -timeout 30m ./...

config:
	go run . config $(CONFIG)

# The config's JSON Schema, schema/baseline.schema.json, from the Go config
# types, their doc comments, config/defaults.yaml and config.SchemaRules:
# test/schema_test.go fails while it is out of date.
schema:
	go run ./schema/gen

# The reviewer's report, cdk.out/REVIEW.md, of what will deploy.
# PREVIOUS=<an earlier cdk.out> lists what changed; ASSUMPTIONS=<file.yaml>
# overrides the cost model's usage and prices (report/pricing.yaml).
PREVIOUS ?=
ASSUMPTIONS ?=
review: synth
	go run . review --assembly cdk.out $(if $(PREVIOUS),--previous $(PREVIOUS)) $(if $(ASSUMPTIONS),--assumptions $(ASSUMPTIONS))

# Redraw README.md's architecture diagram from the example config (never
# from CONFIG): test/diagram_test.go fails while it is out of date.
diagram: deps
	cdk synth --quiet
	go run . diagram --readme README.md cdk.out

# Check a live account against cdk.out (README "Verify a live account"):
# make verify ACCOUNT=Prod PROFILE=prod-audit [VERIFY_ARGS="--format markdown"]
ACCOUNT ?=
PROFILE ?=
VERIFY_ARGS ?=
verify:
	go run . verify --assembly cdk.out $(if $(ACCOUNT),--account $(ACCOUNT)) $(if $(PROFILE),--profile $(PROFILE)) $(VERIFY_ARGS)

bench: deps
	go run ./test/bench

clean:
	rm -rf cdk.out
