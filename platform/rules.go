package platform

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	hk "github.com/heroku/heroku-go/v6"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
	"github.com/heroku-checkup/heroku-checkup/runner"
)

// Thresholds for certificates held by the API (CONTRACT.md: warning under
// 30 days, critical under 7).
type CertThresholds struct {
	WarnDays, CritDays int
}

// DefaultCertThresholds are CONTRACT.md's defaults.
var DefaultCertThresholds = CertThresholds{WarnDays: 30, CritDays: 7}

// Judge judges a snapshot. Pure: same snapshot and now, same findings. The
// runner stamps the findings' app and category from the job.
func Judge(s *Snapshot, now time.Time, certs CertThresholds) []report.Finding {
	var out []report.Finding
	out = append(out, appRule(s)...)
	out = append(out, dynoRules(s, now)...)
	out = append(out, formationRules(s)...)
	out = append(out, stackRules(s, now)...)
	out = append(out, releaseRules(s)...)
	out = append(out, drainRules(s)...)
	out = append(out, featureRules(s)...)
	out = append(out, addonRules(s)...)
	out = append(out, CertRules(s, now, certs)...)
	return out
}

func unknownFor(s *Snapshot, res Resource, check, subject string) []report.Finding {
	err := s.Err(res)
	if err == nil {
		return nil
	}
	return []report.Finding{runner.ErrorCode(err).Raise(s.Name, report.Finding{
		Check: check, Subject: subject,
		Summary: fmt.Sprintf("could not read %s from the Platform API: %v", res, err),
		Data:    map[string]any{"resource": string(res), "error": err.Error()},
	})}
}

