package smtprelay

import (
	"bytes"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/script/vbscript"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/contoso-reference"

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			if ok, why := Step.Applies(in.Topology); !ok {
				t.Fatalf("does not apply: %s", why)
			}
			if fs := Step.Check(in); len(fs) > 0 {
				t.Fatalf("scenario has findings: %+v", fs)
			}
			files, err := Step.Files(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) == 0 {
				t.Fatal("no files")
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
			steptest.Golden(t, dir, files)
		})
	}
}

func TestTemplatesPrintOnlyThroughEncoders(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
	}{
		{"apply", script.CheckTemplate(applyTemplate, vbscript.Encoders())},
		{"verify", script.CheckTemplate(verifyTemplate, vbscript.Encoders())},
		{"backout", script.CheckTemplate(backoutTemplate, vbscript.Encoders())},
	} {
		if tt.err != nil {
			t.Errorf("%s: %v", tt.name, tt.err)
		}
	}
}

// change returns the scenario's input with some answers replaced (an
// empty value removes the answer) and the servers edited by server.
func change(t *testing.T, dir string, answers map[string]steps.Answers, server func(*steps.Server), facts func(*steps.Facts)) steps.Input {
	t.Helper()
	sc := steptest.Load(t, dir)
	all := map[string]steps.Answers{}
	for id, a := range sc.Answers {
		all[id] = maps(a)
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

func maps(a steps.Answers) steps.Answers {
	out := steps.Answers{}
	for k, v := range a {
		out[k] = v
	}
	return out
}

func mine(a steps.Answers) map[string]steps.Answers { return map[string]steps.Answers{ID: a} }

func codes(t *testing.T, fs []steps.Finding) []string {
	t.Helper()
	var got []string
	for _, f := range fs {
		got = append(got, f.Code)
		if f.Message == "" {
			t.Errorf("finding %s has no message", f.Code)
		}
		if len(f.Fix) == 0 && len(f.Servers) == 0 && f.Code != CodeMXHostMissing {
			t.Errorf("finding %s names neither a question nor a server to change", f.Code)
		}
		for _, id := range f.Fix {
			if _, ok := Step.Question(id); !ok {
				t.Errorf("finding %s fixes unknown question %q", f.Code, id)
			}
		}
	}
	return got
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		answers map[string]steps.Answers
		server  func(*steps.Server)
		facts   func(*steps.Facts)
		want    []string
	}{
		{name: "clean reference", dir: reference},
		{name: "clean direct publishing", dir: "testdata/fabrikam-direct"},
		{name: "open relay", dir: reference, answers: mine(steps.Answers{QRelay: "0.0.0.0/0"}), want: []string{CodeRelayOpen}},
		{name: "public range", dir: reference, answers: mine(steps.Answers{QRelay: "198.51.100.0/24"}), want: []string{CodeRelayPublicRange, CodeRelayOutside}},
		{name: "outside the organisation", dir: reference, answers: mine(steps.Answers{QRelay: "192.168.7.0/24"}), want: []string{CodeRelayOutside}},
		{name: "loopback is fine", dir: reference, answers: mine(steps.Answers{QRelay: "127.0.0.1"})},
		{name: "relaying for ISA Server", dir: reference, answers: mine(steps.Answers{QRelay: "10.1.0.0/24"}), want: []string{CodeRelayIncludesISA}},
		{name: "networks too wide", dir: reference, answers: mine(steps.Answers{QNetworks: "0.0.0.0/0"}), want: []string{CodeNetworksTooWide}},
		{name: "authenticated relay without POP3 or IMAP4", dir: reference, answers: mine(steps.Answers{QAuthRelay: "yes"}), want: []string{CodeAuthRelayWithoutPOP3}},
		{name: "authenticated relay on the default virtual server", dir: "testdata/fabrikam-direct", answers: mine(steps.Answers{QAuthRelay: "yes"}), want: []string{CodeAuthRelayWithoutSSL}},
		{name: "client virtual server without SSL", dir: "testdata/fabrikam-direct", answers: mine(steps.Answers{QClientTLS: "no"}), want: []string{CodeClientWithoutSSL}},
		{name: "client address not on the server", dir: "testdata/fabrikam-direct", answers: mine(steps.Answers{QClientAddress: "10.20.1.99"}), want: []string{CodeClientAddressNotOwn}},
		{name: "client address shared with the default", dir: "testdata/fabrikam-direct", answers: mine(steps.Answers{QClientAddress: "10.20.1.10"}), want: []string{CodeClientAddressShared}},
		{name: "roaming users with OWA", dir: "testdata/fabrikam-direct", answers: mine(steps.Answers{QRoaming: "yes"}), want: []string{CodeRoamingWithOWA}},
		{name: "POP3 answer differs from the facts", dir: reference, answers: mine(steps.Answers{QPOP3: "yes", QClientServer: "EXBE01", QClientAddress: "10.1.1.21", QClientTLS: "yes"}),
			server: func(s *steps.Server) {
				if s.Name == "EXBE01" {
					s.Addrs = append(s.Addrs, netip.MustParseAddr("10.1.1.22"))
				}
			}, want: []string{CodeClientAddressShared, CodePOP3Differs}},
		{name: "listed connections on a published Exchange server", dir: "testdata/fabrikam-direct", answers: mine(steps.Answers{QConnectFrom: ConnectListed, QConnectList: "10.20.1.10"}), want: []string{CodeConnectBlocksInternet}},
		{name: "every address though not published", dir: reference, answers: mine(steps.Answers{QConnectFrom: ConnectAll}), want: []string{CodeConnectOpen}},
		{name: "connection list misses the Message Screener host", dir: reference, answers: mine(steps.Answers{QConnectList: "10.1.1.21"}), want: []string{CodeConnectMissesInbound}},
		{name: "connection list misses another Exchange server", dir: reference, server: func(s *steps.Server) {
			if s.Name == "DC01" {
				s.Roles = append(s.Roles, steps.RoleBackEnd)
			}
		}, want: []string{CodeConnectMissesExchange, CodeAnonymousSeveralServers}},
		{name: "logon over port 25 to a locked-down server", dir: "testdata/fabrikam-direct", answers: map[string]steps.Answers{publishID: {publishSMTPAuth: "yes", "auth-tls": "yes"}}, want: []string{CodeLogonOnDefaultVS}},
		{name: "MX host missing", dir: reference, facts: func(f *steps.Facts) { f.MXHost = "" }, want: []string{CodeMXHostMissing}},
		{name: "server lost its role", dir: reference, server: func(s *steps.Server) {
			if s.Name == "EXBE01" {
				s.Roles = []steps.Role{steps.RoleDC}
			}
		}, want: []string{CodeAnswerInvalid}},
		{name: "no answers: nothing to check", dir: reference, answers: map[string]steps.Answers{ID: {QNetworks: "-", QExchange: "-", QAuth: "-", QAuthRelay: "-", QRelay: "-", QConnectFrom: "-", QConnectList: "-", QRoaming: "-", QPOP3: "-"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := change(t, tt.dir, tt.answers, tt.server, tt.facts)
			if got := codes(t, Step.Check(in)); !slices.Equal(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNoAnswersNoFiles(t *testing.T) {
	in := change(t, reference, nil, nil, nil)
	delete(in.Answers, ID)
	if files, err := Step.Files(in); err != nil || len(files) != 0 {
		t.Errorf("Files without answers = %d files, %v", len(files), err)
	}
	if as := Step.Plan(in); len(as) != 0 {
		t.Errorf("Plan without answers = %d actions", len(as))
	}
	in = change(t, reference, mine(steps.Answers{QAuth: "-"}), nil, nil)
	if _, err := Step.Files(in); err == nil {
		t.Error("Files with a question unanswered made files")
	}
}

func TestPlan(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	as := Step.Plan(in)
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
		if a.Phase != steps.PhaseSMTP || a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" {
			t.Errorf("action %s is incomplete: %+v", a.ID, a)
		}
		if a.Interrupts != "" && a.Minutes <= 0 {
			t.Errorf("action %s interrupts %s for %d minutes", a.ID, a.Interrupts, a.Minutes)
		}
	}
	want := []string{"lockdown-exbe01", "verify-exbe01", "gateway-minimum-opening", "outside-relay-test"}
	if !slices.Equal(ids, want) {
		t.Errorf("actions = %q, want %q", ids, want)
	}
	// The wizard can run the relay attempts itself: on each Exchange
	// server's own address, and through the MX host from outside.
	for _, a := range as {
		switch a.ID {
		case "verify-exbe01":
			if p := a.Probe; p == nil || p.Kind != steps.ProbeSMTP || p.Host != in.Topology.Servers[slices.IndexFunc(in.Topology.Servers, func(s steps.Server) bool { return s.Name == "EXBE01" })].Addrs[0].String() || p.Port != 25 || p.OutsideFrom == "" || p.OutsideTo == "" {
				t.Errorf("verify-exbe01 probe: %+v", a.Probe)
			}
		case "outside-relay-test":
			if p := a.Probe; p == nil || p.Host != "mx.contoso.com" || p.OutsideTo == "" {
				t.Errorf("outside-relay-test probe: %+v", a.Probe)
			}
		}
	}
	last := as[len(as)-1]
	if last.Target != "SMTPGW01" || last.Script != "gateway-relay-test.txt" || !strings.Contains(strings.Join(last.Do, "\n"), "telnet mx.contoso.com 25") {
		t.Errorf("the outside test is not filed under the gateway with its sheet: %+v", last)
	}

	direct := steptest.Load(t, "testdata/fabrikam-direct").Input()
	var client *steps.Action
	for _, a := range Step.Plan(direct) {
		if a.ID == "client-vs" {
			client = &a
		}
	}
	if client == nil || client.Target != "FAB-MAIL1" || client.Interrupts == "" || !strings.Contains(strings.Join(client.Do, "\n"), "Requires TLS encryption") {
		t.Errorf("no client virtual server with TLS: %+v", client)
	}
}

// TestVerifyOnlyReads guards the promise of the verify scripts' header:
// they never write to the metabase.
func TestVerifyOnlyReads(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		files, err := Step.Files(steptest.Load(t, dir).Input())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.Kind == steps.FileVerify {
				readOnly(t, f)
			}
		}
	}
}

var writes = regexp.MustCompile(`(?i)\.(Put|PutEx|SetInfo|Delete|Create|MoveHere|CopyHere)\b|CreateTextFile|OpenTextFile\([^)]*, *[28]`)

func readOnly(t *testing.T, f steps.File) {
	t.Helper()
	for i, line := range strings.Split(string(f.Body), "\r\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "'") {
			continue
		}
		if writes.MatchString(line) {
			t.Errorf("%s/%s line %d writes: %s", f.Target, f.Name, i+1, line)
		}
	}
}

// TestIISFiles checks the apply script saves before it writes, refuses to
// run twice, and that the backout restores from the same file.
func TestIISFiles(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	p := IISPolicy{Server: "SMTPGW01", FQDN: "smtpgw01.contoso.com", Instance: 2,
		Relay:   []netip.Prefix{netip.MustParsePrefix("10.1.1.21/32"), netip.MustParsePrefix("10.1.4.0/23")},
		Connect: []netip.Prefix{netip.MustParsePrefix("10.1.2.0/24")}, Prefix: "gateway", Step: "smtp-gateway", Purpose: "the SMTP gateway"}
	files, err := IISFiles(in, p)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]steps.File{}
	for _, f := range files {
		steptest.CheckPlainFile(t, f)
		byName[f.Name] = f
	}
	apply := string(byName["gateway-relay-apply.vbs"].Body)
	for _, want := range []string{
		`Const VS_PATH = "IIS://localhost/SMTPSVC/2"`,
		`Const BACKUP_NAME = "gateway-relay-backup-SMTPSVC2.txt"`,
		`wantRelay = Array("10.1.1.21,255.255.255.255", "10.1.4.0,255.255.254.0")`,
		`wantConnect = Array("10.1.2.0,255.255.255.0")`,
		`wantConnectAll = False`,
		`vs.Put "RelayForAuth", 0`,
	} {
		if !strings.Contains(apply, want) {
			t.Errorf("apply script lacks %q", want)
		}
	}
	save := strings.Index(apply, "CreateTextFile(backupPath, False")
	exists := strings.Index(apply, "If fso.FileExists(backupPath) Then")
	write := strings.Index(apply, "vs.SetInfo")
	if exists < 0 || save < 0 || write < 0 || !(exists < save && save < write) {
		t.Errorf("apply script does not check for, then write, the backup before it writes the metabase (%d, %d, %d)", exists, save, write)
	}
	backout := string(byName["gateway-relay-backout.vbs"].Body)
	if !strings.Contains(backout, `Const BACKUP_NAME = "gateway-relay-backup-SMTPSVC2.txt"`) || !strings.Contains(backout, `If line = "END" Then`) {
		t.Error("backout script does not read the apply script's backup")
	}
	readOnly(t, byName["gateway-relay-verify.vbs"])
	if byName["gateway-relay-apply.vbs"].Kind != steps.FileApply || byName["gateway-relay-backout.vbs"].Kind != steps.FileBackout {
		t.Error("wrong file kinds")
	}

	for _, bad := range []IISPolicy{{Server: "SMTPGW01", Instance: 0, Prefix: "x"}, {Server: "SMTP GW", Instance: 1, Prefix: "x"}} {
		if _, err := IISFiles(in, bad); err == nil {
			t.Errorf("IISFiles accepted %+v", bad)
		}
	}
}

func TestMaskAndEntry(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.0/8":     "10.0.0.0,255.0.0.0",
		"10.1.4.0/23":    "10.1.4.0,255.255.254.0",
		"10.1.1.21/32":   "10.1.1.21,255.255.255.255",
		"172.16.0.0/12":  "172.16.0.0,255.240.0.0",
		"192.168.1.0/25": "192.168.1.0,255.255.255.128",
		"0.0.0.0/0":      "0.0.0.0,0.0.0.0",
	} {
		if got := Entry(netip.MustParsePrefix(in)); got != want {
			t.Errorf("Entry(%s) = %s, want %s", in, got, want)
		}
	}
}

