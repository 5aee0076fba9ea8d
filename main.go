// Command heroku-checkup gives a Heroku app a production checkup in one run.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/heroku-checkup/heroku-checkup/commands"
)

// Set by the release build's linker flags (goreleaser.yaml).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	// The first SIGINT or SIGTERM cancels the run, which then reports what it
	// has; later ones are absorbed until the process exits. The signals stay
	// caught to the end on purpose: a Ctrl-C through the Heroku CLI plugin
	// arrives twice (from the terminal and passed on by the plugin), and
	// signal.Stop or signal.Ignore before os.Exit leave a window in which a
	// signal in flight kills the process (measured: 1 run in 6 under a stream
	// of SIGINTs), losing the report's exit code.
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	f := commands.NewSystemFactory(commands.BuildInfo{Version: version, Commit: commit, Date: date})
	err := commands.Run(ctx, f, os.Args)
	os.Exit(commands.ExitCode(err, f.IO.ErrOut, f.Redactor))
}
