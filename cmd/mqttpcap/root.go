package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every command takes.
type globalOptions struct {
	color string
	ios   *ioStreams
}

func newRootCmd(ios *ioStreams) *cobra.Command {
	g := &globalOptions{ios: ios}
	root := &cobra.Command{
		Use:   "mqttpcap",
		Short: "Decode the MQTT traffic in packet captures",
		Long: `mqttpcap turns packet captures of MQTT traffic into answers.

It reads a pcap or pcapng file (or standard input), reassembles every TCP
connection on the MQTT ports (1883 and 8883, or --port) and any connection
that opens with an MQTT CONNECT, and decodes every MQTT 3.1, 3.1.1 and 5.0
control packet field by field, with the bytes each field came from. Every
protocol violation is named with its byte offset and what was expected:
a remaining length written as one byte by an embedded encoder, reserved
flag bits, QoS 3, invalid UTF-8, a property not allowed in its packet, a
missing CONNECT... Gaps in the capture, TLS streams and bytes that are not
MQTT are reported as events instead of being decoded as garbage.

` + exitStatusHelp,
		Example: `  mqttpcap read capture.pcapng
  mqttpcap read capture.pcapng -V            # every field with its byte range
  mqttpcap read capture.pcapng --json | jq .  # JSON lines for scripts
  tcpdump -i any -w - port 1883 | mqttpcap read -
  sudo mqttpcap live -i eth0                 # decode the traffic of an interface as it happens`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.PersistentFlags().StringVar(&g.color, "color", "auto", "colour the output: auto (when stdout is a terminal and NO_COLOR is unset), always, never")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErr(fmt.Errorf("%s: %w", c.CommandPath(), err), "run '"+c.CommandPath()+" --help' for usage")
	})
	root.AddCommand(newReadCmd(g, nil), newTokenCmd(g), newReplayCmd(g), newEncodeCmd(g), newStatsCmd(g), newFiltersHelp())
	root.AddCommand(newLiveCmd(g, nil), newInterfacesCmd(g))
	root.AddCommand(newDecodeCmd(g, nil), newSendCmd(g))
	root.CompletionOptions.HiddenDefaultCmd = true
	return root
}

// validateColor checks the --color value.
func (g *globalOptions) validateColor() error {
	switch g.color {
	case "auto", "always", "never":
		return nil
	}
	return usageErr(fmt.Errorf("--color: %q is not auto, always or never", g.color))
}

// isUsage recognises cobra's own argument errors.
func isUsage(err error) bool {
	msg := err.Error()
	for _, s := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires ", "invalid argument"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return errors.Is(err, errUsage)
}

var errUsage = errors.New("usage")
