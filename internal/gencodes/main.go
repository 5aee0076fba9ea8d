// Command gencodes writes the catalogue's table of codes into README.md,
// between its two markers; `go generate ./codes` runs it, and its test
// fails when the README's table is not what the catalogue says.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

const (
	begin = "<!-- codes:begin: generated from the catalogue by go generate ./codes; edit codes/*.go, not this table -->"
	end   = "<!-- codes:end -->"
)

func main() {
	readme := flag.String("readme", "README.md", "the README to update")
	flag.Parse()
	b, err := os.ReadFile(*readme)
	if err == nil {
		var out string
		if out, err = Splice(string(b), Table()); err == nil && out != string(b) {
			err = os.WriteFile(*readme, []byte(out), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencodes:", err)
		os.Exit(1)
	}
}

// Table is the catalogue as the README shows it: `codes --format markdown`.
func Table() string {
	var b bytes.Buffer
	if err := report.RenderCodes(&b, codes.All, report.FormatMarkdown); err != nil {
		panic(err) // a bytes.Buffer does not fail
	}
	return b.String()
}

// Splice puts table between the markers of readme.
func Splice(readme, table string) (string, error) {
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		return "", errors.New("the README lacks the markers " + begin + " ... " + end)
	}
	return readme[:i+len(begin)] + "\n" + table + readme[j:], nil
}
