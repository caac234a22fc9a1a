package report

import (
	"reflect"
	"testing"
)

// plainJSON must give exactly what the JSON round trip gives for every
// type it accepts, and refuse what it cannot reproduce.
func TestPlainJSONMatchesRoundTrip(t *testing.T) {
	cases := []struct {
		name string
		v    any
		fast bool
	}{
		{"nil", nil, true},
		{"string", "GET /a?b=c <x> & \u2028", true},
		{"bool", true, true},
		{"int", -42, true},
		{"int64", int64(1) << 60, true},
		{"strings", []string{"/a (3)", "/b (1)"}, true},
		{"nil strings", []string(nil), true},
		{"empty strings", []string{}, true},
		{"anys", []any{"x", 3, int64(4), false, nil, []string{"y"}}, true},
		{"nil anys", []any(nil), true},
		{"int map", map[string]int{"502": 3, "200": 1}, true},
		{"nil int map", map[string]int(nil), true},
		{"int64 map", map[string]int64{"a": 9}, true},
		{"nested map", map[string]any{"logged": 3, "statuses": map[string]int{"200": 2}, "ok": true}, true},
		{"empty map", map[string]any{}, true},
		{"float", 0.5, false},
		{"float in map", map[string]any{"x": 1e-7}, false},
		{"invalid utf-8", "a\xffb", false},
		{"invalid utf-8 key", map[string]int{"\xfe": 1}, false},
		{"invalid utf-8 in list", []string{"ok", "\xc3("}, false},
		{"other type", map[int]int{1: 2}, false},
	}
	for _, c := range cases {
		got, ok := plainJSON(c.v)
		if ok != c.fast {
			t.Errorf("%s: plainJSON ok = %v, want %v", c.name, ok, c.fast)
			continue
		}
		if ok && !reflect.DeepEqual(got, jsonRoundTrip(c.v)) {
			t.Errorf("%s: plainJSON = %#v, round trip = %#v", c.name, got, jsonRoundTrip(c.v))
		}
	}
}
