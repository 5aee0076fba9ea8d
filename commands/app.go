package commands

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// NewApp builds the CLI. Tests run it with RunContext and buffer streams.
func NewApp(f *Factory) *cli.App {
	app := &cli.App{
		Name:                 "heroku-checkup",
		Usage:                "a production checkup of a Heroku app in one run: " + report.CategoryProse(),
		Version:              f.Build.Version,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		Suggest:              true,
		Reader:               f.IO.In,
		Writer:               f.IO.Out,
		ErrWriter:            f.IO.ErrOut,
		// Errors go back to main, which owns os.Exit (and tests own nothing).
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		// Inside the Heroku CLI, messages name the command the user typed.
		Metadata: map[string]any{invokedAsEnv: f.Env(invokedAsEnv)},
		Commands: []*cli.Command{
			newDiagnoseCommand(f, nil),
			newPgHealthCommand(f, nil),
			newRedisHealthCommand(f, nil),
			newCertsCheckCommand(f, nil),
			newDNSCheckCommand(f, nil),
			newLogsCheckCommand(f, nil),
			newExplainCommand(f),
			newCodesCommand(f),
			newVersionCommand(f),
			newPluginManifestCommand(f),
		},
		CustomAppHelpTemplate: appHelpTemplate,
	}
	return app
}

func onUsageError(c *cli.Context, err error, _ bool) error {
	name := "heroku-checkup"
	if c != nil && c.Command != nil && c.Command.Name != "" {
		name = commandLine(c, c.Command.Name)
	}
	return usagef("%v (see %s --help)", err, name)
}

// appHelpTemplate is urfave's default with the exit codes added: monitors
// and schedulers need them more than anything else on the page.
var appHelpTemplate = cli.AppHelpTemplate + `
EXIT CODES (Nagios plugin convention):
   0  no finding at or above --fail-on
   1  worst status is warning
   2  worst status is critical
   3  could not run (bad flags, no credentials, unknown app, API unreachable, a baseline that cannot be compared), or the worst status is unknown
   With --fail-on new, the same codes for the worst problem new since --baseline (0 when nothing new reaches warning).
`

func init() {
	// urfave prints "heroku-checkup version X"; keep one format everywhere.
	cli.VersionPrinter = func(c *cli.Context) {
		fmt.Fprintf(c.App.Writer, "heroku-checkup %s\n", c.App.Version)
	}
}