func appRule(s *Snapshot) []report.Finding {
	if !s.Has(ResApp) {
		return unknownFor(s, ResApp, "platform.maintenance", s.Name)
	}
	a := s.App
	if a.Maintenance {
		return []report.Finding{codes.MaintenanceMode.Raise(s.Name, report.Finding{Check: "platform.maintenance", Subject: s.Name,
			Summary: s.Name + " is in maintenance mode: every web request gets the maintenance page (503, H80)",
			Data:    map[string]any{"maintenance": true}})}
	}
	return []report.Finding{{Check: "platform.maintenance", Subject: s.Name, Status: report.StatusOK,
		Summary: fmt.Sprintf("not in maintenance mode (%s generation, region %s, stack %s)", orDash(a.Generation.Name), orDash(a.Region.Name), orDash(a.Stack.Name)),
		Data:    map[string]any{"region": a.Region.Name, "stack": a.Stack.Name, "generation": a.Generation.Name}}}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func dynoRules(s *Snapshot, now time.Time) []report.Finding {
	if !s.Has(ResDynos) {
		return unknownFor(s, ResDynos, "platform.dynos", "dynos")
	}
	dynos := slices.Clone(s.Dynos)
	sort.Slice(dynos, func(i, j int) bool { return dynos[i].Name < dynos[j].Name })
	counts := map[string]int{}
	for _, d := range dynos {
		counts[d.State]++
	}
	var out []report.Finding
	if s.IsFir() {
		out = firDynoRules(s, dynos, now)
	} else {
		out = cedarDynoRules(s, dynos, now)
	}
	for i := range out {
		out[i].Key = report.DynoKey(out[i].Subject) // one-off dynos are renamed while the problem stays
	}
	if len(out) > 0 {
		return out
	}
	states := make([]string, 0, len(counts))
	for st, n := range counts {
		states = append(states, fmt.Sprintf("%d %s", n, st))
	}
	sort.Strings(states)
	summary := "no dynos running"
	if len(states) > 0 {
		summary = fmt.Sprintf("%d dynos: %s", len(dynos), strings.Join(states, ", "))
	}
	data := map[string]any{"states": counts}
	if s.IsFir() {
		summary += firRestartCaveat
		data["fir"] = true
	}
	return []report.Finding{{Check: "platform.dynos", Subject: "dynos", Status: report.StatusOK, Summary: summary, Data: data}}
}

// firRestartCaveat is what a quiet dyno list means on Fir: the API's states
// of the moment, without the restart events Cedar logs (Dev Center
// dyno-restarts, updated 2025-04-08: "Restart events and some Heroku error
// codes are not yet available for Fir apps"; read 2026-11-24).
const firRestartCaveat = " (Fir: Heroku does not emit restart events for Fir apps yet, so a dyno that crashed and came back between two runs is not seen here)"

func dynoData(d hk.Dyno) map[string]any {
	return map[string]any{"state": d.State, "type": d.Type, "size": d.Size,
		"updated_at": d.UpdatedAt.UTC().Format(time.RFC3339), "release": d.Release.Version}
}

// cedarDynoRules judge each dyno by its name (web.2): on Cedar a dyno keeps
// its name across restarts, and Logplex keeps its recent lines.
func cedarDynoRules(s *Snapshot, dynos []hk.Dyno, now time.Time) []report.Finding {
	var out []report.Finding
	for _, d := range dynos {
		since := humanAgo(now.Sub(d.UpdatedAt))
		switch {
		case d.State == "crashed":
			out = append(out, codes.DynoCrashed.Raise(s.Name, report.Finding{Check: "platform.dynos", Subject: d.Name,
				Summary: fmt.Sprintf("%s crashed %s ago", d.Name, since),
				Detail:  fmt.Sprintf("Heroku restarts crashed dynos with a growing back-off; `heroku logs --dyno-name %s -a %s` shows why it exited.", d.Name, s.Name),
				Data:    dynoData(d)}))
		case d.State == "starting" && now.Sub(d.UpdatedAt) < 10*time.Minute && !recentRelease(s, now):
			out = append(out, codes.DynoRestarting.Raise(s.Name, report.Finding{Check: "platform.dynos", Subject: d.Name,
				Summary: fmt.Sprintf("%s is starting again (%s ago) with no release in the last 10 minutes", d.Name, since),
				Detail:  "A dyno that restarts without a deploy is usually crashing on boot or being killed for memory (R14/R15).",
				Data:    dynoData(d)}))
		}
	}
	return out
}

// firDynoRules judge the dynos of each process type together: a Fir dyno
// is a Kubernetes pod whose name (web-1234abcde-123ab) changes with every
// restart and deploy, so the process type is what a user restarts and what
// stays the same while the problem does. There is no log history to read
// back: only a live tail shows the next crash.
func firDynoRules(s *Snapshot, dynos []hk.Dyno, now time.Time) []report.Finding {
	type group struct {
		crashed, starting []hk.Dyno
	}
	groups := map[string]*group{}
	var types []string
	for _, d := range dynos {
		typ := processType(d)
		g, ok := groups[typ]
		if !ok {
			g = &group{}
			groups[typ] = g
			types = append(types, typ)
		}
		switch {
		case d.State == "crashed":
			g.crashed = append(g.crashed, d)
		case d.State == "starting" && now.Sub(d.UpdatedAt) < 10*time.Minute && !recentRelease(s, now):
			g.starting = append(g.starting, d)
		}
	}
	sort.Strings(types)
	names := func(ds []hk.Dyno) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Name)
		}
		return out
	}
	tail := fmt.Sprintf("`heroku logs --tail --process-type %%s -a %s` shows the next one as it happens (Fir keeps no log history).", s.Name)
	var out []report.Finding
	for _, typ := range types {
		g := groups[typ]
		if len(g.crashed) > 0 {
			latest := slices.MaxFunc(g.crashed, func(a, b hk.Dyno) int { return a.UpdatedAt.Compare(b.UpdatedAt) })
			when := humanAgo(now.Sub(latest.UpdatedAt)) + " ago"
			if len(g.crashed) > 1 {
				when = "the latest " + when
			}
			out = append(out, codes.DynoCrashed.Raise(s.Name, report.Finding{Check: "platform.dynos", Subject: typ,
				Summary: fmt.Sprintf("%s crashed %s", pods(typ, names(g.crashed)), when),
				Detail:  "Heroku restarts crashed dynos with a growing back-off, under new names on Fir; " + fmt.Sprintf(tail, typ),
				Remedy:  fmt.Sprintf("heroku ps:restart --process-type %s -a %s", typ, s.Name),
				Data:    map[string]any{"process_type": typ, "dynos": names(g.crashed), "latest": dynoData(latest)}}))
		}
		if len(g.starting) > 0 {
			out = append(out, codes.DynoRestarting.Raise(s.Name, report.Finding{Check: "platform.dynos", Subject: typ,
				Summary: fmt.Sprintf("%s starting again with no release in the last 10 minutes", pods(typ, names(g.starting))),
				Detail:  "A dyno that restarts without a deploy is usually crashing on boot or being killed for memory; " + fmt.Sprintf(tail, typ),
				Remedy:  fmt.Sprintf("heroku logs --tail --process-type %s -a %s", typ, s.Name),
				Data:    map[string]any{"process_type": typ, "dynos": names(g.starting)}}))
		}
	}
	return out
}