// FuzzEntry checks that every prefix becomes an access-list entry of two
// dotted quads that give the same network back, whatever bytes the
// fuzzer finds.
func FuzzEntry(f *testing.F) {
	for _, h := range scripttest.Hostile() {
		f.Add(h)
	}
	for _, s := range []string{"10.1.0.0/16", "0.0.0.0/0", "255.255.255.255/32", "10.1.1.21"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := steps.ParsePrefix(s)
		if err != nil {
			return
		}
		e := Entry(p)
		addr, mask, ok := strings.Cut(e, ",")
		if !ok {
			t.Fatalf("Entry(%v) = %q has no comma", p, e)
		}
		a, err1 := netip.ParseAddr(addr)
		m, err2 := netip.ParseAddr(mask)
		if err1 != nil || err2 != nil {
			t.Fatalf("Entry(%v) = %q: %v %v", p, e, err1, err2)
		}
		bits := 0
		for _, b := range m.AsSlice() {
			for i := 7; i >= 0; i-- {
				if b&(1<<i) != 0 {
					bits++
				}
			}
		}
		if netip.PrefixFrom(a, bits) != p {
			t.Fatalf("Entry(%v) = %q reads back as %v/%d", p, e, a, bits)
		}
		q, err := vbscript.Quote(e)
		if err != nil || q != `"`+e+`"` {
			t.Fatalf("vbscript.Quote(%q) = %q, %v", e, q, err)
		}
	})
}

