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

func newExplainCommand(f *Factory) *cli.Command {
	return &cli.Command{
		Name:         "explain",
		Usage:        "what a code means, why it matters, how it is detected, the remedy and the docs",
		UsageText:    "heroku-checkup explain CODE [--format text|json|markdown]",
		Flags:        []cli.Flag{catalogueFormatFlag()},
		OnUsageError: onUsageError,
		Action: func(c *cli.Context) error {
			id, formatName, err := explainArgs(c.Args().Slice(), c.String("format"))
			if err != nil {
				return err
			}
			if id == "" {
				return usagef("explain takes a code: %s DNS_CNAME_HEROKUAPP (%s lists them)", commandLine(c, "explain"), commandLine(c, "codes"))
			}
			format, err := report.ParseFormat(formatName)
			if err != nil {
				return &UsageError{Msg: err.Error()}
			}
			entry, ok := codes.Lookup(id)
			if !ok {
				return unknownCode(c, id)
			}
			return report.RenderCode(f.IO.Out, entry, format)
		},
	}
}

// explainArgs reads the code and a --format written after it (urfave/cli
// stops at the first argument, and `explain H12 --format json` is how
// people type it).
func explainArgs(args []string, format string) (id, outFormat string, err error) {
	outFormat = format
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--format" || a == "-format":
			if i+1 == len(args) {
				return "", "", usagef("--format needs a value: text, json or markdown")
			}
			i++
			outFormat = args[i]
		case strings.HasPrefix(a, "--format="):
			outFormat = strings.TrimPrefix(a, "--format=")
		case strings.HasPrefix(a, "-"):
			return "", "", usagef("explain has no option %s; it takes a code and --format", a)
		case id != "":
			return "", "", usagef("explain takes one code, not %s and %s", id, a)
		default:
			id = a
		}
	}
	return id, outFormat, nil
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
			format, err := report.ParseFormat(c.String("format"))
			if err != nil {
				return &UsageError{Msg: err.Error()}
			}
			if c.Args().Len() > 0 {
				return usagef("codes takes no arguments; %s %s shows one", commandLine(c, "explain"), c.Args().First())
			}
			return report.RenderCodes(f.IO.Out, codes.All, format)
		},
	}
}
