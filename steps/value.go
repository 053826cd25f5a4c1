package steps

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The value types below are parsed once when an administrator types them and
// again when a file is generated. A string that does not parse never reaches
// a script, so the encoders in steps/script only ever see values that are
// already known to be well formed.

// FQDN is a fully qualified DNS host name, lower-case, without a trailing dot.
type FQDN string

// isLabel reports whether s is 1 to max letters, digits and hyphens, not
// starting or ending with a hyphen, its letters all lower case (a-z) or
// all upper case (A-Z): a DNS label (max 63) or a NetBIOS name (max 15).
// Names are checked for every server in several procedures, so this is
// done by hand rather than with a regular expression.
func isLabel(s string, max int, upper bool) bool {
	if s == "" || len(s) > max || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	lo, hi := byte('a'), byte('z')
	if upper {
		lo, hi = 'A', 'Z'
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= lo && c <= hi || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// ParseFQDN normalises s (trims spaces, lower-cases, drops one trailing dot)
// and checks it is a host name of at least two labels made of letters,
// digits and hyphens. Wildcards and international characters are refused:
// the certificates and tools of the guide's era cannot use them.
func ParseFQDN(s string) (FQDN, error) { return ParseDNSName(s, "mail01.corp.example.com") }

// ParseDNSName is ParseFQDN for a field whose example is not a server's
// name (a domain, a published host): each message ends with the field's
// own example, so that what to type is shown in the field's terms.
func ParseDNSName(s, example string) (FQDN, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, ".")
	like := "Enter it as in " + example
	wrong := func(problem string) (FQDN, error) { return "", errors.New(problem + ". " + like) }
	switch {
	case s == "":
		return "", errors.New("Enter the name, as in " + example)
	case strings.Contains(s, "://"):
		return wrong("Enter the name only, without http:// or https://")
	case strings.Contains(s, "@"):
		return wrong("This is an e-mail address; enter the DNS name only")
	case strings.ContainsAny(s, "/\\"):
		return wrong("Enter the name only, without a path or a slash")
	case strings.Contains(s, ":"):
		return wrong("Enter the name only, without a port number")
	case strings.ContainsFunc(s, unicode.IsSpace):
		return wrong("Remove the space: a DNS name has no spaces")
	case len(s) > 253:
		return wrong("The name is longer than 253 characters")
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return wrong("Enter the full name with its domain, not only the first part")
	}
	for _, l := range labels {
		switch {
		case l == "":
			return wrong("The name has two dots in a row")
		case strings.Contains(l, "*"):
			return wrong("Wildcard names cannot be used here")
		case len(l) > 63:
			return wrong(fmt.Sprintf("The part %q is longer than 63 characters", l))
		case !isLabel(l, 63, false):
			return wrong(fmt.Sprintf("The part %q may only hold letters, digits and hyphens, and cannot start or end with a hyphen", l))
		}
	}
	if _, err := strconv.Atoi(labels[len(labels)-1]); err == nil {
		return wrong("This is an IP address; enter the DNS name")
	}
	return FQDN(s), nil
}

// Host returns the first label of the name.
func (f FQDN) Host() string {
	h, _, _ := strings.Cut(string(f), ".")
	return h
}

// NetBIOSName is a computer's NetBIOS name, upper-case, 1 to 15 characters.
type NetBIOSName string

// ParseNetBIOSName normalises s to upper case and checks it. Only letters,
// digits and hyphens are accepted: the other characters Windows tolerates in
// NetBIOS names are also the ones that break command lines.
func ParseNetBIOSName(s string) (NetBIOSName, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	const form = "Enter the NetBIOS name in the form EXBE01: 1 to 15 letters, digits or hyphens"
	if s == "" {
		return "", errors.New(form)
	}
	if len(s) > 15 {
		return "", fmt.Errorf("The name has %d characters; a NetBIOS name has at most 15. %s", len(s), form)
	}
	if !isLabel(s, 15, true) {
		return "", errors.New(form + ", not starting or ending with a hyphen")
	}
	if strings.Trim(s, "0123456789") == "" {
		return "", errors.New("A NetBIOS name cannot be only digits. " + form)
	}
	return NetBIOSName(s), nil
}

// ParseIPv4 parses a dotted-quad unicast address. Leading zeros are refused
// (some Windows tools read 010 as octal), as are addresses that can never
// belong to a server: unspecified, broadcast, loopback and multicast.
func ParseIPv4(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	const form = "Enter the IPv4 address in the form 192.168.10.25"
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		if strings.Contains(s, "/") {
			return netip.Addr{}, errors.New("Enter a single address without a /prefix. " + form)
		}
		return netip.Addr{}, errors.New(form + " (four numbers from 0 to 255, no leading zeros)")
	}
	switch {
	case a.IsUnspecified():
		return netip.Addr{}, errors.New("0.0.0.0 is not a server address. " + form)
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return netip.Addr{}, errors.New("255.255.255.255 is the broadcast address, not a server address. " + form)
	case a.IsLoopback():
		return netip.Addr{}, errors.New("Loopback addresses (127.x.x.x) are not server addresses. " + form)
	case a.IsMulticast():
		return netip.Addr{}, errors.New("Multicast addresses (224.0.0.0 to 239.255.255.255) are not server addresses. " + form)
	}
	return a, nil
}