// pods names the dynos of a process type in a sentence: "web dyno
// web-1234abcde-123ab", "2 web dynos (web-..., web-...)".
func pods(typ string, names []string) string {
	if len(names) == 1 {
		return typ + " dyno " + names[0]
	}
	return fmt.Sprintf("%d %s dynos (%s)", len(names), typ, strings.Join(names, ", "))
}

// processType is a dyno's process type: the API's type, else the name's
// first part (web of web.1 on Cedar, of web-1234abcde-123ab on Fir).
func processType(d hk.Dyno) string {
	if d.Type != "" {
		return d.Type
	}
	if i := strings.IndexAny(d.Name, ".-"); i > 0 {
		return d.Name[:i]
	}
	return d.Name
}

func recentRelease(s *Snapshot, now time.Time) bool {
	for _, r := range s.Releases {
		if now.Sub(r.CreatedAt) < 10*time.Minute {
			return true
		}
	}
	return false
}

// ecoSize and the hobby sizes are the ones where one dyno is the plan, not a risk.
func ecoSize(size string) bool {
	return strings.EqualFold(size, "eco") || strings.EqualFold(size, "free")
}

func hobbySize(size string) bool {
	return ecoSize(size) || strings.EqualFold(size, "basic") || strings.EqualFold(size, "hobby")
}

func formationRules(s *Snapshot) []report.Finding {
	if !s.Has(ResFormation) {
		return unknownFor(s, ResFormation, "platform.formation", "web")
	}
	var web *hk.Formation
	for i := range s.Formation {
		if s.Formation[i].Type == "web" {
			web = &s.Formation[i]
		}
	}
	customDomains := len(s.CustomDomains())
	var out []report.Finding
	if web == nil || web.Quantity == 0 {
		if customDomains > 0 {
			out = append(out, codes.NoWebDynos.Raise(s.Name, report.Finding{Check: "platform.formation", Subject: "web",
				Summary: fmt.Sprintf("%d custom domain(s) but no web dyno running: every request fails with H14", customDomains),
				Data:    map[string]any{"web_quantity": 0, "custom_domains": customDomains}}))
		} else {
			out = append(out, report.Finding{Check: "platform.formation", Subject: "web", Status: report.StatusOK,
				Summary: "no web process and no custom domain (a worker-only app)"})
		}
		return out
	}
	size := web.DynoSize.Name
	if size == "" {
		size = web.Size
	}
	data := map[string]any{"web_quantity": web.Quantity, "size": size}
	fir := s.IsFir()
	if fir {
		data["generation"] = "fir"
	}
	// Fir has no Eco or Basic tier (its sizes are dyno-1c-0.5gb and up), so
	// one web dyno there is always the one that every restart takes down.
	if !fir && ecoSize(size) {
		status := report.StatusInfo
		if customDomains > 0 {
			status = report.StatusWarning
		}
		out = append(out, codes.DynoEcoSleeps.Raise(s.Name, report.Finding{Check: "platform.formation", Subject: "web", Status: status,
			Summary: "web runs on Eco dynos, which sleep after 30 minutes without traffic: the next request waits for a cold start",
			Data:    data}))
	}
	if web.Quantity == 1 && (fir || !hobbySize(size)) {
		summary := fmt.Sprintf("one %s web dyno: its daily restart and any crash take the app down", size)
		if fir {
			summary = fmt.Sprintf("one %s web dyno: each deploy, restart or crash of its pod takes the app down", size)
		}
		out = append(out, codes.SingleWebDyno.Raise(s.Name, report.Finding{Check: "platform.formation", Subject: "web",
			Summary: summary, Data: data}))
	}
	if len(out) == 0 {
		out = append(out, report.Finding{Check: "platform.formation", Subject: "web", Status: report.StatusOK,
			Summary: fmt.Sprintf("%d × %s web dynos", web.Quantity, size), Data: data})
	}
	return out
}

