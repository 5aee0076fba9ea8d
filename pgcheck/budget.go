package pgcheck

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Process is one process type of the app's formation.
type Process struct {
	Type     string
	Quantity int
	Command  string
}

// BudgetVarNames are the config vars that set a process's database
// connections: Puma's workers and threads (WEB_CONCURRENCY,
// RAILS_MAX_THREADS; MAX_THREADS in Heroku's older Puma config), Active
// Record's pool (DB_POOL), Sidekiq's concurrency (RAILS_MAX_THREADS since
// Sidekiq 7; SIDEKIQ_CONCURRENCY where the app's sidekiq.yml reads it),
// Gunicorn's workers (WEB_CONCURRENCY). Sources (read 2026-11-24): Dev
// Center "Deploying Rails Applications with the Puma Web Server" (updated
// 2025-09-09: workers from WEB_CONCURRENCY, threads from RAILS_MAX_THREADS,
// connections per dyno = threads x workers); sidekiq lib/sidekiq/cli.rb
// (8.1.7: concurrency from RAILS_MAX_THREADS); gunicorn/config.py
// (workers from WEB_CONCURRENCY; threads only by flag or config file).
var BudgetVarNames = []string{"WEB_CONCURRENCY", "RAILS_MAX_THREADS", "MAX_THREADS", "DB_POOL", "SIDEKIQ_CONCURRENCY"}

// BudgetLine is the arithmetic of one process type: Quantity dynos x
// Processes per dyno x PerProcess connections, when every factor is an
// explicit number; otherwise Counted is false and Why says what is missing.
type BudgetLine struct {
	Type       string   `json:"type"`
	Server     string   `json:"server"` // puma, sidekiq, gunicorn, or empty
	Quantity   int      `json:"quantity"`
	Processes  int      `json:"processes_per_dyno,omitempty"`
	PerProcess int      `json:"connections_per_process,omitempty"`
	Total      int      `json:"connections,omitempty"`
	From       []string `json:"from,omitempty"` // the settings read: WEB_CONCURRENCY=2, puma -t 5:5 ...
	Counted    bool     `json:"counted"`
	Why        string   `json:"not_counted,omitempty"`
}

var (
	flagWorkers = regexp.MustCompile(`(?:^|\s)(?:-w|--workers)[=\s]+(\d+)`)
	flagThreads = regexp.MustCompile(`(?:^|\s)(?:-t|--threads)[=\s]+(?:\d+:)?(\d+)`)
	// Gunicorn's -t is --timeout: its threads are --threads alone.
	flagGunicornThreads = regexp.MustCompile(`(?:^|\s)--threads[=\s]+(\d+)`)
	flagConcur          = regexp.MustCompile(`(?:^|\s)(?:-c|--concurrency)[=\s]+(\d+)`)
)

func serverOf(command string) string {
	c := strings.ToLower(command)
	switch {
	case strings.Contains(c, "sidekiq"):
		return "sidekiq"
	case strings.Contains(c, "puma"), strings.Contains(c, "rails server"), strings.Contains(c, "rails s "), strings.HasSuffix(c, "rails s"):
		return "puma" // Rails serves with Puma by default
	case strings.Contains(c, "gunicorn"):
		return "gunicorn"
	}
	return ""
}

// Budget computes the connections each process type can open at its
// current scale, from explicit numbers only: flags in its command, else the
// config vars of BudgetVarNames. A library's default is never assumed.
func Budget(procs []Process, vars map[string]string) []BudgetLine {
	num := func(name string) (int, bool) {
		v, ok := vars[name]
		if !ok {
			return 0, false
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		return n, err == nil && n >= 0
	}
	flag := func(re *regexp.Regexp, cmd string) (int, bool) {
		m := re.FindStringSubmatch(cmd)
		if m == nil {
			return 0, false
		}
		n, err := strconv.Atoi(m[1])
		return n, err == nil
	}
	var out []BudgetLine
	for _, p := range procs {
		if p.Quantity <= 0 {
			continue
		}
		l := BudgetLine{Type: p.Type, Quantity: p.Quantity, Server: serverOf(p.Command)}
		var procsN, per int
		var haveProcs, havePer bool
		pool, havePool := num("DB_POOL")
		switch l.Server {
		case "puma":
			if procsN, haveProcs = flag(flagWorkers, p.Command); haveProcs {
				l.From = append(l.From, fmt.Sprintf("puma -w %d", procsN))
			} else if procsN, haveProcs = num("WEB_CONCURRENCY"); haveProcs {
				l.From = append(l.From, fmt.Sprintf("WEB_CONCURRENCY=%d", procsN))
			}
			if haveProcs && procsN == 0 {
				procsN = 1 // Puma's single mode: one process
			}
			if per, havePer = flag(flagThreads, p.Command); havePer {
				l.From = append(l.From, fmt.Sprintf("puma -t %d", per))
			} else if per, havePer = num("RAILS_MAX_THREADS"); havePer {
				l.From = append(l.From, fmt.Sprintf("RAILS_MAX_THREADS=%d", per))
			} else if per, havePer = num("MAX_THREADS"); havePer {
				l.From = append(l.From, fmt.Sprintf("MAX_THREADS=%d", per))
			}
		case "sidekiq":
			procsN, haveProcs = 1, true // one Sidekiq process per dyno: its command
			if per, havePer = flag(flagConcur, p.Command); havePer {
				l.From = append(l.From, fmt.Sprintf("sidekiq -c %d", per))
			} else if per, havePer = num("SIDEKIQ_CONCURRENCY"); havePer {
				l.From = append(l.From, fmt.Sprintf("SIDEKIQ_CONCURRENCY=%d (as the app's sidekiq.yml reads it)", per))
			} else if per, havePer = num("RAILS_MAX_THREADS"); havePer {
				l.From = append(l.From, fmt.Sprintf("RAILS_MAX_THREADS=%d", per))
			}
		case "gunicorn":
			if procsN, haveProcs = flag(flagWorkers, p.Command); haveProcs {
				l.From = append(l.From, fmt.Sprintf("gunicorn -w %d", procsN))
			} else if procsN, haveProcs = num("WEB_CONCURRENCY"); haveProcs {
				l.From = append(l.From, fmt.Sprintf("WEB_CONCURRENCY=%d", procsN))
			}
			if per, havePer = flag(flagGunicornThreads, p.Command); havePer {
				l.From = append(l.From, fmt.Sprintf("gunicorn --threads %d", per))
			}
		default:
			l.Why = "its command is not a server heroku-checkup can count (Puma, Sidekiq, Gunicorn)"
			out = append(out, l)
			continue
		}
		// Active Record opens at most its pool per process.
		if havePool && l.Server != "gunicorn" {
			if !havePer || pool < per {
				per, havePer = pool, true
			}
			l.From = append(l.From, fmt.Sprintf("DB_POOL=%d", pool))
		}
		switch {
		case !haveProcs:
			l.Why = "no explicit number of processes per dyno (WEB_CONCURRENCY, or -w in its command)"
		case !havePer:
			l.Why = "no explicit number of threads or pool size per process (RAILS_MAX_THREADS, DB_POOL, or a flag in its command)"
		default:
			l.Processes, l.PerProcess, l.Total, l.Counted = procsN, per, p.Quantity*procsN*per, true
		}
		out = append(out, l)
	}
	return out
}
