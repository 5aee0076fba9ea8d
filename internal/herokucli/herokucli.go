// Package herokucli checks the Heroku CLI commands that heroku-checkup
// prints (remedies, details) against the real Heroku CLI: the pinned one
// that ./scripts/heroku-cli installs for the plugin's tests. Each command
// line is found by the CLI's own oclif Config, its --help is rendered by
// the CLI's Help class, and its arguments go through the command's own
// parse, so a command or flag that Heroku renames or removes fails the
// build instead of the user who pastes it.
package herokucli

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// EnvVar names the CLI's bin/run.js; ./scripts/test sets it.
const EnvVar = "HEROKU_CHECKUP_HEROKU_CLI"

//go:embed check.mjs
var checkScript []byte

// Result is the CLI's word on one command line.
type Result struct {
	Argv []string `json:"argv"` // without "heroku"
	ID   string   `json:"id"`   // the command's own ID (for an alias, the command it stands for)
	Err  string   `json:"error"`
}

// Check runs every line (arguments after "heroku") through the CLI at
// runJS, in one node process with a throw-away HOME, telemetry, analytics
// and update checks off, in an empty directory (no git remote to infer an
// app from). Lines come back in order, duplicates once each.
func Check(ctx context.Context, runJS string, lines [][]string) ([]Result, error) {
	var uniq [][]string
	for _, l := range lines {
		if !slices.ContainsFunc(uniq, func(u []string) bool { return slices.Equal(u, l) }) {
			uniq = append(uniq, l)
		}
	}
	if len(uniq) == 0 {
		return nil, nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("herokucli: node is not installed: %w", err)
	}
	dir, err := os.MkdirTemp("", "heroku-checkup-cli-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "check.mjs")
	home := filepath.Join(dir, "home")
	if err := os.WriteFile(script, checkScript, 0o600); err != nil {
		return nil, err
	}
	if err := os.Mkdir(home, 0o700); err != nil {
		return nil, err
	}
	var in bytes.Buffer
	for _, l := range uniq {
		b, _ := json.Marshal(l)
		in.Write(append(b, '\n'))
	}
	cmd := exec.CommandContext(ctx, node, script, runJS)
	cmd.Dir = home
	cmd.Stdin = &in
	cmd.Env = []string{
		"PATH=" + filepath.Dir(node), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"DISABLE_TELEMETRY=true", "HEROKU_SKIP_ANALYTICS=1", "HEROKU_DISABLE_AUTOUPDATE=1",
		"HEROKU_SKIP_NEW_VERSION_CHECK=1", "OCLIF_DISABLE_LINKED_ESM_WARNING=1", "NO_COLOR=1", "LANG=C.UTF-8",
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("herokucli: %s: %v: %s", runJS, err, strings.TrimSpace(stderr.String()))
	}
	var res []Result
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for sc.Scan() {
		var r Result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("herokucli: unreadable answer %q: %v", sc.Text(), err)
		}
		res = append(res, r)
	}
	if len(res) != len(uniq) {
		return nil, fmt.Errorf("herokucli: %d answers for %d lines: %s", len(res), len(uniq), strings.TrimSpace(stderr.String()))
	}
	return res, nil
}

// Line is a command line as it reads after "heroku ".
func Line(argv []string) string {
	q := make([]string, len(argv))
	for i, a := range argv {
		q[i] = a
		if a == "" || strings.ContainsAny(a, " \t\"'") {
			q[i] = fmt.Sprintf("%q", a)
		}
	}
	return "heroku " + strings.Join(q, " ")
}

var (
	// A Heroku CLI command where text names one: lower-case heroku, then
	// a command ID (apps, ps:restart, pg:upgrade:run).
	commandStart = regexp.MustCompile(`(?:^|[\s("'])heroku\s+[a-z][a-z0-9-]*(?::[a-z0-9-]+)*(?:\s|$|[),;.|])`)
	// Where a command written in a sentence ends: a closing parenthesis,
	// an opening one (an aside), a comma, semicolon or colon before a
	// space, a full stop before a space or at the end, a pipe, &&.
	commandEnd = regexp.MustCompile(`[()]|[,;:](?:\s|$)|\.(?:\s|$)|\||&&|\n`)
	// Spans left alone: backticks are read on their own, <...> is a
	// placeholder in words (<the DNS target from heroku domains>).
	backticks   = regexp.MustCompile("`[^`]*`")
	placeholder = regexp.MustCompile(`<[^<>]*>`)
	// A word that joins two commands in a sentence ("heroku A and heroku B").
	conjunction = regexp.MustCompile(`\s+(and|or|then)\s*$`)
	// Where a backticked command hands over to the shell.
	pipeline = regexp.MustCompile(`\||&&|;`)
)

