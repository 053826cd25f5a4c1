// Package probe tests real endpoints against what a plan expects: a
// certificate file, a TLS endpoint (and the OWA path behind it) and an SMTP
// server. Each probe returns a Report of Checks, each with the value the
// plan expects, the value observed and a one-line reason, so that a
// verify step can be run, passes or fails with its cause, and is kept as
// evidence.
//
// Probes only read: the SMTP relay attempts stop after RCPT and never send
// DATA, redirects are reported and never followed, and every network step
// has a timeout. Which hosts may be probed is decided by the caller (the
// web allows only the project's own names and addresses).
package probe

import (
	"context"
	"net"
	"time"
)

// Result is the outcome of one check.
type Result string

// The results.
const (
	Pass    Result = "pass"
	Fail    Result = "fail"
	Skipped Result = "skipped"
)

// Check is one comparison of an observed value with the plan's.
type Check struct {
	ID       string `json:"id"`
	Expected string `json:"expected"`
	Observed string `json:"observed"`
	Result   Result `json:"result"`
	Reason   string `json:"reason"`
}

// Report is one probe's run.
type Report struct {
	Target    string    `json:"target"`
	StartedAt time.Time `json:"startedAt"`
	Checks    []Check   `json:"checks"`
}

// Failed reports whether any check failed.
func (r Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Result == Fail {
			return true
		}
	}
	return false
}

func (r *Report) add(id, expected, observed string, res Result, reason string) {
	r.Checks = append(r.Checks, Check{ID: id, Expected: expected, Observed: observed, Result: res, Reason: reason})
}

func (r *Report) pass(id, expected, observed, reason string) {
	r.add(id, expected, observed, Pass, reason)
}

func (r *Report) fail(id, expected, observed, reason string) {
	r.add(id, expected, observed, Fail, reason)
}

func (r *Report) skip(id, expected, reason string) {
	r.add(id, expected, "", Skipped, reason)
}

// Network is how probes reach endpoints.
type Network struct {
	// Connect bounds each connection attempt; Whole bounds a probe.
	Connect, Whole time.Duration
	// Source, when valid, is the local address connections come from (an
	// allowed-relay attempt must come from a listed address).
	Source net.IP
	// Now is the clock, for certificate validity.
	Now func() time.Time
	// Route, when set, maps the address a plan names to the one dialled;
	// a test uses it to reach its own servers on 127.0.0.1 under the
	// public addresses a project names.
	Route func(addr string) string
}

// DefaultNetwork has the documented timeouts: 5 seconds to connect, 30
// seconds for a whole probe.
func DefaultNetwork() Network {
	return Network{Connect: 5 * time.Second, Whole: 30 * time.Second, Now: time.Now}
}

func (n Network) now() time.Time {
	if n.Now == nil {
		return time.Now()
	}
	return n.Now()
}

func (n Network) dial(ctx context.Context, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: n.Connect}
	if n.Source != nil {
		d.LocalAddr = &net.TCPAddr{IP: n.Source}
	}
	if n.Route != nil {
		addr = n.Route(addr)
	}
	return d.DialContext(ctx, "tcp", addr)
}

func (n Network) whole(ctx context.Context) (context.Context, context.CancelFunc) {
	w := n.Whole
	if w <= 0 {
		w = 30 * time.Second
	}
	return context.WithTimeout(ctx, w)
}

// bound gives c the probe's deadline: the whole probe's, and never more
// than the connect timeout again for an answer, so a silent peer cannot
// hold a probe open.
func (n Network) bound(ctx context.Context, c net.Conn) {
	d := n.Connect
	if d <= 0 {
		d = 5 * time.Second
	}
	dl := time.Now().Add(2 * d)
	if cd, ok := ctx.Deadline(); ok && cd.Before(dl) {
		dl = cd
	}
	c.SetDeadline(dl)
}
