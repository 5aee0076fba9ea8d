// Package dnscheck looks up a domain the way dig does (real DNS messages,
// EDNS0, TCP when truncated, its own CNAME chasing) and judges the answers
// against what Heroku expects of a custom domain: a CNAME (or an ALIAS at
// the apex) to the app's DNS target, and no CAA record that stops ACM.
package dnscheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/heroku-checkup/heroku-checkup/internal/localfile"
)

// Config of a Resolver. Dial, read and write timeouts are kept apart, as in
// dig, so a server that accepts TCP and never answers is told apart from one
// that cannot be reached.
type Config struct {
	Servers      []string // host:port, tried in order on transport failure
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// UDPSize is the EDNS0 buffer size advertised (default 1232, the DNS
	// flag day 2020 value that avoids fragmentation).
	UDPSize uint16
	// MaxInFlight bounds the queries outstanding at once (default 128): a
	// checkup of many domains must not flood a resolver's socket, where a
	// burst of datagrams is dropped, not queued.
	MaxInFlight int
	// Tries is how many times a query that got no answer over UDP is sent
	// to a server before the next one is tried (default 2, as dig retries).
	Tries int
}

// Resolver sends queries to the configured servers.
type Resolver struct {
	cfg      Config
	inflight chan struct{}
}

// NewResolver returns a resolver with defaults filled in.
func NewResolver(cfg Config) *Resolver {
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 2 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 2 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 2 * time.Second
	}
	if cfg.UDPSize == 0 {
		cfg.UDPSize = 1232
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 128
	}
	if cfg.Tries <= 0 {
		cfg.Tries = 2
	}
	return &Resolver{cfg: cfg, inflight: make(chan struct{}, cfg.MaxInFlight)}
}

// Servers returns where queries go.
func (r *Resolver) Servers() []string { return r.cfg.Servers }

// ParseServer turns --resolver's HOST[:PORT] into host:port (port 53 by
// default, brackets for IPv6). HOST is an IP address or a host name, PORT
// a number from 1 to 65535: a URL (http://x) or a port out of range is
// refused here, not left to time out on every lookup.
func ParseServer(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("empty resolver: want HOST[:PORT]")
	}
	bad := func(why string) (string, error) {
		return "", fmt.Errorf("%q is not HOST[:PORT]: %s", s, why)
	}
	host, port := strings.Trim(s, "[]"), "53"
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.Count(s, ":") == 1 {
		return bad("a host and a port, as 127.0.0.1:53")
	}
	if strings.Contains(s, "://") || strings.ContainsAny(host, "/ @?#") {
		return bad("a DNS server's address, not a URL")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return bad("the port must be a number from 1 to 65535")
	}
	if net.ParseIP(host) == nil && !isHostName(host) {
		return bad("the host must be an IP address or a host name")
	}
	return net.JoinHostPort(host, port), nil
}

// isHostName accepts what a DNS name can be: dot-separated labels of
// letters, digits and hyphens.
func isHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// SystemServers reads the nameservers of resolv.conf (path), as the system
// does, under ctx and within 1 MiB.
func SystemServers(ctx context.Context, path string) ([]string, error) {
	b, err := localfile.ReadAll(ctx, path, localfile.Stream, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("no --resolver and cannot read %s: %v", path, err)
	}
	cc, err := dns.ClientConfigFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("no --resolver and cannot read %s: %v", path, err)
	}
	var out []string
	for _, s := range cc.Servers {
		out = append(out, net.JoinHostPort(s, cc.Port))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no nameserver in %s: pass --resolver HOST[:PORT]", path)
	}
	return out, nil
}

// TransportError is a query that got no DNS answer at all: timeout,
// refused connection, network unreachable. It is never an NXDOMAIN.
type TransportError struct {
	Server  string
	Timeout bool
	Err     error
}

func (e *TransportError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("no answer from %s (timeout)", e.Server)
	}
	return fmt.Sprintf("no answer from %s: %v", e.Server, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Answer is one DNS response.
type Answer struct {
	Msg       *dns.Msg
	Server    string
	Transport string // udp or tcp
	RTT       time.Duration
}

// Exchange sends one question to the servers in turn until one answers,
// over UDP with EDNS0, and again over TCP if the answer is truncated. Any
// answer, whatever its Rcode, ends the search; only transport failures move
// on to the next server.
func (r *Resolver) Exchange(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	if len(r.cfg.Servers) == 0 {
		return nil, &TransportError{Server: "(none)", Err: errors.New("no DNS server configured")}
	}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.RecursionDesired = true
	m.SetEdns0(r.cfg.UDPSize, false)
	select {
	case r.inflight <- struct{}{}:
		defer func() { <-r.inflight }()
	case <-ctx.Done():
		return nil, &TransportError{Server: r.cfg.Servers[0], Timeout: true, Err: ctx.Err()}
	}
	var last error
	for _, srv := range r.cfg.Servers {
		for try := 0; try < r.cfg.Tries; try++ {
			a, err := r.exchangeOne(ctx, m, srv)
			if err == nil {
				return a, nil
			}
			last = err
			var te *TransportError
			if ctx.Err() != nil || !errors.As(err, &te) || !te.Timeout {
				break // refused or unreachable: the next server, not again
			}
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

func (r *Resolver) client(network string) *dns.Client {
	return &dns.Client{
		Net:          network,
		UDPSize:      r.cfg.UDPSize,
		DialTimeout:  r.cfg.DialTimeout,
		ReadTimeout:  r.cfg.ReadTimeout,
		WriteTimeout: r.cfg.WriteTimeout,
	}
}

func (r *Resolver) exchangeOne(ctx context.Context, m *dns.Msg, srv string) (*Answer, error) {
	resp, rtt, err := r.client("udp").ExchangeContext(ctx, m, srv)
	transport := "udp"
	if err == nil && resp.Truncated {
		// The whole answer does not fit a datagram: ask again over TCP.
		resp, rtt, err = r.client("tcp").ExchangeContext(ctx, m, srv)
		transport = "tcp"
	}
	if err != nil {
		return nil, &TransportError{Server: srv, Timeout: isTimeout(ctx, err), Err: err}
	}
	return &Answer{Msg: resp, Server: srv, Transport: transport, RTT: rtt}, nil
}

func isTimeout(ctx context.Context, err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return true
	}
	return false
}
