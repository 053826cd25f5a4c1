package screener

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/secex/wizard/steps"
)

// The values of the filter rules. They are typed by administrators, end up
// in the runbook and the checklists, and are typed again into ISA
// Management, so each is held to a form that means the same in all three
// places.

var mailboxChars = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$`)

// ParseMailbox checks the part of a sender's address before the @:
// 1 to 64 letters, digits, dots, hyphens and underscores, starting and
// ending with a letter or digit, without two dots in a row. Quoted local
// parts and the rarer characters the mail standards allow are refused:
// spammers' addresses are blocked by domain far more often, and a plain
// mailbox name reads the same in every console.
func ParseMailbox(s string) (string, error) {
	s = strings.TrimSpace(s)
	const form = "Enter the part of the address before the @, such as offers or j.smith: letters, digits, dots, hyphens and underscores"
	switch {
	case s == "":
		return "", errors.New(form)
	case strings.Contains(s, "@"):
		return "", errors.New("A sender address has one @")
	case len(s) > 64:
		return "", errors.New("The part before the @ has at most 64 characters")
	case strings.Contains(s, ".."):
		return "", errors.New("The part before the @ cannot hold two dots in a row")
	case !mailboxChars.MatchString(s):
		return "", errors.New(form + ", starting and ending with a letter or digit")
	}
	return strings.ToLower(s), nil
}

// ParseSenderAddress joins a mailbox and a domain into a sender address
// for the filter's list of senders, checking both.
func ParseSenderAddress(mailbox, domain string) (string, error) {
	m, err := ParseMailbox(mailbox)
	if err != nil {
		return "", err
	}
	d, err := ParseSenderDomain(domain)
	if err != nil {
		return "", err
	}
	return m + "@" + string(d), nil
}

// ParseSender checks a sender address for the filter's list of senders,
// typed whole: mailbox@domain.
func ParseSender(s string) (string, error) {
	mailbox, domain, ok := strings.Cut(strings.TrimSpace(s), "@")
	switch {
	case !ok:
		return "", errors.New("Enter the whole address, such as offers@bulk.example.net")
	case strings.Contains(domain, "@"):
		return "", errors.New("A sender address has one @")
	case strings.TrimSpace(mailbox) == "":
		return "", errors.New("The part before the @ is missing; enter the whole address, such as offers@bulk.example.net")
	case strings.TrimSpace(domain) == "":
		return "", errors.New("The domain after the @ is missing; enter the whole address, such as offers@bulk.example.net")
	}
	return ParseSenderAddress(mailbox, domain)
}

// ParseSenderDomain checks a domain whose mail the filter rejects: a DNS
// name of at least two labels, without wildcards (the filter matches the
// domain as typed).
func ParseSenderDomain(s string) (steps.FQDN, error) {
	d, err := steps.ParseFQDN(s)
	if err != nil {
		return "", errors.New(strings.Replace(err.Error(), "mail01.corp.example.com", "spam.example.net", 1))
	}
	return d, nil
}

var keywordChars = regexp.MustCompile(`^[A-Za-z0-9 .'()&/-]+$`)

// ParseKeyword checks a word or phrase the filter looks for. Spaces are
// collapsed. It starts with a letter or digit and holds at least three,
// because the filter matches it anywhere in the text, so that "ad" would
// also catch "address" and "admin"; and it may hold only letters, digits,
// spaces and . ' ( ) & / -, which read the same on paper and in ISA
// Management.
func ParseKeyword(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		return "", errors.New("Enter a word or phrase")
	case len(s) > 64:
		return "", errors.New("A keyword has at most 64 characters")
	case !keywordChars.MatchString(s):
		for _, r := range s {
			if !keywordChars.MatchString(string(r)) {
				return "", fmt.Errorf("The keyword contains %s; use letters, digits, spaces and . ' ( ) & / - only", describe(r))
			}
		}
		return "", errors.New("Use letters, digits, spaces and . ' ( ) & / - only")
	case !isAlnum(rune(s[0])):
		return "", errors.New("Start the keyword with a letter or digit")
	case alnum(s) < 3:
		return "", fmt.Errorf("%q is too short: the filter finds a keyword inside longer words, so use at least three letters or digits", s)
	}
	return s, nil
}

func describe(r rune) string {
	switch {
	case r == '\n' || r == '\r':
		return "a line break"
	case r < 0x20 || r == 0x7f:
		return "a control character"
	case r >= 0x80:
		return fmt.Sprintf("the character %q, which is not plain ASCII", r)
	}
	return fmt.Sprintf("the character %q", r)
}

// SameOrWithin reports whether d is the domain o or one of its subdomains
// (or the other way round): blocking it would block o's own mail.
func SameOrWithin(d, o steps.FQDN) bool {
	if d == "" || o == "" {
		return false
	}
	return d == o || strings.HasSuffix(string(d), "."+string(o)) || strings.HasSuffix(string(o), "."+string(d))
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func alnum(s string) int {
	n := 0
	for _, r := range s {
		if isAlnum(r) {
			n++
		}
	}
	return n
}
