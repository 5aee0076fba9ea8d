package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/heroku-checkup/heroku-checkup/internal/localfile"
)

// MaxBaseline caps what is read of --baseline: the JSON report of a team of
// a thousand apps is a few tens of megabytes.
const MaxBaseline = 64 << 20

// Change compares a finding with the baseline report (--baseline), by
// fingerprint. Findings with a code and a status of info or worse get one;
// ok and skipped findings, and notes without a code, have no problem to
// compare and get none.
type Change string

const (
	// ChangeNew: not in the baseline, or in it at a lower status (a
	// warning that became critical is news to whoever watches).
	ChangeNew Change = "new"
	// ChangeOngoing: in the baseline too, at the same or a higher status.
	ChangeOngoing Change = "ongoing"
	// ChangeResolved: a problem of the baseline that this run found gone.
	// Such findings are added to the report: status ok, with the code,
	// the old summary and, in PreviousStatus, the old status.
	ChangeResolved Change = "resolved"
)

// notable tells whether a finding is compared with the baseline: it names
// a problem (a code) and says something (info or worse).
func notable(f Finding) bool { return f.Code != "" && f.Status.Severity() >= StatusInfo.Severity() }

// BaselineInfo is what a report says of the report it was compared with.
type BaselineInfo struct {
	// GeneratedAt is when the baseline was made; zero when there was no
	// previous report (the first run of a --baseline F -o F history).
	GeneratedAt time.Time
	Version     string // of the heroku-checkup that wrote it
}

// Baseline is a previous report, read to compare a run with.
type Baseline struct {
	Info   BaselineInfo
	Apps   []string
	Checks []Finding
}

// FirstBaseline stands for a history with no report yet: every problem of
// the run is new.
func FirstBaseline() *Baseline { return &Baseline{} }

// ReadBaseline reads a report written by --format json, under ctx (the
// run's deadline: a FIFO nobody writes to costs no more) and within
// MaxBaseline. Its errors are one line that names the file and what is
// wrong with it; one for a missing file wraps fs.ErrNotExist.
func ReadBaseline(ctx context.Context, path string) (*Baseline, error) {
	b, err := localfile.ReadAll(ctx, path, localfile.Stream, MaxBaseline)
	var tooLarge *localfile.TooLargeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &readError{msg: fmt.Sprintf("%s does not exist: give the JSON report of an earlier run (--format json -o %s)", path, path), err: err}
	case errors.Is(err, fs.ErrPermission):
		return nil, &readError{msg: path + " cannot be read: permission denied", err: err}
	case errors.As(err, &tooLarge):
		return nil, err
	case err != nil:
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory, not a JSON report", path)
		}
		return nil, fmt.Errorf("%s cannot be read: %v", path, err)
	}
	base, err := DecodeBaseline(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s %w", path, err)
	}
	return base, nil
}

// readError says in one line why a file cannot be read, and keeps the
// cause for errors.Is.
type readError struct {
	msg string
	err error
}

func (e *readError) Error() string { return e.msg }
func (e *readError) Unwrap() error { return e.err }

// DecodeBaseline reads a previous JSON report and checks that it is one
// this version can compare with: a heroku-checkup report of the same
// schema_version, with a time, valid statuses, and nothing after it.
func DecodeBaseline(rd io.Reader) (*Baseline, error) {
	in, err := decodeWire(rd)
	if err != nil {
		return nil, fmt.Errorf("is not a heroku-checkup JSON report (%v): give a report written with --format json", err)
	}
	if in.Tool != Tool {
		return nil, errors.New("is not a heroku-checkup JSON report (no \"tool\": \"heroku-checkup\"): give a report written with --format json")
	}
	if in.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("has schema_version %d and this heroku-checkup writes %d: compare with a report of the same schema version (or start a new baseline)", in.SchemaVersion, SchemaVersion)
	}
	gen, err := time.Parse(time.RFC3339, in.GeneratedAt)
	if err != nil {
		return nil, fmt.Errorf("is not a heroku-checkup JSON report (generated_at %q is not an RFC 3339 time)", in.GeneratedAt)
	}
	r := in.report()
	for i, f := range r.Checks {
		if !slices.Contains(Statuses, f.Status) {
			return nil, fmt.Errorf("is not a heroku-checkup JSON report (check %d has status %q)", i+1, f.Status)
		}
	}
	if missingFingerprints(r.Checks) {
		// A report written before fingerprints existed: give its checks the
		// ones this version would have (exact but for Key, which it lacks).
		fingerprint(r.Checks)
	}
	return &Baseline{Info: BaselineInfo{GeneratedAt: gen, Version: in.Version}, Apps: r.Apps, Checks: r.Checks}, nil
}

func missingFingerprints(fs []Finding) bool {
	for _, f := range fs {
		if f.Fingerprint == "" {
			return true
		}
	}
	return false
}

