package screener

import (
	"bytes"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/smtprelay"
	"github.com/secex/wizard/steps/steptest"
)

const (
	reference = "testdata/contoso-reference"
	direct    = "testdata/fabrikam-direct"
)

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			if ok, why := Step.Applies(in.Topology); !ok {
				t.Fatalf("does not apply: %s", why)
			}
			for _, f := range Step.Check(in) {
				if f.Severity == steps.Error || dir == reference {
					t.Fatalf("scenario has findings: %+v", f)
				}
			}
			files, err := Step.Files(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
			steptest.Golden(t, dir, files)
		})
	}
}

// change returns the scenario's input with answers of any procedure
// replaced ("-" removes one) and the servers edited by server.
func change(t *testing.T, dir string, answers map[string]steps.Answers, server func(*steps.Server), facts func(*steps.Facts)) steps.Input {
	t.Helper()
	sc := steptest.Load(t, dir)
	all := map[string]steps.Answers{}
	for id, a := range sc.Answers {
		all[id] = steps.Answers{}
		for k, v := range a {
			all[id][k] = v
		}
	}
	for id, a := range answers {
		if all[id] == nil {
			all[id] = steps.Answers{}
		}
		for k, v := range a {
			if v == "-" {
				delete(all[id], k)
				continue
			}
			all[id][k] = v
		}
	}
	topo := sc.Topology
	topo.Servers = slices.Clone(topo.Servers)
	if server != nil {
		for i := range topo.Servers {
			server(&topo.Servers[i])
		}
	}
	if facts != nil {
		facts(&topo.Facts)
	}
	return steptest.NewInput(sc.Project, topo, all)
}

func mine(a steps.Answers) map[string]steps.Answers { return map[string]steps.Answers{ID: a} }

