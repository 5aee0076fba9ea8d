package commands

import (
	"fmt"
	"runtime"

	"github.com/urfave/cli/v2"
)

func newVersionCommand(f *Factory) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, commit and build date",
		Action: func(c *cli.Context) error {
			b := f.Build
			commit, date := b.Commit, b.Date
			if commit == "" {
				commit = "unknown"
			}
			if date == "" {
				date = "unknown"
			}
			_, err := fmt.Fprintf(f.IO.Out, "heroku-checkup %s (commit %s, built %s, %s %s/%s)\n",
				b.Version, commit, date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
