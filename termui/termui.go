// Package termui decides, in one place, what the terminal gets: colour only
// on a TTY and never with NO_COLOR, the spinner only when stderr is a TTY and
// the report is text going to stdout. Commands write only to the streams
// held here, never to os.Stdout directly.
package termui

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/briandowns/spinner"
	"golang.org/x/term"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// IO is the process's streams and what they are connected to.
type IO struct {
	In        io.Reader
	Out       io.Writer
	ErrOut    io.Writer
	StdoutTTY bool
	StderrTTY bool
	NoColor   bool // NO_COLOR is set (any value), see no-color.org
	// stderrFile lets the spinner check the terminal itself.
	stderrFile *os.File
}

// System returns the real streams.
func System() *IO {
	_, noColor := os.LookupEnv("NO_COLOR")
	return &IO{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		StdoutTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		StderrTTY:  term.IsTerminal(int(os.Stderr.Fd())),
		NoColor:    noColor || os.Getenv("TERM") == "dumb",
		stderrFile: os.Stderr,
	}
}

// Test returns streams on buffers, not terminals.
func Test(in io.Reader, out, errOut io.Writer) *IO {
	return &IO{In: in, Out: out, ErrOut: errOut}
}

// Color tells whether the report may be coloured: text, to a terminal
// stdout (not to --output), and no NO_COLOR.
func (s *IO) Color(textFormat, toFile bool) bool {
	return textFormat && !toFile && s.StdoutTTY && !s.NoColor
}

// Spinner tells whether to animate progress: only for a text report to
// stdout while stderr is a terminal. Never for JSON, Markdown, --output
// (scheduled runs) or a pipe.
func (s *IO) Spinner(textFormat, toFile bool) bool {
	return textFormat && !toFile && s.StderrTTY
}

// Progress hears which checks start and end, to show what is still running.
type Progress interface {
	Start(name string)
	Done(name string)
	Stop()
}

// NoProgress shows nothing.
type NoProgress struct{}

func (NoProgress) Start(string) {}
func (NoProgress) Done(string)  {}
func (NoProgress) Stop()        {}

// NewProgress returns a spinner on stderr when enabled, else NoProgress.
func (s *IO) NewProgress(enabled bool) Progress {
	if !enabled {
		return NoProgress{}
	}
	p := &spinnerProgress{}
	opts := []spinner.Option{spinner.WithWriter(s.ErrOut), spinner.WithHiddenCursor(true)}
	if s.stderrFile != nil {
		opts = append(opts, spinner.WithWriterFile(s.stderrFile))
	}
	p.sp = spinner.New(spinner.CharSets[14], 100*time.Millisecond, opts...)
	// PreUpdate runs under the spinner's lock, so the suffix is never torn.
	p.sp.PreUpdate = func(sp *spinner.Spinner) { sp.Suffix = " " + p.label() }
	p.sp.Start()
	return p
}

type spinnerProgress struct {
	sp      *spinner.Spinner
	mu      sync.Mutex
	running []string
	done    int
}

func (p *spinnerProgress) Start(name string) {
	p.mu.Lock()
	p.running = append(p.running, name)
	p.mu.Unlock()
}

func (p *spinnerProgress) Done(name string) {
	p.mu.Lock()
	if i := slices.Index(p.running, name); i >= 0 {
		p.running = slices.Delete(p.running, i, i+1)
	}
	p.done++
	p.mu.Unlock()
}

func (p *spinnerProgress) Stop() { p.sp.Stop() }

func (p *spinnerProgress) label() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Label(p.running, p.done)
}

// Label is the spinner's text: what is still running, shortened to fit.
// Job names hold outside values (domains from the API, a --logs-file path):
// they are neutralised, as in the report.
func Label(running []string, done int) string {
	if len(running) == 0 {
		return fmt.Sprintf("checking… (%d done)", done)
	}
	const show = 3
	names := running
	more := ""
	if len(names) > show {
		more = fmt.Sprintf(" +%d more", len(names)-show)
		names = names[:show]
	}
	safe := make([]string, len(names))
	for i, n := range names {
		safe[i] = report.Line(n)
	}
	return fmt.Sprintf("checking %s%s (%d done)", strings.Join(safe, ", "), more, done)
}
