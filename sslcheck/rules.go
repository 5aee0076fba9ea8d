package sslcheck

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/report"
)

// Rules are the judge's settings: the time, the expiry thresholds and the
// pools the chain is verified with.
type Rules struct {
	Now           time.Time
	WarnDays      int
	CritDays      int
	Roots         *x509.CertPool
	Intermediates []*x509.Certificate // known, not trusted: to tell a missing intermediate
}

func (r Rules) warnDays() int {
	if r.WarnDays <= 0 && r.CritDays <= 0 {
		return 30
	}
	return r.WarnDays
}

func (r Rules) critDays() int {
	if r.WarnDays <= 0 && r.CritDays <= 0 {
		return 7
	}
	return r.CritDays
}

// Judge turns a snapshot into findings. Pure: the same snapshot, rules and
// time give the same findings.
func Judge(s *Snapshot, r Rules) []report.Finding {
	host := s.Target.Host
	var out []report.Finding
	if s.ResolveErr != nil {
		f := report.Finding{Check: "tls.connect", Subject: host, Data: map[string]any{"error": s.ResolveErr.Error()}}
		var te *dnscheck.TransportError
		if errors.As(s.ResolveErr, &te) {
			f.Summary = fmt.Sprintf("could not resolve %s to dial it: %v", host, s.ResolveErr)
			out = append(out, codes.Timeout.Raise(s.Target.App, f))
		} else {
			f.Summary = fmt.Sprintf("%s does not resolve to an address: %v", host, s.ResolveErr)
			f.Remedy = "Run dns-check on " + host
			out = append(out, codes.TLSConnectFailed.Raise(s.Target.App, f))
		}
	} else if len(s.Addrs) > 0 {
		groups := groupAddrs(s.Addrs)
		if len(groups) == 1 {
			out = append(out, judgeAddr(s, groups[0], host, r)...)
		} else {
			var desc []string
			for _, g := range groups {
				out = append(out, judgeAddr(s, g, groupSubject(host, g), r)...)
				desc = append(desc, fmt.Sprintf("%s: %s", strings.Join(addrList(g), ", "), describe(g[0])))
			}
			out = append(out, codes.TLSAddressesDiffer.Raise(s.Target.App, report.Finding{Check: "tls.addresses", Subject: host,
				Summary: fmt.Sprintf("the %d addresses of %s do not serve the same certificate", len(s.Addrs), host),
				Detail:  strings.Join(desc, "; "), Data: map[string]any{"addresses": desc}}))
		}
	}
	return out
}

// groupSubject names one group of a domain's addresses when they differ.
func groupSubject(host string, g []Addr) string {
	return fmt.Sprintf("%s (%s)", host, strings.Join(addrList(g), ", "))
}

// groupAddrs puts together the addresses that saw the same thing: the
// same leaf, or the same failure.
func groupAddrs(addrs []Addr) [][]Addr {
	key := func(a Addr) string {
		switch {
		case a.ConnectErr != nil && a.Deadline:
			return "deadline"
		case a.ConnectErr != nil:
			return "connect"
		case a.Timeout:
			return "timeout"
		case a.HandshakeErr != nil:
			return "handshake"
		case len(a.Chain) > 0:
			return Fingerprint(a.Chain[0])
		}
		return "none"
	}
	index := map[string]int{}
	var groups [][]Addr
	for _, a := range addrs {
		k := key(a)
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], a)
	}
	return groups
}

func addrList(g []Addr) []string {
	var out []string
	for _, a := range g {
		host, _, _ := net.SplitHostPort(a.Addr)
		out = append(out, host)
	}
	return out
}

func describe(a Addr) string {
	switch {
	case a.ConnectErr != nil && a.Deadline:
		return "no connection before the deadline"
	case a.ConnectErr != nil:
		return "no connection"
	case a.Timeout:
		return "no handshake"
	case a.HandshakeErr != nil:
		return "handshake failed"
	case len(a.Chain) > 0:
		l := a.Chain[0]
		return fmt.Sprintf("%s (issuer %s, until %s, sha256 %s)", l.Subject.CommonName, l.Issuer.CommonName,
			l.NotAfter.UTC().Format("2006-01-02"), Fingerprint(l)[:23])
	}
	return "nothing"
}

