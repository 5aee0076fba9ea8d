package report

import (
	"encoding/json"
	"io"
	"time"
)

// jsonReport is the wire form of CONTRACT.md, schema_version 1. Every field
// is always present so that scripts can rely on it.
type jsonReport struct {
	SchemaVersion int           `json:"schema_version"`
	Tool          string        `json:"tool"`
	Version       string        `json:"version"`
	GeneratedAt   string        `json:"generated_at"`
	Apps          []string      `json:"apps"`
	Status        Status        `json:"status"`
	Summary       Summary       `json:"summary"`
	DurationMS    int64         `json:"duration_ms"`
	Checks        []jsonFinding `json:"checks"`
}

type jsonFinding struct {
	Check      string         `json:"check"`
	Category   Category       `json:"category"`
	App        string         `json:"app"`
	Subject    string         `json:"subject"`
	Status     Status         `json:"status"`
	Code       string         `json:"code"`
	Summary    string         `json:"summary"`
	Detail     string         `json:"detail"`
	Remedy     string         `json:"remedy"`
	Docs       string         `json:"docs"`
	Data       map[string]any `json:"data"`
	DurationMS int64          `json:"duration_ms"`
}

func renderJSON(w io.Writer, r Report) error {
	out := jsonReport{
		SchemaVersion: r.SchemaVersion,
		Tool:          r.Tool,
		Version:       r.Version,
		GeneratedAt:   r.GeneratedAt.UTC().Format(time.RFC3339),
		Apps:          r.Apps,
		Status:        r.Status,
		Summary:       r.Summary,
		DurationMS:    r.Duration.Milliseconds(),
		Checks:        make([]jsonFinding, 0, len(r.Checks)),
	}
	if out.Apps == nil {
		out.Apps = []string{}
	}
	for _, f := range r.Checks {
		data := f.Data
		if data == nil {
			data = map[string]any{}
		}
		out.Checks = append(out.Checks, jsonFinding{
			Check: f.Check, Category: f.Category, App: f.App, Subject: f.Subject,
			Status: f.Status, Code: f.Code, Summary: f.Summary, Detail: f.Detail,
			Remedy: f.Remedy, Docs: f.Docs, Data: data, DurationMS: f.Duration.Milliseconds(),
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// DecodeJSON reads a report written by the JSON renderer, for tests and for
// re-rendering a saved report.
func DecodeJSON(rd io.Reader) (Report, error) {
	var in jsonReport
	dec := json.NewDecoder(rd)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return Report{}, err
	}
	gen, _ := time.Parse(time.RFC3339, in.GeneratedAt)
	r := Report{
		SchemaVersion: in.SchemaVersion,
		Tool:          in.Tool,
		Meta:          Meta{Version: in.Version, GeneratedAt: gen, Apps: in.Apps, Duration: time.Duration(in.DurationMS) * time.Millisecond},
		Status:        in.Status,
		Summary:       in.Summary,
	}
	for _, f := range in.Checks {
		r.Checks = append(r.Checks, Finding{
			Check: f.Check, Category: f.Category, App: f.App, Subject: f.Subject,
			Status: f.Status, Code: f.Code, Summary: f.Summary, Detail: f.Detail,
			Remedy: f.Remedy, Docs: f.Docs, Data: f.Data, Duration: time.Duration(f.DurationMS) * time.Millisecond,
		})
	}
	return r, nil
}
