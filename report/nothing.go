package report

// noMQTT writes the notice of a capture without MQTT (what was there
// instead, and what to try) under the capture's heading of `stats`, so that
// an empty table is never all it says.
func noMQTT(b []byte, c *Collector, width int) []byte {
	if c.NoMQTT == "" {
		return b
	}
	for _, l := range wrapLines(c.NoMQTT, width, 4) {
		b = append(b, "  "+l+"\n"...)
	}
	return b
}
