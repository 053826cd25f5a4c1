package scripttest

import "testing"

func TestFindstrMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, line string
		regex, fold   bool
		want          bool
	}{
		{"(INTEGER) 264 *$", "AccessSSLFlags : (INTEGER) 264", true, false, true},
		{"(INTEGER) 264 *$", "AccessSSLFlags : (INTEGER) 8", true, false, false},
		{"(INTEGER) 2 *$", "AuthFlags : (INTEGER) 12", true, false, false},
		{" 10\\.0\\.0\\.1 *$", "Address:  10.0.0.10", true, false, false},
		{" 10\\.0\\.0\\.1 *$", "Address:  10.0.0.1", true, false, true},
		{"TCP  *[0-9.]*:8080 .*LISTENING", "  TCP    0.0.0.0:8080   0.0.0.0:0   LISTENING", true, false, true},
		{"mail exchanger = mx.contoso.com", "MAIL EXCHANGER = MX.CONTOSO.COM", false, true, true},
		{"a.b", "axb", false, false, false},
		{"a.b", "axb", true, false, true},
	} {
		if got := FindstrMatch(c.pattern, c.line, c.regex, c.fold); got != c.want {
			t.Errorf("FindstrMatch(%q, %q, %v, %v) = %v", c.pattern, c.line, c.regex, c.fold, got)
		}
	}
}

func TestDecisions(t *testing.T) {
	body := "set \"FAILED=0\"\r\n" +
		"netstat -an | findstr /r /c:\"TCP  *1\\.2\\.3\\.4:443 .*LISTENING\"\r\n" +
		"if errorlevel 1 goto no443\r\n" +
		"echo.OK\r\n" +
		"goto done443\r\n" +
		":no443\r\n" +
		"set \"FAILED=1\"\r\n" +
		":done443\r\n" +
		"netstat -an | findstr /r /c:\"TCP  *[0-9.]*:8080 .*LISTENING\"\r\n" +
		"if not errorlevel 1 goto proxy\r\n" +
		"echo.OK\r\n" +
		"goto doneproxy\r\n" +
		":proxy\r\n" +
		"set \"FAILED=1\"\r\n" +
		":doneproxy\r\n" +
		"if \"%FAILED%\"==\"1\" goto failed\r\n" +
		"exit /b 0\r\n" +
		":failed\r\n" +
		"exit /b 1\r\n"
	ds := Decisions(body)
	if len(ds) != 2 {
		t.Fatalf("%d decisions, want 2: %+v", len(ds), ds)
	}
	if !ds[0].FailsOnNoMatch || ds[0].FailsOnMatch || ds[1].FailsOnNoMatch || !ds[1].FailsOnMatch {
		t.Errorf("branches: %+v", ds)
	}
	if !ds[0].Fails("") || ds[0].Fails("  TCP    1.2.3.4:443   0.0.0.0:0   LISTENING") {
		t.Error("the presence check decides wrongly")
	}
	if ds[1].Fails("") || !ds[1].Fails("  TCP    0.0.0.0:8080   0.0.0.0:0   LISTENING") {
		t.Error("the absence check decides wrongly")
	}
}
