package commands

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/heroku-checkup/heroku-checkup/report"
)

// The Heroku CLI plugin (plugin/) runs this binary as `heroku checkup:...`.
// What the plugin needs to know of the binary's commands lives here, once:
// which plugin command runs which subcommand, and every flag with its help,
// printed by the hidden plugin-manifest command and turned into the oclif
// manifest at pack time (plugin/scripts/manifest.mjs). Arguments still pass
// to the binary as typed, so no second parser can disagree with this one.

// pluginCommand maps a subcommand to its Heroku CLI plugin command.
type pluginCommand struct {
	Command      string // the binary's subcommand
	ID           string // the oclif command id
	Aliases      []string
	MultipleApps bool // -a may be repeated
	Args         []pluginArg
	Examples     []string
}

type pluginArg struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Multiple    bool   `json:"multiple,omitempty"`
}

// pluginCommands is CONTRACT.md's "Inside the Heroku CLI" table. Topic
// commands are nouns, as Heroku's are (certs, domains, pg, pg:diagnose).
var pluginCommands = []pluginCommand{
	{Command: "diagnose", ID: "checkup:diagnose", Aliases: []string{"checkup"}, MultipleApps: true, Examples: []string{
		"heroku checkup -a myapp",
		"heroku checkup -a myapp --only dns,tls",
		"heroku checkup --team acme --skip logs --format json -o report.json",
		"heroku checkup --demo",
	}},
	{Command: "pg-health", ID: "checkup:pg", Examples: []string{
		"heroku checkup:pg -a myapp",
		"heroku checkup:pg --database-url \"$DATABASE_URL\" --plan standard-0",
	}},
	{Command: "redis-health", ID: "checkup:redis", Examples: []string{
		"heroku checkup:redis -a myapp",
		"heroku checkup:redis --redis-url \"$REDIS_URL\" --redis-insecure-skip-verify",
	}},
	{Command: "certs-check", ID: "checkup:certs",
		Args:     []pluginArg{{Name: "HOST[:PORT]", Description: "hosts to check instead of the app's domains", Multiple: true}},
		Examples: []string{"heroku checkup:certs -a myapp", "heroku checkup:certs shop.example.com"}},
	{Command: "dns-check", ID: "checkup:dns",
		Args:     []pluginArg{{Name: "DOMAIN", Description: "domains to check instead of the app's", Multiple: true}},
		Examples: []string{"heroku checkup:dns -a myapp", "heroku checkup:dns --dig www.example.com example.com"}},
	{Command: "logs-check", ID: "checkup:logs", Examples: []string{
		"heroku checkup:logs -a myapp",
		"heroku logs -n 1500 -a myapp | heroku checkup:logs --logs-file -",
	}},
	{Command: "explain", ID: "checkup:explain",
		Args:     []pluginArg{{Name: "CODE", Description: "a code of the report, such as DNS_CNAME_HEROKUAPP or H12"}},
		Examples: []string{"heroku checkup:explain DNS_CNAME_HEROKUAPP", "heroku checkup:explain h12 --format markdown"}},
	{Command: "codes", ID: "checkup:codes", Examples: []string{"heroku checkup:codes", "heroku checkup:codes --format json"}},
	{Command: "version", ID: "checkup:version", Examples: []string{"heroku checkup:version"}},
}

// pluginID returns the plugin command that runs a subcommand.
func pluginID(command string) (string, bool) {
	for _, pc := range pluginCommands {
		if pc.Command == command {
			return pc.ID, true
		}
	}
	return "", false
}

// invokedAsEnv is set by the plugin to the command line the user typed,
// e.g. "heroku checkup:diagnose", so messages name that and not the binary.
const invokedAsEnv = "HEROKU_CHECKUP_INVOKED_AS"

// commandLine is how the user runs a subcommand: `heroku-checkup dns-check`,
// or `heroku checkup:dns` inside the Heroku CLI.
func commandLine(c *cli.Context, command string) string {
	if c != nil && c.App != nil {
		if inv, _ := c.App.Metadata[invokedAsEnv].(string); inv != "" {
			bin, _, _ := strings.Cut(strings.TrimSpace(inv), " ")
			if id, ok := pluginID(command); ok && bin != "" {
				return bin + " " + id
			}
		}
	}
	return "heroku-checkup " + command
}

// flagChoices lists the values of the enumerated flags of a command, for
// help and completion; the parsers in report and diagnose decide what is
// valid.
func flagChoices(command, name string) []string {
	switch name {
	case "format":
		if command == "explain" || command == "codes" {
			return slices.Clone(report.CatalogueFormatNames)
		}
		return slices.Clone(report.FormatNames)
	case "fail-on":
		return slices.Clone(report.FailOnNames)
	}
	return nil
}

