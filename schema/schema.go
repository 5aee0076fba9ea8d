// Package schema ships the JSON Schema of the report (report.schema.json,
// draft 2020-12), so that the tests can hold every report they make to it
// and users can validate theirs. docs/report.md says what each member means.
package schema

import _ "embed"

// Report is report.schema.json.
//
//go:embed report.schema.json
var Report []byte

// ReportID is the $id of report.schema.json.
const ReportID = "https://raw.githubusercontent.com/heroku-checkup/heroku-checkup/main/schema/report.schema.json"
