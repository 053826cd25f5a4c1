// Package batch writes values into cmd.exe batch files (.cmd) so that they
// stay data.
//
// cmd.exe has no quoting that is safe for arbitrary text. It expands %VAR%
// before it looks at quotes, so a percent sign inside "…" still expands. With
// delayed expansion on, !VAR! expands too, and on a line containing ! even
// carets inside quotes are consumed. A double quote inside a value toggles
// quoting off and exposes everything after it to & | < > as command
// separators and redirections. The 2024 "BatBadBut" advisories (CERT
// VU#123335) showed that most language runtimes got this wrong. This package
// therefore refuses rather than escapes whatever it cannot make safe, and
// says why:
//
//   - [Arg] writes a double-quoted argument. Inside double quotes cmd.exe
//     treats & | < > ^ ( ) as ordinary characters, so they are allowed. It
//     refuses " (cannot be escaped inside quotes), % (expands even inside
//     quotes), ! (expands when delayed expansion is on; the [Prologue] turns
//     it off, but a script run from another context may not have it off), a
//     trailing backslash (most programs read \" as a literal quote, so the
//     argument would not end), and control and non-ASCII characters.
//   - [Echo] writes text for an echo command, outside quotes, escaping each
//     of ^ & | < > ( ) with a caret. It refuses " (a quote would switch the
//     caret escapes off for the rest of the line), % and ! for the reasons
//     above, and "/?" (which makes echo print its help instead of the text).
//     Doubling % to %% would print a percent sign in a batch file, but inside
//     a for loop %%x names a loop variable, so refusing is the safe choice.
//   - [Comment] writes rem lines. cmd.exe expands %…% in every line, rem
//     included (a stray "%~" even aborts the script with a syntax error), so
//     Comment doubles each %; it also keeps a line from ending in ^ (which
//     could join the next line to the comment), and writes "/?" as "/ ?" so rem
//     never prints its help.
//
// Files are ASCII with CRLF line endings ([File]): cmd.exe reads a batch file
// in the console's OEM code page, so non-ASCII text means different bytes on
// different servers, and it mis-parses labels in LF-only files.
//
// Values used inside a parenthesised block (if … ( … ), for … do ( … )) must
// be written quoted with Arg: a bare ) would close the block. Do not pass
// values through "call", which re-parses the line and doubles carets.
package batch