func stackRules(s *Snapshot, now time.Time) []report.Finding {
	if !s.Has(ResApp) {
		return nil // appRule already said unknown
	}
	name := s.App.Stack.Name
	if s.IsFir() {
		return []report.Finding{{Check: "platform.stack", Subject: orDash(name), Status: report.StatusSkipped,
			Summary: "Fir-generation apps build with Cloud Native Buildpacks; the Cedar stack schedule does not apply"}}
	}
	if name == "container" {
		// Apps deployed as Docker images: the image's base is theirs to keep current.
		return []report.Finding{{Check: "platform.stack", Subject: name, Status: report.StatusOK,
			Summary: "container stack: the app ships its own image, whose base image is the app's to keep up to date",
			Data:    map[string]any{"stack": name}}}
	}
	life, known := Stacks[name]
	data := map[string]any{"stack": name}
	if known {
		data["end_of_life"] = life.EndOfLife.Format("2006-01-02")
		data["source"] = life.Source
	}
	successor := life.Successor
	if successor == "" {
		successor = "heroku-24"
	}
	upgrade := fmt.Sprintf("heroku apps:stacks:set %s -a %s, then deploy", successor, s.Name)
	switch {
	case known && !now.Before(life.EndOfLife):
		return []report.Finding{codes.StackEndOfLife.Raise(s.Name, report.Finding{Check: "platform.stack", Subject: name,
			Summary: fmt.Sprintf("stack %s reached end of life on %s: no security updates, and builds are refused", name, life.EndOfLife.Format("2006-01-02")),
			Remedy:  upgrade, Data: data})}
	case (known && !now.Before(life.Deprecated)) || (s.Stack != nil && s.Stack.State == "deprecated"):
		summary := fmt.Sprintf("stack %s is deprecated", name)
		if known {
			summary += fmt.Sprintf(": end of life on %s (%d days)", life.EndOfLife.Format("2006-01-02"), int(life.EndOfLife.Sub(now).Hours()/24))
		}
		return []report.Finding{codes.StackDeprecated.Raise(s.Name, report.Finding{Check: "platform.stack", Subject: name,
			Summary: summary, Remedy: upgrade, Data: data})}
	case known:
		return []report.Finding{{Check: "platform.stack", Subject: name, Status: report.StatusOK,
			Summary: fmt.Sprintf("stack %s is supported until %s", name, life.EndOfLife.Format("2006-01-02")), Data: data}}
	}
	return []report.Finding{codes.StackUnknown.Raise(s.Name, report.Finding{Check: "platform.stack", Subject: orDash(name),
		Summary: fmt.Sprintf("stack %q is not in heroku-checkup's stack table; its support dates are unknown", name), Data: data})}
}

func releaseRules(s *Snapshot) []report.Finding {
	if !s.Has(ResReleases) {
		return unknownFor(s, ResReleases, "platform.releases", "releases")
	}
	if len(s.Releases) == 0 {
		return []report.Finding{{Check: "platform.releases", Subject: "releases", Status: report.StatusSkipped, Summary: "the app has no release yet"}}
	}
	rels := slices.Clone(s.Releases)
	sort.Slice(rels, func(i, j int) bool { return rels[i].Version > rels[j].Version })
	latest := rels[0]
	var current *hk.Release
	for i := range rels {
		if rels[i].Current {
			current = &rels[i]
			break
		}
	}
	var out []report.Finding
	if latest.Status == "failed" {
		data := map[string]any{"version": latest.Version, "status": latest.Status, "description": latest.Description,
			"created_at": latest.CreatedAt.UTC().Format(time.RFC3339)}
		running := "the previous release"
		if current != nil {
			running = fmt.Sprintf("v%d", current.Version)
			data["current_version"] = current.Version
		}
		out = append(out, codes.ReleaseFailed.Raise(s.Name, report.Finding{Check: "platform.releases", Subject: fmt.Sprintf("v%d", latest.Version),
			Summary: fmt.Sprintf("release v%d (%s) failed; the app still runs %s", latest.Version, latest.Description, running),
			Detail:  "A failed release is usually a release-phase command that exited non-zero; its output explains why.",
			Data:    data}))
	}
	if current != nil && strings.HasPrefix(current.Description, "Rollback to ") {
		out = append(out, codes.ReleaseFailed.Raise(s.Name, report.Finding{Check: "platform.releases", Subject: fmt.Sprintf("v%d", current.Version),
			Summary: fmt.Sprintf("the current release v%d is a rollback (%s): the deploy it undid is still unfixed", current.Version, current.Description),
			Remedy:  "heroku releases -a " + s.Name,
			Data:    map[string]any{"version": current.Version, "description": current.Description}}))
	}
	if len(out) == 0 {
		v := latest
		if current != nil {
			v = *current
		}
		out = append(out, report.Finding{Check: "platform.releases", Subject: fmt.Sprintf("v%d", v.Version), Status: report.StatusOK,
			Summary: fmt.Sprintf("current release v%d succeeded (%s)", v.Version, v.Description),
			Data:    map[string]any{"version": v.Version, "status": v.Status}})
	}
	return out
}