func TestCheck(t *testing.T) {
	role := func(name string, r steps.Role) func(*steps.Server) {
		return func(s *steps.Server) {
			if string(s.Name) == name {
				s.Roles = append(s.Roles, r)
			}
		}
	}
	tests := []struct {
		name    string
		answers map[string]steps.Answers
		server  func(*steps.Server)
		want    []string
	}{
		{name: "clean"},
		{name: "command limits off", answers: mine(steps.Answers{QCommandLimits: "no"}), want: []string{CodeCommandLimitsOff}},
		{name: "no Message Screener", answers: mine(steps.Answers{QUse: "no"}), want: []string{CodeNoScreener}},
		{name: "on an Exchange server", server: role("SCREEN01", steps.RoleBackEnd), want: []string{CodeOnExchange}},
		{name: "on the ISA Server", server: role("SCREEN01", steps.RoleISA), want: []string{CodeOnISA}},
		{name: "ISA publishes Exchange directly", answers: map[string]steps.Answers{smtpPublish: {"published-to": "exchange", "published-exchange": "EXBE01"}}, want: []string{CodeNotInMailPath}},
		{name: "gateway passes mail elsewhere", answers: map[string]steps.Answers{gatewayID: {gatewayDelivers: "exchange", "deliver-exchange": "EXBE01"}}, want: []string{CodeNotInMailPath}},
		{name: "same virtual server as the gateway", server: role("SMTPGW01", steps.RoleScreener),
			answers: mine(steps.Answers{QHost: "SMTPGW01", QConnectFrom: smtprelay.ConnectAll}), want: []string{CodeNotInMailPath, CodeSharesGatewayVS}},
		{name: "published directly but connections listed", answers: map[string]steps.Answers{smtpPublish: {"published-to": "screener", "published-screener": "SCREEN01"}, gatewayID: {gatewayDelivers: "exchange", "deliver-exchange": "EXBE01"}},
			want: []string{CodeConnectBlocksISA}},
		{name: "connection list misses the gateway", answers: mine(steps.Answers{QConnectList: "10.1.1.21"}), want: []string{CodeConnectMissGateway}},
		{name: "open relay", answers: mine(steps.Answers{QRelay: "0.0.0.0/0"}), want: []string{smtprelay.CodeRelayOpen}},
		{name: "public relay range", answers: mine(steps.Answers{QRelay: "198.51.100.0/24"}), want: []string{smtprelay.CodeRelayPublicRange, smtprelay.CodeRelayOutside}},
		{name: "relay outside the networks", answers: mine(steps.Answers{QRelay: "192.168.5.5"}), want: []string{smtprelay.CodeRelayOutside}},
		{name: "relay for ISA Server", answers: mine(steps.Answers{QRelay: "10.1.0.1"}), want: []string{smtprelay.CodeRelayIncludesISA}},
		{name: "sender without its domain", answers: mine(steps.Answers{QSenders: "offers@mailer.example.net\nsales"}), want: []string{CodeAnswerInvalid}},
		{name: "sender with a space", answers: mine(steps.Answers{QSenders: "big sales@example.net"}), want: []string{CodeAnswerInvalid}},
		{name: "keyword too short", answers: mine(steps.Answers{QKeywords: "make money fast\nad"}), want: []string{CodeAnswerInvalid}},
		{name: "own domain blocked", answers: mine(steps.Answers{QSenderDomains: "spam.example.net\ncontoso.com"}), want: []string{CodeOwnDomainBlocked}},
		{name: "own subdomain blocked", answers: mine(steps.Answers{QSenderDomains: "corp.contoso.com"}), want: []string{CodeOwnDomainBlocked}},
		{name: "own address blocked", answers: mine(steps.Answers{QSenders: "ceo@contoso.com"}), want: []string{CodeOwnDomainBlocked}},
		{name: "keyword with a percent sign", answers: mine(steps.Answers{QKeywords: "100% free"}), want: []string{CodeAnswerInvalid}},
		{name: "too many keywords", answers: mine(steps.Answers{QKeywords: manyKeywords(MaxListItems + 1)}), want: []string{CodeAnswerInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Step.Check(change(t, reference, tt.answers, tt.server, nil)) {
				got = append(got, f.Code)
				if f.Message == "" || len(f.Fix) == 0 {
					t.Errorf("finding %s has no message or no question to change", f.Code)
				}
				for _, id := range f.Fix {
					if _, ok := Step.Question(id); !ok {
						t.Errorf("finding %s fixes unknown question %q", f.Code, id)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
			}
		})
	}
}

const smtpPublish = "smtp-isa-publishing"

func TestPlan(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	var ids []string
	for _, a := range Step.Plan(in) {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" {
			t.Errorf("action %s is incomplete: %+v", a.ID, a)
		}
		if a.Interrupts != "" && a.Minutes <= 0 {
			t.Errorf("action %s interrupts without minutes", a.ID)
		}
		wantPhase := steps.PhaseSMTP
		if strings.HasPrefix(a.ID, "screener-") && a.ID != "screener-credentials" {
			wantPhase = steps.PhasePrerequisites
		}
		if a.Phase != wantPhase {
			t.Errorf("action %s in phase %s, want %s", a.ID, a.Phase, wantPhase)
		}
		if a.ID == "smtp-filter" {
			do := strings.Join(a.Do, "\n")
			for _, want := range []string{".exe", "offers@mailer.example.net", "spam.example.net", "make money fast", "SMTP Commands tab"} {
				if !strings.Contains(do, want) {
					t.Errorf("the filter step lacks %q", want)
				}
			}
		}
	}
	want := []string{"screener-smtp", "screener-install", "screener-lockdown", "smtp-filter", "screener-credentials", "verify-outside"}
	if !slices.Equal(ids, want) {
		t.Errorf("actions = %q, want %q", ids, want)
	}
	// The outside test's probe sends an over-long HELO only where the
	// filter keeps ISA Server's command limits.
	for _, limits := range []string{"yes", "no"} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QCommandLimits: limits}}, nil)
		as := Step.Plan(in)
		p := as[len(as)-1].Probe
		if p == nil || p.Kind != steps.ProbeSMTP || p.Host != "mx.contoso.com" || p.Port != 25 || p.LongHELORefused != (limits == "yes") || p.OutsideTo == "" {
			t.Errorf("command limits %s: probe %+v", limits, p)
		}
	}
}

func TestNoAnswersNoFiles(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	delete(in.Answers, ID)
	if files, err := Step.Files(in); err != nil || files != nil {
		t.Errorf("Files without answers = %v, %v", files, err)
	}
}

func TestHostileProject(t *testing.T) {
	steptest.CheckHostileProject(t, Step.Files, steptest.Load(t, reference).Input())
}

