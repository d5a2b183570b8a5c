//go:build !linux && !darwin

package capture

// OpenLive starts a capture on an interface: not implemented on this
// system (Linux uses AF_PACKET, macOS /dev/bpf).
func OpenLive(opts LiveOptions) (Live, error) {
	return nil, ErrLiveUnsupported
}