// FuzzParseList feeds hostile lines to the relay-list parser: anything it
// returns is a prefix that prints back as itself.
func FuzzParseList(f *testing.F) {
	for _, h := range scripttest.Hostile() {
		f.Add(h)
	}
	f.Add("10.0.0.0/8\n0.0.0.0/0\n10.1.1.1")
	f.Fuzz(func(t *testing.T, s string) {
		q, _ := Step.Question(QRelay)
		stored, err := q.Parse([]string{s}, steps.Topology{})
		if err != nil {
			return
		}
		ps, err := ParseList(steps.Answers{QRelay: stored}, QRelay)
		if err != nil {
			t.Fatalf("stored answer %q does not parse again: %v", stored, err)
		}
		if JoinPrefixes(ps) != stored {
			t.Fatalf("stored %q, parsed back %q", stored, JoinPrefixes(ps))
		}
		for _, p := range ps {
			if strings.ContainsFunc(Entry(p), func(r rune) bool { return !strings.ContainsRune("0123456789.,", r) }) {
				t.Fatalf("entry %q holds a character other than digits, dots and the comma", Entry(p))
			}
		}
	})
}

func TestHostileProject(t *testing.T) {
	steptest.CheckHostileProject(t, Step.Files, steptest.Load(t, reference).Input())
}

