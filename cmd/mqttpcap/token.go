package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/onenet"
	"github.com/mqttpcap/mqttpcap/report"
)

// The token commands replace the web token generator and timestamp tool of
// the usual OneNET workflow (onenet.md §2).

func newTokenCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Generate, explain and verify OneNET access tokens",
		Long: `OneNET devices log in with an access token as the MQTT password:

  version=2018-10-31&res=products%2F<product>%2Fdevices%2F<device>&et=<expiry>&method=<md5|sha1|sha256>&sign=<signature>

"token gen" makes one, "token decode" explains one field by field and checks
it, "token verify" checks its signature with the access key.

` + exitStatusHelp,
	}
	cmd.AddCommand(newTokenGenCmd(g), newTokenDecodeCmd(g), newTokenVerifyCmd(g))
	return cmd
}

type tokenGenOptions struct {
	g                    *globalOptions
	product, device, key string
	expires, ttl         string
	method, version, res string
	now                  func() time.Time
}

func newTokenGenCmd(g *globalOptions) *cobra.Command {
	o := &tokenGenOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use:   "gen --product ID --device NAME --key KEY (--expires DATE | --ttl DURATION)",
		Short: "Generate a token for a device's CONNECT password",
		Long: `Generate a OneNET token, ready for the CONNECT password (or for
AT+MQTTLONGPASSWORD on an ESP8266). The key is the device's access key
(or the product's) as the OneNET console shows it, in base64; it can also
come from $` + keyEnv + `. The token is printed alone on stdout.`,
		Example: `  mqttpcap token gen --product VRqhDHF2wL --device my_tv --key "$KEY" --ttl 365d
  mqttpcap token gen --product VRqhDHF2wL --device my_tv --key "$KEY" --expires 2030-01-01 --method md5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runTokenGen(o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.product, "product", "", "product id (the CONNECT username)")
	f.StringVar(&o.device, "device", "", "device name (the CONNECT client id); empty for a product-level token")
	f.StringVar(&o.key, "key", "", "access key, base64 (or $"+keyEnv+")")
	f.StringVar(&o.expires, "expires", "", "expiry: a date (2030-01-01), a time (2030-01-01T08:00:00+08:00) or Unix seconds")
	f.StringVar(&o.ttl, "ttl", "", "expiry from now: 365d, 12h, 90m")
	f.StringVar(&o.method, "method", onenet.DefaultMethod, "signature method: md5, sha1 or sha256")
	f.StringVar(&o.version, "version", onenet.DeviceTokenVersion, "token version")
	f.StringVar(&o.res, "res", "", "resource, instead of products/{product}/devices/{device}")
	return cmd
}

func runTokenGen(o *tokenGenOptions) error {
	ios := o.g.ios
	key := o.key
	if key == "" {
		key = ios.getenv(keyEnv)
	}
	switch {
	case o.product == "" && o.res == "":
		return usageErr(errors.New("token gen: --product is required"))
	case key == "":
		return usageErr(errors.New("token gen: --key (or $" + keyEnv + ") is required"))
	case (o.expires == "") == (o.ttl == ""):
		return usageErr(errors.New("token gen: give one of --expires and --ttl"))
	}
	if err := checkKey(key); err != nil {
		return usageErr(fmt.Errorf("token gen: --key: %w", err))
	}
	var exp time.Time
	var err error
	if o.ttl != "" {
		d, err := parseTTL(o.ttl)
		if err != nil {
			return usageErr(fmt.Errorf("token gen: --ttl: %w", err))
		}
		exp = o.now().Add(d)
	} else if exp, err = parseWhen(o.expires); err != nil {
		return usageErr(fmt.Errorf("token gen: --expires: %w", err))
	}
	tok, err := onenet.Generate(onenet.GenerateOptions{ProductID: o.product, DeviceName: o.device, KeyBase64: key,
		Method: o.method, Version: o.version, Res: o.res, ExpiresAt: exp})
	if err != nil {
		return usageErr(fmt.Errorf("token gen: %w", err))
	}
	if _, err := fmt.Fprintln(ios.Out, tok); err != nil {
		return withCode(exitError, fmt.Errorf("writing the output: %w", err))
	}
	return nil
}

// parseTTL reads 365d, 12h, 90m, 30s (and Go durations).
func parseTTL(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a duration (365d, 12h, 90m)", s)
	}
	return d, nil
}

// parseWhen reads a date, an RFC 3339 time, or Unix seconds.
func parseWhen(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", time.DateTime, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2030-01-01), a time (2030-01-01T08:00:00+08:00) or Unix seconds", s)
}

// readTokenArg takes the token from the argument, or stdin for "-" (keeps
// it out of the shell history).
func readTokenArg(ios *ioStreams, arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	b, err := io.ReadAll(io.LimitReader(ios.In, 1<<16))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

type tokenDecodeOptions struct {
	g                  *globalOptions
	keys               keyOptions
	username, clientID string
	at                 string
	now                func() time.Time
}

func newTokenDecodeCmd(g *globalOptions) *cobra.Command {
	o := &tokenDecodeOptions{g: g, now: time.Now}
	cmd := &cobra.Command{
		Use:   "decode TOKEN",
		Short: "Explain a token field by field and check it",
		Long: `Explain a OneNET token: every field, its decoded value, the expiry in UTC
and Beijing time, and every check that needs no key (onenet.md §2.8). With
--username and --client-id it is compared with the CONNECT's; with a key
the signature is verified too. Use - to read the token from standard input.

EXIT STATUS
  0    the token has no error (warnings may be listed)
  2    bad flags or arguments
  3    the text is not a OneNET token
  5    the token has an error OneNET refuses it for (expired, bad res,
       unknown method...), or its signature does not verify with --key`,
		Example: `  mqttpcap token decode 'version=2018-10-31&res=products%2FVRqhDHF2wL%2Fdevices%2Fmy_tv&et=1661245031&method=md5&sign=y4iDPu6Yp84FO7sxpcdcSQ%3D%3D'
  mqttpcap token decode - --username VRqhDHF2wL --client-id my_tv < token.txt`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(errors.New("token decode: expected one token (or - for standard input)"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runTokenDecode(cmd.Context(), o, args[0]) },
	}
	f := cmd.Flags()
	f.StringVar(&o.username, "username", "", "the CONNECT username, to check it is the product id")
	f.StringVar(&o.clientID, "client-id", "", "the CONNECT client id, to check it is the device name")
	f.StringVar(&o.at, "at", "", "judge the expiry at this time instead of now (a date, RFC 3339 or Unix seconds)")
	o.keys.addFlags(f)
	return cmd
}

func runTokenDecode(_ context.Context, o *tokenDecodeOptions, arg string) error {
	ios := o.g.ios
	text, err := readTokenArg(ios, arg)
	if err != nil {
		return withCode(exitInput, fmt.Errorf("token decode: %w", err))
	}
	tok, err := onenet.ParseToken(text)
	if err != nil {
		return withCode(exitInput, fmt.Errorf("token decode: %w", err),
			"a OneNET token looks like version=2018-10-31&res=products%2F…&et=…&method=…&sign=…")
	}
	at, atName := o.now(), "now"
	if o.at != "" {
		atName = o.at
		if at, err = parseWhen(o.at); err != nil {
			return usageErr(fmt.Errorf("token decode: --at: %w", err))
		}
	}
	keyFn, err := o.keys.keyFunc(ios)
	if err != nil {
		return err
	}
	out, errs := report.ExplainToken(nil, tok, report.TokenOptions{Key: keyFn,
		Check: onenet.CheckContext{Username: o.username, ClientID: o.clientID, At: at, AtName: atName}})
	if _, err := ios.Out.Write(out); err != nil {
		return withCode(exitError, fmt.Errorf("writing the output: %w", err))
	}
	if errs > 0 {
		// The explanation is on stdout; the status says the platform
		// would refuse this token, for scripts.
		return withCode(exitRefused, fmt.Errorf("token decode: %s: OneNET refuses this token", plural(errs, "error")))
	}
	return nil
}

// plural is "1 error", "3 errors".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

type tokenVerifyOptions struct {
	g    *globalOptions
	keys keyOptions
}

func newTokenVerifyCmd(g *globalOptions) *cobra.Command {
	o := &tokenVerifyOptions{g: g}
	cmd := &cobra.Command{
		Use:   "verify TOKEN --key KEY",
		Short: "Check a token's signature with the access key",
		Long: `Recompute a token's signature with the access key and compare. Exit
status 0 when it verifies, 5 when it does not. Use - to read the token from
standard input.`,
		Example: `  mqttpcap token verify "$TOKEN" --key "$KEY"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(errors.New("token verify: expected one token (or - for standard input)"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runTokenVerify(o, args[0]) },
	}
	o.keys.addFlags(cmd.Flags())
	return cmd
}

