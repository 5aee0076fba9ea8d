package herokutest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Schema is the Platform API's JSON hyper-schema as heroku-go ships it. The
// fake API's answers are checked against the targetSchema of the link they
// answer, so a fixture cannot say what the real API never would.
type Schema struct {
	root  map[string]any
	links []link
}

type link struct {
	method string
	href   *regexp.Regexp
	raw    string
	target any
}

// SchemaPath finds schema.json inside the heroku-go module in the module cache.
func SchemaPath() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/heroku/heroku-go/v6").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m github.com/heroku/heroku-go/v6: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("heroku-go/v6 is not in the module cache (run go mod download)")
	}
	return filepath.Join(dir, "schema.json"), nil
}

// LoadSchema reads schema.json.
func LoadSchema(path string) (*Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	s := &Schema{root: root}
	defs, _ := root["definitions"].(map[string]any)
	for _, d := range defs {
		dm, _ := d.(map[string]any)
		links, _ := dm["links"].([]any)
		for _, l := range links {
			lm, _ := l.(map[string]any)
			href, _ := lm["href"].(string)
			method, _ := lm["method"].(string)
			pat := regexp.QuoteMeta(href)
			pat = regexp.MustCompile(`\\\{\\\(.*?\\\)\\\}`).ReplaceAllString(pat, `[^/]+`)
			s.links = append(s.links, link{method: method, href: regexp.MustCompile("^" + pat + "$"), raw: href, target: lm["targetSchema"]})
		}
	}
	// Prefer the most specific template when several match (/apps/{id} vs /apps/{id}/dynos never clash, but keep it stable).
	slices.SortFunc(s.links, func(a, b link) int { return len(b.raw) - len(a.raw) })
	return s, nil
}

// ValidateResponse checks a JSON body against the targetSchema of the link
// that answers method and path.
func (s *Schema) ValidateResponse(method, path string, body []byte) error {
	var l *link
	for i := range s.links {
		if s.links[i].method == method && s.links[i].href.MatchString(path) {
			l = &s.links[i]
			break
		}
	}
	if l == nil {
		return fmt.Errorf("%s %s: no link of the Platform API schema answers this", method, path)
	}
	if l.target == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%s %s: body is not JSON: %v", method, path, err)
	}
	var errs []string
	s.validate(v, l.target, "$", &errs, 0)
	if len(errs) > 0 {
		return fmt.Errorf("%s %s (schema link %s):\n  %s", method, path, l.raw, strings.Join(errs, "\n  "))
	}
	return nil
}

