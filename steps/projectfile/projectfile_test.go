package projectfile

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/rpcencrypt"
	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

// updating reports whether -update (defined by steptest) was given: it
// also rewrites docs/examples/small.json.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// example is the documented example: the KMS procedure's reference
// scenario with the Outlook procedures completed and a change ticket.
func example(t *testing.T) Project {
	t.Helper()
	sc := steptest.Load(t, "../kms/testdata/contoso-internal-ca")
	p := Project{Name: sc.Project, Revision: 7, UpdatedAt: time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC), Topology: sc.Topology, Answers: sc.Answers}
	// The scenario leaves the RPC encryption procedure out; answer it.
	p.Answers[rpcencrypt.ID] = steptest.AnswerAll([]*steps.Step{rpcencrypt.Step}, sc.Topology)[rpcencrypt.ID]
	for _, st := range catalog.All {
		if _, missing := st.Unanswered(sc.Answers[st.ID]); len(sc.Answers[st.ID]) > 0 && !missing {
			p.Completed = append(p.Completed, st.ID)
		}
	}
	tk := steps.Ticket{Number: "CHG0012345", Title: "Secure Exchange communications", Requester: "Ann Lee",
		Implementers: []string{"Bo Chan", "Cy Diaz"}, Reviewer: "Di Ek", Approvers: []string{"Change advisory board"},
		WindowStart: "2026-12-05T22:00", WindowEnd: "2026-12-06T02:00", TimeZone: "Europe/London", Risk: "medium",
		RiskReason: "Outlook users must restart Outlook; no server outage", AffectedUsers: "All Outlook users"}
	p.Ticket = &tk
	return p
}

const examplePath = "../../docs/examples/small.json"

