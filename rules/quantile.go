package rules

import "slices"

// sample keeps up to cap values for quantiles; when full it drops every
// other value (sorted), so quantiles stay close while memory stays flat.
type sample struct {
	v   []int64
	cap int
	n   int64
	// stride: after each decimation only every stride-th new value is kept.
	stride, skip int64
}

func (s *sample) add(x int64) {
	s.n++
	if s.cap == 0 {
		s.cap = 2048
	}
	if s.stride > 1 {
		s.skip++
		if s.skip%s.stride != 0 {
			return
		}
	}
	s.v = append(s.v, x)
	if len(s.v) >= s.cap {
		slices.Sort(s.v)
		k := 0
		for i := 0; i < len(s.v); i += 2 {
			s.v[k] = s.v[i]
			k++
		}
		s.v = s.v[:k]
		if s.stride == 0 {
			s.stride = 1
		}
		s.stride *= 2
	}
}

// quantile returns the q-quantile (nearest rank) or -1 when empty.
func (s *sample) quantile(q float64) int64 {
	if len(s.v) == 0 {
		return -1
	}
	c := slices.Clone(s.v)
	slices.Sort(c)
	return quantileSorted(c, q)
}

func quantileSorted(c []int64, q float64) int64 {
	if len(c) == 0 {
		return -1
	}
	// nearest-rank, with the median of an even count the lower middle
	// averaged with the upper one.
	if q == 0.5 {
		n := len(c)
		if n%2 == 1 {
			return c[n/2]
		}
		return (c[n/2-1] + c[n/2]) / 2
	}
	i := int(q*float64(len(c))+0.999999) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(c) {
		i = len(c) - 1
	}
	return c[i]
}

func medianInt64(v []int64) int64 {
	c := slices.Clone(v)
	slices.Sort(c)
	return quantileSorted(c, 0.5)
}
