// Command onenetbroker is a small real MQTT broker (mochi-mqtt v2.7.9,
// embedded, its logging silenced) that plays the OneNET Studio platform for
// tests and testdata/pcaps/record.sh (onenet.md §2, §3.1-3.2, §4.3):
//
//   - Login: the CONNECT password must be a OneNET token in which
//     onenet.Check finds no Error for the CONNECT's username, client id and
//     the current time (e.g. not expired) and, with -key, whose sign
//     verifies. Otherwise the login is refused (mochi answers a 3.1.1 client
//     with CONNACK return code 5; OneNET documents 4, onenet.md §8 treats
//     them alike) and the reasons are logged on stderr.
//   - Replies: mochi silently drops client publishes to $sys/..., so an
//     OnPacketRead hook answers $sys/{pid}/{dev}/thing/property/post and
//     .../thing/event/post first: the inline client publishes
//     {"id":"<id>","code":200,"msg":"success"} on the topic + "/reply", or
//     code 2402 "request format error" if params are not in the
//     {"identifier":{"value":...}} form. Only a device subscribed to the
//     reply topic gets it. A QoS 1 $sys publish gets a PUBACK.
//   - Requests: -set-after D publishes {"id":"<-set-id>","version":"1.0",
//     "params":<-set-params>} on $sys/{pid}/{dev}/thing/property/set D after
//     a device subscribed to a filter matching it. Its set_reply is accepted
//     (and dropped by mochi).
//
// Helper modes for record.sh print one line and exit: -gen-token prints a
// device token for -product, -device, -key, -method (md5) and -expires
// (2099-01-01T00:00:00Z); -connect-hex prints as hex an MQTT 3.1.1 CONNECT
// (flags 0xC2, -keepalive 60) with client id -device, username -product
// and that token (or -token) as password.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/mqttpcap/mqttpcap/internal/testutil"
	"github.com/mqttpcap/mqttpcap/onenet"
)

var logf = log.New(os.Stderr, "onenetbroker: ", log.Ltime|log.Lmicroseconds).Printf

func main() {
	listen := flag.String("listen", "127.0.0.1:1883", "listen address")
	key := flag.String("key", "", "device access key (base64): logins must verify with it; also signs -gen-token/-connect-hex")
	setAfter := flag.Duration("set-after", 0, "publish a property/set request this long after a device subscribes to it (0: never)")
	setParams := flag.String("set-params", `{"wendu":25}`, "params of the property/set request (JSON)")
	setID := flag.String("set-id", "7", "id of the property/set request")
	genToken := flag.Bool("gen-token", false, "print a device token and exit")
	connectHex := flag.Bool("connect-hex", false, "print a CONNECT packet as hex and exit")
	product := flag.String("product", "", "product id (token res, CONNECT username)")
	device := flag.String("device", "", "device name (token res, CONNECT client id)")
	method := flag.String("method", "md5", "token signature method")
	expires := flag.String("expires", "2099-01-01T00:00:00Z", "token expiry (RFC 3339)")
	token := flag.String("token", "", "-connect-hex: use this password instead of generating a token")
	keepAlive := flag.Uint("keepalive", 60, "-connect-hex: keep alive in seconds")
	flag.Parse()

	if *genToken || *connectHex {
		tok := *token
		if tok == "" {
			at, err := time.Parse(time.RFC3339, *expires)
			if err == nil {
				tok, err = onenet.Generate(onenet.GenerateOptions{ProductID: *product, DeviceName: *device,
					KeyBase64: *key, Method: *method, ExpiresAt: at})
			}
			if err != nil {
				fail(err)
			}
		}
		if *genToken {
			fmt.Println(tok)
		} else {
			fmt.Println(hex.EncodeToString(connectPacket(*device, *product, tok, uint16(*keepAlive))))
		}
		return
	}

	var params bytes.Buffer
	if err := json.Compact(&params, []byte(*setParams)); err != nil {
		fail(fmt.Errorf("-set-params: %w", err))
	}
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := &platform{srv: srv, key: *key, setAfter: *setAfter, setID: *setID, setParams: params.Bytes()}
	tcp, err := testutil.NewTCPListener("onenet", *listen)
	if err != nil {
		fail(err)
	}
	if err := errors.Join(srv.AddHook(h, nil), srv.AddListener(tcp)); err != nil {
		fail(err)
	} else if err := srv.Serve(); err != nil {
		fail(err)
	}
	logf("listening on %s", tcp.Address())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	_ = srv.Close()
}

func fail(err error) { logf("%v", err); os.Exit(1) }

// connectPacket encodes an MQTT 3.1.1 CONNECT with flags 0xC2.
func connectPacket(clientID, username, password string, keepAlive uint16) []byte {
	body := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0xC2}
	body = binary.BigEndian.AppendUint16(body, keepAlive)
	for _, s := range []string{clientID, username, password} {
		body = binary.BigEndian.AppendUint16(body, uint16(len(s)))
		body = append(body, s...)
	}
	pkt := []byte{0x10}
	for n := len(body); ; { // remaining length, variable byte integer
		b := byte(n % 128)
		if n /= 128; n > 0 {
			b |= 0x80
		}
		if pkt = append(pkt, b); n == 0 {
			break
		}
	}
	return append(pkt, body...)
}