// TestHostileAnswers sets each answer in turn to each hostile value. It
// must be refused; or leave the files as they were; or be a blank that
// empties an optional answer; or be a well-formed value of its question
// (a keyword such as "x & calc" is one), which then changes only the
// plain-text sheets, never a script, and keeps every file plain ASCII.
func TestHostileAnswers(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	base, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	files := func(id, v string) ([]steps.File, error) {
		a := steps.Answers{}
		for k, x := range in.Of(ID) {
			a[k] = x
		}
		a[id] = v
		all := map[string]steps.Answers{}
		for k, x := range in.Answers {
			all[k] = x
		}
		all[ID] = a
		hin := in
		hin.Answers = all
		return Step.Files(hin)
	}
	for id := range in.Of(ID) {
		q, _ := Step.Question(id)
		for _, h := range scripttest.Hostile() {
			got, err := files(id, h)
			if err != nil || same(got, base) {
				continue
			}
			stored, perr := q.Parse([]string{h}, in.Topology)
			if perr != nil {
				t.Errorf("answer %s = %q is refused by its question but was used", id, h)
				continue
			}
			if again, err := q.Parse(strings.Split(stored, "\n"), in.Topology); err != nil || again != stored {
				t.Errorf("answer %s = %q is stored as %q, which does not parse to itself", id, h, stored)
			}
			for i, f := range got {
				steptest.CheckPlainFile(t, f)
				if !strings.HasSuffix(f.Name, ".txt") && i < len(base) && !bytes.Equal(f.Body, base[i].Body) {
					t.Errorf("answer %s = %q changed the script %s", id, h, f.Name)
				}
			}
		}
	}
}

func same(a, b []steps.File) bool {
	return slices.EqualFunc(a, b, func(x, y steps.File) bool {
		return x.Target == y.Target && x.Name == y.Name && bytes.Equal(x.Body, y.Body)
	})
}

func TestParseMailbox(t *testing.T) {
	for in, want := range map[string]string{"Offers": "offers", " j.smith ": "j.smith", "a_b-c": "a_b-c", "x": "x"} {
		if got, err := ParseMailbox(in); err != nil || got != want {
			t.Errorf("ParseMailbox(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{"a@b.com": "one @", "a..b": "two dots", ".a": "starting and ending", "a b": "letters, digits", "": "Enter the part", strings.Repeat("a", 65): "at most 64"} {
		if _, err := ParseMailbox(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseMailbox(%q) error = %v, want %q", in, err, msg)
		}
	}
}

func TestParseSender(t *testing.T) {
	for in, want := range map[string]string{"Offers@Bulk.Example.NET": "offers@bulk.example.net", " j.smith@mailer.example.net ": "j.smith@mailer.example.net"} {
		if got, err := ParseSender(in); err != nil || got != want {
			t.Errorf("ParseSender(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{"offers": "whole address", "a@b@example.net": "one @", "@example.net": "part before the @ is missing", "offers@": "domain after the @ is missing", "big sales@example.net": "letters, digits"} {
		if _, err := ParseSender(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseSender(%q) error = %v, want %q", in, err, msg)
		}
	}
}

func TestParseKeyword(t *testing.T) {
	for in, want := range map[string]string{"make  money fast": "make money fast", "a\nb c": "a b c", "O'Neil & Sons": "O'Neil & Sons", "2004 (c) offer": "2004 (c) offer"} {
		if got, err := ParseKeyword(in); err != nil || got != want {
			t.Errorf("ParseKeyword(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{"ad": "too short", "a-b": "too short", "(c) 2004": "letter or digit", "100% free": "'%'", "caf\u00e9": "not plain ASCII", "": "Enter a word"} {
		if _, err := ParseKeyword(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseKeyword(%q) error = %v, want %q", in, err, msg)
		}
	}
}

func TestSameOrWithin(t *testing.T) {
	for _, c := range []struct {
		d, o steps.FQDN
		want bool
	}{{"contoso.com", "contoso.com", true}, {"mail.contoso.com", "contoso.com", true}, {"contoso.com", "corp.contoso.com", true},
		{"notcontoso.com", "contoso.com", false}, {"contoso.com.example", "contoso.com", false}, {"x.example", "", false}} {
		if got := SameOrWithin(c.d, c.o); got != c.want {
			t.Errorf("SameOrWithin(%s, %s) = %v", c.d, c.o, got)
		}
	}
}

// safe reports whether s holds only characters that print the same in
// every plain-text file and console: printable ASCII without quotes, the
// cmd.exe metacharacters or the VBScript comment mark.
func safeText(s string, extra string) bool {
	for _, r := range s {
		if r < 0x20 || r >= 0x7f || strings.ContainsRune("\"`%!^|<>;\\$"+extra, r) {
			return false
		}
	}
	return true
}

func FuzzParseMailbox(f *testing.F) {
	for _, h := range scripttest.Hostile() {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMailbox(s)
		if err != nil {
			return
		}
		if !safeText(m, "'&()@ ,") || m == "" || len(m) > 64 {
			t.Fatalf("ParseMailbox(%q) = %q", s, m)
		}
		if again, err := ParseMailbox(m); err != nil || again != m {
			t.Fatalf("ParseMailbox(%q) = %q does not parse to itself: %q, %v", s, m, again, err)
		}
	})
}

func FuzzParseSenderDomain(f *testing.F) {
	for _, h := range scripttest.Hostile() {
		f.Add(h)
	}
	f.Add("Spam.Example.NET.")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSenderDomain(s)
		if err != nil {
			return
		}
		if !safeText(string(d), "'&()@ ,*_") || !strings.Contains(string(d), ".") {
			t.Fatalf("ParseSenderDomain(%q) = %q", s, d)
		}
	})
}

func FuzzParseSenderAddress(f *testing.F) {
	for _, h := range scripttest.Hostile() {
		f.Add(h, "example.net")
		f.Add("offers", h)
	}
	f.Fuzz(func(t *testing.T, m, d string) {
		a, err := ParseSenderAddress(m, d)
		if err != nil {
			return
		}
		local, domain, ok := strings.Cut(a, "@")
		if !ok || strings.Contains(domain, "@") || !safeText(a, "'&() ,") || local == "" || domain == "" {
			t.Fatalf("ParseSenderAddress(%q, %q) = %q", m, d, a)
		}
	})
}

// FuzzParseSender checks that a whole address typed on one line parses to
// the same address its two parts give, and to itself again.
func FuzzParseSender(f *testing.F) {
	for _, h := range scripttest.Hostile() {
		f.Add(h)
		f.Add("offers@" + h)
		f.Add(h + "@example.net")
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseSender(s)
		if err != nil {
			return
		}
		local, domain, _ := strings.Cut(strings.TrimSpace(s), "@")
		if want, err := ParseSenderAddress(local, domain); err != nil || a != want {
			t.Fatalf("ParseSender(%q) = %q; its parts give %q, %v", s, a, want, err)
		}
		if again, err := ParseSender(a); err != nil || again != a {
			t.Fatalf("ParseSender(%q) = %q does not parse to itself: %q, %v", s, a, again, err)
		}
	})
}

func FuzzParseKeyword(f *testing.F) {
	for _, h := range scripttest.Hostile() {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKeyword(s)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\r\n") && !strings.Contains(err.Error(), "line break") {
				t.Fatalf("ParseKeyword(%q) error %q spans lines", s, err)
			}
			return
		}
		if !safeText(k, "@,") || strings.Contains(k, "  ") || strings.TrimSpace(k) != k || alnum(k) < 3 {
			t.Fatalf("ParseKeyword(%q) = %q", s, k)
		}
		// A keyword also fits the question it is typed into.
		q, _ := Step.Question(QKeywords)
		if _, err := q.Parse([]string{k}, steps.Topology{}); err != nil && len(k) <= 64 {
			t.Fatalf("keyword %q accepted here but refused by its question: %v", k, err)
		}
	})
}

