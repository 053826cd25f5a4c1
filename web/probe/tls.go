package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
)

// TLSPlan is what the plan expects of a TLS endpoint.
type TLSPlan struct {
	Addr       string // host:port to connect to
	ServerName string // the name sent as SNI and checked on the certificate
	Cert       CertPlan
	// OWAPath, when set, is asked for over TLS: it must challenge for
	// Basic authentication, or with FormsSignIn send the browser to the
	// sign-in page of Outlook on the web on the same host.
	OWAPath     string
	FormsSignIn bool
	// HTTPAddr, when set, is the plain-HTTP host:port that must refuse
	// the connection or redirect to HTTPS.
	HTTPAddr string
}

var versions = []struct {
	v    uint16
	name string
	ok   bool
}{
	{tls.VersionTLS10, "TLS 1.0", false},
	{tls.VersionTLS11, "TLS 1.1", false},
	{tls.VersionTLS12, "TLS 1.2", true},
	{tls.VersionTLS13, "TLS 1.3", true},
}

// Unreachable reports whether the probe could not reach its target at
// all, which the command line reports with its own exit status.
func (r Report) Unreachable() bool {
	return len(r.Checks) > 0 && r.Checks[0].ID == "connect" && r.Checks[0].Result == Fail
}

// ProbeTLS connects to plan.Addr and checks its certificate, protocol
// versions and cipher, and the plain-HTTP and OWA checks the plan asks.
func (n Network) ProbeTLS(ctx context.Context, plan TLSPlan) Report {
	ctx, cancel := n.whole(ctx)
	defer cancel()
	now := n.now()
	r := Report{Target: plan.Addr, StartedAt: now.UTC()}
	if plan.Cert.Names == nil && plan.ServerName != "" {
		plan.Cert.Names = []string{plan.ServerName}
	}
	c, err := n.dial(ctx, plan.Addr)
	if err != nil {
		r.fail("connect", "a TLS server at "+plan.Addr, dialWord(err), "Cannot reach "+plan.Addr+": check the address, that the service runs and that the firewall passes it")
		return r
	}
	c.Close()
	state, err := n.handshake(ctx, plan, 0)
	if err != nil {
		r.pass("connect", "a TLS server at "+plan.Addr, "connected", "The endpoint answers")
		r.fail("tls.handshake", "a TLS handshake", shortTLSErr(err), "The server accepts connections but completes no TLS handshake; check that the listener has a certificate bound")
		return r
	}
	r.pass("connect", "a TLS server at "+plan.Addr, "connected", "The endpoint answers")
	checkCert(&r, state.PeerCertificates[0], state.PeerCertificates[1:], plan.Cert, now)

	var offered, bad []string
	for _, v := range versions {
		if _, err := n.handshake(ctx, plan, v.v); err == nil {
			offered = append(offered, v.name)
			if !v.ok {
				bad = append(bad, v.name)
			}
		}
	}
	if len(bad) > 0 {
		r.fail("tls.versions", "TLS 1.2 or later only", strings.Join(offered, ", "), "Turn off "+strings.Join(bad, " and ")+" on the server (they are broken and refused by current clients)")
	} else {
		r.pass("tls.versions", "TLS 1.2 or later only", orDash(strings.Join(offered, ", ")), "Only current protocol versions are offered")
	}

	suite := tls.CipherSuiteName(state.CipherSuite)
	if slices.ContainsFunc(tls.InsecureCipherSuites(), func(s *tls.CipherSuite) bool { return s.ID == state.CipherSuite }) {
		r.fail("tls.cipher", "a secure cipher suite", suite, "The server prefers an insecure cipher suite; turn off RC4, 3DES and CBC-SHA1 suites")
	} else {
		r.pass("tls.cipher", "a secure cipher suite", suite, "The negotiated cipher suite is secure")
	}

	if plan.HTTPAddr != "" {
		n.checkPlainHTTP(ctx, &r, plan)
	}
	if plan.OWAPath != "" {
		n.checkOWAAuth(ctx, &r, plan)
	}
	return r
}

// handshake makes one TLS connection; v pins the protocol version, zero
// lets the server choose among all that Go speaks.
func (n Network) handshake(ctx context.Context, plan TLSPlan, v uint16) (tls.ConnectionState, error) {
	c, err := n.dial(ctx, plan.Addr)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer c.Close()
	n.bound(ctx, c)
	cfg := &tls.Config{ServerName: plan.ServerName, InsecureSkipVerify: true, MinVersion: tls.VersionTLS10} // #nosec: verified by checkCert
	if v != 0 {
		cfg.MinVersion, cfg.MaxVersion = v, v
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, err
	}
	return tc.ConnectionState(), nil
}

