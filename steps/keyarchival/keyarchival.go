// Package keyarchival is the current platform's counterpart of the
// guide's Exchange 2000 Key Management Service: the issuing AD CS CA
// archives the private key of every S/MIME encryption certificate it
// issues, encrypted to key recovery agents, so that mail encrypted to a
// user stays readable when the user's key is lost.
//
// Every step is manual. The work is done in the Certification Authority
// and Certificate Templates consoles and with certutil, none of which has
// a cmdlet in Microsoft's reference that psapply could drive, and part of
// it (enrolling each agent, keeping the agents' keys offline) is done by
// people rather than on a server. The plan prints the exact certutil
// commands of the recovery test, every typed value quoted.
package keyarchival

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script/powershell"
)

// ID is the procedure's stable identifier.
const ID = "current-key-archival"

// Replaces lists the guide's procedures this one stands for.
var Replaces = []string{"key-management-service"}

// Question IDs.
const (
	QCA             = "ca"              // the issuing CA
	QKRACount       = "kra-count"       // number of key recovery agents
	QKRATemplate    = "kra-template"    // the agents' certificate template
	QSourceTemplate = "source-template" // template duplicated for encryption certificates
	QUserTemplate   = "user-template"   // the new encryption template's name
	QKeyStorage     = "kra-key-storage" // offline or computer
	QSeparation     = "role-separation" // agents are not certificate managers
	QTestUser       = "test-user"       // account used for the recovery test
)

// Answers of QKeyStorage.
const (
	StorageOffline  = "offline"
	StorageComputer = "computer"
)

// Folder is where the recovery test's files are kept on the CA.
const Folder = `C:\KeyRecoveryTest`

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Archive S/MIME encryption keys on the issuing CA",
	Section:  "Current platform, for the guide\u2019s \u201cKey Management Service\u201d",
	Summary:  "Enrol key recovery agents, set the issuing CA to archive private keys, issue users' S/MIME encryption certificates from a template that archives their key, and prove recovery works with a test account.",
	Rationale: []string{
		"The guide installed the Exchange 2000 Key Management Service so that a user's encryption key could be recovered when it was lost. That service ended with Exchange Server 2003; the same job is now done by AD CS itself. The CA keeps a copy of each encryption private key in its database, encrypted so that only a key recovery agent can open it.",
		"Without archival, a lost profile, a reinstalled computer or a departed employee leaves every message encrypted to that user unreadable for good, including mail the organisation is obliged to keep. Signing keys are never archived: a lost signing key is simply replaced, and archiving it would let someone else sign in the user's name.",
		"Only keys of certificates issued after archival is switched on, from a template that asks for it, are archived. Users who already have encryption certificates must enrol again for their keys to be recoverable.",
	},
	Notes: []string{
		"Recovery needs two roles: a certificate manager takes the encrypted key out of the CA database, and a key recovery agent decrypts it. Microsoft advises giving these roles to different people, so that no single administrator can recover a user's key alone.",
		"The agents' certificates have an expiry date. Before one expires, enrol a new one and add it on the CA's Recovery Agents tab; keys archived earlier stay encrypted to the old certificate, so keep the old private keys too, offline, for as long as mail encrypted in their time must stay readable.",
		"Key archival needs an Enterprise CA, because the template settings come from Active Directory.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	// Every step is done by hand in the CA's consoles and with certutil;
	// no cmdlet of Microsoft's reference configures key archival, so no
	// script is generated. The commands are in the plan's steps.
	Files: func(steps.Input) ([]steps.File, error) { return nil, nil },
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleCA)) == 0 {
		return false, "No server has the role " + steps.RoleCA.Label() + ". Key archival is set up on the issuing CA, so add it to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID:    "agents",
		Title: "CA and key recovery agents",
		Questions: []steps.Question{
			{ID: QCA, Label: "Issuing CA that archives the keys", Kind: steps.KindServer, Role: steps.RoleCA, DefaultFrom: firstCA},
			{ID: QKRACount, Label: "How many key recovery agents?", Kind: steps.KindNumber, Min: 1, Max: 10, Default: "2",
				Hint: "At least two: each archived key is encrypted to every agent, so any one of them can recover it when another is away or has lost their key."},
			{ID: QKRATemplate, Label: "Certificate template of the agents' certificates", Kind: steps.KindObjectName, Default: "KeyRecoveryAgent",
				Hint: "The template's name, not its display name. KeyRecoveryAgent is the built-in one."},
			{ID: QKeyStorage, Label: "Where are the agents' private keys kept once enrolled?", Kind: steps.KindChoice, Default: StorageOffline, Choices: []steps.Choice{
				{Value: StorageOffline, Label: "Offline: on a smart card or in a password-protected file on removable media in a safe, removed from the computer"},
				{Value: StorageComputer, Label: "In each agent's profile on their computer"},
			}},
			{ID: QSeparation, Label: "Are the agents different people from the CA's certificate managers?", Kind: steps.KindYesNo, Default: "yes"},
		},
	},
	{
		ID:    "template",
		Title: "Encryption certificate template",
		Questions: []steps.Question{
			{ID: QSourceTemplate, Label: "Template to duplicate for users' encryption certificates", Kind: steps.KindObjectName, Default: "ExchangeUser",
				Hint: "The template's name. ExchangeUser (display name Exchange User) issues S/MIME encryption certificates."},
			{ID: QUserTemplate, Label: "Name of the new template", Kind: steps.KindObjectName, Default: "SMIMEEncryptionArchived"},
			{ID: QTestUser, Label: "Test account for the recovery test (DOMAIN\\user)", Kind: steps.KindList, Item: parseAccount, MaxItems: 1,
				Hint: "An account with a mailbox but no real mail, which enrols one certificate from the new template so that its key can be recovered as a test."},
		},
	},
}

