package probe

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// need finds a server program the tests run; in CI its absence fails the
// run, elsewhere it skips (make test installs it).
func need(t *testing.T, name string, paths ...string) string {
	t.Helper()
	for _, p := range append(paths, name) {
		if full, err := exec.LookPath(p); err == nil {
			return full
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; make test installs it", name)
	}
	t.Skipf("%s is not installed; run make test to install it", name)
	return ""
}

// pki is a test CA and the certificates the endpoints serve, made with
// crypto/x509.
type pki struct {
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caPEM  []byte
	dir    string
	serial int64
}

func newPKI(t *testing.T, dir string) *pki {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Probe Test CA"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return &pki{ca: ca, caKey: key, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), dir: dir, serial: 1}
}

// leaf issues a server certificate; selfSigned signs it with its own key.
// It returns the paths of the certificate and key files.
func (p *pki) leaf(t *testing.T, name string, names []string, notBefore, notAfter time.Time, selfSigned bool) (string, string) {
	t.Helper()
	p.serial++
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(p.serial), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: notBefore, NotAfter: notAfter, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	parent, signer := p.ca, any(p.caKey)
	if selfSigned {
		parent, signer = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(p.dir, name+".crt"), filepath.Join(p.dir, name+".key")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	return certFile, keyFile
}

func (p *pki) pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	return pool
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// stopGroup waits for a server asked to stop, and kills its whole process
// group if it has not stopped after 15 seconds: a server that never came
// up may not answer its stop command, and must not hang the test or stay
// behind after it.
func stopGroup(cmd *exec.Cmd) {
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // workers left in the group
}

// waitListening waits until addr accepts connections.
func waitListening(t *testing.T, addr string, out *bytes.Buffer) {
	t.Helper()
	// Generous: on a loaded machine a server's first start can take
	// several seconds.
	for i := 0; i < 600; i++ {
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s:\n%s", addr, out.String())
}

// openDir makes a directory the servers' unprivileged workers can enter.
func openDir(t *testing.T, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// nginxSite is one server block of the test nginx.
type nginxSite struct {
	port      int
	cert, key string // TLS when set
	body      string // the locations
}

// startNginx runs a real nginx on 127.0.0.1 with the given sites.
func startNginx(t *testing.T, dir string, sites []nginxSite) {
	t.Helper()
	bin := need(t, "nginx", "/usr/sbin/nginx")
	var conf strings.Builder
	fmt.Fprintf(&conf, "daemon off;\nmaster_process on;\nworker_processes 1;\npid %s/nginx.pid;\nerror_log stderr warn;\nevents { worker_connections 64; }\nhttp {\n access_log off;\n client_body_temp_path %[1]s/body;\n proxy_temp_path %[1]s/proxy;\n fastcgi_temp_path %[1]s/fcgi;\n uwsgi_temp_path %[1]s/uwsgi;\n scgi_temp_path %[1]s/scgi;\n", dir)
	for _, s := range sites {
		if s.cert != "" {
			fmt.Fprintf(&conf, " server {\n  listen 127.0.0.1:%d ssl;\n  ssl_certificate %s;\n  ssl_certificate_key %s;\n  ssl_protocols TLSv1.2 TLSv1.3;\n%s\n }\n", s.port, s.cert, s.key, s.body)
		} else {
			fmt.Fprintf(&conf, " server {\n  listen 127.0.0.1:%d;\n%s\n }\n", s.port, s.body)
		}
	}
	conf.WriteString("}\n")
	path := filepath.Join(dir, "nginx.conf")
	os.WriteFile(path, []byte(conf.String()), 0o644)
	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", dir, "-c", path)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); stopGroup(cmd) })
	for _, s := range sites {
		waitListening(t, fmt.Sprintf("127.0.0.1:%d", s.port), &out)
	}
}

// postfixInstance is one real Postfix listening on 127.0.0.1.
type postfixInstance struct{ addr string }

// startPostfix runs a Postfix instance with main.cf settings extra on a
// free port; it serves STARTTLS with cert and key.
func startPostfix(t *testing.T, cert, key string, extra map[string]string) postfixInstance {
	t.Helper()
	bin := need(t, "postfix", "/usr/sbin/postfix")
	dir := openDir(t, "probe-postfix-")
	for _, d := range []string{"conf", "queue", "data"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	if out, err := exec.Command("chown", "postfix", filepath.Join(dir, "data")).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	port := freePort(t)
	settings := map[string]string{
		"compatibility_level": "3.6", "queue_directory": dir + "/queue", "data_directory": dir + "/data",
		"mail_owner": "postfix", "setgid_group": "postdrop", "inet_interfaces": "127.0.0.1", "inet_protocols": "ipv4",
		"myhostname": "mx.test.example", "mydestination": "test.example", "maillog_file": "/dev/stdout", "biff": "no",
		"smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key, "smtpd_tls_security_level": "may",
	}
	for k, v := range extra {
		settings[k] = v
	}
	var main strings.Builder
	for k, v := range settings {
		fmt.Fprintf(&main, "%s = %s\n", k, v)
	}
	os.WriteFile(filepath.Join(dir, "conf", "main.cf"), []byte(main.String()), 0o644)
	master, err := os.ReadFile("/etc/postfix/master.cf")
	if err != nil {
		t.Fatal(err)
	}
	var mc strings.Builder
	for _, l := range strings.Split(string(master), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 0 || strings.HasPrefix(l, "#"):
			continue
		case f[0] == "smtp" && f[1] == "inet":
			fmt.Fprintf(&mc, "127.0.0.1:%d inet n - n - - smtpd\n", port)
		case len(f) >= 8 && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") && f[4] == "y":
			// No chroot: the instance's queue is not set up for one.
			f[4] = "n"
			mc.WriteString(strings.Join(f, " ") + "\n")
		default:
			mc.WriteString(l + "\n")
		}
	}
	os.WriteFile(filepath.Join(dir, "conf", "master.cf"), []byte(mc.String()), 0o644)
	var out bytes.Buffer
	cmd := exec.Command(bin, "-c", filepath.Join(dir, "conf"), "start-fg")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		exec.Command(bin, "-c", filepath.Join(dir, "conf"), "stop").Run()
		stopGroup(cmd)
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitListening(t, addr, &out)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("postfix on %s:\n%s", addr, out.String())
		}
	})
	return postfixInstance{addr: addr}
}
