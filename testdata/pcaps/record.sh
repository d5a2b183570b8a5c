#!/usr/bin/env bash
# record.sh - record the real MQTT captures in testdata/pcaps and write README.md.
#
# Usage (as root, on Linux, from anywhere):   bash testdata/pcaps/record.sh
#
# Needs:  apt-get install tshark mosquitto mosquitto-clients tcpdump
#         (mosquitto 2.0.11, mosquitto_pub/_sub/_passwd, tcpdump, dumpcap,
#         tshark, capinfos), plus iproute2 (ip, ss), openssl and Go (the
#         helpers internal/testtools/rawsend, internal/testtools/pcapedit
#         (stdlib only) and internal/testtools/onenetbroker (mochi-mqtt
#         v2.7.9 playing the OneNET platform) are built once with go build
#         into a temp dir, rather than go run per call, so compiling never
#         delays the traffic). editcap/reordercap are not needed: pcapedit
#         does the edits and names the exact frames.
#
# What it does: creates the network namespace mqttpcap-rec (loopback only,
# lo MTU 1500, GSO/TSO disabled on lo so big writes leave as real 1448-byte
# segments), runs itself inside it, and there, for each capture, starts a
# fresh mosquitto with a small config from a temp dir, starts tcpdump or
# dumpcap, waits until the capturer is listening (+1 s), runs the clients
# (mosquitto_pub/_sub or rawsend, which sends hand-written packets byte for
# byte), waits 1 s and stops the capturer with SIGINT. The onenet-post-reply,
# onenet-set, onenet-expired and onenet-2402 captures use onenetbroker
# instead of mosquitto: it checks the OneNET token of the CONNECT and sends
# the platform's replies and requests. Derived captures (gap,
# retransmission, midstream from seq-clean; out-of-order from burst;
# midstream-v5; cut-short) are made with pcapedit. The crafted captures
# (SYN retries, port reuse, ACK before data, other protocols, fragments,
# pcapng sections) are written by internal/testtools/craftpcaps, which also
# writes their README section; it runs without root:
#   go run ./internal/testtools/craftpcaps -out testdata/pcaps -readme testdata/pcaps/README.md
# Every capture is checked with tshark (the run fails if an expected byte
# string or segment layout is missing) and README.md is regenerated with the
# real per-type MQTT counts and the exact frame numbers that were edited.
# KEEP_WORK=1 keeps the temp dir (configs, broker logs, unmoved captures).
# New files replace the old ones only when the whole run succeeded.
# The namespace and temp dir are removed on exit (trap). Re-runnable; the
# captures differ between runs only in timestamps, ports and timing-dependent
# details (e.g. the number of PINGREQs), which README.md always reflects.
set -euo pipefail

NS=mqttpcap-rec
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

