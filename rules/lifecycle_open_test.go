package rules

import "testing"

// templateIs must agree with PathTemplate on every pair: the opening of an
// operation uses it to skip building the template of a known route.
func TestTemplateIs(t *testing.T) {
	paths := []string{"", "/", "//", "/a", "/a/", "/a/1", "/a/1/", "/a/12/run", "/a/b/run", "/a/{id}/run",
		"/v1/exports/9f86d081884c7d65", "/v1/exports/abc", "a/1", "/1/2/3", "/1/2", "/x/550e8400-e29b-41d4-a716-446655440000",
		"/a/1/run/2", "/a//1", "/a/1//", "/{id}", "/%7Bid%7D"}
	for _, p := range paths {
		for _, q := range paths {
			tmpl := PathTemplate(q)
			if got, want := templateIs(p, tmpl), PathTemplate(p) == tmpl; got != want {
				t.Errorf("templateIs(%q, %q) = %v; PathTemplate(%q) = %q", p, tmpl, got, p, PathTemplate(p))
			}
		}
	}
}

func FuzzTemplateIs(f *testing.F) {
	f.Add("/a/1/run", "/a/2/run")
	f.Add("/a/{id}", "/a/12")
	f.Fuzz(func(t *testing.T, p, q string) {
		tmpl := PathTemplate(q)
		if got, want := templateIs(p, tmpl), PathTemplate(p) == tmpl; got != want {
			t.Fatalf("templateIs(%q, %q) = %v; PathTemplate(%q) = %q", p, tmpl, got, p, PathTemplate(p))
		}
	})
}

// The opening of a known route with another id (every 202 of a flood).
func BenchmarkTemplateIs(b *testing.B) {
	paths := []string{"/api/v1/jobs/4711/run", "/api/v1/jobs/9f86d081884c7d65/run", "/v1/exports/550e8400-e29b-41d4-a716-446655440000"}
	tmpls := make([]string, len(paths))
	for i, p := range paths {
		tmpls[i] = PathTemplate(p)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		k := i % len(paths)
		if !templateIs(paths[k], tmpls[k]) {
			b.Fatal("no match")
		}
	}
}
