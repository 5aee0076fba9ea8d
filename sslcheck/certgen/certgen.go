// Package certgen makes the certificates the TLS tests and the sandbox
// serve: a test root, an intermediate, and leaves with every flaw the TLS
// checks name (expired, expiring, future, wrong name, *.herokuapp.com,
// self-signed, weak key, SHA-1 signature).
package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Cert is a certificate with its key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	DER  []byte
}

// PEM encodes the certificate.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// Options of a certificate.
type Options struct {
	CommonName string
	DNSNames   []string
	IPs        []net.IP
	NotBefore  time.Time
	NotAfter   time.Time
	IsCA       bool
	RSABits    int                     // 0: ECDSA P-256, unless Curve is set
	Curve      elliptic.Curve          // ECDSA curve (default P-256)
	SigAlg     x509.SignatureAlgorithm // 0: the issuer key's default
	AIA        string                  // CA Issuers URL
	Org        string
}

var serial atomic.Int64

// keys are cached per kind: generating RSA keys dominates the tests' time
// and a shared key changes nothing the checks look at.
var (
	keyMu    sync.Mutex
	keyCache = map[string]crypto.Signer{}
)

func key(o Options) (crypto.Signer, error) {
	keyMu.Lock()
	defer keyMu.Unlock()
	kind := "ec256"
	switch {
	case o.RSABits > 0:
		kind = "rsa" + big.NewInt(int64(o.RSABits)).String()
	case o.Curve != nil:
		kind = o.Curve.Params().Name
	}
	if o.IsCA {
		kind += ":ca:" + o.CommonName // a CA never shares its key with another certificate
	}
	if k, ok := keyCache[kind]; ok {
		return k, nil
	}
	var k crypto.Signer
	var err error
	switch {
	case o.RSABits > 0:
		k, err = rsa.GenerateKey(rand.Reader, o.RSABits)
	case o.Curve != nil:
		k, err = ecdsa.GenerateKey(o.Curve, rand.Reader)
	default:
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return nil, err
	}
	keyCache[kind] = k
	return k, nil
}

// New makes a certificate signed by issuer, or self-signed when issuer is nil.
func New(o Options, issuer *Cert) (*Cert, error) {
	k, err := key(o)
	if err != nil {
		return nil, err
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = time.Now().Add(-time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = time.Now().Add(90 * 24 * time.Hour)
	}
	tpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1000 + serial.Add(1)),
		Subject:               pkix.Name{CommonName: o.CommonName},
		DNSNames:              o.DNSNames,
		IPAddresses:           o.IPs,
		NotBefore:             o.NotBefore,
		NotAfter:              o.NotAfter,
		SignatureAlgorithm:    o.SigAlg,
		BasicConstraintsValid: true,
		IsCA:                  o.IsCA,
	}
	if o.Org != "" {
		tpl.Subject.Organization = []string{o.Org}
	}
	if o.IsCA {
		tpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	} else {
		tpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	if o.AIA != "" {
		tpl.IssuingCertificateURL = []string{o.AIA}
	}
	parent, signer := tpl, k
	if issuer != nil {
		parent, signer = issuer.Cert, issuer.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, parent, k.Public(), signer)
	if err != nil {
		return nil, err
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &Cert{Cert: c, Key: k, DER: der}, nil
}

// MustNew is New for fixtures.
func MustNew(o Options, issuer *Cert) *Cert {
	c, err := New(o, issuer)
	if err != nil {
		panic(err)
	}
	return c
}

// PKI is a test root and an intermediate under it.
type PKI struct {
	Root         *Cert
	Intermediate *Cert
}

// NewPKI makes a root and an intermediate valid for ten years around now.
func NewPKI(name string) *PKI { return NewPKIAt(name, time.Now()) }

// NewPKIAt is NewPKI around another moment (the sandbox's clock).
func NewPKIAt(name string, now time.Time) *PKI {
	root := MustNew(Options{CommonName: name + " Root CA", Org: name, IsCA: true,
		NotBefore: now.Add(-5 * 365 * 24 * time.Hour), NotAfter: now.Add(5 * 365 * 24 * time.Hour)}, nil)
	inter := MustNew(Options{CommonName: name + " Issuing CA", Org: name, IsCA: true,
		NotBefore: now.Add(-2 * 365 * 24 * time.Hour), NotAfter: now.Add(3 * 365 * 24 * time.Hour)}, root)
	return &PKI{Root: root, Intermediate: inter}
}

// Leaf makes a server certificate for names, issued by the intermediate.
func (p *PKI) Leaf(o Options) *Cert {
	if o.CommonName == "" && len(o.DNSNames) > 0 {
		o.CommonName = o.DNSNames[0]
	}
	return MustNew(o, p.Intermediate)
}

// TLS returns a tls.Certificate serving leaf followed by chain.
func TLS(leaf *Cert, chain ...*Cert) tls.Certificate {
	tc := tls.Certificate{Certificate: [][]byte{leaf.DER}, PrivateKey: leaf.Key, Leaf: leaf.Cert}
	for _, c := range chain {
		tc.Certificate = append(tc.Certificate, c.DER)
	}
	return tc
}

// KeyPEM encodes the private key (PKCS#8), for servers such as nginx.
func (c *Cert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// ChainPEM concatenates certificates in PEM.
func ChainPEM(certs ...*Cert) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, c.PEM()...)
	}
	return out
}