func (s *Schema) resolve(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	var cur any = s.root
	for _, part := range strings.Split(ref[2:], "/") {
		part, _ = url.PathUnescape(part)
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not an object", ref, part)
		}
		cur, ok = m[part]
		if !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, part)
		}
	}
	return cur, nil
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func jsonType(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if t == float64(int64(t)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// validate implements the part of JSON Schema draft 4 that schema.json uses:
// $ref, type, enum, format, pattern, properties, required, items, anyOf,
// additionalProperties and patternProperties.
func (s *Schema) validate(v any, schema any, at string, errs *[]string, depth int) {
	if depth > 64 {
		*errs = append(*errs, at+": schema nests too deep")
		return
	}
	sm, ok := schema.(map[string]any)
	if !ok {
		return
	}
	if ref, ok := sm["$ref"].(string); ok {
		target, err := s.resolve(ref)
		if err != nil {
			*errs = append(*errs, at+": "+err.Error())
			return
		}
		s.validate(v, target, at, errs, depth+1)
		return
	}
	if any, ok := sm["anyOf"].([]any); ok {
		matched := false
		for _, alt := range any {
			var sub []string
			s.validate(v, alt, at, &sub, depth+1)
			if len(sub) == 0 {
				matched = true
				break
			}
		}
		if !matched {
			*errs = append(*errs, fmt.Sprintf("%s: %v matches none of anyOf", at, v))
		}
	}
	if types := schemaTypes(sm["type"]); len(types) > 0 {
		got := jsonType(v)
		okType := slices.Contains(types, got) || (got == "integer" && slices.Contains(types, "number"))
		if !okType {
			*errs = append(*errs, fmt.Sprintf("%s: type %s, schema wants %v", at, got, types))
			return
		}
	}
	if enum, ok := sm["enum"].([]any); ok && v != nil {
		if !slices.ContainsFunc(enum, func(e any) bool { return fmt.Sprint(e) == fmt.Sprint(v) }) {
			*errs = append(*errs, fmt.Sprintf("%s: %v not in enum %v", at, v, enum))
		}
	}
	if str, ok := v.(string); ok {
		if f, ok := sm["format"].(string); ok {
			if err := checkFormat(f, str); err != nil {
				*errs = append(*errs, fmt.Sprintf("%s: %q is not a valid %s", at, str, f))
			}
		}
		if p, ok := sm["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err == nil && !re.MatchString(str) {
				*errs = append(*errs, fmt.Sprintf("%s: %q does not match %s", at, str, p))
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := sm["properties"].(map[string]any)
		for _, r := range asStrings(sm["required"]) {
			if _, ok := obj[r]; !ok {
				*errs = append(*errs, fmt.Sprintf("%s: required property %q missing", at, r))
			}
		}
		patProps, _ := sm["patternProperties"].(map[string]any)
		for k, val := range obj {
			if ps, ok := props[k]; ok {
				s.validate(val, ps, at+"."+k, errs, depth+1)
				continue
			}
			matched := false
			for p, ps := range patProps {
				if re, err := regexp.Compile(p); err == nil && re.MatchString(k) {
					s.validate(val, ps, at+"."+k, errs, depth+1)
					matched = true
				}
			}
			if matched {
				continue
			}
			switch ap := sm["additionalProperties"].(type) {
			case bool:
				if !ap {
					*errs = append(*errs, fmt.Sprintf("%s: property %q is not in the schema", at, k))
				}
			case map[string]any:
				s.validate(val, ap, at+"."+k, errs, depth+1)
			default:
				// The schema's resources list their properties; a fixture field
				// the real API never sends is drift, so refuse it.
				if props != nil {
					*errs = append(*errs, fmt.Sprintf("%s: property %q is not in the schema", at, k))
				}
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := sm["items"]; ok {
			for i, e := range arr {
				s.validate(e, items, fmt.Sprintf("%s[%d]", at, i), errs, depth+1)
			}
		}
	}
}

func schemaTypes(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		return asStrings(t)
	}
	return nil
}

func asStrings(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func checkFormat(format, s string) error {
	switch format {
	case "date-time":
		_, err := time.Parse(time.RFC3339, s)
		return err
	case "date":
		_, err := time.Parse("2006-01-02", s)
		return err
	case "uuid":
		if !uuidRe.MatchString(s) {
			return fmt.Errorf("not a uuid")
		}
	case "email":
		_, err := mail.ParseAddress(s)
		return err
	case "uri":
		// The schema marks domain hostnames "uri" and gives
		// "subdomain.example.com" as the example: a URI reference.
		if _, err := url.Parse(s); err != nil || s == "" || strings.ContainsAny(s, " \t\n") {
			return fmt.Errorf("not a uri")
		}
	}
	return nil
}

// AppRoutes are the read routes of one app that the tool uses.
func AppRoutes(app string) []string {
	var out []string
	for _, res := range []string{"", "/dynos", "/formation", "/releases", "/domains", "/sni-endpoints", "/addons",
		"/config-vars", "/log-drains", "/telemetry-drains", "/features"} {
		out = append(out, "/apps/"+app+res)
	}
	return out
}

// CheckRoutes asks a fake API for each route (GET, or POST for a log
// session) and validates every answer against the schema.
func (s *Schema) CheckRoutes(baseURL, token string, routes []string) []error {
	var errs []error
	for _, p := range routes {
		method := http.MethodGet
		if strings.HasSuffix(p, "/log-sessions") {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, baseURL+p, nil)
		req.Header.Set("Accept", "application/vnd.heroku+json; version=3")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			errs = append(errs, fmt.Errorf("%s %s: %d %s", method, p, resp.StatusCode, body))
			continue
		}
		if err := s.ValidateResponse(method, p, body); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}