func drainRules(s *Snapshot) []report.Finding {
	if !s.Has(ResLogDrains) {
		return unknownFor(s, ResLogDrains, "platform.drains", "log drains")
	}
	telemetry := 0
	if s.Has(ResTelemetryDrains) {
		telemetry = len(s.TelemetryDrains)
	} else if s.IsFir() && s.Err(ResTelemetryDrains) != nil {
		return unknownFor(s, ResTelemetryDrains, "platform.drains", "log drains")
	}
	data := map[string]any{"log_drains": len(s.LogDrains), "telemetry_drains": telemetry}
	if len(s.LogDrains) == 0 && telemetry == 0 {
		if s.IsFir() {
			data["generation"] = "fir"
			return []report.Finding{codes.NoLogDrain.Raise(s.Name, report.Finding{Check: "platform.drains", Subject: "log drains",
				Summary: "no telemetry drain: a Fir app has no Logplex and no log history, so its logs are kept nowhere and yesterday's errors are gone (only a live tail sees them)",
				Detail:  "Fir apps send logs, metrics and traces to telemetry drains (OpenTelemetry); Cedar's log drains and logging add-ons do not apply.",
				Remedy:  "heroku telemetry:add https://OTEL-COLLECTOR:4318 --signals logs,metrics,traces -a " + s.Name,
				Docs:    codes.TelemetryDrainsArticle, Data: data})}
		}
		return []report.Finding{codes.NoLogDrain.Raise(s.Name, report.Finding{Check: "platform.drains", Subject: "log drains",
			Summary: "no log drain: Logplex keeps only the last 1,500 log lines (for a week at most), so yesterday's errors are gone",
			Data:    data})}
	}
	return []report.Finding{{Check: "platform.drains", Subject: "log drains", Status: report.StatusOK,
		Summary: fmt.Sprintf("%d log drain(s), %d telemetry drain(s)", len(s.LogDrains), telemetry), Data: data}}
}

func featureRules(s *Snapshot) []report.Finding {
	if s.IsFir() {
		return []report.Finding{{Check: "platform.features", Subject: "features", Status: report.StatusSkipped,
			Summary: "labs features (log-runtime-metrics, preboot) do not apply to Fir-generation apps"}}
	}
	if !s.Has(ResFeatures) {
		return unknownFor(s, ResFeatures, "platform.features", "features")
	}
	enabled := map[string]bool{}
	for _, f := range s.Features {
		enabled[f.Name] = f.Enabled
	}
	var out []report.Finding
	if enabled["log-runtime-metrics"] {
		out = append(out, report.Finding{Check: "platform.features", Subject: "log-runtime-metrics", Status: report.StatusOK,
			Summary: "log-runtime-metrics is on: memory and load samples reach the logs"})
	} else {
		out = append(out, codes.RuntimeMetricsOff.Raise(s.Name, report.Finding{Check: "platform.features", Subject: "log-runtime-metrics",
			Summary: "log-runtime-metrics is off: memory use and swap are invisible until R14/R15 errors"}))
	}
	webQty := 0
	for _, f := range s.Formation {
		if f.Type == "web" {
			webQty = f.Quantity
		}
	}
	switch {
	case enabled["preboot"]:
		out = append(out, report.Finding{Check: "platform.features", Subject: "preboot", Status: report.StatusOK,
			Summary: "preboot is on: new dynos start before old ones stop on deploy"})
	case webQty >= 2:
		out = append(out, codes.PrebootOff.Raise(s.Name, report.Finding{Check: "platform.features", Subject: "preboot",
			Summary: fmt.Sprintf("preboot is off with %d web dynos: every deploy drops requests while dynos restart", webQty),
			Data:    map[string]any{"web_quantity": webQty}}))
	}
	return out
}

func addonRules(s *Snapshot) []report.Finding {
	if !s.Has(ResAddOns) {
		return unknownFor(s, ResAddOns, "platform.addons", "add-ons")
	}
	var out []report.Finding
	for _, a := range s.AddOns {
		data := map[string]any{"service": a.AddonService.Name, "plan": a.Plan.Name, "state": a.State, "config_vars": a.ConfigVars}
		if a.State != "provisioned" {
			out = append(out, codes.AddonNotProvisioned.Raise(s.Name, report.Finding{Check: "platform.addons", Subject: a.Name,
				Summary: fmt.Sprintf("add-on %s (%s) is %s, not provisioned", a.Name, a.Plan.Name, a.State),
				Data:    data}))
			continue
		}
		out = append(out, report.Finding{Check: "platform.addons", Subject: a.Name, Status: report.StatusOK,
			Summary: fmt.Sprintf("%s is provisioned", a.Plan.Name), Data: data})
	}
	if len(out) == 0 {
		out = append(out, report.Finding{Check: "platform.addons", Subject: "add-ons", Status: report.StatusOK, Summary: "no add-ons"})
	}
	return out
}

// humanAgo writes a duration the way a person says it.
func humanAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}
