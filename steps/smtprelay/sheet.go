package smtprelay

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script/text"
)

// Section is one part of a printed sheet: a title and its lines, already
// wrapped.
type Section struct {
	Title []string
	Lines []string
}

// Sheet renders a plain-text sheet for people (ASCII, CRLF, printable on
// paper) with the file header the other generated files carry. The SMTP
// procedures print their checklists and test sheets with it.
func Sheet(in steps.Input, step, target, purpose, runFirst, title string, intro []string, sections []Section) ([]byte, error) {
	lines := slices.Concat([]string{title}, intro)
	for _, s := range sections {
		lines = append(append(append(lines, ""), s.Title...), s.Lines...)
	}
	var b strings.Builder
	h := text.Header(header(in, step, target, purpose, runFirst))
	size := len(h)
	for _, l := range lines {
		size += len(l) + 1
	}
	b.Grow(size)
	b.WriteString(h)
	// Every line goes through the text encoder, which refuses anything but
	// one line of printable ASCII.
	for _, l := range lines {
		v, err := text.Value(l)
		if err != nil {
			return nil, err
		}
		b.WriteString(v)
		b.WriteByte('\n')
	}
	return text.File(b.String())
}

const width = 74

// Wrap breaks text for a sheet, indented by prefix.
func Wrap(s, prefix string) []string { return text.Wrap(s, prefix, prefix, width) }

// Checklist renders actions as an administrator's checklist: each action
// numbered with its server, its numbered instructions, the file to run,
// the interruption, and what to expect, verify and back out, followed by a
// tick box.
func Checklist(in steps.Input, step, target, title, purpose, runFirst string, actions []steps.Action) ([]byte, error) {
	var sections []Section
	for i, a := range actions {
		s := Section{Title: text.Wrap(strconv.Itoa(i+1)+". "+a.Title+" (on "+a.Target+")", "", "   ", width)}
		s.Lines = append(s.Lines, "")
		for n, d := range a.Do {
			num := strconv.Itoa(n+1) + ". "
			if n+1 < 10 {
				num = " " + num
			}
			s.Lines = append(s.Lines, text.Wrap(d, "  "+num, "      ", width)...)
		}
		add := func(label, body string) {
			if body != "" {
				s.Lines = append(s.Lines, "")
				s.Lines = append(s.Lines, text.Wrap(body, "   "+label+" ", "   ", width)...)
			}
		}
		add("Run:", a.Script)
		if a.Interrupts != "" {
			add("Interrupts:", a.Interrupts+", about "+Minutes(a.Minutes))
		}
		add("Expect:", a.Expect)
		add("Verify:", a.Verify)
		add("Backout:", a.Backout)
		s.Lines = append(s.Lines, "", "   [ ] Done     Time: ________   Initials: ________")
		sections = append(sections, s)
	}
	intro := []string{
		"",
		"Work through the items in order. Tick each one and initial it when its",
		"expected result is seen; stop and use its backout if it is not.",
	}
	return Sheet(in, step, target, purpose, runFirst, strings.ToUpper(title), intro, sections)
}

// Minutes writes a length of time in minutes, "1 minute" or "5 minutes".
func Minutes(n int) string {
	if n == 1 {
		return "1 minute"
	}
	return strconv.Itoa(n) + " minutes"
}

// Probe is one line of an SMTP conversation typed by hand: what to type,
// and the reply the server must give.
type Probe struct {
	Type   string // empty for the greeting on connect
	Expect string
}

// RelayProbes is the relay test of the guide: from an outside address to
// an outside address, which must be refused at RCPT TO, then to the
// organisation's own postmaster, which must be accepted. The addresses use
// example.net and example.org, which are reserved for examples and receive
// no mail, and the conversation ends before DATA, so no message is sent
// even when a server wrongly accepts. With allowed set, the server is
// being tested from an address that may relay, and RCPT TO the outside
// address must be accepted instead.
func RelayProbes(domain steps.FQDN, allowed bool) []Probe {
	outside := Probe{"RCPT TO:<probe@example.org>", "550 5.7.1 Unable to relay for probe@example.org. A reply starting with 250 here means the server relays for strangers: type QUIT, stop, and lock the relay list down before going on."}
	if allowed {
		outside = Probe{"RCPT TO:<probe@example.org>", "250 2.1.5: this address may relay. (The conversation ends before DATA, so nothing is sent.)"}
	}
	return []Probe{
		{"", "220 followed by the server's name: the connection is open. If it times out, the address or port is blocked on the way."},
		{"EHLO probe.example.net", "250 on each line of the reply."},
		{"MAIL FROM:<probe@example.net>", "250 2.1.0 Sender OK."},
		outside,
		{"RCPT TO:<postmaster@" + string(domain) + ">", "250 2.1.5: mail for " + string(domain) + " is accepted."},
		{"QUIT", "221 2.0.0 and the connection closes. No message was sent."},
	}
}