func TestHostileAnswers(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		hostileAnswers(t, Step, steptest.Load(t, dir).Input())
	}
}

// hostileAnswers is steptest.CheckHostileAnswers for procedures with
// optional questions: each answer in turn is set to each hostile value,
// and the value must be refused (no files), leave the files as they were,
// or be a blank that empties an optional answer, which is then compared
// with the files for that answer left empty.
func hostileAnswers(t *testing.T, st *steps.Step, in steps.Input) {
	t.Helper()
	with := func(id, v string) ([]steps.File, error) {
		a := maps(in.Of(st.ID))
		a[id] = v
		all := map[string]steps.Answers{}
		for k, v := range in.Answers {
			all[k] = v
		}
		all[st.ID] = a
		hin := in
		hin.Answers = all
		return st.Files(hin)
	}
	base, err := st.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range in.Of(st.ID) {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		q, _ := st.Question(id)
		empty, emptyErr := with(id, "")
		for _, h := range scripttest.Hostile() {
			got, err := with(id, h)
			if err != nil {
				continue
			}
			if sameFiles(got, base) {
				continue
			}
			if q.Optional && strings.TrimFunc(h, func(r rune) bool { return r <= ' ' || r == ',' || r == 0x85 || r == 0x2028 || r == 0x2029 }) == "" && emptyErr == nil && sameFiles(got, empty) {
				continue
			}
			t.Errorf("answer %s = %q was accepted and changed the files", id, h)
		}
	}
}

