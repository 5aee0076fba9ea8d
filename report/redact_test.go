package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestRedactorString(t *testing.T) {
	r := NewRedactor("s3cr3t-token-value")
	cases := []struct{ in, want string }{
		{"postgres://u:hunter2pass@h.example.com:5432/db", "postgres://u:REDACTED@h.example.com:5432/db"},
		{"postgresql://:p@h/db", "postgresql://:REDACTED@h/db"},
		{"redis://h:abc123def@ec2-1.compute.amazonaws.com:6379", "redis://h:REDACTED@ec2-1.compute.amazonaws.com:6379"},
		{"https://host.example.com:443/path", "https://host.example.com:443/path"},
		{"Authorization: Bearer abc.def-ghi", "Authorization: Bearer REDACTED"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic REDACTED"},
		{"key HRKU-AAabcdefghijklmnop_1234 here", "key REDACTED here"},
		{"password=hunter2 user=bob", "password=REDACTED user=bob"},
		{`{"api_key": "0123"}`, `{"api_key": "REDACTED"}`},
		{"the token is s3cr3t-token-value.", "the token is REDACTED."},
		{"nothing secret here", "nothing secret here"},
	}
	for _, c := range cases {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestRedactorConfigVars(t *testing.T) {
	v := func(s string) *string { return &s }
	r := NewRedactor()
	r.AddConfigVars(map[string]*string{
		"DATABASE_URL":    v("postgres://u:pgpassword99@db.example.com/d1"),
		"STRIPE_KEY":      v("sk_live_abcdef"),
		"SHORT_TOKEN":     v("abcd"),
		"RACK_ENV":        v("prod"),
		"WEB_CONCURRENCY": v("2"),
	})
	in := "saw pgpassword99 and sk_live_abcdef and abcd, env prod on 2 dynos"
	want := "saw REDACTED and REDACTED and REDACTED, env prod on 2 dynos"
	if got := r.String(in); got != want {
		t.Errorf("got %q, want %q", got, want)
	}

	// A one-letter URL password is still redacted in URLs, and only there.
	r.AddConfigVars(map[string]*string{"REDIS_URL": v("rediss://:x@127.0.0.1:9")})
	in = "postgres.indexes checked max_connections; REDIS_URL=rediss://:x@127.0.0.1:9"
	want = "postgres.indexes checked max_connections; REDIS_URL=rediss://:REDACTED@127.0.0.1:9"
	if got := r.String(in); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestNoSecretSurvivesAnyFormat plants secrets in every field of a finding,
// in its data (nested, in keys, in a struct) and in sections and notes, and
// asserts that none of them reaches any output format.
func TestNoSecretSurvivesAnyFormat(t *testing.T) {
	token := "HRKU-AAtok3n-value-0123456789"
	legacyKey := "01234567-89ab-cdef-0123-456789abcdef"
	configValue := "cfgvalue-secret-42"
	pgPass := "pgPa55word"
	secrets := []string{token, legacyKey, configValue, pgPass, "bearer-secret-xyz"}

	dbURL := "postgres://user:" + pgPass + "@db.example.com/d"
	r := NewRedactor(legacyKey)
	r.AddConfigVars(map[string]*string{"SOME_SETTING": &configValue, "DATABASE_URL": &dbURL})

	type evidence struct {
		URL   string `json:"url"`
		Token string `json:"token"`
	}
	f := Finding{
		Check: "postgres.connection", Category: CategoryPostgres, App: "acme", Subject: "DATABASE_URL",
		Status: StatusCritical, Code: "PG_UNREACHABLE",
		Summary: "cannot connect to postgres://user:" + pgPass + "@db.example.com/d",
		Detail:  "sent Authorization: Bearer bearer-secret-xyz and key " + legacyKey,
		Remedy:  "export HEROKU_API_KEY=" + token,
		Docs:    "https://devcenter.heroku.com/?token=" + token,
		Data: map[string]any{
			"url":       "postgres://user:" + pgPass + "@db.example.com/d",
			"nested":    map[string]any{"list": []any{configValue, "ok"}},
			configValue: "as a key",
			"password":  "short",
			"struct":    evidence{URL: "postgres://a:" + pgPass + "@h/d", Token: token},
			"strings":   []string{"x " + legacyKey},
		},
		Duration: time.Millisecond,
	}
	rep := New(Meta{GeneratedAt: genTime, Apps: []string{"acme"}}, []Finding{f})
	rep.Sections = []Section{{Title: "t " + configValue, Header: []string{"h"}, Rows: [][]string{{token}}}, {Title: "x", Text: pgPass + " in text"}}
	rep.Notes = []string{"note " + configValue}

	for _, format := range []Format{FormatText, FormatJSON, FormatMarkdown} {
		var buf bytes.Buffer
		if err := Render(&buf, rep, RenderOptions{Format: format, Redactor: r, Color: true}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, s := range append(secrets, "short") {
			if strings.Contains(out, s) {
				t.Errorf("%s output contains secret %q:\n%s", format, s, out)
			}
		}
		if !strings.Contains(out, "postgres://user:REDACTED@db.example.com/d") {
			t.Errorf("%s output lost the redacted URL shape", format)
		}
	}
	var md bytes.Buffer
	Render(&md, rep, RenderOptions{Format: FormatMarkdown, Redactor: r})
	if !strings.Contains(md.String(), RedactionNotice) {
		t.Error("markdown lacks the redaction notice")
	}
}
