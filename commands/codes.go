package commands

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

func catalogueFormatFlag() cli.Flag {
	return &cli.StringFlag{Name: "format", Value: "text", Usage: "text, json or markdown"}
}

// catalogueFormat reads explain's and codes' --format: the report's
// formats but html.
func catalogueFormat(c *cli.Context) (report.Format, error) {
	format, err := report.ParseFormat(c.String("format"))
	if err == nil && format == report.FormatHTML {
		err = fmt.Errorf("--format must be text, json or markdown, not html (%s has no HTML form)", c.Command.Name)
	}
	if err != nil {
		return "", &UsageError{Msg: err.Error()}
	}
	return format, nil
}

func newExplainCommand(f *Factory) *cli.Command {
	return &cli.Command{
		Name:         "explain",
		Usage:        "what a code means, why it matters, how it is detected, the remedy and the docs",
		UsageText:    "heroku-checkup explain CODE [--format text|json|markdown]",
		Flags:        []cli.Flag{catalogueFormatFlag()},
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			if len(args) == 0 {
				return usagef("explain takes a code: %s DNS_CNAME_HEROKUAPP (%s lists them)", commandLine(c, "explain"), commandLine(c, "codes"))
			}
			if len(args) > 1 {
				return usagef("explain takes one code, not %s", strings.Join(args, " and "))
			}
			format, err := catalogueFormat(c)
			if err != nil {
				return err
			}
			entry, ok := codes.Lookup(args[0])
			if !ok {
				return unknownCode(c, args[0])
			}
			return report.RenderCode(f.IO.Out, entry, format)
		},
	}
}

// unknownCode is the one line for a code the catalogue does not hold, with
// the nearest ones.
func unknownCode(c *cli.Context, id string) error {
	msg := fmt.Sprintf("unknown code %q", id)
	if codes.IsHerokuCode(strings.ToUpper(id)) {
		msg += "; Heroku lists its error codes at https://devcenter.heroku.com/articles/error-codes"
	}
	if near := codes.Suggest(id, 3); len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return usagef("%s (%s lists them all)", msg, commandLine(c, "codes"))
}

func newCodesCommand(f *Factory) *cli.Command {
	return &cli.Command{
		Name:         "codes",
		Usage:        "list every code a report can carry, with its category, default status and meaning",
		UsageText:    "heroku-checkup codes [--format text|json|markdown]",
		Flags:        []cli.Flag{catalogueFormatFlag()},
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			format, err := catalogueFormat(c)
			if err != nil {
				return err
			}
			if c.Args().Len() > 0 {
				return usagef("codes takes no arguments; %s %s shows one", commandLine(c, "explain"), c.Args().First())
			}
			return report.RenderCodes(f.IO.Out, codes.All, format)
		},
	}
}
