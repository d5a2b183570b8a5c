#!/usr/bin/env bash
# record-transports.sh - record the MQTT-over-WebSocket and MQTT-over-TLS
# captures in testdata/pcaps (with the TLS key logs beside them) and write
# their section of README.md.
#
# Usage (as root, on Linux, from anywhere):   bash testdata/pcaps/record-transports.sh
#
# Needs:  apt-get install tshark mosquitto tcpdump openssl (mosquitto 2.0.11
#         with its websockets listener, tcpdump, tshark, editcap, capinfos,
#         openssl s_client), iproute2, Go. The clients are real ones:
#         internal/testtools/mqttclient (eclipse/paho.mqtt.golang over ws://,
#         ssl:// and wss://, writing its TLS keys with tls.Config.KeyLogWriter),
#         internal/testtools/wsclient (a small WebSocket client that frames MQTT
#         bytes exactly as told: coalesced, split, fragmented, control frames,
#         rule-breaking frames) and openssl s_client (-keylogfile; its "K"
#         command sends a TLS 1.3 KeyUpdate).
#
# As record.sh does, it works in the network namespace mqttpcap-rec (lo only,
# MTU 1500, GSO off), starts a fresh mosquitto per capture with a small
# config, captures with tcpdump, checks each capture with tshark (the run
# fails if an expected layout is missing), and replaces the files in
# testdata/pcaps only when the whole run succeeded. The TLS certificates
# (an EC P-256 CA and a server certificate for 127.0.0.1/localhost) are
# made for the run with openssl and thrown away; only the key logs stay.
# It rewrites the "Transports" section at the end of README.md (record.sh
# keeps that section when it regenerates the rest).
set -euo pipefail

NS=mqttpcap-rec
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

