package causes

import (
	"slices"
	"strings"

	"github.com/edgetriage/edgetriage/rules"
)

// Template data of bursts beyond dataStrings: per contrast dimension D
// .set_D (comma list of the separating set; shell-unsafe, so shq it in a
// command), .set_D_list, .contrast_D (the evidence line) and .missing_D
// (the field to add when the log lacks D); and, for the dimension the cause
// rests on, the .dim_* values below.
var dimDataStrings = []string{
	"dim",          // the dimension's name ("colo")
	"dim_label",    // for people ("data centre")
	"dim_set",      // the set for a sentence: "FRA and AMS"
	"dim_first",    // the set's first value
	"dim_contrast", // the evidence line
	"dim_in_rate",  // failing share inside the set (0..1)
	"dim_out_rate", // failing share outside it
	"dim_rest",     // how many other values the dimension had
	"dim_set_size", // how many values the set has
}

// Other burst data: when the step began, the precursors, the Cloudflare
// fields this log lacks, the first failing upstream's IP and a real path
// of the first failing route.
var burstDataStrings = []string{"step_at", "precursors", "missing_fields", "checked", "failing_ip", "route_path", "route_url_note",
	"change_at", "change_before", "change_after", "tls_change"}

var contrastDataNames = func() []string {
	var out []string
	for _, d := range ContrastDimensions {
		out = append(out, "set_"+d, "set_"+d+"_list", "contrast_"+d, "missing_"+d)
	}
	return append(append(out, dimDataStrings...), burstDataStrings...)
}()

// dimLabels name the dimensions for people.
var dimLabels = map[string]string{
	"colo": "data centre", "upstream": "origin IP", "route": "route", "segment": "first path segment",
	"method": "method", "client_net": "client network", "ua_family": "user-agent family",
	"protocol": "client protocol", "cache": "cache status", "connection": "origin connection",
	"header_wait": "header wait", "input": "input file",
	"endpoint": "endpoint", "first_poll": "first poll status", "last_poll": "last poll status",
	"retry_after": "Retry-After", "link": "status URL link",
}

// addContrastData puts the contrast's strings into a burst's template data.
func addContrastData(d map[string]any, f *rules.Finding, view *contrastView, used map[string]bool) {
	need := func(name string) bool { return used == nil || used[name] }
	for _, dim := range ContrastDimensions {
		if k := "set_" + dim; need(k) {
			d[k] = strings.Join(view.set(f, dim), ",")
		}
		if k := "set_" + dim + "_list"; need(k) {
			d[k] = slices.Clone(view.set(f, dim))
		}
		if k := "contrast_" + dim; need(k) {
			d[k] = view.evidence(f, dim)
		}
		if k := "missing_" + dim; need(k) {
			d[k] = view.missing(f, dim)
		}
	}
	d["step_at"] = "unknown"
	d["precursors"] = ""
	// the change a step (or a span where every request fails after a clean
	// baseline) begins with: when, and the failing shares before and after
	d["change_at"] = timeOr(f.Start, "2006-01-02 15:04:05")
	d["change_before"], d["change_after"] = featureValue(f, view, "baseline_rate"), featureValue(f, view, "span_rate")
	st := int(featureValue(f, view, "status"))
	d["tls_change"] = st == 520 || st == 525 || st == 526 || f.Kind == rules.KindBurst520
	var missing []string
	if ct := f.Contrast; ct != nil {
		if !ct.Shape.At.IsZero() {
			d["step_at"] = ct.Shape.At.UTC().Format("2006-01-02 15:04:05")
		}
		if ct.Shape.Kind == rules.ShapeStep {
			d["change_at"] = d["step_at"]
			d["change_before"], d["change_after"] = ct.Shape.Before, ct.Shape.After
		}
		d["precursors"] = strings.Join(ct.Shape.Precursors, "; ")
		for _, m := range ct.Missing {
			if m.Field != "" && !slices.Contains(missing, m.Field) {
				missing = append(missing, m.Field)
			}
		}
	}
	d["missing_fields"] = strings.Join(missing, ", ")
	var checked []string
	for _, dim := range ContrastDimensions {
		if slices.Contains(modeDimensions, dim) || dim == "input" {
			continue // not a part of the traffic a reader would name
		}
		if view.dims[dim] != nil || featureValue(f, view, "sep_"+dim) >= 0 {
			checked = append(checked, dimLabels[dim])
		}
	}
	d["checked"] = "no dimension"
	if len(checked) > 0 {
		d["checked"] = strings.Join(checked[:len(checked)-1], ", ") + " and " + checked[len(checked)-1]
		if len(checked) == 1 {
			d["checked"] = checked[0]
		}
	}
	d["failing_ip"] = d["origin_ip"]
	for _, u := range view.set(f, "upstream") {
		if ip := bareIP(u); ip != "" {
			d["failing_ip"] = ip
			break
		}
	}
	d["route_path"], d["route_url_note"] = routePath(f, view)
	setDimensionData(d, f, view, "")
}

// setDimensionData sets the .dim_* values for the dimension a cause rests
// on ("" clears them).
func setDimensionData(d map[string]any, f *rules.Finding, view *contrastView, dim string) {
	if d["dim"] == dim && dim != "" {
		return
	}
	set := view.set(f, dim)
	d["dim"] = dim
	d["dim_label"] = dimLabels[dim]
	d["dim_set"] = andList(set)
	d["dim_first"] = ""
	if len(set) > 0 {
		d["dim_first"] = set[0]
	}
	d["dim_contrast"] = ""
	d["dim_in_rate"], d["dim_out_rate"], d["dim_rest"], d["dim_set_size"] = -1.0, -1.0, -1.0, -1.0
	if dim == "" {
		return
	}
	d["dim_contrast"] = view.evidence(f, dim)
	d["dim_in_rate"] = featureValue(f, view, "in_rate_"+dim)
	d["dim_out_rate"] = featureValue(f, view, "out_rate_"+dim)
	size, distinct := featureValue(f, view, "set_size_"+dim), featureValue(f, view, "distinct_"+dim)
	d["dim_set_size"] = size
	if size >= 0 && distinct >= size {
		d["dim_rest"] = distinct - size
	}
}

// routePath returns a real request path of the first failing route (a
// sample's path whose segments fit the template, {id} matching any), else
// the template itself with a note to fill in the ids.
func routePath(f *rules.Finding, view *contrastView) (string, string) {
	routes := view.set(f, "route")
	if len(routes) == 0 {
		return "", ""
	}
	route := routes[0]
	for _, s := range f.Samples {
		if s.Path != "" && fitsRoute(s.Path, route) {
			return s.Path, ""
		}
	}
	for _, p := range contextList(f.Context, "paths") {
		if p = stripCount(p); fitsRoute(p, route) {
			return p, ""
		}
	}
	if strings.Contains(route, "{") {
		return route, "(Put a real id in place of each {id}.)"
	}
	return route, ""
}

// fitsRoute reports whether path (query aside) has route's segments, a
// {name} segment matching any one segment and a trailing * any rest.
func fitsRoute(path, route string) bool {
	path, _, _ = strings.Cut(path, "?")
	ps, rs := strings.Split(strings.Trim(path, "/"), "/"), strings.Split(strings.Trim(route, "/"), "/")
	for i, r := range rs {
		if r == "*" {
			return true
		}
		if i >= len(ps) {
			return false
		}
		if !(strings.HasPrefix(r, "{") && strings.HasSuffix(r, "}")) && r != ps[i] {
			return false
		}
	}
	return len(ps) == len(rs)
}