func firstCA(t steps.Topology, _ steps.Answers) string {
	for _, s := range t.WithRole(steps.RoleCA) {
		if s.CA.Config != "" {
			return string(s.Name)
		}
	}
	return ""
}

var account = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,14}\\[A-Za-z0-9][A-Za-z0-9._-]{0,19}$`)

// parseAccount accepts a down-level logon name, DOMAIN\user, which
// certutil -getkey takes as the requester's name.
func parseAccount(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !account.MatchString(s) {
		return "", errors.New(`test account: enter it as DOMAIN\user, such as CORP\kra.test (letters, digits, dots, hyphens and underscores)`)
	}
	return s, nil
}

// config is the answers as the plan uses them.
type config struct {
	ca       steps.Server
	hasCA    bool
	kras     int
	kraTmpl  string
	source   string
	tmpl     string
	offline  bool
	separate bool
	user     string
	bad      []steps.Finding
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{offline: a[QKeyStorage] != StorageComputer, separate: !a.Is(QSeparation, "no")}
	refuse := func(q, msg string) {
		c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{q}, Message: msg})
	}
	if s, ok := in.Topology.Server(a[QCA]); ok && s.Has(steps.RoleCA) && s.CA.Config != "" {
		c.ca, c.hasCA = s, true
	}
	if n, err := strconv.Atoi(a[QKRACount]); err != nil || n < 1 || n > 10 {
		refuse(QKRACount, "Number of key recovery agents: enter a whole number from 1 to 10.")
	} else {
		c.kras = n
	}
	for q, dst := range map[string]*string{QKRATemplate: &c.kraTmpl, QSourceTemplate: &c.source, QUserTemplate: &c.tmpl} {
		if v, err := steps.ParseObjectName(a[q]); err != nil {
			refuse(q, "Template name: "+err.Error())
		} else {
			*dst = string(v)
		}
	}
	if v, err := parseAccount(a[QTestUser]); err != nil {
		refuse(QTestUser, err.Error())
	} else {
		c.user = v
	}
	if s := a[QKeyStorage]; s != StorageOffline && s != StorageComputer {
		refuse(QKeyStorage, "Choose where the agents' private keys are kept.")
	}
	// Were it read as yes whenever it is not no, a stale or corrupt answer
	// would hide the warning that no raises; it is refused instead.
	if s := a[QSeparation]; s != "yes" && s != "no" {
		refuse(QSeparation, "Role separation: choose yes or no.")
	}
	// Map order is random; findings are reported in question order.
	order := map[string]int{QKRACount: 1, QKRATemplate: 2, QKeyStorage: 3, QSeparation: 4, QSourceTemplate: 5, QUserTemplate: 6, QTestUser: 7}
	for i := range c.bad {
		for j := i + 1; j < len(c.bad); j++ {
			if order[c.bad[j].Fix[0]] < order[c.bad[i].Fix[0]] {
				c.bad[i], c.bad[j] = c.bad[j], c.bad[i]
			}
		}
	}
	return c
}

// Finding codes.
const (
	CodeBadValue     = "value-refused"
	CodeNoCA         = "no-issuing-ca"
	CodeSingleKRA    = "single-key-recovery-agent"
	CodeKeyOnline    = "kra-key-online"
	CodeNoSeparation = "kra-is-certificate-manager"
	CodeSameTemplate = "template-overwrites-source"
)

func check(in steps.Input) []steps.Finding {
	a := in.Of(ID)
	c := load(in)
	fs := append([]steps.Finding{}, c.bad...)
	if !c.hasCA {
		fs = append(fs, steps.Finding{Code: CodeNoCA, Severity: steps.Error, Fix: []string{QCA},
			Message: "Select the issuing CA: " + a[QCA] + " is not a certification authority with its configuration string (host\\CA name) in the inventory."})
	}
	if c.kras == 1 {
		fs = append(fs, steps.Finding{Code: CodeSingleKRA, Severity: steps.Warning, Fix: []string{QKRACount},
			Message: "With a single key recovery agent, every archived key depends on one person and one private key: if that key is lost or the person leaves, no archived key can ever be recovered. Enrol at least two agents, or accept it with a reason."})
	}
	if !c.offline {
		fs = append(fs, steps.Finding{Code: CodeKeyOnline, Severity: steps.Warning, Fix: []string{QKeyStorage},
			Message: "A key recovery agent's private key opens every archived key of the organisation. Left in a profile on a computer in daily use, it can be stolen with that computer or by malware running as its user. Keep it offline, on a smart card or on removable media in a safe, or accept it with a reason."})
	}
	if !c.separate {
		fs = append(fs, steps.Finding{Code: CodeNoSeparation, Severity: steps.Warning, Fix: []string{QSeparation},
			Message: "When the same person is a certificate manager and a key recovery agent, they can take a user's key out of the CA database and decrypt it alone. Microsoft advises separate people for the two roles. Separate them, or accept it with a reason (for example, a small team, with every recovery logged and reviewed)."})
	}
	if c.source != "" && strings.EqualFold(c.source, c.tmpl) {
		fs = append(fs, steps.Finding{Code: CodeSameTemplate, Severity: steps.Error, Fix: []string{QUserTemplate},
			Message: "The new template needs a name of its own: the template " + c.source + " is duplicated, not changed."})
	}
	return fs
}

func quote(s string) string {
	v, err := powershell.Quote(s)
	if err != nil {
		panic(err) // unreachable: every value is parsed before use
	}
	return v
}

// Commands are the certutil commands of the recovery test, run in
// PowerShell so that each typed value is quoted.
type Commands struct {
	GetKey, RecoverKey, Dump []string
}

func (c config) commands() Commands {
	blob := Folder + `\recovery-test.blob`
	pfx := Folder + `\recovery-test.pfx`
	return Commands{
		GetKey:     []string{"certutil -getkey " + quote(c.user) + " " + quote(blob)},
		RecoverKey: []string{"certutil -recoverkey " + quote(blob) + " " + quote(pfx)},
		Dump:       []string{"certutil -dump " + quote(pfx)},
	}
}

func plan(in steps.Input) []steps.Action {
	c := load(in)
	if len(c.bad) > 0 || !c.hasCA || strings.EqualFold(c.source, c.tmpl) {
		return nil
	}
	ca := string(c.ca.Name)
	console := "On " + string(c.ca.FQDN) + ", open the Certification Authority console (certsrv.msc) as a CA administrator."
	n := strconv.Itoa(c.kras)
	agents := "the " + n + " key recovery agents"
	if c.kras == 1 {
		agents = "the key recovery agent"
	}
	certs := "the " + n + " agent certificates"
	if c.kras == 1 {
		certs = "the agent's certificate"
	}
	var as []steps.Action
	as = append(as, steps.Action{
		ID: "kra-template", Phase: steps.PhaseCertificates, Target: ca,
		Title: "Let " + agents + " enrol on " + ca,
		Do: []string{
			"Open Certificate Templates (certtmpl.msc), open the properties of " + shown(c.kraTmpl) + ", and on the Security tab give Read and Enroll to " + agents + " only (a group holding exactly them is easiest). Leave Autoenroll cleared.",
			"On the Issuance Requirements tab, make sure CA certificate manager approval is ticked (the built-in template has it), so that no agent certificate is issued without a certificate manager looking at the request.",
			console + " Right-click Certificate Templates, choose New, Certificate Template to Issue, select " + shown(c.kraTmpl) + " and click OK.",
		},
		Expect:  c.kraTmpl + " is listed under Certificate Templates in the CA console.",
		Verify:  "Signed in as one of the agents, certmgr.msc, Personal, All Tasks, Request New Certificate offers " + c.kraTmpl + "; signed in as anyone else it does not.",
		Backout: "In the CA console, right-click " + c.kraTmpl + " under Certificate Templates and choose Delete (the template stays in Active Directory, the CA stops issuing it), and remove the permissions given above.",
	})
	for i := 1; i <= c.kras; i++ {
		k := strconv.Itoa(i)
		as = append(as, steps.Action{
			ID: "enrol-kra-" + k, Phase: steps.PhaseCertificates, Target: ca,
			Title: "Enrol key recovery agent " + k + " of " + n,
			Do: []string{
				"Agent " + k + " signs in to a domain computer with their own account, opens certmgr.msc, and under Personal chooses All Tasks, Request New Certificate, then ticks " + display(c.kraTmpl) + " and clicks Enroll. The request waits for approval.",
				"A certificate manager (not the agent) opens the CA console on " + ca + ", Pending Requests, checks that the requester is agent " + k + ", and chooses All Tasks, Issue.",
				"The agent, back in certmgr.msc, chooses Personal, All Tasks, Automatically Enroll and Retrieve Certificates; the certificate appears under Personal.",
				"The agent exports it with its private key (All Tasks, Export, Yes, export the private key) to a .pfx file with a strong password, on removable media or straight to a smart card, and keeps it in a safe; a second copy goes to a different safe.",
				map[bool]string{true: "Once the copies are checked, the agent deletes the certificate and its private key from the computer (certmgr.msc, Personal, Delete), so the key exists only offline.", false: "The agent keeps the certificate in their profile, as the answers say (see the accepted warning)."}[c.offline],
			},
			Expect:  "The CA console's Issued Certificates lists a " + c.kraTmpl + " certificate for agent " + k + ".",
			Verify:  "certutil -dump on the exported .pfx (with its password) shows the agent's name, the template " + c.kraTmpl + " and Key Recovery Agent among the application policies.",
			Backout: "In the CA console, Issued Certificates, right-click the agent's certificate, All Tasks, Revoke Certificate (reason Cessation of Operation), and destroy the exported copies.",
		})
	}
	as = append(as, steps.Action{
		ID: "enable-archival", Phase: steps.PhaseCertificates, Target: ca,
		Title: "Switch on key archival on " + ca,
		Do: []string{
			console,
			"Right-click the CA, Properties, Recovery Agents tab. Select Archive the key, and in Number of recovery agents to use enter " + n + ", so that each archived key is encrypted to every agent.",
			"Click Add, select " + certs + " enrolled above, and click OK. The list shows the status Not loaded until the restart.",
			"Click OK and answer Yes when asked to restart Active Directory Certificate Services. The CA issues nothing for the minute it takes to restart.",
		},
		Expect:     "After the restart the Recovery Agents tab lists " + certs + " with the status Valid.",
		Verify:     "The Application event log on " + ca + " shows Active Directory Certificate Services starting without a key recovery agent error.",
		Backout:    "On the Recovery Agents tab select Do not archive the key, click OK and restart the service. Keys archived meanwhile stay in the database and can still be recovered.",
		Interrupts: "Certificate issuance by " + ca,
		Minutes:    1,
	})
	as = append(as, steps.Action{
		ID: "encryption-template", Phase: steps.PhaseCertificates, Target: ca,
		Title: "Issue users' encryption certificates from " + c.tmpl + ", which archives their key",
		Do: []string{
			"In Certificate Templates (certtmpl.msc), right-click " + shown(c.source) + " and choose Duplicate Template.",
			"General tab: template display name " + c.tmpl + "; the template name below it becomes " + c.tmpl + " too.",
			"Request Handling tab: purpose Encryption, and tick Archive subject's encryption private key. Leave Allow private key to be exported cleared.",
			"Security tab: give the users who are to get S/MIME encryption certificates Read and Enroll (and Autoenroll if certificates are to be rolled out by Group Policy). Click OK.",
			console + " Right-click Certificate Templates, choose New, Certificate Template to Issue, select " + c.tmpl + " and click OK. Stop issuing " + display(c.source) + " to the same users, so every new encryption certificate is archived.",
		},
		Expect:  c.tmpl + " is listed under Certificate Templates in the CA console, and its Request Handling tab shows the archive option ticked.",
		Verify:  "The recovery test below recovers a key issued from " + c.tmpl + ".",
		Backout: "In the CA console, delete " + c.tmpl + " from Certificate Templates (the CA stops issuing it), issue " + c.source + " again if it was withdrawn, and delete the template in certtmpl.msc. Certificates already issued stay valid.",
	})
	cm := c.commands()
	as = append(as, steps.Action{
		ID: "recovery-test", Phase: steps.PhaseCertificates, Target: ca,
		Title: "Prove that an archived key can be recovered",
		Do: []string{
			"Sign in to a domain computer as " + c.user + " and enrol one certificate from " + c.tmpl + " (certmgr.msc, Personal, All Tasks, Request New Certificate). Send an S/MIME message encrypted to " + c.user + ", then delete the certificate and its private key from the profile.",
			"On " + string(c.ca.FQDN) + ", as a certificate manager, create the folder " + Folder + " and run in PowerShell: " + cm.GetKey[0] + " — this takes the encrypted key out of the CA database; it is still unreadable without an agent's key.",
			"One agent brings their key (the smart card, or imports the .pfx into their profile on that computer for the test only) and runs: " + cm.RecoverKey[0] + " — certutil asks for a new password for the recovered .pfx.",
			"Run " + cm.Dump[0] + " with that password, then import the .pfx into " + c.user + "'s profile and open the encrypted message.",
			"Delete " + Folder + " and, if the agent imported their .pfx, remove it from the profile again.",
		},
		Expect:  "certutil -getkey reports the recovery blob written for " + c.user + "'s certificate, certutil -recoverkey writes the .pfx, and the encrypted message opens after the import.",
		Verify:  "The CA's Issued Certificates shows " + c.user + "'s certificate with an archived key (add the Archived Key column to the view).",
		Backout: "Revoke the test certificate in the CA console (Issued Certificates, All Tasks, Revoke Certificate) and delete the recovered .pfx and the test files.",
	})
	return as
}

// builtIn are the display names the consoles show for the built-in
// templates this procedure offers by default.
var builtIn = map[string]string{"KeyRecoveryAgent": "Key Recovery Agent", "ExchangeUser": "Exchange User"}

// display is the name the enrolment wizard shows for a template.
func display(name string) string {
	if d, ok := builtIn[name]; ok {
		return d
	}
	return name
}

// shown names a template as the consoles list it: they show display
// names, where the answers hold template names.
func shown(name string) string {
	if d, ok := builtIn[name]; ok {
		return d + " (template name " + name + ")"
	}
	return "the template whose template name is " + name + " (its General tab shows it)"
}

// commandList is every command the plan prints, in order, for the tests.
func (c config) commandList() []string {
	cm := c.commands()
	return append(append(append([]string{}, cm.GetKey...), cm.RecoverKey...), cm.Dump...)
}
