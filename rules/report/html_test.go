package report

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
	"github.com/edgetriage/edgetriage/rules"
)

const xssPath = `/<img src=x onerror=alert(1)>`

// diagnosedFixture is the report fixture with what the diagnosis adds
// (Definition, Verdict, Contrast, Cause.Fixes), built by hand, a timeline,
// and a path that tries to inject markup.
func diagnosedFixture() ([]parse.InputStats, parse.Totals, *rules.Snapshot) {
	inputs, totals, snap := fixture()
	b := &snap.Findings[0]
	b.Definition = "Cloudflare got no usable HTTP response from the origin (empty, malformed or without headers)."
	b.Verdict = "Only FRA and AMS fail (100% of their requests; the other 2 data centres 0%): a firewall or rate limit on some Cloudflare ranges."
	b.Contrast = &rules.Contrast{
		Span:    rules.Window{From: t0, To: t0.Add(147 * time.Second)},
		Failing: 60, Total: 72, BaselineFailing: 0, BaselineTotal: 900,
		Dimensions: []rules.Dimension{
			{Name: "colo", Label: "data centre", Set: []string{"FRA", "AMS"}, Coverage: 0.83,
				InsideFailing: 50, InsideTotal: 50, OutsideFailing: 10, OutsideTotal: 22, InsideRate: 1, OutsideRate: 0.45,
				Distinct: 4, Separates: true, Score: 0.9,
				Values: []rules.DimensionValue{{Value: "FRA", Failing: 30, Total: 30, InSet: true}, {Value: "AMS", Failing: 20, Total: 20, InSet: true},
					{Value: "CDG", Failing: 6, Total: 12}, {Value: "LHR", Failing: 4, Total: 10}}},
			{Name: "route", Label: "route", Set: []string{"/v1/cart", xssPath}, Coverage: 0.9,
				InsideFailing: 54, InsideTotal: 60, OutsideFailing: 6, OutsideTotal: 12, InsideRate: 0.9, OutsideRate: 0.5, Distinct: 3, Score: 0.2,
				Values: []rules.DimensionValue{{Value: "/v1/cart", Failing: 42, Total: 46, InSet: true}, {Value: xssPath, Failing: 12, Total: 14, InSet: true}},
				Other:  &rules.DimensionValue{Value: "", Failing: 6, Total: 12}},
			{Name: "client_net", Label: "client network", Set: []string{"198.51.100.0/24"}, Coverage: 0.66,
				InsideFailing: 40, InsideTotal: 48, OutsideFailing: 20, OutsideTotal: 24, InsideRate: 0.83, OutsideRate: 0.83, Distinct: 2,
				Values: []rules.DimensionValue{{Value: "198.51.100.0/24", Failing: 40, Total: 48, InSet: true}, {Value: "2001:db8::/48", Failing: 20, Total: 24}}},
		},
		Missing: []rules.MissingDimension{{Name: "upstream", Label: "origin IP", Field: "OriginIP (Logpush)"}},
		Shape:   rules.TimeShape{Kind: rules.ShapeStep, At: t0, Before: 0, After: 0.83, Precursors: []string{"3 × 502 in the 5 minutes before (none in the baseline)."}},
	}
	b.Causes[0].Fixes = []string{"Allow Cloudflare's IP ranges in the origin firewall: https://www.cloudflare.com/ips/"}
	b.Samples = append(b.Samples, rules.Sample{Input: "logs/cf-edge.log.gz", Line: 820, Time: t0.Add(2 * time.Second),
		Method: "GET", Path: xssPath, Status: 520, Role: "burst"})
	// the whole input's timeline: one bucket per 10 s from two minutes before
	step := 10 * time.Second
	start := t0.Add(-2 * time.Minute)
	n := 60 * 6 // an hour
	snap.Timeline = rules.Timeline{Start: start, Step: step, Requests: make([]int, n), Status520: make([]int, n), Incomplete202: make([]int, n)}
	for i := range n {
		snap.Timeline.Requests[i] = 25 + i%7
	}
	bi := int(t0.Sub(start) / step)
	b.Timeline, b.TimelineStep = make([]int, 15), step
	for i := range b.Timeline {
		b.Timeline[i] = 2 + (i*5)%7
		snap.Timeline.Status520[bi+i] = b.Timeline[i]
	}
	snap.Timeline.Incomplete202[int(5*time.Minute/step)+bi] = 7
	snap.Findings[1].Timeline, snap.Findings[1].TimelineStep = []int{7}, step
	return inputs, totals, snap
}