func TestDocumentedExampleImportsCleanly(t *testing.T) {
	p := example(t)
	b, err := Encode(p, catalog.All)
	if err != nil {
		t.Fatal(err)
	}
	if updating() {
		if err := os.WriteFile(examplePath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, b) {
		t.Errorf("%s is out of date; run go test ./steps/projectfile -update", examplePath)
	}
	got, ps := Decode(bytes.NewReader(doc), catalog.All)
	if len(ps) > 0 {
		t.Fatalf("documented example does not import: %v", ps)
	}
	if len(got.Completed) != 3 {
		t.Errorf("completed = %v", got.Completed)
	}
	// Encode(Decode(x)) == x: nothing is lost or reordered.
	again, err := Encode(got, catalog.All)
	if err != nil || !bytes.Equal(again, doc) {
		t.Errorf("round trip changed the file:\n%s", cmp.Diff(string(doc), string(again)))
	}
}

func decodeString(s string) (Project, steps.Problems) {
	return Decode(strings.NewReader(s), catalog.All)
}

func TestCorruptAndForeignFiles(t *testing.T) {
	doc, _ := os.ReadFile(examplePath)
	tests := []struct {
		name, file, field, msg string
	}{
		{"truncated", string(doc[:len(doc)/2]), "", "not valid JSON"},
		{"not json", "PK\x03\x04", "", "not valid JSON"},
		{"no schema", `{"project":"x"}`, "schemaVersion", "no schemaVersion"},
		{"newer schema", `{"schemaVersion": 2, "project": "x"}`, "schemaVersion", "newer version of the wizard (schema 2)"},
		{"unknown field", strings.Replace(string(doc), `"project":`, `"password": "x", "project":`, 1), "", `unknown field "password"`},
		{"wrong type", strings.Replace(string(doc), `"revision": 7`, `"revision": "seven"`, 1), "", "line 4"},
	}
	for _, tt := range tests {
		_, ps := decodeString(tt.file)
		if len(ps) == 0 || ps[0].Field != tt.field || !strings.Contains(ps[0].Message, tt.msg) {
			t.Errorf("%s: problems %v, want %s: %q", tt.name, ps, tt.field, tt.msg)
		}
	}
}

func TestEveryBadFieldIsNamed(t *testing.T) {
	doc, _ := os.ReadFile(examplePath)
	s := string(doc)
	for old, new := range map[string]string{
		`"adDomain": "corp.contoso.com"`:                           `"adDomain": "corp_contoso"`,
		`"fqdn": "exbe02.corp.contoso.com"`:                        `"fqdn": "exbe01.corp.contoso.com"`,
		`"10.1.0.11"`:                                              `"10.1.0.300"`,
		`"windowEnd": "2026-12-06T02:00"`:                          `"windowEnd": "2026-12-05T21:00"`,
		`"config": "ca01.corp.contoso.com\\Contoso Enterprise CA"`: `"config": "ca01\\a\\b"`,
	} {
		if !strings.Contains(s, old) {
			t.Fatalf("example lacks %s", old)
		}
		s = strings.Replace(s, old, new, 1)
	}
	_, ps := decodeString(s)
	want := []string{"facts.adDomain", "servers[1].addresses", "servers[1].ca.config", "servers[3].fqdn"}
	for _, w := range want {
		if ps.For(w) == "" {
			t.Errorf("no problem for %s in %v", w, ps)
		}
	}
	// The ticket is checked once servers are right.
	s2 := strings.Replace(string(doc), `"windowEnd": "2026-12-06T02:00"`, `"windowEnd": "2026-12-05T21:00"`, 1)
	_, ps = decodeString(s2)
	if !strings.Contains(ps.For("ticket.window-end"), "end after it starts") {
		t.Errorf("ticket problem: %v", ps)
	}
}

func TestAnswersAreCheckedAndCrossChecked(t *testing.T) {
	doc, _ := os.ReadFile(examplePath)
	s := strings.Replace(string(doc), `"kms-server": "EXBE02"`, `"kms-server": "NOSUCH"`, 1)
	_, ps := decodeString(s)
	if !strings.Contains(ps.For("answers.key-management-service.kms-server"), "NOSUCH") {
		t.Errorf("bad server answer: %v", ps)
	}
	// Internet recipients with internal certificates: a cross-check error.
	s = strings.Replace(string(doc), `"recipients": "internal"`, `"recipients": "internet"`, 1)
	if s == string(doc) {
		t.Fatal("example has no internal-only recipients answer")
	}
	p, ps := decodeString(s)
	if len(ps) == 0 || ps[0].Field != "answers.smime" || p.Name != "" {
		t.Errorf("cross-check failure imported or not named: %v", ps)
	}
}

// TestAnswersOfSkippedPagesAreKept checks the rule the web follows: an
// answer on a page the other answers skip is kept as written even when it
// no longer parses (its server was removed, say), and refused once its
// page is asked.
func TestAnswersOfSkippedPagesAreKept(t *testing.T) {
	doc, _ := os.ReadFile(examplePath)
	stale := strings.Replace(string(doc), `"kms-server": "EXBE02"`, `"kms-server": "GONE01"`, 1)
	if stale == string(doc) {
		t.Fatal("example has no kms-server answer")
	}
	skipped := strings.NewReplacer(`"use": "yes"`, `"use": "no"`,
		`"key-exchange": "signed-message\ngal-kms"`, `"key-exchange": "signed-message"`).Replace(stale)
	if strings.Contains(skipped, `"use": "yes"`) || strings.Contains(skipped, "gal-kms") {
		t.Fatal("example does not use KMS as this test expects")
	}
	p, ps := decodeString(skipped)
	if len(ps) > 0 {
		t.Fatalf("an answer on a skipped page was refused: %v", ps)
	}
	if got := p.Answers["key-management-service"]["kms-server"]; got != "GONE01" {
		t.Errorf("skipped answer = %q, want it kept as written", got)
	}
	if _, ps := decodeString(stale); !strings.Contains(ps.For("answers.key-management-service.kms-server"), "GONE01") {
		t.Errorf("an asked page's bad answer was not refused: %v", ps)
	}
}

// TestOldScreenerBoxesAreUpgraded imports a file written when the Message
// Screener's lists were fixed boxes: they arrive as today's one-a-line
// answers.
func TestOldScreenerBoxesAreUpgraded(t *testing.T) {
	doc, _ := os.ReadFile(examplePath)
	var f map[string]any
	if err := json.Unmarshal(doc, &f); err != nil {
		t.Fatal(err)
	}
	f["answers"].(map[string]any)["smtp-message-screener"] = map[string]any{
		"use-screener": "yes", "block-domains": "yes", "sender-domain-1": "spam.example.net", "sender-domain-2": "",
		"block-senders": "yes", "sender-1-mailbox": "offers", "sender-1-domain": "mailer.example.net",
		"sender-2-mailbox": "", "sender-2-domain": "",
	}
	b, _ := json.Marshal(f)
	p, ps := decodeString(string(b))
	if len(ps) > 0 {
		t.Fatalf("old boxes refused: %v", ps)
	}
	got := p.Answers["smtp-message-screener"]
	if got["sender-domains"] != "spam.example.net" || got["senders"] != "offers@mailer.example.net" || got["sender-domain-1"] != "" {
		t.Errorf("upgraded answers: %v", got)
	}
}

func TestHostileValuesAreRefusedOrKept(t *testing.T) {
	doc, _ := os.ReadFile(examplePath)
	for _, h := range scripttest.Hostile() {
		for _, field := range []string{`"name": "EXBE01"`, `"title": "Secure Exchange communications"`, `"ou": ""`} {
			js, _ := jsonString(h)
			key, _, _ := strings.Cut(field, ":")
			s := strings.Replace(string(doc), field, key+": "+js, 1)
			p, ps := decodeString(s)
			if len(ps) > 0 {
				continue
			}
			// Accepted: only in fields that never reach a script as is.
			if key == `"name"` {
				t.Errorf("hostile server name %q accepted", h)
			}
			_ = p
		}
	}
}

func jsonString(s string) (string, error) {
	var b bytes.Buffer
	enc := newEncoder(&b)
	err := enc.Encode(s)
	return strings.TrimSpace(b.String()), err
}

// TestUnacceptedWarningsAreRefused: a completed procedure's warning is
// either accepted in deviations with a reason, or the file is refused with
// the finding's key, where to change it and how to accept it.
func TestUnacceptedWarningsAreRefused(t *testing.T) {
	doc, _ := os.ReadFile(examplePath)
	weak := strings.Replace(string(doc), `"algorithm": "3des"`, `"algorithm": "rc2-40"`, 1)
	if weak == string(doc) {
		t.Fatal("example has no 3des answer")
	}
	p, ps := decodeString(weak)
	if p.Name != "" || len(ps) != 1 {
		t.Fatalf("unaccepted warning imported or not reported alone: %v", ps)
	}
	msg := ps.For("answers.smime")
	for _, want := range []string{"Warning smime/weak-default-algorithm", "answers.smime.algorithm", `"key": "smime/weak-default-algorithm"`, "Check your answers"} {
		if !strings.Contains(msg, want) {
			t.Errorf("problem lacks %q: %s", want, msg)
		}
	}

	accepted := strings.Replace(weak, `"completed": [`, `"deviations": [{"key": "smime/weak-default-algorithm", "reason": "A partner's mail program reads only RC2", "acceptedBy": "ann"}],
  "completed": [`, 1)
	p, ps = decodeString(accepted)
	if len(ps) > 0 {
		t.Fatalf("accepted warning refused: %v", ps)
	}
	out, err := steps.Produce(catalog.All, steps.Input{Topology: p.Topology, Answers: p.Answers}, p.Complete)
	fs := Findings(p, out)
	if err != nil || len(fs) != 1 || fs[0].Accepted == nil || fs[0].Accepted.Reason != "A partner's mail program reads only RC2" {
		t.Errorf("findings of the accepted file: %+v %v", fs, err)
	}
}

// TestUnreadableTopLevelFieldIsNamed: a value encoding/json rejects
// without naming it (a time, say) is named by its field.
func TestUnreadableTopLevelFieldIsNamed(t *testing.T) {
	doc, _ := os.ReadFile(examplePath)
	bad := strings.Replace(string(doc), `"updatedAt": "2026-11-20T16:30:00Z"`, `"updatedAt": "yesterday"`, 1)
	if bad == string(doc) {
		t.Fatal("example has no updatedAt")
	}
	_, ps := decodeString(bad)
	if len(ps) != 1 || ps[0].Field != "updatedAt" || !strings.Contains(ps[0].Message, "2026-12-06T09:30:00Z") {
		t.Errorf("problems %v, want updatedAt named with the expected form", ps)
	}
	bad = strings.Replace(string(doc), `"revision": 7`, `"revision": 7.5`, 1)
	if _, ps := decodeString(bad); len(ps) != 1 || !strings.Contains(ps[0].Message, "revision") {
		t.Errorf("problems %v, want revision named", ps)
	}
}

// TestHostileFiles: a file nested far too deep, one far too large, and
// one whose text values hold controls or invalid UTF-8 are each refused
// with a problem that says what is wrong, never a panic.
func TestHostileFiles(t *testing.T) {
	deep := `{"schemaVersion":1,"project":"x","answers":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`
	huge := `{"schemaVersion":1,"project":"` + strings.Repeat("x", 40<<20) + `"}`
	for name, body := range map[string]string{
		"deep":         deep,
		"huge":         huge,
		"nul name":     `{"schemaVersion":1,"project":"a\u0000b","facts":{},"servers":[],"answers":{},"completed":[]}`,
		"invalid name": "{\"schemaVersion\":1,\"project\":\"caf\xe9\",\"facts\":{},\"servers\":[],\"answers\":{},\"completed\":[]}",
		"bidi name":    `{"schemaVersion":1,"project":"a\u202eb","facts":{},"servers":[],"answers":{},"completed":[]}`,
	} {
		p, ps := Decode(strings.NewReader(body), catalog.All)
		if len(ps) == 0 || p.Name != "" {
			t.Errorf("%s: accepted (%q)", name, p.Name)
			continue
		}
		for _, pr := range ps {
			// A problem of the whole file has no field; one of a value
			// names it.
			if pr.Message == "" || (pr.Field == "") != (name == "deep" || name == "huge") {
				t.Errorf("%s: %+v", name, pr)
			}
		}
	}
}