// Commands finds the Heroku CLI command lines in a text: each starts at a
// lower-case "heroku COMMAND" (Heroku the company is capitalised) and ends
// where its clause does (see commandEnd) or where the next command starts,
// or is the whole of a `backticked` span. "git push heroku main" names a git remote, not the CLI. The
// convention it enforces: a command in prose is a clause of its own, so
// that what a user selects and pastes is exactly the command.
func Commands(text string) [][]string {
	var out [][]string
	for _, span := range backticks.FindAllString(text, -1) {
		inner := strings.TrimSpace(strings.Trim(span, "`"))
		if rest, ok := strings.CutPrefix(inner, "heroku "); ok {
			if loc := pipeline.FindStringIndex(rest); loc != nil {
				rest = rest[:loc[0]]
			}
			if argv := fields(rest); len(argv) > 0 {
				out = append(out, argv)
			}
		}
	}
	text = backticks.ReplaceAllString(text, " ; ")
	text = placeholder.ReplaceAllStringFunc(text, func(s string) string { return strings.Repeat("_", len(s)) })
	starts := commandStart.FindAllStringIndex(text, -1)
	for i, loc := range starts {
		start := loc[0] + strings.Index(text[loc[0]:], "heroku")
		if gitRemote(text[:start]) {
			continue
		}
		rest := text[start+len("heroku"):]
		if i+1 < len(starts) { // the next command ends this one, and the word joining them
			rest = conjunction.ReplaceAllString(text[start+len("heroku"):starts[i+1][0]], "")
		}
		if end := commandEnd.FindStringIndex(rest); end != nil {
			rest = rest[:end[0]]
		}
		if argv := fields(rest); len(argv) > 0 {
			out = append(out, argv)
		}
	}
	return out
}

// gitRemote tells whether the heroku after before is git's remote (git
// push heroku main).
func gitRemote(before string) bool { return gitVerb.MatchString(before) }

var gitVerb = regexp.MustCompile(`\bgit\s+(push|pull|fetch)\s+$`)

// fields splits a command line as a shell would for the simple lines a
// report prints: on blanks, with single and double quotes grouping.
func fields(s string) []string {
	var out []string
	var cur strings.Builder
	inWord, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// firOnlyCedar are commands that do not work on Fir-generation apps
// (Dev Center changelog-items/3079; heroku run works on Fir since).
var firOnlyCedar = []string{"ps:exec", "ps:copy", "ps:forward", "ps:socks"}

// cedarSize matches the Cedar dyno sizes (heroku/cli src/commands/ps/type.ts
// @v11.9.0, COST_MONTHLY); Fir's are dyno-NC-NGB (dyno-1c-0.5gb,
// dyno-2c-4gb, ...), read 2026-12-01.
var cedarSize = regexp.MustCompile(`(?i)^(eco|free|hobby|basic|standard-[12]x|[12]x|px|performance(-[a-z0-9-]+)?|private-[a-z0-9-]+|shield-[a-z0-9-]+)$`)

// FirIncompatible says why a command line does not work for a
// Fir-generation app, "" when nothing is known against it: a command Fir
// lacks, or a Cedar dyno size given to ps:type or ps:scale.
func FirIncompatible(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	if slices.Contains(firOnlyCedar, argv[0]) {
		return "heroku " + argv[0] + " does not work on Fir-generation apps"
	}
	if argv[0] == "ps:type" || argv[0] == "ps:scale" || argv[0] == "ps:resize" {
		for _, a := range argv[1:] {
			size := a
			if _, s, ok := strings.Cut(a, "="); ok {
				size = s
			}
			if _, s, ok := strings.Cut(size, ":"); ok { // ps:scale web=2:standard-2x
				size = s
			}
			if cedarSize.MatchString(size) {
				return fmt.Sprintf("%s is a Cedar dyno size; Fir's are dyno-NC-NGB (dyno-2c-4gb ...)", size)
			}
		}
	}
	return ""
}

// CheckTexts finds the commands of every text (a remedy, a detail) and
// checks them all in one run; texts maps each text to a label for the
// message (the code it was raised with). It returns one problem per bad
// command, naming the label and the text, sorted.
func CheckTexts(ctx context.Context, runJS string, texts map[string]string) ([]string, error) {
	var lines [][]string
	from := map[string][]string{} // Line -> where it was found
	for text, label := range texts {
		for _, argv := range Commands(text) {
			lines = append(lines, argv)
			from[Line(argv)] = append(from[Line(argv)], fmt.Sprintf("%s (%q)", label, text))
		}
	}
	res, err := Check(ctx, runJS, lines)
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, r := range res {
		if r.Err == "" {
			continue
		}
		where := from[Line(r.Argv)]
		slices.Sort(where)
		bad = append(bad, fmt.Sprintf("%s: %s; in %s", Line(r.Argv), r.Err, strings.Join(where, ", ")))
	}
	slices.Sort(bad)
	return bad, nil
}
