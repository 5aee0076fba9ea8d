// Package schematest holds reports to schema/report.schema.json in tests.
// Only tests import it, so the validator stays out of the binary.
package schematest

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/heroku-checkup/heroku-checkup/schema"
)

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.Report))
	if err != nil {
		return nil, fmt.Errorf("report.schema.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // date-time is checked, not only annotated
	if err := c.AddResource(schema.ReportID, doc); err != nil {
		return nil, err
	}
	return c.Compile(schema.ReportID)
})

// Check validates one JSON report against the schema.
func Check(report []byte) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(report))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(inst)
}

// Validate fails the test when report does not validate, with every reason.
func Validate(t testing.TB, report []byte) {
	t.Helper()
	if err := Check(report); err != nil {
		t.Errorf("the report does not validate against schema/report.schema.json:\n%v\n--- report ---\n%s", err, clip(report))
	}
}

func clip(b []byte) []byte {
	if len(b) > 4000 {
		return append(b[:4000:4000], "…"...)
	}
	return b
}
