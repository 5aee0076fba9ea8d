package report

import "fmt"

// Exit codes of the Nagios plugin convention (CONTRACT.md).
const (
	ExitOK       = 0
	ExitWarning  = 1
	ExitCritical = 2
	ExitUnknown  = 3 // also: could not run at all
)

// FailOn is the least severe status that makes the exit code non-zero.
type FailOn string

const (
	FailOnWarning  FailOn = "warning"
	FailOnCritical FailOn = "critical"
	FailOnNever    FailOn = "never"
	// FailOnNew fails only on what is new since the baseline (--baseline):
	// the exit code is that of the worst new finding, as if with
	// --fail-on warning (1 warning, 3 unknown, 2 critical; new info, 0).
	FailOnNew FailOn = "new"
)

// FailOnNames are the values --fail-on accepts, for help and completion.
var FailOnNames = []string{string(FailOnWarning), string(FailOnCritical), string(FailOnNew), string(FailOnNever)}

// ParseFailOn accepts warning, critical, new or never.
func ParseFailOn(s string) (FailOn, error) {
	switch FailOn(s) {
	case FailOnWarning, FailOnCritical, FailOnNew, FailOnNever:
		return FailOn(s), nil
	}
	return "", fmt.Errorf("--fail-on must be warning, critical, new or never, not %q", s)
}

// ExitCode is the exit code of the report under failOn: that of its worst
// status, or with FailOnNew that of its worst new finding.
func (r Report) ExitCode(failOn FailOn) int {
	if failOn == FailOnNew {
		return ExitCode(r.WorstNew(), FailOnWarning)
	}
	return ExitCode(r.Status, failOn)
}

// ExitCode maps a report's worst status to the exit code: 0 when no finding
// is at or above failOn, otherwise 1 (warning), 3 (unknown) or 2 (critical).
// FailOnNew needs the report: see Report.ExitCode.
func ExitCode(status Status, failOn FailOn) int {
	threshold := StatusWarning
	switch failOn {
	case FailOnNever:
		return ExitOK
	case FailOnCritical:
		threshold = StatusCritical
	}
	if status.Severity() < threshold.Severity() {
		return ExitOK
	}
	switch status {
	case StatusCritical:
		return ExitCritical
	case StatusUnknown:
		return ExitUnknown
	case StatusWarning:
		return ExitWarning
	}
	return ExitOK
}
