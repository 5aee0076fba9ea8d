package report

import (
	"encoding/json"
	"errors"
	"io"
	"time"
)

// jsonReport is the wire form of the report (docs/report.md and
// schema/report.schema.json), schema_version 1. Every field is always
// present so that scripts can rely on it, except baseline (and each check's
// change and previous_status), present only when the run had --baseline.
type jsonReport struct {
	SchemaVersion int            `json:"schema_version"`
	Tool          string         `json:"tool"`
	Version       string         `json:"version"`
	GeneratedAt   string         `json:"generated_at"`
	Apps          []string       `json:"apps"`
	Status        Status         `json:"status"`
	Summary       Summary        `json:"summary"`
	DurationMS    int64          `json:"duration_ms"`
	Baseline      *jsonBaseline  `json:"baseline,omitempty"`
	Checks        []jsonFinding  `json:"checks"`
	Timeline      []jsonTimeline `json:"timeline,omitempty"`
}

type jsonBaseline struct {
	GeneratedAt string `json:"generated_at,omitempty"` // absent: no previous report
	Version     string `json:"version,omitempty"`
	New         int    `json:"new"`
	Ongoing     int    `json:"ongoing"`
	Resolved    int    `json:"resolved"`
}

type jsonFinding struct {
	Check          string         `json:"check"`
	Category       Category       `json:"category"`
	App            string         `json:"app"`
	Subject        string         `json:"subject"`
	Status         Status         `json:"status"`
	Code           string         `json:"code"`
	Summary        string         `json:"summary"`
	Detail         string         `json:"detail"`
	Remedy         string         `json:"remedy"`
	Docs           string         `json:"docs"`
	Data           map[string]any `json:"data"`
	DurationMS     int64          `json:"duration_ms"`
	Fingerprint    string         `json:"fingerprint"`
	Change         Change         `json:"change,omitempty"`
	PreviousStatus Status         `json:"previous_status,omitempty"`
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
	if c, ok := r.Changes(); ok {
		out.Baseline = &jsonBaseline{Version: c.Since.Version, New: len(c.New), Ongoing: len(c.Ongoing), Resolved: len(c.Resolved)}
		if !c.Since.GeneratedAt.IsZero() {
			out.Baseline.GeneratedAt = c.Since.GeneratedAt.UTC().Format(time.RFC3339)
		}
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
			Fingerprint: f.Fingerprint, Change: f.Change, PreviousStatus: f.PreviousStatus,
		})
	}
	for _, t := range r.Timelines {
		out.Timeline = append(out.Timeline, wireTimeline(t))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// DecodeJSON reads a report written by the JSON renderer, for tests and for
// re-rendering a saved report.
func DecodeJSON(rd io.Reader) (Report, error) {
	in, err := decodeWire(rd)
	if err != nil {
		return Report{}, err
	}
	return in.report(), nil
}

// decodeWire reads exactly one JSON report: a second value after it (two
// reports appended to one file) is an error.
func decodeWire(rd io.Reader) (jsonReport, error) {
	var in jsonReport
	dec := json.NewDecoder(rd)
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		if errors.Is(err, io.EOF) {
			return in, errors.New("the file is empty")
		}
		return in, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return in, errors.New("more than one JSON value")
	}
	return in, nil
}

func (in jsonReport) report() Report {
	gen, _ := time.Parse(time.RFC3339, in.GeneratedAt)
	r := Report{
		SchemaVersion: in.SchemaVersion,
		Tool:          in.Tool,
		Meta:          Meta{Version: in.Version, GeneratedAt: gen, Apps: in.Apps, Duration: time.Duration(in.DurationMS) * time.Millisecond},
		Status:        in.Status,
		Summary:       in.Summary,
	}
	if b := in.Baseline; b != nil {
		r.Baseline = &BaselineInfo{Version: b.Version}
		r.Baseline.GeneratedAt, _ = time.Parse(time.RFC3339, b.GeneratedAt)
	}
	for _, t := range in.Timeline {
		r.Timelines = append(r.Timelines, t.timeline())
	}
	for _, f := range in.Checks {
		r.Checks = append(r.Checks, Finding{
			Check: f.Check, Category: f.Category, App: f.App, Subject: f.Subject,
			Status: f.Status, Code: f.Code, Summary: f.Summary, Detail: f.Detail,
			Remedy: f.Remedy, Docs: f.Docs, Data: f.Data, Duration: time.Duration(f.DurationMS) * time.Millisecond,
			Fingerprint: f.Fingerprint, Change: f.Change, PreviousStatus: f.PreviousStatus,
		})
	}
	return r
}