// checkPlainHTTP: port 80 must refuse or redirect to https. A timeout is a
// failure: a firewall that drops the packets says nothing about what the
// server would do.
func (n Network) checkPlainHTTP(ctx context.Context, r *Report, plan TLSPlan) {
	const want = "refused, or a redirect to https:// on the same host"
	c, err := n.dial(ctx, plan.HTTPAddr)
	if err != nil {
		if isRefused(err) {
			r.pass("http.plain", want, "connection refused", "Plain HTTP is not served")
			return
		}
		r.fail("http.plain", want, dialWord(err), "No answer on "+plan.HTTPAddr+" within the timeout, so the probe cannot tell whether plain HTTP is refused or redirected; a firewall that drops port 80 hides the server's behaviour. Probe from where the packets reach the server, or have the firewall refuse (reset) instead of drop")
		return
	}
	defer c.Close()
	n.bound(ctx, c)
	path := plan.OWAPath
	if path == "" {
		path = "/"
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+plan.ServerName+path, nil)
	if err := req.Write(c); err != nil {
		r.fail("http.plain", want, "write failed: "+err.Error(), "The connection was accepted but closed at once")
		return
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		r.fail("http.plain", want, "no HTTP answer", "Port "+plan.HTTPAddr+" accepts connections but does not answer HTTP; check what listens there")
		return
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	observed := resp.Status
	if loc != "" {
		observed += " to " + loc
	}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		u, err := url.Parse(loc)
		if err != nil || u.Scheme != "https" {
			r.fail("http.plain", want, observed, "The redirect does not go to https://; users would stay on plain HTTP")
		} else if !strings.EqualFold(u.Hostname(), plan.ServerName) {
			r.fail("http.plain", want, observed, "The redirect goes to another host than "+plan.ServerName+"; it is not followed. Redirect to https://"+plan.ServerName+path)
		} else {
			r.pass("http.plain", want, observed, "Plain HTTP is redirected to HTTPS on the same host")
		}
	case strings.Contains(strings.ToLower(strings.Join(resp.Header.Values("WWW-Authenticate"), " ")), "basic"):
		r.fail("http.plain", want, observed+" asking for Basic", "The server asks for a Basic password over plain HTTP, which sends it in clear text; refuse port 80 or redirect it to HTTPS")
	case resp.StatusCode >= 400 && resp.StatusCode < 500:
		r.pass("http.plain", want, observed, "Plain HTTP is refused")
	default:
		r.fail("http.plain", want, observed, "Plain HTTP is served; refuse port 80 or redirect it to https://"+plan.ServerName+path)
	}
}

// checkOWAAuth asks for the OWA path over TLS and reads the challenges.
func (n Network) checkOWAAuth(ctx context.Context, r *Report, plan TLSPlan) {
	const want = "401 asking for Basic authentication"
	tr := &http.Transport{
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return n.dial(ctx, plan.Addr) },
		TLSClientConfig:   &tls.Config{ServerName: plan.ServerName, InsecureSkipVerify: true}, // #nosec: verified by checkCert
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 2 * n.Connect, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+plan.ServerName+plan.OWAPath, nil)
	resp, err := client.Do(req)
	if err != nil {
		r.fail("owa.auth", want, "no answer: "+shortTLSErr(err), "The OWA path did not answer over TLS")
		return
	}
	resp.Body.Close()
	if plan.FormsSignIn {
		checkFormsSignIn(r, plan, resp)
		return
	}
	var schemes []string
	for _, h := range resp.Header.Values("WWW-Authenticate") {
		s, _, _ := strings.Cut(strings.TrimSpace(h), " ")
		schemes = append(schemes, s)
	}
	observed := resp.Status
	if len(schemes) > 0 {
		observed += " offering " + strings.Join(schemes, ", ")
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized && slices.ContainsFunc(schemes, func(s string) bool { return strings.EqualFold(s, "Basic") }):
		r.pass("owa.auth", want, observed, "OWA asks for credentials over TLS")
	case resp.StatusCode == http.StatusUnauthorized:
		r.fail("owa.auth", want, observed, "OWA does not offer Basic authentication, which the plan publishes through ISA; enable Basic on the Exchange virtual directory")
	case resp.StatusCode < 300:
		r.fail("owa.auth", want, observed, "OWA answered without asking for credentials; turn off anonymous access on "+plan.OWAPath)
	default:
		r.fail("owa.auth", want, observed, fmt.Sprintf("OWA answered %s instead of asking for credentials; check the path %s", resp.Status, plan.OWAPath))
	}
}

// checkFormsSignIn reads the answer of Exchange Server 2019 or SE's
// Outlook on the web, which signs users in with a form: the path must
// redirect to the sign-in page on the same host over HTTPS, never answer
// anonymously or send the browser elsewhere.
func checkFormsSignIn(r *Report, plan TLSPlan, resp *http.Response) {
	const want = "a redirect to the sign-in page /owa/auth/logon.aspx over HTTPS on the same host"
	loc, _ := resp.Location()
	observed := resp.Status
	if loc != nil {
		observed += " to " + loc.String()
	}
	switch {
	case loc != nil && resp.StatusCode >= 300 && resp.StatusCode < 400 && loc.Scheme == "https" &&
		strings.EqualFold(loc.Hostname(), plan.ServerName) && strings.HasSuffix(strings.ToLower(loc.Path), "/auth/logon.aspx"):
		r.pass("owa.auth", want, observed, "Outlook on the web sends the browser to its sign-in page over TLS")
	case loc != nil && resp.StatusCode >= 300 && resp.StatusCode < 400:
		r.fail("owa.auth", want, observed, "The OWA path redirects somewhere other than its own sign-in page over HTTPS; check the proxy's publishing rule for "+plan.OWAPath)
	case resp.StatusCode == http.StatusUnauthorized:
		r.fail("owa.auth", want, observed, "The OWA path asks for credentials in the browser's own dialog instead of the sign-in page; forms-based authentication is off on the owa virtual directory, or the proxy pre-authenticates differently from the plan")
	case resp.StatusCode < 300:
		r.fail("owa.auth", want, observed, "The OWA path answered without asking anyone to sign in; check authentication on "+plan.OWAPath)
	default:
		r.fail("owa.auth", want, observed, fmt.Sprintf("The OWA path answered %s; check the path %s and the proxy's publishing rule", resp.Status, plan.OWAPath))
	}
}

func isRefused(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection refused")
}

func dialWord(err error) string {
	switch {
	case isRefused(err):
		return "connection refused"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "no answer (timed out)"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "no answer (timed out)"
	}
	return err.Error()
}

func shortTLSErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 && len(s)-i < 80 {
		return s[i+2:]
	}
	return s
}
