package platform

import "time"

// StackLife is the support window of a Heroku stack: when Heroku starts
// steering apps off it (deprecated) and when builds stop (end of life).
// Dates from Heroku's stack update policy and its deprecation notices; the
// one table in the code that needs updating when Heroku announces a stack.
type StackLife struct {
	Deprecated time.Time
	EndOfLife  time.Time
	Successor  string
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Stacks is keyed by stack name.
var Stacks = map[string]StackLife{
	"cedar-14":  {Deprecated: day(2018, 11, 1), EndOfLife: day(2019, 4, 30), Successor: "heroku-24"},
	"heroku-16": {Deprecated: day(2020, 11, 1), EndOfLife: day(2021, 4, 30), Successor: "heroku-24"},
	"heroku-18": {Deprecated: day(2022, 5, 1), EndOfLife: day(2023, 4, 30), Successor: "heroku-24"},
	"heroku-20": {Deprecated: day(2024, 5, 1), EndOfLife: day(2025, 4, 30), Successor: "heroku-24"},
	"heroku-22": {Deprecated: day(2026, 5, 1), EndOfLife: day(2027, 4, 30), Successor: "heroku-24"},
	"heroku-24": {Deprecated: day(2028, 5, 1), EndOfLife: day(2029, 4, 30)},
}
