package platform

import "time"

// StackLife is the support window of a Heroku stack: when Heroku starts
// steering apps off it (deprecated) and when builds stop (end of life),
// with where each date comes from and the day it was read. The one table
// in the code that needs updating when Heroku announces a stack; a date
// nobody found Heroku's word for says so in its source.
type StackLife struct {
	Deprecated time.Time
	EndOfLife  time.Time
	Successor  string
	Source     string // where the dates are from, and when they were read
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Stacks is keyed by stack name. Fir apps have no stack schedule (their
// stack is cnb) and are not judged by this table.
var Stacks = map[string]StackLife{
	"cedar-14": {Deprecated: day(2018, 11, 1), EndOfLife: day(2019, 4, 30), Successor: "heroku-24",
		Source: "not on Dev Center's stack page today (it lists Heroku-16 onward); long past end of life either way; read 2026-11-24"},
	"heroku-16": {Deprecated: day(2020, 12, 11), EndOfLife: day(2021, 5, 1), Successor: "heroku-24",
		Source: "help.heroku.com/0S5P41DC, Heroku-16 end-of-life FAQ (deprecated 2020-12-11, end of life 2021-05-01, builds blocked 2021-06-01); read 2026-11-24"},
	"heroku-18": {Deprecated: day(2022, 6, 22), EndOfLife: day(2023, 4, 30), Successor: "heroku-24",
		Source: "help.heroku.com/X5OE6BCA, Heroku-18 end-of-life FAQ (deprecated 2022-06-22, end of life 2023-04-30, builds blocked 2023-05-01); read 2026-11-24"},
	"heroku-20": {Deprecated: day(2024, 5, 1), EndOfLife: day(2025, 4, 30), Successor: "heroku-24",
		Source: "devcenter.heroku.com/articles/heroku-20-stack (updated 2024-10-23: \"deprecated and will reach end-of-life on April 30th, 2025\"); the deprecation date is an estimate; read 2026-11-24"},
	"heroku-22": {Deprecated: day(2026, 5, 1), EndOfLife: day(2027, 4, 30), Successor: "heroku-24",
		Source: "devcenter.heroku.com/articles/heroku-22-stack (\"supported through April 2027\") and Heroku's build warning (\"deprecated and will reach end-of-life on April 30th, 2027\"); the deprecation date is an estimate; read 2026-11-24"},
	"heroku-24": {Deprecated: day(2028, 5, 1), EndOfLife: day(2029, 4, 30),
		Source: "devcenter.heroku.com/articles/stack (updated 2024-10-23: supported until April 2029, the default for new apps); the deprecation date is an estimate; read 2026-11-24"},
}