func runTokenVerify(o *tokenVerifyOptions, arg string) error {
	ios := o.g.ios
	text, err := readTokenArg(ios, arg)
	if err != nil {
		return withCode(exitInput, fmt.Errorf("token verify: %w", err))
	}
	tok, err := onenet.ParseToken(text)
	if err != nil {
		return withCode(exitInput, fmt.Errorf("token verify: %w", err))
	}
	keyFn, err := o.keys.keyFunc(ios)
	if err != nil {
		return err
	}
	if keyFn == nil {
		return usageErr(errors.New("token verify: --key (or --key-file, or $" + keyEnv + ") is required"))
	}
	key, ok := keyFn(tok.ProductID, tok.DeviceName)
	if !ok {
		return usageErr(fmt.Errorf("token verify: no key for product %q device %q in --key-file", tok.ProductID, tok.DeviceName))
	}
	valid, err := tok.Verify(key)
	if err != nil {
		return withCode(exitInput, fmt.Errorf("token verify: %w", err))
	}
	if !valid {
		fmt.Fprintln(ios.Out, "signature INVALID: the token was not signed with this key (or its fields were changed)")
		return withCode(exitRefused, errors.New("token verify: the signature does not verify"))
	}
	if _, err := fmt.Fprintln(ios.Out, "signature valid"); err != nil {
		return withCode(exitError, fmt.Errorf("writing the output: %w", err))
	}
	return nil
}
