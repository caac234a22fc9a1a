package causes

import (
	"fmt"
	"github.com/edgetriage/edgetriage/parse/units"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/edgetriage/edgetriage/rules"
)

// Template data besides the features: strings taken from the finding's
// origin, time range, endpoint and context, with readable placeholders when
// the log did not carry them.
var dataStrings = []string{
	"kind", "subtype", "origin", "host", "host_note", "origin_ip", "origin_ip_note", "endpoint", "method", "path",
	"start", "end", "start_rfc3339", "end_rfc3339", "span", "date",
	"top_path", "paths", "top_pop", "pops", "upstreams_failed_list", "upstreams_healthy_list",
	"statuses_before", "errors_before", "rays", "stall_start", "join_statuses",
}

// funcs are the helpers templates may call.
var funcs = template.FuncMap{
	// pct formats a 0..1 share as a percentage ("83%"); unknown is -1.
	"pct": func(x float64) string {
		if x < 0 || math.IsNaN(x) {
			return "an unknown share" // a sentence reads better than units' "?"
		}
		return units.Share(x)
	},
	// ms formats milliseconds.
	"ms": func(x float64) string {
		if x < 0 || math.IsNaN(x) {
			return "unknown"
		}
		if x >= 10000 {
			return secs(x / 1000)
		}
		return strconv.FormatFloat(math.Round(x), 'f', 0, 64) + " ms"
	},
	// secs formats seconds as a duration ("2m30s", "45s", "1h5m").
	"secs": secs,
	// num formats a count with thousands separators; -1 is "unknown".
	"num": num,
	// fixed formats with n decimals.
	"fixed": func(n int, x float64) string {
		if x < 0 || math.IsNaN(x) {
			return "unknown"
		}
		return strconv.FormatFloat(x, 'f', n, 64)
	},
	// unix formats a Unix time in seconds as UTC.
	"unix": func(x float64) string {
		if x <= 0 || math.IsNaN(x) {
			return "unknown"
		}
		return time.Unix(int64(x), 0).UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"known": func(x float64) bool { return x >= 0 },
	"add":   func(a, b float64) float64 { return a + b },
	"sub":   func(a, b float64) float64 { return a - b },
	"mul":   func(a, b float64) float64 { return a * b },
	"gt":    func(a, b float64) bool { return a > b },
	"ge":    func(a, b float64) bool { return a >= b },
	// shq quotes a value for a POSIX shell: every value a suggested command
	// carries goes through it, since paths and hosts come from whoever sent
	// the request.
	"shq": shq,
	// url builds https://HOST/PATH with the path's unsafe bytes
	// percent-encoded; quote it with shq in a command.
	"url": func(host, path string) string { return "https://" + host + urlPath(path) },
	// urlpath is a logged path as it would appear in a URL (see urlPath),
	// for prose beside a command.
	"urlpath": urlPath,
	// many counts with the right noun: many 1 "route" "routes" is "1 route".
	"many": func(n float64, one, more string) string {
		if n == 1 {
			return "1 " + one
		}
		return num(n) + " " + more
	},
	// andlist joins a list for a sentence: "FRA and AMS".
	"andlist": andList,
	"__tick":  tick, // the budget check instrument puts in every range body
	"status": func(x float64) string {
		if x <= 0 || math.IsNaN(x) {
			return "unknown"
		}
		return strconv.Itoa(int(x))
	},
}

func secs(x float64) string {
	if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return "unknown"
	}
	if x < 1 {
		return strconv.FormatFloat(math.Round(x*1000), 'f', 0, 64) + " ms"
	}
	total := int64(math.Round(x))
	h, m, sec := total/3600, total/60%60, total%60
	switch {
	case h >= 24:
		return fmt.Sprintf("%dd%dh", h/24, h%24)
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	case m > 0 && sec > 0:
		return fmt.Sprintf("%dm%ds", m, sec)
	case m > 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%ds", sec)
}

func num(x float64) string {
	if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return "unknown"
	}
	if x != math.Trunc(x) {
		return strconv.FormatFloat(x, 'f', 1, 64)
	}
	s := strconv.FormatInt(int64(x), 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// compileTemplate parses one evidence or fix template and checks that every
// field it uses exists for kind k.
func compileTemplate(name, text string, kinds []rules.Kind) (*template.Template, error) {
	t, err := template.New(name).Funcs(funcs).Option("missingkey=zero").Parse(text)
	if err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return nil, fmt.Errorf("bad template: %s", msg)
	}
	if err := instrument(t); err != nil {
		return nil, fmt.Errorf("bad template: %w", err)
	}
	var unknown []string
	for _, k := range kinds {
		known := dataNames(k)
		walkFields(t.Root, func(name string) {
			if !slices.Contains(known, name) && !slices.Contains(unknown, name) {
				unknown = append(unknown, name)
			}
		})
	}
	if len(unknown) > 0 {
		if near := suggest(unknown[0], dataNames(kinds[0])); near != "" {
			unknown[0] += " (did you mean ." + near + "?)"
		}
		also := slices.Clone(dataStrings)
		if slices.Contains(kinds, rules.KindBurst520) || slices.Contains(kinds, rules.KindBurst5xx) {
			also = append(also, "set_D, set_D_list, contrast_D, missing_D for each dimension D", strings.Join(dimDataStrings, ", "), strings.Join(burstDataStrings, ", "))
		}
		return nil, fmt.Errorf("unknown field %s in template (features of %s: %s; also %s)",
			"."+strings.Join(unknown, ", ."), kindsString(kinds), describeFeatures(kinds...), strings.Join(also, ", "))
	}
	return t, nil
}

func kindsString(kinds []rules.Kind) string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, "/")
}

