// Package sslcheck does the TLS handshakes itself: it resolves a domain
// through the run's resolver, dials every address, handshakes with SNI,
// records the served chain, protocol, cipher and OCSP staple, probes for
// TLS 1.0/1.1, and judges the result with pure rules on an injected now.
package sslcheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/dnscheck"
	"github.com/heroku-checkup/heroku-checkup/internal/localfile"
	"github.com/heroku-checkup/heroku-checkup/internal/safe"
)

// Config of the TLS checks.
type Config struct {
	Resolver *dnscheck.Resolver
	// Roots are trusted: the system pool (which honours SSL_CERT_FILE) plus
	// the self-signed CA certificates of --ca-file.
	Roots *x509.CertPool
	// Intermediates are known but not trusted: the other CA certificates of
	// --ca-file and the chains uploaded to the app's SNI endpoints. A leaf
	// that verifies only with their help is served with an incomplete chain.
	Intermediates    []*x509.Certificate
	DialTimeout      time.Duration
	HandshakeTimeout time.Duration
	// SkipLegacyProbe turns off the second handshake capped at TLS 1.1.
	SkipLegacyProbe bool
}

func (c Config) dialTimeout() time.Duration {
	if c.DialTimeout > 0 {
		return c.DialTimeout
	}
	return 5 * time.Second
}

func (c Config) handshakeTimeout() time.Duration {
	if c.HandshakeTimeout > 0 {
		return c.HandshakeTimeout
	}
	return 8 * time.Second
}

// MaxCAFile caps what is read of --ca-file and of SSL_CERT_FILE: a system
// bundle is a few hundred kilobytes.
const MaxCAFile = 8 << 20

// LoadRoots builds the trust pools: the system's (SSL_CERT_FILE included)
// plus caFile's self-signed certificates as roots, its other CA
// certificates as known intermediates. caFile is read under ctx and within
// MaxCAFile.
func LoadRoots(ctx context.Context, caFile string) (roots *x509.CertPool, intermediates []*x509.Certificate, err error) {
	roots, err = x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if caFile == "" {
		return roots, intermediates, nil
	}
	b, err := localfile.ReadAll(ctx, caFile, localfile.Stream, MaxCAFile)
	if err != nil {
		return nil, nil, err
	}
	n := 0
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", caFile, err)
		}
		n++
		if selfSigned(c) {
			roots.AddCert(c)
		} else {
			intermediates = append(intermediates, c)
		}
	}
	if n == 0 {
		return nil, nil, fmt.Errorf("%s holds no PEM certificate", caFile)
	}
	return roots, intermediates, nil
}

// CheckCertEnv refuses an SSL_CERT_FILE or an SSL_CERT_DIR entry that Go's
// TLS would block on or read without end: Go reads them itself, whole,
// without a deadline, the first time a TLS connection is verified (the
// API's included). Each must be a regular file of at most MaxCAFile. It
// opens nothing (a FIFO is not waited on); where Go does not read them
// (macOS, Windows), nothing is checked.
func CheckCertEnv(env func(string) string) error {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" || runtime.GOOS == "windows" {
		return nil
	}
	if p := env("SSL_CERT_FILE"); p != "" {
		if err := localfile.CheckRegular(p, MaxCAFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("SSL_CERT_FILE: %v", err)
		}
	}
	for _, dir := range filepath.SplitList(env("SSL_CERT_DIR")) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // Go skips a directory it cannot read
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if st, err := os.Stat(p); err != nil || st.IsDir() {
				continue // Go skips what it cannot read as a file
			}
			if err := localfile.CheckRegular(p, MaxCAFile); err != nil {
				return fmt.Errorf("SSL_CERT_DIR: %v", err)
			}
		}
	}
	return nil
}

// Collect resolves the target and handshakes with every address, concurrently.
func Collect(ctx context.Context, cfg Config, t Target) *Snapshot {
	start := time.Now()
	s := &Snapshot{Target: t}
	if t.Port == "" {
		t.Port = "443"
		s.Target.Port = "443"
	}
	var ips []net.IP
	if cfg.Resolver == nil {
		s.ResolveErr = errors.New("no resolver configured")
	} else {
		ips, s.ResolveErr = cfg.Resolver.LookupAddrs(ctx, t.Host)
	}
	s.Addrs = make([]Addr, len(ips))
	var g safe.Group // a panic in a handshake is the job's, not the process's
	for i, ip := range ips {
		g.Go(func() { s.Addrs[i] = handshake(ctx, cfg, t, net.JoinHostPort(ip.String(), t.Port)) })
	}
	g.Wait()
	s.Took = time.Since(start)
	return s
}

