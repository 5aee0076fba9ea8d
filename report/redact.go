package report

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Redacted replaces every secret in every rendered report.
const Redacted = "REDACTED"

// Patterns that are secrets wherever they appear, whether or not the run
// knew the value: a password in a URL, a bearer token, a Heroku API key, and
// the value of anything named like a credential.
var (
	urlPassword   = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]*://[^\s:/?#@"'<>]*:)([^\s@/"'<>]+)(@)`)
	bearerToken   = regexp.MustCompile(`(?i)\b(bearer\s+)[a-z0-9._~+/\-]+=*`)
	basicAuth     = regexp.MustCompile(`(?i)\b(authorization:\s*basic\s+)[a-z0-9+/]+=*`)
	herokuKey     = regexp.MustCompile(`\bHRKU-[A-Za-z0-9_\-]{8,}`)
	secretKeyword = regexp.MustCompile(`(?i)((?:api[_\-]?key|token|passw(?:or)?d|pwd|secret|private[_\-]?key)["']?\s*[:=]\s*["']?)([^\s"',;&]+)`)
	secretKey     = regexp.MustCompile(`(?i)^(api[_\-]?key|.*token|passw(or)?d|pwd|.*secret|private[_\-]?key|authorization)$`)
)

// Redactor removes secrets from text. Besides the patterns above it removes
// every value it was told about (the API token, config var values); it is
// safe for concurrent use, so checks can add what they learn while running.
type Redactor struct {
	mu     sync.RWMutex
	values []string // sorted longest first, so a longer secret wins over its prefix
}

// NewRedactor returns a redactor that knows the given secret values.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	r.Add(secrets...)
	return r
}

// minSecretLen keeps short values (a config var "true", "1", "web") from
// blanking ordinary words out of a report; a secret that short is no secret.
const minSecretLen = 6

// Add teaches the redactor secret values (an API token, a password).
func (r *Redactor) Add(secrets ...string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if len(s) < minSecretLen || slices.Contains(r.values, s) {
			continue
		}
		r.values = append(r.values, s)
	}
	slices.SortFunc(r.values, func(a, b string) int { return len(b) - len(a) })
}

// secretName matches config var names whose values are credentials even
// when short.
var secretName = regexp.MustCompile(`(?i)(KEY|SECRET|TOKEN|PASS|PWD|AUTH|CREDENTIAL|PRIVATE|SALT|_URL$|_URI$|DSN)`)

// AddConfigVars teaches the redactor an app's config var values: every value
// of minSecretLen or more, and any value of a credential-named variable of 3
// characters or more. Postgres and Redis URLs also give their passwords.
func (r *Redactor) AddConfigVars(vars map[string]*string) {
	if r == nil {
		return
	}
	for name, v := range vars {
		if v == nil {
			continue
		}
		val := *v
		// A URL with a password keeps its shape (postgres://u:REDACTED@host/db),
		// which a support engineer needs; any other value goes whole.
		if m := urlPassword.FindStringSubmatch(val); m != nil {
			// In a URL the pattern finds any password; as a bare value a
			// one- or two-character one ("x") would blank every x of the
			// report (postgres.indeREDACTEDes).
			if len(m[2]) >= 3 {
				r.addShort(m[2])
			}
			continue
		}
		if len(val) >= minSecretLen {
			r.Add(val)
		} else if secretName.MatchString(name) && len(val) >= 3 {
			r.addShort(val)
		}
	}
}

func (r *Redactor) addShort(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.values, s) {
		r.values = append(r.values, s)
		slices.SortFunc(r.values, func(a, b string) int { return len(b) - len(a) })
	}
}

