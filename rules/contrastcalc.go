package rules

import (
	"math"
	"slices"
	"strings"
)

// The contrast's maths: per dimension, the smallest set of values that
// covers most failures, its failure rate against the rest's, whether it
// separates, and a score in the spirit of Adtributor (Bhagwan et al., NSDI
// 2014: explanatory power times surprise) and Honeycomb's BubbleUp (the
// failing requests' distribution against the healthy ones').

const (
	// coverageGoal is the share of failures the set must cover.
	coverageGoal = 0.8
	// A separating set needs this many failures inside, this many requests
	// outside (and minOutsideShare of the span's), and an outside rate at
	// most cleanRatio of an inside rate of at least half, or at most
	// trickleRatio of a lower one (a trickle on one value, ~0 elsewhere).
	minInsideFailing = 5
	minOutsideTotal  = 10
	minOutsideShare  = 0.05
	cleanRatio       = 0.1
	trickleRatio     = 0.02
	// maxValuesShown bounds Dimension.Values (the set is always shown).
	maxValuesShown = 12
)

// dimCounts is one dimension's input to the maths: per value the span's
// failing and total requests and the baseline's (DimensionValue carries
// them), and the capped rest.
type dimCounts struct {
	name, label string
	values      []DimensionValue
	other       DimensionValue
}

// alikeMinTotal is how many requests a value needs to join the set for
// failing like it (see computeDimension).
const alikeMinTotal = 5

// computeDimension finds the set and its contrast.
func computeDimension(in dimCounts) Dimension {
	d := Dimension{Name: in.name, Label: in.label, Set: []string{}}
	vals := slices.Clone(in.values)
	sortByFailing(vals)
	t := totalsOf(vals, in.other)
	d.Distinct = t.distinct

	d.coverFailures(vals, t.fail)
	d.OutsideFailing = t.fail - d.InsideFailing
	d.OutsideTotal = t.tot - d.InsideTotal
	if t.fail > 0 {
		d.Coverage = float64(d.InsideFailing) / float64(t.fail)
	}
	d.InsideRate = rate(d.InsideFailing, d.InsideTotal)
	d.OutsideRate = rate(d.OutsideFailing, d.OutsideTotal)

	proper := len(d.Set) > 0 && len(d.Set) < t.distinct && d.OutsideTotal > 0
	clean := d.InsideRate >= 0.5 && d.OutsideRate <= cleanRatio*d.InsideRate ||
		d.OutsideRate <= trickleRatio*d.InsideRate
	d.Separates = proper && d.Coverage >= coverageGoal && clean &&
		d.InsideFailing >= minInsideFailing && d.OutsideTotal >= minOutsideTotal &&
		float64(d.OutsideTotal) >= minOutsideShare*float64(t.tot)
	if proper && t.fail > 0 {
		d.Score = round4(d.Coverage * jsBernoulli(d.Coverage, inSetHealthyShare(vals, t)))
	}

	d.Values, d.Other = shownValues(vals, in.other)
	d.Coverage = round4(d.Coverage)
	d.InsideRate = round4(d.InsideRate)
	d.OutsideRate = round4(d.OutsideRate)
	return d
}