// ParsePrefix parses an IPv4 network in CIDR form (10.1.0.0/16); a single
// address is taken as /32. Host bits must be zero so that what the
// administrator reads is exactly the range that is granted.
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	const form = "Enter the network in the form 10.1.0.0/16, or a single address"
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return netip.Prefix{}, errors.New(form)
		}
		return netip.PrefixFrom(a, 32), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, errors.New(form + " (prefix length 0 to 32)")
	}
	if p != p.Masked() {
		return netip.Prefix{}, fmt.Errorf("%s has bits set after the prefix; the network is %s", s, p.Masked())
	}
	return p, nil
}

// ParsePort parses a TCP port number from 1 to 65535.
func ParsePort(s string) (uint16, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 65535 {
		return 0, errors.New("Enter a port number from 1 to 65535")
	}
	return uint16(n), nil
}

// ObjectName is the name of a directory or policy object: an OU, a Group
// Policy object, an IPSec policy, filter list or filter action. The allowed
// characters are those that need no quoting in any of the era's tools.
type ObjectName string

var objectNameChars = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,63}$`)

// ParseObjectName trims s and checks it against the allow-list.
func ParseObjectName(s string) (ObjectName, error) {
	s = strings.TrimSpace(s)
	const form = "Use 1 to 64 letters, digits, spaces, dots, hyphens, underscores or brackets, starting with a letter or digit"
	if s == "" {
		return "", errors.New("Enter a name. " + form)
	}
	if strings.EqualFold(s, "all") {
		return "", errors.New(`"all" is a reserved word in netsh; choose another name`)
	}
	if !objectNameChars.MatchString(s) {
		if bad := firstOutside(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._()-"); bad != "" {
			return "", fmt.Errorf("The name contains %s, which the IPSec and Group Policy tools cannot take safely. %s", bad, form)
		}
		return "", errors.New(form)
	}
	return ObjectName(s), nil
}

// CAConfig is a certification authority's configuration string, host\CA name,
// as certreq -config and certutil -config expect it.
type CAConfig string

var caHost = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$`)
var caName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,63}$`)

// ParseCAConfig checks s is exactly one host (FQDN or NetBIOS) and one CA
// name separated by a single backslash.
func ParseCAConfig(s string) (CAConfig, error) {
	s = strings.TrimSpace(s)
	const form = `Enter the CA configuration string in the form ca01.corp.example.com\Corp Issuing CA`
	host, name, ok := strings.Cut(s, `\`)
	if !ok || strings.Contains(name, `\`) {
		return "", errors.New(form + " (one backslash between the server and the CA name)")
	}
	if !caHost.MatchString(host) || strings.Contains(host, "..") {
		return "", errors.New("The server part is not a host name. " + form)
	}
	name = strings.TrimSpace(name)
	if !caName.MatchString(name) {
		return "", errors.New("The CA name may hold letters, digits, spaces, dots, hyphens, underscores and brackets. " + form)
	}
	return CAConfig(strings.ToLower(host) + `\` + name), nil
}

// Thumbprint is a certificate's SHA-1 thumbprint: 40 upper-case hex digits.
type Thumbprint string

// ParseThumbprint drops the spaces and the invisible left-to-right mark that
// the certificate console adds when a thumbprint is copied from it.
func ParseThumbprint(s string) (Thumbprint, error) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200e' || r == '\u200f' || r == ':' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
	if len(s) != 40 || strings.Trim(s, "0123456789ABCDEF") != "" {
		return "", errors.New("Enter the thumbprint as 40 hexadecimal digits, as the certificate's Details tab shows it")
	}
	return Thumbprint(s), nil
}

// SubjectText is a free-text part of a certificate subject or a label
// (organisation, department, city, state). It is limited to characters that
// need no escaping in an X.500 name or a certreq INF file.
type SubjectText string

var subjectChars = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 .'()&/-]{0,63}$`)