// String removes every secret from s.
func (r *Redactor) String(s string) string {
	if s == "" {
		return s
	}
	if r != nil {
		r.mu.RLock()
		for _, v := range r.values {
			if strings.Contains(s, v) {
				s = strings.ReplaceAll(s, v, Redacted)
			}
		}
		r.mu.RUnlock()
	}
	// Cheap byte tests first: most text holds no secret, and each pattern
	// needs a marker the test finds without running the regexp.
	if strings.Contains(s, "://") && strings.IndexByte(s, '@') >= 0 {
		s = urlPassword.ReplaceAllString(s, "${1}"+Redacted+"${3}")
	}
	if containsFold(s, "bearer") {
		s = bearerToken.ReplaceAllString(s, "${1}"+Redacted)
	}
	if containsFold(s, "basic") {
		s = basicAuth.ReplaceAllString(s, "${1}"+Redacted)
	}
	if strings.Contains(s, "HRKU-") {
		s = herokuKey.ReplaceAllString(s, Redacted)
	}
	if strings.ContainsAny(s, "=:") && (containsFold(s, "key") || containsFold(s, "token") || containsFold(s, "pass") ||
		containsFold(s, "pwd") || containsFold(s, "secret")) {
		s = secretKeyword.ReplaceAllStringFunc(s, func(m string) string {
			sub := secretKeyword.FindStringSubmatch(m)
			if sub[2] == Redacted {
				return m
			}
			return sub[1] + Redacted
		})
	}
	return s
}

// Value redacts any JSON-like value: strings (map keys too), slices, maps.
// Other types are first turned into their JSON form so that a struct in a
// finding's data cannot smuggle a secret past the renderers.
func (r *Redactor) Value(v any) any {
	switch t := v.(type) {
	case nil, bool, int, int64, float64, json.Number:
		return t
	case string:
		return r.String(t)
	case []string:
		out := make([]any, len(t))
		for i, s := range t {
			out[i] = r.String(s)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = r.Value(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if str, ok := e.(string); ok && str != "" && secretKey.MatchString(k) {
				out[r.String(k)] = Redacted
				continue
			}
			out[r.String(k)] = r.Value(e)
		}
		return out
	}
	b, err := json.Marshal(v)
	if err != nil {
		return r.String(fmt.Sprint(v))
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return r.String(string(b))
	}
	return r.Value(generic)
}

// Finding returns f with every text field and its data redacted.
func (r *Redactor) Finding(f Finding) Finding {
	f.Check = r.String(f.Check)
	f.App = r.String(f.App)
	f.Subject = r.String(f.Subject)
	f.Summary = r.String(f.Summary)
	f.Detail = r.String(f.Detail)
	f.Remedy = r.String(f.Remedy)
	f.Docs = r.String(f.Docs)
	if f.Data != nil {
		f.Data, _ = r.Value(map[string]any(f.Data)).(map[string]any)
	}
	return f
}

// Report returns a redacted copy of rep: findings, sections and notes.
func (r *Redactor) Report(rep Report) Report {
	out := rep
	out.Apps = make([]string, len(rep.Apps))
	for i, a := range rep.Apps {
		out.Apps[i] = r.String(a)
	}
	out.Checks = make([]Finding, len(rep.Checks))
	for i, f := range rep.Checks {
		out.Checks[i] = r.Finding(f)
	}
	out.Sections = make([]Section, len(rep.Sections))
	for i, s := range rep.Sections {
		ns := Section{Title: r.String(s.Title), Text: r.String(s.Text)}
		for _, h := range s.Header {
			ns.Header = append(ns.Header, r.String(h))
		}
		for _, row := range s.Rows {
			nr := make([]string, len(row))
			for j, c := range row {
				nr[j] = r.String(c)
			}
			ns.Rows = append(ns.Rows, nr)
		}
		out.Sections[i] = ns
	}
	out.Notes = make([]string, len(rep.Notes))
	for i, n := range rep.Notes {
		out.Notes[i] = r.String(n)
	}
	if rep.Baseline != nil {
		b := *rep.Baseline
		b.Version = r.String(b.Version)
		out.Baseline = &b
	}
	out.Timelines = make([]Timeline, len(rep.Timelines))
	for i, t := range rep.Timelines {
		out.Timelines[i] = t.mapText(r.String)
	}
	return out
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// in any case, without allocating.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}
