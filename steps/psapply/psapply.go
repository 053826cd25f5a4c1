// Package psapply writes the apply, verify and backout PowerShell scripts
// of a current-platform procedure from the settings it changes and the
// objects it creates.
//
// A procedure never writes PowerShell text itself: it lists typed
// [Setting] and [Object] values, and this package prints every value
// through the PowerShell encoder (steps/script/powershell), every cmdlet
// and parameter by name, one command a line, so that a reviewer reads
// exactly what runs and a test can check each cmdlet and parameter
// against Microsoft's published reference for the server's version.
//
// The three files hold to one contract:
//
//   - apply first checks its prerequisites (PowerShell 5.1, the computer
//     it is for, the Exchange Management Shell, that the server's
//     configuration can be read from the directory, the Exchange product
//     and build, the server's role) and stops, changing nothing, when one
//     fails; with -Prerequisites it stops there. It then reads every
//     setting it will change and saves them to <prefix>-before.xml beside
//     itself (Export-Clixml; an earlier capture is kept, so the first one
//     always describes the server before the change), makes the changes
//     and runs verify. -WhatIf prints each change and makes none, the
//     capture included.
//   - verify only reads, prints one OK or FAILED line a setting, and exits
//     1 on any difference.
//   - backout restores exactly the capture: each setting to its captured
//     value, and each object apply created (the capture says it did not
//     exist) is removed; an object that existed before is never touched.
package psapply

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/powershell"
)

// Kind is the type of a [Value].
type Kind int

// The kinds of value.
const (
	KindBool Kind = iota + 1
	KindInt
	KindText
	KindList
)

// Value is a typed value a script passes to a parameter: a boolean, a
// whole number, a text or a list of texts. The zero Value is invalid and
// refused when printed.
type Value struct {
	kind Kind
	b    bool
	i    int
	s    string
	list []string
}

// Bool returns the boolean b.
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// Int returns the whole number i.
func Int(i int) Value { return Value{kind: KindInt, i: i} }

// Text returns the text s.
func Text(s string) Value { return Value{kind: KindText, s: s} }

// List returns the list of texts ss.
func List(ss ...string) Value { return Value{kind: KindList, list: append([]string{}, ss...)} }

// Kind reports the value's type.
func (v Value) Kind() Kind { return v.kind }

// Literal returns v as a PowerShell expression: $true or $false, a decimal
// number, a single-quoted string, or an array of single-quoted strings.
// Texts go through powershell.Quote, which refuses what cannot be written
// safely.
func (v Value) Literal() (string, error) {
	switch v.kind {
	case KindBool:
		if v.b {
			return "$true", nil
		}
		return "$false", nil
	case KindInt:
		return strconv.Itoa(v.i), nil
	case KindText:
		return powershell.Quote(v.s)
	case KindList:
		return powershell.QuoteList(v.list)
	}
	return "", fmt.Errorf("a value without a type cannot be written into a script")
}

// String is the value as the runbook shows it.
func (v Value) String() string {
	switch v.kind {
	case KindBool:
		if v.b {
			return "True"
		}
		return "False"
	case KindInt:
		return strconv.Itoa(v.i)
	case KindText:
		return v.s
	case KindList:
		if len(v.list) == 0 {
			return "(none)"
		}
		return strings.Join(v.list, ", ")
	}
	return ""
}

// Param is one parameter of a command.
type Param struct {
	Name  string // without the leading hyphen
	Value Value
}

// Setting is one property of an Exchange or Windows object that a
// procedure sets: Get-<Noun> with Scope reads it, Set-<Noun> with Scope
// and -<Property> writes it.
type Setting struct {
	Noun     string
	Scope    []Param // the parameters that name the object, such as -Server or -Identity
	Property string
	Value    Value
	What     string             // one line on what the setting does, in the runbook's words
	Refs     []steps.ControlRef // the benchmark rules the setting answers
}

// Object is an object a procedure creates: New-<Noun> with Params makes it,
// Get-<Noun> -Identity Identity finds it, Remove-<Noun> -Identity Identity
// takes it away again (see IdentityParam). Then are commands run once it exists, each given
// the object on the pipeline (such as Add-ADPermission). Checks are the
// properties verify compares after it exists.
type Object struct {
	Noun     string
	Identity string
	// IdentityParam is the parameter Get- and Remove- take the identity
	// in; "Identity" when empty (the NetSecurity cmdlets take -Name).
	IdentityParam string
	Params        []Param
	Then          []Command
	Checks        []Check
	What          string
	Refs          []steps.ControlRef
}

