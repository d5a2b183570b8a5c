package main

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/filter"
)

// newFiltersHelp is the "mqttpcap help filters" topic: the display-filter
// language of -Y, with every field.
func newFiltersHelp() *cobra.Command {
	// One field per entry, its description wrapped to fit 80 columns
	// beside the name and type.
	var fields strings.Builder
	const col = 2 + 18 + 1 + 11 + 1
	for _, f := range filter.Fields() {
		help := f.Help
		if len(f.Aliases) > 0 {
			help += " (also " + strings.Join(f.Aliases, ", ") + ")"
		}
		for i, line := range strings.Split(ansi.Wrap(help, 80-col, ""), "\n") {
			if i == 0 {
				fmt.Fprintf(&fields, "  %-18s %-11s %s\n", f.Name, f.Type, line)
			} else {
				fmt.Fprintf(&fields, "%*s%s\n", col, "", line)
			}
		}
	}
	return &cobra.Command{
		Use:   "filters",
		Short: "The display-filter language of -Y/--filter",
		Long: `-Y/--filter EXPR shows (and, with --export-hex, exports; with stats,
counts) only the records EXPR matches, in the spirit of Wireshark's display
filters.

  comparison   field op value      ops: == != < <= > >= contains matches
  combination  a && b   a || b   !a   (a)     (also: and, or, not)
  values       "strings" (\" \\), 123, 0x80, 1.5, true, false, bare words
  a bare field is true when the record has it and it is not 0/false/empty

A record is what --json prints one line for, with the same "kind": a packet
("mqtt"), an event ("event": a gap, TLS, a FIN...) or the end of a
connection ("connection": its summary row and OneNET verdict). One rule
holds for all three: a comparison on a field the record does not have is
false, and ! of it is true. So type == PUBLISH keeps PUBLISH packets,
stream == 3 keeps the packets, events and end of stream 3, frame > 100 every
record from frame 101 on, and !retain every record that is not a retained
PUBLISH (events and connection ends too; !retain && kind == mqtt for the
packets only).

Fields with several values (a SUBSCRIBE's topics, a SUBACK's codes, the
problems, addr and port) match when any value does. matches is a Go regular
expression search. client_id, username and keep_alive are the connection's
on every record of it, so they select a device's packets, events and
connection end. time is seconds since the first frame, as the list shows;
time.epoch is the capture time. Wireshark's field names work too
(frame.number, tcp.stream, mqtt.msgtype, mqtt.topic, ...: "also" below).

Fields:
` + fields.String() + `
Examples:
  mqttpcap read capture.pcapng -Y 'type == CONNECT'
  mqttpcap read capture.pcapng -Y 'client_id == "my_tv" && !(type == PINGREQ || type == PINGRESP)'
  mqttpcap read capture.pcapng -Y 'topic contains "property" && qos == 0'
  mqttpcap read capture.pcapng -Y 'topic matches "^\$sys/[^/]+/my_tv/"'
  mqttpcap read capture.pcapng -Y 'reason_code >= 0x80 || problem == "one_byte_length"'
  mqttpcap read capture.pcapng -Y 'time > 5 && time < 7.5'
  mqttpcap read capture.pcapng -Y 'tcp.stream == 3 && mqtt.msgtype == 3'
  mqttpcap read capture.pcapng -Y 'onenet.function == "thing/property/post"' --export-hex at
  mqttpcap read capture.pcapng -Y 'kind == "event" && event.type == "gap"'
  mqttpcap read capture.pcapng --json -Y 'kind == "connection" && onenet.status != ok'
  mqttpcap stats capture.pcapng -Y 'client_id == "my_tv"'`,
	}
}
