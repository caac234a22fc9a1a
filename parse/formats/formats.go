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

// Names lists the format names New accepts as they are, in the order they
// are usually shown. Prefixes lists the parameterised forms.
func Names() []string {
	return []string{"combined", "common", "vhost_combined", "json", "cloudflare", "cloudfront", "alb", "haproxy"}
}

// Prefixes lists the parameterised format names, for help texts.
func Prefixes() []string {
	return []string{
		"nginx:<log_format>",
		"apache:<LogFormat>",
		"json:<Field>=<key>[,<Field>=<key>...]",
		"cloudflare-csv:<Field>,<Field>,...",
		"cloudflare-tsv:<Field>,<Field>,...",
		"docker+<format>",
		"cri+<format>",
		"compose+<format>",
	}
}

// New returns a fresh parser (parsers keep per-input state) for a format
// name:
//
//	combined, common, vhost_combined   NCSA access logs (any variant per line)
//	nginx:<log_format>                 an nginx log_format string
//	apache:<LogFormat>                 an Apache LogFormat string
//	json                               JSON-lines access logs (nginx, Caddy, Traefik)
//	json:Status=resp_code,Time=@t      the same with key names mapped onto Record fields
//	                                   (the parser's Format() gives the mapping back
//	                                   sorted, so New(p.Format()) rebuilds any parser)
//	cloudflare                         Cloudflare Logpush/Logpull http_requests NDJSON
//	cloudfront                         AWS CloudFront standard logs
//	cloudflare-csv:<Field>,...         Cloudflare Logpush CSV output, fields in this order
//	cloudflare-tsv:<Field>,...         the same with a tab delimiter
//	alb                                AWS ALB and Classic ELB access logs
//	haproxy                            HAProxy HTTP logs (option httplog)
//	docker+<format>, cri+<format>      <format> inside container runtime log lines
//	compose+<format>                   <format> in "docker compose logs" output ("svc  | line")
func New(name string) (parse.Parser, error) {
	if inner, ok := strings.CutPrefix(name, dockerPrefix); ok {
		p, err := New(inner)
		if err != nil {
			return nil, err
		}
		return newUnwrapper(kindDocker, p), nil
	}
	if inner, ok := strings.CutPrefix(name, criPrefix); ok {
		p, err := New(inner)
		if err != nil {
			return nil, err
		}
		return newUnwrapper(kindCRI, p), nil
	}
	if inner, ok := strings.CutPrefix(name, composePrefix); ok {
		p, err := New(inner)
		if err != nil {
			return nil, err
		}
		return newUnwrapper(kindCompose, p), nil
	}
	switch {
	case strings.HasPrefix(name, "nginx:"):
		p, err := accesslog.NewNginx(strings.TrimPrefix(name, "nginx:"))
		if err != nil {
			return nil, fmt.Errorf("format %q: %w", name, err)
		}
		return p, nil
	case strings.HasPrefix(name, "apache:"):
		p, err := accesslog.NewApache(strings.TrimPrefix(name, "apache:"))
		if err != nil {
			return nil, fmt.Errorf("format %q: %w", name, err)
		}
		return p, nil
	case strings.HasPrefix(name, cdn.CloudflareCSV+":"), strings.HasPrefix(name, cdn.CloudflareTSV+":"):
		sep := byte(',')
		if strings.HasPrefix(name, cdn.CloudflareTSV) {
			sep = '\t'
		}
		_, list, _ := strings.Cut(name, ":")
		p, err := cdn.NewCloudflareDelimited(sep, strings.Split(list, ","))
		if err != nil {
			return nil, fmt.Errorf("format %q: %w", name, err)
		}
		return p, nil
	case strings.HasPrefix(name, "json:"):
		mapping, err := parseMapping(strings.TrimPrefix(name, "json:"))
		if err != nil {
			return nil, fmt.Errorf("format %q: %w", name, err)
		}
		return jsonlog.New(mapping), nil
	}
	switch name {
	case "combined", "common", "vhost_combined":
		p, err := accesslog.New(name)
		if err != nil {
			return nil, fmt.Errorf("format %q: %w", name, err)
		}
		return p, nil
	case "json":
		return jsonlog.New(nil), nil
	case "cloudflare":
		return cdn.NewCloudflare(), nil
	case "cloudfront":
		return cdn.NewCloudFront(), nil
	case lb.ALB:
		return lb.NewALB(), nil
	case lb.HAProxy:
		return lb.NewHAProxy(), nil
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
