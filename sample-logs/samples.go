package samplelogs

import (
	"embed"
	"io/fs"
)

// FS holds the committed demo logs, embedded in the binary for the
// no-argument run. Paths are the File names of Files().
//
//go:embed cloudflare origin formats
var FS embed.FS

// File is one demo log and how to read it.
type File struct {
	Name string // path inside FS, e.g. "cloudflare/http_requests-1.log"
	// Format is the parser name as parse/formats spells it: "cloudflare",
	// "combined", "common", "vhost_combined", "nginx:<log_format>",
	// "apache:<LogFormat>", "json", "cloudfront". Container-wrapped files
	// are "docker+<format>" / "cri+<format>" (the registry's names for
	// the wrapped format), so formats.New(Format) reads every file.
	Format string
	// Container is "docker" (json-file) or "cri" when each line is wrapped
	// by a container runtime; "" otherwise. Detection unwraps these.
	Container string
	// Description says what the file is and what trouble it holds.
	Description string
}

// Manifest names of the files the demo zone writes.
const (
	fileEdgePrefix  = "cloudflare/http_requests-"
	fileOriginShop1 = "origin/shop-1/access.log"
	fileOriginShop2 = "origin/shop-2/access.log"
	fileOriginAPI   = "origin/api/access.log"
)

// Format strings of the custom-format files.
const (
	// ApacheCustomFormat is billing.example.org's LogFormat: vhost first,
	// request time in microseconds, and the Location response header.
	ApacheCustomFormat = `%v %h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D "%{Location}o" %{X-Request-ID}i`
)

// edgeFiles is how many Logpush files the demo's 50 minutes are cut into
// (10 minutes each); the first edgeRFC3339Files use RFC 3339 timestamps,
// the rest Unix nanoseconds.
const (
	edgeFiles        = 5
	edgeRFC3339Files = 3
)

var manifest = buildManifest()

func buildManifest() []File {
	var files []File
	for i := 1; i <= edgeFiles; i++ {
		ts := "EdgeStartTimestamp as RFC 3339 (ms)"
		if i > edgeRFC3339Files {
			ts = "EdgeStartTimestamp as Unix nanoseconds"
		}
		files = append(files, File{
			Name:   edgeName(i),
			Format: "cloudflare",
			Description: "Cloudflare Logpush http_requests for shop/api/static.example.com, 10 minutes; " + ts +
				". Holds the shop 520 burst, api 202 jobs, the static 522 storm and scattered 520s.",
		})
	}
	origin := "nginx:" + OriginNginxFormat
	files = append(files,
		File{Name: fileOriginShop1, Format: origin, Description: "nginx on shop origin 192.0.2.10 (healthy), CF-Ray logged, times in +0100."},
		File{Name: fileOriginShop2, Format: origin, Description: "nginx on shop origin 192.0.2.11: 5xx, then logs almost nothing of the 520 burst, a few 200s with 0 bytes."},
		File{Name: fileOriginAPI, Format: origin, Description: "nginx on api origin 198.51.100.20: the 202 jobs with $sent_http_location."},
	)
	for _, f := range formatFiles {
		files = append(files, f.file)
	}
	return files
}

func edgeName(i int) string { return fileEdgePrefix + string(rune('0'+i)) + ".log" }

// Files returns the manifest of the embedded demo logs, in a stable order.
func Files() []File { return append([]File(nil), manifest...) }

// Open opens one embedded demo file by its manifest name.
func Open(name string) (fs.File, error) { return FS.Open(name) }

// Dirs are the top-level folders of FS that the generator owns.
func Dirs() []string { return []string{"cloudflare", "origin", "formats"} }