func judgeAddr(s *Snapshot, g []Addr, subject string, r Rules) []report.Finding {
	a := g[0]
	host := s.Target.Host
	addrs := addrList(g)
	base := map[string]any{"addresses": addrs, "handshake_ms": a.Took.Milliseconds()}
	app := s.Target.App
	switch {
	case a.ConnectErr != nil && a.Deadline:
		return []report.Finding{codes.Timeout.Raise(app, report.Finding{Check: "tls.connect", Subject: subject,
			Summary: fmt.Sprintf("no connection to %s on port %s before the check's deadline", host, s.Target.Port),
			Data:    withErr(base, a.ConnectErr)})}
	case a.ConnectErr != nil:
		return []report.Finding{codes.TLSConnectFailed.Raise(app, report.Finding{Check: "tls.connect", Subject: subject,
			Summary: fmt.Sprintf("cannot connect to %s on port %s: %v", host, s.Target.Port, rootErr(a.ConnectErr)),
			Data:    withErr(base, a.ConnectErr)})}
	case a.Timeout:
		return []report.Finding{codes.Timeout.Raise(app, report.Finding{Check: "tls.connect", Subject: subject,
			Summary: fmt.Sprintf("%s accepted the connection but sent no TLS handshake before the deadline", host),
			Data:    withErr(base, a.HandshakeErr)})}
	case a.HandshakeErr != nil && a.Legacy:
		return []report.Finding{codes.TLSLegacyProtocol.Raise(app, report.Finding{Check: "tls.protocol", Subject: subject, Status: report.StatusCritical,
			Summary: fmt.Sprintf("%s speaks only %s: clients that require TLS 1.2 (every current browser) cannot connect", host, versionName(a.LegacyVer)),
			Remedy:  "Enable TLS 1.2 and 1.3 on the server or proxy in front of the app",
			Data:    withErr(base, a.HandshakeErr)})}
	case a.HandshakeErr != nil:
		return []report.Finding{codes.TLSHandshakeFailed.Raise(app, report.Finding{Check: "tls.connect", Subject: subject,
			Summary: fmt.Sprintf("the TLS handshake with %s failed: %v", host, rootErr(a.HandshakeErr)),
			Detail:  "Usually no certificate for this name on the server (SNI), or a proxy that does not speak TLS on this port.",
			Data:    withErr(base, a.HandshakeErr)})}
	case len(a.Chain) == 0:
		return []report.Finding{codes.TLSHandshakeFailed.Raise(app, report.Finding{Check: "tls.certificate", Subject: subject,
			Summary: fmt.Sprintf("%s sent no certificate", host), Data: base})}
	}
	data := certData(a)
	for k, v := range base {
		data[k] = v
	}
	out := certRules(s.Target, a.Chain, subject, data, r)
	out = append(out, protocolRule(s.Target, a, subject, data))
	if f, ok := apiRule(s.Target, a.Chain[0], subject, data); ok {
		out = append(out, f)
	}
	return out
}

func withErr(data map[string]any, err error) map[string]any {
	if err != nil {
		data["error"] = err.Error()
	}
	return data
}

func rootErr(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err
	}
	return err
}

// certData is the evidence of a served chain.
func certData(a Addr) map[string]any {
	leaf := a.Chain[0]
	var chain []map[string]any
	for _, c := range a.Chain {
		chain = append(chain, map[string]any{"subject": c.Subject.String(), "issuer": c.Issuer.String(),
			"sha256": Fingerprint(c), "serial": c.SerialNumber.Text(16), "not_after": c.NotAfter.UTC().Format(time.RFC3339)})
	}
	return map[string]any{
		"subject": leaf.Subject.String(), "issuer": leaf.Issuer.String(), "sans": sans(leaf),
		"not_before": leaf.NotBefore.UTC().Format(time.RFC3339), "not_after": leaf.NotAfter.UTC().Format(time.RFC3339),
		"serial": leaf.SerialNumber.Text(16), "sha256": Fingerprint(leaf), "chain": chain,
		"protocol": versionName(a.Version), "cipher": tls.CipherSuiteName(a.Cipher), "ocsp_stapled": a.OCSPStapled,
	}
}

