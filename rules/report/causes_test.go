package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// The report shows at most three causes unless AllCauses, each cause's
// fixes under it, the definition above the causes (never among them) and
// the verdict; JSON carries per-cause fixes and the hidden count.
func TestCausesInEveryFormat(t *testing.T) {
	for _, all := range []bool{false, true} {
		opts := Options{AllCauses: all}
		var js bytes.Buffer
		if err := WriteJSON(&js, fixtureDoc(), opts); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			SchemaVersion int `json:"schema_version"`
			Findings      []struct {
				Definition   string `json:"definition"`
				Verdict      string `json:"verdict"`
				CausesHidden int    `json:"causes_hidden"`
				Causes       []struct {
					Rule   string   `json:"rule"`
					Title  string   `json:"title"`
					Fixes  []string `json:"fixes"`
					Values []string `json:"values"`
				} `json:"causes"`
				GeneralFixes []string `json:"general_fixes"`
				Contrast     *struct {
					Dimensions []struct{ Name string } `json:"dimensions"`
				} `json:"contrast"`
			} `json:"findings"`
		}
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		f := doc.Findings[0]
		wantShown, wantHidden := 3, 1
		if all {
			wantShown, wantHidden = 4, 0
		}
		if len(f.Causes) != wantShown || f.CausesHidden != wantHidden {
			t.Errorf("all=%v: %d causes shown, %d hidden; want %d, %d", all, len(f.Causes), f.CausesHidden, wantShown, wantHidden)
		}
		if doc.SchemaVersion != SchemaVersion || f.Definition == "" || !strings.HasPrefix(f.Verdict, "Only FRA and AMS fail") ||
			f.Contrast == nil || len(f.Causes[0].Fixes) == 0 || strings.Join(f.Causes[0].Values, ",") != "FRA,AMS" {
			t.Errorf("json finding: %+v", f)
		}
		for _, c := range f.Causes {
			if c.Title == f.Definition {
				t.Errorf("definition ranked as a cause")
			}
		}
		if len(f.GeneralFixes) != 1 || !strings.Contains(f.GeneralFixes[0], "every proxy") {
			t.Errorf("general fixes %q", f.GeneralFixes)
		}

		var text bytes.Buffer
		if err := WriteText(&text, fixtureDoc(), opts); err != nil {
			t.Fatal(err)
		}
		out := text.String()
		def := strings.Index(out, "520: Cloudflare got no usable")
		verdict := strings.Index(out, "Verdict: Only FRA and AMS fail")
		causes := strings.Index(out, "Likely causes")
		cause1 := strings.Index(out, "blocks some Cloudflare data centres")
		fix1 := strings.Index(out, "fix Allow every Cloudflare IP range")
		cause2 := strings.Index(out, "Keep-alive race")
		if def < 0 || !(def < verdict && verdict < causes && causes < cause1 && cause1 < fix1 && fix1 < cause2) {
			t.Errorf("text order: definition %d verdict %d causes %d cause %d its fix %d next cause %d\n%s", def, verdict, causes, cause1, fix1, cause2, out)
		}
		hidden := strings.Contains(out, "1 more cause (less likely): --all-causes shows them")
		if hidden == all || strings.Contains(out, "Many origins failed at once") != all {
			t.Errorf("all=%v: hidden line %v\n%s", all, hidden, out)
		}
		if !strings.Contains(out, "Not in this log: OriginResponseHeaderReceiveDurationMs (Logpush) would give the header wait") {
			t.Errorf("missing field line absent:\n%s", out)
		}

		var md bytes.Buffer
		if err := WriteMarkdown(&md, fixtureDoc(), opts); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(md.String(), "`curl -v --resolve api.example.com:443:203.0.113.10 'https://api.example.com/a;b'`") {
			t.Errorf("markdown does not render the command as code:\n%s", md.String())
		}
	}
}

// Redaction reaches the contrast (client networks), the cause values and
// the verdict; origin servers stay.
func TestRedactedContrast(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, fixtureDoc(), Options{Redact: true, AllCauses: true}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"198.51.100.0/24", clientIP, "2001:db8::/48"} {
		if strings.Contains(out, secret) {
			t.Errorf("redacted JSON still has %s", secret)
		}
	}
	if !strings.Contains(out, originIP) {
		t.Errorf("redaction masked the origin server %s", originIP)
	}
}
