package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/docs"
)

// newOneNETHelp is the "mqttpcap help onenet" topic: what the OneNET layer
// checks and where the sections its findings cite ("onenet.md §2.3") are.
func newOneNETHelp() *cobra.Command {
	return &cobra.Command{
		Use:   "onenet [SECTION]",
		Short: "The OneNET checks, and the reference their findings cite (onenet.md §…)",
		Long: `mqttpcap reads the traffic of devices on China Mobile's OneNET platform
(Studio and the MQTT IoT suite; the legacy multi-protocol service on port
6002 by its topics) and says what the platform would make of it. Findings
follow their packet: "⚑" an error (the platform refuses it), "~" a warning
(unverified, or suspicious). --no-onenet turns the layer off.

The findings cite the OneNET reference mqttpcap is built from, as
"onenet.md §2.3". It is docs/onenet.md in the source, and in the binary:

  mqttpcap help onenet 2.3      print section 2.3 (URL encoding)
  mqttpcap help onenet 8        the unverified points and contradictions

The token (the CONNECT password; "mqttpcap token decode" explains one)
  structure (§2.1)   missing_field, duplicate_field, unknown_field,
                     malformed_field (a part without "="), field_order
  version (§2.1)     unknown_version, not_device_version
  res (§2.6)         res_not_device, product_level_res; username_mismatch and
                     client_id_mismatch against the CONNECT's username
                     (the product id) and client id (the device name)
  et (§2.5)          et_not_integer, et_milliseconds, expired (judged at the
                     capture time of the CONNECT, not now)
  method (§2.1)      unknown_method, method_upper_case
  sign (§2.4)        sign_not_base64, sign_length; with --key (or --key-file,
                     $MQTTPCAP_ONENET_KEY) the signature is verified:
                     sign_invalid. A key is never printed.
  encoding (§2.3)    not_percent_encoded, bad_percent_escape

Topics (§3.1, §3.3, §3.4) are named ("property report", "service invoke"...)
with their direction; wrong_direction (a device publishing on a
cloud-to-device topic), topic_product and topic_device (not the
CONNECT's), subscribe_uplink.

OneJSON payloads (§3.2): invalid_json, empty_payload, missing_id,
id_not_string, id_format, flat_params (params without {"value": ...}: the
platform answers 2402), time_seconds, missing_code. Replies are paired with
their requests by topic and id, with the latency.

Each OneNET connection ends with a verdict ("══ stream N OneNET verdict"):
ok, login_refused (CONNACK 4 or 5, §4.3), no_connack (the server closed
without one: the CONNECT broke a rule of §4.2), closed_after_publish
(§4.4), subscription_refused, error_reply, unanswered or problems, with its
reasons, most telling first. Filter on them with -Y 'onenet.status != ok',
on findings with -Y 'onenet.finding == "expired"'.`,
		Example: `  mqttpcap read capture.pcapng -Y 'onenet.finding || onenet.status'
  mqttpcap read capture.pcapng --key "$KEY"          # verify the token's signature too
  mqttpcap help onenet 2.6                           # the res forms and which key signs them`,
	}
}

// newHelpCmd is cobra's help command, plus sections of onenet.md:
// "mqttpcap help onenet 2.3".
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command | topic] [onenet section]",
		Short: "Help about any command, the filters, or the OneNET checks",
		Long: `Help about any command ("mqttpcap help read"), the display-filter language
("mqttpcap help filters"), the OneNET checks ("mqttpcap help onenet"), or a
section of the OneNET reference the findings cite ("mqttpcap help onenet 2.3").`,
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var names []string
			if len(args) == 0 {
				for _, sub := range c.Root().Commands() {
					if sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
						names = append(names, sub.Name())
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 2 && args[0] == "onenet" {
				s, ok := docs.Section(docs.OneNET(), args[1])
				if !ok {
					return usageErr(fmt.Errorf("help onenet: onenet.md has no section %q", args[1]),
						"sections are numbered 0 to 8, with subsections such as 2.3; mqttpcap help onenet lists the checks")
				}
				_, err := fmt.Fprint(c.OutOrStdout(), s)
				return err
			}
			cmd, rest, err := c.Root().Find(args)
			if err != nil || cmd == nil || len(rest) > 0 && cmd.Name() != "onenet" {
				return usageErr(errors.New("help: unknown help topic "+strings.Join(args, " ")),
					"run 'mqttpcap help' for the commands and topics")
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}