func sans(c *x509.Certificate) []string {
	out := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		out = append(out, ip.String())
	}
	return out
}

func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "TLS 1.0"
	case tls.VersionTLS11:
		return "TLS 1.1"
	case tls.VersionTLS12:
		return "TLS 1.2"
	case tls.VersionTLS13:
		return "TLS 1.3"
	case 0:
		return "-"
	}
	return fmt.Sprintf("0x%04x", v)
}

// IsHerokuWildcard tells whether a certificate is the *.herokuapp.com one.
func IsHerokuWildcard(c *x509.Certificate) bool {
	for _, n := range append([]string{c.Subject.CommonName}, c.DNSNames...) {
		if strings.EqualFold(n, "*.herokuapp.com") {
			return true
		}
	}
	return false
}

func daysLeft(c *x509.Certificate, now time.Time) int {
	return int(c.NotAfter.Sub(now).Hours() / 24)
}

func certRules(t Target, chain []*x509.Certificate, subject string, data map[string]any, r Rules) []report.Finding {
	leaf := chain[0]
	host := t.Host
	now := r.Now
	days := daysLeft(leaf, now)
	data["days_left"] = days
	var out []report.Finding
	add := func(status report.Status, code *report.Code, summary, detail, remedy string) {
		out = append(out, code.Raise(t.App, report.Finding{Check: "tls.certificate", Subject: subject, Status: status,
			Summary: summary, Detail: detail, Remedy: remedy, Data: data}))
	}
	renew := "" // the catalogue's, for a domain of an app
	if t.App == "" {
		renew = "Renew the certificate and upload it (heroku certs:update NEW.crt NEW.key -a APP), or let ACM manage it: heroku certs:auto:enable -a APP"
	}
	untilText := leaf.NotAfter.UTC().Format("2006-01-02")

	switch {
	case now.Before(leaf.NotBefore):
		add(report.StatusCritical, codes.CertNotYetValid,
			fmt.Sprintf("the certificate of %s is not valid until %s", host, leaf.NotBefore.UTC().Format("2006-01-02 15:04 UTC")),
			"Clients reject it until then; a wrong clock where it was issued, or a certificate uploaded too early.", renew)
	case !now.Before(leaf.NotAfter):
		add(report.StatusCritical, codes.CertExpired,
			fmt.Sprintf("the certificate of %s expired on %s (%d days ago)", host, untilText, -days), "", renew)
	case days < r.critDays():
		add(report.StatusCritical, codes.CertExpiring, fmt.Sprintf("the certificate of %s expires in %d days, on %s", host, days, untilText), "", renew)
	case days < r.warnDays():
		add(report.StatusWarning, codes.CertExpiring, fmt.Sprintf("the certificate of %s expires in %d days, on %s", host, days, untilText), "", renew)
	}

	if err := leaf.VerifyHostname(host); err != nil {
		if IsHerokuWildcard(leaf) && !strings.HasSuffix(strings.ToLower(host), ".herokuapp.com") {
			pointsAt := "a herokuapp.com name"
			if t.AppDomain != "" {
				pointsAt += " (the app's own is " + t.AppDomain + ")"
			}
			add(report.StatusCritical, codes.CertHerokuWildcard,
				fmt.Sprintf("%s is served the *.herokuapp.com certificate: its DNS points at %s, not at its DNS target", host, pointsAt),
				"Browsers reject it (the name is not in the certificate) and ACM cannot validate the domain.",
				codes.CertHerokuWildcard.RemedyFor(t.App, host))
		} else {
			add(report.StatusCritical, codes.CertHostnameMismatch,
				fmt.Sprintf("the certificate of %s is for %s, not for %s", host, strings.Join(namesOf(leaf), ", "), host),
				"", codes.CertHostnameMismatch.RemedyFor(t.App, host))
		}
	}

	out = append(out, trustRules(t, chain, subject, data, r)...)

	switch k := leaf.PublicKey.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < 2048 {
			add(report.StatusCritical, codes.CertWeakKey, fmt.Sprintf("the certificate of %s has a %d-bit RSA key (2048 is the minimum)", host, bits),
				"", "")
		}
	case *ecdsa.PublicKey:
		if bits := k.Curve.Params().BitSize; bits < 256 {
			add(report.StatusCritical, codes.CertWeakKey, fmt.Sprintf("the certificate of %s has a %d-bit EC key (256 is the minimum)", host, bits),
				"", "Issue a new certificate with a P-256 (or larger) key")
		}
	case ed25519.PublicKey:
	}
	for i, c := range chain {
		if i > 0 && selfSigned(c) {
			continue // a root's own signature is not checked by clients
		}
		switch c.SignatureAlgorithm {
		case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1, x509.MD5WithRSA, x509.MD2WithRSA:
			who := "the certificate"
			if i > 0 {
				who = fmt.Sprintf("the intermediate %q", c.Subject.CommonName)
			}
			add(report.StatusCritical, codes.CertWeakSignature,
				fmt.Sprintf("%s of %s is signed with %s, which clients reject", who, host, c.SignatureAlgorithm), "", "")
		}
	}

	if len(out) == 0 {
		out = append(out, report.Finding{Check: "tls.certificate", Subject: subject, Status: report.StatusOK, Data: data,
			Summary: fmt.Sprintf("valid until %s (%d days left), issued by %s to %s", untilText, days, issuerName(leaf), strings.Join(namesOf(leaf), ", "))})
	}
	return out
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

