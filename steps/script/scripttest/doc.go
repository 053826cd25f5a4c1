// Package scripttest provides hostile values and shared checks for tests of
// script encoders and script templates.
//
// Fuzzing finds only what its seeds lead it to: blind mutation of "O'Brien"
// practically never produces the three bytes of U+2019, yet "Bob’s" breaks an
// encoder that doubles only the ASCII apostrophe. Every encoder's table and
// fuzz tests, and every procedure's template tests, start from [Hostile] so
// the characters that have broken real script generators are always tried.
//
// An encoder refuses a value by returning a [*script.Error] and no output.
// [CheckRefusals] checks a table of such refusals, and [Refused] checks a
// refusal met in a fuzz test.
package scripttest
