package heroku

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultAPIURL is the Platform API of heroku.com.
const DefaultAPIURL = "https://api.heroku.com"

// APIURL returns the Platform API base URL for a HEROKU_HOST value, with the
// Heroku CLI's meaning: empty is api.heroku.com, a value starting with http
// is the whole base URL, anything else is a domain D meaning https://api.D.
//
// Like the Heroku CLI, the token goes only to Heroku: https to one of
// Heroku's domains (herokuDomains), or http(s) to a loopback address (tests, the sandbox).
// Any other host is refused here, before a request could carry the token.
func APIURL(herokuHost string) (*url.URL, error) {
	return baseURL("HEROKU_HOST", herokuHost, DefaultAPIURL, "https://api.", "a domain such as heroku.com or a URL such as https://api.heroku.com")
}

// baseURL reads a host variable (name=value) with the Heroku CLI's
// meaning: empty is def, a value starting with http is the whole base URL,
// anything else is prefix+value. Only Heroku's hosts over https, or
// loopback, are accepted: the token goes there.
func baseURL(name, value, def, prefix, example string) (*url.URL, error) {
	value = strings.TrimSpace(value)
	raw := def
	switch {
	case value == "":
	case strings.HasPrefix(value, "http"):
		raw = value
	default:
		raw = prefix + value
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, &HostError{Msg: fmt.Sprintf("%s=%q is not a valid API host: use %s", name, value, example)}
	}
	host := u.Hostname()
	if host == "" || strings.ContainsAny(host, " /\\") {
		return nil, &HostError{Msg: fmt.Sprintf("%s=%q is not a valid API host", name, value)}
	}
	if !allowedHost(u.Scheme, host) {
		return nil, &HostError{Msg: fmt.Sprintf("%s=%q is not a Heroku host: the token is only sent over https to heroku.com, herokuspace.com, herokudev.com or herokai.com (or to a loopback address); unset %s", name, value, name)}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

// herokuDomains are the domains the Heroku CLI sends its token to
// (@heroku-cli/command's ALLOWED_HEROKU_DOMAINS, v13.2.0): heroku.com,
// Heroku's own staging and internal domains, and Private Spaces.
var herokuDomains = []string{"heroku.com", "herokai.com", "herokuspace.com", "herokudev.com"}

// allowedHost is the Heroku CLI's rule made exact: https to one of Heroku's
// domains or a subdomain of one, or a loopback address (the CLI's own check
// is a substring test that also passes http://127.0.0.1.evil.example).
func allowedHost(scheme, host string) bool {
	if IsLoopback(host) {
		return true
	}
	if scheme != "https" {
		return false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, d := range herokuDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// IsLoopback tells whether host is localhost or an address in 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// NetrcMachines are the netrc machines the token may be under, in order:
// the API host with its port, as `heroku login` writes it (the CLI's
// vars.apiHost keeps the port of a HEROKU_HOST URL), then without it.
func NetrcMachines(api *url.URL) []string {
	if api.Port() == "" {
		return []string{api.Hostname()}
	}
	return []string{api.Host, api.Hostname()}
}