// ParseSubjectText trims s and checks it against the allow-list.
func ParseSubjectText(s string) (SubjectText, error) {
	s = strings.Join(strings.Fields(s), " ")
	if !subjectChars.MatchString(s) {
		if bad := firstOutside(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .'()&/-"); bad != "" {
			return "", fmt.Errorf("The text contains %s, which cannot go into a certificate name. Use letters, digits, spaces and . ' ( ) & / -", bad)
		}
		return "", errors.New("Enter 1 to 64 characters, starting with a letter or digit")
	}
	return SubjectText(s), nil
}

// firstOutside describes the first character of s that is not in allowed,
// in words an administrator can act on.
func firstOutside(s, allowed string) string {
	for _, r := range s {
		if !strings.ContainsRune(allowed, r) {
			switch {
			case r == '\n' || r == '\r':
				return "a line break"
			case r == '\t':
				return "a tab"
			case unicode.IsControl(r):
				return "a control character"
			case unicode.IsSpace(r):
				return "an unusual space character"
			default:
				return fmt.Sprintf("the character %q", r)
			}
		}
	}
	return ""
}

// CheckText checks free text typed into a field: valid UTF-8, at most max
// characters, and no control characters (line breaks and tabs only where
// multiline). It returns the problem in the field's words, or "". Text
// that fails reaches neither the database nor a file, so what is stored is
// always what the user can read back.
func CheckText(label, v string, max int, multiline bool) string {
	switch {
	case !utf8.ValidString(v):
		return label + ": the text holds bytes that are not characters (invalid UTF-8); type it again, or paste it from a plain-text editor"
	case utf8.RuneCountInString(v) > max:
		return fmt.Sprintf("%s: enter %d characters or fewer; this has %d", label, max, utf8.RuneCountInString(v))
	case strings.ContainsFunc(v, isBidiOverride):
		return label + ": remove the invisible text-direction characters (such as RIGHT-TO-LEFT OVERRIDE): they make text display differently from what it holds"
	case strings.ContainsFunc(v, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}):
		if multiline {
			return label + ": remove the control characters (such as NUL); only line breaks and tabs may be used"
		}
		return label + ": remove the control characters (such as NUL, tabs or line breaks)"
	}
	return ""
}

// isBidiOverride reports the bidirectional embedding, override and
// isolate controls, which can make a name or note read differently on a
// page from what it holds. Marks such as U+200F stay allowed.
func isBidiOverride(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}
