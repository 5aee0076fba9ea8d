package e2e

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heroku-checkup/heroku-checkup/dnscheck/dnszone"
	"github.com/heroku-checkup/heroku-checkup/sslcheck/certgen"
)

// startNginx serves each name's chain by SNI on one loopback port with
// Debian's nginx, and waits until it handshakes.
func startNginx(t *testing.T, sites map[string][]*certgen.Cert) int {
	t.Helper()
	nginx := need(t, "nginx", "nginx-light")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	for _, sub := range []string{"logs", "tmp"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o777)
	}
	port := freePort(t)
	var servers strings.Builder
	first := true
	for name, chain := range sites {
		crt, key := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
		os.WriteFile(crt, certgen.ChainPEM(chain...), 0o644)
		os.WriteFile(key, chain[0].KeyPEM(), 0o644)
		def := ""
		if first {
			def = " default_server"
			first = false
		}
		fmt.Fprintf(&servers, `  server {
    listen 127.0.0.1:%d ssl%s;
    server_name %s;
    ssl_certificate %s;
    ssl_certificate_key %s;
    ssl_protocols TLSv1.2 TLSv1.3;
    return 200 "ok\n";
  }
`, port, def, name, crt, key)
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	conf := fmt.Sprintf(`%s
worker_processes 1;
pid %s/nginx.pid;
error_log %s/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path %s/tmp;
  proxy_temp_path %s/tmp;
  fastcgi_temp_path %s/tmp;
  uwsgi_temp_path %s/tmp;
  scgi_temp_path %s/tmp;
%s}
`, user, dir, dir, dir, dir, dir, dir, dir, servers.String())
	confPath := filepath.Join(dir, "nginx.conf")
	os.WriteFile(confPath, []byte(conf), 0o644)
	startDaemon(t, nginx, "-p", dir, "-c", confPath, "-g", "daemon off;")
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port), &tls.Config{InsecureSkipVerify: true})
		if err == nil {
			c.Close()
			return port
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
			t.Fatalf("nginx did not start: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCertsCheckAgainstNginx checks certificates served by nginx by SNI,
// with names resolved through a DNS server on loopback and the test CA
// given with --ca-file.
func TestCertsCheckAgainstNginx(t *testing.T) {
	now := time.Now()
	pki := certgen.NewPKI("E2E")
	leaf := func(names []string, notAfter time.Time) *certgen.Cert {
		return pki.Leaf(certgen.Options{DNSNames: names, NotBefore: now.Add(-10 * 24 * time.Hour), NotAfter: notAfter})
	}
	sites := map[string][]*certgen.Cert{
		"good.e2e.test":     {leaf([]string{"good.e2e.test"}, now.Add(60*24*time.Hour)), pki.Intermediate},
		"expired.e2e.test":  {leaf([]string{"expired.e2e.test"}, now.Add(-24*time.Hour)), pki.Intermediate},
		"nointer.e2e.test":  {leaf([]string{"nointer.e2e.test"}, now.Add(60*24*time.Hour))},
		"wildcard.e2e.test": {leaf([]string{"*.herokuapp.com"}, now.Add(60*24*time.Hour)), pki.Intermediate},
	}
	port := startNginx(t, sites)

	zone, err := dnszone.Start(dnszone.Options{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zone.Close)
	for name := range sites {
		zone.MustAdd(name + ". 60 IN A 127.0.0.1")
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(caFile, certgen.ChainPEM(pki.Root, pki.Intermediate), 0o644)

	args := []string{"certs-check", "--resolver", zone.Addr, "--ca-file", caFile, "--format", "json"}
	r := run(t, nil, append(args, fmt.Sprintf("good.e2e.test:%d", port))...)
	rep := decode(t, r)
	if r.code != 0 || rep.Status != "ok" {
		t.Fatalf("good certificate: exit %d status %s\n%s", r.code, rep.Status, r.stdout)
	}
	f, _ := rep.find("tls.certificate", "good.e2e.test")
	if !strings.Contains(f.Summary, "days left") || f.Data["sha256"] == nil {
		t.Errorf("good certificate finding: %+v", f)
	}

	var hosts []string
	for _, h := range []string{"expired.e2e.test", "nointer.e2e.test", "wildcard.e2e.test"} {
		hosts = append(hosts, fmt.Sprintf("%s:%d", h, port))
	}
	r = run(t, nil, append(args, hosts...)...)
	rep = decode(t, r)
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	want := map[string]string{"expired.e2e.test": "CERT_EXPIRED", "nointer.e2e.test": "CERT_CHAIN_INCOMPLETE", "wildcard.e2e.test": "CERT_HEROKU_WILDCARD"}
	for host, code := range want {
		found := false
		for _, f := range rep.Checks {
			if f.Subject == host && f.Code == code && f.Status == "critical" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no critical %s in %s", host, code, r.stdout)
		}
	}
}
