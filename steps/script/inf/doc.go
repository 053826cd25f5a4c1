// Package inf writes values into certreq request files (.inf) so that they
// stay data.
//
// certreq reads its request file with the Windows INF rules: a line is
// "key = value", ';' starts a comment, %name% is replaced from a [Strings]
// section (%% stands for a literal %), a value in double quotes keeps its
// blanks and separators, and a double quote inside a quoted value is written
// "". [Value] therefore always quotes and doubles ", and refuses what is not
// worth the risk: % (a mistyped substitution silently changes the request),
// ';' (a comment character, refused even inside quotes so that no parser
// variant can cut the line short), line breaks, control characters and
// non-ASCII characters.
//
// The Subject of a request is an X.500 distinguished name that certreq passes
// to CertStrToName: "CN=mail.example.com, O=Contoso, C=US". Inside a relative
// distinguished name the characters , + = " \ < > ; # change its meaning — a
// comma in an organisation name starts a new RDN, so "Contoso, CN=evil" would
// request a certificate for a name nobody typed. X.500 has escapes for them,
// but which escapes certreq honours depends on its X500NameFlags, so
// [SubjectDN] refuses them with a message rather than escaping: host names,
// which is what a web server certificate needs, never contain them.
// Attributes come from a fixed list (CN, O, OU, L, S, C, E) and lengths are
// held to the RFC 5280 upper bounds a certification authority enforces.
//
// Files are ASCII with CRLF line endings ([File]); certreq mis-decodes UTF-8
// request files in some locales.
package inf
