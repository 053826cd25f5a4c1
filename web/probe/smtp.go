package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/textproto"
	"strings"
)

// SMTPPlan is what the plan expects of an SMTP server.
type SMTPPlan struct {
	Addr     string // host:port
	HeloName string // the name the probe greets with
	// STARTTLS is whether the server must offer STARTTLS; Cert, when its
	// Names are set, is checked on the STARTTLS certificate.
	STARTTLS bool
	Cert     CertPlan
	// OutsideFrom and OutsideTo are the open-relay attempt: neither is a
	// domain the server accepts mail for, so RCPT must be refused.
	OutsideFrom, OutsideTo string
	// AllowedFrom, when set, is a listed address the probe connects from
	// for an allowed-relay attempt to AllowedTo, which must be accepted.
	AllowedFrom net.IP
	AllowedTo   string
	// LongHELORefused is whether a HELO longer than the Message
	// Screener's command limit must be refused.
	LongHELORefused bool
}

// LongHELOLength is the length of the probe's over-long HELO argument,
// well above the Message Screener's default command limit.
const LongHELOLength = 1100

// ProbeSMTP checks the banner, EHLO extensions, STARTTLS and its
// certificate, and the relay attempts. A relay attempt stops after RCPT:
// the probe never sends DATA, so no message is ever relayed.
func (n Network) ProbeSMTP(ctx context.Context, plan SMTPPlan) Report {
	ctx, cancel := n.whole(ctx)
	defer cancel()
	now := n.now()
	r := Report{Target: plan.Addr, StartedAt: now.UTC()}
	s, err := n.smtpSession(ctx, plan.Addr, nil)
	if err != nil {
		r.fail("connect", "an SMTP server at "+plan.Addr, dialWord(err), "Cannot reach "+plan.Addr+": check the address, that the SMTP service runs and that the firewall passes port 25")
		return r
	}
	defer s.close()
	r.pass("connect", "an SMTP server at "+plan.Addr, "connected", "The endpoint answers")
	code, banner, err := s.tp.ReadResponse(0)
	if err != nil || code != 220 {
		r.fail("smtp.banner", "220 greeting", fmt.Sprintf("%d %s", code, firstLine(banner)), "The server did not greet with 220; it is not ready to take mail")
		return r
	}
	r.pass("smtp.banner", "220 greeting", "220 "+firstLine(banner), "The server greets")

	ext, err := s.ehlo(plan.HeloName)
	if err != nil {
		r.fail("smtp.ehlo", "250 to EHLO", err.Error(), "The server refuses EHLO; an Exchange or IIS SMTP server accepts it")
		return r
	}
	r.pass("smtp.ehlo", "250 to EHLO", orDash(strings.Join(ext, ", ")), "The server lists its extensions")

	hasTLS := contains(ext, "STARTTLS")
	switch {
	case plan.STARTTLS && !hasTLS:
		r.fail("smtp.starttls", "STARTTLS offered", "not offered", "Bind a certificate to the SMTP virtual server so that it offers STARTTLS")
	case !plan.STARTTLS:
		r.skip("smtp.starttls", "not required by the plan", "The plan does not ask for STARTTLS here")
	default:
		r.pass("smtp.starttls", "STARTTLS offered", "offered", "The server offers STARTTLS")
		if code, msg, err := s.cmd(220, "STARTTLS"); err != nil {
			r.fail("smtp.starttls-handshake", "220 and a TLS handshake", fmt.Sprintf("%d %s", code, msg), "The server offers STARTTLS but refuses it")
		} else {
			tc := tls.Client(s.conn, &tls.Config{ServerName: plan.Cert.first(plan.Addr), InsecureSkipVerify: true, MinVersion: tls.VersionTLS10}) // #nosec: verified by checkCert
			if err := tc.HandshakeContext(ctx); err != nil {
				r.fail("smtp.starttls-handshake", "220 and a TLS handshake", shortTLSErr(err), "The TLS handshake after STARTTLS failed; check the certificate bound to the virtual server")
				return r
			}
			st := tc.ConnectionState()
			r.pass("smtp.starttls-handshake", "220 and a TLS handshake", tls.VersionName(st.Version)+" "+tls.CipherSuiteName(st.CipherSuite), "STARTTLS works")
			if len(plan.Cert.Names) > 0 {
				checkCert(&r, st.PeerCertificates[0], st.PeerCertificates[1:], plan.Cert, now)
			}
			s.conn = tc
			s.tp = textproto.NewConn(tc)
			if _, err := s.ehlo(plan.HeloName); err != nil {
				r.fail("smtp.ehlo-tls", "250 to EHLO after STARTTLS", err.Error(), "The server refuses EHLO inside TLS")
				return r
			}
		}
	}

	if plan.OutsideFrom != "" && plan.OutsideTo != "" {
		code, msg, stage := s.relay(plan.OutsideFrom, plan.OutsideTo)
		observed := fmt.Sprintf("%s: %d %s", stage, code, firstLine(msg))
		want := "RCPT to " + plan.OutsideTo + " refused (5xx)"
		switch {
		case stage == "RCPT" && code >= 500:
			r.pass("smtp.open-relay", want, observed, "The server refuses to relay for an outside sender")
		case stage == "RCPT" && code >= 200 && code < 300:
			r.fail("smtp.open-relay", want, observed, "Open relay: the server accepted a recipient outside the organisation from an outside sender. Restrict relaying to the listed computers and to authenticated users")
		case stage == "MAIL" && code >= 500:
			r.pass("smtp.open-relay", want, observed, "The server refuses the outside sender before RCPT, so it cannot relay for it")
		default:
			r.fail("smtp.open-relay", want, observed, "The answer does not show whether the server relays (a temporary 4xx is not a refusal); probe again")
		}
	} else {
		r.skip("smtp.open-relay", "a refused relay attempt", "The plan names no outside addresses for the attempt")
	}

	if plan.LongHELORefused {
		n.checkLongHELO(ctx, &r, plan)
	}
	if plan.AllowedFrom != nil && plan.AllowedTo != "" {
		n.checkAllowedRelay(ctx, &r, plan)
	}
	return r
}

