package relayconnector

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/currenttest"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/contoso-current"

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			if fs := Step.Check(in); slices.ContainsFunc(fs, func(f steps.Finding) bool { return f.Severity == steps.Error }) {
				t.Fatalf("scenario has errors: %+v", fs)
			}
			files, err := Step.Files(in)
			if err != nil {
				t.Fatal(err)
			}
			currenttest.CheckScripts(t, in.Topology, files)
			steptest.Golden(t, dir, files)
		})
	}
}

func TestPlan(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	var ids []string
	for _, a := range Step.Plan(in) {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Script == "" {
			t.Errorf("incomplete action %+v", a)
		}
	}
	if want := []string{"relay-connector-ex01", "relay-connector-ex02"}; !slices.Equal(ids, want) {
		t.Errorf("actions %q, want %q", ids, want)
	}
	files, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]string{}
	for _, f := range files {
		body[f.Target+"/"+f.Name] = string(f.Body)
	}
	ex02 := body["EX02/relay-connector-apply.ps1"]
	for _, want := range []string{
		`-Bindings @('10.10.1.22:25')`,
		`-RemoteIPRanges @('10.10.5.20','10.10.6.0/28','10.10.7.10-10.10.7.19')`,
		`-TransportRole 'FrontendTransport'`,
		`-PermissionGroups 'ExchangeUsers'`,
		`Get-ReceiveConnector -Identity 'EX02\Relay for applications'`,
	} {
		if !strings.Contains(ex02, want) {
			t.Errorf("EX02's apply lacks %s", want)
		}
	}
	// Authenticated relay grants no right to the anonymous account.
	if strings.Contains(ex02, "Add-ADPermission") {
		t.Error("authenticated relay gives ANONYMOUS LOGON a right")
	}

	anon := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QAccess: AccessAnonymous, QBinding: BindAll}}, nil)
	files, err = Step.Files(anon)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name != "relay-connector-apply.ps1" {
			continue
		}
		b := string(f.Body)
		if !strings.Contains(b, `| Add-ADPermission -User 'NT AUTHORITY\ANONYMOUS LOGON' -ExtendedRights 'Ms-Exch-SMTP-Accept-Any-Recipient'`) ||
			!strings.Contains(b, `-Bindings @('0.0.0.0:25')`) || !strings.Contains(b, `-PermissionGroups 'AnonymousUsers'`) {
			t.Errorf("%s: anonymous relay not as documented", f.Target)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		change map[string]string
		want   []string
	}{
		{map[string]string{}, nil},
		{map[string]string{QAccess: AccessAnonymous}, []string{CodeAnonymousRelay}},
		{map[string]string{QAccess: "open"}, []string{CodeAccessUnknown}},
		{map[string]string{QClients: "0.0.0.0/0"}, []string{CodeOpenRelay}},
		{map[string]string{QClients: "10.0.0.0/8"}, []string{CodeOpenRelay}},
		{map[string]string{QClients: "1.0.0.0-255.255.255.254"}, []string{CodeOpenRelay}},
		{map[string]string{QClients: "10.1.2.3/24"}, []string{CodeBadValue}},
		{map[string]string{QClients: "203.0.113.5"}, []string{CodePublicClients}},
		{map[string]string{QClients: ""}, []string{CodeNoClients}},
		{map[string]string{QServers: "EX09"}, []string{CodeServerMissing, CodeNoServers}},
		{map[string]string{QAddresses: "10.10.1.21\n10.10.1.99"}, []string{CodeAddressNotOwned, CodeNoAddress}},
		{map[string]string{QAddresses: "10.10.1.21"}, []string{CodeNoAddress}},
		{map[string]string{QBinding: BindAll}, []string{CodeSharedBinding}},
		{map[string]string{QBinding: ""}, []string{CodeBindingUnknown}},
		{map[string]string{QPort: "0"}, []string{CodeBadValue}},
		{map[string]string{QName: "Relay;rm"}, []string{CodeBadValue}},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: tt.change}, nil)
		var got []string
		for _, f := range Step.Check(in) {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v: findings %q, want %q", tt.change, got, tt.want)
		}
	}
}

func TestTwoAddressesOfOneServer(t *testing.T) {
	in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QAddresses: "10.10.1.21\n10.10.1.30\n10.10.1.22"}},
		func(s *steps.Server) {
			if s.Name == "EX01" {
				s.Addrs = append(s.Addrs, netip.MustParseAddr("10.10.1.30"))
			}
		})
	var got []string
	for _, f := range Step.Check(in) {
		got = append(got, f.Code)
	}
	if !slices.Equal(got, []string{CodeTwoAddresses}) {
		t.Errorf("findings %q", got)
	}
}

func TestParseRemoteRange(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		size     uint64
	}{
		{"10.10.5.20", "10.10.5.20", 1},
		{" 10.10.6.0/28 ", "10.10.6.0/28", 16},
		{"10.10.6.7/32", "10.10.6.7", 1},
		{"10.10.7.10-10.10.7.19", "10.10.7.10-10.10.7.19", 10},
		{"10.10.7.10-10.10.7.10", "10.10.7.10", 1},
		{"172.16.0.0/16", "172.16.0.0/16", 65536},
	} {
		r, err := ParseRemoteRange(tt.in)
		if err != nil || r.String() != tt.want || r.Size() != tt.size {
			t.Errorf("%q: %v %d %v, want %s %d", tt.in, r, r.Size(), err, tt.want, tt.size)
		}
	}
	for _, bad := range []string{"", "0.0.0.0/0", "0.0.0.0", "128.0.0.0/1", "10.0.0.0/15", "10.0.0.0-10.2.0.0",
		"10.10.7.19-10.10.7.10", "010.1.1.1", "10.1.1.1/33", "10.1.1.1-", "fe80::1", "10.1.1.0/24,10.2.2.2", "10.1.1.1 - 10.1.1.2x"} {
		if r, err := ParseRemoteRange(bad); err == nil {
			t.Errorf("%q accepted as %v", bad, r)
		}
	}
	if r, _ := ParseRemoteRange("192.168.1.0/24"); !r.Private() {
		t.Error("192.168.1.0/24 not private")
	}
	if r, _ := ParseRemoteRange("192.167.255.0-192.168.0.10"); r.Private() {
		t.Error("a range reaching outside 192.168/16 counted as private")
	}
}

// FuzzParseRemoteRange checks that whatever is accepted is a range of at
// most MaxRangeSize addresses that parses again to itself, and that its
// text holds nothing but digits, dots, one slash or one hyphen.
func FuzzParseRemoteRange(f *testing.F) {
	for _, s := range []string{"10.1.1.1", "10.1.0.0/16", "10.1.1.1-10.1.1.9", "0.0.0.0/0", "1.2.3.4-1.2.3.3", "'; rm"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRemoteRange(s)
		if err != nil {
			return
		}
		if r.Size() == 0 || r.Size() > MaxRangeSize || r.Last.Less(r.First) {
			t.Fatalf("%q: accepted %v of %d addresses", s, r, r.Size())
		}
		if strings.Trim(r.String(), "0123456789./-") != "" {
			t.Fatalf("%q: text %q", s, r.String())
		}
		again, err := ParseRemoteRange(r.String())
		if err != nil || again != r {
			t.Fatalf("%q: %v does not parse again to itself (%v, %v)", s, r, again, err)
		}
	})
}