// TelnetSteps writes probes as instructions: where to run the test from,
// how to connect to host (a name or an address) on port 25, and each line
// to type with its expected reply.
func TelnetSteps(from, host string, probes []Probe) []string {
	out := []string{
		from,
		"Open a command prompt and type: telnet " + host + " 25. Windows 2000's telnet does not show what you type unless local echo is on: start telnet on its own, type set local_echo (set localecho on Windows XP and later), then open " + host + " 25. Type each line exactly and press Enter.",
	}
	for _, p := range probes {
		if p.Type == "" {
			out = append(out, "Expect: "+p.Expect)
			continue
		}
		out = append(out, "Type "+p.Type+" and expect: "+p.Expect)
	}
	return out
}

// OutsideHost is what a sender on the Internet connects to for the
// organisation's mail: the MX host of the organisation's description, or,
// when it names none, the address the ISA Server publishing procedure says
// public DNS gives for it. It is "" when neither is known.
func OutsideHost(in steps.Input) string {
	if mx := in.Topology.Facts.MXHost; mx != "" {
		if f, err := steps.ParseFQDN(string(mx)); err == nil && f == mx {
			return string(f)
		}
	}
	if a, err := steps.ParseIPv4(in.Of(publishID)[publishMXAddress]); err == nil {
		return a.String()
	}
	return ""
}

// OutsideSteps is the relay test from the Internet as instructions (see
// TelnetSteps), connecting to OutsideHost. When that is not known, it is
// one instruction saying so, and that the test counts as failed until it
// is: a test with no host to connect to proves nothing.
func OutsideSteps(in steps.Input) []string {
	host := OutsideHost(in)
	if host == "" {
		return []string{OutsideUnknown}
	}
	return TelnetSteps(OutsideFrom, host, RelayProbes(in.Topology.Facts.PublicDomain, false))
}

// OutsideUnknown stands for a test from outside when OutsideHost is not
// known.
const OutsideUnknown = "This test cannot be written out yet: the organisation's description names no MX host, and no ISA Server publishing of SMTP says which address senders reach. Enter the MX host on the page that describes the organisation and make the runbook again; until then, count this test as failed."

// The sender and recipient of the wizard's own open-relay attempts: both
// outside the organisation, in domains reserved for examples that
// receive no mail, and the attempt ends before DATA.
const (
	probeFrom = "probe@example.net"
	probeTo   = "probe@example.org"
)

// OutsideFrom is where the outside-in test is typed from.
const OutsideFrom = "Use a computer on the Internet, outside the organisation and outside every relay list (a home connection will do; if the connection times out, the provider may block port 25, so try another)."

// TestHost is an SMTP virtual server to test by hand: its server, the
// lists it was given, and, when ISA Server publishes it, the public name
// to test it from outside.
type TestHost struct {
	Server     steps.Server
	Domain     steps.FQDN // the organisation's public domain
	Outside    string     // what senders connect to (see OutsideHost), when the outside test belongs on this sheet
	ConnectAll bool
	Connect    []netip.Prefix
	Relay      []netip.Prefix
}

