package samplelogs

import (
	"bytes"
	"io/fs"
	"os"
	"slices"
	"testing"
)

func mustGenerate(t testing.TB, opts Options) *Set {
	t.Helper()
	set, err := Generate(opts)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return set
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := mustGenerate(t, Options{})
	b := mustGenerate(t, Options{})
	if len(a.Files) != len(b.Files) {
		t.Fatalf("file count %d vs %d", len(a.Files), len(b.Files))
	}
	for i := range a.Files {
		if !bytes.Equal(a.Files[i].Data, b.Files[i].Data) {
			t.Errorf("%s differs between two generations", a.Files[i].Name)
		}
	}
	other := mustGenerate(t, Options{Seed: 7})
	for i := range a.Files {
		if bytes.Equal(a.Files[i].Data, other.Files[i].Data) {
			t.Errorf("%s is the same for seeds %d and 7: the seed is not used", a.Files[i].Name, DefaultSeed)
		}
	}
}

// TestCommittedFilesMatchGeneration keeps the embedded demo from drifting
// from its generator: run `go run ./sample-logs/gen` after changing it.
func TestCommittedFilesMatchGeneration(t *testing.T) {
	set := mustGenerate(t, Options{})
	for _, f := range set.Files {
		got, err := fs.ReadFile(FS, f.Name)
		if err != nil {
			t.Errorf("%s: not embedded (run go run ./sample-logs/gen): %v", f.Name, err)
			continue
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("%s: committed file differs from a fresh generation (run go run ./sample-logs/gen)", f.Name)
		}
	}
}

func TestManifestMatchesEmbeddedFiles(t *testing.T) {
	var embedded []string
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			embedded = append(embedded, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, f := range Files() {
		listed = append(listed, f.Name)
		if f.Format == "" || f.Description == "" {
			t.Errorf("%s: manifest entry lacks a format or description", f.Name)
		}
	}
	slices.Sort(embedded)
	slices.Sort(listed)
	if !slices.Equal(embedded, listed) {
		t.Errorf("embedded files %v\nmanifest       %v", embedded, listed)
	}
}

func TestFilesAreSmall(t *testing.T) {
	const perFile, total = 1 << 20, 4 << 20
	sum := 0
	for _, f := range mustGenerate(t, Options{}).Files {
		sum += len(f.Data)
		if len(f.Data) >= perFile {
			t.Errorf("%s is %d bytes, want under 1 MiB", f.Name, len(f.Data))
		}
		if len(f.Data) == 0 {
			t.Errorf("%s is empty", f.Name)
		}
	}
	if sum > total {
		t.Errorf("demo is %d bytes in all, want at most %d", sum, total)
	}
}

func TestEveryFormatIsDemoed(t *testing.T) {
	want := []string{"cloudflare", "combined", "common", "vhost_combined", "nginx:", "apache:", "json", "cloudfront", "docker+", "cri+"}
	have := map[string]bool{}
	containers := map[string]bool{}
	for _, f := range Files() {
		name := f.Format
		if i := bytes.IndexAny([]byte(name), ":+"); i >= 0 {
			name = name[:i+1]
		}
		have[name] = true
		containers[f.Container] = true
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("no demo file in format %q", w)
		}
	}
	for _, c := range []string{"docker", "cri"} {
		if !containers[c] {
			t.Errorf("no demo file wrapped by %s", c)
		}
	}
}

func TestOtherSeedsAndBasesGenerate(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		set := mustGenerate(t, Options{Seed: seed})
		if len(set.Truth.Bursts) == 0 || len(set.Truth.Async) == 0 {
			t.Errorf("seed %d: truth has no bursts or no async groups", seed)
		}
	}
}

func TestReadmeIsCurrent(t *testing.T) {
	got, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatalf("read README.md (run go run ./sample-logs/gen): %v", err)
	}
	if !bytes.Equal(got, mustGenerate(t, Options{}).Readme()) {
		t.Error("README.md is out of date: run go run ./sample-logs/gen")
	}
}