func namesOf(c *x509.Certificate) []string {
	if names := sans(c); len(names) > 0 {
		return names
	}
	if c.Subject.CommonName != "" {
		return []string{c.Subject.CommonName}
	}
	return []string{"(no name)"}
}

// verifyTime is a moment the leaf is valid at, so that an expired
// certificate is reported as expired, not also as untrusted.
func verifyTime(leaf *x509.Certificate, now time.Time) time.Time {
	if now.Before(leaf.NotBefore) || !now.Before(leaf.NotAfter) {
		return leaf.NotBefore.Add(leaf.NotAfter.Sub(leaf.NotBefore) / 2)
	}
	return now
}

func trustRules(t Target, chain []*x509.Certificate, subject string, data map[string]any, r Rules) []report.Finding {
	host, leaf := t.Host, chain[0]
	roots := r.Roots
	if roots == nil {
		roots = x509.NewCertPool()
	}
	served := x509.NewCertPool()
	for _, c := range chain[1:] {
		served.AddCert(c)
	}
	at := verifyTime(leaf, r.Now)
	mk := func(status report.Status, code *report.Code, summary, detail, remedy string) report.Finding {
		return code.Raise(t.App, report.Finding{Check: "tls.chain", Subject: subject, Status: status, Summary: summary,
			Detail: detail, Remedy: remedy, Data: data})
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: served, CurrentTime: at})
	if err == nil {
		if !inOrder(chain) {
			return []report.Finding{mk(report.StatusWarning, codes.CertChainIncomplete,
				fmt.Sprintf("%s sends its chain out of order", host),
				"Each certificate must be followed by its issuer; strict clients (older Java, OpenSSL 1.0) fail otherwise.",
				"Upload the chain leaf first, then each intermediate in order: heroku certs:update CHAIN.crt KEY -a APP")}
		}
		return nil
	}
	var insecure x509.InsecureAlgorithmError
	if errors.As(err, &insecure) {
		return nil // reported as CERT_WEAK_SIGNATURE
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) && strings.Contains(ua.Error(), "insecure algorithm") {
		return nil // the issuer was found, its SHA-1/MD5 signature refused: CERT_WEAK_SIGNATURE
	}
	if !errors.As(err, &ua) {
		return []report.Finding{mk(report.StatusCritical, codes.CertUntrusted,
			fmt.Sprintf("the chain of %s does not verify: %v", host, err), "", "Serve a certificate chain issued by a public CA")}
	}
	if selfSigned(leaf) {
		return []report.Finding{mk(report.StatusCritical, codes.CertUntrusted,
			fmt.Sprintf("%s serves a self-signed certificate (%s)", host, leaf.Subject.CommonName),
			"No client trusts it unless told to.", "Use ACM (heroku certs:auto:enable -a APP) or a certificate from a public CA")}
	}
	if len(r.Intermediates) > 0 {
		pool := served.Clone()
		for _, c := range r.Intermediates {
			pool.AddCert(c)
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: pool, CurrentTime: at}); err == nil {
			return []report.Finding{mk(report.StatusCritical, codes.CertChainIncomplete,
				fmt.Sprintf("%s does not send the intermediate certificate that issued it (%s)", host, issuerName(leaf)),
				"Browsers may fetch it themselves, but curl, mobile apps and API clients fail with 'unable to get local issuer certificate'.",
				"Upload the full chain (leaf, then intermediates): heroku certs:update FULLCHAIN.crt KEY -a APP")}
		}
	}
	if len(chain) > 1 && selfSigned(chain[len(chain)-1]) {
		root := chain[len(chain)-1]
		return []report.Finding{mk(report.StatusCritical, codes.CertUntrusted,
			fmt.Sprintf("%s is issued by an unknown CA (%s), not a trusted one", host, root.Subject.CommonName),
			"", "Use ACM or a certificate from a public CA (or pass --ca-file for a private CA)")}
	}
	return []report.Finding{mk(report.StatusCritical, codes.CertUntrusted,
		fmt.Sprintf("%s is issued by %s, which is not a trusted CA and not sent by the server", host, issuerName(leaf)),
		"Either the CA is unknown, or the server omits an intermediate that clients cannot find.",
		"Upload the full chain from your CA, or use ACM; for a private CA pass --ca-file")}
}

