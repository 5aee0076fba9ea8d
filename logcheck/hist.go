package logcheck

import "math/bits"

// Histogram counts non-negative integer values (milliseconds) in fixed
// log-linear buckets, so percentiles over unbounded input take bounded
// memory: values under 64 are counted exactly; above, each power of two is
// split into 32 buckets, so a reported percentile is within 1/32 (3.1%) of
// the true value, always rounding up (the bucket's upper bound, capped by
// the maximum seen). Values of 2^31 ms (24 days) and more share the top bucket.
type Histogram struct {
	counts [histBuckets]uint32
	n      uint64
	sum    uint64
	max    uint32
}

const (
	histSubBits = 5 // 32 sub-buckets per power of two
	histMaxExp  = 31
	// 2^(sub+1) exact buckets, 2^sub for each power of two from 2^(sub+1)
	// to 2^(maxExp-1), and the open-ended top one (values of 2^maxExp and
	// more).
	histBuckets = 1<<(histSubBits+1) + (histMaxExp-histSubBits-1)<<histSubBits + 1
)

// logLinear is the bucket of v in a log-linear layout of sub bits (2^sub
// buckets per power of two, values under 2^(sub+1) exact) whose values of
// 2^maxExp and more share the last of n buckets.
func logLinear(v uint32, sub, maxExp, n int) int {
	exact := uint32(1) << (sub + 1)
	if v < exact {
		return int(v)
	}
	exp := bits.Len32(v) - 1 // v in [2^exp, 2^(exp+1))
	if exp >= maxExp {
		return n - 1
	}
	shift := exp - sub
	return int(exact) + (exp-sub-1)<<sub + int(v>>shift)&(1<<sub-1)
}

// logLinearUpper is the largest value that falls in bucket b of a
// log-linear layout of sub bits.
func logLinearUpper(b, sub int) uint32 {
	exact := 1 << (sub + 1)
	if b < exact {
		return uint32(b)
	}
	i := b - exact
	exp := i>>sub + sub + 1
	shift := exp - sub
	lo := (uint32(1)<<sub | uint32(i&(1<<sub-1))) << shift
	return lo + (uint32(1) << shift) - 1
}

// quantileOf is the q-quantile of counts (n values, the largest max) in a
// log-linear layout of sub bits: the upper bound of the bucket that holds
// the value of rank q*n, capped by max.
func quantileOf(counts []uint32, n uint64, max uint32, q float64, sub int) uint32 {
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for b, c := range counts {
		seen += uint64(c)
		if seen >= rank {
			if b == len(counts)-1 {
				return max // the top bucket has no upper bound but the largest value
			}
			return min(logLinearUpper(b, sub), max)
		}
	}
	return max
}

func bucketOf(v uint32) int { return logLinear(v, histSubBits, histMaxExp, histBuckets) }

// upperBound is the largest value that falls in bucket b.
func upperBound(b int) uint32 { return logLinearUpper(b, histSubBits) }

// Add records one value.
func (h *Histogram) Add(v uint32) {
	h.counts[bucketOf(v)]++
	h.n++
	h.sum += uint64(v)
	if v > h.max {
		h.max = v
	}
}

// Count is the number of values.
func (h *Histogram) Count() uint64 { return h.n }

// Max is the largest value, exactly.
func (h *Histogram) Max() uint32 { return h.max }

// Mean is the exact mean.
func (h *Histogram) Mean() float64 {
	if h.n == 0 {
		return 0
	}
	return float64(h.sum) / float64(h.n)
}

// Quantile returns the q-quantile (0 < q <= 1), within the stated error.
func (h *Histogram) Quantile(q float64) uint32 {
	return quantileOf(h.counts[:], h.n, h.max, q, histSubBits)
}

// Merge adds another histogram's counts.
func (h *Histogram) Merge(o *Histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	if o.max > h.max {
		h.max = o.max
	}
}

// Sketch is the smaller histogram of one timeline bucket: 16 buckets per
// power of two (a percentile within 1/16, 6.25%, above the true value,
// never below it), values under 32 ms exact, and 2^18 ms (4.4 minutes,
// far past the router's 30-second timeout) and more in the top bucket,
// whose percentile is the exact maximum: 241 counters, so a timeline of a
// few hundred buckets stays under half a megabyte, and buckets merge by
// addition.
type Sketch struct {
	counts [sketchBuckets]uint32
	n      uint32
	max    uint32
}

const (
	sketchSubBits = 4
	sketchMaxExp  = 18
	sketchBuckets = 1<<(sketchSubBits+1) + (sketchMaxExp-sketchSubBits-1)<<sketchSubBits + 1
)

// Add records one value.
func (s *Sketch) Add(v uint32) {
	s.counts[logLinear(v, sketchSubBits, sketchMaxExp, sketchBuckets)]++
	s.n++
	if v > s.max {
		s.max = v
	}
}

// Count is the number of values.
func (s *Sketch) Count() int { return int(s.n) }

// Quantile is the q-quantile (0 < q <= 1), within the stated error.
func (s *Sketch) Quantile(q float64) uint32 {
	return quantileOf(s.counts[:], uint64(s.n), s.max, q, sketchSubBits)
}

// Above counts the values of buckets wholly above v: those certainly
// greater than v.
func (s *Sketch) Above(v uint32) int {
	n := 0
	for b := logLinear(v, sketchSubBits, sketchMaxExp, sketchBuckets) + 1; b < sketchBuckets; b++ {
		n += int(s.counts[b])
	}
	return n
}

// Merge adds another sketch's counts.
func (s *Sketch) Merge(o *Sketch) {
	for i, c := range o.counts {
		s.counts[i] += c
	}
	s.n += o.n
	s.max = max(s.max, o.max)
}
