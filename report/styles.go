package report

import (
	"sync"

	"charm.land/lipgloss/v2"

	"github.com/mqttpcap/mqttpcap/decode"
)

// style is a lipgloss style that renders only when output is styled, so
// plain output costs nothing and has no escape codes at all. It holds the
// lipgloss.Style (several hundred bytes) by pointer: styles are copied on
// the packet list's hot path.
type style struct {
	s  *lipgloss.Style
	on bool
}

func (s style) Render(x string) string {
	if !s.on || s.s == nil {
		return x
	}
	return s.s.Render(x)
}

// styleOf makes a style of a lipgloss style.
func styleOf(s lipgloss.Style, on bool) style { return style{s: &s, on: on} }

type styles struct {
	header, frame, dim, client, server style
	problem, warn, event               style
	connect, publish, ack, sub, ping   style
	disconnect, bad, group, field      style
	ok                                 style
	plain                              style // never styled
}

// newStyles returns the styles, plain or styled, made once (lipgloss styles
// take some making: the hexdump of every packet of -V asks for them) and
// read-only after.
func newStyles(on bool) styles {
	if on {
		return styleSets[1]()
	}
	return styleSets[0]()
}

var styleSets = [2]func() styles{
	sync.OnceValue(func() styles { return makeStyles(false) }),
	sync.OnceValue(func() styles { return makeStyles(true) }),
}

// Colours are ANSI 256 indexes: they downsample well to 16 colours and read
// on dark and light backgrounds alike.
func makeStyles(on bool) styles {
	mk := func(s lipgloss.Style) style { return styleOf(s, on) }
	fg := func(c string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(c)) }
	return styles{
		header:     mk(lipgloss.NewStyle().Bold(true)),
		frame:      mk(fg("245")),
		dim:        mk(lipgloss.NewStyle().Faint(true)),
		client:     mk(fg("39")),
		server:     mk(fg("208")),
		problem:    mk(fg("196").Bold(true)),
		warn:       mk(fg("214")),
		event:      mk(fg("170").Bold(true)),
		connect:    mk(fg("33").Bold(true)),
		publish:    mk(fg("35").Bold(true)),
		ack:        mk(fg("36")),
		sub:        mk(fg("141").Bold(true)),
		ping:       mk(fg("244")),
		disconnect: mk(fg("167").Bold(true)),
		bad:        mk(fg("196").Bold(true).Reverse(true)),
		group:      mk(lipgloss.NewStyle().Bold(true)),
		field:      mk(fg("110")),
		ok:         mk(fg("35").Bold(true)),
	}
}

func (s styles) typeStyle(t decode.Type) style {
	switch t {
	case decode.CONNECT, decode.CONNACK, decode.AUTH:
		return s.connect
	case decode.PUBLISH:
		return s.publish
	case decode.PUBACK, decode.PUBREC, decode.PUBREL, decode.PUBCOMP:
		return s.ack
	case decode.SUBSCRIBE, decode.SUBACK, decode.UNSUBSCRIBE, decode.UNSUBACK:
		return s.sub
	case decode.PINGREQ, decode.PINGRESP:
		return s.ping
	case decode.DISCONNECT:
		return s.disconnect
	}
	return s.bad
}