func dataNames(k rules.Kind) []string {
	if names, ok := dataNamesByKind()[k]; ok {
		return names
	}
	return buildDataNames(k)
}

// dataNamesByKind holds dataNames of each known kind, built once: every
// template of a rule file asks, and building them was half of loading the
// rules (~25 ms of the report's serial start). Callers only read them.
var dataNamesByKind = sync.OnceValue(func() map[rules.Kind][]string {
	m := make(map[rules.Kind][]string, len(Kinds))
	for _, k := range Kinds {
		m[k] = buildDataNames(k)
	}
	return m
})

func buildDataNames(k rules.Kind) []string {
	out := append(slices.Clone(FeaturesOf(k)), dataStrings...)
	if hasContrast(k) {
		out = append(out, contrastDataNames...)
	}
	for _, c := range contextFeatures(k) {
		if !slices.Contains(out, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// contextFeatures are the schema's Context entries of kind k.
func contextFeatures(k rules.Kind) []rules.Feature {
	var out []rules.Feature
	for _, f := range rules.Features() {
		if f.Context() && slices.Contains(f.Kinds, k) {
			out = append(out, f)
		}
	}
	return out
}

var contextByKind = map[rules.Kind][]rules.Feature{
	rules.KindBurst520: contextFeatures(rules.KindBurst520), rules.KindBurst5xx: contextFeatures(rules.KindBurst5xx),
	rules.KindIncomplete202: contextFeatures(rules.KindIncomplete202),
}

// addSchemaContext gives templates every declared Context entry the data
// does not already render: the engine's value, or the unit's empty value
// when the finding lacks it (an optional entry), never "<no value>".
func addSchemaContext(d map[string]any, f *rules.Finding, used map[string]bool) {
	for _, c := range contextByKind[f.Kind] {
		if _, ok := d[c.Name]; ok || (used != nil && !used[c.Name]) {
			continue
		}
		if v, ok := f.Context[c.Name]; ok && v != nil {
			d[c.Name] = v
			continue
		}
		switch c.Unit {
		case rules.UnitList:
			d[c.Name] = []string{}
		case rules.UnitMap:
			d[c.Name] = map[string]any{}
		case rules.UnitBool:
			d[c.Name] = false
		default:
			d[c.Name] = ""
		}
	}
}

// walkFields calls fn with the first name of every .field reference.
func walkFields(n parse.Node, fn func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walkFields(c, fn)
		}
	case *parse.ActionNode:
		walkFields(n.Pipe, fn)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkFields(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkFields(a, fn)
		}
	case *parse.FieldNode:
		if len(n.Ident) > 0 {
			fn(n.Ident[0])
		}
	case *parse.ChainNode:
		walkFields(n.Node, fn)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, fn)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, fn)
	}
}

