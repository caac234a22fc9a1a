package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/edgetriage/edgetriage/parse"
)

func TestQuery(t *testing.T) {
	rec := &parse.Record{}
	rec.Reset()
	rec.Status, rec.Host, rec.Path, rec.POP, rec.Upstream = 504, "api.example.com", "/account/42", "FRA", "10.0.0.7"
	rec.Duration, rec.Method = 2500*time.Millisecond, "GET"
	raw := []byte(`10.1.2.3 - - "GET /account/42 HTTP/1.1" 504 0 FRA api.example.com 10.0.0.7 Mozilla`)
	cases := []struct {
		q    string
		want bool
	}{
		{"status=504", true}, {"status>=500", true}, {"status<500", false}, {"status=5xx", true}, {"status!=5xx", false},
		{"status=4xx", false}, {"host=api.example.com", true}, {"host=API.example.com", true}, {"host=other", false},
		{"path~/account", true}, {"path!~/account", false}, {"colo=FRA", true}, {"pop=fra", true}, {"colo=AMS", false},
		{"upstream=10.0.0.7", true}, {"duration>2s", true}, {"duration>3s", false}, {"duration<=2500ms", true},
		{"mozilla", true}, {"Mozilla", true}, {"MOZILLA", false}, {"account status=504", true}, {"account status=502", false},
		{"nothere", false}, {"a=b", false}, // not a field: plain text "a=b"
	}
	for _, c := range cases {
		q, err := parseQuery(c.q)
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		if got := q.match(raw, rec); got != c.want {
			t.Errorf("%s: match %v, want %v", c.q, got, c.want)
		}
		// The prefilter never rejects a line the query matches.
		if pf := q.prefilter(); c.want && pf != nil && pf.index(raw) < 0 {
			t.Errorf("%s: prefilter %q rejects a matching line", c.q, pf.src)
		}
	}
	for _, bad := range []string{"status>abc", "host>a", "path>=x", "duration>soon", "status~5"} {
		if _, err := parseQuery(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestTextMatcher(t *testing.T) {
	hay := []byte("xxAbCxx zz abc q/account/Q")
	cases := []struct {
		needle string
		want   int
	}{{"abc", 2}, {"AbC", 2}, {"ABC", -1}, {"/account", 16}, {"q/acc", 15}, {"zzz", -1}, {"", 0}, {"xx", 0}, {"Q", 25}}
	for _, c := range cases {
		if got := newTextMatcher(c.needle).index(hay); got != c.want {
			t.Errorf("index(%q) = %d, want %d", c.needle, got, c.want)
		}
	}
	// Long runs of the rare byte's other case stay linear and correct.
	long := []byte(strings.Repeat("Z", 100000) + "zq")
	if got := newTextMatcher("zq").index(long); got != 100000 {
		t.Fatalf("got %d", got)
	}
}

func TestCompleteField(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sta", "status="}, {"du", "duration="}, {"status=5", "status=5"}, {"p", "p"}, {"path~/a col", "path~/a colo="}, {"co", "co"},
		{"c", "c"}, {"zz", "zz"},
	}
	for _, c := range cases {
		if got, _ := completeField(c.in); got != c.want {
			t.Errorf("complete(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
