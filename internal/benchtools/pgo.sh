#!/bin/sh
# pgo.sh regenerates cmd/mqttpcap/default.pgo, the CPU profile the Go
# compiler optimizes mqttpcap with (profile-guided optimization: `go build`
# and `go run` use it without flags). The profile is what users run: the
# packet list, --json and stats on the 1 GB OneNET-shaped bench capture,
# the 50,000-connection capture, and the detailed view on a small one.
# Usage (from the repository's root, as `make pgo`): pgo.sh BENCHDIR
set -eu
dir=${1:-/tmp/mqttpcap-bench}
go=${GO:-go}
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
# The captures, generated on first use (the bench times stats once).
$go run ./internal/benchtools/bench -dir "$dir" -sizes 1g,50k,100k -modes stats -runs 1 >/dev/null
# A build without the old profile, so that the new one describes plain code.
$go build -pgo=off -o "$bin/mqttpcap" ./cmd/mqttpcap
n=0
run() {
	n=$((n + 1))
	MQTTPCAP_CPUPROFILE="$bin/$n.prof" "$bin/mqttpcap" "$@" >/dev/null
}
run read "$dir/onenet-1g.pcap"
run read --json "$dir/onenet-1g.pcap"
run stats "$dir/onenet-1g.pcap"
for i in 1 2 3; do run read "$dir/onenet-50k.pcap"; done
run read -V "$dir/onenet-100k.pcap"
$go tool pprof -proto "$bin"/*.prof >cmd/mqttpcap/default.pgo
echo "cmd/mqttpcap/default.pgo: $(wc -c <cmd/mqttpcap/default.pgo) bytes from $n runs"
