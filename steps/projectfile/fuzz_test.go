package projectfile

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/rpcencrypt"
)

// equateAddrs compares addresses by value.
var equateAddrs = cmpopts.EquateComparable(netip.Addr{})

// FuzzDecode reads arbitrary bytes as a project file. A file that is
// refused gives no project and at least one problem, each saying what is
// wrong; a file that is accepted encodes to a file that decodes to the same
// project, and encoding that again gives the same bytes.
func FuzzDecode(f *testing.F) {
	doc, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(doc)
	f.Add(doc[:len(doc)/2])
	f.Add([]byte(`{"schemaVersion": 1, "project": "x"}`))
	f.Add([]byte(`{"schemaVersion": 1}{"schemaVersion": 1}`))
	f.Add([]byte(strings.Replace(string(doc), `"revision": 7`, `"revision": -7`, 1)))
	f.Add([]byte(strings.Replace(string(doc), `"dc01.corp.contoso.com"`, `"dc01.corp.contoso.com\"; calc #"`, 1)))
	f.Add([]byte(strings.Replace(string(doc), `"10.1.0.21"`, `"10.1.0.10"`, 1)))
	f.Add([]byte(strings.Replace(string(doc), `"completed": [`, `"completed": ["no-such-procedure", `, 1)))
	f.Fuzz(checkDecode)
}

// FuzzDecodeValues puts arbitrary values, well-formed as JSON, into the
// documented example: a server's names and address, a fact, an answer and
// the ticket's number. The same properties as FuzzDecode hold, and the
// checks of the values run, not only the JSON reader's.
func FuzzDecodeValues(f *testing.F) {
	doc, err := os.ReadFile(examplePath)
	if err != nil {
		f.Fatal(err)
	}
	base, ps := Read(bytes.NewReader(doc))
	if len(ps) > 0 {
		f.Fatal(ps)
	}
	f.Add("EXBE01", "exbe01.corp.contoso.com", "10.1.0.21", "corp.contoso.com", "300", "CHG0012345")
	f.Add("exbe01", "EXBE01.Corp.Contoso.Com.", " 10.1.0.21 ", "CORP.contoso.com", "1", "CHG 1")
	f.Add("DC01", "dc01.corp.contoso.com", "10.1.0.10", "contoso", "0", "")
	f.Add(`EXBE01\\x`, "exbe01.corp.contoso.com'; calc #", "10.1.0.21;calc", "corp.contoso.com\n", "3e2", "%PATH%")
	f.Fuzz(func(t *testing.T, name, fqdn, addr, domain, users, ticket string) {
		file := base
		file.Servers = slices.Clone(base.Servers)
		file.Facts.ADDomain = domain
		for i, srv := range file.Servers {
			if srv.Name == "EXBE01" {
				srv.Name, srv.FQDN, srv.Addresses = name, fqdn, []string{addr}
				file.Servers[i] = srv
			}
		}
		file.Answers = maps.Clone(base.Answers)
		rpc := maps.Clone(file.Answers[rpcencrypt.ID])
		rpc[rpcencrypt.QUsers] = users
		file.Answers[rpcencrypt.ID] = rpc
		tk := *base.Ticket
		tk.Number = ticket
		file.Ticket = &tk
		in, err := json.Marshal(file)
		if err != nil {
			t.Fatal(err)
		}
		checkDecode(t, in)
	})
}

// checkDecode decodes in and checks what FuzzDecode says holds.
func checkDecode(t *testing.T, in []byte) {
	{
		p, ps := Decode(bytes.NewReader(in), catalog.All)
		if len(ps) > 0 {
			if diff := cmp.Diff(Project{}, p, equateAddrs); diff != "" {
				t.Fatalf("a refused file still gave a project (-want +got):\n%s", diff)
			}
			for _, pr := range ps {
				if strings.TrimSpace(pr.Message) == "" {
					t.Fatalf("a problem without a message: %+v", pr)
				}
			}
			return
		}
		out, err := Encode(p, catalog.All)
		if err != nil {
			t.Fatalf("an accepted project does not encode: %v", err)
		}
		again, ps := Decode(bytes.NewReader(out), catalog.All)
		if len(ps) > 0 {
			t.Fatalf("the encoding of an accepted project is refused: %v\n%s", ps, out)
		}
		if diff := cmp.Diff(p, again, equateAddrs); diff != "" {
			t.Fatalf("an accepted project changes when encoded and decoded (-first +second):\n%s", diff)
		}
		out2, err := Encode(again, catalog.All)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("encoding the same project twice gives different bytes (%v)", err)
		}
	}
}
