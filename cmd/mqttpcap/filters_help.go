package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/filter"
)

// newFiltersHelp is the "mqttpcap help filters" topic: the display-filter
// language of -Y, with every field.
func newFiltersHelp() *cobra.Command {
	var fields strings.Builder
	for _, f := range filter.Fields() {
		fmt.Fprintf(&fields, "  %-20s %-11s %s\n", f.Name, f.Type, f.Help)
	}
	return &cobra.Command{
		Use:   "filters",
		Short: "The display-filter language of -Y/--filter",
		Long: `-Y/--filter EXPR shows (and, with --export-hex, exports) only the packets
EXPR matches, in the spirit of Wireshark's display filters.

  comparison   field op value      ops: == != < <= > >= contains matches
  combination  a && b   a || b   !a   (a)     (also: and, or, not)
  values       "strings" with \" and \\, 123, 0x80, true, false, or bare words
  a bare field is true when the packet has it and it is not 0/false/empty

A comparison on a field the packet does not have is false (and ! of it is
true): !retain matches every packet that is not a retained PUBLISH. Fields
with several values (a SUBSCRIBE's topics, a SUBACK's codes, the problems)
match when any value does. matches is a Go regular expression search.
client_id and username are the connection's, so they select every packet of
a device's connection. Events and connection ends are not packets: select
them with kind == "event" or event.type == "gap".

Fields:
` + fields.String() + `
Examples:
  mqttpcap read capture.pcapng -Y 'type == CONNECT'
  mqttpcap read capture.pcapng -Y 'client_id == "my_tv" && !(type == PINGREQ || type == PINGRESP)'
  mqttpcap read capture.pcapng -Y 'topic contains "property" && qos == 0'
  mqttpcap read capture.pcapng -Y 'topic matches "^\$sys/[^/]+/my_tv/"'
  mqttpcap read capture.pcapng -Y 'reason_code >= 0x80 || problem == "one_byte_length"'
  mqttpcap read capture.pcapng -Y 'onenet.function == "thing/property/post"' --export-hex at
  mqttpcap read capture.pcapng -Y 'kind == "event" && event.type == "gap"'`,
	}
}
