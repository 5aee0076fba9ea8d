// Command heroku-checkup gives a Heroku app a production checkup in one run.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/heroku-checkup/heroku-checkup/commands"
)

// Set by the release build's linker flags (goreleaser.yaml).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// grace is how long a run may take to end after SIGINT, SIGTERM or SIGHUP: enough
// to print the report of what finished, never long enough to look hung.
const grace = 3 * time.Second

func main() {
	f := commands.NewSystemFactory(commands.BuildInfo{Version: version, Commit: commit, Date: date})
	// The first SIGINT, SIGTERM or SIGHUP cancels the run with the signal as its
	// cause: it ends what it was doing and reports what it has (or, with
	// --output, leaves the previous file). Should it not be done after grace
	// (something did not heed its context), the process ends anyway: a signal
	// always ends the run. Later signals are absorbed until the process
	// exits: the signals stay caught to the end on purpose, as a Ctrl-C
	// through the Heroku CLI plugin arrives twice (from the terminal and
	// passed on by the plugin), and signal.Stop or signal.Ignore before
	// os.Exit leave a window in which a signal in flight kills the process
	// (measured: 1 run in 6 under a stream of SIGINTs), losing the report's
	// exit code.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP) // SIGHUP: a closed terminal, or the plugin passing the CLI's on
	go func() {
		s := <-sigs
		cancel(&commands.Interrupt{Signal: s})
		deadline := time.After(grace)
		for {
			select {
			case <-sigs:
			case <-deadline:
				fmt.Fprintf(f.IO.ErrOut, "heroku-checkup: interrupted (%s): the run did not end within %v of it; stopped\n", commands.SignalName(s), grace)
				os.Exit(3)
			}
		}
	}()
	err := commands.Run(ctx, f, os.Args)
	os.Exit(commands.ExitCode(err, f.IO.ErrOut, f.Redactor))
}