die() { echo "record-transports.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

# ---------------------------------------------------------------- outside ---
if [[ "${1:-}" != "--inside" ]]; then
	[[ $EUID -eq 0 ]] || die "must run as root (network namespace, packet capture)"
	for t in ip ss mosquitto tcpdump tshark editcap capinfos openssl go; do
		command -v "$t" >/dev/null || die "missing $t"
	done
	WORK=$(mktemp -d /tmp/mqttpcap-rec-transports.XXXXXX)
	# shellcheck disable=SC2317 # called by the trap
	cleanup_outside() {
		ip netns del "$NS" 2>/dev/null || true
		if [[ -n "${KEEP_WORK:-}" ]]; then echo "record-transports.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
	}
	trap cleanup_outside EXIT
	log "building helpers"
	(cd "$ROOT" && go build -o "$WORK/bin/mqttclient" ./internal/testtools/mqttclient &&
		go build -o "$WORK/bin/wsclient" ./internal/testtools/wsclient)
	ip netns del "$NS" 2>/dev/null || true
	ip netns add "$NS"
	ip -netns "$NS" link set lo up
	ip -netns "$NS" link set lo mtu 1500
	ip -netns "$NS" link set lo gso_max_size 1500 gso_max_segs 1 ||
		echo "record-transports.sh: warning: could not limit GSO on lo" >&2
	WORK="$WORK" ip netns exec "$NS" bash "${BASH_SOURCE[0]}" --inside
	exit 0
fi

# ----------------------------------------------------------------- inside ---
: "${WORK:?}"
export PATH="$WORK/bin:$PATH"
OUT="$WORK/out"
ETC="$WORK/etc"
mkdir -p "$OUT" "$ETC"
BROKER_PID=""
CAP_PID=""
cleanup_inside() {
	local p
	for p in "$CAP_PID" "$BROKER_PID"; do
		if [[ -n "$p" ]]; then kill "$p" 2>/dev/null || true; fi
	done
}
trap cleanup_inside EXIT
H=127.0.0.1

# broker NAME CONFIG-LINES...: a fresh mosquitto. mosquitto 2.0.11 will not
# start with a websockets listener alone ("Unable to start any listening
# sockets"), so every config also has a plain listener on 1883.
broker() {
	local name=$1 conf="$ETC/$1.conf" port
	shift
	{
		echo "user root"
		echo "persistence false"
		echo "log_dest stderr"
		echo "log_type all"
		echo "allow_anonymous true"
		echo "listener 1883 $H"
		printf '%s\n' "$@"
	} >"$conf"
	mosquitto -c "$conf" >"$WORK/$name.broker.log" 2>&1 &
	BROKER_PID=$!
	for port in $(sed -n 's/^listener \([0-9]*\).*/\1/p' "$conf"); do
		wait_port "$port"
	done
}
wait_port() {
	local i
	for i in $(seq 100); do
		ss -ltnH "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	die "nothing listens on port $1 ($(tail -3 "$WORK"/*.broker.log))"
}
stop_broker() {
	kill "$BROKER_PID" 2>/dev/null || true
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=""
}
# cap FILE ARGS...: tcpdump on lo, waiting until it listens.
cap() {
	local file=$1 i
	shift
	: >"$WORK/cap.err"
	tcpdump -Z root -i lo -w "$file" "$@" 2>"$WORK/cap.err" &
	CAP_PID=$!
	for i in $(seq 100); do
		grep -q 'listening on' "$WORK/cap.err" && break
		kill -0 "$CAP_PID" 2>/dev/null || die "tcpdump failed: $(cat "$WORK/cap.err")"
		sleep 0.05
	done
	sleep 1
}
stop_cap() {
	sleep 1
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	CAP_PID=""
}
ts() { tshark "$@" 2>/dev/null; }
# frames FILE FILTER [tshark args]: matching frame numbers, space separated.
frames() { ts -r "$1" "${@:3}" -Y "$2" -T fields -e frame.number | tr '\n' ' ' | sed 's/ $//'; }
count() { frames "$@" | wc -w; }

# MQTT 3.1.1 packets for wsclient: CONNECT (clean session, keep alive 60,
# client id wsc1 / wsc2), SUBSCRIBE ws1/top QoS 1 (id 1), PUBLISH QoS 0
# ws1/top "hello one", PUBLISH QoS 1 ws1/top id 2 "hello two", DISCONNECT.
CONNECT=101000044d5154540402003c000477736331
CONNECT2=101000044d5154540402003c000477736332
SUBSCRIBE=820c000100077773312f746f7001
PUB1=301200077773312f746f7068656c6c6f206f6e65
PUB2=321400077773312f746f70000268656c6c6f2074776f
DISCONNECT=e000

# ------------------------------------------------------------- websocket ---

log "ws-paho-8080.pcap"
broker ws-paho "listener 8080" "protocol websockets"
cap "$OUT/ws-paho-8080.pcap"
mqttclient -url ws://$H:8080/mqtt -id wspaho -topic ws/paho -count 2 >"$WORK/ws-paho.out"
stop_cap
stop_broker
[[ $(count "$OUT/ws-paho-8080.pcap" 'websocket.opcode == 2') -ge 10 ]] || die "ws-paho-8080: too few binary frames"

log "ws-frames-9001.pcap"
broker ws-frames "listener 9001" "protocol websockets"
cap "$OUT/ws-frames-9001.pcap"
# Connection 1: CONNECT alone; SUBSCRIBE + PUBLISH coalesced in one message;
# PUBLISH 2 split over two messages (cut after its 5th byte); the DISCONNECT
# fragmented into a binary frame and a continuation (one byte each) with a
# ping between the two writes; a close frame 1000 "bye".
wsclient -to $H:9001 -path /mqtt "$CONNECT" "$SUBSCRIBE$PUB1" "${PUB2:0:10}" "${PUB2:10}" \
	"ping:70696e67" "e0,00" "close:1000:bye" >"$WORK/ws-frames1.out"
# Connection 2 (client id wsc2): the same session written in 5-byte TCP segments, so frame
# headers, masks and MQTT headers are cut across segments; the fragmented
# DISCONNECT and a close frame 1000 in the same write (the broker resets the
# connection before the close frame is all sent).
wsclient -to $H:9001 -path /mqtt -segment 5 -split-delay 5ms "$CONNECT2" "$SUBSCRIBE$PUB1" "$PUB2" "e0,00+close:1000:" >"$WORK/ws-frames2.out"
stop_cap
stop_broker
grep -q 'opcode=2 9003000101' "$WORK/ws-frames1.out" || die "ws-frames-9001: no SUBACK ($(cat "$WORK/ws-frames1.out"))"

log "ws-problems-8083.pcap"
broker ws-problems "listener 8083" "protocol websockets"
cap "$OUT/ws-problems-8083.pcap"
# 1: no subprotocol offered, then an unmasked CONNECT (lws closes: 1002).
wsclient -to $H:8083 -path /mqtt -protocol "" -unmasked "$CONNECT" >"$WORK/ws-problems1.out" || true
# 2: the CONNECT in a text frame, then lengths in the 64-bit form.
wsclient -to $H:8083 -path /mqtt "text:$CONNECT" >"$WORK/ws-problems2.out" || true
wsclient -to $H:8083 -path /mqtt -long-length "$CONNECT" "$DISCONNECT" >"$WORK/ws-problems3.out" || true
# 3: a reserved opcode (0x3) after the CONNECT, and a frame with RSV2 set.
wsclient -to $H:8083 -path /mqtt "$CONNECT" "raw:838001020304" >"$WORK/ws-problems4.out" || true
stop_cap
stop_broker

# ------------------------------------------------------------------- TLS ---
(
	cd "$ETC"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
		-subj /CN=mqttpcap-test-ca -keyout ca.key -out ca.crt 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj /CN=localhost -keyout server.key -out server.csr 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
		-extfile san.ext -out server.crt 2>/dev/null
)
CERTS=("cafile $ETC/ca.crt" "certfile $ETC/server.crt" "keyfile $ETC/server.key")

# tls NAME TLS-VERSION SERVER-CIPHER-LINE [mqttclient args]: one paho session
# over TLS to port 8883, keys in NAME.keys.
tls() {
	local name=$1 version=$2 cipherline=$3
	shift 3
	log "$name.pcap"
	broker "$name" "listener 8883 $H" "${CERTS[@]}" "tls_version tlsv$version" "$cipherline"
	cap "$OUT/$name.pcap"
	: >"$OUT/$name.keys"
	mqttclient -url ssl://localhost:8883 -cafile "$ETC/ca.crt" -tls "$version" -keylog "$OUT/$name.keys" \
		-id "$name" -topic "tls/$name" -count 2 "$@" >"$WORK/$name.out"
	stop_cap
	stop_broker
	local got
	got=$(ts -r "$OUT/$name.pcap" -o "tls.keylog_file:$OUT/$name.keys" -Y 'tls.handshake.type == 2' \
		-T fields -e tls.handshake.ciphersuite | sed -n 1p)
	echo "$name: cipher suite $got" >&2
	[[ $(count "$OUT/$name.pcap" mqtt -o "tls.keylog_file:$OUT/$name.keys") -ge 8 ]] ||
		die "$name: tshark does not decrypt the MQTT packets"
}
tls tls12-aes128gcm 1.2 "ciphers ECDHE-ECDSA-AES128-GCM-SHA256" -ciphers TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
tls tls12-aes256gcm 1.2 "ciphers ECDHE-ECDSA-AES256-GCM-SHA384" -ciphers TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
tls tls12-chacha20 1.2 "ciphers ECDHE-ECDSA-CHACHA20-POLY1305" -ciphers TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
tls tls12-cbc-sha 1.2 "ciphers ECDHE-ECDSA-AES128-SHA" -ciphers TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
tls tls12-cbc-sha256 1.2 "ciphers ECDHE-ECDSA-AES128-SHA256" -ciphers TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
tls tls13-aes128gcm 1.3 "ciphers_tls1.3 TLS_AES_128_GCM_SHA256"
tls tls13-aes256gcm 1.3 "ciphers_tls1.3 TLS_AES_256_GCM_SHA384"
tls tls13-chacha20 1.3 "ciphers_tls1.3 TLS_CHACHA20_POLY1305_SHA256"

log "tls13-keyupdate.pcap"
# openssl s_client speaks MQTT bytes read from its stdin; a line "K" makes it
# send a KeyUpdate that asks the server to update its keys too (mosquitto
# would, before it next wrote application data: it writes none).
broker tls13-keyupdate "listener 8883 $H" "${CERTS[@]}" "tls_version tlsv1.3"
cap "$OUT/tls13-keyupdate.pcap"
: >"$OUT/tls13-keyupdate.keys"
KU_CONNECT=101000044d5154540402003c00046b757064
KU_PUB1=300f0007746c732f6b75626265666f7265 # tls/kub "before"
KU_PUB2=300e0007746c732f6b75626166746572 # tls/kub "after"
{
	sleep 0.5
	printf '%s' "$KU_CONNECT" | xxd -r -p
	sleep 0.3
	printf '%s' "$KU_PUB1" | xxd -r -p
	sleep 0.3
	printf 'K\n'
	sleep 0.3
	printf '%s' "$KU_PUB2" | xxd -r -p
	sleep 0.3
	printf '%s' "$DISCONNECT" | xxd -r -p
	sleep 0.5
} | openssl s_client -connect $H:8883 -servername localhost -CAfile "$ETC/ca.crt" -tls1_3 \
	-keylogfile "$OUT/tls13-keyupdate.keys" >"$WORK/keyupdate.out" 2>"$WORK/keyupdate.err" || true
stop_cap
stop_broker
grep -q KEYUPDATE "$WORK/keyupdate.err" || die "tls13-keyupdate: s_client sent no KeyUpdate ($(cat "$WORK/keyupdate.err"))"
[[ $(count "$OUT/tls13-keyupdate.pcap" mqtt -o "tls.keylog_file:$OUT/tls13-keyupdate.keys") -ge 4 ]] ||
	die "tls13-keyupdate: tshark does not decrypt the MQTT packets"

log "wss-8084.pcapng"
broker wss "listener 8084" "protocol websockets" "${CERTS[@]}"
cap "$OUT/wss-8084.raw.pcap"
: >"$WORK/wss.keys"
mqttclient -url wss://localhost:8084/mqtt -cafile "$ETC/ca.crt" -keylog "$WORK/wss.keys" -id wsspaho -topic wss/paho -count 2 >"$WORK/wss.out"
stop_cap
stop_broker
# The keys go into the capture itself (a pcapng Decryption Secrets Block).
editcap --inject-secrets "tls,$WORK/wss.keys" "$OUT/wss-8084.raw.pcap" "$OUT/wss-8084.pcapng"
rm "$OUT/wss-8084.raw.pcap"
[[ $(count "$OUT/wss-8084.pcapng" 'websocket') -ge 10 ]] || die "wss-8084: tshark does not decrypt the WebSocket frames"

# --------------------------------------------------------------- README ---
log "README.md"
chmod 644 "$OUT"/*
nframes() { ts -r "$1" -T fields -e frame.number | grep -c .; }
entry() { # NAME TEXT
	printf -- '- **%s** (%s bytes; %s frames): %s\n' "$1" "$(stat -c %s "$OUT/$1")" "$(nframes "$OUT/$1")" "$2"
}
# tlsline NAME: what tshark says of the TLS session with the keys.
tlsline() {
	local f="$OUT/$1.pcap" k="$OUT/$1.keys" v s
	v=$(ts -r "$f" -Y 'tls.handshake.type == 2' -T fields -e tls.handshake.extensions.supported_version -e tls.handshake.version | sed -n 1p | tr '\t' ' ')
	s=$(ts -r "$f" -Y 'tls.handshake.type == 2' -T fields -e tls.handshake.ciphersuite | sed -n 1p)
	printf 'ServerHello version field(s) %s, cipher suite %s; tshark -o tls.keylog_file:%s.keys decrypts %s MQTT packets' \
		"$v" "$s" "$1" "$(count "$f" mqtt -o "tls.keylog_file:$k")"
}
# (mosquitto -h exits 3, and head may cut tshark off: no pipefail here.)
MOSQ=$(set +o pipefail; mosquitto -h 2>/dev/null | head -1 | sed 's/ version//')
TOOLS="$MOSQ, $(openssl version | cut -d' ' -f1-2), $(set +o pipefail; tcpdump --version 2>&1 | head -1), $(set +o pipefail; tshark --version | head -1)"
WSVER="$MOSQ's"
{
	echo "## Transports"
	echo
	echo "Recorded by \`record-transports.sh\` (this section is its output; record.sh keeps it) on"
	echo "$(date -u +%Y-%m-%d) with ${TOOLS%.}."
	echo "The TLS captures have their key log"
	echo "(NSS format) beside them as NAME.keys, written by the client; certificates were made for the run."
	echo
	entry ws-paho-8080.pcap "MQTT 3.1.1 over WebSocket: $WSVER websockets listener on 8080 and internal/testtools/mqttclient (paho.mqtt.golang v1.5.1, ws://127.0.0.1:8080/mqtt, subprotocol mqtt): CONNECT, SUBSCRIBE ws/paho QoS 1, PUBLISH QoS 0 \"message 1\" and QoS 1 \"message 2\" (each delivered back by the broker), UNSUBSCRIBE, DISCONNECT, each in its own masked binary frame; tshark shows the WebSocket frames only ($(count "$OUT/ws-paho-8080.pcap" 'websocket.opcode == 2') binary frames, $(count "$OUT/ws-paho-8080.pcap" mqtt) MQTT)."
	entry ws-frames-9001.pcap "internal/testtools/wsclient against the websockets listener on 9001 (a port mqttpcap has no flag for: found by the upgrade). Connection 1: CONNECT (client id wsc1) in one message; SUBSCRIBE ws1/top QoS 1 and a QoS 0 PUBLISH ws1/top \"hello one\" coalesced in one message; a QoS 1 PUBLISH \"hello two\" split over two messages (after its 5th byte); a ping \"ping\" (the server pongs); the DISCONNECT fragmented into a binary frame without FIN and a continuation frame; close 1000 \"bye\". Connection 2 (client id wsc2): the same session cut into 5-byte TCP segments (frame headers, masks and MQTT headers split), with the fragmented DISCONNECT and a close frame 1000 in one write: the broker closes the connection after the DISCONNECT, and its RST comes before the close frame's last 2 bytes are sent. Masking key 01 02 03 04."
	entry ws-problems-8083.pcap "wsclient breaking the rules against the websockets listener on 8083, four connections: no subprotocol offered and an unmasked CONNECT (the server closes with 1002); the CONNECT in a text frame; lengths in the 64-bit form (not minimal) for CONNECT and DISCONNECT; a frame with the reserved opcode 0x3 after the CONNECT."
	for n in tls12-aes128gcm tls12-aes256gcm tls12-chacha20 tls12-cbc-sha tls12-cbc-sha256 tls13-aes128gcm tls13-aes256gcm tls13-chacha20; do
		entry "$n.pcap" "mosquitto TLS listener on 8883 restricted to one cipher suite; mqttclient (paho, Go crypto/tls, SNI localhost) with its key log $n.keys: CONNECT, SUBSCRIBE, PUBLISH QoS 0 and 1 delivered back, UNSUBSCRIBE, DISCONNECT. $(tlsline "$n")."
	done
	entry tls13-keyupdate.pcap "openssl s_client -tls1_3 -keylogfile (OpenSSL 3.0) to mosquitto on 8883, writing MQTT bytes from its stdin: CONNECT (client id kupd), PUBLISH tls/kub \"before\", then a KeyUpdate (s_client's K command; it requests the server's too, but mosquitto writes nothing more before its close_notify, so only the client's keys change), PUBLISH tls/kub \"after\" under the new keys, DISCONNECT; keys in tls13-keyupdate.keys (OpenSSL also logs the updated client secret as CLIENT_TRAFFIC_SECRET_N, a label neither Wireshark nor mqttpcap reads: the updated keys are derived from the first ones). $(tlsline tls13-keyupdate)."
	entry wss-8084.pcapng "MQTT over WebSocket over TLS: mosquitto websockets listener with TLS on 8084 and mqttclient wss://localhost:8084/mqtt (paho), the same session as ws-paho-8080.pcap; the key log is inside the capture as a pcapng Decryption Secrets Block (editcap --inject-secrets), so it decrypts without --tls-keylog; tshark shows $(count "$OUT/wss-8084.pcapng" websocket) WebSocket frames."
	echo
} >"$OUT/README.transports.md"

# Everything worked: replace the old files and README.md's Transports
# section: it goes where it was, or before the crafted captures' section,
# which craftpcaps keeps last.
mv -f "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT"/*.keys "$HERE"/
awk -v section="$OUT/README.transports.md" '
	function put() { while ((getline l < section) > 0) print l; done = 1 }
	/^## Transports/ { skip = 1; put(); next }
	/^## / && !/^## Transports/ { if (skip) skip = 0; else if (!done && /^## Crafted captures/) put() }
	!skip { print }
	END { if (!done) { print ""; put() } }' "$HERE/README.md" >"$OUT/README.md"
mv -f "$OUT/README.md" "$HERE/README.md"
log "done"
