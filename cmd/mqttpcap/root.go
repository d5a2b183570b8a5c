package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	root.SetFlagErrorFunc(flagError)
	root.Version = buildVersion()
	root.SetVersionTemplate("mqttpcap {{.Version}}\n")
	root.AddCommand(newReadCmd(g, nil), newTokenCmd(g), newReplayCmd(g), newEncodeCmd(g), newStatsCmd(g), newFiltersHelp(), newOneNETHelp())
	root.SetHelpCommand(newHelpCmd())
	root.AddCommand(newLiveCmd(g, nil), newInterfacesCmd(g))
	root.AddCommand(newDecodeCmd(g, nil), newSendCmd(g), newUICmd(g, nil))
	_ = root.RegisterFlagCompletionFunc("color", fixedValues("auto\twhen stdout is a terminal and NO_COLOR is unset", "always", "never"))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		registerCompletions(c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
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

// flagError turns pflag's errors into one line naming the command and the
// flag, without Go's internals: `read: --port: "abc" is not a list of TCP
// ports`, not `mqttpcap read: invalid argument "abc" for "-p, --port" flag:
// strconv.ParseUint: parsing "abc": invalid syntax`.
func flagError(c *cobra.Command, err error) error {
	hint := "run '" + c.CommandPath() + " --help' for usage"
	var inv *pflag.InvalidValueError
	if errors.As(err, &inv) {
		f := inv.GetFlag()
		return usageErr(fmt.Errorf("%s: %s", flagName(f), invalidValue(f, inv.GetValue(), errors.Unwrap(inv))), hint)
	}
	if c.HasParent() {
		// "mqttpcap: read: unknown flag: --bogus", not "mqttpcap: mqttpcap read: ...".
		err = fmt.Errorf("%s: %w", strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" "), err)
	}
	return usageErr(err, hint)
}

// flagName is "-p/--port" or "--width".
func flagName(f *pflag.Flag) string {
	if f.Shorthand != "" {
		return "-" + f.Shorthand + "/--" + f.Name
	}
	return "--" + f.Name
}

// invalidValue says what is wrong with a flag's value in words: pflag's own
// parse errors (strconv's, time's) are replaced by what the flag takes;
// mqttpcap's flag types already say it.
func invalidValue(f *pflag.Flag, value string, cause error) string {
	switch f.Value.Type() {
	case "uintSlice":
		return fmt.Sprintf("%q is not a list of numbers (e.g. 1883 or 1883,6002)", value)
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return fmt.Sprintf("%q is not a whole number", value)
	case "duration":
		return fmt.Sprintf("%q is not a duration (e.g. 500ms, 30s, 10m, 2h)", value)
	case "bool":
		return fmt.Sprintf("%q is not true or false", value)
	}
	if cause == nil {
		return fmt.Sprintf("%q is not a valid value", value)
	}
	return cause.Error()
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