// allCipherSuites offers everything Go knows, insecure ones included: the
// probe asks what the server accepts, it does not protect a session.
func allCipherSuites() []uint16 {
	var ids []uint16
	for _, c := range tls.CipherSuites() {
		ids = append(ids, c.ID)
	}
	for _, c := range tls.InsecureCipherSuites() {
		ids = append(ids, c.ID)
	}
	return ids
}

func handshake(ctx context.Context, cfg Config, t Target, addr string) Addr {
	a := Addr{Addr: addr}
	start := time.Now()
	defer func() { a.Took = time.Since(start) }()
	conn, err := dialTLS(ctx, cfg, t.Host, addr, &tls.Config{
		ServerName: serverName(t.Host),
		// Verification is done by the rules on the collected chain, with
		// the roots, the known intermediates and the injected time.
		InsecureSkipVerify: true, //nolint:gosec
		MinVersion:         tls.VersionTLS12,
	})
	if err != nil {
		switch e := err.(type) {
		case *connectError:
			a.ConnectErr = e.err
			// Cut short by the check's deadline (or an interrupt), the dial
			// says nothing about the server.
			a.Deadline = ctx.Err() != nil
		case *handshakeError:
			a.HandshakeErr, a.Timeout = e.err, e.timeout
		}
		// A server that speaks only TLS 1.0/1.1 fails the first handshake:
		// the probe below tells that case apart.
		if a.HandshakeErr != nil && !a.Timeout && !cfg.SkipLegacyProbe {
			a.Legacy, a.LegacyVer = probeLegacy(ctx, cfg, t.Host, addr)
		}
		return a
	}
	cs := conn.ConnectionState()
	conn.Close()
	a.Version, a.Cipher = cs.Version, cs.CipherSuite
	a.Chain = cs.PeerCertificates
	a.OCSPStapled = len(cs.OCSPResponse) > 0
	if !cfg.SkipLegacyProbe {
		a.Legacy, a.LegacyVer = probeLegacy(ctx, cfg, t.Host, addr)
	}
	return a
}

func serverName(host string) string {
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return "" // no SNI for an address
	}
	return host
}

// probeLegacy makes a second handshake that accepts only TLS 1.0 and 1.1.
func probeLegacy(ctx context.Context, cfg Config, host, addr string) (bool, uint16) {
	conn, err := dialTLS(ctx, cfg, host, addr, &tls.Config{
		ServerName:         serverName(host),
		InsecureSkipVerify: true, //nolint:gosec
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS11,
		CipherSuites:       allCipherSuites(),
	})
	if err != nil {
		return false, 0
	}
	defer conn.Close()
	return true, conn.ConnectionState().Version
}

type connectError struct{ err error }

func (e *connectError) Error() string { return e.err.Error() }

type handshakeError struct {
	err     error
	timeout bool
}

func (e *handshakeError) Error() string { return e.err.Error() }

// dialTLS connects and handshakes, keeping the two failures apart: no
// connection (TLS_CONNECT_FAILED) versus a connection that would not
// handshake (TLS_HANDSHAKE_FAILED, or TIMEOUT when it never answered).
func dialTLS(ctx context.Context, cfg Config, host, addr string, tc *tls.Config) (*tls.Conn, error) {
	d := &net.Dialer{Timeout: cfg.dialTimeout()}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &connectError{err}
	}
	hctx, cancel := context.WithTimeout(ctx, cfg.handshakeTimeout())
	defer cancel()
	conn := tls.Client(raw, tc)
	if err := conn.HandshakeContext(hctx); err != nil {
		raw.Close()
		timeout := errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || hctx.Err() != nil
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			timeout = true
		}
		return nil, &handshakeError{err: err, timeout: timeout}
	}
	return conn, nil
}

// Fingerprint is a certificate's SHA-256 in openssl's colon-separated hex.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// ParseChain reads the PEM certificates of an uploaded chain (SNI endpoint).
func ParseChain(pemText string) []*x509.Certificate {
	var out []*x509.Certificate
	b := []byte(pemText)
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return out
		}
		if block.Type == "CERTIFICATE" {
			if c, err := x509.ParseCertificate(block.Bytes); err == nil {
				out = append(out, c)
			}
		}
	}
}

// selfSigned: issued by itself. CheckSignatureFrom would insist on the CA
// bit, which a self-signed leaf lacks, and SHA-1 would hide the answer.
func selfSigned(c *x509.Certificate) bool {
	if !bytes.Equal(c.RawIssuer, c.RawSubject) {
		return false
	}
	err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	var insecure x509.InsecureAlgorithmError
	return err == nil || errors.As(err, &insecure)
}
