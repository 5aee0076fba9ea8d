package commands

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// Run is the whole program but os.Exit: it parses argv as the Heroku CLI
// parses a command line (flags before, between or after the arguments) and
// runs the command. No panic leaves it: one that escapes a command becomes
// an internal error, which main turns into one line and exit 3.
func Run(ctx context.Context, f *Factory, argv []string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &InternalError{Value: p}
		}
	}()
	app := NewApp(f)
	err = app.RunContext(ctx, Interspersed(app, argv))
	var done *interruptedRun
	var whole reported
	if in := interruption(ctx); in != nil && err != nil && !errors.As(err, &done) && !errors.As(err, &whole) {
		// Cut short before the run had a report to give (reading the netrc,
		// asking the API for the app): whatever failed, the signal is why.
		return interrupted(in, "", nil, report.FailOnWarning)
	}
	return err
}

// InternalError is a panic caught at the top: a bug, never the user's doing.
type InternalError struct{ Value any }

func (e *InternalError) Error() string {
	return fmt.Sprintf("internal error: %v (a bug in heroku-checkup: please report it, with the command you ran)", e.Value)
}

// Interspersed moves a command's flags in front of its arguments, as
// urfave/cli v2 needs them (it stops at the first argument): `dns-check
// example.com --resolver X` becomes `dns-check --resolver X example.com`.
// A flag's value goes with it; `--` still ends the options, everything
// after it staying an argument; an unknown flag moves too, so urfave names
// it. A short flag's value may be glued to it (-amyapp), as oclif allows.
func Interspersed(app *cli.App, argv []string) []string {
	// argv[0] is the program; the command is the first word after it.
	i := 1
	for i < len(argv) && strings.HasPrefix(argv[i], "-") {
		i++
	}
	if i >= len(argv) {
		return argv
	}
	cmd := app.Command(argv[i])
	if cmd == nil {
		return argv
	}
	rest := argv[i+1:]
	completion := len(rest) > 0 && rest[len(rest)-1] == "--generate-bash-completion"
	if completion {
		rest = rest[:len(rest)-1]
	}
	var flags, args []string
	var tail []string // from a `--` on, as typed
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case a == "--":
			tail = rest[j:]
			j = len(rest)
		case a == "-" || !strings.HasPrefix(a, "-"):
			args = append(args, a)
		default:
			name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			fl := lookupFlag(cmd, name)
			if fl == nil && !strings.HasPrefix(a, "--") && len(name) > 1 && !hasValue {
				// -amyapp: a short flag with its value glued on.
				if short := lookupFlag(cmd, name[:1]); short != nil && takesValue(short) {
					flags = append(flags, "-"+name[:1], name[1:])
					continue
				}
			}
			flags = append(flags, a)
			if fl != nil && takesValue(fl) && !hasValue {
				if j+1 == len(rest) {
					// Its value is missing: nothing may follow it, or urfave
					// would take an argument for it instead of saying so.
					return slices.Concat(argv[:i+1], flags)
				}
				j++
				flags = append(flags, rest[j])
			}
		}
	}
	out := slices.Concat(argv[:i+1], flags)
	if len(tail) > 0 {
		// What came before `--` is still an argument; `--` keeps the rest so.
		out = slices.Concat(out, []string{"--"}, args, tail[1:])
	} else {
		out = slices.Concat(out, args)
	}
	if completion {
		out = append(out, "--generate-bash-completion")
	}
	return out
}

func lookupFlag(cmd *cli.Command, name string) cli.Flag {
	for _, fl := range cmd.Flags {
		if slices.Contains(fl.Names(), name) {
			return fl
		}
	}
	if name == "help" || name == "h" {
		return cli.HelpFlag
	}
	return nil
}

func takesValue(fl cli.Flag) bool {
	d, ok := fl.(cli.DocGenerationFlag)
	return ok && d.TakesValue()
}