// sortByFailing orders values by failing requests, then failing share,
// then value.
func sortByFailing(vals []DimensionValue) {
	slices.SortFunc(vals, func(a, b DimensionValue) int {
		if a.Failing != b.Failing {
			return cmpDesc(a.Failing, b.Failing)
		}
		if ra, rb := a.Rate(), b.Rate(); ra != rb {
			if ra > rb {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Value, b.Value)
	})
}

// dimTotals are a dimension's span failing and total requests, the
// baseline's healthy ones and the distinct values with requests (the
// capped rest counting as one).
type dimTotals struct {
	fail, tot, baseHealthy int64
	distinct               int
}

func totalsOf(vals []DimensionValue, other DimensionValue) dimTotals {
	var t dimTotals
	for _, v := range append(vals[:len(vals):len(vals)], other) {
		t.fail += v.Failing
		t.tot += v.Total
		t.baseHealthy += v.BaselineTotal - v.BaselineFailing
		if v.Total > 0 {
			t.distinct++
		}
	}
	return t
}

// coverFailures puts into the set the values by failing count until the
// goal is covered, then the values that fail alike.
func (d *Dimension) coverFailures(vals []DimensionValue, fail int64) {
	var cum int64
	for i := range vals {
		if fail == 0 || vals[i].Failing == 0 || float64(cum) >= coverageGoal*float64(fail) {
			break
		}
		cum += vals[i].Failing
		d.addToSet(&vals[i])
	}
	// Values that fail alike belong together: when three data centres all
	// fail at 100% and two of them already cover 80% of the failures, the
	// third left outside would make the outside rate dirty and hide a
	// clean split. Extend the set with every value that fails at least
	// half the time and at least half as often as the set does (with
	// enough requests to say so: one-request values fail always or never).
	if setRate := rate(d.InsideFailing, d.InsideTotal); len(d.Set) > 0 && setRate >= 0.5 {
		for i := range vals {
			v := &vals[i]
			if v.InSet || v.Failing == 0 || v.Total < alikeMinTotal {
				continue
			}
			if r := v.Rate(); r >= 0.5 && r >= setRate/2 {
				d.addToSet(v)
			}
		}
	}
}

func (d *Dimension) addToSet(v *DimensionValue) {
	v.InSet = true
	d.Set = append(d.Set, v.Value)
	d.InsideFailing += v.Failing
	d.InsideTotal += v.Total
}

// inSetHealthyShare is the share of the healthy requests (span and
// baseline) that fall in the set: the score is coverage (explanatory
// power) times the Jensen-Shannon divergence between where the failures
// are and where these are.
func inSetHealthyShare(vals []DimensionValue, t dimTotals) float64 {
	var inHealthy int64
	for _, v := range vals {
		if v.InSet {
			inHealthy += v.Total - v.Failing + v.BaselineTotal - v.BaselineFailing
		}
	}
	if healthy := t.tot - t.fail + t.baseHealthy; healthy > 0 {
		return float64(inHealthy) / float64(healthy)
	}
	return 0
}

// shownValues are the set's values, then the busiest others up to
// maxValuesShown; the rest are summed into other ("other", nil if empty).
func shownValues(vals []DimensionValue, other DimensionValue) ([]DimensionValue, *DimensionValue) {
	// values shown: the set, then the busiest others; the rest in Other
	var shown []DimensionValue
	for _, v := range vals {
		if v.InSet {
			shown = append(shown, v)
		}
	}
	rest := make([]DimensionValue, 0, len(vals))
	for _, v := range vals {
		if !v.InSet {
			rest = append(rest, v)
		}
	}
	slices.SortStableFunc(rest, func(a, b DimensionValue) int {
		if a.Total != b.Total {
			return cmpDesc(a.Total, b.Total)
		}
		return strings.Compare(a.Value, b.Value)
	})
	for _, v := range rest {
		if len(shown) < maxValuesShown {
			shown = append(shown, v)
			continue
		}
		other.Failing += v.Failing
		other.Total += v.Total
		other.BaselineFailing += v.BaselineFailing
		other.BaselineTotal += v.BaselineTotal
	}
	if shown == nil {
		shown = []DimensionValue{}
	}
	if other.Total > 0 || other.BaselineTotal > 0 {
		other.Value = "other"
		return shown, &other
	}
	return shown, nil
}

func rate(n, d int64) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// jsBernoulli is the Jensen-Shannon divergence (base 2, so 0..1) between
// Bernoulli(p) and Bernoulli(q).
func jsBernoulli(p, q float64) float64 {
	m := (p + q) / 2
	return (klTerm(p, m)+klTerm(1-p, 1-m)+klTerm(q, m)+klTerm(1-q, 1-m))/2 + 0
}

func klTerm(a, b float64) float64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	return a * math.Log2(a/b)
}

// failureMode reports whether a dimension says how the requests failed
// (a fresh connection, a fast or slow header wait) rather than where (a
// data centre, a server, a route, a client): a failing request's mode is
// partly its outcome (a reply that never came waited little), so it
// separates alongside almost any cause.
func failureMode(name string) bool { return name == "connection" || name == "header_wait" }

// orderDimensions puts separating dimensions first, where before how (the
// place an engineer looks first; the failure's mode is shown after it),
// then by score, then by name.
func orderDimensions(ds []Dimension) {
	slices.SortStableFunc(ds, func(a, b Dimension) int {
		if a.Separates != b.Separates {
			if a.Separates {
				return -1
			}
			return 1
		}
		if ma, mb := failureMode(a.Name), failureMode(b.Name); a.Separates && ma != mb {
			if mb {
				return -1
			}
			return 1
		}
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
}