func sameFiles(a, b []steps.File) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Target != b[i].Target || a[i].Name != b[i].Name || !bytes.Equal(a[i].Body, b[i].Body) {
			return false
		}
	}
	return true
}

// TestHostileInventory puts hostile values into the inventory and the
// organisation's facts directly, as a damaged project file could, bypassing
// the forms' parsing. Either generation refuses, or every file stays plain
// ASCII with CRLF and the value was a well-formed one.
func TestHostileInventory(t *testing.T) {
	for _, h := range scripttest.Hostile() {
		for _, field := range []string{"name", "fqdn", "mx", "domain"} {
			in := change(t, reference, nil, func(s *steps.Server) {
				if s.Name != "EXBE01" {
					return
				}
				switch field {
				case "name":
					s.Name = steps.NetBIOSName(h)
				case "fqdn":
					s.FQDN = steps.FQDN(h)
				}
			}, func(f *steps.Facts) {
				switch field {
				case "mx":
					f.MXHost = steps.FQDN(h)
				case "domain":
					f.PublicDomain = steps.FQDN(h)
				}
			})
			files, err := Step.Files(in)
			if err != nil {
				continue
			}
			switch field {
			case "name":
				t.Errorf("renamed server %q accepted although the answers name the old one", h)
			case "fqdn":
				if fq, err := steps.ParseFQDN(h); err != nil || string(fq) != h {
					t.Errorf("FQDN %q accepted", h)
				}
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
		}
	}
}

func TestSameAnswersSameBytes(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	a, _ := Step.Files(in)
	b, _ := Step.Files(in)
	for i := range a {
		if !bytes.Equal(a[i].Body, b[i].Body) {
			t.Errorf("%s differs between two runs", a[i].Name)
		}
	}
}

func TestRelayProbes(t *testing.T) {
	refuse := RelayProbes("contoso.com", false)
	accept := RelayProbes("contoso.com", true)
	if refuse[3].Type != "RCPT TO:<probe@example.org>" || !strings.HasPrefix(refuse[3].Expect, "550 5.7.1") || !strings.HasPrefix(accept[3].Expect, "250") {
		t.Errorf("the outside recipient test: %+v / %+v", refuse[3], accept[3])
	}
	if last := refuse[len(refuse)-1]; last.Type != "QUIT" {
		t.Errorf("the conversation does not end with QUIT: %+v", last)
	}
	for _, p := range refuse {
		if strings.HasPrefix(p.Type, "DATA") {
			t.Error("the relay test sends DATA")
		}
	}
}