func walkBranch(b *parse.BranchNode, fn func(string)) {
	walkFields(b.Pipe, fn)
	walkFields(b.List, fn)
	if b.ElseList != nil {
		walkFields(b.ElseList, fn)
	}
}

// templateData is what evidence and fix templates see for one finding.
func templateData(f *rules.Finding) map[string]any {
	view := newContrastView(f)
	return templateDataOf(f, boxFeatures(f, view), view, nil)
}

// templateDataOf is templateData from the finding's boxed features
// (boxFeatures); a NaN feature reads as -1 (unknown).
//
// used says which names some template of the set reads (nil: all); the
// contrast's per-dimension strings and the schema's context entries are
// filled only for those, since a finding's data is built on every
// explanation.
func templateDataOf(f *rules.Finding, feats []any, view *contrastView, used map[string]bool) map[string]any {
	names := FeaturesOf(f.Kind)
	d := make(map[string]any, len(names)+len(dataStrings)+len(contrastDataNames)+len(contextByKind[f.Kind]))
	for i, name := range names {
		v := feats[i]
		if x, ok := v.(float64); ok && math.IsNaN(x) {
			v = unknownFeature
		}
		d[name] = v
	}
	const layout = "2006-01-02 15:04:05"
	d["kind"] = string(f.Kind)
	d["subtype"] = f.Subtype
	d["origin"] = f.Origin
	d["endpoint"] = orPlaceholder(f.Endpoint, "<endpoint>")
	d["method"] = orPlaceholder(endpointMethod(f.Endpoint), "<method>")
	d["path"] = orPlaceholder(endpointPath(f.Endpoint), "<path>")
	d["start"] = timeOr(f.Start, layout)
	d["end"] = timeOr(f.End, layout)
	d["start_rfc3339"] = timeOr(f.Start, time.RFC3339)
	d["end_rfc3339"] = timeOr(f.End, time.RFC3339)
	d["date"] = timeOr(f.Start, "2006-01-02")
	d["span"] = "unknown"
	if !f.Start.IsZero() && !f.End.IsZero() {
		d["span"] = secs(f.End.Sub(f.Start).Seconds())
	}

	host, ip := hostOf(f), originIP(f)
	d["host"] = orPlaceholder(host, hostPlaceholder)
	d["origin_ip"] = orPlaceholder(ip, originIPPlaceholder)
	d["host_note"] = ""
	if host == "" {
		d["host_note"] = "(This log names no host: replace " + hostPlaceholder + " with the site's name, or pass --origin HOST.)"
	}
	d["origin_ip_note"] = ""
	if ip == "" {
		d["origin_ip_note"] = "(The log gives no origin address: replace " + originIPPlaceholder + " with the origin server's IP.)"
	}

	paths := contextList(f.Context, "paths")
	d["paths"] = orPlaceholder(strings.Join(paths, ", "), "unknown paths")
	top := ""
	if len(paths) > 0 {
		top = stripCount(paths[0])
	} else {
		for _, s := range f.Samples {
			if s.Path != "" {
				top = s.Path
				break
			}
		}
	}
	if top == "" {
		top = endpointPath(f.Endpoint)
	}
	d["top_path"] = orPlaceholder(top, "/")

	pops := contextList(f.Context, "pops")
	d["pops"] = orPlaceholder(strings.Join(pops, ", "), "unknown")
	d["top_pop"] = "unknown"
	if len(pops) > 0 {
		d["top_pop"] = stripCount(pops[0])
	}
	// Lists that may be empty stay empty: templates use {{with}} for them.
	d["upstreams_failed_list"] = strings.Join(stripCounts(contextList(f.Context, "upstreams_failed")), ", ")
	d["upstreams_healthy_list"] = strings.Join(stripCounts(contextList(f.Context, "upstreams_healthy")), ", ")
	d["statuses_before"] = orPlaceholder(statusMap(f.Context["statuses_before"]), "none")
	d["errors_before"] = orPlaceholder(errorStatuses(f.Context["statuses_before"]), "none")
	d["join_statuses"] = "unknown"
	if j, ok := f.Context["join"].(map[string]any); ok {
		d["join_statuses"] = orPlaceholder(statusMap(j["statuses"]), "none")
	}

	var rays []string
	for _, s := range f.Samples {
		if s.RequestID != "" && !slices.Contains(rays, s.RequestID) {
			rays = append(rays, s.RequestID)
			if len(rays) == 3 {
				break
			}
		}
	}
	d["rays"] = orPlaceholder(strings.Join(rays, ", "), "the cf-ray values of the failed requests")

	d["stall_start"] = "unknown"
	if v, ok := f.Features["stall_start_unix"]; ok && v > 0 {
		d["stall_start"] = time.Unix(int64(v), 0).UTC().Format(layout)
	}
	if hasContrast(f.Kind) {
		addContrastData(d, f, view, used)
	}
	addSchemaContext(d, f, used)
	return d
}