func TestHTMLGolden(t *testing.T) {
	for _, o := range []struct {
		name string
		opts Options
	}{{"html", Options{}}, {"html_redacted", Options{Redact: true}}} {
		var b bytes.Buffer
		if err := WriteHTML(&b, Build(diagnosedFixture()), o.opts); err != nil {
			t.Fatal(err)
		}
		golden(t, o.name, b.Bytes())
	}
}

func TestHTMLEscapesLogValues(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, Build(diagnosedFixture()), Options{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<img") {
		t.Errorf("a log value became an <img> element")
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;", `\x1b[31mevil|`} {
		if !strings.Contains(page, want) {
			t.Errorf("missing escaped text %q", want)
		}
	}
	if strings.Contains(page, "\x1b") {
		t.Errorf("a raw escape character reached the page")
	}
	// no script, no external fetch, and the CSP that forbids both
	for _, bad := range []*regexp.Regexp{regexp.MustCompile(`(?i)<script`), regexp.MustCompile(`(?i)\b(?:src|href)="(?:https?:)?//`),
		regexp.MustCompile(`(?i)@import|url\(`), regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+=`)} {
		if m := bad.FindString(page); m != "" {
			t.Errorf("page holds %q", m)
		}
	}
	if !strings.Contains(page, `content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`) {
		t.Errorf("no strict Content-Security-Policy")
	}
}

func TestHTMLShowsDiagnosis(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, Build(diagnosedFixture()), Options{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		"Cloudflare got no usable HTTP response",       // definition
		"Only FRA and AMS fail",                        // verdict
		"What separates the failures",                  // contrast
		`<td class="n">30 / 30</td>`,                   // a value's failing / total
		"separates</span>",                             // the separating dimension is marked
		"origin IP: add OriginIP (Logpush)",            // missing dimension
		"Allow Cloudflare&#39;s IP ranges",             // the cause's own fix
		"step at 10:02:13 UTC: 0% failing before",      // time shape
		"Timeline of the input",                        // overview chart
		"Failing requests per 1m against all requests", // finding chart
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestHTMLRedactsContrast(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, Build(diagnosedFixture()), Options{Redact: true}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, leak := range []string{clientIP, "198.51.100.0", secretQS} {
		if strings.Contains(page, leak) {
			t.Errorf("redacted page shows %q", leak)
		}
	}
}

func TestHTMLEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, Build(nil, parse.Totals{}, nil), Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No findings") {
		t.Errorf("empty report does not say there are no findings")
	}
}

// TestHTMLInBrowser renders the page in headless Chromium: a screenshot
// that must not be blank, and the DOM, which must show the injected path as
// text with no <img> element made from it.
func TestHTMLInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short")
	}
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("EDGETRIAGE_REQUIRE_SERVICES") == "1" {
			t.Fatal("chromium not found (apt-get install -y chromium) and EDGETRIAGE_REQUIRE_SERVICES=1")
		}
		t.Skip("chromium not found: install it (apt-get install -y chromium) to run the browser test")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := WriteHTML(&b, Build(diagnosedFixture()), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	if out := os.Getenv("EDGETRIAGE_HTML_SCREENSHOT"); out != "" {
		shot = out // keep it to look at
	}
	runChromium(t, chromium, dir, "--screenshot="+shot, "--window-size=1280,2000", "file://"+page)
	png, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if len(png) < 20_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot is %d bytes: blank or not a PNG", len(png))
	}
	dom := runChromium(t, chromium, dir, "--dump-dom", "file://"+page)
	if !strings.Contains(dom, "&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("the DOM does not show the injected path as text")
	}
	if regexp.MustCompile(`(?i)<img\b`).MatchString(dom) {
		t.Errorf("the DOM holds an <img> element made from a log value")
	}
	if !strings.Contains(dom, "What separates the failures") {
		t.Errorf("the DOM lacks the contrast section: %.300s", dom)
	}
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runChromium runs headless Chromium with no network and a throw-away
// profile, and returns its standard output.
func runChromium(t *testing.T, bin, dir string, args ...string) string {
	t.Helper()
	profile, err := os.MkdirTemp(dir, "profile")
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--user-data-dir=" + profile}
	cmd := exec.Command(bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("chromium %v did not finish in 60 s\n%s", args, errb.String())
	}
	return out.String()
}

func TestHTMLFixSplitsCommands(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want htmlFix
	}{
		{"Run `curl -v x` and compare.", htmlFix{{"Run ", false}, {"curl -v x", true}, {" and compare.", false}}},
		{"no command", htmlFix{{"no command", false}}},
		{"odd ` backtick", htmlFix{{"odd ` backtick", false}}},
		{"`a`", htmlFix{{"a", true}}},
	} {
		got := newHTMLFix(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("newHTMLFix(%q) = %+v, want %+v", tt.in, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("newHTMLFix(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		}
	}
}