func (n Network) checkLongHELO(ctx context.Context, r *Report, plan SMTPPlan) {
	want := fmt.Sprintf("HELO of %d characters refused", LongHELOLength)
	s, err := n.smtpSession(ctx, plan.Addr, nil)
	if err != nil {
		r.fail("smtp.long-helo", want, dialWord(err), "Could not connect a second time")
		return
	}
	defer s.close()
	if code, _, err := s.tp.ReadResponse(0); err != nil || code != 220 {
		r.fail("smtp.long-helo", want, "no greeting", "The server did not greet the second connection")
		return
	}
	long := strings.Repeat("a", LongHELOLength-len(".example")) + ".example"
	code, msg, err := s.cmd(250, "HELO %s", long)
	observed := fmt.Sprintf("%d %s", code, firstLine(msg))
	switch {
	case err == nil:
		r.fail("smtp.long-helo", want, observed, "The server accepts an over-long HELO; turn on the Message Screener's command-length limits")
	case code >= 500 || code == 0:
		r.pass("smtp.long-helo", want, orDash(strings.TrimSpace(observed)), "The over-long HELO is refused")
	default:
		r.fail("smtp.long-helo", want, observed, "A temporary answer is not a refusal; probe again")
	}
}

func (n Network) checkAllowedRelay(ctx context.Context, r *Report, plan SMTPPlan) {
	want := "RCPT to " + plan.AllowedTo + " accepted from " + plan.AllowedFrom.String()
	s, err := n.smtpSession(ctx, plan.Addr, plan.AllowedFrom)
	if err != nil {
		r.fail("smtp.allowed-relay", want, dialWord(err), "Could not connect from "+plan.AllowedFrom.String()+"; run the probe on a computer with that address")
		return
	}
	defer s.close()
	if code, _, err := s.tp.ReadResponse(0); err != nil || code != 220 {
		r.fail("smtp.allowed-relay", want, "no greeting", "The server did not greet")
		return
	}
	if _, err := s.ehlo(plan.HeloName); err != nil {
		r.fail("smtp.allowed-relay", want, err.Error(), "The server refuses EHLO")
		return
	}
	code, msg, stage := s.relay("postmaster@"+hostOf(plan.HeloName), plan.AllowedTo)
	observed := fmt.Sprintf("%s: %d %s", stage, code, firstLine(msg))
	if stage == "RCPT" && code >= 200 && code < 300 {
		r.pass("smtp.allowed-relay", want, observed, "A listed computer may relay")
	} else {
		r.fail("smtp.allowed-relay", want, observed, "A computer on the relay list was refused; add "+plan.AllowedFrom.String()+" to the virtual server's relay restrictions")
	}
}

type smtpSession struct {
	conn net.Conn
	tp   *textproto.Conn
}

func (n Network) smtpSession(ctx context.Context, addr string, from net.IP) (*smtpSession, error) {
	if from != nil {
		n.Source = from
	}
	c, err := n.dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	// A whole session shares the probe's deadline: servers may delay
	// answers to refused commands on purpose (tarpitting).
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	return &smtpSession{conn: c, tp: textproto.NewConn(c)}, nil
}

func (s *smtpSession) close() {
	s.tp.PrintfLine("QUIT")
	s.conn.Close()
}

func (s *smtpSession) cmd(expect int, format string, args ...any) (int, string, error) {
	id, err := s.tp.Cmd(format, args...)
	if err != nil {
		return 0, "", err
	}
	s.tp.StartResponse(id)
	defer s.tp.EndResponse(id)
	return s.tp.ReadResponse(expect)
}

func (s *smtpSession) ehlo(name string) ([]string, error) {
	code, msg, err := s.cmd(250, "EHLO %s", name)
	if err != nil {
		return nil, fmt.Errorf("%d %s", code, firstLine(msg))
	}
	lines := strings.Split(msg, "\n")
	var ext []string
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > 0 {
			ext = append(ext, strings.ToUpper(f[0]))
		}
	}
	return ext, nil
}

// relay tries MAIL and RCPT and resets; it never sends DATA.
func (s *smtpSession) relay(from, to string) (int, string, string) {
	defer s.cmd(250, "RSET")
	code, msg, err := s.cmd(250, "MAIL FROM:<%s>", from)
	if err != nil {
		return code, msg, "MAIL"
	}
	code, msg, _ = s.cmd(250, "RCPT TO:<%s>", to)
	return code, msg, "RCPT"
}

func contains(ext []string, e string) bool {
	for _, x := range ext {
		if x == e {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(l)
}

func hostOf(name string) string {
	if strings.Contains(name, ".") {
		return name
	}
	return name + ".invalid"
}

func (c CertPlan) first(addr string) string {
	if len(c.Names) > 0 {
		return c.Names[0]
	}
	h, _, _ := net.SplitHostPort(addr)
	return h
}
