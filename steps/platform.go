package steps

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Platform is the generation of Windows and Exchange a project plans
// for. The guide's own platform is the zero value, so that projects made
// before there was a choice keep their meaning.
type Platform string

// The platforms a project can plan for.
const (
	// PlatformGuide is the guide's: Windows 2000 and 2003, Exchange 2000,
	// ISA Server 2000, Outlook 2002.
	PlatformGuide Platform = ""
	// PlatformCurrent is Windows Server 2019, 2022 or 2025 with Exchange
	// Server 2019 CU14 or later, or Exchange Server Subscription Edition.
	PlatformCurrent Platform = "current"
)

// Platforms lists the platforms in the order forms show them.
var Platforms = []Platform{PlatformGuide, PlatformCurrent}

// Slug is how project files and pasted lines name the platform.
func (p Platform) Slug() string {
	if p == PlatformGuide {
		return "guide"
	}
	return string(p)
}

// Label is the platform's name as the forms and the runbook's cover give
// it.
func (p Platform) Label() string {
	switch p {
	case PlatformGuide:
		return "As the guide: Windows 2000 and 2003, Exchange 2000, ISA Server 2000"
	case PlatformCurrent:
		return "Current: Windows Server 2019, 2022 or 2025 with Exchange Server 2019 CU14 or later, or Exchange Server SE"
	}
	return string(p)
}

// ParsePlatform accepts a platform's slug ("guide" or "current"); an
// empty string is the guide's platform.
func ParsePlatform(s string) (Platform, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "guide":
		return PlatformGuide, nil
	case "current":
		return PlatformCurrent, nil
	}
	return "", fmt.Errorf("%q is not a platform; use guide (%s) or current (%s)", s, PlatformGuide.Label(), PlatformCurrent.Label())
}

// OSesFor lists the operating systems a server of a project on p can run.
func OSesFor(p Platform) []OS {
	if p == PlatformCurrent {
		return []OS{OSWindows2019, OSWindows2022, OSWindows2025}
	}
	return []OS{OSWindows2000, OSWindows2003, OSLater}
}

// RolesFor lists the roles a server of a project on p can have, in the
// order forms show them.
func RolesFor(p Platform) []Role {
	if p == PlatformCurrent {
		return []Role{RoleDC, RoleCA, RoleMailbox, RoleEdge, RoleProxy}
	}
	return []Role{RoleDC, RoleCA, RoleBackEnd, RoleKMS, RoleFrontEnd, RoleISA, RoleGateway, RoleScreener}
}

// ExchangeVersion is the Exchange Server product a current-platform
// server runs.
type ExchangeVersion string

// The Exchange Server products of the current platform. The names are
// those of Microsoft's cmdlet reference, which says for each cmdlet and
// parameter the products it exists in.
const (
	Exchange2019 ExchangeVersion = "2019"
	ExchangeSE   ExchangeVersion = "SE"
)

// ExchangeVersions lists the products in the order forms show them.
var ExchangeVersions = []ExchangeVersion{Exchange2019, ExchangeSE}

// Label is the product's name.
func (v ExchangeVersion) Label() string {
	switch v {
	case Exchange2019:
		return "Exchange Server 2019"
	case ExchangeSE:
		return "Exchange Server Subscription Edition (SE)"
	}
	return string(v)
}

// MinExchange2019CU is the oldest Exchange Server 2019 cumulative update
// the current platform plans for: CU14 turns Extended Protection on by
// default, and earlier updates are out of support.
const MinExchange2019CU = 14

// ExchangeFacts are what a current-platform procedure needs to know about
// an Exchange server: the product and its cumulative update (0 for the
// release to manufacturing).
type ExchangeFacts struct {
	Version ExchangeVersion
	CU      int
}

// Label names the product and update, as in "Exchange Server 2019 CU14".
func (e ExchangeFacts) Label() string {
	if e.Version == "" {
		return ""
	}
	if e.CU == 0 {
		return e.Version.Label() + " RTM"
	}
	return e.Version.Label() + " CU" + strconv.Itoa(e.CU)
}

// ParseExchangeVersion accepts a product's slug ("2019", "SE") or label.
func ParseExchangeVersion(s string) (ExchangeVersion, error) {
	s = strings.TrimSpace(s)
	for _, v := range ExchangeVersions {
		if strings.EqualFold(s, string(v)) || strings.EqualFold(s, v.Label()) {
			return v, nil
		}
	}
	return "", fmt.Errorf("%q is not an Exchange Server product of the current platform; use 2019 (%s) or SE (%s)", s, Exchange2019.Label(), ExchangeSE.Label())
}

// ParseExchangeCU reads a cumulative update number ("14", "CU14", "RTM")
// and refuses one the current platform does not plan for.
func ParseExchangeCU(v ExchangeVersion, s string) (int, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "RTM" {
		t = "0"
	}
	n, err := strconv.Atoi(strings.TrimPrefix(t, "CU"))
	if err != nil || n < 0 || n > 99 {
		return 0, fmt.Errorf("enter the cumulative update as a number, such as 14 for CU14 (0 or RTM for none)")
	}
	if v == Exchange2019 && n < MinExchange2019CU {
		return 0, fmt.Errorf("Exchange Server 2019 CU%d is older than CU%d, the oldest this plan supports; install CU%d or later first (it also turns on Extended Protection)", n, MinExchange2019CU, MinExchange2019CU)
	}
	return n, nil
}

// ExchangeServers lists the servers of t that run Exchange on the current
// platform (Mailbox and Edge Transport), in inventory order.
func (t Topology) ExchangeServers() []Server {
	var out []Server
	for _, s := range t.Servers {
		if s.Has(RoleMailbox) || s.Has(RoleEdge) {
			out = append(out, s)
		}
	}
	return out
}

// OnPlatform returns the procedures of catalog that plan for p, in
// catalogue order.
func OnPlatform(catalog []*Step, p Platform) []*Step {
	out := make([]*Step, 0, len(catalog))
	for _, s := range catalog {
		if s.Platform == p {
			out = append(out, s)
		}
	}
	return slices.Clip(out)
}

// Counterpart says what one procedure of the guide becomes on the current
// platform: the procedures that stand for it there, and why it changed. A
// procedure with no counterpart is retired, and Why says what takes its
// place.
type Counterpart struct {
	Guide   string   // the guide's procedure ID
	Current []string // the current platform's procedures that stand for it
	Why     string
}