// inOrder: each served certificate is issued by the next one.
func inOrder(chain []*x509.Certificate) bool {
	for i := 0; i+1 < len(chain); i++ {
		if !bytes.Equal(chain[i].RawIssuer, chain[i+1].RawSubject) {
			return false
		}
	}
	return true
}

func protocolRule(t Target, a Addr, subject string, data map[string]any) report.Finding {
	if a.Legacy {
		return codes.TLSLegacyProtocol.Raise(t.App, report.Finding{Check: "tls.protocol", Subject: subject,
			Summary: fmt.Sprintf("%s still accepts %s (deprecated by RFC 8996)", t.Host, versionName(a.LegacyVer)),
			Detail:  "Heroku's own router refuses TLS 1.0/1.1; a proxy or CDN in front of the app accepts it.",
			Data:    data})
	}
	staple := "no OCSP staple"
	if a.OCSPStapled {
		staple = "OCSP stapled"
	}
	return report.Finding{Check: "tls.protocol", Subject: subject, Status: report.StatusOK, Data: data,
		Summary: fmt.Sprintf("%s with %s; TLS 1.0/1.1 refused; %s", versionName(a.Version), tls.CipherSuiteName(a.Cipher), staple)}
}

// apiRule compares the served leaf with the certificates the Platform API
// holds for the host.
func apiRule(t Target, leaf *x509.Certificate, subject string, data map[string]any) (report.Finding, bool) {
	if len(t.APICerts) == 0 {
		return report.Finding{}, false
	}
	served := Fingerprint(leaf)
	var held []string
	for _, c := range t.APICerts {
		fp := Fingerprint(c)
		if fp == served {
			return report.Finding{Check: "tls.api", Subject: subject, Status: report.StatusOK, Data: data,
				Summary: "the served certificate is the one the app's SNI endpoint holds"}, true
		}
		held = append(held, fmt.Sprintf("%s (until %s, sha256 %s)", c.Subject.CommonName, c.NotAfter.UTC().Format("2006-01-02"), fp[:23]))
	}
	sort.Strings(held)
	d := map[string]any{}
	for k, v := range data {
		d[k] = v
	}
	d["api_certificates"] = held
	return codes.CertMismatchAPI.Raise(t.App, report.Finding{Check: "tls.api", Subject: subject,
		Summary: fmt.Sprintf("%s serves %s (sha256 %s), not the certificate the app holds", t.Host, leaf.Subject.CommonName, served[:23]),
		Detail:  "The world sees another certificate than the one uploaded to Heroku: DNS or a CDN sends traffic elsewhere, or the CDN has its own certificate.",
		Data:    d}), true
}