func orPlaceholder(s, placeholder string) string {
	if strings.TrimSpace(s) == "" {
		return placeholder
	}
	return s
}

func timeOr(t time.Time, layout string) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(layout)
}

// endpointMethod and endpointPath split "POST /v1/exports".
func endpointMethod(ep string) string {
	m, _, ok := strings.Cut(ep, " ")
	if !ok {
		return ""
	}
	return m
}

func endpointPath(ep string) string {
	_, p, ok := strings.Cut(ep, " ")
	if !ok {
		return ep
	}
	return p
}

// stripCount turns "path (12)" into "path".
func stripCount(s string) string {
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		if _, err := strconv.Atoi(s[i+2 : len(s)-1]); err == nil {
			return s[:i]
		}
	}
	return s
}

func stripCounts(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = stripCount(s)
	}
	return out
}

// contextList reads a context value that is a list of strings, whatever
// concrete type the engine used.
func contextList(ctx map[string]any, key string) []string {
	switch v := ctx[key].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	case string:
		if v != "" {
			return []string{v}
		}
	case map[string]int:
		return countMap(v)
	case map[string]int64:
		m := make(map[string]int, len(v))
		for k, n := range v {
			m[k] = int(n)
		}
		return countMap(m)
	}
	return nil
}

// countMap lists "key (n)" most frequent first.
func countMap(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%s (%d)", k, m[k])
	}
	return out
}

// statusMap renders a status -> count map as "502: 12, 200: 3".
func statusMap(v any) string { return renderStatuses(statusCounts(v), 0) }

// errorStatuses renders only the 5xx of a status -> count map, so that
// "errors before" never lists the 200s the origin also returned.
func errorStatuses(v any) string { return renderStatuses(statusCounts(v), 500) }

// statusCounts reads the status -> count maps the engine and JSON produce;
// nil for anything else.
func statusCounts(v any) map[string]float64 {
	counts := map[string]float64{}
	switch m := v.(type) {
	case map[int]int:
		for k, n := range m {
			counts[strconv.Itoa(k)] = float64(n)
		}
	case map[int]int64:
		for k, n := range m {
			counts[strconv.Itoa(k)] = float64(n)
		}
	case map[string]int:
		for k, n := range m {
			counts[k] = float64(n)
		}
	case map[string]int64:
		for k, n := range m {
			counts[k] = float64(n)
		}
	case map[string]any:
		for k, n := range m {
			switch x := n.(type) {
			case float64:
				counts[k] = x
			case int:
				counts[k] = float64(x)
			case int64:
				counts[k] = float64(x)
			}
		}
	default:
		return nil
	}
	return counts
}

// renderStatuses lists the statuses at or above minStatus, most frequent
// first.
func renderStatuses(counts map[string]float64, minStatus int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		if st, err := strconv.Atoi(k); minStatus > 0 && (err != nil || st < minStatus) {
			continue
		}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + num(counts[k])
	}
	return strings.Join(parts, ", ")
}