// platform is the mochi hook that plays OneNET.
type platform struct {
	mqtt.HookBase
	srv       *mqtt.Server
	key       string
	setAfter  time.Duration
	setID     string
	setParams []byte
}

func (h *platform) ID() string { return "onenet-platform" }

func (h *platform) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnPacketRead, mqtt.OnSubscribed}, []byte{b})
}

func (h *platform) OnACLCheck(*mqtt.Client, string, bool) bool { return true }

func (h *platform) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	user, id := string(pk.Connect.Username), pk.Connect.ClientIdentifier
	var why []string
	tok, err := onenet.ParseToken(string(pk.Connect.Password))
	if err != nil {
		why = append(why, "password is not a OneNET token: "+err.Error())
	} else {
		for _, f := range tok.Check(onenet.CheckContext{Username: user, ClientID: id, At: time.Now()}) {
			if f.Severity == onenet.Error {
				why = append(why, f.Code+": "+f.Message)
			}
		}
		if h.key != "" {
			if ok, err := tok.Verify(h.key); err != nil {
				why = append(why, "verify: "+err.Error())
			} else if !ok {
				why = append(why, "sign does not verify with -key")
			}
		}
	}
	if len(why) > 0 {
		logf("refused login of client %q user %q from %s: %s", id, user, cl.Net.Remote, strings.Join(why, "; "))
		return false
	}
	logf("accepted login of client %q user %q from %s", id, user, cl.Net.Remote)
	return true
}

// OnPacketRead answers property/post and event/post before mochi drops them.
func (h *platform) OnPacketRead(cl *mqtt.Client, pk packets.Packet) (packets.Packet, error) {
	if pk.FixedHeader.Type != packets.Publish || !strings.HasPrefix(pk.TopicName, "$sys/") {
		return pk, nil
	}
	if pk.FixedHeader.Qos == 1 { // mochi drops $sys publishes without a PUBACK; OneNET acknowledges
		_ = cl.WritePacket(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Puback}, PacketID: pk.PacketID})
	}
	lv := strings.Split(pk.TopicName, "/")
	if len(lv) != 6 || lv[3] != "thing" || (lv[4] != "property" && lv[4] != "event") || lv[5] != "post" {
		logf("client %q published on %s (no platform reply)", cl.ID, pk.TopicName)
		return pk, nil
	}
	if lv[1] != string(cl.Properties.Username) || lv[2] != cl.ID {
		logf("client %q user %q published on a foreign topic %s: ignored", cl.ID, cl.Properties.Username, pk.TopicName)
		return pk, nil
	}
	id, code, msg := check(pk.Payload)
	reply := fmt.Appendf(nil, `{"id":%s,"code":%d,"msg":%q}`, id, code, msg)
	h.publish(pk.TopicName+"/reply", reply)
	return pk, nil
}

// publish sends a platform message with the inline client (QoS 0).
func (h *platform) publish(topic string, payload []byte) {
	if err := h.srv.Publish(topic, payload, false, 0); err != nil {
		logf("publish on %s: %v", topic, err)
		return
	}
	logf("published on %s: %s", topic, payload)
}

// check reads a OneJSON post request (onenet.md §3.2) and returns the reply:
// the request's id (null if it has none) and 200 "success", or 2402
// "request format error" unless the id is a string and every params entry
// is an object with a "value".
func check(payload []byte) (id json.RawMessage, code int, msg string) {
	var req struct {
		ID     json.RawMessage            `json:"id"`
		Params map[string]json.RawMessage `json:"params"`
	}
	err := json.Unmarshal(payload, &req)
	id = json.RawMessage("null")
	if len(req.ID) > 0 {
		id = req.ID
	}
	ok := err == nil && req.Params != nil && id[0] == '"'
	for _, v := range req.Params {
		var w map[string]json.RawMessage
		ok = ok && json.Unmarshal(v, &w) == nil && w["value"] != nil
	}
	if !ok {
		return id, 2402, "request format error"
	}
	return id, 200, "success"
}

// OnSubscribed schedules the property/set request (-set-after).
func (h *platform) OnSubscribed(cl *mqtt.Client, pk packets.Packet, codes []byte) {
	if h.setAfter <= 0 || cl.Net.Inline {
		return
	}
	topic := "$sys/" + string(cl.Properties.Username) + "/" + cl.ID + "/thing/property/set"
	for i, sub := range pk.Filters {
		if i < len(codes) && codes[i] < 0x80 && matches(sub.Filter, topic) {
			id, _ := json.Marshal(h.setID)
			req := fmt.Appendf(nil, `{"id":%s,"version":"1.0","params":%s}`, id, h.setParams)
			time.AfterFunc(h.setAfter, func() { h.publish(topic, req) })
			return
		}
	}
}

// matches reports whether an MQTT topic filter matches topic.
func matches(filter, topic string) bool {
	f, t := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, p := range f {
		if p == "#" {
			return true
		}
		if i >= len(t) || (p != "+" && p != t[i]) {
			return false
		}
	}
	return len(f) == len(t)
}
