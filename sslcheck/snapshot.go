package sslcheck

import (
	"crypto/x509"
	"time"
)

// Target is one name to check.
type Target struct {
	Host string // the SNI name
	Port string // 443 unless HOST:PORT said otherwise
	App  string // empty for a bare argument
	// AppDomain is the app's own herokuapp.com name (newer apps have a
	// suffix: acme-prod-0123456789ab.herokuapp.com); empty when unknown.
	AppDomain string
	// Custom is an app's custom domain: getting the *.herokuapp.com
	// certificate there means DNS points at the app, not the DNS target.
	Custom bool
	// APICerts are the leaves the Platform API holds for this host (SNI
	// endpoints and ACM); the served leaf should be one of them.
	APICerts []*x509.Certificate
}

// Addr is what one address of a target served.
type Addr struct {
	Addr         string // ip:port
	ConnectErr   error
	Deadline     bool // the check's deadline passed before a connection was made
	HandshakeErr error
	Timeout      bool // connected, but no handshake within the deadline
	Version      uint16
	Cipher       uint16
	Chain        []*x509.Certificate // as served, leaf first
	OCSPStapled  bool
	Took         time.Duration
	Legacy       bool   // a handshake capped at TLS 1.1 succeeded
	LegacyVer    uint16 // the version it agreed
}

// Snapshot is everything the handshakes of one target saw.
type Snapshot struct {
	Target     Target
	Addrs      []Addr
	ResolveErr error
	Took       time.Duration
}
