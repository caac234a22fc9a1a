package rules

import "time"

// opSeries counts an origin's operations by opening time and outcome in
// at most maxOpBuckets buckets: when the operations span more, buckets
// double in width (aligned to multiples of their width, so the same
// operations give the same buckets in any order).
type opSeries struct {
	t0, w int64 // start of bucket 0; bucket width (0: empty)
	b     []valCount
}

const maxOpBuckets = 240

func (s *opSeries) add(t int64, cls int) {
	if s.w == 0 {
		s.w = int64(time.Minute)
		s.t0 = floorTo(t, s.w)
	}
	lo, hi := min(s.t0, t), max(s.t0+int64(len(s.b))*s.w-1, t)
	for (floorTo(hi, s.w)-floorTo(lo, s.w))/s.w+1 > maxOpBuckets {
		s.coarsen()
	}
	if t < s.t0 {
		k := (s.t0 - floorTo(t, s.w)) / s.w
		s.b = append(make([]valCount, k, int(k)+len(s.b)), s.b...)
		s.t0 -= k * s.w
	}
	i := (t - s.t0) / s.w
	for int64(len(s.b)) <= i {
		s.b = append(s.b, valCount{})
	}
	s.b[i].tot++
	if cls >= 0 {
		s.b[i].fail[cls]++
	}
}

// coarsen doubles the bucket width.
func (s *opSeries) coarsen() {
	w2 := 2 * s.w
	t0 := floorTo(s.t0, w2)
	n := (s.t0+int64(len(s.b))*s.w-1-t0)/w2 + 1
	nb := make([]valCount, max(n, 0))
	for i := range s.b {
		j := (s.t0 + int64(i)*s.w - t0) / w2
		nb[j].addCounts(&s.b[i])
	}
	s.t0, s.w, s.b = t0, w2, nb
}

func floorTo(t, w int64) int64 {
	q := t / w
	if t%w < 0 {
		q--
	}
	return q * w
}

// Step thresholds: before the step at most stepBeforeMax of the operations
// ended in the class, from it at least stepAfterMin, each side with at
// least stepMinOps operations.
const (
	stepBeforeMax = 0.1
	stepAfterMin  = 0.8
	stepMinOps    = 5
)

// shape finds a step in class cls: the split of the series where the
// operations opened before it mostly completed and those opened from it on
// mostly ended in cls.
func (s *opSeries) shape(cls int) TimeShape {
	var fail, tot int64
	for i := range s.b {
		fail += s.b[i].fail[cls]
		tot += completedOrIn(&s.b[i], cls)
	}
	sh := TimeShape{Kind: ShapeUnknown, Before: -1, After: round4(rate(fail, tot))}
	var bf, bt int64
	best := -1.0
	for k := 1; k < len(s.b); k++ {
		bf += s.b[k-1].fail[cls]
		bt += completedOrIn(&s.b[k-1], cls)
		af, at := fail-bf, tot-bt
		if bt < stepMinOps || at < stepMinOps || af < stepMinOps || completedOrIn(&s.b[k], cls) == 0 {
			continue
		}
		rb, ra := rate(bf, bt), rate(af, at)
		if rb > stepBeforeMax || ra < stepAfterMin || ra-rb < best {
			continue
		}
		best = ra - rb
		sh = TimeShape{Kind: ShapeStep, At: ts(s.t0 + int64(k)*s.w), Before: round4(rb), After: round4(ra)}
	}
	return sh
}

// opContrast builds the contrast of endpoint ep's origin's operations
// judged into sub against its completed ones, among those opened from the
// epoch holding from (the group's first operation) on; nil when they are
// not counted, and for the never-polled operations of an endpoint nobody
// polls (see unpolledEndpoint).
func (l *lifecycle) opContrast(ep *endpoint, sub string, from int64) *Contrast {
	cls := opClass(sub)
	oc := l.opc.counts(ep.key.o, false)
	if cls < 0 || oc == nil || cls == 0 && unpolledEndpoint(ep) {
		return nil
	}
	sum := oc.ep.since(from)
	if sum.tot.tot == 0 {
		return nil
	}
	ct := &Contrast{
		Span:    Window{From: ts(max(floorTo(from, oc.ep.w), oc.ep.t0)), To: ts(oc.last)},
		Failing: sum.tot.fail[cls], Total: completedOrIn(&sum.tot, cls),
		Unit: ContrastOperations, Dimensions: []Dimension{},
	}
	var empty capTable
	for d := range sum.dims {
		t := &sum.dims[d]
		info := opDimInfos[d]
		if t.empty() || d == opDimRetryAfter && onlyValue(t, retryAfterBuckets[0]) {
			if info.Missing != "" {
				ct.Missing = append(ct.Missing, MissingDimension{Name: info.Name, Label: info.Label, Field: info.Missing})
			}
			continue
		}
		in := countsOf(0, t, &empty, cls)
		in.name, in.label = info.Name, info.Label
		keepCompared(&in, t, cls)
		dim := computeDimension(in)
		if d == opDimClientNet {
			for i := range dim.Set {
				dim.Set[i] = netLabel(dim.Set[i])
			}
			for i := range dim.Values {
				dim.Values[i].Value = netLabel(dim.Values[i].Value)
			}
		}
		ct.Dimensions = append(ct.Dimensions, dim)
	}
	orderDimensions(ct.Dimensions)
	ct.Shape = oc.tl.shape(cls)
	return ct
}

// completedOrIn is the operations that completed or ended in cls: the
// other sub-types are neither failing nor healthy for this contrast.
func completedOrIn(c *valCount, cls int) int64 {
	n := c.tot
	for i, f := range c.fail {
		if i != cls {
			n -= f
		}
	}
	return n
}

// keepCompared restricts a dimension's totals to the compared operations
// (completed or in cls).
func keepCompared(in *dimCounts, t *capTable, cls int) {
	tot := make(map[string]int64, len(t.ents))
	for i := range t.ents {
		tot[t.ents[i].v] = completedOrIn(&t.ents[i], cls)
	}
	vals := in.values[:0]
	for _, v := range in.values {
		v.Total = tot[v.Value]
		if v.Total > 0 {
			vals = append(vals, v)
		}
	}
	in.values = vals
	in.other.Total = completedOrIn(&t.other, cls)
}

func onlyValue(t *capTable, v string) bool {
	return t.other.tot == 0 && len(t.ents) == 1 && t.ents[0].v == v
}
