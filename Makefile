# mqttpcap — build, test and benchmark. `make test` is what CI runs.
GO       ?= go
FUZZTIME ?= 10s

.PHONY: all build test vet fmt-check unit fuzz bench cross record clean

all: build

build:
	$(GO) build -o bin/mqttpcap ./cmd/mqttpcap

# The whole suite: formatting, vet, the unit, golden, CLI and differential
# tests with the race detector, and a short run of every fuzz target.
test: fmt-check vet unit fuzz

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# go test's output as usual, then every skipped test with its reason
# (internal/testtools/testsummary). In CI (MQTTPCAP_CI set by .ci/run, where
# everything the tests need is installed) a skip fails the run, unless the
# shared corpus is simply not beside the checkout.
# The allocation guards cannot run under the race detector (it allocates):
# they run again without it.
TESTSUMMARY ?= $(if $(MQTTPCAP_CI),-require -allow 'shared corpus is not at|the race detector')
unit:
	$(GO) test -race -count=1 -json ./... | $(GO) run ./internal/testtools/testsummary $(TESTSUMMARY)
	$(GO) test -count=1 -run 'Allocs' ./...

# Each fuzz target for $(FUZZTIME) (go test runs one fuzz target at a time),
# without minimizing the new inputs it finds: when the time runs out while
# the engine minimizes one, go test can fail with "context deadline
# exceeded" (seen twice in the tenfold make test of issue 18). A failing
# input is still written to testdata/fuzz as it was found.
fuzz:
	$(GO) test -run XXX -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./decode
	$(GO) test -run XXX -fuzz '^FuzzDecodeFrame$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./decode
	$(GO) test -run XXX -fuzz '^FuzzFramer$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./decode
	$(GO) test -run XXX -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./decode
	$(GO) test -run XXX -fuzz '^FuzzParseToken$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./onenet
	$(GO) test -run XXX -fuzz '^FuzzTopicMessage$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./onenet
	$(GO) test -run XXX -fuzz '^FuzzOneJSON$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./onenet
	$(GO) test -run XXX -fuzz '^FuzzConn$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./onenet
	$(GO) test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./filter
	$(GO) test -run XXX -fuzz '^FuzzHexdump$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./report
	$(GO) test -run XXX -fuzz '^FuzzClassify$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./detect
	$(GO) test -run XXX -fuzz '^FuzzTracker$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./stream
	$(GO) test -run XXX -fuzz '^FuzzReadPath$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./cmd/mqttpcap
	$(GO) test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./hexin
	$(GO) test -run XXX -fuzz '^FuzzParseLog$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./esp8266
	$(GO) test -run XXX -fuzz '^FuzzDecodeBlob$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./ui
	$(GO) test -run XXX -fuzz '^FuzzFrames$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./transport/ws
	$(GO) test -run XXX -fuzz '^FuzzRecords$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 0 ./transport/tls

# Benchmarks of the read path on generated OneNET-shaped captures (tokens,
# $sys topics, OneJSON posts with replies, split and coalesced segments,
# MQTT 5 topic aliases): each mode of the CLI as its own process, best of
# 3, output to /dev/null, as a ratio to the minimal pipeline measured in the
# same run, with peak RSS (internal/benchtools/bench); the tables (parquet,
# csv) on every size, and 8 captures read apart on one core and on two on
# the 100k size. BENCHSIZES=1m,50k,1g adds the 1 GB capture;
# BENCHFLAGS=-tshark adds tshark's time. Then the decoder's
# micro-benchmarks. Captures are generated once into $(BENCHDIR).
BENCHSIZES ?= 1m,50k,100k
BENCHDIR   ?= $(or $(TMPDIR),/tmp)/mqttpcap-bench
bench: build
	$(GO) run ./internal/benchtools/bench -mqttpcap bin/mqttpcap -dir $(BENCHDIR) -sizes $(BENCHSIZES) $(BENCHFLAGS)
	$(GO) test -run XXX -bench . -benchtime 2x ./pipeline
	$(GO) test -run XXX -bench . ./decode ./onenet

# Static builds (no cgo) for the release targets. The macOS live capture
# (/dev/bpf) cannot run in CI: it is at least compiled and vetted for both
# architectures.
cross:
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build ./...
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build ./...
	GOOS=darwin GOARCH=amd64 CGO_ENABLED=0 $(GO) build ./...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) build ./...
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./capture ./cmd/...
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build ./...

# Re-record the test captures (root, Linux, mosquitto, tcpdump, tshark).
record:
	bash testdata/pcaps/record.sh

clean:
	rm -rf bin
