package rpcencrypt

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/secex/wizard/steps"
)

// config is the procedure's answers parsed again into typed values, checked
// against the servers as they are now.
type config struct {
	versions []string
	profiles []string
	when     string
	servers  []server
	users    int
}

// server is a back-end Outlook connects to, its names parsed again.
type server struct {
	name steps.NetBIOSName
	fqdn steps.FQDN
}

func (c config) has2002() bool  { return slices.Contains(c.versions, Outlook2002) }
func (c config) has2003() bool  { return slices.Contains(c.versions, Outlook2003) }
func (c config) hasLater() bool { return slices.Contains(c.versions, OutlookLater) }

func (c config) hasProfiles(method string) bool { return slices.Contains(c.profiles, method) }

// network and dialUp report which Outlook 2002 boxes are ticked.
func (c config) network() bool { return c.when != WhenDialUp }
func (c config) dialUp() bool  { return c.when != WhenNetwork }

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// load parses the answers for generation. Any answer that does not parse,
// any question left unanswered and any server whose names do not parse is
// an error: nothing is generated from a value that was not parsed.
func load(in steps.Input) (config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return config{}, err
	}
	c := config{
		versions: a.Values(QVersions),
		profiles: a.Values(QProfiles),
		when:     a[QWhen],
	}
	n, err := strconv.Atoi(a[QUsers])
	if err != nil {
		return config{}, fmt.Errorf("number of users: %w", err)
	}
	c.users = n
	for _, name := range a.Values(QServers) {
		s, ok := in.Topology.Server(name)
		if !ok {
			return config{}, fmt.Errorf("server %s is not in the inventory", name)
		}
		nb, err := steps.ParseNetBIOSName(string(s.Name))
		if err != nil {
			return config{}, fmt.Errorf("server %s: %w", name, err)
		}
		fqdn, err := steps.ParseFQDN(string(s.FQDN))
		if err != nil {
			return config{}, fmt.Errorf("server %s: %w", name, err)
		}
		c.servers = append(c.servers, server{name: nb, fqdn: fqdn})
	}
	return c, nil
}
