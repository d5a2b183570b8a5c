package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mqttpcap/mqttpcap/capture"
)

func newInterfacesCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "interfaces",
		Short: "List the network interfaces live can capture on",
		Long: `List the network interfaces, with their state and addresses, by the names
'mqttpcap live -i' takes. On Linux, "any" captures all of them at once.
Listing needs no privileges; capturing does (see mqttpcap live --help).`,
		Example: `  mqttpcap interfaces
  sudo mqttpcap live -i "$(mqttpcap interfaces | awk '/loopback/ {print $1; exit}')"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ifs, err := systemInterfaces()
			if err != nil {
				return withCode(exitInput, fmt.Errorf("interfaces: %w", err))
			}
			return writeInterfaces(g.ios.Out, ifs, runtime.GOOS)
		},
	}
}

// ifaceInfo is what `interfaces` shows of one interface.
type ifaceInfo struct {
	Name  string
	Up    bool
	Loop  bool
	Addrs []string
}

func systemInterfaces() ([]ifaceInfo, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	out := make([]ifaceInfo, 0, len(ifs))
	for _, ifc := range ifs {
		info := ifaceInfo{Name: ifc.Name, Up: ifc.Flags&net.FlagUp != 0, Loop: ifc.Flags&net.FlagLoopback != 0}
		if addrs, err := ifc.Addrs(); err == nil {
			for _, a := range addrs {
				info.Addrs = append(info.Addrs, a.String())
			}
		}
		out = append(out, info)
	}
	return out, nil
}

// writeInterfaces prints one interface per line: name, state, addresses.
func writeInterfaces(w io.Writer, ifs []ifaceInfo, goos string) error {
	width := 3
	for _, ifc := range ifs {
		width = max(width, len(ifc.Name))
	}
	var b strings.Builder
	for _, ifc := range ifs {
		state := "down"
		if ifc.Up {
			state = "up"
		}
		if ifc.Loop {
			state += ", loopback"
		}
		addrs := strings.Join(ifc.Addrs, " ")
		if addrs == "" {
			addrs = "(no address)"
		}
		fmt.Fprintf(&b, "%-*s  %-14s  %s\n", width, ifc.Name, state, addrs)
	}
	if goos == "linux" {
		fmt.Fprintf(&b, "%-*s  %-14s  %s\n", width, "any", "", "all interfaces at once")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// interfaceNames are the names live takes, for completion and hints.
func interfaceNames() []string {
	ifs, _ := net.Interfaces()
	names := make([]string, 0, len(ifs)+1)
	for _, ifc := range ifs {
		names = append(names, ifc.Name)
	}
	if runtime.GOOS == "linux" {
		names = append(names, "any")
	}
	return names
}

func availableList() string {
	names := interfaceNames()
	if len(names) == 0 {
		return "none found"
	}
	return strings.Join(names, ", ") + " (mqttpcap interfaces lists them with addresses)"
}

func netInterfaceByIndex(index int) (*net.Interface, error) { return net.InterfaceByIndex(index) }

// liveOpenError turns a failure to start a capture into one line naming
// the interface, with what to do about it.
func liveOpenError(name string, err error) error {
	return liveOpenErrorFor(runtime.GOOS, name, err, availableList())
}

func liveOpenErrorFor(goos, name string, err error, available string) error {
	var oe *capture.OpenError
	switch {
	case errors.Is(err, capture.ErrNoInterface):
		return withCode(exitInput, fmt.Errorf("live: interface %q not found", name), "available: "+available)
	case errors.Is(err, fs.ErrPermission):
		what := "a raw socket"
		if errors.As(err, &oe) {
			what = oe.Device
		}
		hint := `run as root, or: sudo setcap cap_net_raw,cap_net_admin+eip "$(command -v mqttpcap)"`
		if goos == "darwin" {
			hint = "run with sudo, or give your user access to /dev/bpf* with Wireshark's ChmodBPF (Wireshark's installer offers it)"
		}
		return withCode(exitInput, fmt.Errorf("live: %s: permission denied opening %s", name, what), hint)
	case errors.Is(err, capture.ErrInterfaceDown):
		hint := "bring it up: sudo ip link set " + name + " up"
		if goos == "darwin" {
			hint = "bring it up: sudo ifconfig " + name + " up"
		}
		return withCode(exitInput, fmt.Errorf("live: %s: %w", name, err), hint)
	case errors.Is(err, capture.ErrLiveUnsupported):
		return withCode(exitInput, fmt.Errorf("live: live capture is not supported on %s", goos),
			"capture with Wireshark or tcpdump -w, then run: mqttpcap read FILE")
	}
	return withCode(exitInput, fmt.Errorf("live: %s: %w", name, err))
}