// manyKeywords returns n distinct valid keywords, one a line.
func manyKeywords(n int) string {
	var ks []string
	for i := range n {
		ks = append(ks, "offer "+strconv.Itoa(1000+i))
	}
	return strings.Join(ks, "\n")
}

// TestUpgrade checks the conversion of the old fixed boxes: box order,
// empty boxes left out, a one-part sender kept as typed, today's answers
// and other answers left alone.
func TestUpgrade(t *testing.T) {
	old := steps.Answers{
		"block-domains": "yes", "sender-domain-1": "a.example.net", "sender-domain-2": " ", "sender-domain-3": "c.example.net",
		"sender-1-mailbox": "offers", "sender-1-domain": "b.example.net", "sender-2-mailbox": "", "sender-2-domain": "x.example.net",
		"keyword-1": "make money fast", "keyword-5": "limited offer", "keyword-scope": "body",
	}
	want := steps.Answers{
		"block-domains": "yes", "keyword-scope": "body",
		QSenderDomains: "a.example.net\nc.example.net", QSenders: "offers@b.example.net\n@x.example.net", QKeywords: "make money fast\nlimited offer",
	}
	got := upgrade(old)
	if !maps.Equal(got, want) {
		t.Errorf("upgrade:\n got %v\nwant %v", got, want)
	}
	if old["sender-domain-1"] != "a.example.net" {
		t.Error("upgrade changed its argument")
	}
	now := steps.Answers{QKeywords: "kept as is", "keyword-1": "stale box"}
	if got := upgrade(now); got[QKeywords] != "kept as is" || len(got) != 1 {
		t.Errorf("an answer of today was replaced: %v", got)
	}
}
