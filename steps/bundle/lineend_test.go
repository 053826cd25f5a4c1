package bundle

import "testing"

func TestBareLineEnd(t *testing.T) {
	for in, want := range map[string]bool{
		"":                 false,
		"no line end":      false,
		"a\r\nb\r\n":       false,
		"\r\n\r\n":         false,
		"a\nb":             true,
		"\n":               true,
		"a\r\nb\n":         true,
		"a\rb\r\n":         true,
		"a\r\nb\r":         true,
		"\r":               true,
		"a\r\r\nb":         true,
		"<p>x</p>\r\n\r\n": false,
	} {
		if got := bareLineEnd([]byte(in)); got != want {
			t.Errorf("bareLineEnd(%q) = %v, want %v", in, got, want)
		}
	}
}
