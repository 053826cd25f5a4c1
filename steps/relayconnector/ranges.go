package relayconnector

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/secex/wizard/steps"
)

// RemoteRange is one entry of a receive connector's RemoteIPRanges: a
// single IPv4 address, a CIDR network or a first-last range, in the three
// forms New-ReceiveConnector documents. It keeps the first and last
// address so that its breadth can be judged.
type RemoteRange struct {
	First, Last netip.Addr
	text        string
}

// String is the range in the form the connector is given it.
func (r RemoteRange) String() string { return r.text }

// Size is the number of addresses the range covers.
func (r RemoteRange) Size() uint64 {
	return uint64(u32(r.Last)) - uint64(u32(r.First)) + 1
}

// Private reports whether the whole range lies in the private networks
// of RFC 1918.
func (r RemoteRange) Private() bool {
	for _, p := range privateNets {
		if p.Contains(r.First) && p.Contains(r.Last) {
			return true
		}
	}
	return false
}

var privateNets = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

// MaxRangeSize is the most addresses one range may cover: a /16. A relay
// connector is for a known set of applications and devices; a range wider
// than that lets every computer of a large network, or of the internet,
// send anywhere through the organisation.
const MaxRangeSize = 1 << 16

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// ParseRemoteRange reads one relay client entry: 192.168.5.10,
// 192.168.5.0/24 or 192.168.5.10-192.168.5.20. Addresses are parsed with
// steps.ParseIPv4 and networks with steps.ParsePrefix, so leading zeros
// and host bits are refused as elsewhere. A range wider than MaxRangeSize
// is refused: with relay permission it would be an open relay.
func ParseRemoteRange(s string) (RemoteRange, error) {
	s = strings.TrimSpace(s)
	var r RemoteRange
	switch {
	case strings.Contains(s, "/"):
		p, err := steps.ParsePrefix(s)
		if err != nil {
			return r, err
		}
		r = RemoteRange{First: p.Addr(), text: p.String()}
		last := u32(p.Addr()) | uint32(uint64(1)<<(32-p.Bits())-1)
		r.Last = netip.AddrFrom4([4]byte{byte(last >> 24), byte(last >> 16), byte(last >> 8), byte(last)})
		if p.Bits() == 32 {
			r.text = p.Addr().String()
		}
	case strings.Contains(s, "-"):
		a, b, _ := strings.Cut(s, "-")
		first, err := steps.ParseIPv4(a)
		if err != nil {
			return r, fmt.Errorf("first address of the range: %w", err)
		}
		last, err := steps.ParseIPv4(b)
		if err != nil {
			return r, fmt.Errorf("last address of the range: %w", err)
		}
		if last.Less(first) {
			return r, fmt.Errorf("the range ends (%s) before it starts (%s); give the lower address first", last, first)
		}
		r = RemoteRange{First: first, Last: last, text: first.String() + "-" + last.String()}
		if first == last {
			r.text = first.String()
		}
	default:
		a, err := steps.ParseIPv4(s)
		if err != nil {
			return r, err
		}
		r = RemoteRange{First: a, Last: a, text: a.String()}
	}
	if r.First.IsUnspecified() || r.Size() > MaxRangeSize {
		return r, errors.New("the range " + r.text + " covers more than 65,536 addresses; with relay permission that is an open relay. List the applications' and devices' own addresses or small networks")
	}
	return r, nil
}

// parseRemoteLine is the list question's line parser.
func parseRemoteLine(s string) (string, error) {
	r, err := ParseRemoteRange(s)
	if err != nil {
		return "", fmt.Errorf("relay clients: %w", err)
	}
	return r.String(), nil
}
