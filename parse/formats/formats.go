// Package formats is the registry of log formats: it builds a parser from a
// format name, and detects the format of an input from its first lines,
// unwrapping container runtime logs (Docker json-file, CRI) on the way.
package formats

import (
	"fmt"
	"strings"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/parse/accesslog"
	"github.com/edgetriage/edgetriage/parse/cdn"
	"github.com/edgetriage/edgetriage/parse/jsonlog"
	"github.com/edgetriage/edgetriage/parse/lb"
)

// format is one entry of the registry. Adding a log format is its parser
// (a package under parse/) plus one line in registry; New, Names,
// Prefixes, the help text and Detect read it.
type format struct {
	// name as given to --log-format; a parameterised format's ends in ':'
	// and takes what follows it as param.
	name string
	// usage is a parameterised format's name with its parameter, for help.
	usage string
	// doc is the one line of New's table.
	doc string
	// detect is its rank among the candidates Detect tries on plain
	// inputs, the most specific first (1); 0 when it is never guessed.
	detect int
	make   func(param string) (parse.Parser, error)
}

// registry lists the formats in the order they are shown.
var registry = []format{
	{name: "combined", doc: "NCSA combined (any NCSA variant per line)", make: ncsa("combined")},
	{name: "common", doc: "NCSA common log format (the same parser)", make: ncsa("common")},
	{name: "vhost_combined", doc: "Apache vhost_combined (the same parser)", make: ncsa("vhost_combined")},
	{name: "json", doc: "JSON-lines access logs (nginx, Caddy, Traefik)", detect: 3, make: plain(func() parse.Parser { return jsonlog.New(nil) })},
	{name: "cloudflare", doc: "Cloudflare Logpush/Logpull http_requests", detect: 2, make: plain(cdn.NewCloudflare)},
	{name: "cloudfront", doc: "AWS CloudFront standard logs", detect: 1, make: plain(cdn.NewCloudFront)},
	{name: lb.ALB, doc: "AWS ALB and Classic ELB access logs", detect: 4, make: plain(lb.NewALB)},
	{name: lb.HAProxy, doc: "HAProxy HTTP logs (option httplog)", detect: 5, make: plain(lb.NewHAProxy)},
	{name: "nginx:", usage: "nginx:<log_format>", doc: "an nginx log_format string", make: func(f string) (parse.Parser, error) { return accesslog.NewNginx(f) }},
	{name: "apache:", usage: "apache:<LogFormat>", doc: "an Apache LogFormat string", make: func(f string) (parse.Parser, error) { return accesslog.NewApache(f) }},
	{name: "json:", usage: "json:<Field>=<key>,...", doc: "JSON lines, key names mapped onto fields", make: jsonMapped},
	{name: cdn.CloudflareCSV + ":", usage: cdn.CloudflareCSV + ":<Field>,...", doc: "Cloudflare Logpush CSV, fields in this order", make: delimited(',')},
	{name: cdn.CloudflareTSV + ":", usage: cdn.CloudflareTSV + ":<Field>,...", doc: "the same with a tab delimiter", make: delimited('\t')},
}

// wrappers are the container runtimes whose log lines carry another
// format's lines ("docker+combined").
var wrappers = []struct{ prefix, kind, doc string }{
	{dockerPrefix, kindDocker, "<format> inside Docker json-file lines"},
	{criPrefix, kindCRI, "<format> inside CRI (containerd, CRI-O) lines"},
	{composePrefix, kindCompose, `<format> in "docker compose logs" output`},
}

func plain[P parse.Parser](f func() P) func(string) (parse.Parser, error) {
	return func(string) (parse.Parser, error) { return f(), nil }
}

func ncsa(variant string) func(string) (parse.Parser, error) {
	return func(string) (parse.Parser, error) { return accesslog.New(variant) }
}

func delimited(sep byte) func(string) (parse.Parser, error) {
	return func(list string) (parse.Parser, error) {
		return cdn.NewCloudflareDelimited(sep, strings.Split(list, ","))
	}
}

func jsonMapped(list string) (parse.Parser, error) {
	mapping, err := parseMapping(list)
	if err != nil {
		return nil, err
	}
	return jsonlog.New(mapping), nil
}

func parameterised(f format) bool { return strings.HasSuffix(f.name, ":") }

// Names lists the format names New accepts as they are, in the order they
// are usually shown. Prefixes lists the parameterised forms.
func Names() []string {
	var out []string
	for _, f := range registry {
		if !parameterised(f) {
			out = append(out, f.name)
		}
	}
	return out
}

// Prefixes lists the parameterised format names, for help texts.
func Prefixes() []string {
	var out []string
	for _, f := range registry {
		if parameterised(f) {
			out = append(out, f.usage)
		}
	}
	for _, w := range wrappers {
		out = append(out, w.prefix+"<format>")
	}
	return out
}

// Help is the table of formats for help texts: one "name  meaning" line
// each.
func Help() string {
	var b strings.Builder
	row := func(name, doc string) { fmt.Fprintf(&b, "%-26s %s\n", name, doc) }
	for _, f := range registry {
		if parameterised(f) {
			row(f.usage, f.doc)
		} else {
			row(f.name, f.doc)
		}
	}
	for _, w := range wrappers {
		row(w.prefix+"<format>", w.doc)
	}
	return b.String()
}

// New returns a fresh parser (parsers keep per-input state) for a format
// name from the registry (Help lists them), or for a wrapper of one
// ("docker+combined"). A JSON mapping ("json:Status=resp_code,Time=@t")
// is given back sorted by the parser's Format(), so New(p.Format())
// rebuilds any parser.
func New(name string) (parse.Parser, error) {
	for _, w := range wrappers {
		if inner, ok := strings.CutPrefix(name, w.prefix); ok {
			p, err := New(inner)
			if err != nil {
				return nil, err
			}
			return newUnwrapper(w.kind, p), nil
		}
	}
	for _, f := range registry {
		param, ok := name, name == f.name
		if parameterised(f) {
			param, ok = strings.CutPrefix(name, f.name)
		}
		if !ok {
			continue
		}
		p, err := f.make(param)
		if err != nil {
			return nil, fmt.Errorf("format %q: %w", name, err)
		}
		return p, nil
	}
	return nil, fmt.Errorf("unknown log format %q (known: %s; or %s)", name,
		strings.Join(Names(), ", "), strings.Join(Prefixes(), ", "))
}

// parseMapping reads "Status=resp_code,Time=@timestamp".
func parseMapping(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		field, key, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("json mapping %q: want Field=key", part)
		}
		m[strings.TrimSpace(field)] = strings.TrimSpace(key)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("empty json mapping")
	}
	if err := jsonlog.Check(m); err != nil {
		return nil, err
	}
	return m, nil
}
