// Package script holds what the per-language encoders under it share: the
// header every generated file starts with, line-ending normalisation, the
// refusal error they return, and a checker for script templates.
//
// The wizard turns an administrator's answers into scripts that run with
// administrative rights on Exchange, ISA and domain controller hosts. A value
// that escapes its quotes becomes code on those hosts, so no template may
// print a value except through an encoder of the target language
// (subpackages powershell, batch, vbscript and inf). [CheckTemplate] makes
// that rule testable: a template with a bare {{.Name}} fails a unit test
// instead of waiting for a reviewer to notice it.
//
// Encoders refuse what they cannot encode safely rather than guessing, and
// say why in words an administrator can act on. Validation of typed values
// at input time is the first layer; the encoders are the second.
//
// This package and its subpackages import only the standard library.
package script
