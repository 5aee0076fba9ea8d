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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	f := commands.NewSystemFactory(commands.BuildInfo{Version: version, Commit: commit, Date: date})
	err := commands.NewApp(f).RunContext(ctx, os.Args)
	stop()
	os.Exit(commands.ExitCode(err, f.IO.ErrOut, f.Redactor))
}