// manifestFlag is one flag as the plugin's manifest needs it.
type manifestFlag struct {
	Name        string   `json:"name"`
	Char        string   `json:"char,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	Description string   `json:"description"`
	Type        string   `json:"type"` // option or boolean, as oclif says
	HelpValue   string   `json:"helpValue,omitempty"`
	Multiple    bool     `json:"multiple,omitempty"`
	Default     string   `json:"default,omitempty"`
	Options     []string `json:"options,omitempty"`
	Env         []string `json:"env,omitempty"`
}

type manifestCommand struct {
	ID           string         `json:"id"`
	Command      string         `json:"command"`
	Aliases      []string       `json:"aliases"`
	Summary      string         `json:"summary"`
	Description  string         `json:"description,omitempty"`
	Usage        string         `json:"usage"`
	MultipleApps bool           `json:"multipleApps"`
	Examples     []string       `json:"examples"`
	Args         []pluginArg    `json:"args"`
	Flags        []manifestFlag `json:"flags"`
}

type pluginManifest struct {
	Schema   int               `json:"schema"`
	Version  string            `json:"version"`
	Commands []manifestCommand `json:"commands"`
}

func newPluginManifestCommand(f *Factory) *cli.Command {
	return &cli.Command{
		Name:   "plugin-manifest",
		Usage:  "print the commands and flags the Heroku CLI plugin shows in its help (JSON)",
		Hidden: true,
		Action: func(c *cli.Context) error {
			m, err := buildPluginManifest(c.App, f.Build.Version)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(f.IO.Out)
			enc.SetIndent("", "  ")
			return enc.Encode(m)
		},
	}
}

// buildPluginManifest describes every plugin command from the app's own
// command and flag definitions.
func buildPluginManifest(app *cli.App, version string) (pluginManifest, error) {
	m := pluginManifest{Schema: 1, Version: version}
	for _, pc := range pluginCommands {
		cmd := findCommand(app, pc.Command)
		if cmd == nil {
			return m, fmt.Errorf("plugin command %s runs %q, which this binary does not have", pc.ID, pc.Command)
		}
		mc := manifestCommand{
			ID: pc.ID, Command: pc.Command, Aliases: nonNil(pc.Aliases), Summary: cmd.Usage,
			Description: cmd.Description, Usage: pluginUsage(cmd, pc), Examples: nonNil(pc.Examples), Args: nonNil(pc.Args),
			MultipleApps: pc.MultipleApps, Flags: []manifestFlag{},
		}
		for _, fl := range cmd.Flags {
			if mf, ok := describeFlag(cmd.Name, fl); ok {
				if mf.Name == "app" {
					mf.Multiple = pc.MultipleApps
				}
				mc.Flags = append(mc.Flags, mf)
			}
		}
		m.Commands = append(m.Commands, mc)
	}
	return m, nil
}

func findCommand(app *cli.App, name string) *cli.Command {
	for _, c := range app.Commands {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// pluginUsage turns "heroku-checkup dns-check [-a APP | DOMAIN ...]" into
// "[-a APP | DOMAIN ...]": oclif puts "$ heroku checkup:dns " in front (or
// the alias the help is for).
func pluginUsage(cmd *cli.Command, pc pluginCommand) string {
	rest := strings.TrimPrefix(cmd.UsageText, "heroku-checkup "+pc.Command)
	if rest == cmd.UsageText {
		return ""
	}
	return strings.TrimSpace(rest)
}

func describeFlag(command string, fl cli.Flag) (manifestFlag, bool) {
	if v, ok := fl.(cli.VisibleFlag); ok && !v.IsVisible() {
		return manifestFlag{}, false
	}
	doc, ok := fl.(cli.DocGenerationFlag)
	if !ok {
		return manifestFlag{}, false
	}
	names := fl.Names()
	mf := manifestFlag{Name: names[0], Type: "boolean", Env: doc.GetEnvVars()}
	for _, alias := range names[1:] {
		if len(alias) == 1 && mf.Char == "" {
			mf.Char = alias
		} else {
			mf.Aliases = append(mf.Aliases, alias)
		}
	}
	placeholder, usage := unquoteUsage(doc.GetUsage())
	mf.Description = usage
	if doc.TakesValue() {
		mf.Type = "option"
		mf.HelpValue = placeholder
		if mf.HelpValue == "" {
			mf.HelpValue = valueName(fl, mf.Name)
		}
		mf.Default = strings.Trim(doc.GetDefaultText(), `"`)
		if mf.Default == "" {
			mf.Default = doc.GetValue()
		}
		mf.Options = flagChoices(command, mf.Name)
	}
	if _, ok := fl.(*cli.StringSliceFlag); ok {
		mf.Multiple = true
		mf.Default = ""
	}
	return mf, true
}

// valueName is the placeholder of a flag whose usage names none.
func valueName(fl cli.Flag, name string) string {
	switch fl.(type) {
	case *cli.DurationFlag:
		return "DURATION"
	case *cli.IntFlag:
		return "N"
	}
	return strings.ToUpper(name)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// unquoteUsage takes the `PLACEHOLDER` out of a usage string, as urfave's
// own help does: "read `FILE`" is "read FILE" with placeholder FILE.
func unquoteUsage(usage string) (placeholder, text string) {
	start := strings.IndexByte(usage, '`')
	if start < 0 {
		return "", usage
	}
	end := strings.IndexByte(usage[start+1:], '`')
	if end < 0 {
		return "", usage
	}
	placeholder = usage[start+1 : start+1+end]
	return placeholder, usage[:start] + placeholder + usage[start+2+end:]
}
