# mqttpcap — build, test and benchmark. `make test` is what CI runs.
GO       ?= go
FUZZTIME ?= 20s
BENCHCAP ?= $(or $(TMPDIR),/tmp)/mqttpcap-bench-1000x1000.pcap

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

unit:
	$(GO) test -race -count=1 ./...

# Each fuzz target for $(FUZZTIME) (go test runs one fuzz target at a time).
fuzz:
	$(GO) test -run XXX -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./decode
	$(GO) test -run XXX -fuzz '^FuzzDecodeFrame$$' -fuzztime $(FUZZTIME) ./decode
	$(GO) test -run XXX -fuzz '^FuzzFramer$$' -fuzztime $(FUZZTIME) ./decode
	$(GO) test -run XXX -fuzz '^FuzzRoundTrip$$' -fuzztime $(FUZZTIME) ./decode
	$(GO) test -run XXX -fuzz '^FuzzParseToken$$' -fuzztime $(FUZZTIME) ./onenet
	$(GO) test -run XXX -fuzz '^FuzzTopicMessage$$' -fuzztime $(FUZZTIME) ./onenet
	$(GO) test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./filter
	$(GO) test -run XXX -fuzz '^FuzzHexdump$$' -fuzztime $(FUZZTIME) ./report
	$(GO) test -run XXX -fuzz '^FuzzClassify$$' -fuzztime $(FUZZTIME) ./detect
	$(GO) test -run XXX -fuzz '^FuzzTracker$$' -fuzztime $(FUZZTIME) ./stream
	$(GO) test -run XXX -fuzz '^FuzzReadPath$$' -fuzztime $(FUZZTIME) ./cmd/mqttpcap

# Benchmarks of the decoder and of the whole read path on a generated capture
# of 1,000 connections x 1,000 PUBLISH (1,003,000 MQTT packets, 1.26 M frames),
# then the CLI itself on that file with its peak memory.
bench: build
	$(GO) test -run XXX -bench . -benchtime 3x ./pipeline
	$(GO) test -run XXX -bench . ./decode
	@test -f $(BENCHCAP) || $(GO) test -run XXX -bench ReadDecodeOnly -benchtime 1x ./pipeline >/dev/null
	@if [ -x /usr/bin/time ]; then \
		/usr/bin/time -f 'mqttpcap read (list to /dev/null): %e s, peak RSS %M KB' bin/mqttpcap read $(BENCHCAP) >/dev/null; \
		/usr/bin/time -f 'mqttpcap read --json (to /dev/null): %e s, peak RSS %M KB' bin/mqttpcap read --json $(BENCHCAP) >/dev/null; \
	else \
		time bin/mqttpcap read $(BENCHCAP) >/dev/null; \
	fi

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
