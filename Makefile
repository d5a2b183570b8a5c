# mqttpcap — build, test and benchmark. `make test` is what CI runs.
GO       ?= go
FUZZTIME ?= 10s

.PHONY: all build test vet fmt-check unit fuzz bench pgo cross record clean

all: build

build:
	$(GO) build -o bin/mqttpcap ./cmd/mqttpcap

# The whole suite: formatting, vet, the unit, golden, CLI and differential
# tests with the race detector, and a short run of every fuzz target.
test: fmt-check vet unit fuzz

# Tests, vet and the cross-compiles check the code, not its speed: without
# the profile (default.pgo), each package is compiled once for them all.
# With it, every package the command imports was compiled again, optimized,
# for the command's tests and builds (CI took 2.5 minutes longer).
vet unit fuzz cross: export GOFLAGS := $(GOFLAGS) -pgo=off

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
# through .ci/fuzz-target: without minimizing the new inputs it finds, and
# once more after Go 1.26's bare deadline at the end of the window
# (golang/go#75804; the script says why). A failing input is written to
# testdata/fuzz as it was found.
fuzz:
	GO=$(GO) .ci/fuzz-target ./decode FuzzDecode $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./decode FuzzDecodeFrame $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./decode FuzzFramer $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./decode FuzzRoundTrip $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./onenet FuzzParseToken $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./onenet FuzzTopicMessage $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./onenet FuzzOneJSON $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./onenet FuzzConn $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./filter FuzzParse $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./report FuzzHexdump $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./detect FuzzClassify $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./stream FuzzTracker $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./stream FuzzFastIPv4TCP $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./capture FuzzPcapRecords $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./capture FuzzNgPackets $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./cmd/mqttpcap FuzzReadPath $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./hexin FuzzParse $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./esp8266 FuzzParseLog $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./ui FuzzDecodeBlob $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./transport/ws FuzzFrames $(FUZZTIME)
	GO=$(GO) .ci/fuzz-target ./transport/tls FuzzRecords $(FUZZTIME)

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

# Regenerate cmd/mqttpcap/default.pgo, the profile `go build` optimizes the
# binary with (profile-guided optimization), from the bench captures.
pgo:
	GO=$(GO) internal/benchtools/pgo.sh $(BENCHDIR)

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
