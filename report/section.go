package report

import "slices"

// MergeSections appends b's sections to a's: a section whose title a
// already has adds its rows (or its text, after a blank line) to that one,
// so that each job can return its own rows of a shared table.
func MergeSections(a, b []Section) []Section {
	for _, s := range b {
		i := slices.IndexFunc(a, func(x Section) bool { return x.Title == s.Title })
		if i < 0 {
			a = append(a, Section{Title: s.Title, Header: s.Header, Rows: slices.Clone(s.Rows), Text: s.Text})
			continue
		}
		a[i].Rows = append(a[i].Rows, s.Rows...)
		if s.Text != "" {
			if a[i].Text != "" {
				a[i].Text += "\n"
			}
			a[i].Text += s.Text
		}
	}
	return a
}
