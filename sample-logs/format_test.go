package samplelogs

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// These tests check the generated lines against each format's own shape,
// without the parsers (which live elsewhere and are tested on these files).

const (
	reCLFTime  = `\[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]`
	reRequest  = `"(GET|POST|PUT|DELETE|HEAD) /\S* HTTP/[12]\.[01]"`
	reCombined = `^\S+ - - ` + reCLFTime + ` ` + reRequest + ` \d{3} \d+ "[^"]*" "[^"]*"`
)

var lineShapes = map[string]*regexp.Regexp{
	"combined":       regexp.MustCompile(reCombined + `$`),
	"common":         regexp.MustCompile(`^\S+ - - ` + reCLFTime + ` ` + reRequest + ` \d{3} (\d+|-)$`),
	"vhost_combined": regexp.MustCompile(`^[a-z.]+:443 ` + reCombined[1:] + `$`),
	"nginx:" + OriginNginxFormat: regexp.MustCompile(reCombined + ` host=\S+ cf_ray=[0-9a-f]{16}-[A-Z]{3} client=\S+ upstream=\S+ ` +
		`upstream_status=\d{3} rt=\d+\.\d{3} urt=\d+\.\d{3} location="[^"]*"$`),
	"apache:" + ApacheCustomFormat: regexp.MustCompile(`^billing\.example\.org \S+ - - ` + reCLFTime + ` ` + reRequest +
		` \d{3} (\d+|-) "[^"]*" "[^"]*" \d+ "[^"]*" [0-9a-f]{32}$`),
	"cri": regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z stdout F ` + reCombined[1:] +
		` \d+ \d+\.\d{3} \[[a-z0-9-]+\] \[\] \S+ \d+ \d+\.\d{3} \d{3} [0-9a-f]{32}$`),
}

func TestLinesHaveTheirFormatsShape(t *testing.T) {
	for _, f := range mustGenerate(t, Options{}).Files {
		t.Run(f.Name, func(t *testing.T) {
			lines := bytes.Split(bytes.TrimSuffix(f.Data, []byte("\n")), []byte("\n"))
			if len(lines) < 50 {
				t.Errorf("only %d lines", len(lines))
			}
			for i, line := range lines {
				if err := checkLine(f.File, line); err != "" {
					t.Fatalf("line %d: %s\n%s", i+1, err, line)
				}
			}
		})
	}
}

func checkLine(f File, line []byte) string {
	key := f.Format
	switch {
	case f.Container == "cri":
		key = "cri"
	case f.Container == "docker":
		var d struct{ Log, Stream, Time string }
		if err := json.Unmarshal(line, &d); err != nil {
			return "docker json-file: " + err.Error()
		}
		if d.Stream != "stdout" || d.Time == "" || !strings.HasSuffix(d.Log, "\n") {
			return "docker json-file: want stream, time and a log ending in a newline"
		}
		line = []byte(strings.TrimSuffix(d.Log, "\n"))
		key = strings.TrimPrefix(f.Format, "docker+")
	case f.Format == "cloudflare" || f.Format == "json":
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			return err.Error()
		}
		return ""
	case f.Format == "cloudfront":
		if bytes.HasPrefix(line, []byte("#")) {
			return ""
		}
		if n := len(bytes.Split(line, []byte("\t"))); n != 33 {
			return "cloudfront: want 33 tab-separated fields"
		}
		return ""
	}
	re := lineShapes[key]
	if re == nil {
		return "no shape for " + key
	}
	if !re.Match(line) {
		return "does not match " + key
	}
	return ""
}

type cfRecord struct {
	RayID                                 string
	ClientRequestHost                     string
	ClientRequestMethod                   string
	ClientRequestPath                     string
	EdgeColoCode                          string
	EdgeResponseStatus                    int
	OriginResponseStatus                  int
	OriginIP                              string
	CacheCacheStatus                      string
	OriginTCPHandshakeDurationMs          int
	OriginResponseHeaderReceiveDurationMs int
	EdgeStartTimestamp                    json.RawMessage
	EdgeEndTimestamp                      json.RawMessage
	ResponseHeaders                       map[string]string
}

func TestCloudflareRecordsAndTheOriginJoin(t *testing.T) {
	set := mustGenerate(t, Options{})
	rays := map[string]cfRecord{}
	locations := 0
	for i := 1; i <= edgeFiles; i++ {
		for n, line := range bytes.Split(bytes.TrimSpace(set.Data(edgeName(i))), []byte("\n")) {
			var rec cfRecord
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("%s:%d: %v", edgeName(i), n+1, err)
			}
			if _, dup := rays[rec.RayID]; dup || len(rec.RayID) != 16 {
				t.Fatalf("%s:%d: ray id %q duplicated or malformed", edgeName(i), n+1, rec.RayID)
			}
			rays[rec.RayID] = rec
			quoted := rec.EdgeStartTimestamp[0] == '"'
			if quoted != (i <= edgeRFC3339Files) {
				t.Fatalf("%s:%d: EdgeStartTimestamp %s in the wrong style", edgeName(i), n+1, rec.EdgeStartTimestamp)
			}
			if rec.CacheCacheStatus == "hit" && (rec.OriginIP != "" || rec.OriginResponseStatus != 0) {
				t.Errorf("%s:%d: a cache hit went to the origin", edgeName(i), n+1)
			}
			if rec.EdgeResponseStatus == 202 && rec.ClientRequestMethod == "POST" && rec.ResponseHeaders["location"] != "" {
				locations++
			}
		}
	}
	if locations < 40 {
		t.Errorf("only %d POST 202s carry a location", locations)
	}
	for _, srv := range originServers {
		if srv.file == "" {
			continue
		}
		re := regexp.MustCompile(` cf_ray=([0-9a-f]{16})-([A-Z]{3}) `)
		for n, line := range bytes.Split(bytes.TrimSpace(set.Data(srv.file)), []byte("\n")) {
			m := re.FindSubmatch(line)
			if m == nil {
				t.Fatalf("%s:%d: no cf_ray", srv.file, n+1)
			}
			rec, ok := rays[string(m[1])]
			if !ok || rec.EdgeColoCode != string(m[2]) || rec.OriginIP != srv.ip {
				t.Fatalf("%s:%d: cf_ray %s-%s does not join an edge record sent to %s", srv.file, n+1, m[1], m[2], srv.ip)
			}
		}
	}
}