// TestSheet makes the relay test sheet of h, named name: from outside
// through the MX record when h is the published host, from a computer that
// may connect but not relay (which must be refused at RCPT TO), from a
// computer that may not connect at all, and from a computer that may
// relay (which must be accepted).
func TestSheet(in steps.Input, step, name string, h TestHost) (steps.File, error) {
	server := string(h.Server.Name)
	addr := h.Server.Addrs[0].String()
	var sections []Section
	section := func(title string, lines []string) {
		s := Section{Title: []string{strconv.Itoa(len(sections)+1) + ". " + title, ""}}
		for i, l := range lines {
			num := strconv.Itoa(i+1) + ". "
			if i+1 < 10 {
				num = " " + num
			}
			s.Lines = append(s.Lines, text.Wrap(l, "  "+num, "      ", width)...)
		}
		s.Lines = append(s.Lines, "", "   Result: [ ] as expected   [ ] not as expected    Initials: ________")
		sections = append(sections, s)
	}
	if h.Outside != "" {
		section("FROM OUTSIDE, THROUGH ISA SERVER AND THE MX RECORD", TelnetSteps(OutsideFrom, h.Outside, RelayProbes(h.Domain, false)))
	}
	if h.ConnectAll {
		section("FROM INSIDE, FROM A COMPUTER IN NO RELAY LIST", TelnetSteps(
			"Use a workstation of the internal network whose address is not in the relay list of "+server+".", addr, RelayProbes(h.Domain, false)))
	} else {
		var connectOnly []netip.Prefix
		for _, p := range h.Connect {
			if !Within(p, h.Relay) {
				connectOnly = append(connectOnly, p)
			}
		}
		if len(connectOnly) > 0 {
			section("FROM A COMPUTER THAT MAY CONNECT BUT NOT RELAY", TelnetSteps(
				"Use a computer in the connection list but not in the relay list of "+server+": "+hostsOf(in.Topology, connectOnly)+".", addr, RelayProbes(h.Domain, false)))
		}
		section("FROM A COMPUTER THAT MAY NOT CONNECT", []string{
			"Use a workstation whose address is not in the connection list of " + server + ".",
			"Open a command prompt and type: telnet " + addr + " 25.",
			"Expect: no 220 greeting. The server closes the connection at once or answers with a reply starting with 5; either way it takes no mail from this computer.",
			"If 220 appears, type QUIT: the connection list is not in force.",
		})
	}
	if len(h.Relay) > 0 {
		section("FROM A COMPUTER THAT MAY RELAY", TelnetSteps(
			"Use a computer allowed to relay through "+server+": "+hostsOf(in.Topology, h.Relay)+".", addr, RelayProbes(h.Domain, true)))
	}
	intro := append([]string{""}, Wrap("Each test types an SMTP conversation by hand and stops before DATA, so no message is ever sent. A server that accepts the outside recipient from an address that may not relay is an open relay: stop and lock it down before anything else.", "")...)
	body, err := Sheet(in, step, server, "Relay tests for "+server+", typed by hand with telnet", "the relay and connection lists of "+server,
		"RELAY TESTS FOR "+server, intro, sections)
	if err != nil {
		return steps.File{}, err
	}
	return steps.File{Target: server, Name: name, Kind: steps.FileGuide, Body: body}, nil
}

// hostsOf describes prefixes for people, naming the servers whose address
// a single-address entry is. The reader is to pick one computer from the
// list, so a long list is cut after its first few entries with a count of
// the rest: a sheet for each of a hundred servers need not repeat a
// hundred addresses that the scripts' own headers already list in full.
func hostsOf(t steps.Topology, ps []netip.Prefix) string {
	const shown = 6
	rest := 0
	if len(ps) > shown {
		ps, rest = ps[:shown], len(ps)-shown
	}
	named := map[netip.Addr]string{}
	for _, p := range ps {
		if p.Bits() == 32 {
			named[p.Addr()] = ""
		}
	}
	if len(named) > 0 {
		for _, s := range t.Servers {
			for _, a := range s.Addrs {
				if n, ok := named[a]; ok && n == "" {
					named[a] = string(s.Name)
				}
			}
		}
	}
	out := make([]string, 0, len(ps)+1)
	for _, p := range ps {
		if n := named[p.Addr()]; p.Bits() == 32 && n != "" {
			out = append(out, n+" ("+p.Addr().String()+")")
		} else {
			out = append(out, Describe(p))
		}
	}
	switch {
	case rest == 1:
		out = append(out, "or the one other entry of that list")
	case rest > 1:
		out = append(out, "or one of the "+strconv.Itoa(rest)+" other entries of that list")
	}
	return strings.Join(out, ", ")
}
