package causes

import (
	"slices"

	"github.com/edgetriage/edgetriage/rules"
)

// A dimension's set is the smallest set of values covering 80% of the
// failures. When several values fail alike (three data centres, each at
// 100%), that set can stop at two of them and leave the third outside,
// where it makes the outside rate dirty: the dimension then does not
// separate although its values plainly split into failing and healthy.
// redraw draws the set again by failing rate instead: every value failing
// at least half as often as the worst one. The cause rules use the
// redrawn set only when it separates and the original does not.

// clean reports whether a set separates as the contrast defines it, on
// the relaxed counts (see smallInsideFailing): a proper subset covering 80%
// of the failures, at least 5% of the requests outside it, and a clean gap
// (inside at least half failing and outside at most a tenth of that, or
// outside at most a fiftieth of the inside rate).
func clean(d *rules.Dimension) bool {
	total := d.InsideTotal + d.OutsideTotal
	gap := (d.InsideRate >= 0.5 && d.OutsideRate <= 0.1*d.InsideRate) || d.OutsideRate <= 0.02*d.InsideRate
	return len(d.Set) > 0 && len(d.Set) < d.Distinct && d.Coverage >= 0.8 &&
		d.InsideFailing >= smallInsideFailing && d.OutsideTotal >= smallOutsideTotal &&
		float64(d.OutsideTotal) >= 0.05*float64(total) && gap
}

// redrawMinTotal is how many requests a value needs to join a redrawn set:
// with one or two requests per value (client networks), every value fails
// either always or never, and a set drawn by rate would always "separate".
const redrawMinTotal = 5

// redraw returns d with its set drawn by failing rate, when that set is
// different and clean.
func redraw(d *rules.Dimension) (*rules.Dimension, bool) {
	maxRate := 0.0
	for _, v := range d.Values {
		if v.Total >= redrawMinTotal && v.Rate() > maxRate {
			maxRate = v.Rate()
		}
	}
	if maxRate <= 0 {
		return nil, false
	}
	nd := *d
	nd.Set = nil
	nd.Values = slices.Clone(d.Values)
	nd.InsideFailing, nd.InsideTotal, nd.OutsideFailing, nd.OutsideTotal = 0, 0, 0, 0
	var fail int64
	for i := range nd.Values {
		v := &nd.Values[i]
		fail += v.Failing
		v.InSet = v.Failing > 0 && v.Total >= redrawMinTotal && v.Rate() >= maxRate/2
		if v.InSet {
			nd.Set = append(nd.Set, v.Value)
			nd.InsideFailing += v.Failing
			nd.InsideTotal += v.Total
		} else {
			nd.OutsideFailing += v.Failing
			nd.OutsideTotal += v.Total
		}
	}
	if o := d.Other; o != nil {
		fail += o.Failing
		nd.OutsideFailing += o.Failing
		nd.OutsideTotal += o.Total
	}
	if fail == 0 || slices.Equal(nd.Set, d.Set) {
		return nil, false
	}
	nd.Coverage = float64(nd.InsideFailing) / float64(fail)
	nd.InsideRate = ratio01(nd.InsideFailing, nd.InsideTotal)
	nd.OutsideRate = ratio01(nd.OutsideFailing, nd.OutsideTotal)
	// values that fail alike fail at a high rate: a set failing less
	// than half its requests is not redrawn (failures on the dynamic
	// routes only, the static files healthy, say nothing about a route)
	if nd.InsideRate < 0.5 || !clean(&nd) {
		return nil, false
	}
	nd.Separates = true
	// the set first in the values shown, as the contrast orders them
	slices.SortStableFunc(nd.Values, func(a, b rules.DimensionValue) int {
		switch {
		case a.InSet == b.InSet:
			return 0
		case a.InSet:
			return -1
		}
		return 1
	})
	return &nd, true
}

func ratio01(a, b int64) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}