die() { echo "record.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

# ---------------------------------------------------------------- outside ---
if [[ "${1:-}" != "--inside" ]]; then
	[[ $EUID -eq 0 ]] || die "must run as root (network namespace, packet capture)"
	for t in ip ss mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd tcpdump dumpcap tshark capinfos openssl go; do
		command -v "$t" >/dev/null || die "missing $t (apt-get install tshark mosquitto mosquitto-clients tcpdump)"
	done
	WORK=$(mktemp -d /tmp/mqttpcap-rec.XXXXXX)
	# shellcheck disable=SC2317 # called by the trap
	cleanup_outside() {
		ip netns del "$NS" 2>/dev/null || true
		if [[ -n "${KEEP_WORK:-}" ]]; then echo "record.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
	}
	trap cleanup_outside EXIT
	log "building helpers"
	(cd "$ROOT" && go build -o "$WORK/bin/rawsend" ./internal/testtools/rawsend &&
		go build -o "$WORK/bin/pcapedit" ./internal/testtools/pcapedit &&
		go build -o "$WORK/bin/onenetbroker" ./internal/testtools/onenetbroker &&
		go build -o "$WORK/bin/craftpcaps" ./internal/testtools/craftpcaps)
	ip netns del "$NS" 2>/dev/null || true
	ip netns add "$NS"
	ip -netns "$NS" link set lo up
	ip -netns "$NS" link set lo mtu 1500
	ip -netns "$NS" link set lo gso_max_size 1500 gso_max_segs 1 ||
		echo "record.sh: warning: could not limit GSO on lo; big-publish may show >MTU frames" >&2
	WORK="$WORK" ip netns exec "$NS" bash "${BASH_SOURCE[0]}" --inside
	exit 0
fi

# ----------------------------------------------------------------- inside ---
: "${WORK:?}"
export PATH="$WORK/bin:$PATH"
OUT="$WORK/out"
mkdir -p "$OUT" "$WORK/etc"
BROKER_PID=""
CAP_PID=""
BG_PIDS=()
cleanup_inside() {
	local p
	for p in "${BG_PIDS[@]}" "$CAP_PID" "$BROKER_PID"; do
		if [[ -n "$p" ]]; then kill "$p" 2>/dev/null || true; fi
	done
}
trap cleanup_inside EXIT

H=127.0.0.1
# The reference ESP8266 -> OneNET seed session (exact bytes).
CONNECT=10980100044d51545404c2003c00056d795f7476000a5652716844484632774c007976657273696f6e3d323031382d31302d3331267265733d70726f64756374732532465652716844484632774c253246646576696365732532466d795f74762665743d31363631323435303331266d6574686f643d6d6435267369676e3d7934694450753659703834464f377378706364635351253344253344
SUBSCRIBE=822d00010028247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f73657400
PUBLISH=306f0029247379732f5652716844484632774c2f6d795f74762f7468696e672f70726f70657274792f706f73747b226964223a2022313233222c2276657273696f6e22203a2022312e30222c22706172616d73223a207b2277656e6475223a207b2276616c7565223a2032312e317d7d7d
DISCONNECT=e000

# broker NAME [extra config lines...]: start a fresh mosquitto with config
# $WORK/etc/NAME.conf and log $WORK/NAME.broker.log (anonymous listener on
# 1883 unless extra config lines are given).
broker() {
	local name=$1 conf="$WORK/etc/$1.conf"
	shift
	{
		echo "user root"
		echo "persistence false"
		echo "log_dest stderr"
		echo "log_type all"
		if (($# == 0)); then
			echo "listener 1883 $H"
			echo "allow_anonymous true"
		fi
		printf '%s\n' "$@"
	} >"$conf"
	mosquitto -c "$conf" >"$WORK/$name.broker.log" 2>&1 &
	BROKER_PID=$!
	local port
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
	die "nothing listens on port $1"
}
stop_broker() {
	kill "$BROKER_PID" 2>/dev/null || true
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=""
}
# cap tcpdump|dumpcap OUTFILE ARGS...: start a capture, wait until it listens.
cap() {
	local tool=$1 file=$2 i
	shift 2
	: >"$WORK/cap.err"
	case $tool in
	tcpdump) tcpdump -Z root -w "$file" "$@" 2>"$WORK/cap.err" & ;;
	dumpcap) dumpcap -q -w "$file" "$@" 2>"$WORK/cap.err" & ;;
	esac
	CAP_PID=$!
	for i in $(seq 100); do
		grep -qE 'listening on|Capturing on' "$WORK/cap.err" && break
		kill -0 "$CAP_PID" 2>/dev/null || die "$tool failed: $(cat "$WORK/cap.err")"
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
start_bg() { "$@" & BG_PIDS+=($!); }
wait_bg() {
	local p
	for p in "${BG_PIDS[@]}"; do wait "$p" || die "background client $p failed"; done
	BG_PIDS=()
}
ts() { tshark "$@" 2>/dev/null; }
# server_bytes FILE PORT [tshark args]: all TCP payload hex sent by the server.
server_bytes() { ts -r "$1" "${@:3}" -Y "tcp.srcport==$2 && tcp.len>0" -T fields -e tcp.payload | tr -d '\n,'; }
expect_server() { # FILE PORT HEX WHAT
	server_bytes "$1" "$2" | grep -Eq "$3" || die "$(basename "$1"): expected $4 ($3) from the broker"
}
client_lens() { ts -r "$1" -Y "tcp.dstport==$2 && tcp.len>0" -T fields -e tcp.len | tr '\n' ' ' | sed 's/ $//'; }
# frames FILE FILTER: frame numbers matching a display filter, space separated.
frames() { ts -r "$1" -Y "$2" -T fields -e frame.number | tr '\n' ' ' | sed 's/ $//'; }

# ------------------------------------------------------------- captures ---

log "1 onenet-esp8266.pcapng"
broker onenet-esp8266
cap dumpcap "$OUT/onenet-esp8266.pcapng" -i lo
rawsend -to $H:1883 -pause 50ms "$CONNECT" "$SUBSCRIBE" "$PUBLISH" "$DISCONNECT"
stop_cap
stop_broker
expect_server "$OUT/onenet-esp8266.pcapng" 1883 20020000 CONNACK
expect_server "$OUT/onenet-esp8266.pcapng" 1883 9003000100 SUBACK

log "2 onenet-esp8266-split.pcap"
broker onenet-esp8266-split
cap tcpdump "$OUT/onenet-esp8266-split.pcap" -i lo
# CONNECT: 10 | 98 | rest (split inside the fixed header and between the two
# remaining-length bytes); SUBSCRIBE split after 26 bytes, i.e. after the
# 20th of the 40 topic bytes.
rawsend -to $H:1883 -pause 50ms "${CONNECT:0:2}|${CONNECT:2:2}|${CONNECT:4}" \
	"${SUBSCRIBE:0:52}|${SUBSCRIBE:52}" "$PUBLISH" "$DISCONNECT"
stop_cap
stop_broker
SPLIT_LENS=$(client_lens "$OUT/onenet-esp8266-split.pcap" 1883)
[[ $SPLIT_LENS == "1 1 153 26 21 113 2" ]] || die "split: client segment lengths are '$SPLIT_LENS'"
expect_server "$OUT/onenet-esp8266-split.pcap" 1883 20020000 CONNACK
expect_server "$OUT/onenet-esp8266-split.pcap" 1883 9003000100 SUBACK

log "3 onenet-length-bug.pcap"
broker onenet-length-bug
cap tcpdump "$OUT/onenet-length-bug.pcap" -i lo
rawsend -to $H:1883 -pause 50ms "${CONNECT:0:4}${CONNECT:6}" "$SUBSCRIBE"
stop_cap
stop_broker
# README.md describes exactly this outcome; fail if mosquitto behaves otherwise.
[[ -z $(server_bytes "$OUT/onenet-length-bug.pcap" 1883) && -n $(frames "$OUT/onenet-length-bug.pcap" tcp.flags.reset==1) &&
	$(client_lens "$OUT/onenet-length-bug.pcap" 1883) == 154 ]] ||
	die "onenet-length-bug: expected a silent RST after the 154-byte CONNECT"

log "4 onenet-refused.pcap"
mosquitto_passwd -b -c "$WORK/etc/passwd" someone secret
broker onenet-refused "listener 1883 $H" "allow_anonymous false" "password_file $WORK/etc/passwd"
cap tcpdump "$OUT/onenet-refused.pcap" -i lo
rawsend -to $H:1883 "$CONNECT"
stop_cap
stop_broker
expect_server "$OUT/onenet-refused.pcap" 1883 20020005 "CONNACK refused (5)"

# ---- OneNET platform stand-in: internal/testtools/onenetbroker (mochi-mqtt
# v2.7.9 with a hook that checks the CONNECT's OneNET token and plays the
# Studio platform: replies on .../post/reply, property/set requests). The
# device is rawsend with packets built here (hexof, mqtt_packet, ...).
# ONENET_KEY is a public test-vector device key (onenet.md §2.7, B1); the
# valid token is made now, md5, et 2099-01-01 00:00:00 UTC, so the captures
# stay valid.
ONENET_KEY='KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw='
TOKEN_ARGS=(-product VRqhDHF2wL -device my_tv -key "$ONENET_KEY" -method md5 -expires 2099-01-01T00:00:00Z)
OK_TOKEN=$(onenetbroker -gen-token "${TOKEN_ARGS[@]}")
OK_CONNECT=$(onenetbroker -connect-hex "${TOKEN_ARGS[@]}") # 10 98 01 ..., flags c2, keep alive 60
# shellcheck disable=SC2016 # a literal $sys
THING='$sys/VRqhDHF2wL/my_tv/thing'
# hexof TEXT: the bytes of TEXT as hex.
hexof() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }
# mqtt_packet FIRSTBYTE BODYHEX: fixed header with a 1- or 2-byte remaining length, then the body.
mqtt_packet() {
	local n=$((${#2} / 2))
	((n < 16384)) || die "mqtt_packet: body too long"
	if ((n < 128)); then printf '%s%02x%s' "$1" "$n" "$2"; else printf '%s%02x%02x%s' "$1" $((n % 128 + 128)) $((n / 128)) "$2"; fi
}
mqtt_str() { local h; h=$(hexof "$1"); printf '%04x%s' $((${#h} / 2)) "$h"; }
publish0() { mqtt_packet 30 "$(mqtt_str "$1")$(hexof "$2")"; }           # publish0 TOPIC PAYLOAD: QoS 0 PUBLISH
subscribe() { mqtt_packet 82 "$(printf '%04x' "$1")$(mqtt_str "$2")00"; } # subscribe ID FILTER: one filter, QoS 0
[[ $(subscribe 1 "$THING/property/set") == "$SUBSCRIBE" ]] || die "subscribe() does not rebuild the seed SUBSCRIBE"
[[ $(publish0 "$THING/property/post" '{"id": "123","version" : "1.0","params": {"wendu": {"value": 21.1}}}') == "$PUBLISH" ]] ||
	die "publish0() does not rebuild the seed PUBLISH"
[[ ${#OK_TOKEN} == 121 && $OK_CONNECT == 10980100044d51545404c2003c00056d795f7476000a5652716844484632774c0079$(hexof "$OK_TOKEN") ]] ||
	die "onenetbroker -connect-hex: unexpected CONNECT $OK_CONNECT"
POST_OK='{"id":"123","version":"1.0","params":{"wendu":{"value":21.1}}}'
POST_FLAT='{"id":"124","version":"1.0","params":{"wendu":21.1}}'
REPLY_OK='{"id":"123","code":200,"msg":"success"}'
REPLY_2402='{"id":"124","code":2402,"msg":"request format error"}'
SET_REQ='{"id":"7","version":"1.0","params":{"wendu":25}}'
SET_REPLY='{"id":"7","code":200,"msg":"success"}'
SUB_POST_REPLY=$(subscribe 1 "$THING/property/post/reply")
# onenet_broker NAME [onenetbroker flags...]: start the stand-in on $H:1883,
# logins checked against ONENET_KEY, log in $WORK/NAME.broker.log.
onenet_broker() {
	local name=$1
	shift
	onenetbroker -listen $H:1883 -key "$ONENET_KEY" "$@" >"$WORK/$name.broker.log" 2>&1 &
	BROKER_PID=$!
	wait_port 1883
}
# mqttseq FILE: "client|broker:TYPE" of every MQTT message tshark finds, in order.
mqttseq() {
	ts -r "$1" -Y mqtt -T fields -e tcp.srcport -e mqtt.msgtype |
		awk -F'\t' '{ n = split($2, t, ","); for (i = 1; i <= n; i++) printf "%s%s:%s", (o++ ? " " : ""), ($1 == 1883 ? "broker" : "client"), t[i] }'
}
# pubs FILE: "client|broker TOPIC PAYLOAD-HEX" of every PUBLISH as tshark decodes it, in order.
pubs() { ts -r "$1" -Y mqtt.msgtype==3 -T fields -e tcp.srcport -e mqtt.topic -e mqtt.msg | awk -F'\t' '{ print ($1 == 1883 ? "broker" : "client"), $2, $3 }'; }
client_bytes() { ts -r "$1" -Y "tcp.dstport==1883 && tcp.len>0" -T fields -e tcp.payload | tr -d '\n,'; }
# check_onenet NAME SEQ CLIENTHEX SERVERHEX PUBS: the capture's MQTT messages, the
# exact bytes each side sent, and the PUBLISHes as tshark decodes them.
check_onenet() {
	local f=$OUT/$1
	[[ $(mqttseq "$f") == "$2" ]] || die "$1: MQTT messages are '$(mqttseq "$f")', want '$2'"
	[[ $(client_bytes "$f") == "$3" ]] || die "$1: the device sent $(client_bytes "$f"), want $3"
	[[ $(server_bytes "$f" 1883) == "$4" ]] || die "$1: the broker sent $(server_bytes "$f" 1883), want $4"
	[[ $(pubs "$f") == "$5" ]] || die "$1: tshark decodes the PUBLISHes as '$(pubs "$f")', want '$5'"
}

log "4a onenet-post-reply.pcap"
onenet_broker onenet-post-reply
cap tcpdump "$OUT/onenet-post-reply.pcap" -i lo
rawsend -to $H:1883 -pauses 50ms,50ms,200ms "$OK_CONNECT" "$SUB_POST_REPLY" \
	"$(publish0 "$THING/property/post" "$POST_OK")" "$DISCONNECT"
stop_cap
stop_broker
check_onenet onenet-post-reply.pcap "client:1 broker:2 client:8 broker:9 client:3 broker:3 client:14" \
	"$OK_CONNECT$SUB_POST_REPLY$(publish0 "$THING/property/post" "$POST_OK")$DISCONNECT" \
	"20020000""9003000100$(publish0 "$THING/property/post/reply" "$REPLY_OK")" \
	"client $THING/property/post $(hexof "$POST_OK")"$'\n'"broker $THING/property/post/reply $(hexof "$REPLY_OK")"

log "4b onenet-set.pcap"
onenet_broker onenet-set -set-after 200ms -set-params '{"wendu":25}'
cap tcpdump "$OUT/onenet-set.pcap" -i lo
rawsend -to $H:1883 -pauses 50ms,500ms,50ms "$OK_CONNECT" "$SUBSCRIBE" \
	"$(publish0 "$THING/property/set_reply" "$SET_REPLY")" "$DISCONNECT"
stop_cap
stop_broker
check_onenet onenet-set.pcap "client:1 broker:2 client:8 broker:9 broker:3 client:3 client:14" \
	"$OK_CONNECT$SUBSCRIBE$(publish0 "$THING/property/set_reply" "$SET_REPLY")$DISCONNECT" \
	"20020000""9003000100$(publish0 "$THING/property/set" "$SET_REQ")" \
	"broker $THING/property/set $(hexof "$SET_REQ")"$'\n'"client $THING/property/set_reply $(hexof "$SET_REPLY")"

log "4c onenet-expired.pcap"
onenet_broker onenet-expired
cap tcpdump "$OUT/onenet-expired.pcap" -i lo
rawsend -to $H:1883 "$CONNECT"
stop_cap
stop_broker
check_onenet onenet-expired.pcap "client:1 broker:2" "$CONNECT" 20020005 ""
[[ -n $(frames "$OUT/onenet-expired.pcap" "tcp.srcport==1883 && tcp.flags.fin==1") ]] || die "onenet-expired: the broker did not close (FIN)"
grep -q 'refused login.*expired: token expired 2022-08-23 08:57:11 UTC' "$WORK/onenet-expired.broker.log" ||
	die "onenet-expired: the broker log does not name the expiry: $(cat "$WORK/onenet-expired.broker.log")"

log "4d onenet-2402.pcap"
onenet_broker onenet-2402
cap tcpdump "$OUT/onenet-2402.pcap" -i lo
rawsend -to $H:1883 -pauses 50ms,50ms,200ms "$OK_CONNECT" "$SUB_POST_REPLY" \
	"$(publish0 "$THING/property/post" "$POST_FLAT")" "$DISCONNECT"
stop_cap
stop_broker
check_onenet onenet-2402.pcap "client:1 broker:2 client:8 broker:9 client:3 broker:3 client:14" \
	"$OK_CONNECT$SUB_POST_REPLY$(publish0 "$THING/property/post" "$POST_FLAT")$DISCONNECT" \
	"20020000""9003000100$(publish0 "$THING/property/post/reply" "$REPLY_2402")" \
	"client $THING/property/post $(hexof "$POST_FLAT")"$'\n'"broker $THING/property/post/reply $(hexof "$REPLY_2402")"

log "5 mosquitto-v311.pcap"
broker mosquitto-v311
cap tcpdump "$OUT/mosquitto-v311.pcap" -i lo
start_bg mosquitto_sub -h $H -V mqttv311 -i sub1 -k 5 -q 2 -t 'test/#' -v -C 5 -W 20 \
	--will-topic test/will --will-payload bye --will-qos 1
sleep 6 # idle: keep alive 5 s (mosquitto_sub minimum) gives PINGREQ/PINGRESP
mosquitto_pub -h $H -V mqttv311 -i pub-q0 -t test/q0 -m zero -q 0
mosquitto_pub -h $H -V mqttv311 -i pub-q1 -t test/q1 -m one -q 1
mosquitto_pub -h $H -V mqttv311 -i pub-q2 -t test/q2 -m two -q 2
mosquitto_pub -h $H -V mqttv311 -i pub-ret -t test/retained -m kept -q 1 -r
mosquitto_pub -h $H -V mqttv311 -i pub-auth -t test/auth -m hello -q 1 -u user -P pass
wait_bg
# SUBSCRIBE + UNSUBSCRIBE from one short-lived client (-E: exit when subscribed).
mosquitto_sub -h $H -V mqttv311 -i unsub1 -t test/tmp -U test/tmp -E
stop_cap
stop_broker
F=$OUT/mosquitto-v311.pcap
[[ -n $(frames "$F" mqtt.msgtype==12) && -n $(frames "$F" mqtt.msgtype==13) ]] || die "mosquitto-v311: no PINGREQ/PINGRESP"
[[ -n $(frames "$F" mqtt.msgtype==11) ]] || die "mosquitto-v311: no UNSUBACK"
[[ $(frames "$F" "mqtt.msgtype==7") == *" "* ]] || die "mosquitto-v311: want two PUBCOMPs"

log "6 mosquitto-v5.pcapng"
broker mosquitto-v5
cap dumpcap "$OUT/mosquitto-v5.pcapng" -i lo
start_bg mosquitto_sub -h $H -V mqttv5 -i sub5 -q 1 -t 'v5/#' -v -C 5 -W 20 \
	-D connect session-expiry-interval 30 -D connect user-property a b \
	-D subscribe subscription-identifier 7
sleep 0.5
mosquitto_pub -h $H -V mqttv5 -i pub5props -q 1 -t v5/props -m 'hello v5' \
	-D connect session-expiry-interval 30 -D connect user-property a b \
	-D publish user-property k v -D publish correlation-data req-1 \
	-D publish content-type text/plain -D publish message-expiry-interval 60 \
	-D publish response-topic r/t -D publish payload-format-indicator 1
printf 'first\nsecond\n' | mosquitto_pub -h $H -V mqttv5 -i pub5alias -t v5/alias -l -D publish topic-alias 1
mosquitto_pub -h $H -V mqttv5 -i pub5none -q 1 -t nobody/home -m x
# Hand-written v5 client "raw5": CONNECT (will v5/will "bye", receive-maximum
# 10), SUBSCRIBE v5/raw with subscription-identifier 5 and options
# QoS 1 + no-local + retain-as-published + retain-handling 2 (0x2d), PUBLISH
# QoS 1 to v5/raw (not echoed: no-local), UNSUBSCRIBE, DISCONNECT reason 0x04
# (disconnect with will message).
rawsend -to $H:1883 -pause 50ms \
	102300044d5154540506000a0321000a00047261773500000776352f77696c6c0003627965 \
	820e0001020b05000676352f7261772d \
	320d000676352f7261770002006869 \
	a20b000300000676352f726177 \
	e00104
wait_bg
stop_cap
stop_broker
F=$OUT/mosquitto-v5.pcapng
expect_server "$F" 1883 '4003[0-9a-f]{4}10' "PUBACK reason 0x10 (no matching subscribers)"
[[ -n $(frames "$F" "mqtt.msgtype==3 && mqtt.topic_len==0 && tcp.dstport==1883") ]] || die "mosquitto-v5: no PUBLISH with empty topic (alias)"
[[ -n $(frames "$F" "mqtt.disconnect.reason_code==4") ]] || die "mosquitto-v5: no DISCONNECT reason 0x04"

log "7 mqtt31.pcap"
broker mqtt31
cap tcpdump "$OUT/mqtt31.pcap" -i lo
start_bg mosquitto_sub -h $H -V mqttv31 -i sub31 -q 1 -t 'v31/#' -v -C 2 -W 20
sleep 0.5
mosquitto_pub -h $H -V mqttv31 -i pub31a -t v31/a -m zero -q 0
mosquitto_pub -h $H -V mqttv31 -i pub31b -t v31/b -m one -q 1
wait_bg
stop_cap
stop_broker
[[ $(frames "$OUT/mqtt31.pcap" 'mqtt.protoname == "MQIsdp"' | wc -w) == 3 ]] || die "mqtt31: want 3 MQIsdp CONNECTs"

log "8 tls-8883.pcap"
(
	cd "$WORK/etc"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
		-subj /CN=mqttpcap-test-ca -keyout ca.key -out ca.crt 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj /CN=localhost -keyout server.key -out server.csr 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >san.ext
	openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
		-extfile san.ext -out server.crt 2>/dev/null
)
broker tls-8883 "listener 8883 $H" "allow_anonymous true" "cafile $WORK/etc/ca.crt" \
	"certfile $WORK/etc/server.crt" "keyfile $WORK/etc/server.key"
cap tcpdump "$OUT/tls-8883.pcap" -i lo
mosquitto_pub -h $H -p 8883 --cafile "$WORK/etc/ca.crt" -i tlspub -t tls/t -m secret -q 1
stop_cap
stop_broker
[[ -n $(frames "$OUT/tls-8883.pcap" "tls.handshake.type==1") ]] || die "tls-8883: no TLS ClientHello"

log "9 port6002.pcap"
broker port6002 "listener 6002 $H" "allow_anonymous true"
cap tcpdump "$OUT/port6002.pcap" -i lo
mosquitto_pub -h $H -p 6002 -V mqttv311 -i onenet6002 -t onenet/port6002 -m hello -q 1
stop_cap
stop_broker
expect_server "$OUT/port6002.pcap" 6002 20020000 CONNACK

# pubsub TOPICPREFIX: a QoS 1 subscriber and two publishes (QoS 0, QoS 1).
pubsub() {
	start_bg mosquitto_sub -h $H -i "${1}sub" -q 1 -t "$1/#" -v -C 2 -W 20
	sleep 0.5
	mosquitto_pub -h $H -i "${1}pub0" -t "$1/a" -m zero -q 0
	mosquitto_pub -h $H -i "${1}pub1" -t "$1/b" -m one -q 1
	wait_bg
}
linktype() { od -An -tu4 -j20 -N4 "$1" | tr -d ' '; }

log "10 any-sll2.pcap"
broker any-sll2
cap tcpdump "$OUT/any-sll2.pcap" -i any
pubsub any
stop_cap
stop_broker
[[ $(linktype "$OUT/any-sll2.pcap") == 276 ]] || die "any-sll2: link type $(linktype "$OUT/any-sll2.pcap"), want 276"

log "11 multi-iface.pcapng"
broker multi-iface
cap dumpcap "$OUT/multi-iface.pcapng" -i lo -i any
pubsub multi
stop_cap
stop_broker
[[ $(ts -r "$OUT/multi-iface.pcapng" -T fields -e frame.interface_id | sort -u | tr '\n' ' ') == "0 1 " ]] ||
	die "multi-iface: want frames on interfaces 0 and 1"

log "12 seq-clean.pcap and derived captures"
broker seq-clean
cap tcpdump "$OUT/seq-clean.pcap" -i lo
start_bg mosquitto_sub -h $H -i seqsub -q 1 -t 'seq/#' -v -C 6 -W 20
sleep 0.5
for i in 1 2 3 4 5 6; do
	echo "msg $i"
	sleep 0.2
done | mosquitto_pub -h $H -i seqpub -q 1 -t seq/a -l
wait_bg
stop_cap
stop_broker
read -r -a P <<<"$(frames "$OUT/seq-clean.pcap" "tcp.dstport==1883 && mqtt.msgtype==3")"
((${#P[@]} == 6)) || die "seq-clean: want 6 client PUBLISH frames, got ${P[*]}"
[[ $(frames "$OUT/seq-clean.pcap" "tcp.dstport==1883 && mqtt.msgtype==3 && tcp.len==16") == "${P[*]}" ]] ||
	die "seq-clean: each client PUBLISH should be alone in its 16-byte segment"
P1=${P[0]} P3=${P[2]}
pcapedit -in "$OUT/seq-clean.pcap" -out "$OUT/gap-lost-segment.pcap" -drop "$P3"
pcapedit -in "$OUT/seq-clean.pcap" -out "$OUT/retransmission.pcap" -dup "$P3@$((P3 + 1))"
pcapedit -in "$OUT/seq-clean.pcap" -out "$OUT/midstream.pcap" -drop "1-$((P1 - 1))"

log "burst.pcap and out-of-order.pcap"
# rawsend client "burst" (MQTT 3.1.1): CONNECT, 50 ms, then three 14-byte QoS 0
# PUBLISHes (topic burst, 'msg 1'..'msg 3') written back to back (TCP_NODELAY,
# no pause: each write is its own segment), 100 ms, DISCONNECT. The broker
# sends nothing for QoS 0, so its next segment is a pure ACK. With even 2 ms
# between the writes Linux ACKs as soon as mosquitto has read two small
# segments (so an ACK would sit between the 2nd and the 3rd); back to back,
# all three are in before the broker reads the second, and its ACK covers all
# three. That is timing-dependent, so the recording is retried if it did not
# come out that way.
BURST_CONNECT=101100044d5154540402003c00056275727374
BURST_PUB=(300c000562757273746d73672031 300c000562757273746d73672032 300c000562757273746d73672033)
# burst_layout FILE: empty if FILE has the wanted layout, else what is wrong;
# sets B (the three PUBLISH frames) and BACK (the broker frame after them).
burst_layout() {
	local f=$1 lens nxt ack
	B=() BACK=""
	lens=$(client_lens "$f" 1883)
	[[ $lens == "19 14 14 14 2" ]] || { echo "client segment lengths '$lens'"; return; }
	read -r -a B <<<"$(frames "$f" "tcp.dstport==1883 && tcp.len==14")"
	((${#B[@]} == 3 && B[1] == B[0] + 1 && B[2] == B[1] + 1)) ||
		{ echo "PUBLISH frames '${B[*]}' are not consecutive"; return; }
	BACK=$(frames "$f" "tcp.srcport==1883 && frame.number > ${B[2]}" | cut -d' ' -f1)
	nxt=$(ts -r "$f" -Y "frame.number==${B[2]}" -T fields -e tcp.nxtseq)
	ack=$(ts -r "$f" -Y "frame.number==$BACK" -T fields -e tcp.ack -e tcp.len)
	[[ $ack == "$nxt"$'\t'0 ]] ||
		echo "broker frame $BACK after the burst is (ack, len) '$ack', want a pure ACK of $nxt"
}
for try in 1 2 3 4 5; do
	broker burst
	cap tcpdump "$OUT/burst.pcap" -i lo
	rawsend -to $H:1883 -pauses 50ms,0s,0s,100ms "$BURST_CONNECT" "${BURST_PUB[@]}" "$DISCONNECT"
	stop_cap
	stop_broker
	BURST_ERR=$(burst_layout "$OUT/burst.pcap")
	[[ -z $BURST_ERR ]] && break
	echo "record.sh: burst.pcap try $try: $BURST_ERR; recording again" >&2
done
[[ -z $BURST_ERR ]] || die "burst: $BURST_ERR"
burst_layout "$OUT/burst.pcap" >/dev/null
pcapedit -in "$OUT/burst.pcap" -out "$OUT/out-of-order.pcap" -swap "${B[1]}:${B[2]}"
# seqack FILE FIRST LAST: "frame:port:seq:ack:len" (relative numbers) of frames FIRST..LAST.
seqack() {
	ts -r "$1" -Y "frame.number>=$2 && frame.number<=$3" -T fields \
		-e frame.number -e tcp.srcport -e tcp.seq -e tcp.ack -e tcp.len | tr '\t' ':' | tr '\n' ' ' | sed 's/ $//'
}
# The swap must show the 3rd PUBLISH first, the 2nd next, then the broker's
# pure ACK of all three.
read -r -a SB <<<"$(seqack "$OUT/burst.pcap" "${B[0]}" "$BACK")"
read -r -a SO <<<"$(seqack "$OUT/out-of-order.pcap" "${B[0]}" "$BACK")"
[[ ${#SB[@]} == 4 && ${SO[0]} == "${SB[0]}" && ${SO[1]#*:} == "${SB[2]#*:}" && ${SO[2]#*:} == "${SB[1]#*:}" &&
	${SO[3]} == "${SB[3]}" ]] || die "out-of-order: segments around the swap are '${SO[*]}' (burst.pcap: '${SB[*]}')"

log "midstream-v5.pcap"
# rawsend client "mid5" (MQTT 5.0): CONNECT (clean start, keep alive 60,
# session-expiry-interval 30), 50 ms, QoS 1 PUBLISH nobody/home 'hello' (id 1,
# properties user-property k=v and content-type text/plain), which nobody is
# subscribed to, so the PUBACK carries reason 0x10, 50 ms, DISCONNECT. Then
# everything before the PUBLISH is dropped.
MID5_CONNECT=101600044d5154540502003c05110000001e00046d696435
MID5_PUBLISH=3229000b6e6f626f64792f686f6d65000114 # 32 29, topic, id 1, properties length 20
MID5_PUBLISH+=2600016b000176                       # user-property k=v
MID5_PUBLISH+=03000a746578742f706c61696e           # content-type text/plain
MID5_PUBLISH+=68656c6c6f                           # payload hello
broker midstream-v5
cap tcpdump "$WORK/midstream-v5-full.pcap" -i lo
rawsend -to $H:1883 -pause 50ms "$MID5_CONNECT" "$MID5_PUBLISH" "$DISCONNECT"
stop_cap
stop_broker
F=$WORK/midstream-v5-full.pcap
expect_server "$F" 1883 '^20[0-9a-f]{2}0000' "CONNACK accepted"
expect_server "$F" 1883 '4003000110' "PUBACK id 1 reason 0x10"
M5CONNACK=$(frames "$F" "tcp.srcport==1883 && tcp.len>0" | cut -d' ' -f1)
M5PUB=$(frames "$F" "tcp.dstport==1883 && tcp.len>0 && frame.number > $M5CONNACK" | cut -d' ' -f1)
[[ $(ts -r "$F" -Y "frame.number==$M5PUB" -T fields -e tcp.payload) == "$MID5_PUBLISH" ]] ||
	die "midstream-v5: frame $M5PUB is not exactly the PUBLISH"
[[ -z $(frames "$F" "tcp.len>0 && frame.number > $M5CONNACK && frame.number < $M5PUB") ]] ||
	die "midstream-v5: data between the CONNACK and the PUBLISH"
pcapedit -in "$F" -out "$OUT/midstream-v5.pcap" -drop "1-$((M5PUB - 1))"
F=$OUT/midstream-v5.pcap
[[ $(ts -r "$F" -Y "frame.number==1" -T fields -e tcp.dstport -e tcp.payload) == "1883"$'\t'"$MID5_PUBLISH" ]] ||
	die "midstream-v5: frame 1 is not the client's PUBLISH"
[[ $(server_bytes "$F" 1883) == 4003000110 ]] || die "midstream-v5: broker data is '$(server_bytes "$F" 1883)', want only the PUBACK"
[[ $(ts -r "$F" -Y "tcp.dstport==1883 && tcp.len>0" -T fields -e tcp.payload | tr '\n' ' ') == "$MID5_PUBLISH e000 " ]] ||
	die "midstream-v5: client data is not PUBLISH, DISCONNECT"

log "snaplen-96.pcap"
broker snaplen-96
cap tcpdump "$OUT/snaplen-96.pcap" -i lo -s 96
rawsend -to $H:1883 -pause 50ms "$CONNECT" "$SUBSCRIBE" "$PUBLISH" "$DISCONNECT"
stop_cap
stop_broker
[[ $(frames "$OUT/snaplen-96.pcap" "frame.cap_len < frame.len" | wc -w) == 3 ]] || die "snaplen-96: want 3 truncated frames"

log "cut-short.pcap"
pcapedit -in "$OUT/mqtt31.pcap" -out "$OUT/cut-short.pcap" -cut -30

log "big-publish.pcap"
head -c 20000 < <(yes 'mqttpcap big publish payload 0123456789abcdef') >"$WORK/big.txt"
broker big-publish
cap tcpdump "$OUT/big-publish.pcap" -i lo
mosquitto_pub -h $H -V mqttv311 -i bigpub -q 1 -t big/payload -f "$WORK/big.txt"
stop_cap
stop_broker
BIG_SEGS=$(client_lens "$OUT/big-publish.pcap" 1883 | wc -w)
((BIG_SEGS >= 14)) || die "big-publish: only $BIG_SEGS client data segments"

# ---------------------------------------------------------------- README ---
log "README.md"
chmod 644 "$OUT"/*
# counts FILE [-Y EXTRA-FILTER] [tshark args]: MQTT messages per type, as
# tshark reports them.
counts() {
	local f=$1 filter=mqtt
	shift
	if [[ ${1:-} == -Y ]]; then
		filter="mqtt && ($2)"
		shift 2
	fi
	ts -r "$f" "$@" -Y "$filter" -T fields -e mqtt.msgtype | tr ',' '\n' | awk '
		BEGIN { split("CONNECT CONNACK PUBLISH PUBACK PUBREC PUBREL PUBCOMP SUBSCRIBE SUBACK UNSUBSCRIBE UNSUBACK PINGREQ PINGRESP DISCONNECT AUTH", n, " "); n[0] = "Reserved(0)" }
		NF { c[$1]++ }
		END { for (i = 0; i <= 15; i++) if (c[i]) printf "%s%s %d", (o++ ? ", " : ""), n[i], c[i]; if (!o) printf "none" }'
}
nframes() { ts -r "$1" -T fields -e frame.number | grep -c .; }
nstreams() { ts -r "$1" -T fields -e tcp.stream | sort -u | grep -c .; }
# fr FILE FILTER: matching frame numbers, comma separated.
fr() { frames "$1" "$2" | sed 's/ /, /g'; }
linkinfo() {
	case $1 in
	*multi-iface.pcapng) echo "pcapng, 2 interfaces: #0 lo = link type 1 ETHERNET, #1 any = link type 113 LINUX_SLL" ;;
	*.pcapng) echo "pcapng, 1 interface lo, link type 1 ETHERNET" ;;
	*)
		local n
		n=$(linktype "$1")
		case $n in
		1) echo "classic pcap (usec), link type 1 ETHERNET" ;;
		276) echo "classic pcap (usec), link type 276 LINUX_SLL2" ;;
		*) echo "classic pcap, link type $n" ;;
		esac
		;;
	esac
}
# entry NAME TEXT [tshark decode-as args]: one README line.
entry() {
	local f="$OUT/$1" extra="${3:-}" rst
	local -a xa=()
	[[ -n $extra ]] && read -r -a xa <<<"$extra"
	rst=$(fr "$f" tcp.flags.reset==1) || true # tshark exits 2 on cut-short.pcap
	printf -- '- **%s** (%s bytes; %s; %s frames; TCP streams: %s): %s MQTT counts%s: %s. Frames with more than one MQTT packet: %s.%s\n' \
		"$1" "$(stat -c %s "$f")" "$(linkinfo "$f")" "$(nframes "$f")" "$(nstreams "$f")" "$2" \
		"${extra:+ (with $extra)}" "$(counts "$f" "${xa[@]}")" "$(multi "$f" "${xa[@]}")" "${rst:+ TCP RST in frame $rst.}"
}
# multi FILE [tshark args]: frames that hold several MQTT packets, "N (types)".
multi() {
	ts -r "$1" "${@:2}" -Y mqtt -T fields -e frame.number -e mqtt.msgtype |
		awk -F'\t' 'index($2, ",") { printf "%s%s (%s)", (o++ ? ", " : ""), $1, $2 } END { if (!o) printf "none" }'
}
# seglist FILE PORT: "frame:len" of the client data segments.
seglist() { ts -r "$1" -Y "tcp.dstport==$2 && tcp.len>0" -T fields -e frame.number -e tcp.len | tr '\t' ':' | tr '\n' ' ' | sed 's/ $//'; }
# framelist FILE FILTER [tshark args]: "N client|broker FLAGS [LEN bytes: MQTT TYPES]" per
# matching frame (the broker is port 1883), comma separated.
framelist() {
	ts -r "$1" "${@:3}" -Y "$2" -T fields -e frame.number -e tcp.srcport -e tcp.len -e mqtt.msgtype \
		-e tcp.flags.fin -e tcp.flags.syn -e tcp.flags.reset -e tcp.flags.push -e tcp.flags.ack | awk -F'\t' '
		BEGIN { split("CONNECT CONNACK PUBLISH PUBACK PUBREC PUBREL PUBCOMP SUBSCRIBE SUBACK UNSUBSCRIBE UNSUBACK PINGREQ PINGRESP DISCONNECT AUTH", n, " ")
			split("FIN SYN RST PSH ACK", fl, " ") }
		{ s = ""
		  for (i = 1; i <= 5; i++) if ($(i + 4) == 1 || $(i + 4) == "True") s = s (s == "" ? "" : "+") fl[i]
		  t = ""; if ($4 != "") { m = split($4, ty, ","); for (i = 1; i <= m; i++) t = t (i > 1 ? "+" : "") n[ty[i]] }
		  printf "%s%s %s %s%s", (NR > 1 ? ", " : ""), $1, ($2 == 1883 ? "broker" : "client"), s, ($3 > 0 ? " " $3 " bytes" (t != "" ? ": " t : "") : "") }'
}

F=$OUT/onenet-esp8266.pcapng
E1="dumpcap -i lo; rawsend on one connection sends the reference ESP8266 -> OneNET seed session byte for byte with 50 ms pauses, each packet in its own segment: CONNECT (155 bytes: 10 98 01, MQTT 3.1.1, clean session, keep alive 60, client id my_tv, username VRqhDHF2wL, password = the OneNET token version=2018-10-31&res=products%2F...&method=md5&sign=...) in frame $(fr "$F" mqtt.msgtype==1), SUBSCRIBE (47 bytes, id 1, \$sys/VRqhDHF2wL/my_tv/thing/property/set QoS 0) in frame $(fr "$F" mqtt.msgtype==8), PUBLISH (113 bytes, QoS 0, \$sys/VRqhDHF2wL/my_tv/thing/property/post, JSON payload {\"id\": \"123\",...\"wendu\": {\"value\": 21.1}}) in frame $(fr "$F" mqtt.msgtype==3), DISCONNECT e000 in frame $(fr "$F" mqtt.msgtype==14); mosquitto answers CONNACK 20020000 (frame $(fr "$F" mqtt.msgtype==2)) and SUBACK 9003000100 (frame $(fr "$F" mqtt.msgtype==9)), then closes after the DISCONNECT."

F=$OUT/onenet-esp8266-split.pcap
E2="tcpdump -i lo; the same seed session by rawsend (TCP_NODELAY, 20 ms between pieces) with the CONNECT written as 1 + 1 + 153 bytes (10 | 98 | 01 00 04 4d ...: split after the first byte and between the two remaining-length bytes) and the SUBSCRIBE as 26 + 21 bytes (split after the 20th of its 40 topic bytes); PUBLISH and DISCONNECT whole. Client data segments (frame:bytes): $(seglist "$F" 1883). Broker answers CONNACK 20020000 and SUBACK 9003000100 as in the unsplit session. On the wire: CONNECT 1, CONNACK 1, SUBSCRIBE 1, SUBACK 1, PUBLISH 1, DISCONNECT 1; tshark 4.0.17 loses the MQTT framing after the 1-byte segments (marks frame $(fr "$F" _ws.malformed) malformed) and reports wrong types, so its counts are NOT the truth here."

F=$OUT/onenet-length-bug.pcap
BUGLOG=$(grep -m1 -iE 'protocol error|malformed|disconnected' "$WORK/onenet-length-bug.broker.log" | sed 's/^[0-9]*: //; s/\.$//') || BUGLOG="no log line"
E3="tcpdump -i lo; rawsend sends the seed CONNECT with the remaining length written as ONE byte (10 98 00 04 4d 51 54 54 ...: the 01 at offset 2 removed, 154 bytes) in frame $(fr "$F" 'tcp.dstport==1883 && tcp.len>0'), then 50 ms later the SUBSCRIBE. 0x98 has the continuation bit set, so the broker reads the remaining length 98 00 = 24 and a garbage variable header; mosquitto (log: '$BUGLOG') drops the connection without sending a byte: it closes with unread data, so the kernel sends RST (frame $(fr "$F" tcp.flags.reset==1)). The SUBSCRIBE write failed with EPIPE and is not on the wire (client data segments: $(seglist "$F" 1883)); tshark shows frame 4 as a malformed CONNECT followed by a bogus PUBACK."

F=$OUT/onenet-refused.pcap
E4="tcpdump -i lo; rawsend sends only the seed CONNECT to a mosquitto with allow_anonymous false and a password_file that knows only user someone; the broker answers CONNACK 20020005 (return code 5, not authorized; frame $(fr "$F" mqtt.msgtype==2)) and closes the connection (FIN)."

# ms FILE FRAME-A FRAME-B: milliseconds from frame A to frame B (one decimal).
ms() { ts -r "$1" -Y "frame.number==$2 || frame.number==$3" -T fields -e frame.time_epoch | tr '\n' ' ' | awk '{ printf "%.1f", ($2 - $1) * 1000 }'; }
# cpub/bpub FILE: frame of the device's / the broker's PUBLISH.
cpub() { fr "$1" "mqtt.msgtype==3 && tcp.dstport==1883"; }
bpub() { fr "$1" "mqtt.msgtype==3 && tcp.srcport==1883"; }
ONB="internal/testtools/onenetbroker (mochi-mqtt $(awk '$1 == "github.com/mochi-mqtt/server/v2" { print $2 }' "$ROOT/go.mod") with a hook playing the OneNET Studio platform; logins checked with the device key) and rawsend as the device my_tv of product VRqhDHF2wL"
OKC="CONNECT ($((${#OK_CONNECT} / 2)) bytes: 10 98 01, MQTT 3.1.1, flags 0xC2, keep alive 60, client id my_tv, username VRqhDHF2wL, password = a valid 121-byte OneNET token made at record time by onenetbroker -gen-token with the public test-vector device key of onenet.md §2.7 B1 (KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=), md5, et 4070908800 = 2099-01-01 00:00:00 UTC: $OK_TOKEN)"

F=$OUT/onenet-post-reply.pcap
E22="tcpdump -i lo; $ONB (50 ms pauses): $OKC in frame $(fr "$F" mqtt.msgtype==1) -> CONNACK 20020000 (frame $(fr "$F" mqtt.msgtype==2)); SUBSCRIBE (id 1, \$sys/VRqhDHF2wL/my_tv/thing/property/post/reply QoS 0) in frame $(fr "$F" mqtt.msgtype==8) -> SUBACK 9003000100 (frame $(fr "$F" mqtt.msgtype==9)); QoS 0 PUBLISH on \$sys/VRqhDHF2wL/my_tv/thing/property/post with $POST_OK in frame $(cpub "$F") -> the platform's QoS 0 PUBLISH on \$sys/VRqhDHF2wL/my_tv/thing/property/post/reply with $REPLY_OK in frame $(bpub "$F") ($(ms "$F" "$(cpub "$F")" "$(bpub "$F")") ms later); DISCONNECT e000 in frame $(fr "$F" mqtt.msgtype==14), then the broker closes. Frames: $(framelist "$F" "frame.number > 0")."

F=$OUT/onenet-set.pcap
E23="tcpdump -i lo; $ONB; the broker runs with -set-after 200ms -set-params {\"wendu\":25}: the same $((${#OK_CONNECT} / 2))-byte CONNECT as onenet-post-reply.pcap (valid token) in frame $(fr "$F" mqtt.msgtype==1) -> CONNACK 20020000 (frame $(fr "$F" mqtt.msgtype==2)); the seed SUBSCRIBE (id 1, \$sys/VRqhDHF2wL/my_tv/thing/property/set QoS 0) in frame $(fr "$F" mqtt.msgtype==8) -> SUBACK 9003000100 (frame $(fr "$F" mqtt.msgtype==9)); $(ms "$F" "$(fr "$F" mqtt.msgtype==8)" "$(bpub "$F")") ms after the SUBSCRIBE the platform publishes the property/set request (QoS 0) on \$sys/VRqhDHF2wL/my_tv/thing/property/set with $SET_REQ in frame $(bpub "$F"); the device (rawsend waits 500 ms after its SUBSCRIBE) answers with a QoS 0 PUBLISH on \$sys/VRqhDHF2wL/my_tv/thing/property/set_reply with $SET_REPLY in frame $(cpub "$F") (mochi accepts and, like every client publish to \$sys/..., drops it); DISCONNECT e000 in frame $(fr "$F" mqtt.msgtype==14), then the broker closes. Frames: $(framelist "$F" "frame.number > 0")."

F=$OUT/onenet-expired.pcap
EXPLOG=$(sed -n 's/.*refused login of .* from [^ ]*: //p' "$WORK/onenet-expired.broker.log" | head -1)
E24="tcpdump -i lo; rawsend sends only the seed CONNECT of onenet.md §6.2 (155 bytes, token et 1661245031 = 2022-08-23 08:57:11 UTC) in frame $(fr "$F" mqtt.msgtype==1) to internal/testtools/onenetbroker, whose token check refuses the login (broker log: '$EXPLOG'): CONNACK 20020005 in frame $(fr "$F" mqtt.msgtype==2) (return code 5: mochi answers a refused login with 'bad username or password', which it maps to 5 for MQTT 3.1.1; OneNET documents 4 for a bad token, onenet.md §4.3 and §8 treat both as a refused login), then the broker closes the connection (FIN, frame $(fr "$F" "tcp.srcport==1883 && tcp.flags.fin==1")). Frames: $(framelist "$F" "frame.number > 0")."

F=$OUT/onenet-2402.pcap
E25="tcpdump -i lo; as onenet-post-reply.pcap (same valid CONNECT, SUBSCRIBE to \$sys/VRqhDHF2wL/my_tv/thing/property/post/reply, 50 ms pauses) but the property report has flat params, without the {\"value\":...} wrapper: QoS 0 PUBLISH on \$sys/VRqhDHF2wL/my_tv/thing/property/post with $POST_FLAT in frame $(cpub "$F") -> the platform answers on \$sys/VRqhDHF2wL/my_tv/thing/property/post/reply with $REPLY_2402 in frame $(bpub "$F") (the error OneNET is reported to give such a payload, onenet.md §3.2; unverified on the real platform). CONNECT frame $(fr "$F" mqtt.msgtype==1), CONNACK 20020000 frame $(fr "$F" mqtt.msgtype==2), SUBSCRIBE frame $(fr "$F" mqtt.msgtype==8), SUBACK 9003000100 frame $(fr "$F" mqtt.msgtype==9), DISCONNECT frame $(fr "$F" mqtt.msgtype==14). Frames: $(framelist "$F" "frame.number > 0")."

F=$OUT/mosquitto-v311.pcap
E5="tcpdump -i lo; MQTT 3.1.1 (protocol MQTT, level 4) from mosquitto_sub/_pub 2.0.11: subscriber sub1 (stream 0: -q 2 -t test/#, keep alive 5 s = mosquitto_sub's minimum, will test/will 'bye' QoS 1, -C 5) idles 6 s, so PINGREQ/PINGRESP (frames $(fr "$F" 'mqtt.msgtype==12 || mqtt.msgtype==13')) appear, then five mosquitto_pub connections: QoS 0 test/q0, QoS 1 test/q1, QoS 2 test/q2 (PUBREC/PUBREL/PUBCOMP on both legs, the subscription is QoS 2), QoS 1 retained test/retained (retain=1 from the publisher, 0 on the live copy to sub1), QoS 1 test/auth with username user / password pass (CONNECT frame $(fr "$F" 'mqtt.username == "user"')); sub1 sends DISCONNECT after the 5th message; finally client unsub1 (mosquitto_sub -t test/tmp -U test/tmp -E) does SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT."

F=$OUT/mosquitto-v5.pcapng
E6="dumpcap -i lo; MQTT 5.0. sub5 (mosquitto_sub -V mqttv5 -q 1 -t v5/# -C 5) with CONNECT properties session-expiry-interval 30, user-property a=b (+ receive-maximum from the library) and SUBSCRIBE property subscription-identifier 7 (so every PUBLISH forwarded to it carries subscription-identifier 7); pub5props: CONNECT with session-expiry-interval 30 and user-property a=b, QoS 1 PUBLISH v5/props 'hello v5' with user-property k=v, correlation-data req-1, content-type text/plain, message-expiry-interval 60, response-topic r/t, payload-format-indicator 1 (frame $(fr "$F" 'mqtt.msgtype==3 && mqtt.topic == "v5/props" && tcp.dstport==1883')); pub5alias (-l, topic-alias 1): two QoS 0 PUBLISHes, the first with topic v5/alias + topic-alias 1, the second with an EMPTY topic (length 0) + topic-alias 1, which shares its frame with the DISCONNECT (frame $(fr "$F" 'mqtt.msgtype==3 && mqtt.topic_len==0')); pub5none: QoS 1 PUBLISH to nobody/home, answered by PUBACK with reason code 0x10 No matching subscribers (frame $(fr "$F" 'mqtt.puback.reason_code==0x10')); raw5 (hand-written by rawsend): CONNECT with will (v5/will 'bye', empty will properties) and receive-maximum 10, SUBSCRIBE v5/raw with subscription-identifier 5 and subscription options 0x2d = QoS 1 + no-local + retain-as-published + retain-handling 2, QoS 1 PUBLISH v5/raw 'hi' (not echoed back to raw5: no-local), UNSUBSCRIBE, DISCONNECT with reason code 0x04 Disconnect with Will Message (e0 01 04, frame $(fr "$F" 'mqtt.disconnect.reason_code==4')), after which the broker publishes the will to sub5. mosquitto's CONNACKs carry properties (topic-alias-maximum 10, receive-maximum 20); mosquitto 2.0.11 sends no DISCONNECT of its own (not even on a session takeover), so the only DISCONNECT reason codes are the client's."

F=$OUT/mqtt31.pcap
E7="tcpdump -i lo; MQTT 3.1 (protocol name MQIsdp, level 3): mosquitto_sub -V mqttv31 -q 1 -t v31/# -C 2 (client sub31) and two mosquitto_pub -V mqttv31: QoS 0 v31/a 'zero' and QoS 1 v31/b 'one' (each forwarded to sub31)."

F=$OUT/tls-8883.pcap
E8="tcpdump -i lo; mosquitto TLS listener on 8883 (throwaway EC P-256 CA + server cert for 127.0.0.1/localhost made with openssl) and one mosquitto_pub --cafile -p 8883 -q 1 publish (tls/t): TLS 1.3 ClientHello in frame $(fr "$F" tls.handshake.type==1), then only encrypted records ($(frames "$F" tls.record | wc -w) frames with TLS records); no clear-text MQTT."

F=$OUT/port6002.pcap
E9="tcpdump -i lo; mosquitto listening on 6002 (legacy OneNET port; Wireshark decodes 6002 as X11, so without -d tshark's MQTT counts are: $(counts "$F")); one mosquitto_pub -V mqttv311 -q 1 session: CONNECT, CONNACK, PUBLISH onenet/port6002 'hello', PUBACK, DISCONNECT."

F=$OUT/any-sll2.pcap
E10="tcpdump -i any (namespace: lo is the only interface; each packet appears once, SLL2 packet type 0, interface index of lo); mosquitto_sub -q 1 -t any/# -C 2 plus mosquitto_pub QoS 0 any/a and QoS 1 any/b."

F=$OUT/multi-iface.pcapng
E11="dumpcap -i lo -i any during one short session (mosquitto_sub -q 1 -t multi/# -C 2, mosquitto_pub QoS 0 multi/a and QoS 1 multi/b): every packet is there twice, once per interface ($(ts -r "$F" -Y frame.interface_id==0 -T fields -e frame.number | wc -l) frames on #0, $(ts -r "$F" -Y frame.interface_id==1 -T fields -e frame.number | wc -l) on #1); dumpcap 4.0 opens 'any' as LINUX_SLL (v1, link type 113), not SLL2. dumpcap wrote the packets in per-interface batches, so file order is not time order (interface id runs in file order: $(ts -r "$F" -T fields -e frame.interface_id | uniq -c | awk '{printf "%s%dx#%s", (NR>1?", ":""), $1, $2}')). By default tshark takes the second copy of each TCP segment for a retransmission and does not dissect it, so the default counts below see each MQTT packet once (from whichever copy comes first in the file), not twice; with -o tcp.analyze_sequence_numbers:FALSE it finds the whole session on each interface: #0: $(counts "$F" -Y frame.interface_id==0 -o tcp.analyze_sequence_numbers:FALSE); #1: $(counts "$F" -Y frame.interface_id==1 -o tcp.analyze_sequence_numbers:FALSE)."

F=$OUT/seq-clean.pcap
PL="${P[*]}"
E12="tcpdump -i lo; the undamaged source of the three derived captures below (gap-lost-segment, retransmission, midstream): subscriber seqsub (stream 0, -q 1 -t seq/# -C 6), then mosquitto_pub -i seqpub -q 1 -t seq/a -l fed six lines 200 ms apart (stream 1): six QoS 1 PUBLISHes 'msg 1'..'msg 6' (ids 1-6, 16 bytes each, one per segment) in client frames ${PL// /, }, each PUBACKed and forwarded to seqsub."

E13="seq-clean.pcap with frame $P3 (the publisher's 3rd PUBLISH, 'msg 3', id 3, 16 bytes) removed by pcapedit -drop $P3: a lost segment, stream 1 has a 16-byte hole; frames after it are renumbered one lower. The broker's PUBACK id 3 and the copy forwarded to seqsub are still there."


E15="seq-clean.pcap with a copy of frame $P3 (the publisher's 3rd PUBLISH, 'msg 3') inserted after frame $((P3 + 1)) by pcapedit -dup $P3@$((P3 + 1)): the copy is frame $((P3 + 2)) (same sequence number and bytes, timestamp halfway between its neighbours); later frames are renumbered one higher."

F=$OUT/burst.pcap
BT=$(ts -r "$F" -Y "frame.number==${B[0]} || frame.number==${B[2]}" -T fields -e frame.time_epoch | tr '\n' ' ' | awk '{printf "%d", ($2 - $1) * 1e6}')
E14="tcpdump -i lo; the undamaged source of out-of-order.pcap: rawsend client burst (MQTT 3.1.1, client id burst, clean session, keep alive 60) sends CONNECT, waits 50 ms, then writes three QoS 0 PUBLISHes to topic burst ('msg 1', 'msg 2', 'msg 3', 14 bytes each) back to back with TCP_NODELAY and no pause, so each leaves as its own segment ($BT µs from the first to the third), waits 100 ms and sends DISCONNECT. The PUBLISHes are consecutive frames ${B[0]}, ${B[1]}, ${B[2]} with no broker segment between them; QoS 0 needs no answer and the broker's next segment, frame $BACK, is a pure ACK that covers all three (ack = end of the third PUBLISH). (With even 2 ms between the writes Linux ACKs as soon as the broker has read two small segments, so an ACK sits between the 2nd and 3rd PUBLISH; record.sh checks for this layout and records again if timing spoils it.) Client data segments (frame:bytes): $(seglist "$F" 1883). Frames ${B[0]}-$BACK (frame:src port:seq:ack:len, relative): ${SB[*]}."

E20="burst.pcap with the contents of frames ${B[1]} and ${B[2]} (the 2nd and 3rd PUBLISH, 'msg 2' and 'msg 3': consecutive client data segments with no broker segment between them) exchanged by pcapedit -swap ${B[1]}:${B[2]}; each position keeps its own timestamp, so frame ${B[1]} now carries 'msg 3' (sequence number 14 higher) and frame ${B[2]} carries 'msg 2': the later segment is captured first, as when two segments are reordered between sender and capture point. The broker's pure ACK in frame $BACK still follows both and covers all three PUBLISHes, so no byte is acknowledged before it appears in the capture. Frames ${B[0]}-$BACK (frame:src port:seq:ack:len, relative): ${SO[*]}. Same frame count as burst.pcap. tshark marks frame $(fr "$OUT/out-of-order.pcap" tcp.analysis.lost_segment) 'previous segment not captured' and frame $(fr "$OUT/out-of-order.pcap" tcp.analysis.out_of_order) 'out-of-order' and, without out-of-order reassembly (its default), does not dissect the MQTT in the latter, hence PUBLISH 2 in its counts."

E16="seq-clean.pcap with frames 1-$((P1 - 1)) removed by pcapedit -drop 1-$((P1 - 1)): both connections' handshakes, CONNECTs/CONNACKs and the subscriber's SUBSCRIBE/SUBACK are gone; the file starts with the publisher's first PUBLISH (frame 1) and both streams start mid-connection."

FF=$WORK/midstream-v5-full.pcap
F=$OUT/midstream-v5.pcap
E21="tcpdump -i lo; an MQTT 5.0 session by rawsend client mid5, recorded whole and then cut by pcapedit -drop 1-$((M5PUB - 1)), which removes every frame before the client's PUBLISH, i.e. the handshake, CONNECT and CONNACK (the dropped frames of the recording: $(framelist "$FF" "frame.number < $M5PUB")). The removed CONNECT was 10 16 ... (MQTT 5.0, clean start, keep alive 60, session-expiry-interval 30, client id mid5) and mosquitto had accepted it (CONNACK reason 0 with properties). What remains starts mid-connection, with no CONNECT to tell the protocol level: frame 1 is the client's QoS 1 PUBLISH, exactly one MQTT packet starting at the first payload byte: 32 29 00 0b nobody/home, packet id 1, properties (length 20) user-property k=v (26 00 01 6b 00 01 76) and content-type text/plain (03 00 0a ...), payload hello; nobody is subscribed to nobody/home, so the broker answers with the v5 PUBACK 40 03 00 01 10 (remaining length 3, reason code 0x10 No matching subscribers, frame $(frames "$F" "tcp.srcport==1883 && tcp.len>0")); then the client's DISCONNECT e0 00 and the close. Remaining frames: $(framelist "$F" "frame.number > 0"). Without the CONNECT tshark 4.0 does not know the version (expert note 'Unknown version (missing the CONNECT packet?)') and dissects the PUBLISH without properties: its Message is the property length, the properties and hello ($(ts -r "$F" -Y "frame.number==1" -T fields -e mqtt.msg))."

F=$OUT/snaplen-96.pcap
E17="tcpdump -i lo -s 96 while rawsend sends the seed session (as in onenet-esp8266.pcapng): every frame longer than 96 bytes is stored truncated (frame: wire length -> stored): $(ts -r "$F" -Y 'frame.cap_len < frame.len' -T fields -e frame.number -e frame.len -e frame.cap_len | awk '{printf "%s%s: %s -> %s", (NR>1?", ":""), $1, $2, $3}') (CONNECT, SUBSCRIBE, PUBLISH)."

NQ=$(nframes "$OUT/mqtt31.pcap")
E18="a copy of mqtt31.pcap with its last 30 bytes removed (pcapedit -cut -30): record $NQ (a 66-byte frame, $(ts -r "$OUT/mqtt31.pcap" -Y "frame.number==$NQ" -T fields -e _ws.col.Info | sed 's/ Seq=.*//')) is cut short, so the file ends inside a record; tshark reads $((NQ - 1)) frames and then reports that the file appears to have been cut short in the middle of a packet."

F=$OUT/big-publish.pcap
read -r -a BIGF <<<"$(frames "$F" "tcp.dstport==1883 && tcp.len>0")"
E19="tcpdump -i lo (lo MTU 1500, GSO off); mosquitto_pub -q 1 -t big/payload -f a 20000-byte text payload: the 20019-byte PUBLISH (remaining length 20016, a 3-byte varint) spans $((${#BIGF[@]} - 2)) client segments, frames ${BIGF[1]}-${BIGF[-2]} (1448 bytes each but the last; tshark shows the reassembled PUBLISH in frame $(fr "$F" mqtt.msgtype==3)), then PUBACK (frame $(fr "$F" mqtt.msgtype==4)) and DISCONNECT. Client data segments (frame:bytes): $(seglist "$F" 1883)."

{
	cat <<'HEAD'
# Test captures

Real MQTT captures for the tests, recorded by `record.sh` in this directory.
Re-record (as root, Linux; needs `apt-get install tshark mosquitto mosquitto-clients tcpdump`, iproute2, openssl, Go):

    bash testdata/pcaps/record.sh

Everything is recorded on loopback inside a network namespace that the script creates
(`mqttpcap-rec`: nothing else on the wire; lo MTU 1500 with GSO/TSO off, so large writes
leave as real 1448-byte segments) against a fresh mosquitto 2.0.11 per capture on
127.0.0.1, with mosquitto_pub/_sub 2.0.11 or `internal/testtools/rawsend` (which sends
hand-written MQTT packets byte for byte, optionally split into several TCP segments) as
clients. The onenet-post-reply, onenet-set, onenet-expired and onenet-2402 captures use
`internal/testtools/onenetbroker` instead of mosquitto: mochi-mqtt v2.7.9 with a hook that
plays the OneNET Studio platform (checks the CONNECT's token, answers property/post, sends
property/set requests). Derived captures are made from real ones with `internal/testtools/pcapedit`.
**This file is generated by record.sh**: a new recording changes timestamps, client ports
and timing-dependent details, and rewrites the numbers below to match.

"MQTT counts" are the MQTT messages per type that
`tshark -r FILE -Y mqtt -T fields -e frame.number -e tcp.stream -e mqtt.msgtype` reports
(a frame listing `3,14` counts once for each type). They are what tshark
sees, which is not always what is on the wire: see the notes on the split, length-bug,
multi-iface, snaplen and derived captures. Frame numbers are tshark's (1-based).

HEAD
	echo "Recorded $(date -u +%Y-%m-%d) with $(mosquitto -h 2>/dev/null | head -1 || true), $(tcpdump --version 2>&1 | head -1), $(dumpcap --version 2>/dev/null | head -1), mochi-mqtt/server $(awk '$1 == "github.com/mochi-mqtt/server/v2" { print $2 }' "$ROOT/go.mod") (in onenetbroker), counted with $(tshark --version 2>/dev/null | head -1), Linux $(uname -r)."
	echo
	entry onenet-esp8266.pcapng "$E1"
	entry onenet-esp8266-split.pcap "$E2"
	entry onenet-length-bug.pcap "$E3"
	entry onenet-refused.pcap "$E4"
	entry onenet-post-reply.pcap "$E22"
	entry onenet-set.pcap "$E23"
	entry onenet-expired.pcap "$E24"
	entry onenet-2402.pcap "$E25"
	entry mosquitto-v311.pcap "$E5"
	entry mosquitto-v5.pcapng "$E6"
	entry mqtt31.pcap "$E7"
	entry tls-8883.pcap "$E8"
	entry port6002.pcap "$E9" "-d tcp.port==6002,mqtt"
	entry any-sll2.pcap "$E10"
	entry multi-iface.pcapng "$E11"
	entry seq-clean.pcap "$E12"
	entry gap-lost-segment.pcap "$E13"
	entry retransmission.pcap "$E15"
	entry midstream.pcap "$E16"
	entry burst.pcap "$E14"
	entry out-of-order.pcap "$E20"
	entry midstream-v5.pcap "$E21"
	entry snaplen-96.pcap "$E17"
	entry cut-short.pcap "$E18"
	entry big-publish.pcap "$E19"
	echo
	echo "Total: $(du -cb "$OUT"/*.pcap "$OUT"/*.pcapng | tail -1 | cut -f1) bytes in $(find "$OUT" -name '*.pcap*' | wc -l) captures."
} >"$OUT/README.md"

# Keep the Transports section, which record-transports.sh writes (before
# the crafted captures' section, which must stay last).
if grep -q '^## Transports' "$HERE/README.md"; then
	{
		echo
		awk '/^## Transports/ { p = 1 } p && /^## / && !/^## Transports/ { p = 0 } p' "$HERE/README.md"
	} >>"$OUT/README.md"
fi

# The crafted captures (craftpcaps writes them and their README section).
log "crafted captures"
craftpcaps -out "$OUT" -readme "$OUT/README.md"

# Everything worked: replace the old files.
mv -f "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT"/README.md "$HERE"/
log "done: $(du -ch "$HERE"/*.pcap "$HERE"/*.pcapng | tail -1 | cut -f1) in $HERE"