// CheckApps refuses a baseline of other apps: a set with no app in common
// with this run's (another app's file, or a bare-subject report for an app
// run). Sets that overlap are compared: a team that gained an app has its
// problems reported new (they are news to whoever reads the alerts), and
// one that lost an app has nothing of it resolved or carried on (Compare
// resolves only what this run decided on), so a scheduled --team run with
// --baseline F -o F keeps its history through the team's changes.
func (b *Baseline) CheckApps(apps []string) error {
	if b.Info.GeneratedAt.IsZero() && b.Apps == nil {
		return nil // the first run of a history
	}
	want, got := slices.Clone(apps), slices.Clone(b.Apps)
	slices.Sort(want)
	slices.Sort(got)
	want, got = slices.Compact(want), slices.Compact(got)
	if len(want) == 0 && len(got) == 0 {
		return nil // bare subjects both times
	}
	for _, a := range want {
		if _, found := slices.BinarySearch(got, a); found {
			return nil
		}
	}
	return fmt.Errorf("is a report of %s, not of %s: compare runs of the same apps", appList(got), appList(want))
}

func appList(apps []string) string {
	if len(apps) == 0 {
		return "no app"
	}
	return strings.Join(apps, ", ")
}

// Compare returns the report with every notable finding marked new or
// ongoing against the baseline, and the baseline's problems that this run
// found gone added as resolved. A baseline problem is resolved only when
// this run decided on it: the same check concluded for the same app, and no
// check of its category failed to decide on its subject (or on the whole
// app). A problem whose check could not run this time (--skip, a timeout)
// is neither resolved nor carried on: it is left out, and comes back as new
// when its check runs again.
func (r Report) Compare(b *Baseline) Report {
	out := r
	out.Checks = slices.Clone(r.Checks)
	info := b.Info
	out.Baseline = &info

	prev := map[string]Finding{}
	for _, f := range b.Checks {
		if notable(f) && f.Change != ChangeResolved {
			prev[f.Fingerprint] = f
		}
	}
	now := map[string]bool{}
	for i := range out.Checks {
		f := &out.Checks[i]
		f.Change, f.PreviousStatus = "", ""
		if !notable(*f) {
			continue
		}
		now[f.Fingerprint] = true
		p, ok := prev[f.Fingerprint]
		switch {
		case !ok:
			f.Change = ChangeNew
		case f.Status.Severity() > p.Status.Severity():
			f.Change, f.PreviousStatus = ChangeNew, p.Status
		default:
			f.Change = ChangeOngoing
			if p.Status != f.Status {
				f.PreviousStatus = p.Status
			}
		}
	}
	for _, p := range b.Checks {
		if !notable(p) || p.Change == ChangeResolved || now[p.Fingerprint] || !decided(r.Checks, p) {
			continue
		}
		now[p.Fingerprint] = true // a baseline listing one twice resolves it once
		out.Checks = append(out.Checks, Finding{
			Check: p.Check, Category: p.Category, App: p.App, Subject: p.Subject, Status: StatusOK, Code: p.Code,
			Summary: p.Summary, Docs: p.Docs, Data: map[string]any{}, Fingerprint: p.Fingerprint,
			Change: ChangeResolved, PreviousStatus: p.Status,
		})
	}
	Sort(out.Checks)
	out.Status = Worst(out.Checks)
	out.Summary = Summary{}
	for _, f := range out.Checks {
		out.Summary.add(f.Status)
	}
	return out
}

// decided tells whether the run's checks settle the baseline problem p.
func decided(checks []Finding, p Finding) bool {
	concluded := false
	for _, f := range checks {
		if f.App != p.App {
			continue
		}
		if f.Status == StatusUnknown || f.Status == StatusSkipped {
			if f.Category == p.Category && (f.Subject == p.Subject || f.Subject == f.App || f.Check == string(f.Category)) {
				return false
			}
			continue
		}
		if f.Check == p.Check {
			concluded = true
		}
	}
	return concluded
}

// Changes is what changed since the baseline, in report order: what the
// text and Markdown reports lead with, and what an HTML report can draw.
type Changes struct {
	Since    BaselineInfo
	New      []Finding // new problems (and problems whose status rose)
	Resolved []Finding // status ok, Code and Summary of the problem gone, PreviousStatus its old status
	Ongoing  []Finding // problems of the baseline still there
}

// Changes returns what changed since the baseline; false when the run had
// none (no --baseline).
func (r Report) Changes() (Changes, bool) {
	if r.Baseline == nil {
		return Changes{}, false
	}
	c := Changes{Since: *r.Baseline}
	for _, f := range r.Checks {
		switch f.Change {
		case ChangeNew:
			c.New = append(c.New, f)
		case ChangeResolved:
			c.Resolved = append(c.Resolved, f)
		case ChangeOngoing:
			c.Ongoing = append(c.Ongoing, f)
		}
	}
	return c, true
}

// WorstNew is the most severe status among the new findings: what
// --fail-on new turns into the exit code. Without a baseline every
// problem counts as new.
func (r Report) WorstNew() Status {
	if r.Baseline == nil {
		return r.Status
	}
	c, _ := r.Changes()
	return Worst(c.New)
}
