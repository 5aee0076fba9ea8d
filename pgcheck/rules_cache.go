package pgcheck

import (
	"fmt"
	"sort"

	"github.com/heroku-checkup/heroku-checkup/codes"
	"github.com/heroku-checkup/heroku-checkup/report"
)

func (j *judge) cache() {
	if j.unknownPart("cache", "postgres.cache", "buffer statistics") {
		return
	}
	for _, h := range []struct {
		rate  HitRate
		code  *report.Code
		what  string
		check string
	}{{j.s.Cache, codes.PGCacheHitLow, "table", "postgres.cache"}, {j.s.IndexCache, codes.PGIndexHitLow, "index", "postgres.index_cache"}} {
		total := h.rate.Hit + h.rate.Read
		data := map[string]any{"hit": h.rate.Hit, "read": h.rate.Read, "ratio": h.rate.Ratio()}
		if total < j.th.MinHitBlocks {
			j.add(report.Finding{Check: h.check, Status: report.StatusSkipped, Data: data,
				Summary: fmt.Sprintf("%s hit rate not judged: only %d blocks touched since the counters were reset", h.what, total)})
			continue
		}
		r := h.rate.Ratio()
		f := report.Finding{Check: h.check, Data: data,
			Summary: fmt.Sprintf("%s hit rate %.2f%% (%d of %d blocks from shared buffers)", h.what, 100*r, h.rate.Hit, total)}
		switch {
		case r < j.th.HitCrit:
			f.Status = report.StatusCritical
		case r >= j.th.HitWarn:
			f.Status = report.StatusOK
			j.add(f)
			continue
		}
		j.raise(h.code, f, "The working set does not fit in memory: more RAM (shared_buffers), or smaller tables and indexes")
	}
}

func (j *judge) indexes() {
	if j.unknownPart("indexes", "postgres.indexes", "index statistics") {
		return
	}
	problems := 0
	for _, ix := range j.s.Indexes {
		name := ix.Schema + "." + ix.Name
		data := map[string]any{"table": ix.Schema + "." + ix.Table, "scans": ix.Scans, "size_bytes": ix.Size, "definition": ix.Def}
		if !ix.Valid {
			problems++
			j.raise(codes.PGInvalidIndex, report.Finding{Check: "postgres.indexes", Subject: name, Data: data,
				Summary: fmt.Sprintf("index %s is INVALID (a failed CREATE INDEX CONCURRENTLY?): writes still maintain it, no query uses it", name),
				Remedy:  fmt.Sprintf("DROP INDEX CONCURRENTLY %s; then create it again", qualified(ix.Schema, ix.Name))}, "")
			continue
		}
		if ix.Scans == 0 && !ix.Unique && !ix.Primary && !ix.Constraint && ix.Size >= j.th.UnusedIndexMinBytes {
			problems++
			j.raise(codes.PGUnusedIndex, report.Finding{Check: "postgres.indexes", Subject: name, Data: data,
				Summary: fmt.Sprintf("index %s on %s (%s) has never been scanned since the statistics were reset", name, ix.Table, humanBytes(ix.Size)),
				Detail:  "It slows every write and takes space; check followers and rare jobs before dropping it.",
				Remedy:  fmt.Sprintf("DROP INDEX CONCURRENTLY %s;", qualified(ix.Schema, ix.Name))}, "")
		}
	}
	// Duplicates: same table, same access method, same columns in the same
	// order, same expressions and predicate. Keep the unique or larger one.
	groups := map[string][]Index{}
	for _, ix := range j.s.Indexes {
		if !ix.Valid {
			continue
		}
		k := fmt.Sprintf("%d|%s|%s|%s", ix.TableOID, ix.AM, ix.Key, ix.ExprPred)
		groups[k] = append(groups[k], ix)
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := groups[k]
		if len(g) < 2 {
			continue
		}
		sort.Slice(g, func(a, b int) bool {
			if g[a].Primary != g[b].Primary {
				return g[a].Primary
			}
			if g[a].Unique != g[b].Unique {
				return g[a].Unique
			}
			return g[a].Name < g[b].Name
		})
		keep := g[0]
		for _, dup := range g[1:] {
			if dup.Unique && !keep.Unique {
				continue
			}
			problems++
			name := dup.Schema + "." + dup.Name
			j.raise(codes.PGDuplicateIndex, report.Finding{Check: "postgres.indexes", Subject: name,
				Summary: fmt.Sprintf("index %s duplicates %s (same table, same columns in the same order)", name, keep.Schema+"."+keep.Name),
				Remedy:  fmt.Sprintf("DROP INDEX CONCURRENTLY %s;", qualified(dup.Schema, dup.Name)),
				Data:    map[string]any{"duplicate": dup.Def, "kept": keep.Def, "size_bytes": dup.Size}}, "")
		}
	}
	if problems == 0 {
		j.add(report.Finding{Check: "postgres.indexes", Status: report.StatusOK,
			Summary: fmt.Sprintf("%d indexes: none invalid, unused (above %s) or duplicated", len(j.s.Indexes), humanBytes(j.th.UnusedIndexMinBytes))})
	}
}
