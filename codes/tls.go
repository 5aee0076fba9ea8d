package codes

import "github.com/heroku-checkup/heroku-checkup/report"

// renewRemedy is how a domain of an app gets a new certificate.
const renewRemedy = "heroku certs:auto:refresh -a {app} (ACM), or upload a renewed certificate: heroku certs:update NEW.crt NEW.key -a {app}"

// TLS codes: a real handshake with every address of each domain, SNI set.
var (
	CertExpired = &report.Code{ID: "CERT_EXPIRED", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "The served certificate has expired",
		Why:     "Browsers and API clients refuse the connection.",
		Detects: "The leaf certificate of the handshake: not after is in the past.",
		Remedy:  renewRemedy, Subject: "DOMAIN", Docs: sslArticle,
		Source: acmArticle + " (ACM renews one month before expiry, updated 2024-10-16)",
		Test:   "sslcheck.TestRulesOnGeneratedCertificates"}

	CertExpiring = &report.Code{ID: "CERT_EXPIRING", Category: report.CategoryTLS, Status: report.StatusWarning,
		Title:   "The served certificate expires soon",
		Why:     "When it expires clients refuse the connection; an ACM certificate this close to expiry means its renewal stalled.",
		Detects: "The leaf certificate of the handshake: fewer than 30 days left is a warning, fewer than 7 critical (--warn-days, --crit-days).",
		Remedy:  renewRemedy, Subject: "DOMAIN", Docs: sslArticle,
		Source: acmArticle + " (ACM renews one month before expiry, updated 2024-10-16)",
		Test:   "sslcheck.TestRulesOnGeneratedCertificates"}

	CertNotYetValid = &report.Code{ID: "CERT_NOT_YET_VALID", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "The served certificate is not valid yet",
		Why:     "Clients reject it until its not-before date: a wrong clock where it was issued, or a certificate uploaded too early.",
		Detects: "The leaf certificate of the handshake: not before is in the future.",
		Remedy:  renewRemedy, Subject: "DOMAIN", Docs: sslArticle, Source: sslArticle,
		Test: "sslcheck.TestRulesOnGeneratedCertificates"}

	CertHostnameMismatch = &report.Code{ID: "CERT_HOSTNAME_MISMATCH", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "The served certificate is for other names",
		Why:     "Browsers show a name mismatch error and API clients refuse to connect.",
		Detects: "The leaf certificate does not verify for the domain (its SANs, wildcards included), and it is not Heroku's *.herokuapp.com certificate.",
		Remedy:  "Serve a certificate that covers {subject}: ACM issues one (heroku certs:auto:enable -a {app})", Subject: "DOMAIN",
		Docs: sslArticle, Source: "help.heroku.com/8SZE5IG4 (certificate mismatch errors)",
		Test: "sslcheck.TestRulesOnGeneratedCertificates"}

	CertHerokuWildcard = &report.Code{ID: "CERT_HEROKU_WILDCARD", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "A custom domain is served the *.herokuapp.com certificate",
		Why:     "Its DNS points at the app's herokuapp.com name instead of its DNS target: browsers reject the certificate and ACM cannot validate the domain.",
		Detects: "The leaf certificate of a custom domain's handshake is the *.herokuapp.com wildcard.",
		Remedy:  "Point {subject} at its DNS target (heroku domains -a {app}), then heroku certs:auto:refresh -a {app}", Subject: "DOMAIN",
		Docs:   domains,
		Source: "help.heroku.com/8SZE5IG4 (a domain pointed at herokuapp.com gets the wildcard certificate); " + acmArticle,
		Test:   "sslcheck.TestRulesOnGeneratedCertificates"}

	CertUntrusted = &report.Code{ID: "CERT_UNTRUSTED", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "The served certificate is not issued by a trusted CA",
		Why:     "Clients refuse it: a self-signed certificate, an unknown (private) CA, or a chain that does not verify.",
		Detects: "The served chain is verified against the system roots (and --ca-file); self-signed certificates and unknown CAs are told apart from a missing intermediate.",
		Remedy:  "Use ACM (heroku certs:auto:enable -a {app}) or a certificate from a public CA; for a private CA pass --ca-file", Subject: "DOMAIN",
		Docs: sslArticle, Source: sslArticle,
		Test: "sslcheck.TestRulesOnGeneratedCertificates"}

	CertChainIncomplete = &report.Code{ID: "CERT_CHAIN_INCOMPLETE", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "The server does not send its intermediate certificate, or sends the chain out of order",
		Why:     "Browsers may fetch a missing intermediate themselves, but curl, mobile apps and API clients fail with 'unable to get local issuer certificate'; strict clients also fail on a chain out of order (a warning).",
		Detects: "The chain verifies only with an intermediate the server did not send (one from --ca-file or the app's uploaded chain), or each certificate is not followed by its issuer.",
		Remedy:  "Upload the full chain (leaf, then intermediates): heroku certs:update FULLCHAIN.crt KEY -a {app}", Subject: "DOMAIN",
		Docs: sslArticle, Source: sslArticle,
		Test: "sslcheck.TestRulesOnGeneratedCertificates"}

	CertWeakKey = &report.Code{ID: "CERT_WEAK_KEY", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "The certificate's key is too short",
		Why:     "RSA keys under 2048 bits and EC keys under 256 bits are refused by current clients and CAs.",
		Detects: "The leaf certificate's public key size.",
		Remedy:  "Issue a new certificate with a 2048-bit (or larger) RSA or a P-256 ECDSA key", Subject: "DOMAIN",
		Docs: sslArticle, Source: sslArticle,
		Test: "sslcheck.TestRulesOnGeneratedCertificates"}

	CertWeakSignature = &report.Code{ID: "CERT_WEAK_SIGNATURE", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "A certificate of the chain is signed with SHA-1 or MD5",
		Why:     "Clients reject SHA-1 and MD5 signatures.",
		Detects: "The signature algorithm of the leaf and of each intermediate (a root's own signature is not checked by clients).",
		Remedy:  "Reissue it with a SHA-256 signature", Subject: "DOMAIN",
		Docs: sslArticle, Source: sslArticle,
		Test: "sslcheck.TestRulesOnGeneratedCertificates"}

	TLSLegacyProtocol = &report.Code{ID: "TLS_LEGACY_PROTOCOL", Category: report.CategoryTLS, Status: report.StatusWarning,
		Title:   "The server accepts TLS 1.0 or 1.1, or speaks only those",
		Why:     "TLS 1.0 and 1.1 are deprecated (RFC 8996); Heroku's router refuses them, so a proxy or CDN in front of the app accepts them. Speaking only them locks out every current browser (critical).",
		Detects: "A second handshake offering only TLS 1.0/1.1 succeeds, or the only handshake that succeeds is one of them.",
		Remedy:  "Disable TLS 1.0 and 1.1 on the proxy or CDN in front of the app", Subject: "DOMAIN",
		Docs: sslArticle, Source: "help.heroku.com/W63FUHE5 (the Common Runtime accepts TLS 1.2 and above)",
		Test: "sslcheck.TestHandshakesOnLoopback"}

	TLSHandshakeFailed = &report.Code{ID: "TLS_HANDSHAKE_FAILED", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "The TLS handshake fails, or sends no certificate",
		Why:     "Nobody can reach the domain over HTTPS: usually no certificate for the name on the server (SNI), or something that does not speak TLS on the port.",
		Detects: "The handshake with SNI set to the domain ends in an alert or an error, or completes without a certificate.",
		Remedy:  "heroku certs -a {app}, and check DNS with dns-check", Subject: "DOMAIN",
		Docs: sslArticle, Source: sslArticle,
		Test: "sslcheck.TestHandshakesOnLoopback"}

	TLSConnectFailed = &report.Code{ID: "TLS_CONNECT_FAILED", Category: report.CategoryTLS, Status: report.StatusCritical,
		Title:   "Cannot connect to the domain's HTTPS port",
		Why:     "The domain does not resolve to an address, or nothing accepts connections on the port: the site is down for its visitors.",
		Detects: "The domain's addresses (looked up through --resolver) refuse or time out the TCP connection, or it has no address.",
		Remedy:  "Check that DNS points at the app's DNS target and that the app has web dynos (heroku ps -a {app})", Subject: "DOMAIN",
		Docs: domains, Source: dnsTargetSource,
		Test: "sslcheck.TestHandshakesOnLoopback"}

	CertMismatchAPI = &report.Code{ID: "CERT_MISMATCH_API", Category: report.CategoryTLS, Status: report.StatusWarning,
		Title:   "The served certificate is not the one the app holds",
		Why:     "The world sees another certificate than the one uploaded to Heroku or issued by ACM: DNS or a CDN sends traffic elsewhere, or the CDN serves its own.",
		Detects: "The SHA-256 fingerprint of the served leaf against the certificates of the app's SNI endpoints that cover the domain.",
		Remedy:  "Compare the certificates the app holds (heroku certs -a {app}) with what DNS points at (dns-check)", Subject: "DOMAIN",
		Docs: acmArticle, Source: sslArticle,
		Test: "sslcheck.TestAPIMismatch"}

	TLSAddressesDiffer = &report.Code{ID: "TLS_ADDRESSES_DIFFER", Category: report.CategoryTLS, Status: report.StatusWarning,
		Title:   "The addresses of one domain serve different certificates",
		Why:     "Visitors get one certificate or another depending on the address they reach: a half-finished migration or a stale load balancer or DNS record.",
		Detects: "Every address of the domain is handshaken; their leaf certificates (or failures) are compared.",
		Remedy:  "Make every address serve the same certificate (a load balancer or DNS record left over from a migration?)", Subject: "DOMAIN",
		Docs: sslArticle, Source: dnsTargetSource,
		Test: "sslcheck.TestHandshakesOnLoopback"}
)

var tls = []*report.Code{CertExpired, CertExpiring, CertNotYetValid, CertHostnameMismatch, CertHerokuWildcard,
	CertUntrusted, CertChainIncomplete, CertWeakKey, CertWeakSignature, TLSLegacyProtocol, TLSHandshakeFailed,
	TLSConnectFailed, CertMismatchAPI, TLSAddressesDiffer}
