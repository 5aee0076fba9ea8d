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
	histExact   = 1 << (histSubBits + 1)
	histMaxExp  = 31
	histBuckets = histExact + (histMaxExp-histSubBits)*(1<<histSubBits)
)

func bucketOf(v uint32) int {
	if v < histExact {
		return int(v)
	}
	exp := bits.Len32(v) - 1 // v in [2^exp, 2^(exp+1))
	if exp >= histMaxExp {
		return histBuckets - 1
	}
	shift := exp - histSubBits
	sub := int(v>>shift) & (1<<histSubBits - 1)
	return histExact + (exp-histSubBits-1)*(1<<histSubBits) + sub
}

// upperBound is the largest value that falls in bucket b.
func upperBound(b int) uint32 {
	if b < histExact {
		return uint32(b)
	}
	i := b - histExact
	exp := i>>histSubBits + histSubBits + 1
	sub := uint32(i & (1<<histSubBits - 1))
	shift := exp - histSubBits
	lo := (uint32(1)<<histSubBits | sub) << shift
	return lo + (uint32(1) << shift) - 1
}

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
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for b, c := range h.counts {
		seen += uint64(c)
		if seen >= rank {
			if ub := upperBound(b); ub < h.max {
				return ub
			}
			return h.max
		}
	}
	return h.max
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