// Command is one command run on an object.
type Command struct {
	Cmdlet string
	Params []Param
}

// Check is a property verify compares.
type Check struct {
	Property string
	Value    Value
}

// Script is one server's part of a procedure.
type Script struct {
	Procedure string       // the step ID, for the file header
	Server    steps.Server // the computer the files are for
	Prefix    string       // file names: <Prefix>-apply.ps1, -verify.ps1, -backout.ps1, -before.xml
	Purpose   string       // one line for the header
	Settings  []Setting
	Objects   []Object
}

// File names.
func (s Script) ApplyName() string   { return s.Prefix + "-apply.ps1" }
func (s Script) VerifyName() string  { return s.Prefix + "-verify.ps1" }
func (s Script) BackoutName() string { return s.Prefix + "-backout.ps1" }
func (s Script) CaptureName() string { return s.Prefix + "-before.xml" }

// Controls returns the benchmark rules of every setting and object of s,
// each once, in the order the script changes them: the action that runs
// the script reports them.
func (s Script) Controls() []steps.ControlRef {
	var out []steps.ControlRef
	add := func(refs []steps.ControlRef) {
		for _, r := range refs {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	for _, st := range s.Settings {
		add(st.Refs)
	}
	for _, o := range s.Objects {
		add(o.Refs)
	}
	return out
}

// minBuild is the smallest build of each Exchange product the plan
// supports: Exchange Server 2019 CU14 is 15.2.1544, and Exchange Server
// SE's release is 15.2.2562.
var minBuild = map[steps.ExchangeVersion]int{steps.Exchange2019: 1544, steps.ExchangeSE: 2562}

// Files returns the apply, verify and backout scripts of s.
func (s Script) Files(in steps.Input) ([]steps.File, error) {
	if len(s.Settings) == 0 && len(s.Objects) == 0 {
		return nil, fmt.Errorf("%s: nothing to change on %s", s.Procedure, s.Server.Name)
	}
	w := writer{s: s}
	// apply prints every value of s through the encoder and fails on the
	// first it refuses, so once it succeeds the texts the writers quote
	// without checking the error (descriptions made of those values and
	// of fixed ASCII) are known to quote.
	apply, err := w.apply(in)
	if err != nil {
		return nil, err
	}
	verify, err := w.verify(in)
	if err != nil {
		return nil, err
	}
	backout, err := w.backout(in)
	if err != nil {
		return nil, err
	}
	t := string(s.Server.Name)
	return []steps.File{
		{Target: t, Name: s.ApplyName(), Kind: steps.FileApply, Body: powershell.File(apply)},
		{Target: t, Name: s.VerifyName(), Kind: steps.FileVerify, Body: powershell.File(verify)},
		{Target: t, Name: s.BackoutName(), Kind: steps.FileBackout, Body: powershell.File(backout)},
	}, nil
}

type writer struct{ s Script }

func (w writer) header(in steps.Input, purpose, runFirst string, what []string) string {
	h := script.Header{Product: in.Product, Version: in.Version, Procedures: []string{w.s.Procedure},
		Project: in.Project, Target: string(w.s.Server.Name), AnswersHash: in.AnswersHash, Purpose: purpose, RunFirst: runFirst}
	return powershell.Comment(append(append(h.Lines(), ""), what...))
}

// command prints cmdlet and params, one literal each.
func command(cmdlet string, params ...Param) (string, error) {
	var b strings.Builder
	b.WriteString(cmdlet)
	for _, p := range params {
		lit, err := p.Value.Literal()
		if err != nil {
			return "", fmt.Errorf("-%s: %w", p.Name, err)
		}
		b.WriteString(" -" + p.Name + " " + lit)
	}
	return b.String(), nil
}

// read prints the expression that reads setting st: the property's value,
// a list as its texts.
func read(st Setting) (string, error) {
	get, err := command("Get-"+st.Noun, st.Scope...)
	if err != nil {
		return "", err
	}
	if st.Value.kind == KindList {
		return "@((" + get + ")." + st.Property + " | ForEach-Object { [string]$_ })", nil
	}
	return "(" + get + ")." + st.Property, nil
}

func (o Object) idParam() Param {
	if o.IdentityParam != "" {
		return Param{o.IdentityParam, Text(o.Identity)}
	}
	return Param{"Identity", Text(o.Identity)}
}

func (o Object) get() (string, error) { return command("Get-"+o.Noun, o.idParam()) }

// describe is the one-line description of a setting, for comments and
// messages.
func (st Setting) describe() string {
	s := st.Property + " of " + st.Noun
	for _, p := range st.Scope {
		s += " " + p.Value.String()
	}
	return s
}

func (o Object) describe() string { return o.Noun + " " + o.Identity }

// readCurrent is the function, shared by apply and backout, that reads
// every setting and whether every object exists, keyed s1, s2, … and o1,
// o2, … in the order of the script.
func (w writer) readCurrent() (string, error) {
	var b strings.Builder
	b.WriteString("function Read-Current {\r\n    $now = @{}\r\n")
	for i, st := range w.s.Settings {
		r, err := read(st)
		if err != nil {
			return "", fmt.Errorf("%s: %w", st.describe(), err)
		}
		fmt.Fprintf(&b, "    $now['s%d'] = %s\r\n", i+1, r)
	}
	for i, o := range w.s.Objects {
		get, err := o.get()
		if err != nil {
			return "", fmt.Errorf("%s: %w", o.describe(), err)
		}
		fmt.Fprintf(&b, "    $now['o%d'] = Test-Exists { %s }\r\n", i+1, get)
	}
	b.WriteString("    return $now\r\n}\r\n\r\n")
	return b.String(), nil
}

// testExists is the helper that runs a Get- command and reports whether
// it found the object. A lookup that fails for any reason counts as not
// found, which verify reports as a failure and apply as absent.
const testExists = `function Test-Exists {
    param([scriptblock]$Get)
    $ErrorActionPreference = 'Stop'
    try {
        return [bool](& $Get)
    }
    catch {
        return $false
    }
}

`

// sameValue is the comparison verify and backout share: lists compare as
// sorted texts, ignoring case, as Exchange does.
const sameValue = `function Test-Same {
    param($Observed, $Expected)
    if ($Expected -is [array] -or $Observed -is [array]) {
        $o = @($Observed | ForEach-Object { ([string]$_).ToLowerInvariant() } | Sort-Object)
        $e = @($Expected | ForEach-Object { ([string]$_).ToLowerInvariant() } | Sort-Object)
        return (($o -join ',') -eq ($e -join ','))
    }
    return ([string]$Observed -eq [string]$Expected)
}

function Write-Result {
    param([bool]$Ok, [string]$Text)
    if ($Ok) {
        Write-Host ('OK: ' + $Text)
    }
    else {
        Write-Host ('FAILED: ' + $Text)
        $script:Failed = $script:Failed + 1
    }
}

`

func (w writer) prerequisites() (string, error) {
	target, err := powershell.Quote(string(w.s.Server.Name))
	if err != nil {
		return "", err
	}
	ex := w.s.Server.Exchange
	build, ok := minBuild[ex.Version]
	if !ok {
		return "", fmt.Errorf("%s has no Exchange Server product of the current platform recorded", w.s.Server.Name)
	}
	role := "Mailbox"
	if w.s.Server.Has(steps.RoleEdge) {
		role = "Edge"
	}
	want, _ := powershell.Quote(ex.Label())
	var b strings.Builder
	fmt.Fprintf(&b, `function Test-Prerequisites {
    $ok = $true
    if ($PSVersionTable.PSVersion -lt [version]'5.1') {
        Write-Host ('FAILED: Windows PowerShell 5.1 or later is needed; this is ' + $PSVersionTable.PSVersion)
        $ok = $false
    }
    else {
        Write-Host ('OK: Windows PowerShell ' + $PSVersionTable.PSVersion)
    }
    if ($env:COMPUTERNAME -ne %[1]s) {
        Write-Host ('FAILED: this file is for ' + %[1]s + '; this computer is ' + $env:COMPUTERNAME)
        $ok = $false
    }
    else {
        Write-Host ('OK: this computer is ' + %[1]s)
    }
    if (-not (Get-Command -Name Get-ExchangeServer -ErrorAction SilentlyContinue)) {
        Write-Host 'FAILED: the Exchange cmdlets are not loaded; run this file in the Exchange Management Shell'
        return $false
    }
    try {
        $server = Get-ExchangeServer -Identity %[1]s
    }
    catch {
        Write-Host ('FAILED: the configuration of ' + %[1]s + ' cannot be read (is the directory or, on an Edge server, the local AD LDS instance reachable?): ' + $_.Exception.Message)
        return $false
    }
    Write-Host ('OK: the configuration of ' + %[1]s + ' can be read')
    $v = $server.AdminDisplayVersion
    if ($v.Major -ne 15 -or $v.Minor -ne 2 -or $v.Build -lt %[2]d) {
        Write-Host ('FAILED: the plan is for ' + %[3]s + '; this server runs ' + $v + ', older than 15.2.%[2]d, the oldest build the plan supports for this product')
        $ok = $false
    }
    else {
        Write-Host ('OK: Exchange build ' + $v)
    }
    if ([string]$server.ServerRole -notmatch '%[4]s') {
        Write-Host ('FAILED: the plan is for the %[4]s role; this server has ' + $server.ServerRole)
        $ok = $false
    }
    else {
        Write-Host ('OK: role ' + $server.ServerRole)
    }
    return $ok
}

`, target, build, want, role)
	return b.String(), nil
}

func (w writer) apply(in steps.Input) (string, error) {
	s := w.s
	what := []string{
		"What this file does",
		"  " + s.Purpose,
		"  It checks its prerequisites first and stops, changing nothing, if one",
		"  fails; run it with -Prerequisites to check them alone. It then saves",
		"  every setting it will change to " + s.CaptureName() + " beside itself",
		"  (an earlier capture is kept), makes the changes below and runs",
		"  " + s.VerifyName() + ". Run it with -WhatIf to see each change without",
		"  making any.",
		"",
		"Changes",
	}
	for i, st := range s.Settings {
		what = append(what, fmt.Sprintf("  %d. %s: %s", i+1, st.describe(), st.Value.String()))
		if st.What != "" {
			what = append(what, "     "+st.What)
		}
		for _, r := range st.Refs {
			what = append(what, "     Reference: "+r.String())
		}
	}
	for i, o := range s.Objects {
		what = append(what, fmt.Sprintf("  %d. New %s", len(s.Settings)+i+1, o.describe()))
		if o.What != "" {
			what = append(what, "     "+o.What)
		}
		for _, r := range o.Refs {
			what = append(what, "     Reference: "+r.String())
		}
	}
	what = append(what, "", "Backout", "  Run "+s.BackoutName()+": it restores the capture.")
	var b strings.Builder
	b.WriteString(w.header(in, "apply; "+s.BackoutName()+" undoes it", "nothing; it checks its own prerequisites", what))
	capture, _ := powershell.Quote(s.CaptureName())
	verify, _ := powershell.Quote(s.VerifyName())
	fmt.Fprintf(&b, "[CmdletBinding(SupportsShouldProcess = $true)]\r\nparam([switch]$Prerequisites)\r\n\r\nSet-StrictMode -Version 2.0\r\n$ErrorActionPreference = 'Stop'\r\n$Capture = Join-Path -Path $PSScriptRoot -ChildPath %s\r\n\r\n", capture)
	pre, err := w.prerequisites()
	if err != nil {
		return "", err
	}
	b.WriteString(pre)
	b.WriteString(testExists)
	rc, err := w.readCurrent()
	if err != nil {
		return "", err
	}
	b.WriteString(rc)
	b.WriteString(`if (-not (Test-Prerequisites)) {
    Write-Host 'STOPPED: a prerequisite is not met (see above). Nothing was changed.'
    exit 2
}
if ($Prerequisites) {
    Write-Host 'All prerequisites are met. Nothing was changed.'
    exit 0
}

$before = Read-Current
$earlier = $null
if (Test-Path -LiteralPath $Capture) {
    $earlier = Import-Clixml -LiteralPath $Capture
    Write-Host ('NOTE: ' + $Capture + ' from an earlier run is kept; it describes the server before the change.')
}
elseif ($PSCmdlet.ShouldProcess($Capture, 'Save the current settings')) {
    $before | Export-Clixml -LiteralPath $Capture
}
`)
	for i, o := range s.Objects {
		id, _ := powershell.Quote(o.describe())
		fmt.Fprintf(&b, `if ($before['o%[1]d'] -and ($earlier -eq $null -or $earlier['o%[1]d'])) {
    Write-Host ('STOPPED: ' + %[2]s + ' exists already and was not made by this file. Choose another name in the wizard, or remove it first. Nothing more was changed.')
    exit 2
}
`, i+1, id)
	}
	b.WriteString("\r\n")
	for i, st := range s.Settings {
		set, err := command("Set-"+st.Noun, append(append([]Param{}, st.Scope...), Param{st.Property, st.Value})...)
		if err != nil {
			return "", fmt.Errorf("%s: %w", st.describe(), err)
		}
		desc, _ := powershell.Quote(st.describe())
		to, _ := powershell.Quote(st.Value.String())
		fmt.Fprintf(&b, "if ($PSCmdlet.ShouldProcess(%s, 'Set from ' + (@($before['s%d']) -join ', ') + ' to ' + %s)) {\r\n    %s -Confirm:$false\r\n}\r\n", desc, i+1, to, set)
	}
	for i, o := range s.Objects {
		newCmd, err := command("New-"+o.Noun, o.Params...)
		if err != nil {
			return "", fmt.Errorf("%s: %w", o.describe(), err)
		}
		get, _ := o.get()
		desc, _ := powershell.Quote(o.describe())
		fmt.Fprintf(&b, "if (-not $before['o%d'] -and $PSCmdlet.ShouldProcess(%s, 'Create')) {\r\n    %s -Confirm:$false | Out-Null\r\n", i+1, desc, newCmd)
		for _, c := range o.Then {
			then, err := command(c.Cmdlet, c.Params...)
			if err != nil {
				return "", fmt.Errorf("%s: %w", o.describe(), err)
			}
			fmt.Fprintf(&b, "    %s | %s | Out-Null\r\n", get, then)
		}
		b.WriteString("}\r\n")
	}
	fmt.Fprintf(&b, `
if ($WhatIfPreference) {
    Write-Host 'WhatIf: nothing was changed.'
    exit 0
}
& (Join-Path -Path $PSScriptRoot -ChildPath %s)
exit $LASTEXITCODE
`, verify)
	return b.String(), nil
}

func (w writer) verify(in steps.Input) (string, error) {
	s := w.s
	what := []string{
		"What this file does",
		"  A read-only check that every setting of " + s.ApplyName() + " is in place:",
		"  one OK or FAILED line each, and exit code 1 on any difference.",
		"",
		"Read-only",
		"  Nothing is changed, so there is nothing to back out.",
	}
	var b strings.Builder
	b.WriteString(w.header(in, "read-only, nothing to back out: check the settings of "+s.ApplyName(), s.ApplyName(), what))
	b.WriteString("Set-StrictMode -Version 2.0\r\n$ErrorActionPreference = 'Stop'\r\n$script:Failed = 0\r\n\r\n")
	b.WriteString(testExists)
	b.WriteString(sameValue)
	for _, st := range s.Settings {
		r, err := read(st)
		if err != nil {
			return "", fmt.Errorf("%s: %w", st.describe(), err)
		}
		lit, err := st.Value.Literal()
		if err != nil {
			return "", fmt.Errorf("%s: %w", st.describe(), err)
		}
		desc, _ := powershell.Quote(st.describe() + " is " + st.Value.String())
		fmt.Fprintf(&b, "$observed = %s\r\nWrite-Result (Test-Same $observed %s) (%s + ' (it is ' + (@($observed) -join ', ') + ')')\r\n", r, lit, desc)
	}
	for _, o := range s.Objects {
		get, err := o.get()
		if err != nil {
			return "", err
		}
		desc, _ := powershell.Quote(o.describe())
		fmt.Fprintf(&b, "$object = $null\r\ntry {\r\n    $object = %s -ErrorAction Stop\r\n}\r\ncatch {\r\n    $object = $null\r\n}\r\nWrite-Result ($object -ne $null) (%s + ' exists')\r\nif ($object -ne $null) {\r\n", get, desc)
		for _, c := range o.Checks {
			lit, err := c.Value.Literal()
			if err != nil {
				return "", fmt.Errorf("%s %s: %w", o.describe(), c.Property, err)
			}
			cd, _ := powershell.Quote(o.describe() + ": " + c.Property + " is " + c.Value.String())
			expr := "$object." + c.Property
			if c.Value.kind == KindList {
				expr = "@($object." + c.Property + " | ForEach-Object { [string]$_ })"
			}
			fmt.Fprintf(&b, "    $observed = %s\r\n    Write-Result (Test-Same $observed %s) (%s + ' (it is ' + (@($observed) -join ', ') + ')')\r\n", expr, lit, cd)
		}
		b.WriteString("}\r\n")
	}
	b.WriteString(`
Write-Host ''
if ($script:Failed -gt 0) {
    Write-Host ('At least one check failed (' + $script:Failed + '); see the messages above.')
    exit 1
}
Write-Host 'All checks passed.'
exit 0
`)
	return b.String(), nil
}

func (w writer) backout(in steps.Input) (string, error) {
	s := w.s
	what := []string{
		"What this file does",
		"  The backout of " + s.ApplyName() + ": it reads " + s.CaptureName() + ", which",
		"  that file saved before changing anything, puts every setting back to",
		"  the value it had then, removes each object that file created (and",
		"  only those: an object that existed before is never touched), and",
		"  reads everything again to show it matches the capture. Run it from",
		"  the folder of the apply file or from the bundle's backout folder.",
		"  Without the capture it stops and changes nothing. -WhatIf shows each",
		"  change without making it.",
	}
	var b strings.Builder
	b.WriteString(w.header(in, "backout of "+s.ApplyName()+": restore "+s.CaptureName(), "nothing; it needs "+s.CaptureName()+" from "+s.ApplyName(), what))
	capture, _ := powershell.Quote(s.CaptureName())
	fmt.Fprintf(&b, `[CmdletBinding(SupportsShouldProcess = $true)]
param()

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'
$script:Failed = 0
$Capture = Join-Path -Path $PSScriptRoot -ChildPath %[1]s
if (-not (Test-Path -LiteralPath $Capture)) {
    $Capture = Join-Path -Path (Split-Path -Path $PSScriptRoot -Parent) -ChildPath %[1]s
}
if (-not (Test-Path -LiteralPath $Capture)) {
    Write-Host ('STOPPED: ' + %[1]s + ' is neither beside this file nor in the folder above it; without it there is nothing to restore. Nothing was changed.')
    exit 2
}
$before = Import-Clixml -LiteralPath $Capture

`, capture)
	b.WriteString(testExists)
	b.WriteString(sameValue)
	rc, err := w.readCurrent()
	if err != nil {
		return "", err
	}
	b.WriteString(rc)
	b.WriteString("$Names = @{\r\n")
	for i, st := range s.Settings {
		d, _ := powershell.Quote(st.describe())
		fmt.Fprintf(&b, "    's%d' = %s\r\n", i+1, d)
	}
	for i, o := range s.Objects {
		d, _ := powershell.Quote("whether " + o.describe() + " exists")
		fmt.Fprintf(&b, "    'o%d' = %s\r\n", i+1, d)
	}
	b.WriteString("}\r\n\r\n")
	for i := len(s.Objects) - 1; i >= 0; i-- {
		o := s.Objects[i]
		rm, err := command("Remove-"+o.Noun, o.idParam())
		if err != nil {
			return "", err
		}
		desc, _ := powershell.Quote(o.describe())
		fmt.Fprintf(&b, "if (-not $before['o%d'] -and $PSCmdlet.ShouldProcess(%s, 'Remove')) {\r\n    try {\r\n        %s -Confirm:$false -ErrorAction Stop\r\n    }\r\n    catch {\r\n        Write-Host ('NOTE: ' + %s + ' could not be removed: ' + $_.Exception.Message)\r\n    }\r\n}\r\n", i+1, desc, rm, desc)
	}
	for i, st := range s.Settings {
		set, err := command("Set-"+st.Noun, st.Scope...)
		if err != nil {
			return "", err
		}
		desc, _ := powershell.Quote(st.describe())
		fmt.Fprintf(&b, "if ($PSCmdlet.ShouldProcess(%s, 'Restore ' + (@($before['s%d']) -join ', '))) {\r\n    %s -%s $before['s%d'] -Confirm:$false\r\n}\r\n", desc, i+1, set, st.Property, i+1)
	}
	b.WriteString(`
if ($WhatIfPreference) {
    Write-Host 'WhatIf: nothing was changed.'
    exit 0
}
$now = Read-Current
foreach ($key in @($before.Keys)) {
    Write-Result (Test-Same $now[$key] $before[$key]) ($Names[$key] + ' is as captured (' + (@($before[$key]) -join ', ') + ')')
}
Write-Host ''
if ($script:Failed -gt 0) {
    Write-Host 'FAILED: not everything is as captured; see above.'
    exit 1
}
Write-Host 'OK: every setting is as captured.'
exit 0
`)
	return b.String(), nil
}
